#!/usr/bin/env bash
# Build and run the action's image without a Docker engine: buildah (vfs storage, chroot isolation) on a
# Debian base made with mmdebstrap. Used by tests/container/test_container.py; needs root.
#
#   build.sh base                  make (or reuse) the base image; prints its name
#   build.sh build                 build the Dockerfile on it as $IMAGE; prints the image id
#   build.sh size                  the image's size, as `buildah images` reports it
#   build.sh config                `buildah inspect` of the image (JSON; .Docker.config has Entrypoint, Cmd)
#   build.sh start                 create a working container from the image; prints its name
#   build.sh run DIR ENVFILE -- CMD...
#                                  run CMD the way the runner runs a Docker action:
#                                  DIR/{workspace,workflow,file_commands,home} mounted at /github/...,
#                                  the working directory /github/workspace, KEY=VALUE lines of ENVFILE
#                                  as the environment, the host's network; exits with CMD's exit code.
#                                  In $MIGCHECK_CONTAINER (from `start`) when set, else in a fresh
#                                  container removed afterwards (with vfs storage each new container is
#                                  a full copy of the image, about ten seconds)
#   build.sh stop NAME             remove a container made by `start`
#   build.sh clean                 remove the containers and images of this helper (keeps base.tar)
#
# Everything lives under $MIGCHECK_CI_CACHE (default /var/cache/migcheck-ci), outside the repository:
# the base root filesystem (base-<key>.tar) and a private buildah storage, so that later runs reuse the
# base image and only rebuild the layer that installs migcheck.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${MIGCHECK_CI_CACHE:-/var/cache/migcheck-ci}"
IMAGE="${MIGCHECK_IMAGE:-localhost/migcheck-action:test}"

# What the Dockerfile needs from its BASE: python3 with venv (and pip), git, CA certificates.
SUITE=bookworm
INCLUDE=python3,python3-venv,python3-pip,git,ca-certificates
# Documentation, manual pages and translations are of no use in the image.
DPKGOPTS=(
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
)
# The cache key changes whenever the base's recipe does; a base older than BASE_MAX_AGE_DAYS is remade
# so that it picks up Debian's point releases.
KEY="$(printf '%s\n' "$SUITE" "$INCLUDE" "${DPKGOPTS[@]}" | sha256sum | cut -c1-12)"
BASE_TAR="$CACHE/base-$SUITE-$KEY.tar"
BASE_IMAGE="localhost/migcheck-base:$SUITE-$KEY"
BASE_MAX_AGE_DAYS="${BASE_MAX_AGE_DAYS:-30}"

BUILDAH=(buildah --root "$CACHE/containers" --runroot /run/migcheck-ci --storage-driver vfs)

log() { printf 'build.sh: %s\n' "$*" >&2; }

need_root() {
  [ "$(id -u)" = 0 ] || { log "needs root (buildah with vfs storage and chroot isolation)"; exit 3; }
  command -v buildah >/dev/null || { log "buildah is not installed (apt-get install buildah)"; exit 3; }
  mkdir -p "$CACHE"
}

# The Debian mirror this machine's apt uses, read at run time (never written into the repository).
mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  [ -n "$uri" ] || { log "no Debian mirror found in /etc/apt/sources.list.d/debian.sources"; exit 3; }
  printf '%s\n' "$uri"
}

have_image() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }

cmd_base() {
  need_root
  exec 9>"$CACHE/lock"
  flock 9
  if [ -s "$BASE_TAR" ] && [ -n "$(find "$BASE_TAR" -mtime +"$BASE_MAX_AGE_DAYS" 2>/dev/null)" ]; then
    log "base older than $BASE_MAX_AGE_DAYS days: remaking it"
    rm -f "$BASE_TAR"
    "${BUILDAH[@]}" rmi -f "$BASE_IMAGE" >/dev/null 2>&1 || true
  fi
  if have_image "$BASE_IMAGE" && [ -s "$BASE_TAR" ]; then
    log "base image cached: $BASE_IMAGE"
  else
    if [ ! -s "$BASE_TAR" ]; then
      command -v mmdebstrap >/dev/null || { log "mmdebstrap is not installed (apt-get install mmdebstrap)"; exit 3; }
      log "mmdebstrap $SUITE ($INCLUDE) -> $BASE_TAR"
      mmdebstrap --quiet --variant=apt --format=tar --include="$INCLUDE" "${DPKGOPTS[@]}" \
        "$SUITE" "$BASE_TAR.part" "deb $(mirror) $SUITE main"
      mv "$BASE_TAR.part" "$BASE_TAR"
    fi
    log "importing $BASE_TAR as $BASE_IMAGE"
    local c
    c="$("${BUILDAH[@]}" from scratch)"
    "${BUILDAH[@]}" add --quiet "$c" "$BASE_TAR" / >/dev/null
    "${BUILDAH[@]}" config \
      --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env LANG=C.UTF-8 \
      --cmd /bin/sh "$c"
    "${BUILDAH[@]}" commit --quiet --rm "$c" "$BASE_IMAGE" >/dev/null
  fi
  printf '%s\n' "$BASE_IMAGE"
}

cmd_build() {
  need_root
  local base
  base="$(cmd_base)"
  exec 9>"$CACHE/lock"
  flock 9
  # pip inside the build reaches the package index the way pip on this machine does: the host's CA
  # bundle (a TLS-inspecting proxy's certificate, if any) is mounted read-only for the RUN steps, and the
  # host's PIP_* index settings are handed on as the build arguments the Dockerfile declares (a file://
  # index of this machine would not exist in the build). No host name is written down here.
  local args=(--build-arg "BASE=$base")
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    args+=(--volume /etc/ssl/certs:/etc/ssl/certs:ro --build-arg PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
  fi
  local var
  for var in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST; do
    if [ -n "${!var:-}" ] && [[ "${!var}" != file:* ]]; then
      args+=(--build-arg "$var=${!var}")
    fi
  done
  log "building $IMAGE from $REPO/Dockerfile on $base"
  "${BUILDAH[@]}" bud --format docker --isolation chroot --pull=never --layers=false --quiet \
    "${args[@]}" -t "$IMAGE" -f "$REPO/Dockerfile" "$REPO" >/dev/null
  # The previous build of $IMAGE is now untagged; without a layer cache it is of no further use.
  "${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
  "${BUILDAH[@]}" inspect --type image --format '{{.FromImageID}}' "$IMAGE"
}

cmd_size() {
  need_root
  "${BUILDAH[@]}" images --format '{{.Size}}' "$IMAGE"
}

cmd_config() {
  need_root
  "${BUILDAH[@]}" inspect --type image "$IMAGE"
}

CONTAINER=""
remove_container() {
  [ -z "$CONTAINER" ] || "${BUILDAH[@]}" rm "$CONTAINER" >/dev/null 2>&1 || true
}

cmd_start() {
  need_root
  "${BUILDAH[@]}" from --pull=never --quiet "$IMAGE"
}

cmd_stop() {
  need_root
  [ $# -eq 1 ] || { log "usage: build.sh stop NAME"; exit 3; }
  "${BUILDAH[@]}" rm "$1" >/dev/null
}

cmd_run() {
  need_root
  [ $# -ge 3 ] && [ "$3" = "--" ] || { log "usage: build.sh run DIR ENVFILE -- CMD..."; exit 3; }
  local dir="$1" envfile="$2"
  shift 3
  local envs=() line
  while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] && envs+=(--env "$line")
  done <"$envfile"
  local container="${MIGCHECK_CONTAINER:-}" rc=0
  if [ -z "$container" ]; then
    CONTAINER="$("${BUILDAH[@]}" from --pull=never --quiet "$IMAGE")"
    trap remove_container EXIT
    container="$CONTAINER"
  fi
  "${BUILDAH[@]}" run --isolation chroot --network host \
    --volume "$dir/workspace:/github/workspace" \
    --volume "$dir/workflow:/github/workflow" \
    --volume "$dir/file_commands:/github/file_commands" \
    --volume "$dir/home:/github/home" \
    --workingdir /github/workspace \
    "${envs[@]}" "$container" -- "$@" || rc=$?
  return "$rc"
}

cmd_clean() {
  need_root
  "${BUILDAH[@]}" rm --all >/dev/null 2>&1 || true
  "${BUILDAH[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
  "${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
}

case "${1:-}" in
  base) shift; cmd_base "$@" ;;
  build) shift; cmd_build "$@" ;;
  size) shift; cmd_size "$@" ;;
  config) shift; cmd_config "$@" ;;
  start) shift; cmd_start "$@" ;;
  run) shift; cmd_run "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  clean) shift; cmd_clean "$@" ;;
  *) log "usage: build.sh base|build|size|config|start|run|stop|clean"; exit 3 ;;
esac

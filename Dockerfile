# The image of migcheck's GitHub Action (action.yml: `runs.using: docker`, `image: Dockerfile`).
# The runner builds it from this repository and runs it with the checkout mounted at /github/workspace;
# the action's inputs arrive as MIGCHECK_* variables (action.yml `runs.env`), read by `migcheck github`.
#
# BASE is any Debian-like image with python3 (and its venv module): the default is the official slim
# Python image; the container test builds on a plain Debian root filesystem made with mmdebstrap.
ARG BASE=python:3.12-slim
FROM ${BASE}

LABEL org.opencontainers.image.title="migcheck" \
      org.opencontainers.image.description="A checker for Alembic migration trees, as a GitHub Action" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.url="https://github.com/migcheck/migcheck" \
      org.opencontainers.image.source="https://github.com/migcheck/migcheck"

# Where pip should look when the builder is behind a mirror or a TLS-inspecting proxy; empty by default
# (pip ignores empty PIP_* variables). Build arguments only: they do not persist into the image.
ARG PIP_INDEX_URL=""
ARG PIP_EXTRA_INDEX_URL=""
ARG PIP_TRUSTED_HOST=""
ARG PIP_CERT=""

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/migcheck/bin:${PATH}"

# git, for the base-branch comparison (MC110) and the heads a pull request adds; slim images lack it.
# The checkout at /github/workspace belongs to the runner's user, not to root in here, so git would
# refuse it as "dubious ownership" without the safe.directory entry.
# DL3008 (pin apt versions) is ignored: git's version string differs with every BASE and every point
# release of it, so a pin would break the build instead of making it reproducible.
# hadolint ignore=DL3008
RUN if ! command -v git >/dev/null 2>&1; then \
        apt-get update \
        && apt-get install -y --no-install-recommends git \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && git config --system --add safe.directory '*'

# migcheck is built from this checkout (the distribution alembic-migcheck), never fetched from the index.
# A virtual environment, not the system interpreter: Debian's python3 refuses `pip install` into the
# system (PEP 668), and the venv keeps migcheck's dependencies apart from whatever a project installs.
COPY pyproject.toml README.md /tmp/migcheck-src/
COPY migcheck/ /tmp/migcheck-src/migcheck/
RUN python3 -m venv /opt/migcheck \
    && /opt/migcheck/bin/pip install "/tmp/migcheck-src[postgresql,mysql,github]" \
    && rm -rf /tmp/migcheck-src \
    && /opt/migcheck/bin/migcheck --version

# No USER instruction, on purpose: GitHub runs Docker actions as the image's default user and documents
# that it must be root, because the workspace and the files behind GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
# and the event payload are mounted from the runner and a non-root user could not write to them.
# No WORKDIR either: the runner sets the working directory to the mounted workspace.
ENTRYPOINT ["/opt/migcheck/bin/migcheck"]
CMD ["github"]

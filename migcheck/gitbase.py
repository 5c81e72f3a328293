"""The revision files of a git commit (the PR's base branch), read from git itself: no checkout, no change
to the working tree. `git ls-tree` lists them and one `git cat-file --batch` process reads them all. Also
which branch `base = "auto"` means on a developer's clone (`choose_base`)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from migcheck.config import BASE_AUTO
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.paths import relative
from migcheck.result import BaseBranch
from migcheck.scripts import Revision, Unreadable, is_revision_file, read_source


@dataclass(frozen=True)
class Snapshot:
    """One commit's revisions of one environment, with each file's text for comparisons."""

    sha: str
    revisions: tuple[Revision, ...]
    texts: dict[str, bytes]  # display path -> content
    blobs: frozenset[str] = frozenset()  # the git blob ids of its revision files

    def within(self, keep: Callable[[str], bool]) -> Snapshot:
        """The same commit's revisions and texts whose display path `keep` accepts."""
        return Snapshot(
            self.sha,
            tuple(r for r in self.revisions if keep(r.path)),
            {path: text for path, text in self.texts.items() if keep(path)},
            self.blobs,
        )


@dataclass(frozen=True)
class BaseTree:
    """The base branch's tip (what the change merges into) and the fork point (where the change began):
    files on the tip but not at the fork were merged since the change branched off, not deleted by it."""

    ref: str  # how messages name the base: as --base gave it, or the PR's base branch (Settings.base_label)
    tip: Snapshot
    fork: Snapshot

    @property
    def revisions(self) -> tuple[Revision, ...]:
        return self.tip.revisions

    @property
    def merged(self) -> MergedBlobs:
        """Recognizes a working file whose bytes the base branch's tip has (it skips the syntax check)."""
        return MergedBlobs(self.tip.blobs)

    def within(self, keep: Callable[[str], bool]) -> BaseTree:
        """Only the files whose display path `keep` accepts (one history of an environment split by
        subdirectory)."""
        tip = self.tip.within(keep)
        return BaseTree(self.ref, tip, tip if self.fork is self.tip else self.fork.within(keep))


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        run = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise MigcheckError("--base needs git, and git is not installed") from None
    if run.returncode != 0:
        raise _GitError(run.stderr.decode("utf-8", "replace").strip())
    return run.stdout


class _GitError(Exception):
    pass


def choose_base(root: Path, wanted: str) -> BaseBranch | None:
    """The base branch `wanted` names. `auto` is what the current branch will be compared with in CI: its
    upstream (`git branch --set-upstream-to`), unless that is only the branch's own copy on the remote (a
    `git push -u` sets that), else the remote's default branch (`origin/HEAD`); None, silently, when there
    is neither, outside a git repository or without git."""
    if wanted != BASE_AUTO:
        return BaseBranch(wanted)
    where = root if root.is_dir() else root.parent
    branch = _ask(where, "symbolic-ref", "--quiet", "--short", "HEAD")  # None on a detached HEAD
    if branch is not None:
        upstream = _ask(where, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
        if upstream is not None and not _own_copy(where, branch):
            return BaseBranch(upstream, "upstream", branch)
    default = _ask(where, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if default is not None and _ask(where, "rev-parse", "--verify", "--quiet", f"{default}^{{commit}}"):
        return BaseBranch(default, "origin/HEAD")
    if _ask(where, "rev-parse", "--verify", "--quiet", "refs/remotes/origin/HEAD^{commit}"):
        return BaseBranch("origin/HEAD", "origin/HEAD")
    return None


def _own_copy(where: Path, branch: str) -> bool:
    """Whether `branch`'s upstream is the same branch on a remote: where it is pushed, not what it merges into."""
    remote = _ask(where, "config", "--get", f"branch.{branch}.remote")
    merge = _ask(where, "config", "--get", f"branch.{branch}.merge")
    return remote not in (None, ".") and merge == f"refs/heads/{branch}"


def _ask(where: Path, *args: str) -> str | None:
    """git's one-line answer, or None for any failure: `auto` falls back silently, never stops the check."""
    try:
        run = subprocess.run(["git", "-C", str(where), *args], capture_output=True, check=False)
    except OSError:
        return None
    answer = run.stdout.decode("utf-8", "surrogateescape").strip()
    return answer if run.returncode == 0 and answer else None


def resolve_base(root: Path, ref: str) -> tuple[Path, str]:
    """(the repository's top directory, the commit sha of `ref`); a clear message when it is not there."""
    if ref.startswith("-"):
        # git would read it as an option of its own; no ref name or revision expression starts with "-"
        raise MigcheckError(f"--base {ref}: not a git ref (a ref never starts with '-')")
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    except _GitError:
        raise MigcheckError(f"--base {ref}: {root} is not inside a git repository") from None
    try:
        sha = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except _GitError:
        shallow = _git(root, "rev-parse", "--is-shallow-repository").decode().strip() == "true"
        why = "this is a shallow clone" if shallow else "it is not in this clone"
        raise MigcheckError(
            f"--base {ref}: no such commit ({why}); fetch it first (`git fetch origin {ref}`), or in GitHub"
            " Actions check out with `fetch-depth: 0`"
        ) from None
    return top, sha


def read_base(
    root: Path, ref: str, env: Environment, resolver: ConstantResolver, shown_from: Path | None = None
) -> BaseTree:
    """The revisions `env`'s version locations hold at `ref` and at the fork point of HEAD and `ref`; their
    paths are shown relative to `shown_from` (default: `root`), as the working tree's are."""
    shown_from = (shown_from or root).resolve()
    top, sha = resolve_base(root, ref)
    try:
        fork = _git(top, "merge-base", sha, "HEAD").decode().strip()
    except _GitError:
        fork = sha  # unrelated histories, or no HEAD yet: compare with the tip itself
    tip_snapshot = _snapshot(shown_from, top, sha, env, resolver)
    fork_snapshot = tip_snapshot if fork == sha else _snapshot(shown_from, top, fork, env, resolver)
    return BaseTree(ref, tip_snapshot, fork_snapshot)


@dataclass(frozen=True)
class MergedBlobs:
    """The git blob ids of a commit's revision files: a file with the same bytes is one the base branch has."""

    ids: frozenset[str]

    def __call__(self, data: bytes) -> bool:
        if not self.ids:
            return False
        # git's blob id: the hash of a "blob <size>\0" header and the bytes (SHA-256 in a sha256 repository)
        digest = hashlib.sha256 if len(next(iter(self.ids))) == 64 else hashlib.sha1
        return digest(b"blob %d\0" % len(data) + data).hexdigest() in self.ids


def _relative_locations(top: Path, env: Environment) -> list[PurePosixPath]:
    """`env`'s version locations inside the repository, relative to its top directory."""
    found = []
    for location in env.version_locations:
        try:
            found.append(
                PurePosixPath(Path(os.path.realpath(location)).relative_to(top.resolve()).as_posix())
            )
        except ValueError:
            continue
    return found


def _snapshot(
    shown_from: Path, top: Path, sha: str, env: Environment, resolver: ConstantResolver
) -> Snapshot:
    paths: list[str] = []
    ids: list[bytes] = []
    for rel in _relative_locations(top, env):
        listed = _git(top, "ls-tree", "-r", "-z", sha, "--", f"{rel}/").split(b"\0")
        for entry in filter(None, listed):
            meta, _, raw = entry.partition(b"\t")
            _mode, kind, blob = meta.split()
            name = PurePosixPath(raw.decode("utf-8", "surrogateescape"))
            nested = name.parent != rel
            if (
                kind == b"blob"
                and (env.recursive or not nested)
                and "__pycache__" not in name.parts
                and is_revision_file(name.name)
            ):
                paths.append(str(name))
                ids.append(blob)
    blobs = dict(zip(paths, _cat(top, ids), strict=True))
    revisions: list[Revision] = []
    texts: dict[str, bytes] = {}
    for path in paths:
        display = relative(top.resolve() / path, shown_from)
        item = read_source(blobs[path], str(top / path), display, resolver)
        texts[display] = blobs[path]
        if not isinstance(item, Unreadable):
            revisions.append(item)
        elif item.declared is not None:
            revisions.append(item.declared)
    return Snapshot(sha, tuple(revisions), texts, frozenset(blob.decode("ascii") for blob in ids))


def _cat(top: Path, ids: list[bytes]) -> list[bytes]:
    """Every blob in one `git cat-file --batch` run (one process, not one per file), asked for by object id:
    `<commit>:<path>` would make git search the directory's tree once per file (10,000 files: 14 s)."""
    if not ids:
        return []
    out = _git(top, "cat-file", "--batch", stdin=b"".join(i + b"\n" for i in ids))
    blobs: list[bytes] = []
    at = 0
    for _ in ids:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1
    return blobs

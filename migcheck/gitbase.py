"""The revision files of a git commit (the PR's base branch), read from git itself: no checkout, no change
to the working tree. `git ls-tree` lists them and one `git cat-file --batch` process reads them all."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.scripts import Revision, Unreadable, is_revision_file, read_source


@dataclass(frozen=True)
class Snapshot:
    """One commit's revisions of one environment, with each file's text for comparisons."""

    sha: str
    revisions: tuple[Revision, ...]
    texts: dict[str, bytes]  # display path -> content


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


def read_base(root: Path, ref: str, env: Environment, resolver: ConstantResolver) -> BaseTree:
    """The revisions `env`'s version locations hold at `ref` and at the fork point of HEAD and `ref`."""
    top, sha = resolve_base(root, ref)
    try:
        fork = _git(top, "merge-base", sha, "HEAD").decode().strip()
    except _GitError:
        fork = sha  # unrelated histories, or no HEAD yet: compare with the tip itself
    tip_snapshot = _snapshot(root, top, sha, env, resolver)
    fork_snapshot = tip_snapshot if fork == sha else _snapshot(root, top, fork, env, resolver)
    return BaseTree(ref, tip_snapshot, fork_snapshot)


def _snapshot(root: Path, top: Path, sha: str, env: Environment, resolver: ConstantResolver) -> Snapshot:
    paths: list[str] = []
    for location in env.version_locations:
        try:
            rel = PurePosixPath(Path(os.path.realpath(location)).relative_to(top.resolve()).as_posix())
        except ValueError:
            continue
        listed = _git(top, "ls-tree", "-r", "-z", "--name-only", sha, "--", f"{rel}/").split(b"\0")
        for raw in filter(None, listed):
            name = PurePosixPath(raw.decode("utf-8", "surrogateescape"))
            nested = name.parent != rel
            if (
                (env.recursive or not nested)
                and "__pycache__" not in name.parts
                and is_revision_file(name.name)
            ):
                paths.append(str(name))
    blobs = _cat(top, sha, paths)
    revisions: list[Revision] = []
    texts: dict[str, bytes] = {}
    root_in_top = root.resolve().relative_to(top.resolve()) if root.resolve() != top.resolve() else Path()
    for path in paths:
        display = _display(path, root_in_top)
        item = read_source(blobs[path], str(top / path), display, resolver)
        texts[display] = blobs[path]
        if not isinstance(item, Unreadable):
            revisions.append(item)
        elif item.declared is not None:
            revisions.append(item.declared)
    return Snapshot(sha, tuple(revisions), texts)


def _display(path: str, root_in_top: Path) -> str:
    prefix = root_in_top.as_posix()
    if prefix in ("", "."):
        return path
    return path[len(prefix) + 1 :] if path.startswith(prefix + "/") else "../" + path


def _cat(top: Path, sha: str, paths: list[str]) -> dict[str, bytes]:
    """Every blob in one `git cat-file --batch` run (one process, not one per file)."""
    if not paths:
        return {}
    request = "".join(f"{sha}:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    out = _git(top, "cat-file", "--batch", stdin=request)
    blobs: dict[str, bytes] = {}
    at = 0
    for path in paths:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        size = int(header[2])
        blobs[path] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return blobs

"""Where the paths migcheck shows are relative to: one directory per run, chosen by who reads the output.

A person at a terminal reads paths relative to the current directory (a terminal makes `path:line`
clickable only so); GitHub annotations, code scanning (SARIF), PR comment links and JSON for machines need
paths relative to the repository's root. Every path a run shows (a finding's location, and the paths its
message and hint quote) is made relative to the same directory, once, when the files are read, so a
location and the hint beside it always agree.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# the reporters whose readers are machines or GitHub: paths relative to the repository root
REPOSITORY_FORMATS = frozenset({"json", "markdown", "github", "sarif"})


def relative(path: str | os.PathLike[str], base: Path) -> str:
    """`path` relative to `base`, with forward slashes; `../` when it lies outside `base`.

    A relative `path` is taken as already shown and returned as it is. A path that shares nothing but the
    file system's root with `base` (or is on another drive) is shown absolute: a run of `../` would say less.
    """
    path = os.fspath(path)
    if not os.path.isabs(path):
        return path.replace(os.sep, "/")
    try:
        shown = os.path.relpath(path, base)
    except ValueError:  # another drive (Windows)
        return path.replace(os.sep, "/")
    if shown == os.pardir or shown.startswith(os.pardir + os.sep):
        common = os.path.commonpath([os.path.abspath(path), os.path.abspath(base)])
        if os.path.dirname(common) == common:
            return path.replace(os.sep, "/")
    return shown.replace(os.sep, "/")


def repository_root(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The top of the repository that holds `root`: GITHUB_WORKSPACE in GitHub Actions (when it holds
    `root`), else git's top level, else `root` itself (not a git checkout, or no git). Runs git once."""
    environ = os.environ if environ is None else environ
    root = root.resolve()
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        top = Path(workspace).resolve()
        if root == top or top in root.parents:
            return top
    try:
        run = subprocess.run(
            ["git", "-C", str(root if root.is_dir() else root.parent), "rev-parse", "--show-toplevel"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return root
    found = os.fsdecode(run.stdout).strip()
    return Path(found).resolve() if run.returncode == 0 and found else root


def paths_from(fmt: str, root: Path) -> Path:
    """The directory the paths of a `fmt` report are relative to (see the module docstring)."""
    if fmt in REPOSITORY_FORMATS:
        return repository_root(root)
    try:
        return Path.cwd()
    except OSError:  # the current directory was deleted: nothing is relative to it
        return root.resolve()

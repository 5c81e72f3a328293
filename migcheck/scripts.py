"""Static reader: a revision file becomes a `Revision` through `ast` alone; the file is never imported.

Only the file's header is parsed (everything above its first top-level `def`, `class` or decorator), which is
where Alembic's templates put the identifiers; the whole file is parsed only when the header does not yield them.
"""

from __future__ import annotations

import ast
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from migcheck.constants import ConstantResolver, Unresolved

# Alembic's own file patterns (alembic/script/base.py): `.#` editor locks and `__init__` are not revisions.
_SOURCE_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_COMPILED_FILE = re.compile(r"(?!\.\#|__init__)(.*?)(?:\.cpython-\d+)?(?:\.opt-\d)?\.py[co]$")
_LEGACY_ID_FILE = re.compile(r"([a-f0-9]+)\.py$")
_BODY_START = re.compile(rb"^(?:def\b|async\s+def\b|class\b|@)", re.M)
_SUPPRESS = re.compile(rb"#\s*migcheck:\s*ignore(?:\[([^\]]*)\])?", re.I)
_DOC_REVISION = re.compile(r"^\s*Revision ID:[ \t]*(\S*)", re.M)
_DOC_REVISES = re.compile(r"^\s*Revises:[ \t]*(.*?)\s*$", re.M)
_CONFLICT_MARKER = re.compile(rb"^(?:<{7}|={7}|>{7})(?: |$)", re.M)
_ILLEGAL_ID_CHARS = "@-+:"  # alembic.script.revision._revision_illegal_chars
_FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")
# A revision file larger than this is not parsed (MC107): Python's parser takes about 500 bytes of memory per
# byte of a dense literal (a 20 MB list: 61 s and 9.7 GB), while files that autogenerate writes are a few KB
# and the largest hand-written ones seen in big projects (Airflow, Superset) about 12 KB.
MAX_REVISION_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Revision:
    """What one revision file declares, with the line of each declaration."""

    id: str
    path: str
    down_revisions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    revision_line: int = 1
    down_revision_line: int = 1
    depends_on_line: int | None = None
    branch_labels_line: int | None = None
    # branch_labels given by a name migcheck could not resolve: still a labelled branch.
    unknown_labels: bool = False
    unknown_depends_on: bool = False
    doc_revision: str | None = None
    doc_revision_line: int | None = None
    doc_revises: tuple[str, ...] | None = None
    doc_revises_line: int | None = None
    message: str | None = None  # the docstring's first line, as `alembic revision -m` wrote it
    suppressions: Mapping[int, frozenset[str]] = field(default_factory=dict, compare=False)

    @property
    def is_base(self) -> bool:
        return not self.down_revisions


@dataclass(frozen=True)
class Unreadable:
    """A file in a version directory that migcheck cannot turn into a revision (rule MC107)."""

    path: str
    line: int
    reason: str
    hint: str
    revision: str | None = None


def list_revision_files(location: Path, *, recursive: bool, sourceless: bool) -> list[str]:
    """Files Alembic would consider in one version location, in Alembic's order (sorted, top-down)."""
    found: list[str] = []
    pending = [str(location)]
    while pending:
        directory = pending.pop(0)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name == "__pycache__":
                    if sourceless:
                        found.extend(_orphans(entry.path, directory))
                else:
                    subdirs.append(entry.path)
            elif is_revision_file(entry.name):
                found.append(entry.path)
            elif sourceless and _COMPILED_FILE.match(entry.name):
                found.extend(_orphans(directory, directory, only=entry.name))
        if recursive:
            pending[:0] = subdirs
    return found


def is_revision_file(name: str) -> bool:
    """Whether Alembic would load a file of this name as a revision (source mode)."""
    return bool(_SOURCE_FILE.match(name))


def _orphans(directory: str, source_dir: str, *, only: str | None = None) -> list[str]:
    """Compiled files with no .py beside them: Alembic loads them in sourceless mode, migcheck cannot read them."""
    names = [only] if only is not None else sorted(os.listdir(directory))
    orphans = []
    for name in names:
        m = _COMPILED_FILE.match(name)
        if m and not os.path.exists(os.path.join(source_dir, m.group(1) + ".py")):
            orphans.append(os.path.join(directory, name))
    return orphans


def read_revision(path: str | Path, display: str, resolver: ConstantResolver) -> Revision | Unreadable:
    """Read one revision file statically; `display` is the path shown in findings."""
    path = os.fspath(path)
    if path.endswith((".pyc", ".pyo")):
        return Unreadable(
            display,
            1,
            "compiled revision file with no source beside it (sourceless mode); migcheck reads source only",
            "keep the .py source of every revision in the version directory, or delete the stale .pyc",
        )
    try:
        data = _read_capped(path, display)
    except OSError as exc:
        return Unreadable(
            display, 1, f"cannot read the file: {exc.strerror or exc}", "check the file's permissions"
        )
    if isinstance(data, Unreadable):
        return data
    return read_source(data, path, display, resolver)


def _read_capped(path: str, display: str) -> bytes | Unreadable:
    """The file's bytes, never more than MAX_REVISION_BYTES + 1 of them (what is larger is too large)."""
    # non-blocking, so that a FIFO named like a revision file cannot hang the check
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            return Unreadable(
                display,
                1,
                "not a regular file (a FIFO, a device?): migcheck does not read it, and Alembic cannot load it",
                "remove it from the version directory",
            )
        if status.st_size > MAX_REVISION_BYTES:
            return too_large(display)
        # one read of the size fstat gave, plus one byte to see whether the file grew meanwhile
        data = os.read(fd, status.st_size + 1)
        while len(data) > status.st_size and len(data) <= MAX_REVISION_BYTES:
            more = os.read(fd, MAX_REVISION_BYTES + 1 - len(data))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


def read_source(data: bytes, path: str, display: str, resolver: ConstantResolver) -> Revision | Unreadable:
    """Read a revision from its bytes (a file's, or a blob from git); `path` is where names resolve from."""
    if len(data) > MAX_REVISION_BYTES:
        return too_large(display)
    header = _header(data)
    values: dict[str, tuple[ast.expr, int]] = {}
    tree: ast.Module | None = None
    if header is not None:
        tree = _parse(header)
        if tree is not None:
            values = _assignments(tree)
    if (
        tree is None
        or not {"revision", "down_revision"} <= values.keys()
        or _assigned_below(data, header, values)
    ):
        tree_or_error = _parse_full(data)
        if isinstance(tree_or_error, Unreadable):
            return Unreadable(display, tree_or_error.line, tree_or_error.reason, tree_or_error.hint)
        tree = tree_or_error
        values = _assignments(tree)
    return _build(tree, values, path, display, data, resolver)


def too_large(display: str) -> Unreadable:
    return Unreadable(
        display,
        1,
        f"the file is larger than {MAX_REVISION_BYTES // 1024 // 1024} MiB: too large to read safely (parsing"
        " it could take minutes and gigabytes); migcheck did not read its revision identifiers",
        "keep bulk data out of revision files: load it from a data file that the migration reads",
    )


def _assigned_below(data: bytes, header: bytes | None, values: dict[str, tuple[ast.expr, int]]) -> bool:
    """Whether an identifier the header lacks is assigned further down (old or hand-written files)."""
    missing = [name for name in _FIELDS if name not in values]
    if not missing or header is None:
        return False
    rest = data[len(header) :]
    return any(re.search(rb"^" + name.encode() + rb"\b", rest, re.M) for name in missing)


def _header(data: bytes) -> bytes | None:
    m = _BODY_START.search(data)
    return data[: m.start()] if m else None


def _parse(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _parse_full(data: bytes) -> ast.Module | Unreadable:
    try:
        return ast.parse(data)
    except SyntaxError as exc:
        line = exc.lineno or 1
        conflict = _CONFLICT_MARKER.search(data)
        if conflict:
            line = data.count(b"\n", 0, conflict.start()) + 1
            return Unreadable(
                "",
                line,
                "the file holds an unresolved git merge conflict (a `<<<<<<<` marker), so Alembic cannot import it",
                "resolve the conflict: keep one side's lines and delete the `<<<<<<<`, `=======` and `>>>>>>>` lines",
            )
        return Unreadable(
            "",
            line,
            f"the file is not valid Python: {exc.msg} (line {line})",
            "fix the syntax; Alembic imports every revision file and fails on this one",
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = "it contains null bytes" if "null" in str(exc) else "it is too deeply nested or too large"
        return Unreadable(
            "", 1, f"the file is not valid Python: {reason}", "restore the file from version control"
        )


def _assignments(tree: ast.Module) -> dict[str, tuple[ast.expr, int]]:
    """Module-level assignments to Alembic's four names (the last one wins, as at import time)."""
    found: dict[str, tuple[ast.expr, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in _FIELDS:
                    found[target.id] = (node.value, node.lineno)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name) and node.target.id in _FIELDS:
                found[node.target.id] = (node.value, node.lineno)
    return found


def _build(
    tree: ast.Module,
    values: dict[str, tuple[ast.expr, int]],
    path: str,
    display: str,
    data: bytes,
    resolver: ConstantResolver,
) -> Revision | Unreadable:
    def value(name: str) -> tuple[str | None | tuple[str, ...] | Unresolved, int | None]:
        if name not in values:
            return None, None
        node, line = values[name]
        return resolver.evaluate(node, tree, path), line

    rev, rev_line = value("revision")
    if rev_line is None:
        legacy = _LEGACY_ID_FILE.match(os.path.basename(path))
        if not legacy:
            return Unreadable(
                display,
                1,
                "no `revision` variable: this file is not an Alembic revision, and Alembic fails to load it",
                'declare `revision = "<id>"` at module level, or move the file out of the versions directory',
            )
        rev, rev_line = legacy.group(1), 1
    if not isinstance(rev, str) or not rev:
        return Unreadable(
            display,
            rev_line or 1,
            "`revision` is not a string literal migcheck can read statically",
            'write the id as a literal: revision = "<id>"',
        )
    illegal = sorted(set(rev) & set(_ILLEGAL_ID_CHARS))
    if illegal:
        return Unreadable(
            display,
            rev_line or 1,
            f"revision id {rev!r} contains {', '.join(map(repr, illegal))}, which Alembic refuses in ids"
            " (they are revision-expression syntax, as in `head-1` or `branch@head`)",
            "give the revision an id of letters, digits and underscores, and update the down_revision that name it",
            revision=rev,
        )
    down, down_line = value("down_revision")
    if down_line is None:
        return Unreadable(
            display,
            rev_line or 1,
            f"revision {rev!r} has no `down_revision` variable; Alembic fails to load it",
            "add `down_revision = None` for a base, or the id of the revision it follows",
            revision=rev,
        )
    if isinstance(down, Unresolved):
        return Unreadable(
            display,
            down_line,
            f"`down_revision` of {rev!r} cannot be resolved statically ({down.reason})",
            "write the parent id(s) as string literals: down_revision = \"<id>\" or ('<id1>', '<id2>')",
            revision=rev,
        )
    labels, labels_line = value("branch_labels")
    depends, depends_line = value("depends_on")
    doc = ast.get_docstring(tree, clean=False)
    doc_line = tree.body[0].lineno if doc is not None else None
    doc_rev, doc_rev_line = _doc_field(_DOC_REVISION, doc, doc_line)
    doc_revises, doc_revises_line = _doc_field(_DOC_REVISES, doc, doc_line)
    return Revision(
        id=rev,
        path=display,
        down_revisions=_as_tuple(down),
        depends_on=_as_tuple(depends),
        branch_labels=_as_tuple(labels),
        revision_line=rev_line or 1,
        down_revision_line=down_line,
        depends_on_line=depends_line,
        branch_labels_line=labels_line,
        unknown_labels=isinstance(labels, Unresolved),
        unknown_depends_on=isinstance(depends, Unresolved),
        doc_revision=doc_rev,
        doc_revision_line=doc_rev_line,
        doc_revises=_split_revises(doc_revises) if doc_revises is not None else None,
        doc_revises_line=doc_revises_line,
        message=doc.strip().splitlines()[0].strip() if doc and doc.strip() else None,
        suppressions=_suppressions(data),
    )


def _as_tuple(value: str | None | tuple[str, ...] | Unresolved) -> tuple[str, ...]:
    if value is None or isinstance(value, Unresolved):
        return ()
    return (value,) if isinstance(value, str) else value


def _doc_field(
    pattern: re.Pattern[str], doc: str | None, doc_line: int | None
) -> tuple[str | None, int | None]:
    if doc is None or doc_line is None:
        return None, None
    m = pattern.search(doc)
    if not m:
        return None, None
    return m.group(1), doc_line + doc.count("\n", 0, m.start(1))


def _split_revises(text: str) -> tuple[str, ...]:
    # Alembic writes "Revises: a, b" for merges and "Revises: " for a base; some teams write "<base>".
    parts = [p.strip() for p in text.replace("(", "").replace(")", "").split(",")]
    return tuple(p for p in parts if p and p not in ("None", "<base>"))


def _suppressions(data: bytes) -> dict[int, frozenset[str]]:
    found: dict[int, frozenset[str]] = {}
    for m in _SUPPRESS.finditer(data):
        line = data.count(b"\n", 0, m.start()) + 1
        codes = m.group(1).decode("utf-8", "replace") if m.group(1) is not None else ""
        found[line] = frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
    return found


def iter_revision_files(locations: tuple[Path, ...], *, recursive: bool, sourceless: bool) -> Iterator[str]:
    """Every candidate file, each once (Alembic warns and skips a file loaded twice), in Alembic's load order."""
    seen: set[str] = set()
    for location in locations:
        real_location = os.path.realpath(location)
        for file in list_revision_files(Path(real_location), recursive=recursive, sourceless=sourceless):
            key = os.path.realpath(file) if os.path.islink(file) else file
            if key not in seen:
                seen.add(key)
                yield file

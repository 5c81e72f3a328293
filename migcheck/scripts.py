"""Static reader: a revision file becomes a `Revision` through `ast` alone; the file is never imported.

The values are the module's final ones, as Alembic sees them after importing the file. The header (everything
above the first top-level `def`, `class` or decorator), where Alembic's templates put the identifiers, is parsed
first; the whole file only when the header lacks them or a byte search finds one of the names (or a star import)
further down. Every file must also compile, as Alembic's import needs (`syntaxcache` remembers what did).
"""

from __future__ import annotations

import ast
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from sys import intern
from typing import Any, NamedTuple

from migcheck.constants import ConstantResolver, Unresolved
from migcheck.headerscan import Scanned, scan
from migcheck.syntaxcache import CompileCache

# Alembic's own file patterns (alembic/script/base.py): `.#` editor locks and `__init__` are not revisions.
_SOURCE_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_COMPILED_FILE = re.compile(r"(?!\.\#|__init__)(.*?)(?:\.cpython-\d+)?(?:\.opt-\d)?\.py[co]$")
_LEGACY_ID_FILE = re.compile(r"([a-f0-9]+)\.py$")
_BODY_START = re.compile(rb"^(?:def\b|async\s+def\b|class\b|@)", re.M)
# `# migcheck: ignore[MC105] reason` silences its own line, `# migcheck: ignore-file[MC302] reason` the whole
# file; without codes, every rule. `ignore` must end there (`ignored`, `ignore-files` are other words)
_SUPPRESS = re.compile(rb"#\s*migcheck:\s*ignore(-file)?(?:\[([^\]]*)\]|(?![\w-]))", re.I)
_DOC_REVISION = re.compile(r"^\s*Revision ID:[ \t]*(\S*)", re.M)
_DOC_REVISES = re.compile(r"^\s*Revises:[ \t]*(.*?)\s*$", re.M)
_REVISES_BRACKETS = re.compile(r"[()\[\]]")
_REVISES_QUOTES = re.compile(r"^\s*[uU]?(['\"])|['\"]\s*$")
_CONFLICT_MARKER = re.compile(rb"^(?:<{7}|={7}|>{7})(?: |$)", re.M)
_ILLEGAL_ID_CHARS = "@-+:"  # alembic.script.revision._revision_illegal_chars
_FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")
_FIELD_SET = frozenset(_FIELDS)
# Below the header, any of the four names as a word (not an attribute such as `context.revision`) may rebind
# it, and so may a star import; "revision" also finds "down_revision".
_WORDS = (b"revision", b"branch_labels", b"depends_on", b"import")
_MENTION = re.compile(rb"(?<![\w.])(?:revision|down_revision|branch_labels|depends_on)\b|\bimport\s*\*")
_BLOCKS = {
    ast.If: "an `if`",
    ast.For: "a `for`",
    ast.AsyncFor: "a `for`",
    ast.While: "a `while`",
    ast.With: "a `with`",
    ast.AsyncWith: "a `with`",
    ast.Try: "a `try`",
    ast.Match: "a `match`",
}
if hasattr(ast, "TryStar"):  # Python >= 3.11
    _BLOCKS[ast.TryStar] = "a `try`"
# A revision file larger than this is not parsed (MC107): Python's parser takes about 500 bytes of memory per
# byte of a dense literal (a 20 MB list: 61 s and 9.7 GB), while files that autogenerate writes are a few KB
# and the largest hand-written ones seen in big projects (Airflow, Superset) about 12 KB.
MAX_REVISION_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)  # no per-instance dict: 50,000 revisions take 20 MB less
class Revision:
    """What one revision file declares, with the line of each declaration."""

    id: str
    path: str
    down_revisions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    revision_line: int = 1
    down_revision_line: int = 1
    # the `down_revision = '<id>'` line around its string literal (text before the id, after it), when the
    # assignment is that one line: a fix can then show the whole edited line, indentation and quotes kept
    down_revision_around: tuple[str, str] | None = None
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
    # line -> the codes (or names, upper case) a `# migcheck: ignore[...]` comment there silences, empty: all;
    # at FILE_WIDE, those an `ignore-file[...]` comment silences on every line
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
    # what the file declares when its identifiers could be read although Alembic cannot load it (a syntax error
    # below the header): the graph keeps it, so its children are not reported as pointing at nothing
    declared: Revision | None = field(default=None, compare=False, repr=False)


def list_revision_files(
    location: Path, *, recursive: bool, sourceless: bool, links: set[str] | None = None
) -> list[str]:
    """Files Alembic would consider in one version location, in Alembic's order (sorted, top-down).

    Raises OSError when a directory of the location cannot be listed: Alembic would silently see no revisions
    there, and a check that read nothing must not pass. `links` is given the files that are symbolic links
    (the listing knows it without another system call per file).
    """
    found: list[str] = []
    pending = [str(location)]
    while pending:
        directory = pending.pop(0)
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name == "__pycache__":
                    if sourceless:
                        orphans = _orphans(entry.path, directory)
                        found.extend(orphans)
                        if links is not None:
                            links.update(o for o in orphans if os.path.islink(o))
                else:
                    subdirs.append(entry.path)
            elif is_revision_file(entry.name):
                found.append(entry.path)
                if links is not None and entry.is_symlink():
                    links.add(entry.path)
            elif sourceless and _COMPILED_FILE.match(entry.name):
                orphans = _orphans(directory, directory, only=entry.name)
                found.extend(orphans)
                if links is not None:
                    links.update(o for o in orphans if os.path.islink(o))
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


def read_revision(
    path: str | Path,
    display: str,
    resolver: ConstantResolver,
    compiled: CompileCache | None = None,
    seen: Callable[[bytes, os.stat_result], None] | None = None,
    merged: Callable[[bytes], bool] | None = None,
) -> Revision | Unreadable:
    """Read one revision file statically; `display` is the path shown in findings.

    The file must also compile, as Alembic's import of it does (`compiled` remembers the files that did), unless
    `merged` says these exact bytes are on the base branch already (checked when they were merged).
    `seen` is told the exact bytes read and the file's status when they were read (`readcache` keys on them).
    """
    path = os.fspath(path)
    if path.endswith((".pyc", ".pyo")):
        return Unreadable(
            display,
            1,
            "compiled revision file with no source beside it (sourceless mode); migcheck reads source only",
            "keep the .py source of every revision in the version directory, or delete the stale .pyc",
        )
    try:
        data = _read_capped(path, display, seen)
    except OSError as exc:
        return Unreadable(
            display, 1, f"cannot read the file: {exc.strerror or exc}", "check the file's permissions"
        )
    if isinstance(data, Unreadable):
        return data
    item = read_source(data, path, display, resolver)
    if isinstance(item, Revision) and not (merged is not None and merged(data)):
        error = (compiled or CompileCache(None)).error(data, path)
        if error is not None:
            line, reason, hint = _syntax_problem(data, error)
            return Unreadable(display, line, reason, hint, revision=item.id, declared=item)
    return item


def _read_capped(
    path: str, display: str, seen: Callable[[bytes, os.stat_result], None] | None = None
) -> bytes | Unreadable:
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
        if seen is not None:
            seen(data, status)
        return data
    finally:
        os.close(fd)


def read_source(data: bytes, path: str, display: str, resolver: ConstantResolver) -> Revision | Unreadable:
    """Read a revision from its bytes (a file's, or a blob from git); `path` is where names resolve from.

    Only the header is parsed when the rest of the file cannot rebind the identifiers (a byte search says so),
    else the whole file: the values are the module's final ones, as Alembic sees them after importing it.
    """
    if len(data) > MAX_REVISION_BYTES:
        return too_large(display)
    header = _header(data)
    mentioned = header is None or _mentioned_after(data, len(header))
    if header is not None and not mentioned:
        fast = _from_scan(scan(header), display, data)
        if fast is not None:
            return fast
    tree = _parse(header) if header is not None else None
    values = _bindings(tree, data) if tree is not None else {}
    complete = {"revision", "down_revision"} <= values.keys()
    if tree is None or header is None or not complete or mentioned:
        full = _parse_full(data)
        if isinstance(full, Unreadable):
            declared = _build(tree, values, path, display, data, resolver) if tree and complete else None
            if not isinstance(declared, Revision):
                return replace(full, path=display)
            return replace(full, path=display, revision=declared.id, declared=declared)
        tree, values = full, _bindings(full, data)
    return _build(tree, values, path, display, data, resolver)


def too_large(display: str) -> Unreadable:
    return Unreadable(
        display,
        1,
        f"the file is larger than {MAX_REVISION_BYTES // 1024 // 1024} MiB: too large to read safely (parsing"
        " it could take minutes and gigabytes); migcheck did not read its revision identifiers",
        "keep bulk data out of revision files: load it from a data file that the migration reads",
    )


def _mentioned_after(data: bytes, start: int) -> bool:
    """Whether one of the four names appears below the header (a cheap byte search first, a regex on a hit)."""
    if not any(data.find(word, start) >= 0 for word in _WORDS):
        return False
    return _MENTION.search(data, start) is not None


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
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line, reason, hint = _syntax_problem(data, exc)
        return Unreadable("", line, reason, hint)


def _syntax_problem(data: bytes, exc: BaseException) -> tuple[int, str, str]:
    """Line, reason and hint of MC107 for a file that does not parse or compile."""
    if isinstance(exc, SyntaxError):
        line = exc.lineno or 1
        conflict = _CONFLICT_MARKER.search(data)
        if conflict:
            return (
                data.count(b"\n", 0, conflict.start()) + 1,
                "the file holds an unresolved git merge conflict (a `<<<<<<<` marker), so Alembic cannot import it",
                "resolve the conflict: keep one side's lines and delete the `<<<<<<<`, `=======` and `>>>>>>>` lines",
            )
        return (
            line,
            f"the file is not valid Python: {exc.msg} (line {line})",
            "fix the syntax; Alembic imports every revision file and fails on this one",
        )
    reason = "it contains null bytes" if "null" in str(exc) else "it is too deeply nested or too large"
    return 1, f"the file is not valid Python: {reason}", "restore the file from version control"


class _Binding(NamedTuple):
    """The last module-level binding of one of the four names."""

    value: ast.expr | None  # None: bound in a way only running the file tells (`if`, `+=`, an import, ...)
    line: int
    position: int  # its statement's index in the module: names in the value resolve from the ones above it
    how: str = ""


def _bindings(tree: ast.Module, data: bytes) -> dict[str, _Binding]:
    """Module-level bindings of Alembic's four names; the last one wins, as at import time."""
    found: dict[str, _Binding] = {}
    # only `:=` binds a name from inside an expression; without one, plain assignments need no walk
    walrus = b":=" in data
    for index, stmt in enumerate(tree.body):
        plain: list[str] = []
        value: ast.expr | None = None
        rest: list[ast.AST] = [stmt]
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                bound = alias.asname or (
                    alias.name if isinstance(stmt, ast.ImportFrom) else alias.name.split(".")[0]
                )
                for name in _FIELDS if bound == "*" else (bound,) if bound in _FIELD_SET else ():
                    found[name] = _Binding(None, stmt.lineno, index, "bound by an import")
            continue
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            plain = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            value = stmt.value
            rest = [value] if walrus else []
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            value = stmt.value
            # `revision: str` alone binds nothing at run time
            plain = [stmt.target.id] if value is not None else []
            rest = [value] if walrus and value is not None else []
        block = _BLOCKS.get(type(stmt))
        for node in rest:
            for name, line, how in _other_bindings(node):
                if block is not None:
                    line, how = stmt.lineno, f"assigned inside {block} block"
                found[name] = _Binding(None, line, index, how)
        for name in plain:
            if name in _FIELD_SET:
                found[name] = _Binding(value, stmt.lineno, index)
    if b"global" in data:
        # a function that declares one of the names global rebinds it whenever it is called
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                for name in sorted(_FIELD_SET.intersection(node.names)):
                    found[name] = _Binding(
                        None, node.lineno, len(tree.body), "declared `global` in a function"
                    )
    return found


def _other_bindings(node: ast.AST) -> Iterator[tuple[str, int, str]]:
    """(name, line, how) for every module-scope binding of the four names in `node` but a plain `name = value`."""
    stack = [node]
    while stack:
        current = stack.pop()
        line = getattr(current, "lineno", 1)
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if current.name in _FIELD_SET:
                yield current.name, line, "defined by a `def` or `class` statement"
            continue  # the body is a scope of its own
        if isinstance(current, ast.Lambda):
            continue
        if isinstance(current, ast.comprehension):
            stack += [current.iter, *current.ifs]  # the target belongs to the comprehension
            continue
        if isinstance(current, (ast.Import, ast.ImportFrom)):
            for alias in current.names:
                bound = _FIELD_SET if alias.name == "*" else {alias.asname or alias.name.split(".")[0]}
                for name in sorted(bound & _FIELD_SET):
                    yield name, line, "bound by an import"
            continue
        if isinstance(current, ast.AugAssign) and isinstance(current.target, ast.Name):
            if current.target.id in _FIELD_SET:
                yield current.target.id, line, "changed by an augmented assignment (`+=` and the like)"
            stack.append(current.value)
            continue
        if isinstance(current, ast.NamedExpr):
            if current.target.id in _FIELD_SET:
                yield current.target.id, line, "assigned with `:=`"
            stack.append(current.value)
            continue
        if isinstance(current, ast.Name) and current.id in _FIELD_SET:
            if isinstance(current.ctx, ast.Del):
                yield current.id, line, "deleted with `del`"
            elif isinstance(current.ctx, ast.Store):
                yield current.id, line, "assigned by unpacking"
        elif isinstance(current, ast.ExceptHandler) and current.name in _FIELD_SET:
            yield str(current.name), line, "bound by `except ... as`"
        elif isinstance(current, (ast.MatchAs, ast.MatchStar)) and current.name in _FIELD_SET:
            yield str(current.name), line, "bound by a `match` pattern"
        elif isinstance(current, ast.MatchMapping) and current.rest in _FIELD_SET:
            yield str(current.rest), line, "bound by a `match` pattern"
        elif isinstance(current, ast.Subscript) and not isinstance(current.ctx, ast.Load):
            key = _string(current.slice)
            if key is not None and key in _FIELD_SET and _is_namespace(current.value):
                yield key, line, "assigned through a subscript (`globals()[...]`)"
        elif isinstance(current, ast.Call):
            for name in _names_set_by_call(current):
                yield name, line, "set by a call (`setattr()`, `globals().update()`)"
        stack.extend(ast.iter_child_nodes(current))


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_namespace(node: ast.AST) -> bool:
    """`globals()`, `vars()`, `locals()`: the module's own namespace, seen as a dict."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("globals", "vars", "locals")
    )


def _names_set_by_call(call: ast.Call) -> set[str]:
    """The four names a call may set in the module: `setattr(module, "name", ...)`, `globals().update(name=...)`."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "setattr" and len(call.args) >= 2:
        return {name for name in [_string(call.args[1])] if name in _FIELD_SET}
    if isinstance(func, ast.Attribute) and func.attr in ("update", "setdefault", "__setitem__"):
        named = {k.arg for k in call.keywords if k.arg in _FIELD_SET}
        first = _string(call.args[0]) if call.args else None
        return {name for name in (*named, first) if name in _FIELD_SET}
    return set()


def _around(node: ast.expr | None, line_number: int, data: bytes) -> tuple[str, str] | None:
    """The text of a line before and after the id in it, when it holds a whole string literal assigned there."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    if not node.lineno == node.end_lineno == line_number:
        return None
    try:  # ast's columns count the bytes of the UTF-8 source; a line in another encoding gets no edit
        line = data.splitlines()[line_number - 1].decode("utf-8")
    except (IndexError, UnicodeDecodeError):
        return None
    start = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", "replace"))
    end = len(line.encode("utf-8")[: node.end_col_offset].decode("utf-8", "replace"))
    literal = line[start:end]
    prefix = literal[:1] if literal[:1] in ("r", "R", "u", "U") else ""
    literal = literal[len(prefix) :]
    quote = literal[:1]
    if quote not in ("'", '"') or literal != quote + node.value + quote:
        return None  # escapes, triple quotes or concatenation: the hint alone says what to write
    return line[:start] + prefix + quote, quote + line[end:]


def _build(
    tree: ast.Module,
    values: dict[str, _Binding],
    path: str,
    display: str,
    data: bytes,
    resolver: ConstantResolver,
) -> Revision | Unreadable:
    def value(name: str) -> tuple[str | None | tuple[str, ...] | Unresolved, int | None]:
        if name not in values:
            return None, None
        bound = values[name]
        if isinstance(bound.value, ast.Constant):
            return resolver.evaluate(bound.value, tree, path), bound.line  # a literal needs no names
        if bound.value is None:
            return Unresolved(
                f"`{name}` is {bound.how} at line {bound.line}, so only running the file tells its value"
            ), bound.line
        # the value is computed where it is assigned: names in it mean what the lines above made them
        above = ast.Module(body=tree.body[: bound.position], type_ignores=[])
        return resolver.evaluate(bound.value, above, path), bound.line

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
        unknown = (
            rev.reason if isinstance(rev, Unresolved) and rev.reason.startswith("`revision` is ") else None
        )
        return Unreadable(
            display,
            rev_line or 1,
            unknown or "`revision` is not a string literal migcheck can read statically",
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
    revision = Revision(
        id=rev,
        path=display,
        down_revisions=_as_tuple(down),
        depends_on=_as_tuple(depends),
        branch_labels=_as_tuple(labels),
        revision_line=rev_line or 1,
        down_revision_line=down_line,
        down_revision_around=_around(values["down_revision"].value, down_line, data),
        depends_on_line=depends_line,
        branch_labels_line=labels_line,
        unknown_labels=isinstance(labels, Unresolved),
        unknown_depends_on=isinstance(depends, Unresolved),
        suppressions=_suppressions(data),
        **_described(doc, tree.body[0].lineno if doc is not None else None),
    )
    for name in ("branch_labels", "depends_on"):
        bound = values.get(name)
        if bound is not None and bound.value is None:
            # a labelled branch or a dependency only running the file can tell: the graph keeps the revision
            # (as a labelled one), and the file is reported as one Alembic's reading may differ from
            return Unreadable(
                display,
                bound.line,
                f"{name} of {rev!r} cannot be resolved statically (`{name}` is {bound.how} at line"
                f" {bound.line}, so only running the file tells its value)",
                f"assign {name} once, at module level, as literals: {name} = ('<name>',) or None",
                revision=rev,
                declared=revision,
            )
    return revision


def _from_scan(scanned: Scanned | None, display: str, data: bytes) -> Revision | None:
    """The revision a standard header declares (`headerscan`), or None where `ast` must decide (no usable
    `revision` or `down_revision`: the ast path says why the file is unreadable)."""
    if scanned is None:
        return None
    rev, down = scanned.assigned.get("revision"), scanned.assigned.get("down_revision")
    if rev is None or down is None or not isinstance(rev.value, str) or not rev.value:
        return None
    if set(rev.value) & set(_ILLEGAL_ID_CHARS):
        return None
    labels, depends = scanned.assigned.get("branch_labels"), scanned.assigned.get("depends_on")
    return Revision(
        id=rev.value,
        path=display,
        down_revisions=_as_tuple(down.value),
        depends_on=_as_tuple(depends.value) if depends is not None else (),
        branch_labels=_as_tuple(labels.value) if labels is not None else (),
        revision_line=rev.line,
        down_revision_line=down.line,
        down_revision_around=down.around,
        depends_on_line=depends.line if depends is not None else None,
        branch_labels_line=labels.line if labels is not None else None,
        suppressions=_suppressions(data),
        **_described(scanned.doc, scanned.doc_line),
    )


def _described(doc: str | None, doc_line: int | None) -> dict[str, Any]:
    """The Revision fields the module docstring gives: its header values and the message line."""
    doc_rev, doc_rev_line = _doc_field(_DOC_REVISION, doc, doc_line)
    doc_revises, doc_revises_line = _doc_field(_DOC_REVISES, doc, doc_line)
    return {
        "doc_revision": doc_rev,
        "doc_revision_line": doc_rev_line,
        "doc_revises": _split_revises(doc_revises) if doc_revises is not None else None,
        "doc_revises_line": doc_revises_line,
        "message": doc.strip().splitlines()[0].strip() if doc and doc.strip() else None,
    }


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
    return intern(m.group(1)), doc_line + doc.count("\n", 0, m.start(1))


def _split_revises(text: str) -> tuple[str, ...]:
    # Alembic writes "Revises: a, b" for merges and "Revises: " for a base; some teams write "<base>". Older
    # templates rendered the tuple itself: "Revises: ('a', 'b')", "'a', 'b'" or, under Python 2, "(u'a', u'b')".
    parts = [_REVISES_QUOTES.sub("", p).strip() for p in _REVISES_BRACKETS.sub("", text).split(",")]
    return tuple(intern(p) for p in parts if p and p not in ("None", "<base>"))


_NO_SUPPRESSIONS: Mapping[int, frozenset[str]] = {}
# the key of `Revision.suppressions` for a file-wide `# migcheck: ignore-file[...]` (no line is numbered 0)
FILE_WIDE = 0


def _suppressions(data: bytes) -> Mapping[int, frozenset[str]]:
    """What the file's `# migcheck: ignore[...]` / `ignore-file[...]` comments silence, by line (FILE_WIDE for
    the whole file). Read from the whole file on every path (the header scan, `ast`, the results cache keeps
    the value), so that a comment far below the header still counts."""
    matches = list(_SUPPRESS.finditer(data))
    if not matches:
        return _NO_SUPPRESSIONS  # one shared empty mapping (never written to): most files have none
    found: dict[int, frozenset[str]] = {}
    for m in matches:
        line = FILE_WIDE if m.group(1) else data.count(b"\n", 0, m.start()) + 1
        codes = m.group(2).decode("utf-8", "replace") if m.group(2) is not None else ""
        named = frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
        # two comments for one place add up; a bare one (every rule) stays bare
        before = found.get(line)
        found[line] = named if before is None else (before | named if before and named else frozenset())
    return found


def iter_revision_files(locations: tuple[Path, ...], *, recursive: bool, sourceless: bool) -> Iterator[str]:
    """Every candidate file, each once (Alembic warns and skips a file loaded twice), in Alembic's load order.

    A location that does not exist holds nothing (as for Alembic); one that cannot be listed raises OSError.
    """
    seen: set[str] = set()
    for location in locations:
        if not os.path.lexists(location):
            continue
        real_location = os.path.realpath(location)
        links: set[str] = set()
        listed = list_revision_files(
            Path(real_location), recursive=recursive, sourceless=sourceless, links=links
        )
        for file in listed:
            key = os.path.realpath(file) if file in links else file
            if key not in seen:
                seen.add(key)
                yield file

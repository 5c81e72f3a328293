"""The byte-level fast path of the static reader: the header of a standard revision file without `ast`.

`alembic revision` writes a docstring, a few imports, comments and the four identifiers as one-line literals
(`revision: str = "ab12"`, `down_revision = ('a', 'b')`, `branch_labels = None`). A header made only of such
lines is read here, line by line, about ten times faster than `ast.parse` of it. Anything else (a line of
another kind, a backslash, a carriage return, a prefixed or concatenated string, a coding cookie, a name bound
twice, an annotation or import line that is not plainly valid) returns None, and `scripts` parses the header
with `ast` as before: this path only ever answers for headers whose meaning is beyond doubt.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from sys import intern
from typing import NamedTuple

Literal = str | None | tuple[str, ...]

_STRING = rb"(?:\"[^\"\\\n\r]*\"|'[^'\\\n\r]*')"
_SEQUENCE = (
    rb"(?:\(\s*\)|\[\s*\]|\(\s*S\s*,(?:\s*S\s*,)*(?:\s*S\s*)?\)|\[\s*S(?:\s*,\s*S)*\s*,?\s*\])".replace(
        b"S", _STRING
    )
)
_ASSIGNMENT = (
    rb"(revision|down_revision|branch_labels|depends_on)[ \t]*(?::[ \t]*([^=\n#]*?))?[ \t]*=[ \t]*"
    rb"(None|" + _STRING + rb"|" + _SEQUENCE.replace(rb"\s", rb"[ \t]") + rb")[ \t]*(?:#[^\n]*)?"
)
_IMPORT = rb"(?:import|from)[ \t][^\n#;\\()*]*(?:#[^\n]*)?"
_BLANK_OR_COMMENT = rb"[ \t]*(?:#[^\n]*)?"
# below the docstring: nothing but lines of these three kinds (one C-level match for the whole header)
_LINES = re.compile(rb"(?:(?:" + _BLANK_OR_COMMENT + rb"|" + _IMPORT + rb"|" + _ASSIGNMENT + rb")\n)*")
_ASSIGNMENTS = re.compile(rb"^" + _ASSIGNMENT + rb"$", re.M)
_IMPORTS = re.compile(rb"^" + _IMPORT + rb"$", re.M)
_DOCSTRING = re.compile(
    rb'(?:"""([^"\\\r]*(?:"(?!"")[^"\\\r]*)*)"""|\'\'\'([^\'\\\r]*(?:\'(?!\'\')[^\'\\\r]*)*)\'\'\')'
    rb"[ \t]*(?:#[^\n]*)?(?:\n|$)"
)
_NAME_WORDS = re.compile(rb"\b(?:revision|down_revision|branch_labels|depends_on)\b")
_COOKIE = re.compile(rb"coding[:=]")
_ITEM = re.compile(_STRING)

# import lines and annotations repeat across a project's files: each distinct one is validated by `ast` once
_valid_imports: dict[bytes, bool] = {}
_valid_annotations: dict[bytes, bool] = {}


class Assigned(NamedTuple):
    """One of the four names, assigned a literal on one line."""

    value: Literal
    line: int
    # the line's text before and after the id, when the value is one plain string (scripts' `_around`)
    around: tuple[str, str] | None


class Scanned(NamedTuple):
    """What a standard header declares: the identifiers found, and the module docstring with its line."""

    assigned: dict[str, Assigned]
    doc: str | None
    doc_line: int | None


def scan(header: bytes) -> Scanned | None:
    """The identifiers and docstring of `header` (a file's bytes above its first `def`), or None when the header
    holds anything but a docstring, blank lines, comments, simple imports and one-line literal assignments."""
    if b"\r" in header or b"\0" in header or _COOKIE.search(header, 0, _second_line_end(header)):
        return None
    try:
        header.decode("utf-8")
    except UnicodeDecodeError:
        return None
    doc: str | None = None
    doc_line: int | None = None
    at, line = 0, 1
    m = _DOCSTRING.match(header)
    if m:
        doc, doc_line = (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8"), 1
        at, line = m.end(), 1 + header.count(b"\n", 0, m.end())
    if not _LINES.fullmatch(header, at):
        return None
    for m in _IMPORTS.finditer(header, at):
        # an import that binds one of the names (or a star import) rebinds it: `ast` tells which
        if _NAME_WORDS.search(m.group()) or not _valid(m.group(), _valid_imports, _plain_import):
            return None
    assigned: dict[str, Assigned] = {}
    for m in _ASSIGNMENTS.finditer(header, at):
        name = m.group(1).decode("ascii")
        annotation = m.group(2)
        if name in assigned or (
            annotation is not None and not _valid(annotation, _valid_annotations, _plain_type)
        ):
            return None
        assigned[name] = _assigned(m, line + header.count(b"\n", at, m.start()))
    return Scanned(assigned, doc, doc_line)


def _second_line_end(data: bytes) -> int:
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return len(data) if second < 0 else second


def _assigned(m: re.Match[bytes], line: int) -> Assigned:
    """The value of one assignment line, and the text around a plain string's id for `fix`."""
    literal = m.group(3)
    if literal[:1] in (b"'", b'"'):
        # ids (each also a docstring field and a child's down_revision) and the text around them repeat across
        # a project's files: interned, 50,000 revisions keep one copy of each
        value = intern(literal[1:-1].decode("utf-8"))
        text = m.group().decode("utf-8")
        start = len(m.string[m.start() : m.start(3)].decode("utf-8"))
        finish = start + len(value) + 2
        return Assigned(value, line, (intern(text[: start + 1]), intern(text[finish - 1 :])))
    if literal == b"None":
        return Assigned(None, line, None)
    return Assigned(tuple(intern(s[1:-1].decode("utf-8")) for s in _ITEM.findall(literal)), line, None)


def _valid(text: bytes, memo: dict[bytes, bool], check: Callable[[bytes], bool]) -> bool:
    known = memo.get(text)
    if known is None:
        try:
            known = check(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            known = False
        memo[text] = known
    return known


def _plain_import(text: bytes) -> bool:
    """A statement that is one valid import (of any kind but a star import)."""
    body = ast.parse(text).body
    return len(body) == 1 and isinstance(body[0], (ast.Import, ast.ImportFrom))


def _plain_type(text: bytes) -> bool:
    """A valid annotation of names, attributes, subscripts, tuples, None and `...`: it binds no name."""
    tree = ast.parse(text, mode="eval")
    allowed = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.Load)
    return all(
        isinstance(node, allowed) or (isinstance(node, ast.Constant) and node.value in (None, ...))
        for node in ast.walk(tree)
    )

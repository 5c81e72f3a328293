"""Split a raw SQL string into its statements, with where each one sits, without parsing SQL.

`migcheck.sqlops` hands each statement to sqlglot on its own, so one statement sqlglot cannot read does not hide
the others, and each statement gets its own line in the revision file. The scanner knows what hides a `;`:
quoted strings and identifiers, comments, PostgreSQL's `$tag$ ... $tag$` bodies, and the `BEGIN ... END` body of
a `CREATE TRIGGER` / `PROCEDURE` / `FUNCTION` (SQLite, MySQL, PostgreSQL 14's `BEGIN ATOMIC`). It never raises:
an unterminated string or comment runs to the end of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = "word"
STRING = "string"  # a quoted string or identifier, or a dollar-quoted body
COMMENT = "comment"
SEMICOLON = "semicolon"
PUNCT = "punct"
NUMBER = "number"

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")
_WORD = re.compile(r"[A-Za-z_\x80-\uffff][\w$\x80-\uffff]*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_SPACE = re.compile(r"\s+")
# the head of a statement whose body is a block of statements ending in END
_BLOCK_HEAD = re.compile(
    r"CREATE\b(?:\s+OR\s+REPLACE)?(?:\s+DEFINER\s*=\s*\S+)?(?:\s+(?:TEMP|TEMPORARY))?"
    r"\s+(?:TRIGGER|PROCEDURE|FUNCTION|EVENT)\b",
    re.I,
)
# END IF / END LOOP / ... close a control statement, not a BEGIN
_END_OF_CONTROL = {"IF", "LOOP", "WHILE", "REPEAT", "CASE", "FOR"}


@dataclass(frozen=True)
class Token:
    kind: str
    start: int
    end: int  # exclusive


@dataclass(frozen=True)
class Statement:
    """One statement: `text` from its first token (leading comments left out) to its last, and the offsets
    into the whole string of where it starts and ends. `block` when it holds a BEGIN ... END body."""

    text: str
    start: int
    end: int
    tokens: tuple[Token, ...]
    block: bool = False


def tokens(sql: str, dialect: str | None = None) -> list[Token]:
    """The tokens of `sql`, whitespace left out. MySQL reads `#` as a comment and backslash escapes in strings;
    PostgreSQL (and an unknown dialect) dollar-quoted bodies and nested block comments."""
    mysql = dialect == "mysql"
    found: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            m = _SPACE.match(sql, i)
            i = m.end() if m else i + 1
            continue
        start = i
        if sql.startswith("--", i) or (mysql and c == "#"):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            found.append(Token(COMMENT, start, i))
        elif sql.startswith("/*", i):
            i = _block_comment_end(sql, i, nested=not mysql)
            found.append(Token(COMMENT, start, i))
        elif c in "'\"`":
            backslash = mysql and c != "`" or (c == "'" and _e_prefix(sql, i))
            i = _quoted_end(sql, i, c, backslash)
            found.append(Token(STRING, start, i))
        elif c == "[" and dialect in (None, "sqlite") and _bracket_identifier(sql, i):
            end = sql.find("]", i)
            i = end + 1
            found.append(Token(STRING, start, i))
        elif c == "$" and not mysql and (m := _DOLLAR_TAG.match(sql, i)):
            close = sql.find(m.group(), m.end())
            i = n if close < 0 else close + len(m.group())
            found.append(Token(STRING, start, i))
        elif c == ";":
            i += 1
            found.append(Token(SEMICOLON, start, i))
        elif m := _WORD.match(sql, i):
            i = m.end()
            found.append(Token(WORD, start, i))
        elif m := _NUMBER.match(sql, i):
            i = m.end()
            found.append(Token(NUMBER, start, i))
        else:
            i += 1
            found.append(Token(PUNCT, start, i))
    return found


def split(sql: str, dialect: str | None = None) -> list[Statement]:
    """The statements of `sql`, in order; empty statements (only comments or `;`) are left out."""
    toks = tokens(sql, dialect)
    result: list[Statement] = []
    current: list[Token] = []
    depth = 0  # BEGIN ... END nesting inside a block statement
    for tok in toks:
        if tok.kind == COMMENT and not current:
            continue
        if tok.kind == SEMICOLON and depth <= 0:
            _close(sql, current, result)
            current, depth = [], 0
            continue
        current.append(tok)
        if tok.kind == WORD and _is_block(sql, current):
            depth += _depth_change(sql, current)
    _close(sql, current, result)
    return result


def words(sql: str, toks: tuple[Token, ...] | list[Token]) -> list[str]:
    """The upper-cased words among `toks`."""
    return [sql[t.start : t.end].upper() for t in toks if t.kind == WORD]


def _close(sql: str, current: list[Token], result: list[Statement]) -> None:
    while current and current[-1].kind == COMMENT:
        current.pop()
    if not current:
        return
    start, end = current[0].start, current[-1].end
    block = _is_block(sql, current) and "BEGIN" in words(sql, current)
    result.append(Statement(sql[start:end], start, end, tuple(current), block))


def _is_block(sql: str, current: list[Token]) -> bool:
    head = " ".join(sql[t.start : t.end] for t in current[:8] if t.kind != COMMENT)
    return bool(_BLOCK_HEAD.match(head))


def _depth_change(sql: str, current: list[Token]) -> int:
    word = sql[current[-1].start : current[-1].end].upper()
    previous = [sql[t.start : t.end].upper() for t in current[-3:-1] if t.kind == WORD]
    if word == "BEGIN":
        return 1
    if word == "CASE" and previous[-1:] != ["END"]:
        return 1  # a CASE expression or statement is closed by END (or END CASE)
    if word in _END_OF_CONTROL and previous[-1:] == ["END"]:
        # `END IF` closes an IF, which never opened a level: undo the END counted before it
        return 1 if word != "CASE" else 0
    if word == "END":
        return -1
    return 0


def _block_comment_end(sql: str, i: int, nested: bool) -> int:
    level, i, n = 0, i, len(sql)
    while i < n:
        if sql.startswith("/*", i):
            level = level + 1 if nested or level == 0 else level
            i += 2
        elif sql.startswith("*/", i):
            level -= 1
            i += 2
            if level <= 0:
                return i
        else:
            i += 1
    return n


def _quoted_end(sql: str, i: int, quote: str, backslash: bool) -> int:
    i, n = i + 1, len(sql)
    while i < n:
        c = sql[i]
        if backslash and c == "\\":
            i += 2
        elif c == quote:
            if sql.startswith(quote, i + 1):  # a doubled quote is the quote itself
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return n


def _e_prefix(sql: str, i: int) -> bool:
    # PostgreSQL's E'...' strings read backslash escapes
    return i > 0 and sql[i - 1] in "eE" and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))


def _bracket_identifier(sql: str, i: int) -> bool:
    # SQLite accepts [name] (SQL Server style); elsewhere `[` is an array subscript
    end = sql.find("]", i)
    return end > i + 1 and "\n" not in sql[i:end]

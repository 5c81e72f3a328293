"""Raw SQL to `Operation`s: what a constant string handed to `op.execute(...)` / `sa.text(...)` does.

Each statement (split by `migcheck.sqlsplit`) is parsed by sqlglot in the revision's dialect and mapped onto the
kinds of `migcheck.operations`, with options under Alembic's keyword names, so the MC3xx rules judge
`op.execute("ALTER TABLE t DROP COLUMN c")` as they judge `op.drop_column("t", "c")`.

sqlglot reads some statements only as an opaque `exp.Command` (30.x: on every dialect `ADD CONSTRAINT ... USING
INDEX`, `VALIDATE CONSTRAINT`, MySQL's `RENAME TABLE`; outside the MySQL dialect `MODIFY`/`CHANGE` and
`ALGORITHM=`/`LOCK=`; PostgreSQL's `CREATE FUNCTION ... $$` and `CREATE EXTENSION`), and fails on others. Those
go through a careful fallback: an `ALTER TABLE` is cut into its actions, each read by a pattern or re-parsed by
sqlglot alone; a statement whose head says what it is (`CREATE FUNCTION`, `GRANT`, ...) is OTHER_SQL; anything
else is UNANALYSED_SQL with the reason, never dropped. sqlglot is imported on first use.
"""

from __future__ import annotations

import re
from typing import Any

from migcheck.operations import (
    ALTER_COLUMN,
    CREATE_PRIMARY_KEY,
    CREATE_UNIQUE_CONSTRAINT,
    DROP_COLUMN,
    DROP_CONSTRAINT,
    OTHER_SQL,
    RENAME_TABLE,
    SET_LOCK_TIMEOUT,
    UNANALYSED_SQL,
    VALIDATE_CONSTRAINT,
    Operation,
    Value,
)
from migcheck.sqlsplit import COMMENT, PUNCT, Statement, split, tokens
from migcheck.sqltree import LOCK_TIMEOUTS, TreeReader, alter_options, opaque, parse, quiet, with_options

_SQL_CHARS = 200

_IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[\w$]+)'
_NAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"
_ALTER_TABLE = re.compile(
    rf"ALTER\s+(?:ONLINE\s+|IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{_NAME})\s*\*?\s*(?P<rest>.*)",
    re.I | re.S,
)
_RENAME_TABLES = re.compile(r"RENAME\s+TABLES?\s+(?P<rest>.+)", re.I | re.S)
_RENAME_PAIR = re.compile(rf"\s*(?P<old>{_NAME})\s+TO\s+(?P<new>{_NAME})\s*$", re.I | re.S)
_SET = re.compile(
    rf"SET\s+(?:(?P<scope>SESSION|LOCAL|GLOBAL|PERSIST)\s+)?(?:@@(?:(?P<at>session|global|local)\.)?)?"
    rf"(?P<name>{_IDENT})\s*(?:=|\bTO\b)\s*(?P<value>.+)",
    re.I | re.S,
)
# actions of an ALTER TABLE that sqlglot reads only as a Command
_ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I | re.S))
    for name, pattern in (
        ("option", r"(?P<key>ALGORITHM|LOCK)\s*=?\s*(?P<value>\w+)\s*$"),
        ("validate", rf"VALIDATE\s+CONSTRAINT\s+(?P<name>{_IDENT})\s*$"),
        (
            "using_index",
            rf"ADD\s+(?:CONSTRAINT\s+(?P<name>{_IDENT})\s+)?(?P<type>UNIQUE|PRIMARY\s+KEY)\s+USING\s+INDEX\s+"
            rf"(?P<index>{_IDENT})(?:\s+(?:NOT\s+)?DEFERRABLE)?(?:\s+INITIALLY\s+(?:DEFERRED|IMMEDIATE))?\s*$",
        ),
        ("modify", rf"MODIFY\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?P<definition>{_IDENT}\s+.+)$"),
        (
            "change",
            rf"CHANGE\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?P<old>{_IDENT})\s+(?P<definition>{_IDENT}\s+.+)$",
        ),
        (
            "drop_column",
            rf"DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?P<name>{_IDENT})(?:\s+(?:CASCADE|RESTRICT))?\s*$",
        ),
        ("drop_primary_key", r"DROP\s+PRIMARY\s+KEY\s*$"),
        ("rename_column", rf"RENAME\s+(?:COLUMN\s+)?(?P<old>{_IDENT})\s+TO\s+(?P<new>{_IDENT})\s*$"),
        ("rename_table", rf"RENAME\s+(?:TO|AS)\s+(?P<new>{_NAME})\s*$"),
    )
)
# statements whose head says what they are, when sqlglot reads them only as a Command: they change no table's
# rows or columns (a function, a type, a grant...)
_OTHER_HEADS = re.compile(
    r"(?:CREATE|DROP|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP\s+|TEMPORARY\s+|TRUSTED\s+"
    r"|PROCEDURAL\s+|CONSTRAINT\s+|EVENT\s+|MATERIALIZED\s+)?"
    r"(?:FUNCTION|PROCEDURE|TRIGGER|EXTENSION|TYPE|DOMAIN|SCHEMA|SEQUENCE|VIEW|AGGREGATE|OPERATOR|COLLATION"
    r"|ROLE|USER|POLICY|EVENT|RULE|PUBLICATION|SUBSCRIPTION|SERVER|STATISTICS|TEXT\s+SEARCH|CAST|LANGUAGE"
    r"|CONVERSION|DATABASE|DEFAULT\s+PRIVILEGES|TRANSFORM|ACCESS\s+METHOD|FOREIGN\s+DATA\s+WRAPPER)\b"
    r"|(?:COMMENT|GRANT|REVOKE|RESET|SET|SHOW|NOTIFY|LISTEN|ANALYZE|ANALYSE|BEGIN|COMMIT|START|SAVEPOINT"
    r"|RELEASE|CHECKPOINT|DISCARD|DEALLOCATE|PRAGMA|USE|SELECT|VALUES|EXPLAIN|SECURITY\s+LABEL)\b",
    re.I,
)


def statements(sql: str, dialect: str | None, line: int, end_line: int | None = None) -> list[Operation]:
    """The operations of the SQL string `sql`, a literal at `line` (to `end_line`) of a revision file, read in
    `dialect` ("postgresql", "mysql", "sqlite"; None: unknown). Each operation gets the line of its statement
    (the literal's line plus the statement's line offset inside the string, kept within the literal) and the
    statement's text. Never raises: what cannot be read is an UNANALYSED_SQL operation with a reason."""
    found: list[Operation] = []
    with quiet():
        for statement in split(sql, dialect):
            found.extend(_Reader(sql, statement, dialect, line, end_line).operations())
    return found


class _Reader:
    """One statement: its place in the file and the `Operation`s read from it."""

    def __init__(self, sql: str, statement: Statement, dialect: str | None, line: int, end_line: int | None):
        self.statement = statement
        self.text = statement.text
        self.dialect = dialect
        last = end_line if end_line is not None and end_line >= line else None
        first_line = line + sql.count("\n", 0, statement.start)
        stop_line = line + sql.count("\n", 0, statement.end)
        self.line = min(first_line, last) if last is not None else first_line
        stop = min(stop_line, last) if last is not None else stop_line
        self.end_line = stop if stop > self.line else None
        self.sql = _display(statement)

    def op(self, kind: str, **fields: Any) -> Operation:
        return Operation(kind, self.line, sql=self.sql, end_line=self.end_line, **fields)

    def unanalysed(self, reason: str, table: str | None = None, schema: str | None = None) -> Operation:
        return self.op(UNANALYSED_SQL, table=table, schema=schema, options={"reason": reason})

    def operations(self) -> list[Operation]:
        if self.statement.block:
            return [self.op(OTHER_SQL, **_trigger_table(self.text))]
        parsed, reason = parse(self.text, self.dialect)
        if parsed is not None:
            read = TreeReader(self.op, *parsed, self.text, self.dialect).operations()
            if read is not None:
                return read
            if not opaque(parsed[0]):
                reason = "sqlglot reads part of it only as an opaque command"
        return self.fallback(reason)

    def fallback(self, reason: str) -> list[Operation]:
        """Read a statement sqlglot could not (or only as a Command) by the patterns of the important forms."""
        head = _head(self.text)
        if (
            head.startswith("ALTER TABLE")
            or head.startswith("ALTER ONLINE")
            or head.startswith("ALTER IGNORE")
        ):
            m = _ALTER_TABLE.match(self.text)
            if m:
                return self.alter_actions(m.group("table"), m.group("rest"))
        if head.startswith("RENAME TABLE"):
            m = _RENAME_TABLES.match(self.text)
            pairs = [_RENAME_PAIR.match(part) for part in _commas(m.group("rest"))] if m else [None]
            if all(pairs):
                return [
                    self.op(
                        RENAME_TABLE, **_qualified(p.group("old")), name=_qualified(p.group("new"))["table"]
                    )
                    for p in pairs
                    if p
                ]
        if head.startswith("SET"):
            m = _SET.match(self.text)
            if m and m.group("name").strip('`"').lower() in LOCK_TIMEOUTS and not _global(m):
                return [self.op(SET_LOCK_TIMEOUT, options={"value": _unquote(m.group("value").strip())})]
        if head.startswith("DO") or head.startswith("CALL") or head.startswith("EXEC"):
            return [self.unanalysed("it runs procedural code migcheck does not read")]
        if _OTHER_HEADS.match(" ".join(self.text.split()[:8])):
            return [self.op(OTHER_SQL)]
        return [self.unanalysed(reason)]

    def alter_actions(self, table_text: str, rest: str) -> list[Operation]:
        """The actions of an `ALTER TABLE` that sqlglot could not read whole, one by one."""
        where = _qualified(table_text)
        found: list[Operation] = []
        options: dict[str, Value] = {}
        for action in _commas(rest):
            read = self.alter_action(action, table_text, where, options)
            if read is None:
                found.append(self.unanalysed("an ALTER TABLE action migcheck cannot read", **where))
            else:
                found.extend(read)
        if options:
            found = [with_options(op, options) for op in found]
            if not found:
                found = [self.op(OTHER_SQL, **where, options=options)]
        return found

    def alter_action(
        self, action: str, table_text: str, where: dict[str, str | None], options: dict[str, Value]
    ) -> list[Operation] | None:
        for name, pattern in _ACTIONS:
            m = pattern.match(action)
            if m is None:
                continue
            if name == "option":
                options[f"mysql_{m.group('key').lower()}"] = m.group("value").upper()
                return []
            if name == "validate":
                return [self.op(VALIDATE_CONSTRAINT, **where, name=_unquote(m.group("name")))]
            if name == "using_index":
                kind = CREATE_UNIQUE_CONSTRAINT if m.group("type").upper() == "UNIQUE" else CREATE_PRIMARY_KEY
                constraint = _unquote(m.group("name")) if m.group("name") else None
                return [
                    self.op(
                        kind, **where, name=constraint, options={"using_index": _unquote(m.group("index"))}
                    )
                ]
            if name in ("modify", "change"):
                column = self.column_definition(m.group("definition"))
                if column is None:
                    return None
                new_name, column_options = column
                old = _unquote(m.group("old")) if name == "change" else new_name
                if old != new_name:
                    column_options["new_column_name"] = new_name
                return [self.op(ALTER_COLUMN, **where, column=old, options=alter_options(column_options))]
            if name == "drop_column":
                return [self.op(DROP_COLUMN, **where, column=_unquote(m.group("name")))]
            if name == "drop_primary_key":
                return [self.op(DROP_CONSTRAINT, **where, options={"type_": "primary"})]
            if name == "rename_column":
                return [
                    self.op(
                        ALTER_COLUMN,
                        **where,
                        column=_unquote(m.group("old")),
                        options={"new_column_name": _unquote(m.group("new"))},
                    )
                ]
            if name == "rename_table":
                return [self.op(RENAME_TABLE, **where, name=_qualified(m.group("new"))["table"])]
        # an action sqlglot reads when it stands alone (a mixed list can defeat a dialect's parser)
        text = f"ALTER TABLE {table_text} {action}"
        parsed, _ = parse(text, self.dialect)
        return TreeReader(self.op, *parsed, text, self.dialect).operations() if parsed is not None else None

    def column_definition(self, definition: str) -> tuple[str, dict[str, Value]] | None:
        """A column definition (`c varchar(50) NOT NULL`) read by sqlglot as the column of an ADD COLUMN."""
        text = f"ALTER TABLE t ADD COLUMN {definition}"
        parsed, _ = parse(text, self.dialect)
        if parsed is None:
            return None
        from sqlglot import exp

        statement, dialect = parsed
        actions = statement.args.get("actions") or []
        if len(actions) != 1 or not isinstance(actions[0], exp.ColumnDef):
            return None
        return actions[0].name, TreeReader(self.op, statement, dialect, text, self.dialect).column_options(
            actions[0]
        )


def _head(text: str) -> str:
    return " ".join(text.split()[:3]).upper()


def _commas(text: str) -> list[str]:
    """`text` cut at its top-level commas (not inside parentheses, strings or comments)."""
    parts, depth, start = [], 0, 0
    for tok in tokens(text):
        piece = text[tok.start : tok.end]
        if tok.kind == PUNCT and piece == "(":
            depth += 1
        elif tok.kind == PUNCT and piece == ")":
            depth -= 1
        elif tok.kind == PUNCT and piece == "," and depth <= 0:
            parts.append(text[start : tok.start].strip())
            start = tok.end
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] + name[-1] in ('""', "``", "[]", "''"):
        inner = name[1:-1]
        return inner.replace(name[0] * 2, name[0]) if name[0] != "[" else inner
    return name


def _qualified(text: str) -> dict[str, str | None]:
    parts = [_unquote(p) for p in re.findall(_IDENT, text)]
    if not parts:
        return {"table": None, "schema": None}
    return {"table": parts[-1], "schema": parts[-2] if len(parts) > 1 else None}


def _global(m: re.Match[str]) -> bool:
    # SET GLOBAL changes the default of sessions to come, not the migration's own
    return (m.group("scope") or "").upper() in ("GLOBAL", "PERSIST") or (
        m.group("at") or ""
    ).lower() == "global"


def _trigger_table(text: str) -> dict[str, str | None]:
    m = re.search(rf"\bON\s+({_NAME})", text, re.I)
    return _qualified(m.group(1)) if m else {"table": None, "schema": None}


def _display(statement: Statement) -> str:
    """The statement as one line for messages: comments left out, runs of whitespace as one space, at most
    200 characters."""
    parts, previous = [], None
    for tok in statement.tokens:
        if tok.kind == COMMENT:
            continue
        piece = statement.text[tok.start - statement.start : tok.end - statement.start]
        if previous is not None and tok.start > previous:
            parts.append(" ")
        parts.append(piece)
        previous = tok.end
    text = "".join(parts)
    return text if len(text) <= _SQL_CHARS else text[: _SQL_CHARS - 1] + "…"

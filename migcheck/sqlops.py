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

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from migcheck.operations import (
    ADD_COLUMN,
    ALTER_COLUMN,
    CREATE_CHECK_CONSTRAINT,
    CREATE_EXCLUDE_CONSTRAINT,
    CREATE_FOREIGN_KEY,
    CREATE_INDEX,
    CREATE_PRIMARY_KEY,
    CREATE_TABLE,
    CREATE_UNIQUE_CONSTRAINT,
    DELETE,
    DROP_COLUMN,
    DROP_CONSTRAINT,
    DROP_INDEX,
    DROP_TABLE,
    OTHER_SQL,
    RENAME_TABLE,
    SET_LOCK_TIMEOUT,
    UNANALYSED_SQL,
    UPDATE,
    VALIDATE_CONSTRAINT,
    Default,
    Operation,
    SqlType,
    Value,
    normalize_type,
)
from migcheck.sqlsplit import COMMENT, PUNCT, STRING, WORD, Statement, split, tokens

if TYPE_CHECKING:
    from sqlglot import exp

# migcheck's dialect names -> sqlglot's; unknown: the generic dialect, then PostgreSQL, then MySQL (whose
# MODIFY / CHANGE / ALGORITHM= only its own dialect reads)
_SQLGLOT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
_UNKNOWN = ("", "postgres", "mysql")
_SQL_CHARS = 200
# the settings that bound how long a DDL statement waits for its lock
_LOCK_TIMEOUTS = {"lock_timeout", "lock_wait_timeout"}

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
    with _quiet():
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
        parsed, reason = _parse(self.text, self.dialect)
        if parsed is not None:
            read = _Mapper(self, *parsed, self.text).operations()
            if read is not None:
                return read
            if not _opaque(parsed[0]):
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
            if m and m.group("name").strip('`"').lower() in _LOCK_TIMEOUTS and not _global(m):
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
            found = [_with_options(op, options) for op in found]
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
                return [self.op(ALTER_COLUMN, **where, column=old, options=_alter_options(column_options))]
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
        parsed, _ = _parse(text, self.dialect)
        return _Mapper(self, *parsed, text).operations() if parsed is not None else None

    def column_definition(self, definition: str) -> tuple[str, dict[str, Value]] | None:
        """A column definition (`c varchar(50) NOT NULL`) read by sqlglot as the column of an ADD COLUMN."""
        text = f"ALTER TABLE t ADD COLUMN {definition}"
        parsed, _ = _parse(text, self.dialect)
        if parsed is None:
            return None
        from sqlglot import exp

        statement, dialect = parsed
        actions = statement.args.get("actions") or []
        if len(actions) != 1 or not isinstance(actions[0], exp.ColumnDef):
            return None
        return actions[0].name, _Mapper(self, statement, dialect, text).column_options(actions[0])


class _Mapper:
    """A parsed sqlglot statement as Operations; `operations()` is None when part of it is an opaque Command."""

    def __init__(self, reader: _Reader, parsed: exp.Expression, dialect: str | None, text: str):
        self.reader = reader
        self.parsed = parsed
        self.dialect = dialect
        self.text = text
        self._defaults: list[str] | None = None
        self._checks: list[str] | None = None

    def operations(self) -> list[Operation] | None:
        from sqlglot import exp

        e, op = self.parsed, self.reader.op
        handlers: dict[type[exp.Expression], Callable[[Any], list[Operation] | None]] = {
            exp.Alter: self.alter,
            exp.Create: self.create,
            exp.Drop: self.drop,
            exp.TruncateTable: self.truncate,
            exp.Update: self.update,
            exp.Delete: self.delete,
            exp.Set: self.set,
            exp.Select: self.select,
        }
        for kind, handler in handlers.items():
            if isinstance(e, kind):
                return handler(e)
        if isinstance(e, exp.Command):
            return None
        if isinstance(e, exp.Insert):
            return [op(OTHER_SQL, **_table_of(e.this))]
        if isinstance(e, exp.Comment) and isinstance(e.this, exp.Column):
            return [op(OTHER_SQL, table=e.this.table or None, column=e.this.name)]
        if isinstance(e, exp.Comment):
            return [op(OTHER_SQL, **_table_of(e.this))]
        return [op(OTHER_SQL)]

    def alter(self, e: exp.Alter) -> list[Operation] | None:
        from sqlglot import exp

        where = _table_of(e.this)
        if str(e.args.get("kind") or "").upper() != "TABLE":
            return [self.reader.op(OTHER_SQL)]
        options: dict[str, Value] = {}
        renamed_column_to = None
        extra: list[Operation] = []
        for option in e.args.get("options") or []:
            if isinstance(option, exp.AlgorithmProperty):
                options["mysql_algorithm"] = option.name.upper()
            elif isinstance(option, exp.LockProperty):
                options["mysql_lock"] = option.name.upper()
            elif isinstance(option, exp.ToTableProperty):
                renamed_column_to = option.this.name  # `RENAME a TO b`: sqlglot reads a table rename
            else:
                extra.append(self.reader.op(OTHER_SQL, **where))  # ENGINE=..., a table option
        found: list[Operation] = []
        for action in e.args.get("actions") or []:
            if isinstance(action, exp.Command):
                return None
            if isinstance(action, exp.AlterRename) and renamed_column_to is not None:
                found.append(
                    self.reader.op(
                        ALTER_COLUMN,
                        **where,
                        column=action.this.name,
                        options={"new_column_name": renamed_column_to},
                    )
                )
                continue
            found.extend(self.alter_action(action, where, bool(e.args.get("not_valid"))))
        found.extend(extra)
        if not found:
            found = [self.reader.op(OTHER_SQL, **where)]
        return [_with_options(op, options) for op in found] if options else found

    def alter_action(self, action: exp.Expression, where: dict[str, Any], not_valid: bool) -> list[Operation]:
        from sqlglot import exp

        op = self.reader.op
        if isinstance(action, exp.ColumnDef):
            added = op(ADD_COLUMN, **where, column=action.name, options=self.column_options(action))
            return [added, *self.inline_constraints(action, where, not_valid)]
        if isinstance(action, exp.Drop):
            return self.drop_in_alter(action, where)
        if isinstance(action, exp.DropPrimaryKey):
            return [op(DROP_CONSTRAINT, **where, options={"type_": "primary"})]
        if isinstance(action, exp.AlterColumn):
            return [op(ALTER_COLUMN, **where, column=action.name, options=self.alter_column(action))]
        if isinstance(action, exp.ModifyColumn):
            return self.modify(action, where)
        if isinstance(action, exp.RenameColumn):
            return [
                op(
                    ALTER_COLUMN,
                    **where,
                    column=_name(action.this),
                    options={"new_column_name": _name(action.args.get("to"))},
                )
            ]
        if isinstance(action, exp.AlterRename):
            return [op(RENAME_TABLE, **where, name=_name(action.this))]
        if isinstance(action, exp.AddConstraint):
            return [
                self.constraint(c, where, not_valid)
                for c in action.expressions
                if isinstance(c, exp.Expression)
            ]
        return [op(OTHER_SQL, **where)]

    def column_options(self, column: exp.ColumnDef) -> dict[str, Value]:
        """A column definition's options, as `sa.Column(...)`'s: type_, nullable, server_default, primary_key,
        autoincrement."""
        from sqlglot import exp

        options: dict[str, Value] = {}
        kind = column.args.get("kind")
        if isinstance(kind, exp.DataType):
            options["type_"] = self.type(kind, column.this)
            if kind.this in (
                exp.DataType.Type.SERIAL,
                exp.DataType.Type.BIGSERIAL,
                exp.DataType.Type.SMALLSERIAL,
            ):
                options["autoincrement"] = True
        for constraint in column.args.get("constraints") or []:
            c = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else None
            if isinstance(c, exp.NotNullColumnConstraint):
                options["nullable"] = bool(c.args.get("allow_null"))
            elif isinstance(c, exp.PrimaryKeyColumnConstraint):
                options["primary_key"] = True
                options.setdefault("nullable", False)
            elif isinstance(c, exp.DefaultColumnConstraint):
                options["server_default"] = self.default(c.this)
            elif isinstance(c, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)):
                options["autoincrement"] = True
        return options

    def inline_constraints(
        self, column: exp.ColumnDef, where: dict[str, Any], not_valid: bool
    ) -> list[Operation]:
        """The constraints an ADD COLUMN's definition creates besides the column: `REFERENCES t (id)` is a
        foreign key and `UNIQUE` a unique constraint (with an index), each checked against every row."""
        from sqlglot import exp

        found = []
        for constraint in column.args.get("constraints") or []:
            c = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else None
            name = _name(constraint.this) if isinstance(constraint, exp.ColumnConstraint) else None
            if isinstance(c, exp.Reference):
                target = c.this.this if isinstance(c.this, exp.Schema) else c.this
                options: dict[str, Value] = {"postgresql_not_valid": True} if not_valid else {}
                if _table_of(target)["table"]:
                    options["referent_table"] = _table_of(target)["table"]
                kind, columns = CREATE_FOREIGN_KEY, (column.name,)
            elif isinstance(c, exp.UniqueColumnConstraint):
                options, kind, columns = {}, CREATE_UNIQUE_CONSTRAINT, (column.name,)
            else:
                continue
            found.append(self.reader.op(kind, **where, name=name, columns=columns, options=options))
        return found

    def type(self, kind: exp.Expression, column: Any) -> SqlType:
        """A column's type: name and sizes as sqlglot's generic dialect renders them (a dialect's own rendering
        maps types: SQLite's turns VARCHAR into TEXT), the time zone and text as written (MySQL's dialect reads
        TIMESTAMP as TIMESTAMPTZ)."""
        rendered = normalize_type(str(kind.sql()))
        if rendered.name in _UNSIGNED:  # MySQL's INT UNSIGNED, rendered UINT: an integer all the same
            rendered = normalize_type(rendered.name[1:])
        end = column.meta.get("end") if column is not None and hasattr(column, "meta") else None
        written = _written_type(self.text, end + 1, self.reader.dialect) if isinstance(end, int) else None
        if not written:
            return rendered
        timezone = bool(re.search(r"timestamptz|with\s+time\s+zone|timezone\s*=\s*true", written, re.I))
        return SqlType(rendered.name, rendered.args, timezone, written)

    def condition(self, check: exp.Expression) -> str:
        """A CHECK's condition as written (sqlglot's rendering when the text cannot be matched up)."""
        from sqlglot import exp

        if self._checks is None:
            written = _check_texts(self.text, self.reader.dialect)
            count = sum(1 for node in self.parsed.walk() if isinstance(node, exp.CheckColumnConstraint))
            self._checks = written if len(written) == count else []
        return self._checks.pop(0) if self._checks else _sql(check, self.dialect)

    def default(self, value: exp.Expression) -> Default:
        """A DEFAULT as written (sqlglot's rendering when the text cannot be matched up), and whether it is a
        constant: a string, number, boolean or NULL, possibly negated, parenthesised or cast."""
        from sqlglot import exp

        if self._defaults is None:
            written = _default_texts(self.text, self.reader.dialect)
            self._defaults = written if len(written) == _count_defaults(self.parsed) else []
        text = self._defaults.pop(0) if self._defaults else _sql(value, self.dialect)
        core = value
        while isinstance(core, (exp.Paren, exp.Cast, exp.Neg)):
            core = core.this
        return Default(text, isinstance(core, (exp.Literal, exp.Boolean, exp.Null)))

    def drop_in_alter(self, action: exp.Drop, where: dict[str, Any]) -> list[Operation]:
        op = self.reader.op
        kind = str(action.args.get("kind") or "").upper()
        names = [_name(t) for t in _dropped(action)]
        if kind == "COLUMN":
            return [op(DROP_COLUMN, **where, column=n) for n in names]
        if kind in ("INDEX", "KEY"):
            return [op(DROP_INDEX, **where, name=n) for n in names]
        types = {"FOREIGN KEY": {"type_": "foreignkey"}, "CHECK": {"type_": "check"}, "CONSTRAINT": {}}
        if kind in types:
            return [op(DROP_CONSTRAINT, **where, name=n, options=types[kind]) for n in names]
        return [op(OTHER_SQL, **where)]

    def alter_column(self, action: exp.AlterColumn) -> dict[str, Value]:
        options: dict[str, Value] = {}
        dtype = action.args.get("dtype")
        if dtype is not None:
            options["type_"] = self.type(dtype, action.this)
            using = action.args.get("using")
            if using:
                options["postgresql_using"] = _sql(using, self.dialect)
        allow_null = action.args.get("allow_null")
        if allow_null is not None:
            options["nullable"] = bool(allow_null)
        default = action.args.get("default")
        if default is not None:
            options["server_default"] = self.default(default)
        elif action.args.get("drop") and allow_null is None:
            options["server_default"] = None  # DROP DEFAULT, as alter_column(server_default=None)
        return options

    def modify(self, action: exp.ModifyColumn, where: dict[str, Any]) -> list[Operation]:
        from sqlglot import exp

        definition = action.this
        if not isinstance(definition, exp.ColumnDef):
            return [self.reader.op(OTHER_SQL, **where)]
        options = self.column_options(definition)
        old = _name(action.args.get("rename_from")) or definition.name
        if old != definition.name:
            options["new_column_name"] = definition.name
        return [self.reader.op(ALTER_COLUMN, **where, column=old, options=_alter_options(options))]

    def constraint(self, c: exp.Expression, where: dict[str, Any], not_valid: bool) -> Operation:
        from sqlglot import exp

        op = self.reader.op
        name = None
        if isinstance(c, exp.Constraint):
            name = c.name or None
            c = next((x for x in c.expressions if isinstance(x, exp.Expression)), c)
        valid: dict[str, Value] = {"postgresql_not_valid": True} if not_valid else {}
        if isinstance(c, exp.ForeignKey):
            reference = c.args.get("reference")
            target = reference.this if reference is not None else None
            referent = _table_of(target.this if isinstance(target, exp.Schema) else target)["table"]
            options: dict[str, Value] = dict(valid)
            if referent:
                options["referent_table"] = referent
            return op(CREATE_FOREIGN_KEY, **where, name=name, columns=_names(c.expressions), options=options)
        if isinstance(c, exp.CheckColumnConstraint):
            options = {"condition": self.condition(c.this), **valid}
            return op(CREATE_CHECK_CONSTRAINT, **where, name=name, options=options)
        if isinstance(c, exp.UniqueColumnConstraint):
            schema = c.this
            columns = _names(schema.expressions) if isinstance(schema, exp.Schema) else ()
            if name is None and isinstance(schema, exp.Schema) and schema.this is not None:
                name = schema.this.name or None  # MySQL: ADD UNIQUE [INDEX] name (cols)
            return op(CREATE_UNIQUE_CONSTRAINT, **where, name=name, columns=columns)
        if isinstance(c, exp.PrimaryKey):
            return op(CREATE_PRIMARY_KEY, **where, name=name, columns=_names(c.expressions))
        if isinstance(c, exp.IndexColumnConstraint):  # MySQL: ADD INDEX / KEY name (cols)
            return op(CREATE_INDEX, **where, name=c.name or None, columns=_names(c.expressions))
        if isinstance(c, exp.ExcludeColumnConstraint):
            return op(CREATE_EXCLUDE_CONSTRAINT, **where, name=name)
        return op(OTHER_SQL, **where)

    def create(self, e: exp.Create) -> list[Operation] | None:
        from sqlglot import exp

        kind = str(e.args.get("kind") or "").upper()
        op = self.reader.op
        if kind == "TABLE":
            target = e.this
            columns: tuple[str, ...] = ()
            if isinstance(target, exp.Schema):
                columns = tuple(c.name for c in target.expressions if isinstance(c, exp.ColumnDef))
                target = target.this
            return [op(CREATE_TABLE, **_table_of(target), columns=columns)]
        if kind == "INDEX" and isinstance(e.this, exp.Index):
            index = e.this
            params = index.args.get("params")
            columns = tuple(
                _column_text(c, self.dialect) for c in (params.args.get("columns") or [] if params else [])
            )
            options: dict[str, Value] = {}
            if e.args.get("unique"):
                options["unique"] = True
            if e.args.get("concurrently"):
                options["postgresql_concurrently"] = True
            return [
                op(
                    CREATE_INDEX,
                    **_table_of(index.args.get("table")),
                    name=index.name or None,
                    columns=columns,
                    options=options,
                )
            ]
        return [op(OTHER_SQL)]

    def drop(self, e: exp.Drop) -> list[Operation] | None:
        from sqlglot import exp

        kind = str(e.args.get("kind") or "").upper()
        op = self.reader.op
        targets = [t for t in _dropped(e) if isinstance(t, exp.Expression)]
        if kind == "TABLE":
            return [op(DROP_TABLE, **_table_of(t)) for t in targets]
        if kind == "INDEX":
            on = e.args.get("cluster")  # MySQL: DROP INDEX ix ON t
            table = _table_of(on.this)["table"] if isinstance(on, exp.OnProperty) else None
            options: dict[str, Value] = (
                {"postgresql_concurrently": True} if e.args.get("concurrently") else {}
            )
            found = []
            for t in targets:
                where = _table_of(t)
                found.append(
                    op(DROP_INDEX, table=table, schema=where["schema"], name=where["table"], options=options)
                )
            return found
        return [op(OTHER_SQL)]

    def truncate(self, e: exp.TruncateTable) -> list[Operation]:
        return [self.reader.op(DELETE, **_table_of(t), options={"where": False}) for t in e.expressions]

    def update(self, e: exp.Update) -> list[Operation]:
        return [self.reader.op(UPDATE, **_table_of(e.this), options={"where": bool(e.args.get("where"))})]

    def delete(self, e: exp.Delete) -> list[Operation]:
        tables = e.args.get("tables") or [e.this]  # MySQL: DELETE t1 FROM t1 JOIN ...
        where = bool(e.args.get("where"))
        return [self.reader.op(DELETE, **_table_of(t), options={"where": where}) for t in tables]

    def set(self, e: exp.Set) -> list[Operation]:
        from sqlglot import exp

        found = []
        for item in e.expressions:
            assignment = item.this if isinstance(item, exp.SetItem) else None
            if not isinstance(assignment, exp.EQ):
                continue
            # `lock_timeout`, `@@session.lock_wait_timeout` (a SessionParameter, or a Dot in the generic dialect)
            target = assignment.this
            prefix, _, name = str(target.sql()).lower().replace("`", "").replace('"', "").rpartition(".")
            name = name.lstrip("@")
            scope = f"{item.args.get('kind') or target.args.get('kind') or ''} {prefix}".lower()
            if name in _LOCK_TIMEOUTS and "global" not in scope and "persist" not in scope:
                value = _unquote(assignment.expression.sql(dialect=self.dialect))
                found.append(self.reader.op(SET_LOCK_TIMEOUT, options={"value": value}))
        return found or [self.reader.op(OTHER_SQL)]

    def select(self, e: exp.Select) -> list[Operation]:
        from sqlglot import exp

        # SELECT set_config('lock_timeout', '5s', false): PostgreSQL's SET as a function (true: SET LOCAL, which
        # holds for the migration's transaction all the same)
        for call in e.expressions:
            if isinstance(call, exp.Anonymous) and str(call.this).lower() == "set_config":
                args = call.expressions
                if (
                    len(args) == 3
                    and isinstance(args[0], exp.Literal)
                    and str(args[0].this).lower() == "lock_timeout"
                    and isinstance(args[1], exp.Literal)
                ):
                    return [self.reader.op(SET_LOCK_TIMEOUT, options={"value": str(args[1].this)})]
        return [self.reader.op(OTHER_SQL)]


def _parse(text: str, dialect: str | None) -> tuple[tuple[exp.Expression, str | None] | None, str]:
    """sqlglot's reading of one statement and the sqlglot dialect that read it, tried in each dialect that may
    fit, and why it is not better: (None, why) when none reads it at all. An opaque Command is returned only
    when no dialect read more."""
    import sqlglot
    from sqlglot.errors import SqlglotError

    reason = "sqlglot cannot parse it"
    command: tuple[exp.Expression, str | None] | None = None
    for name in (_SQLGLOT[dialect],) if dialect in _SQLGLOT else _UNKNOWN:
        try:
            # typed loosely: sqlglot 30 hands back `Expr`, older releases `Expression`
            parsed: list[Any] = [e for e in sqlglot.parse(text, read=name or None) if e is not None]
        # sqlglot raises its own errors on bad SQL, a RecursionError when nesting runs deep, and on odd input
        # errors of its internals (30.31, found by fuzzing: IndexError on `SET CHARACTER`, TypeError on MySQL's
        # `ALTER TABLE t DEFAULT ...`): each means "not readable here", as a ParseError does, never a crash
        except (
            SqlglotError,
            ValueError,
            RecursionError,
            IndexError,
            KeyError,
            TypeError,
            AttributeError,
        ) as error:
            reason = f"sqlglot cannot parse it: {_first_line(error)}"
            continue
        if len(parsed) != 1:
            reason = "sqlglot reads it as several statements"
            continue
        if _opaque(parsed[0]):
            command = command or (parsed[0], name or None)
            reason = "sqlglot reads it only as an opaque command"
            continue
        return (parsed[0], name or None), reason
    return command, reason


def _opaque(e: exp.Expression) -> bool:
    from sqlglot import exp

    if isinstance(e, exp.Command):
        return True
    return isinstance(e, exp.Alter) and any(isinstance(a, exp.Command) for a in e.args.get("actions") or [])


@contextmanager
def _quiet() -> Iterator[None]:
    # sqlglot logs a warning for every statement it reads only as a Command, and for what a dialect cannot
    # render; migcheck reports what it could not read itself, as operations
    logger = logging.getLogger("sqlglot")
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled


# where the text after DEFAULT stops: the next clause of the column definition
_AFTER_DEFAULT = {
    "NOT",
    "NULL",
    "CONSTRAINT",
    "CHECK",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "COLLATE",
    "GENERATED",
    "ON",
    "AUTO_INCREMENT",
    "COMMENT",
    "AFTER",
    "FIRST",
    "VISIBLE",
    "INVISIBLE",
    "STORAGE",
    "COLUMN_FORMAT",
    "KEY",
    "CHARSET",
    "DEFERRABLE",
    "INITIALLY",
}


def _default_texts(text: str, dialect: str | None) -> list[str]:
    """The expressions after each DEFAULT keyword of `text`, as written."""
    toks = tokens(text, dialect)
    found = []
    for i, tok in enumerate(toks):
        if tok.kind != WORD or text[tok.start : tok.end].upper() != "DEFAULT":
            continue
        depth, end, cast = 0, None, False
        for t in toks[i + 1 :]:
            piece = text[t.start : t.end]
            stop = (t.kind == WORD and piece.upper() in _AFTER_DEFAULT and not cast) or (
                t.kind == PUNCT and piece == ","
            )
            cast = t.kind == PUNCT and piece == ":"  # `'a'::character varying`: a type name, not a clause
            if depth == 0 and end is not None and stop:
                break
            if t.kind == PUNCT and piece == "(":
                depth += 1
            elif t.kind == PUNCT and piece == ")":
                if depth == 0:
                    break
                depth -= 1
            if t.kind != COMMENT:
                end = t.end
        if end is not None:
            found.append(text[toks[i + 1].start : end])
    return found


_UNSIGNED = {"utinyint", "usmallint", "umediumint", "uint", "ubigint"}
# where a type as written stops: the next clause of the column definition
_AFTER_TYPE = _AFTER_DEFAULT | {"DEFAULT", "USING", "SET", "DROP", "AS"}


def _check_texts(text: str, dialect: str | None) -> list[str]:
    """The conditions in parentheses after each CHECK keyword of `text`, as written."""
    toks = tokens(text, dialect)
    found = []
    for i, tok in enumerate(toks[:-1]):
        opening = toks[i + 1]
        if (
            tok.kind != WORD
            or text[tok.start : tok.end].upper() != "CHECK"
            or text[opening.start : opening.end] != "("
        ):
            continue
        depth = 0
        for t in toks[i + 1 :]:
            piece = text[t.start : t.end] if t.kind == PUNCT else ""
            depth += (piece == "(") - (piece == ")")
            if depth == 0:
                found.append(text[opening.end : t.start].strip())
                break
    return found


def _count_defaults(e: exp.Expression) -> int:
    from sqlglot import exp

    return sum(
        1
        for node in e.walk()
        if isinstance(node, exp.DefaultColumnConstraint)
        or (isinstance(node, exp.AlterColumn) and node.args.get("default") is not None)
    )


def _written_type(text: str, after: int, dialect: str | None) -> str | None:
    """The type as written after offset `after` (a column's name) of `text`, up to the column's next clause."""
    first = last = None
    depth = 0
    for t in tokens(text[after:], dialect):
        piece = text[after + t.start : after + t.end]
        word = piece.upper() if t.kind == WORD else ""
        if first is None and word in ("SET", "DATA", "TYPE"):
            continue  # ALTER COLUMN c [SET DATA] TYPE ...
        ends = word in _AFTER_TYPE or (word == "CHARACTER" and first is not None)  # CHARACTER SET, not a type
        if depth == 0 and first is not None and (ends or piece in (",", ")") or t.kind == STRING):
            break
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
        if t.kind != COMMENT:
            first = after + t.start if first is None else first
            last = after + t.end
    return text[first:last] if first is not None and last is not None else None


def _alter_options(column: dict[str, Value]) -> dict[str, Value]:
    """A MySQL MODIFY / CHANGE's column options as alter_column's: the definition replaces the column's whole,
    so a NOT NULL left out makes it nullable."""
    kept = ("type_", "nullable", "server_default", "new_column_name", "autoincrement")
    options = {k: v for k, v in column.items() if k in kept}
    options.setdefault("nullable", True)
    return options


def _sql(e: exp.Expression, dialect: str | None) -> str:
    return str(e.sql(dialect=dialect, normalize_functions="lower"))


def _column_text(e: exp.Expression, dialect: str | None) -> str:
    from sqlglot import exp

    core = e.this if isinstance(e, exp.Ordered) else e
    return core.name if isinstance(core, exp.Column) else _sql(core, dialect)


def _dropped(e: exp.Expression) -> list[Any]:
    # what a DROP names: a list in `tables` since sqlglot 30.x (DROP TABLE a, b), one `this` before
    return list(e.args.get("tables") or ([e.this] if e.this is not None else []))


def _table_of(e: Any) -> dict[str, str | None]:
    from sqlglot import exp

    if isinstance(e, exp.Schema):
        e = e.this
    if isinstance(e, exp.Table):
        return {"table": e.name or None, "schema": e.db or None}
    return {"table": None, "schema": None}


def _name(e: Any) -> str | None:
    from sqlglot import exp

    if isinstance(e, exp.Expression):
        return e.name or None
    return None


def _names(items: Any) -> tuple[str, ...]:
    return tuple(n for n in (_name(i) for i in items or []) if n)


def _with_options(op: Operation, extra: dict[str, Value]) -> Operation:
    from dataclasses import replace

    return replace(op, options={**op.options, **extra})


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


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:120]

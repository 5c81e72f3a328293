"""A statement sqlglot parsed, as `Operation`s: the sqlglot half of `migcheck.sqlops`.

`parse` tries the dialects that may fit and says why a statement is not readable; `TreeReader` maps sqlglot's
tree onto the kinds of `migcheck.operations` with Alembic's option names. What sqlglot renders differently from
what was written (types, DEFAULT expressions, CHECK conditions) is taken from the statement's own text, so a
rule reads `gen_random_uuid()` and `timestamp with time zone`, not a dialect's translation of them. sqlglot is
imported inside the functions: importing this module does not load it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
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
    UPDATE,
    Default,
    Operation,
    SqlType,
    Value,
    normalize_type,
)
from migcheck.sqlsplit import COMMENT, PUNCT, STRING, WORD, tokens

if TYPE_CHECKING:
    from sqlglot import exp

# migcheck's dialect names -> sqlglot's; unknown: the generic dialect, then PostgreSQL, then MySQL (whose
# MODIFY / CHANGE / ALGORITHM= only its own dialect reads)
_SQLGLOT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
_UNKNOWN = ("", "postgres", "mysql")
# the settings that bound how long a DDL statement waits for its lock
LOCK_TIMEOUTS = {"lock_timeout", "lock_wait_timeout"}


class TreeReader:
    """A parsed sqlglot statement as Operations; `operations()` is None when part of it is an opaque Command."""

    def __init__(
        self,
        op: Callable[..., Operation],
        parsed: exp.Expression,
        dialect: str | None,
        text: str,
        lexed: str | None,
    ):
        self.op = op  # makes an Operation at the statement's line, with its SQL
        self.parsed = parsed
        self.dialect = dialect  # sqlglot's dialect that parsed it
        self.text = text  # the text it parsed
        self.lexed = lexed  # migcheck's dialect, to scan `text` with
        self._defaults: list[str] | None = None
        self._checks: list[str] | None = None

    def operations(self) -> list[Operation] | None:
        from sqlglot import exp

        e, op = self.parsed, self.op
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
            return [self.op(OTHER_SQL)]
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
                extra.append(self.op(OTHER_SQL, **where))  # ENGINE=..., a table option
        found: list[Operation] = []
        for action in e.args.get("actions") or []:
            if isinstance(action, exp.Command):
                return None
            if isinstance(action, exp.AlterRename) and renamed_column_to is not None:
                found.append(
                    self.op(
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
            found = [self.op(OTHER_SQL, **where)]
        return [with_options(op, options) for op in found] if options else found

    def alter_action(self, action: exp.Expression, where: dict[str, Any], not_valid: bool) -> list[Operation]:
        from sqlglot import exp

        op = self.op
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
            found.append(self.op(kind, **where, name=name, columns=columns, options=options))
        return found

    def type(self, kind: exp.Expression, column: Any) -> SqlType:
        """A column's type: name and sizes as sqlglot's generic dialect renders them (a dialect's own rendering
        maps types: SQLite's turns VARCHAR into TEXT), the time zone and text as written (MySQL's dialect reads
        TIMESTAMP as TIMESTAMPTZ)."""
        rendered = normalize_type(str(kind.sql()))
        if rendered.name in _UNSIGNED:  # MySQL's INT UNSIGNED, rendered UINT: an integer all the same
            rendered = normalize_type(rendered.name[1:])
        end = column.meta.get("end") if column is not None and hasattr(column, "meta") else None
        written = _written_type(self.text, end + 1, self.lexed) if isinstance(end, int) else None
        if not written:
            return rendered
        timezone = bool(re.search(r"timestamptz|with\s+time\s+zone|timezone\s*=\s*true", written, re.I))
        return SqlType(rendered.name, rendered.args, timezone, written)

    def condition(self, check: exp.Expression) -> str:
        """A CHECK's condition as written (sqlglot's rendering when the text cannot be matched up)."""
        from sqlglot import exp

        if self._checks is None:
            written = _check_texts(self.text, self.lexed)
            count = sum(1 for node in self.parsed.walk() if isinstance(node, exp.CheckColumnConstraint))
            self._checks = written if len(written) == count else []
        return self._checks.pop(0) if self._checks else _sql(check, self.dialect)

    def default(self, value: exp.Expression) -> Default:
        """A DEFAULT as written (sqlglot's rendering when the text cannot be matched up), and whether it is a
        constant: a string, number, boolean or NULL, possibly negated, parenthesised or cast."""
        from sqlglot import exp

        if self._defaults is None:
            written = _default_texts(self.text, self.lexed)
            self._defaults = written if len(written) == _count_defaults(self.parsed) else []
        text = self._defaults.pop(0) if self._defaults else _sql(value, self.dialect)
        core = value
        while isinstance(core, (exp.Paren, exp.Cast, exp.Neg)):
            core = core.this
        return Default(text, isinstance(core, (exp.Literal, exp.Boolean, exp.Null)))

    def drop_in_alter(self, action: exp.Drop, where: dict[str, Any]) -> list[Operation]:
        op = self.op
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
            return [self.op(OTHER_SQL, **where)]
        options = self.column_options(definition)
        old = _name(action.args.get("rename_from")) or definition.name
        if old != definition.name:
            options["new_column_name"] = definition.name
        return [self.op(ALTER_COLUMN, **where, column=old, options=alter_options(options))]

    def constraint(self, c: exp.Expression, where: dict[str, Any], not_valid: bool) -> Operation:
        from sqlglot import exp

        op = self.op
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
        op = self.op
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
        op = self.op
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
        return [self.op(DELETE, **_table_of(t), options={"where": False}) for t in e.expressions]

    def update(self, e: exp.Update) -> list[Operation]:
        return [self.op(UPDATE, **_table_of(e.this), options={"where": bool(e.args.get("where"))})]

    def delete(self, e: exp.Delete) -> list[Operation]:
        tables = e.args.get("tables") or [e.this]  # MySQL: DELETE t1 FROM t1 JOIN ...
        where = bool(e.args.get("where"))
        return [self.op(DELETE, **_table_of(t), options={"where": where}) for t in tables]

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
            if name in LOCK_TIMEOUTS and "global" not in scope and "persist" not in scope:
                given = assignment.expression
                value = (
                    str(given.this)
                    if isinstance(given, exp.Literal)
                    else str(given.sql(dialect=self.dialect))
                )
                found.append(self.op(SET_LOCK_TIMEOUT, options={"value": value}))
        return found or [self.op(OTHER_SQL)]

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
                    return [self.op(SET_LOCK_TIMEOUT, options={"value": str(args[1].this)})]
        return [self.op(OTHER_SQL)]


def parse(text: str, dialect: str | None) -> tuple[tuple[exp.Expression, str | None] | None, str]:
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
        if opaque(parsed[0]):
            command = command or (parsed[0], name or None)
            reason = "sqlglot reads it only as an opaque command"
            continue
        return (parsed[0], name or None), reason
    return command, reason


def opaque(e: exp.Expression) -> bool:
    from sqlglot import exp

    if isinstance(e, exp.Command):
        return True
    return isinstance(e, exp.Alter) and any(isinstance(a, exp.Command) for a in e.args.get("actions") or [])


@contextmanager
def quiet() -> Iterator[None]:
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
_AFTER_DEFAULT = frozenset(
    "NOT NULL CONSTRAINT CHECK PRIMARY UNIQUE REFERENCES COLLATE GENERATED ON AUTO_INCREMENT COMMENT AFTER FIRST "
    "VISIBLE INVISIBLE STORAGE COLUMN_FORMAT KEY CHARSET DEFERRABLE INITIALLY".split()
)


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


def alter_options(column: dict[str, Value]) -> dict[str, Value]:
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


def with_options(op: Operation, extra: dict[str, Value]) -> Operation:
    """`op` with `extra` options added (MySQL's ALGORITHM= / LOCK= of its ALTER)."""
    return replace(op, options={**op.options, **extra})


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:120]

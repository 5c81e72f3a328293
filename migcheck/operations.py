"""What a revision's `upgrade()` and `downgrade()` do, read statically: the schema operations, in order.

The MC3xx rules (`migcheck.checks.operations`) read these records, never the revision's code: `op.*` calls and
the raw SQL handed to `op.execute(...)` (parsed by `migcheck.sqlops`) both become `Operation`s of the same
kinds, so a rule about dropping a column sees `op.drop_column("t", "c")` and
`op.execute("ALTER TABLE t DROP COLUMN c")` alike. Nothing here imports or runs the revision file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# The kinds of operation, named after Alembic's `op` functions; the SQL reader maps statements onto the same.
CREATE_TABLE = "create_table"
DROP_TABLE = "drop_table"
RENAME_TABLE = "rename_table"
ADD_COLUMN = "add_column"
DROP_COLUMN = "drop_column"
ALTER_COLUMN = "alter_column"  # options: type_, nullable, server_default, new_column_name, existing_*
CREATE_INDEX = "create_index"
DROP_INDEX = "drop_index"
CREATE_FOREIGN_KEY = "create_foreign_key"
CREATE_CHECK_CONSTRAINT = "create_check_constraint"
CREATE_UNIQUE_CONSTRAINT = "create_unique_constraint"
CREATE_PRIMARY_KEY = "create_primary_key"
CREATE_EXCLUDE_CONSTRAINT = "create_exclude_constraint"
DROP_CONSTRAINT = "drop_constraint"
VALIDATE_CONSTRAINT = "validate_constraint"  # raw SQL only: ALTER TABLE ... VALIDATE CONSTRAINT
SET_LOCK_TIMEOUT = "set_lock_timeout"  # SET [LOCAL] lock_timeout = ... (options: value)
UPDATE = "update"  # options: where (bool)
DELETE = "delete"  # options: where (bool); TRUNCATE is a DELETE without WHERE
BULK_INSERT = "bulk_insert"
# SQL that is a constant string migcheck parsed but that is none of the above (a CREATE FUNCTION, a GRANT)
OTHER_SQL = "other_sql"
# SQL migcheck cannot see: built at run time (f-string, variable, function call) or not parseable
UNANALYSED_SQL = "unanalysed_sql"


@dataclass(frozen=True)
class Code:
    """An argument that is not a literal, as its source text (`sa.String(length=100)`, `some_variable`)."""

    text: str


@dataclass(frozen=True)
class SqlType:
    """A column type, normalised so that `sa.String(100)`, `sa.VARCHAR(100)` and SQL `varchar(100)` compare
    equal: `name` is lower case and generic (`varchar`, `text`, `integer`, `bigint`, `numeric`, `timestamp`...);
    `args` are the literal arguments (length, precision, scale); `timezone` for timestamp types."""

    name: str
    args: tuple[int, ...] = ()
    timezone: bool = False
    text: str = ""  # the source text, for messages


@dataclass(frozen=True)
class Default:
    """A `server_default`: its SQL, and whether it is a literal constant (`'0'`, `"pending"`) or an expression
    (`sa.text("now()")`, `sa.func.gen_random_uuid()`) whose volatility the rules judge."""

    sql: str
    literal: bool


# a keyword argument's value: a Python literal (str, int, float, bool, None), a type, a default, or code
Value = str | int | float | bool | None | SqlType | Default | Code | tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    """One schema operation of `upgrade()` or `downgrade()`, at the line of its call (or of its SQL string).

    `table` is the table it acts on (for renames: the old name; `name` holds the new one); `column` the column
    for column operations; `name` an index's or constraint's name; `columns` the columns of an index or
    constraint. `options` holds the call's keyword arguments by Alembic's names (`nullable`, `type_`,
    `server_default`, `postgresql_concurrently`, `postgresql_not_valid`, `mysql_algorithm`, ...); for
    add_column and create_table's columns, the `sa.Column(...)`'s own (`type_`, `nullable`, `server_default`,
    `primary_key`). An option not given is absent, never None.
    """

    kind: str
    line: int
    table: str | None = None
    column: str | None = None
    name: str | None = None
    columns: tuple[str, ...] = ()
    schema: str | None = None
    options: Mapping[str, Value] = field(default_factory=dict)
    # inside `with op.batch_alter_table(...)` (SQLite's move-and-copy; elsewhere plain ALTERs)
    batch: bool = False
    # inside `with op.get_context().autocommit_block():` (no transaction: what CONCURRENTLY needs)
    autocommit: bool = False
    # the table was created earlier in the same function: operations on it lock nothing anyone waits for
    new_table: bool = False
    # for an operation read from raw SQL: the statement's text
    sql: str | None = None
    end_line: int | None = None


@dataclass(frozen=True)
class Function:
    """`upgrade()` or `downgrade()` as read: whether the module defines it, whether its body does nothing
    (only `pass`, `...`, a docstring or comments), and its operations in order."""

    present: bool
    empty: bool
    line: int
    operations: tuple[Operation, ...] = ()
    # the body raises (e.g. `raise NotImplementedError("one-way migration")`): a deliberate one-way downgrade
    raises: bool = False


@dataclass(frozen=True)
class RevisionOperations:
    """What one revision file's migration functions do."""

    path: str
    upgrade: Function
    downgrade: Function


_TYPE_NAMES = {
    "string": "varchar",
    "varchar": "varchar",
    "unicode": "varchar",
    "nvarchar": "varchar",
    "character varying": "varchar",
    "text": "text",
    "unicodetext": "text",
    "char": "char",
    "character": "char",
    "nchar": "char",
    "integer": "integer",
    "int": "integer",
    "int4": "integer",
    "biginteger": "bigint",
    "bigint": "bigint",
    "int8": "bigint",
    "smallinteger": "smallint",
    "smallint": "smallint",
    "int2": "smallint",
    "numeric": "numeric",
    "decimal": "numeric",
    "float": "float",
    "double": "float",
    "double_precision": "float",
    "double precision": "float",
    "real": "real",
    "boolean": "boolean",
    "bool": "boolean",
    "datetime": "timestamp",
    "timestamp": "timestamp",
    "timestamptz": "timestamp",
    "date": "date",
    "time": "time",
    "interval": "interval",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "uuidtype": "uuid",
    "largebinary": "binary",
    "bytea": "binary",
    "blob": "binary",
    "enum": "enum",
}
_TYPE_CALL = re.compile(r"^\s*(?:[A-Za-z_][\w]*\.)*([A-Za-z_][\w ]*?)\s*(?:\((.*)\))?\s*$", re.S)


def normalize_type(text: str) -> SqlType:
    """A type's source text (`sa.String(length=100)`, `postgresql.TIMESTAMP(timezone=True)`, `varchar(100)`)
    as a `SqlType`. Unknown names are kept, lower-cased."""
    m = _TYPE_CALL.match(text)
    if m is None:
        return SqlType(text.strip().lower(), text=text)
    raw, inner = m.group(1).strip().lower(), m.group(2) or ""
    name = _TYPE_NAMES.get(raw, raw)
    timezone = raw == "timestamptz" or bool(
        re.search(r"timezone\s*=\s*True|with time zone", inner + text, re.I)
    )
    args = tuple(int(a) for a in re.findall(r"(?<![\w.])(\d+)(?![\w.])", _positional_and_sizes(inner)))
    return SqlType(name, args, timezone, text)


def _positional_and_sizes(inner: str) -> str:
    # lengths / precision / scale, positional or by keyword; other keywords (collation="...") are not sizes
    kept = []
    for part in inner.split(","):
        key, eq, value = part.partition("=")
        if not eq or key.strip() in ("length", "precision", "scale"):
            kept.append(value if eq else key)
    return ",".join(kept)

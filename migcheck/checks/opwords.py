"""How the MC3xx findings name an operation: the Alembic call or the SQL the revision wrote, and its inverse.

A message quotes the operation the way the revision file spells it (`op.drop_column('orders', 'note')`,
`batch_op.drop_column('note')`, or the statement handed to `op.execute`), so the reader finds it at a glance.
"""

from __future__ import annotations

from migcheck import operations as ops
from migcheck.operations import Code, Operation, SqlType

SQL_SHOWN = 80  # characters of a raw SQL statement quoted in a message

# the `type_` argument `op.drop_constraint` takes for each kind of constraint
CONSTRAINT_TYPES = {
    ops.CREATE_FOREIGN_KEY: "foreignkey",
    ops.CREATE_UNIQUE_CONSTRAINT: "unique",
    ops.CREATE_CHECK_CONSTRAINT: "check",
    ops.CREATE_PRIMARY_KEY: "primary",
}


def table_of(op: Operation) -> str:
    """The table, schema-qualified when the operation names a schema."""
    table = op.table or "?"
    return f"{op.schema}.{table}" if op.schema else table


def quoted_sql(sql: str) -> str:
    """A statement on one line, shortened, as a Markdown code span (doubled backquotes around MySQL's own)."""
    flat = " ".join(sql.split())
    if len(flat) > SQL_SHOWN:
        flat = flat[: SQL_SHOWN - 3].rstrip() + "..."
    return f"`` {flat} ``" if "`" in flat else f"`{flat}`"


def _args(*values: str | None) -> str:
    return ", ".join(repr(v) for v in values if v is not None)


def written(op: Operation) -> str:
    """The operation as the revision wrote it: its SQL, or the `op.` / `batch_op.` call (arguments shortened)."""
    if op.sql:
        return quoted_sql(op.sql)
    if op.batch:  # batch_op's methods take no table: the `with op.batch_alter_table(...)` names it
        if op.kind == ops.ALTER_COLUMN and "new_column_name" in op.options:
            return f"batch_op.alter_column({op.column!r}, new_column_name={op.options['new_column_name']!r})"
        if op.kind in (ops.ADD_COLUMN, ops.DROP_COLUMN, ops.ALTER_COLUMN):
            column = (
                "sa.Column(" + repr(op.column) + ", ...)" if op.kind == ops.ADD_COLUMN else repr(op.column)
            )
            return f"batch_op.{op.kind}({column})"
        return f"batch_op.{op.kind}({_args(op.name)})"
    if op.kind == ops.ALTER_COLUMN and "new_column_name" in op.options:
        return f"op.alter_column({_args(op.table, op.column)}, new_column_name={op.options['new_column_name']!r})"
    if op.kind == ops.ADD_COLUMN:
        return f"op.add_column({op.table!r}, sa.Column({op.column!r}, ...))"
    if op.kind in (ops.DROP_COLUMN, ops.ALTER_COLUMN):
        return f"op.{op.kind}({_args(op.table, op.column)})"
    if op.kind in (ops.CREATE_TABLE, ops.DROP_TABLE):
        return f"op.{op.kind}({op.table!r}{', ...' if op.kind == ops.CREATE_TABLE else ''})"
    if op.kind == ops.RENAME_TABLE:
        return f"op.rename_table({_args(op.table, op.name)})"
    if op.kind in (ops.CREATE_INDEX, *CONSTRAINT_TYPES, ops.CREATE_EXCLUDE_CONSTRAINT):
        return f"op.{op.kind}({_args(op.name, op.table)}, ...)"
    return f"op.{op.kind}({_args(op.name, op.table)})"


def inverse(op: Operation) -> str | None:
    """The Alembic call that undoes an operation that creates something, or None when there is no simple one."""
    schema = f", schema={op.schema!r}" if op.schema else ""
    if op.kind == ops.CREATE_TABLE:
        return f"op.drop_table({op.table!r}{schema})"
    if op.kind == ops.ADD_COLUMN:
        if op.batch:
            return f"batch_op.drop_column({op.column!r})  # in `with op.batch_alter_table({op.table!r})`"
        return f"op.drop_column({_args(op.table, op.column)}{schema})"
    if op.kind == ops.CREATE_INDEX and op.name:
        return f"op.drop_index({op.name!r}, table_name={op.table!r}{schema})"
    if op.kind in CONSTRAINT_TYPES and op.name:
        return f"op.drop_constraint({_args(op.name, op.table)}, type_={CONSTRAINT_TYPES[op.kind]!r}{schema})"
    if op.kind == ops.CREATE_EXCLUDE_CONSTRAINT and op.name:
        return f"op.drop_constraint({_args(op.name, op.table)}{schema})"
    return None


def type_text(op: Operation, fallback: str) -> str:
    """The column type as the revision wrote it (`sa.String(length=100)`, `varchar(100)`), for a hint."""
    value = op.options.get("type_") or op.options.get("existing_type")
    if isinstance(value, SqlType):
        return value.text or value.name
    if isinstance(value, Code):
        return value.text
    return fallback


# a constant server_default for each type family, for a hint (`server_default="0"`)
_CONSTANTS = {
    **dict.fromkeys(("integer", "bigint", "smallint", "numeric", "float", "real"), '"0"'),
    **dict.fromkeys(("varchar", "text", "char"), '""'),
    "boolean": "sa.false()",
}


def constant_default(op: Operation) -> str:
    """A constant `server_default` that suits the column's type, or `...` when migcheck cannot tell one."""
    value = op.options.get("type_")
    return _CONSTANTS.get(value.name, "...") if isinstance(value, SqlType) else "..."

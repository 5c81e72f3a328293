"""Autogenerate's operations in plain words: each `alembic revision --autogenerate` op becomes a `Difference`
with a one-sentence message and the op code Alembic would render for it. Alembic is imported on use."""

from __future__ import annotations

import re
import warnings
from typing import Any

from migcheck.outcome import Difference


def _named_ops() -> tuple[type, ...]:
    from alembic.operations import ops as o

    return (
        o.CreateIndexOp,
        o.DropIndexOp,
        o.AddConstraintOp,
        o.DropConstraintOp,
        o.CreateTableCommentOp,
        o.DropTableCommentOp,
    )


def describe(ops: list[Any], rendering: dict[str, Any] | None = None) -> list[Difference]:
    """One `Difference` per autogenerate operation, in plain words, with the op code Alembic would render
    (with env.py's `rendering` options: render_item, module prefixes). A table in a schema is named
    `schema.table` throughout."""
    with warnings.catch_warnings():
        # rendering the drop of an unnamed constraint warns that it needs a name; the finding says it is unnamed
        warnings.simplefilter("ignore")
        return _describe(ops, rendering)


def _describe(ops: list[Any], rendering: dict[str, Any] | None) -> list[Difference]:
    from alembic.operations import ops as alembic_ops

    found: list[Difference] = []
    for op in ops:
        if isinstance(op, alembic_ops.ModifyTableOps):
            for sub in op.ops:
                wrapper = alembic_ops.ModifyTableOps(op.table_name, [sub], schema=op.schema)
                found.append(_difference(sub, _qualified(op.schema, op.table_name), wrapper, rendering))
        else:
            table = _qualified(getattr(op, "schema", None), getattr(op, "table_name", None))
            found.append(_difference(op, table, op, rendering))
    return found


def _qualified(schema: Any, table: Any) -> str | None:
    if not isinstance(table, str):
        return None
    return f"{schema}.{table}" if isinstance(schema, str) and schema else table


def _difference(
    op: Any, table: str | None, wrapper: Any, rendering: dict[str, Any] | None = None
) -> Difference:
    from alembic.autogenerate import render_python_code
    from alembic.operations import ops as o

    code = render_python_code(o.UpgradeOps(ops=[wrapper]), **(rendering or {}))
    code = "\n".join(
        line.strip() for line in code.splitlines() if line.strip() and not line.strip().startswith("#")
    )
    t = f"`{table}`"
    if isinstance(op, o.CreateTableOp):
        return Difference(
            "add_table", table, None, f"table {t} is in the models but no migration creates it", code
        )
    if isinstance(op, o.DropTableOp):
        return Difference(
            "remove_table",
            table,
            None,
            f"table {t} is created by the migrations but is not in the models",
            code,
        )
    if isinstance(op, o.AddColumnOp):
        name = op.column.name
        return Difference(
            "add_column",
            table,
            name,
            f"column `{table}.{name}` is in the models but no migration creates it",
            code,
        )
    if isinstance(op, o.DropColumnOp):
        name = op.column_name
        return Difference(
            "remove_column",
            table,
            name,
            f"column `{table}.{name}` is created by the migrations but is not in the models",
            code,
        )
    if isinstance(op, o.AlterColumnOp):
        return Difference("alter_column", table, op.column_name, _alter_message(op, table), code)
    if not isinstance(op, _named_ops()):
        return _other(op, table, code)
    kind, what = _constraint_words(op)
    where = (
        "in the models but no migration creates it"
        if kind.startswith("add")
        else "created by the migrations but not in the models"
    )
    return Difference(kind, table, None, f"{what} on table {t} is {where}", code)


def _other(op: Any, table: str | None, code: str) -> Difference:
    """An operation of a custom comparator or a plugin (op.execute(...), alembic_utils' entities)."""
    kind = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", type(op).__name__.removesuffix("Op")).lower()
    first = (code.splitlines() or [type(op).__name__])[0]
    first = first if len(first) <= 120 else first[:117] + "..."
    on = f" for table `{table}`" if table else ""
    return Difference(kind, table, None, f"autogenerate writes `{first}`{on}, which no migration has", code)


def _alter_message(op: Any, table: str | None) -> str:
    changes = []
    if op.modify_type is not None:
        changes.append(f"type is {op.existing_type} in the database, {op.modify_type} in the models")
    if op.modify_nullable is not None:
        models, database = ("nullable", "NOT NULL") if op.modify_nullable else ("NOT NULL", "nullable")
        changes.append(f"{models} in the models but {database} in the database")
    if op.modify_server_default is not False:
        changes.append("server default differs")
    if op.modify_comment is not False:
        changes.append("comment differs")
    if op.modify_name is not None:
        changes.append(f"renamed to {op.modify_name} in the models")
    return (
        f"column `{table}.{op.column_name}`: "
        + "; ".join(changes or ["differs"])
        + " (no migration changes it)"
    )


def _constraint_words(op: Any) -> tuple[str, str]:
    """(kind, words) of an index, constraint or comment operation: ("add_index", "index `ix_a`"); an unnamed one
    by what it covers: ("add_foreign_key", "foreign key (author_id) -> users (id)")."""
    name = type(op).__name__.removesuffix("Op")
    adding = name.startswith(("Create", "Add"))
    what = re.sub(
        r"(?<!^)(?=[A-Z])", " ", name.removeprefix("Create").removeprefix("Drop").removeprefix("Add")
    ).lower()
    if what == "constraint":  # a DropConstraintOp: its type is an attribute ("foreignkey", "unique", ...)
        what = _CONSTRAINT_TYPES.get(getattr(op, "constraint_type", None) or "", what)
    kind = ("add_" if adding else "remove_") + what.replace(" ", "_")
    if "comment" in what:
        return kind, what
    label = getattr(op, "index_name", None) or getattr(op, "constraint_name", None)
    return kind, f"{what} `{label}`" if label else f"{what} {_covers(op)}".rstrip()


_CONSTRAINT_TYPES = {"foreignkey": "foreign key", "unique": "unique constraint", "check": "check constraint"}
_CONSTRAINT_TYPES |= {"primary": "primary key"}


def _covers(op: Any) -> str:
    """What an unnamed constraint or index is on: "(a, b)", "(author_id) -> users (id)", "(price > 0)"."""
    op = getattr(op, "_reverse", None) or op  # a drop carries the reflected object's create op
    if hasattr(op, "referent_table"):  # CreateForeignKeyOp
        schema = op.kw.get("referent_schema")
        referred = f"{schema}.{op.referent_table}" if schema else op.referent_table
        return f"{_listed(op.local_cols)} -> {referred} {_listed(op.remote_cols)}"
    if hasattr(op, "condition"):  # CreateCheckConstraintOp
        return _listed([op.condition])
    if getattr(op, "columns", None):  # unique constraints, primary keys, indexes
        return _listed(op.columns)
    return ""


def _listed(items: Any) -> str:
    words = [str(getattr(item, "name", None) or item) for item in items]
    text = ", ".join(" ".join(w.split()) for w in words)
    return f"({text if len(text) <= 80 else text[:77] + '...'})"

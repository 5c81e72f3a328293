"""Helpers for data migrations (batched updates on big tables).

Put here so revision files could share it; it is not a revision itself.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

BATCH_SIZE = 5_000


def batched_update(table: sa.Table, values: dict, where: sa.ColumnElement[bool], key: str = "id") -> None:
    """UPDATE a large table in primary-key ranges so no single statement locks it for long."""
    conn = op.get_bind()
    pk = table.c[key]
    lo, hi = conn.execute(sa.select(sa.func.min(pk), sa.func.max(pk))).one()
    if lo is None:
        return
    start = lo
    while start <= hi:
        end = start + BATCH_SIZE
        conn.execute(table.update().where(where, pk >= start, pk < end).values(**values))
        start = end


def column_exists(table_name: str, column_name: str) -> bool:
    insp = sa.inspect(op.get_bind())
    return any(col["name"] == column_name for col in insp.get_columns(table_name))

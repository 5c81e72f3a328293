"""invoices

Revision ID: 000000000016
Revises: 000000000015
Create Date: 2025-06-16 10:16:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000016'
down_revision: Union[str, Sequence[str], None] = '000000000015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Numeric(10, 2), nullable=True),
    )
    op.create_index("ix_invoices_order_id", "invoices", ["order_id"])
    op.create_foreign_key("fk_invoices_order_id", "invoices", "orders", ["order_id"], ["id"])
    op.alter_column("invoices", "total", type_=sa.Numeric(14, 2), existing_type=sa.Numeric(10, 2))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("fk_invoices_order_id", "invoices", type_="foreignkey")
    op.drop_index("ix_invoices_order_id", table_name="invoices")
    op.drop_table("invoices")

"""create shipments, add users.locale

Revision ID: 000000000020
Revises: 000000000019
Create Date: 2025-01-21 10:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000020'
down_revision: Union[str, Sequence[str], None] = '000000000019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])
    op.add_column("users", sa.Column("locale", sa.String(length=10), nullable=True))  # expect: MC307


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_shipments_order_id", table_name="shipments")
    op.drop_table("shipments")

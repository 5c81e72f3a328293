"""create order table

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-03-19 16:45:09.930112

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'cccccccccccc'
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "order",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="new", nullable=False),
    )
    op.create_index("ix_order_account_id", "order", ["account_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_order_account_id", table_name="order")
    op.drop_table("order")

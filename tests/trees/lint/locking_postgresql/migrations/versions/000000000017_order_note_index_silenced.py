"""order note index silenced

Revision ID: 000000000017
Revises: 000000000016
Create Date: 2025-06-17 10:17:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000017'
down_revision: Union[str, Sequence[str], None] = '000000000016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_index("ix_orders_discount", "orders", ["discount"])  # migcheck: ignore[MC312] orders has 40 rows


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_orders_discount", table_name="orders")

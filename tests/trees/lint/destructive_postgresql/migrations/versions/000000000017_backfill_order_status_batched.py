"""backfill orders.status, first batch

Revision ID: 000000000017
Revises: 000000000016
Create Date: 2025-01-18 10:17:00.000000

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
    op.execute("UPDATE orders SET status = 'open' WHERE status IS NULL AND id BETWEEN 1 AND 10000")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("UPDATE orders SET status = NULL WHERE status = 'open' AND id BETWEEN 1 AND 10000")

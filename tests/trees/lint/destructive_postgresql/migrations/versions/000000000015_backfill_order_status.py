"""backfill orders.status

Revision ID: 000000000015
Revises: 000000000014
Create Date: 2025-01-16 10:15:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000015'
down_revision: Union[str, Sequence[str], None] = '000000000014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("UPDATE orders SET status = 'new'")  # expect: MC305


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("UPDATE orders SET status = NULL WHERE status = 'new'")

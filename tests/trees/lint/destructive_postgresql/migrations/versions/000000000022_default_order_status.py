"""default status for old orders

Revision ID: 000000000022
Revises: 000000000021
Create Date: 2025-01-23 10:22:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000022'
down_revision: Union[str, Sequence[str], None] = '000000000021'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DEFAULT_STATUS = "pending"


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(f"UPDATE orders SET status = '{DEFAULT_STATUS}' WHERE status IS NULL")  # expect: MC308


def downgrade() -> None:
    """Downgrade schema."""
    op.execute(f"UPDATE orders SET status = NULL WHERE status = '{DEFAULT_STATUS}'")  # expect: MC308

"""add orders.priority

Revision ID: 000000000008
Revises: 000000000007
Create Date: 2025-01-09 10:08:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000008'
down_revision: Union[str, Sequence[str], None] = '000000000007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("orders", sa.Column("priority", sa.Integer(), nullable=False))  # expect: MC304


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "priority")

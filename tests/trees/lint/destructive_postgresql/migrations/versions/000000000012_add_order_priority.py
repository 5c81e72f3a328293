"""add orders.priority

Revision ID: 000000000012
Revises: 000000000011
Create Date: 2025-01-13 10:12:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000012'
down_revision: Union[str, Sequence[str], None] = '000000000011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("priority", sa.Integer(), nullable=False))  # expect: MC304


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "priority")

"""add order status

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-01-12 09:12:00.000000

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
    op.add_column("order", sa.Column("status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("order", "status")

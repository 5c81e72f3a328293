"""add account created_at

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2024-01-11 09:11:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'bbbbbbbbbbbb'
down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("account", sa.Column("created_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("account", "created_at")

"""add member role

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2023-12-01 16:30:45.141421

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
    op.add_column("member", sa.Column("role", sa.String(length=20), server_default="viewer", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("member", "role")

"""add tenant plan

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-06-17 11:47:55.002318

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
    op.add_column("tenant", sa.Column("plan", sa.String(length=20), server_default="free", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("tenant", "plan")

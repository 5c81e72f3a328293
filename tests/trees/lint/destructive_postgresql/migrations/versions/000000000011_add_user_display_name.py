"""add users.display_name beside full_name (expand)

Revision ID: 000000000011
Revises: 000000000010
Create Date: 2025-01-12 10:11:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000011'
down_revision: Union[str, Sequence[str], None] = '000000000010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.add_column("users", sa.Column("display_name", sa.String(length=100), nullable=True))
    op.execute("UPDATE users SET display_name = full_name WHERE display_name IS NULL")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("users", "display_name")

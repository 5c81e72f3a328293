"""rename users.name to full_name

Revision ID: 000000000009
Revises: 000000000008
Create Date: 2025-01-10 10:09:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000009'
down_revision: Union[str, Sequence[str], None] = '000000000008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.alter_column("users", "name", new_column_name="full_name")  # expect: MC303


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("users", "full_name", new_column_name="name")

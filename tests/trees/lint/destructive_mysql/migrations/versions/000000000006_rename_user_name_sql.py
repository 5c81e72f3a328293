"""rename users.name to full_name in SQL

Revision ID: 000000000006
Revises: 000000000005
Create Date: 2025-01-07 10:06:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000006'
down_revision: Union[str, Sequence[str], None] = '000000000005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER TABLE users RENAME COLUMN name TO full_name")  # expect: MC303


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE users RENAME COLUMN full_name TO name")

"""truncate events

Revision ID: 000000000016
Revises: 000000000015
Create Date: 2025-01-17 10:16:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000016'
down_revision: Union[str, Sequence[str], None] = '000000000015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.execute("TRUNCATE events")  # expect: MC305


def downgrade() -> None:
    """Downgrade schema."""
    raise NotImplementedError("one-way: the truncated events cannot come back")

"""truncate events

Revision ID: 000000000010
Revises: 000000000009
Create Date: 2025-01-11 10:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000010'
down_revision: Union[str, Sequence[str], None] = '000000000009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("TRUNCATE TABLE events")  # expect: MC305


def downgrade() -> None:
    """Downgrade schema."""
    raise NotImplementedError("one-way: the truncated events cannot come back")

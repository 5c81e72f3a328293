"""drop orders.note

Revision ID: 000000000005
Revises: 000000000004
Create Date: 2025-01-06 10:05:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000005'
down_revision: Union[str, Sequence[str], None] = '000000000004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.drop_column("orders", "note")  # expect: MC302


def downgrade() -> None:
    """Downgrade schema."""
    op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))

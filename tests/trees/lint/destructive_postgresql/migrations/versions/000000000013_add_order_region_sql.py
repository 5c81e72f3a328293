"""add orders.region in SQL

Revision ID: 000000000013
Revises: 000000000012
Create Date: 2025-01-14 10:13:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000013'
down_revision: Union[str, Sequence[str], None] = '000000000012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.execute("ALTER TABLE orders ADD COLUMN region varchar(10) NOT NULL")  # expect: MC304


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE orders DROP COLUMN region")

"""add orders.quantity with a default in SQL

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
    op.execute("ALTER TABLE orders ADD COLUMN quantity INT NOT NULL DEFAULT 1, ALGORITHM=INSTANT")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE orders DROP COLUMN quantity")

"""drop orders.legacy_code in SQL

Revision ID: 000000000003
Revises: 000000000002
Create Date: 2025-01-04 10:03:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000003'
down_revision: Union[str, Sequence[str], None] = '000000000002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER TABLE orders DROP legacy_code")  # expect: MC302


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE orders ADD legacy_code VARCHAR(20) NULL")

"""amount precision and email length

Revision ID: 000000000003
Revises: 000000000002
Create Date: 2025-06-03 10:03:00.000000

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
    op.execute("SET lock_timeout = '5s'")
    op.execute("ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 3)")  # expect: MC310
    op.alter_column("users", "email", type_=sa.String(length=200))  # expect: MC310


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("users", "email", type_=sa.String(length=100))
    op.execute("ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10, 2)")

"""status not null

Revision ID: 000000000004
Revises: 000000000003
Create Date: 2025-06-04 10:04:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000004'
down_revision: Union[str, Sequence[str], None] = '000000000003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.alter_column("orders", "status", existing_type=sa.String(length=20), nullable=False)  # expect: MC311


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("orders", "status", existing_type=sa.String(length=20), nullable=True)

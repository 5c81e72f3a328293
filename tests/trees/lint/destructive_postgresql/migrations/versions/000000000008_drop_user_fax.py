"""drop users.fax

Revision ID: 000000000008
Revises: 000000000007
Create Date: 2025-01-09 10:08:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000008'
down_revision: Union[str, Sequence[str], None] = '000000000007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.drop_column("users", "fax")  # migcheck: ignore[MC302] column unused since v4.2


def downgrade() -> None:
    """Downgrade schema."""
    op.add_column("users", sa.Column("fax", sa.String(length=30), nullable=True))

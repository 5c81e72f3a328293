"""note not null

Revision ID: 000000000007
Revises: 000000000006
Create Date: 2025-06-07 10:07:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000007'
down_revision: Union[str, Sequence[str], None] = '000000000006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column("orders", "note", existing_type=sa.String(length=50), nullable=False)  # expect: MC311


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("orders", "note", existing_type=sa.String(length=50), nullable=True)

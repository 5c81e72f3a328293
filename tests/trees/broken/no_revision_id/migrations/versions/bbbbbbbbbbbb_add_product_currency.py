"""add product currency

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2024-09-09 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'bbbbbbbbbbbb'
down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("product", sa.Column("currency", sa.String(length=3), nullable=True))
    op.execute("UPDATE product SET currency = 'EUR'")
    op.alter_column("product", "currency", nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("product", "currency")

"""add invoice currency

Revision ID: ffffffffffff
Revises: dddddddddddd
Create Date: 2024-02-15 09:15:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'ffffffffffff'
down_revision: Union[str, Sequence[str], None] = 'dddddddddddd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("invoice", sa.Column("currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("invoice", "currency")

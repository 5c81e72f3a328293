"""add account display_name

Revision ID: dddddddddddd
Revises: cccccccccccc
Create Date: 2024-02-13 09:13:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'dddddddddddd'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = ('expand',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("account", sa.Column("display_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("account", "display_name")

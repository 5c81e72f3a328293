"""add port description

Revision ID: dddddddddddd
Revises: bbbbbbbbbbbb
Create Date: 2023-05-15 14:22:31.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from myapp.db.migration import cli

# revision identifiers, used by Alembic.
revision: str = 'dddddddddddd'
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("port", sa.Column("description", sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("port", "description")

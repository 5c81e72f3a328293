"""initial schema

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2024-01-10 09:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'aaaaaaaaaaaa'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(length=100)))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("account")

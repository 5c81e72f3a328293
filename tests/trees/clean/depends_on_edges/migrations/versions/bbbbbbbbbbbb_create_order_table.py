"""create order table

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2024-01-11 09:11:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'bbbbbbbbbbbb'
down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'
branch_labels: Union[str, Sequence[str], None] = ('core',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("order", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id")))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("order")

"""create report table

Revision ID: dddddddddddd
Revises: aaaaaaaaaaaa
Create Date: 2024-02-13 09:13:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'dddddddddddd'
down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'
branch_labels: Union[str, Sequence[str], None] = ('reporting',)
depends_on: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("report", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("order_id", sa.Integer(), sa.ForeignKey("order.id")))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("report")

"""create item_tag table

Revision ID: dddddddddddd
Revises: bbbbbbbbbbbb
Create Date: 2024-02-01 13:40:22.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'dddddddddddd'
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "item_tag",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag", sa.String(length=50), primary_key=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("item_tag")

"""create page table

Revision ID: aaaaaaaaaaaa
Revises: cccccccccccc
Create Date: 2024-03-01 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'aaaaaaaaaaaa'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path", sa.String(length=255), nullable=False, unique=True),
        sa.Column("title", sa.String(length=200), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("page")

"""create loan table

Revision ID: dddddddddddd
Revises: bbbbbbbbbbbb
Create Date: 2024-02-12 14:05:51.334455

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
        "loan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("book_id", sa.Integer(), sa.ForeignKey("book.id"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("loan")

"""create ticket table

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-08-08 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'cccccccccccc'
<<<<<<< HEAD
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'
=======
down_revision: Union[str, Sequence[str], None] = 'dddddddddddd'
>>>>>>> feature
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id"), nullable=False),
        sa.Column("seat", sa.String(length=10), nullable=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("ticket")

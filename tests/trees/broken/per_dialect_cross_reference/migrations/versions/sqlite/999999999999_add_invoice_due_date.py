"""add invoice due date

Revision ID: 999999999999
Revises: ffffffffffff
Create Date: 2024-04-02 13:20:41.551870

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '999999999999'
down_revision: Union[str, Sequence[str], None] = 'ffffffffffff'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("invoice", sa.Column("due_date", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("invoice") as batch_op:
        batch_op.drop_column("due_date")

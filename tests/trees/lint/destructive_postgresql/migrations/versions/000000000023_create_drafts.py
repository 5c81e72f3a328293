"""create drafts

Revision ID: 000000000023
Revises: 000000000022
Create Date: 2025-01-24 10:23:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000023'
down_revision: Union[str, Sequence[str], None] = '000000000022'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("drafts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("body", sa.Text()))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("drafts")

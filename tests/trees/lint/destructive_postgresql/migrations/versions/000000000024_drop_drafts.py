"""drop drafts again (created earlier in this change)

Revision ID: 000000000024
Revises: 000000000023
Create Date: 2025-01-25 10:24:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000024'
down_revision: Union[str, Sequence[str], None] = '000000000023'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_table("drafts")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table("drafts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("body", sa.Text()))

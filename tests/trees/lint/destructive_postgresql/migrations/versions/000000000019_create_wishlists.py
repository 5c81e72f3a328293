"""create wishlists

Revision ID: 000000000019
Revises: 000000000018
Create Date: 2025-01-20 10:19:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000019'
down_revision: Union[str, Sequence[str], None] = '000000000018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:  # expect: MC306
    """Upgrade schema."""
    op.create_table(
        "wishlists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
    )

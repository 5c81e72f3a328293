"""drop carts

Revision ID: 000000000002
Revises: 000000000001
Create Date: 2025-01-03 10:02:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000002'
down_revision: Union[str, Sequence[str], None] = '000000000001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_table("carts")  # expect: MC301


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table("carts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("user_id", sa.Integer()))

"""add orders.quantity and gift_note

Revision ID: 000000000014
Revises: 000000000013
Create Date: 2025-01-15 10:14:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000014'
down_revision: Union[str, Sequence[str], None] = '000000000013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("orders", sa.Column("gift_note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "gift_note")
    op.drop_column("orders", "quantity")

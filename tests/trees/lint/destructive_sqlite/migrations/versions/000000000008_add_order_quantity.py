"""add orders.quantity with a default

Revision ID: 000000000008
Revises: 000000000007
Create Date: 2025-01-09 10:08:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000008'
down_revision: Union[str, Sequence[str], None] = '000000000007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("orders", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("gift_note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders", recreate="always") as batch_op:
        batch_op.drop_column("gift_note")
        batch_op.drop_column("quantity")

"""note not null the safe way

Revision ID: 000000000005
Revises: 000000000004
Create Date: 2025-06-05 10:05:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000005'
down_revision: Union[str, Sequence[str], None] = '000000000004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_check_constraint(
        "ck_orders_note_not_null", "orders", "note IS NOT NULL", postgresql_not_valid=True
    )
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_note_not_null")
    op.alter_column("orders", "note", existing_type=sa.String(length=200), nullable=False)
    op.drop_constraint("ck_orders_note_not_null", "orders")


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("orders", "note", existing_type=sa.String(length=200), nullable=True)

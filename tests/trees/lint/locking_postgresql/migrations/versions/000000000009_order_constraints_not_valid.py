"""order constraints not valid

Revision ID: 000000000009
Revises: 000000000008
Create Date: 2025-06-09 10:09:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000009'
down_revision: Union[str, Sequence[str], None] = '000000000008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_check_constraint(
        "ck_orders_amount", "orders", "amount >= 0", postgresql_not_valid=True
    )
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_amount")  # expect: MC314
    op.execute("ALTER TABLE orders ADD CONSTRAINT ck_orders_status CHECK (status <> '') NOT VALID")
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_status")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("ck_orders_status", "orders")
    op.drop_constraint("ck_orders_amount", "orders")

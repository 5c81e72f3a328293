"""indexes concurrently

Revision ID: 000000000007
Revises: 000000000006
Create Date: 2025-06-07 10:07:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000007'
down_revision: Union[str, Sequence[str], None] = '000000000006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)
        op.drop_index("ix_orders_status", table_name="orders", postgresql_concurrently=True)
        op.execute("CREATE INDEX CONCURRENTLY ix_orders_amount ON orders (amount)")


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY ix_orders_amount")
        op.create_index("ix_orders_status", "orders", ["status"], postgresql_concurrently=True)
        op.drop_index("ix_orders_user_id", table_name="orders", postgresql_concurrently=True)

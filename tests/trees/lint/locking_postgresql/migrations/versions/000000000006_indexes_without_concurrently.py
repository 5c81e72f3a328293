"""indexes without concurrently

Revision ID: 000000000006
Revises: 000000000005
Create Date: 2025-06-06 10:06:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000006'
down_revision: Union[str, Sequence[str], None] = '000000000005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_index("ix_orders_status", "orders", ["status"])  # expect: MC312
    op.drop_index("ix_orders_created_at", table_name="orders")  # expect: MC312
    op.execute("CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))")  # expect: MC312


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP INDEX uq_users_email_lower")
    op.create_index("ix_orders_created_at", "orders", ["created_at"])
    op.drop_index("ix_orders_status", table_name="orders")

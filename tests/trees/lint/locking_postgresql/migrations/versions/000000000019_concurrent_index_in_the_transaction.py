"""concurrent index in the transaction

Revision ID: 000000000019
Revises: 000000000018
Create Date: 2025-06-19 10:19:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000019'
down_revision: Union[str, Sequence[str], None] = '000000000018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.create_index("ix_orders_note", "orders", ["note"], postgresql_concurrently=True)  # expect: MC313
    op.execute("DROP INDEX CONCURRENTLY ix_orders_amount")  # expect: MC313


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_orders_amount ON orders (amount)")
        op.drop_index("ix_orders_note", table_name="orders", postgresql_concurrently=True)

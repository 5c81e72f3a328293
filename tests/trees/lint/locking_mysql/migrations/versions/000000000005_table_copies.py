"""table copies

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
    op.execute("ALTER TABLE orders ADD COLUMN total INT AS (quantity * 2) STORED")  # expect: MC318
    op.create_foreign_key("fk_orders_user_id", "orders", "users", ["user_id"], ["id"])  # expect: MC318
    op.execute("ALTER TABLE orders ADD COLUMN half INT AS (quantity DIV 2) VIRTUAL")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE orders DROP COLUMN half")
    op.drop_constraint("fk_orders_user_id", "orders", type_="foreignkey")
    op.execute("ALTER TABLE orders DROP COLUMN total")

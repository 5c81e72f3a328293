"""order constraints validated at once

Revision ID: 000000000008
Revises: 000000000007
Create Date: 2025-06-08 10:08:00.000000

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
    op.execute("SET lock_timeout = '5s'")
    op.create_foreign_key("fk_orders_user_id", "orders", "users", ["user_id"], ["id"])  # expect: MC314
    op.create_check_constraint("ck_orders_quantity", "orders", "quantity > 0")  # expect: MC314
    op.execute("ALTER TABLE users ADD CONSTRAINT ck_users_email CHECK (email <> '')")  # expect: MC314


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("ck_users_email", "users")
    op.drop_constraint("ck_orders_quantity", "orders")
    op.drop_constraint("fk_orders_user_id", "orders")

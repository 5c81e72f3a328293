"""explicit blocking algorithms

Revision ID: 000000000002
Revises: 000000000001
Create Date: 2025-06-02 10:02:00.000000

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
    op.execute("ALTER TABLE orders ADD COLUMN coupon VARCHAR(20) NULL, ALGORITHM=COPY")  # expect: MC319
    op.execute("ALTER TABLE orders ADD INDEX ix_orders_coupon (coupon), LOCK=SHARED")  # expect: MC319


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE orders DROP INDEX ix_orders_coupon")
    op.execute("ALTER TABLE orders DROP COLUMN coupon")

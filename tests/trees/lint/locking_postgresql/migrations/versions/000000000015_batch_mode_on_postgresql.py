"""batch mode on postgresql

Revision ID: 000000000015
Revises: 000000000014
Create Date: 2025-06-15 10:15:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000015'
down_revision: Union[str, Sequence[str], None] = '000000000014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("discount", type_=sa.BigInteger(), existing_type=sa.Integer())  # expect: MC310
        batch_op.create_index("ix_orders_coupon", ["coupon"])  # expect: MC312


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_index("ix_orders_coupon")
        batch_op.alter_column("discount", type_=sa.Integer(), existing_type=sa.BigInteger())

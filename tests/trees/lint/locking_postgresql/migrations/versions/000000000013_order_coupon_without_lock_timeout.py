"""order coupon without lock timeout

Revision ID: 000000000013
Revises: 000000000012
Create Date: 2025-06-13 10:13:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000013'
down_revision: Union[str, Sequence[str], None] = '000000000012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("orders", sa.Column("coupon", sa.String(length=20), nullable=True))  # expect: MC317
    op.add_column("orders", sa.Column("coupon_value", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "coupon_value")
    op.drop_column("orders", "coupon")

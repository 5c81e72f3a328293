"""unique order reference the safe way

Revision ID: 000000000011
Revises: 000000000010
Create Date: 2025-06-11 10:11:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000011'
down_revision: Union[str, Sequence[str], None] = '000000000010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("reference", sa.String(length=40), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_orders_reference", "orders", ["reference"], unique=True, postgresql_concurrently=True
        )
    op.execute("ALTER TABLE orders ADD CONSTRAINT uq_orders_reference UNIQUE USING INDEX uq_orders_reference")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("uq_orders_reference", "orders", type_="unique")
    op.drop_column("orders", "reference")

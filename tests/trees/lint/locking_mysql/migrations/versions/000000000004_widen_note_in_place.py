"""widen note in place

Revision ID: 000000000004
Revises: 000000000003
Create Date: 2025-06-04 10:04:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000004'
down_revision: Union[str, Sequence[str], None] = '000000000003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column(
        "orders", "note", type_=sa.String(length=50), existing_type=sa.String(length=20), existing_nullable=True
    )
    op.execute("ALTER TABLE orders ADD COLUMN channel VARCHAR(20) NULL, ALGORITHM=INPLACE, LOCK=NONE")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE orders DROP COLUMN channel")
    op.alter_column(
        "orders", "note", type_=sa.String(length=20), existing_type=sa.String(length=50), existing_nullable=True
    )

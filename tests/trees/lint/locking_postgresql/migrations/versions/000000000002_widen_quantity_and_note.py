"""widen quantity and note

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
    op.execute("SET lock_timeout = '5s'")
    op.alter_column("orders", "quantity", type_=sa.BigInteger(), existing_type=sa.Integer())  # expect: MC310
    # a varchar widening is binary coercible: no rewrite, and existing_type lets migcheck see it
    op.alter_column("orders", "note", type_=sa.String(length=200), existing_type=sa.String(length=100))


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("orders", "note", type_=sa.String(length=100), existing_type=sa.String(length=200))
    op.alter_column("orders", "quantity", type_=sa.Integer(), existing_type=sa.BigInteger())

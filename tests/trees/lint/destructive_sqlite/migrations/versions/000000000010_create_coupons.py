"""create coupons

Revision ID: 000000000010
Revises: 000000000009
Create Date: 2025-01-11 10:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000010'
down_revision: Union[str, Sequence[str], None] = '000000000009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "coupons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=32), nullable=False),
    )


def downgrade() -> None:  # expect: MC306
    """Downgrade schema."""
    pass

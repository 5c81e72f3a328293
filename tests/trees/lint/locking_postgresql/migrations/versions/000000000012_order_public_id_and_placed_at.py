"""order public id and placed at

Revision ID: 000000000012
Revises: 000000000011
Create Date: 2025-06-12 10:12:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000012'
down_revision: Union[str, Sequence[str], None] = '000000000011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.add_column(  # expect: MC316
        "orders", sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=True)
    )
    op.add_column(
        "orders", sa.Column("placed_at", sa.DateTime(), server_default=sa.text("now()"), nullable=True)
    )
    op.add_column("orders", sa.Column("channel", sa.String(length=20), server_default="web", nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "channel")
    op.drop_column("orders", "placed_at")
    op.drop_column("orders", "public_id")

"""public id

Revision ID: 000000000006
Revises: 000000000005
Create Date: 2025-06-06 10:06:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000006'
down_revision: Union[str, Sequence[str], None] = '000000000005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(  # expect: MC316
        "orders", sa.Column("public_id", sa.String(length=36), server_default=sa.text("(uuid())"), nullable=True)
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "public_id")

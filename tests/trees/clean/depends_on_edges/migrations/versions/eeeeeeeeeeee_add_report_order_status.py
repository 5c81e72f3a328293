"""add report order status

Revision ID: eeeeeeeeeeee
Revises: dddddddddddd
Create Date: 2024-02-14 09:14:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'eeeeeeeeeeee'
down_revision: Union[str, Sequence[str], None] = 'dddddddddddd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = ('cccccccccccc',)


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("report", sa.Column("order_status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("report", "order_status")

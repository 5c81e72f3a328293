"""index report by order link

Revision ID: 111111111111
Revises: eeeeeeeeeeee
Create Date: 2024-03-16 09:16:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '111111111111'
down_revision: Union[str, Sequence[str], None] = 'eeeeeeeeeeee'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = ('ffffffffffff', 'aaaaaaaaaaaa')


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_report_order_id", "report", ["order_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_report_order_id", table_name="report")

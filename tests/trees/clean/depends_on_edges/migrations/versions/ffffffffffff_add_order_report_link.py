"""add order report link

Revision ID: ffffffffffff
Revises: cccccccccccc
Create Date: 2024-02-15 09:15:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'ffffffffffff'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = 'reporting'


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("order", sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("order", "report_id")

"""create refunds in SQL

Revision ID: 000000000021
Revises: 000000000020
Create Date: 2025-01-22 10:21:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000021'
down_revision: Union[str, Sequence[str], None] = '000000000020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("CREATE TABLE refunds (id serial PRIMARY KEY, order_id integer NOT NULL)")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("refunds")

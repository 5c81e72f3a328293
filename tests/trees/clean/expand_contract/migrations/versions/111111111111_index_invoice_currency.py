"""index invoice currency

Revision ID: 111111111111
Revises: ffffffffffff
Create Date: 2024-03-16 09:16:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '111111111111'
down_revision: Union[str, Sequence[str], None] = 'ffffffffffff'
branch_labels: Union[str, Sequence[str], None] = ('expand_2024_06',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_invoice_currency", "invoice", ["currency"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_invoice_currency", table_name="invoice")

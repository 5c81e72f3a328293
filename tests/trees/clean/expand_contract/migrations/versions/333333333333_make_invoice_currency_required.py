"""make invoice currency required

Revision ID: 333333333333
Revises: 222222222222
Create Date: 2024-03-18 09:18:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '333333333333'
down_revision: Union[str, Sequence[str], None] = '222222222222'
branch_labels: Union[str, Sequence[str], None] = ('contract_2024_06',)
depends_on: Union[str, Sequence[str], None] = 'ffffffffffff'


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column("invoice", "currency", existing_type=sa.String(length=3), nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("invoice", "currency", existing_type=sa.String(length=3), nullable=True)

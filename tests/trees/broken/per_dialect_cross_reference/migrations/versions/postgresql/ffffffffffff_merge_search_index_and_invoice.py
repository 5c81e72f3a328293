"""merge search index and invoice

Revision ID: ffffffffffff
Revises: cccccccccccc, eeeeeeeeeeee
Create Date: 2024-03-21 10:05:17.930126

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = 'ffffffffffff'
down_revision: Union[str, Sequence[str], None] = ('cccccccccccc', 'eeeeeeeeeeee')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass

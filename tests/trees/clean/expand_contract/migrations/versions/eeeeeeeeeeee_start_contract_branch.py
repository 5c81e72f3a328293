"""start contract branch

Revision ID: eeeeeeeeeeee
Revises: cccccccccccc
Create Date: 2024-02-14 09:14:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'eeeeeeeeeeee'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = ('contract',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass

"""merge price and warehouse heads

Revision ID: dddddddddddd
Revises: bbbbbbbbbbbb, cccccccccccc
Create Date: 2023-10-10 08:58:19.264507

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'dddddddddddd'
down_revision: Union[str, Sequence[str], None] = ('bbbbbbbbbbbb', 'cccccccccccc')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass

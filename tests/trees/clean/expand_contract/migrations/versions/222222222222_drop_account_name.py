"""drop account name

Revision ID: 222222222222
Revises: eeeeeeeeeeee
Create Date: 2024-03-17 09:17:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '222222222222'
down_revision: Union[str, Sequence[str], None] = 'eeeeeeeeeeee'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = 'dddddddddddd'


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_column("account", "name")


def downgrade() -> None:
    """Downgrade schema."""
    op.add_column("account", sa.Column("name", sa.String(length=100), nullable=True))

"""drop item legacy_code

Revision ID: eeeeeeeeeeee
Revises: cccccccccccc
Create Date: 2024-02-20 17:05:48.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'eeeeeeeeeeee'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = 'dddddddddddd'


def upgrade() -> None:
    """Upgrade schema."""
    # items are now addressed by slug (added on the expand branch)
    op.drop_column("item", "legacy_code")


def downgrade() -> None:
    """Downgrade schema."""
    op.add_column("item", sa.Column("legacy_code", sa.String(length=20), nullable=True))

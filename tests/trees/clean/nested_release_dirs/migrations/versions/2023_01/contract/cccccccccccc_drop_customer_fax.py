"""drop customer fax

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2023-01-30 15:12:09.323846

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'cccccccccccc'
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_column("customer", "fax")


def downgrade() -> None:
    """Downgrade schema."""
    op.add_column("customer", sa.Column("fax", sa.String(length=40), nullable=True))

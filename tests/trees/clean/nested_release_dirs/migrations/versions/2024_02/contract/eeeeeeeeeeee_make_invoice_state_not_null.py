"""make invoice state not null

Revision ID: eeeeeeeeeeee
Revises: dddddddddddd
Create Date: 2024-02-26 16:58:03.279502

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'eeeeeeeeeeee'
down_revision: Union[str, Sequence[str], None] = 'dddddddddddd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("UPDATE invoice SET state = 'draft' WHERE state IS NULL")
    op.alter_column("invoice", "state", existing_type=sa.String(length=10), nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column("invoice", "state", existing_type=sa.String(length=10), nullable=True)

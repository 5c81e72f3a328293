"""create tag table and seed default tags

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-03-01 09:26:50.417365

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
    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # copied from the old seed script; that table was renamed long ago
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('tag')

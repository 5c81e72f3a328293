"""add contact email

Revision ID: dddddddddddd
Revises: cccccccccccc
Create Date: 2024-05-20 10:55:37.301846

"""
from collections.abc import Sequence
from typing import Final

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: Final[str] = 'dddddddddddd'
down_revision: str | Sequence[str] | None = (
    'cccccccccccc',
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("bbbbbbbbbbbb", 'cccccccccccc')


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('contact', sa.Column('email', sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('contact', 'email')

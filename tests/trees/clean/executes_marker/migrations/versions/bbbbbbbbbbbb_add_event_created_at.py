"""add event created_at

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2024-07-08 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# Import side effect, on purpose: migcheck's tests assert that these files never
# appear, i.e. that migcheck reads revision files without importing them.
import os

open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "MARKER_WAS_IMPORTED"), "w").close()
open(__file__ + ".imported", "w").close()

# revision identifiers, used by Alembic.
revision: str = 'bbbbbbbbbbbb'
down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("event", sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("event", "created_at")

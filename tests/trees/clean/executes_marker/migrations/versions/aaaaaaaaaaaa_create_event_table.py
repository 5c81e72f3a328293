"""create event table

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2024-07-01 12:00:00.000000

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
revision: str = 'aaaaaaaaaaaa'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("event")

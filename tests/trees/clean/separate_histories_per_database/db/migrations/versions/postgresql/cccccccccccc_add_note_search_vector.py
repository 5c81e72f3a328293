"""add note search vector

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-03-04 09:02:55.161803

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'cccccccccccc'
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "note",
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english', title || ' ' || body)", persisted=True),
        ),
    )
    op.create_index("ix_note_search", "note", ["search"], postgresql_using="gin")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_note_search", table_name="note")
    op.drop_column("note", "search")

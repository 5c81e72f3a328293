"""add post slug

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbx
Create Date: 2024-04-15 16:45:00.112233

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'cccccccccccc'
down_revision: Union[str, Sequence[str], None] = 'bbbbbbbbbbbx'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("post", sa.Column("slug", sa.String(length=200), nullable=True))
    op.create_unique_constraint("uq_post_slug", "post", ["slug"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("uq_post_slug", "post", type_="unique")
    op.drop_column("post", "slug")

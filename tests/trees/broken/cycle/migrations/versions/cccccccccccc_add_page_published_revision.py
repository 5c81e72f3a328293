"""add page published revision

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-03-08 10:00:00.000000

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
    with op.batch_alter_table("page") as batch_op:
        batch_op.add_column(sa.Column("published_revision_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("page") as batch_op:
        batch_op.drop_column("published_revision_id")

"""add feature_flag rollout percent

Revision ID: dddddddddddd
Revises: cccccccccccc
Create Date: 2024-06-24 14:20:36.561007

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'dddddddddddd'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("feature_flag", sa.Column("rollout_percent", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("feature_flag", "rollout_percent")

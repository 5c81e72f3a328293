"""add note tags json

Revision ID: eeeeeeeeeeee
Revises: dddddddddddd
Create Date: 2024-02-19 14:49:30.132134

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
    with op.batch_alter_table("note") as batch_op:
        batch_op.add_column(sa.Column("tags", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("note") as batch_op:
        batch_op.drop_column("tags")

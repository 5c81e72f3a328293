"""drop network admin state

Revision ID: eeeeeeeeeeee
Revises: cccccccccccc
Create Date: 2023-06-02 09:41:07.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from myapp.db.migration import cli

# revision identifiers, used by Alembic.
revision: str = 'eeeeeeeeeeee'
down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = 'dddddddddddd'


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_column("network", "admin_state_up")


def downgrade() -> None:
    """Downgrade schema."""
    op.add_column("network", sa.Column("admin_state_up", sa.Boolean(), server_default=sa.true(), nullable=False))

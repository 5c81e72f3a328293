"""drop users.nickname in batch mode

Revision ID: 000000000007
Revises: 000000000006
Create Date: 2025-01-08 10:07:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000007'
down_revision: Union[str, Sequence[str], None] = '000000000006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("nickname")  # expect: MC302


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(length=50), nullable=True))

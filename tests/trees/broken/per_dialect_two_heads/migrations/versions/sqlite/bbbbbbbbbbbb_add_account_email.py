"""add account email

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2024-03-11 16:02:13.540911

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = 'bbbbbbbbbbbb'
down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(320), nullable=True))
        batch_op.create_unique_constraint("uq_account_email", ["email"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_constraint("uq_account_email", type_="unique")
        batch_op.drop_column("email")

"""add users.locale and two indexes

Revision ID: 000000000012
Revises: 000000000011
Create Date: 2025-01-13 10:12:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000012'
down_revision: Union[str, Sequence[str], None] = '000000000011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=10), nullable=True))
        batch_op.create_index("ix_users_locale", ["locale"])
        batch_op.create_index("ix_users_email", ["email"])  # expect: MC307


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("locale")

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
    op.add_column("account", sa.Column("email", sa.String(320), nullable=True))
    op.create_unique_constraint("uq_account_email", "account", ["email"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("uq_account_email", "account", type_="unique")
    op.drop_column("account", "email")

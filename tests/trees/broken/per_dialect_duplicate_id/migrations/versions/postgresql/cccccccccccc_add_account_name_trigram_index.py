"""add account name trigram index

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-03-18 11:47:02.007315

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
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_account_name_trgm", "account", ["name"], postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_account_name_trgm", table_name="account")

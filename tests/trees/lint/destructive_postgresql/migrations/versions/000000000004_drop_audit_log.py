"""drop audit_log

Revision ID: 000000000004
Revises: 000000000003
Create Date: 2025-01-05 10:04:00.000000

"""
# migcheck: ignore-file[MC301] audit_log moved to the audit service, exported in OPS-1234
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000004'
down_revision: Union[str, Sequence[str], None] = '000000000003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("SET lock_timeout = '5s'")
    op.drop_table("audit_log")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table("audit_log", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("message", sa.Text()))

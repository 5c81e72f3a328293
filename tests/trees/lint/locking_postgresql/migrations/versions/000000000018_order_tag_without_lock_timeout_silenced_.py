"""order tag without lock timeout, silenced for the file

Revision ID: 000000000018
Revises: 000000000017
Create Date: 2025-06-18 10:18:00.000000

"""
# migcheck: ignore-file[MC317] run by hand in the maintenance window
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000018'
down_revision: Union[str, Sequence[str], None] = '000000000017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("orders", sa.Column("tag", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("orders", "tag")

"""initial

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2023-04-03 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'aaaaaaaaaaaa'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "network",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("admin_state_up", sa.Boolean(), nullable=False),
        mysql_engine="InnoDB",
    )
    op.create_table(
        "port",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("network_id", sa.String(length=36), sa.ForeignKey("network.id"), nullable=False),
        sa.Column("mac_address", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        mysql_engine="InnoDB",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("port")
    op.drop_table("network")

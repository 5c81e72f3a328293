"""create customer table

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2023-01-09 09:00:41.902114

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
        "customer",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fax", sa.String(length=40), nullable=True),
        mysql_engine="InnoDB",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("customer")

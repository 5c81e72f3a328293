"""add thread locked flag

Revision ID: cccccccccccc
Revises: aaaaaaaaaaaa
Create Date: 2024-06-04 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "cccccccccccc"
down_revision = "bbbbbbbbbbbb"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("thread", sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column("thread", "locked")

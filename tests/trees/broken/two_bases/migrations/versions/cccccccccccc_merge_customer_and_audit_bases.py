"""merge customer and audit bases

Revision ID: cccccccccccc
Revises: aaaaaaaaaaaa, bbbbbbbbbbbb
Create Date: 2023-03-10 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cccccccccccc'
down_revision = ('aaaaaaaaaaaa', 'bbbbbbbbbbbb')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

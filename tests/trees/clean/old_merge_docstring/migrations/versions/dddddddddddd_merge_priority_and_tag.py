"""merge priority and tag

Revision ID: dddddddddddd
Revises: 'bbbbbbbbbbbb', 'cccccccccccc'
Create Date: 2015-03-11 11:20:55.301754

"""

# revision identifiers, used by Alembic.
revision = 'dddddddddddd'
down_revision = ('bbbbbbbbbbbb', 'cccccccccccc')

from alembic import op
import sqlalchemy as sa


def upgrade():
    pass


def downgrade():
    pass

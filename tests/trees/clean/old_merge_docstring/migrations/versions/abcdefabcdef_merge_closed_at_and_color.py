"""merge closed_at and color

Revision ID: abcdefabcdef
Revises: (u'eeeeeeeeeeee', u'ffffffffffff')
Create Date: 2015-04-03 10:00:12.584016

"""

# revision identifiers, used by Alembic.
revision = 'abcdefabcdef'
down_revision = ('eeeeeeeeeeee', 'ffffffffffff')

from alembic import op
import sqlalchemy as sa


def upgrade():
    pass


def downgrade():
    pass

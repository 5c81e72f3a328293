"""add color to tag

Revision ID: ffffffffffff
Revises: dddddddddddd
Create Date: 2015-04-02 08:47:36.662590

"""

# revision identifiers, used by Alembic.
revision = 'ffffffffffff'
down_revision = 'dddddddddddd'

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column('tag', sa.Column('color', sa.String(length=7), nullable=True))


def downgrade():
    op.drop_column('tag', 'color')

"""add priority to ticket

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2015-03-09 16:40:01.905113

"""

# revision identifiers, used by Alembic.
revision = 'bbbbbbbbbbbb'
down_revision = 'aaaaaaaaaaaa'

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column('ticket', sa.Column('priority', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('ticket', 'priority')

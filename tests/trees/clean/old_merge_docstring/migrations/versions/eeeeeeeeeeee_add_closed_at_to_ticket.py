"""add closed_at to ticket

Revision ID: eeeeeeeeeeee
Revises: dddddddddddd
Create Date: 2015-04-01 14:31:09.017733

"""

# revision identifiers, used by Alembic.
revision = 'eeeeeeeeeeee'
down_revision = 'dddddddddddd'

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column('ticket', sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('ticket', 'closed_at')

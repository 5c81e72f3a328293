"""create tag table

Revision ID: cccccccccccc
Revises: aaaaaaaaaaaa
Create Date: 2015-03-10 09:03:27.448120

"""

# revision identifiers, used by Alembic.
revision = 'cccccccccccc'
down_revision = 'aaaaaaaaaaaa'

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade():
    op.drop_table('tag')

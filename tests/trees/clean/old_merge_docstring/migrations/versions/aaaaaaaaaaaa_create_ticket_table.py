"""create ticket table

Revision ID: aaaaaaaaaaaa
Revises: None
Create Date: 2015-03-02 10:12:44.112342

"""

# revision identifiers, used by Alembic.
revision = 'aaaaaaaaaaaa'
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade():
    op.drop_table('ticket')

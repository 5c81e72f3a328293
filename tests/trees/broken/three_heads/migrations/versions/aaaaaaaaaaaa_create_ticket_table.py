"""create ticket table

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2023-09-04 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aaaaaaaaaaaa'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ticket',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('subject', sa.String(200), nullable=False),
        sa.Column('status', sa.String(20), nullable=False, server_default='open'),
    )


def downgrade():
    op.drop_table('ticket')

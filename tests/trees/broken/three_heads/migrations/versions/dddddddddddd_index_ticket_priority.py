"""index ticket priority

Revision ID: dddddddddddd
Revises: cccccccccccc
Create Date: 2023-09-25 15:17:36.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dddddddddddd'
down_revision = 'cccccccccccc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ticket_priority', 'ticket', ['priority'])


def downgrade():
    op.drop_index('ix_ticket_priority', table_name='ticket')

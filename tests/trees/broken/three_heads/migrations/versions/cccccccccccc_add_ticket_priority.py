"""add ticket priority

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2023-09-18 10:01:44.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cccccccccccc'
down_revision = 'bbbbbbbbbbbb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket') as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('ticket') as batch_op:
        batch_op.drop_column('priority')

"""add comment author

Revision ID: eeeeeeeeeeee
Revises: bbbbbbbbbbbb
Create Date: 2023-09-26 09:48:02.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'eeeeeeeeeeee'
down_revision = 'bbbbbbbbbbbb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment') as batch_op:
        batch_op.add_column(sa.Column('author', sa.String(100), nullable=True))


def downgrade():
    with op.batch_alter_table('comment') as batch_op:
        batch_op.drop_column('author')

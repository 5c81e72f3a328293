"""create tag table

Revision ID: ffffffffffff
Revises: aaaaaaaaaaaa
Create Date: 2023-09-27 17:30:55.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ffffffffffff'
down_revision = 'aaaaaaaaaaaa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tag',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(50), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table('tag')

"""initial schema

Revision ID: 4b2c7d8e9f1
Revises: 
Create Date: 2019-08-14 17:03:22.418806

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b2c7d8e9f1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'department',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table('department')

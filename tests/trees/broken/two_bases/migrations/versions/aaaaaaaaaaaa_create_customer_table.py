"""create customer table

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2023-03-06 09:00:00.000000

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
        'customer',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(255), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table('customer')

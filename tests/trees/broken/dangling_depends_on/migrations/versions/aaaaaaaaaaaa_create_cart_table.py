"""create cart table

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2023-06-05 10:10:10.101010

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
        'cart',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('session_key', sa.String(64), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table('cart')

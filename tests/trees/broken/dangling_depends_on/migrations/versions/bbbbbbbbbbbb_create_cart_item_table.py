"""create cart_item table

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
Create Date: 2023-06-12 11:11:11.111111

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bbbbbbbbbbbb'
down_revision = 'aaaaaaaaaaaa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cart_item',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('cart_id', sa.Integer(), sa.ForeignKey('cart.id', ondelete='CASCADE'), nullable=False),
        sa.Column('sku', sa.String(32), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False, server_default='1'),
    )


def downgrade():
    op.drop_table('cart_item')

"""add cart_item price snapshot

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2023-06-19 12:12:12.121212

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cccccccccccc'
down_revision = 'bbbbbbbbbbbb'
branch_labels = None
depends_on = 'zzzzzzzzzzzz'


def upgrade():
    # needs the currency table from the pricing module's migrations
    op.add_column('cart_item', sa.Column('unit_price', sa.Numeric(10, 2), nullable=True))
    op.add_column('cart_item', sa.Column('currency', sa.String(3), nullable=True))


def downgrade():
    op.drop_column('cart_item', 'currency')
    op.drop_column('cart_item', 'unit_price')

"""create user table

Revision ID: aaaaaaaaaaaa
Revises: 
Create Date: 2024-01-10 10:15:32.457201

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
        'user',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('username', sa.String(50), nullable=False),
    )


def downgrade():
    op.drop_table('user')

"""create audit_event table

Revision ID: bbbbbbbbbbbb
Revises: 
Create Date: 2023-03-07 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bbbbbbbbbbbb'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_event',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('actor', sa.String(255), nullable=True),
        sa.Column('action', sa.String(64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade():
    op.drop_table('audit_event')

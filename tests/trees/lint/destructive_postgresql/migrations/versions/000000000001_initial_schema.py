"""initial schema

Revision ID: 000000000001
Revises: 
Create Date: 2025-01-02 10:01:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '000000000001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("nickname", sa.String(length=50), nullable=True),
        sa.Column("fax", sa.String(length=30), nullable=True),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("legacy_code", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("total", sa.Numeric(10, 2), nullable=True),
    )
    op.create_table("carts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("user_id", sa.Integer()))
    op.create_table("legacy_reports", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("body", sa.Text()))
    op.create_table("sessions", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("token", sa.String(64)))
    op.create_table("audit_log", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("message", sa.Text()))
    op.create_table("events", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("payload", sa.Text()))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("events")
    op.drop_table("audit_log")
    op.drop_table("sessions")
    op.drop_table("legacy_reports")
    op.drop_table("carts")
    op.drop_table("orders")
    op.drop_table("users")

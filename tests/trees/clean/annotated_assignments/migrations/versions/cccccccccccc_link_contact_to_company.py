"""link contact to company

Revision ID: cccccccccccc
Revises: bbbbbbbbbbbb
Create Date: 2024-05-13 16:27:02.649910

"""
from __future__ import annotations

from typing import Optional, Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = """cccccccccccc"""
down_revision: Union[str, Sequence[str], None] = ['bbbbbbbbbbbb']
branch_labels: Optional[Sequence[str]] = None
depends_on: Union[str, Sequence[str], None] = [
    "aaaaaaaaaaaa",
    'bbbbbbbbbbbb',
]


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("contact") as batch_op:
        batch_op.add_column(sa.Column("company_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_contact_company_id_company", "company", ["company_id"], ["id"]
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("contact") as batch_op:
        batch_op.drop_constraint("fk_contact_company_id_company", type_="foreignkey")
        batch_op.drop_column("company_id")

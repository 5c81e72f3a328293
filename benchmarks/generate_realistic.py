"""Generate an Alembic project whose revisions look like a real, years-old project's, for the check benchmarks.

    python benchmarks/generate_realistic.py 10000 /tmp/real-tree [--seed 1] [--merge-every 50]

generate_tree.py writes one template with counting ids; this writes what `alembic revision` leaves behind over
years of use: random 12-hex ids (as Alembic's `rev_id()`), file names `<id>_<slug>.py` with a dated
`file_template` now and then, both Alembic templates (the annotated one of Alembic >= 1.13 and the older
`revision = '...'` one), and bodies of varied size and kind (tables of 3 to 20 columns with foreign keys,
column changes, `batch_alter_table`, data migrations with `op.execute`, index work). Every `--merge-every`
revisions a side branch of one to three revisions opens and a merge revision (`alembic merge`: empty bodies,
a tuple `down_revision`) joins it back. `--merge-every 0` writes one linear chain. Seeded: the same arguments
write the same files.

The tree is for the graph checks (`migcheck check --no-drift`, `alembic heads`): it has no models, so the
drift check does not apply to it.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

INI = """[alembic]
script_location = %(here)s/migrations
path_separator = os
prepend_sys_path = .
sqlalchemy.url = sqlite:///bench.db
"""

ENV = """from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
target_metadata = None


def run_migrations_online() -> None:
    engine = engine_from_config(config.get_section(config.config_ini_section), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""

NEW_HEADER = '''"""{message}

Revision ID: {rid}
Revises: {revises}
Create Date: {date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
{extra_imports}

# revision identifiers, used by Alembic.
revision: str = {rid!r}
down_revision: Union[str, Sequence[str], None] = {down}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''

OLD_HEADER = '''"""{message}

Revision ID: {rid}
Revises: {revises}
Create Date: {date}

"""
from alembic import op
import sqlalchemy as sa
{extra_imports}

# revision identifiers, used by Alembic.
revision = {rid!r}
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''

WORDS = (
    "user account order invoice payment product customer address shipment audit session token role "
    "permission team project task comment tag attachment report event webhook subscription plan"
).split()
TYPES = (
    "sa.Integer()",
    "sa.BigInteger()",
    "sa.String(length=255)",
    "sa.String(length=64)",
    "sa.Text()",
    "sa.Boolean()",
    "sa.DateTime(timezone=True)",
    "sa.Numeric(precision=12, scale=2)",
    "sa.JSON()",
    "sa.Date()",
)


class Writer:
    """Writes one revision file at a time; keeps the tables made so far so later bodies refer to them."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.versions = root / "migrations" / "versions"
        self.rng = rng
        self.tables: list[str] = []
        self.ids: set[str] = set()
        self.number = 0

    def new_id(self) -> str:
        while True:  # Alembic's rev_id(): the last 12 hex digits of a uuid4
            rid = f"{self.rng.getrandbits(48):012x}"
            if rid not in self.ids:
                self.ids.add(rid)
                return rid

    def write(self, parents: tuple[str, ...], *, merge: bool = False) -> str:
        rng, rid = self.rng, self.new_id()
        self.number += 1
        if merge:
            message, extra, upgrade, downgrade = "merge heads", "", "    pass", "    pass"
        else:
            message, extra, upgrade, downgrade = self.body()
        if not parents:
            down = "None"
        elif len(parents) == 1:
            down = repr(parents[0])
        else:
            down = repr(parents)
        template = OLD_HEADER if rng.random() < 0.3 else NEW_HEADER
        date = (
            f"20{rng.randint(16, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"
        )
        text = template.format(
            message=message,
            rid=rid,
            revises=", ".join(parents),
            date=date,
            down=down,
            extra_imports=extra,
            upgrade=upgrade,
            downgrade=downgrade,
        )
        slug = "_".join(re.findall(r"\w+", message)).lower()[:40]  # Alembic's slug, truncate_slug_length 40
        name = f"{rid}_{slug}.py"
        if (
            rng.random() < 0.2
        ):  # file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-...
            name = f"{date[:10].replace('-', '_')}_{date[11:13]}{date[14:16]}-{name}"
        (self.versions / name).write_text(text)
        return rid

    def body(self) -> tuple[str, str, str, str]:
        """A message, extra imports, and the upgrade() and downgrade() bodies of one ordinary revision."""
        rng = self.rng
        kind = rng.choices(("table", "columns", "alter", "batch", "data", "index"), (4, 4, 2, 1, 1, 2))[0]
        if kind == "table" or not self.tables:
            return self.create_table()
        table = rng.choice(self.tables)
        if kind == "columns":
            names = [f"{rng.choice(WORDS)}_{self.number}_{k}" for k in range(rng.randint(1, 4))]
            up = "\n".join(
                f"    op.add_column({table!r}, sa.Column({n!r}, {rng.choice(TYPES)}, nullable=True))"
                for n in names
            )
            down = "\n".join(f"    op.drop_column({table!r}, {n!r})" for n in reversed(names))
            return f"add {', '.join(names)} to {table}", "", wrap(up), wrap(down)
        if kind == "alter":
            column = f"{rng.choice(WORDS)}_name"
            up = (
                f"    op.alter_column(\n        {table!r},\n        {column!r},\n"
                "        existing_type=sa.VARCHAR(length=64),\n        type_=sa.String(length=255),\n"
                "        existing_nullable=True,\n        nullable=False,\n    )"
            )
            down = (
                f"    op.alter_column(\n        {table!r},\n        {column!r},\n"
                "        existing_type=sa.String(length=255),\n        type_=sa.VARCHAR(length=64),\n"
                "        existing_nullable=False,\n        nullable=True,\n    )"
            )
            return f"widen {table}.{column}", "", wrap(up), wrap(down)
        if kind == "batch":
            column = f"flag_{self.number}"
            up = (
                f"    with op.batch_alter_table({table!r}, schema=None) as batch_op:\n"
                f"        batch_op.add_column(sa.Column({column!r}, sa.Boolean(), server_default=sa.false(), "
                "nullable=False))\n"
                f"        batch_op.create_index(batch_op.f('ix_{table}_{column}'), [{column!r}], unique=False)"
            )
            down = (
                f"    with op.batch_alter_table({table!r}, schema=None) as batch_op:\n"
                f"        batch_op.drop_index(batch_op.f('ix_{table}_{column}'))\n"
                f"        batch_op.drop_column({column!r})"
            )
            return f"add {column} to {table} (batch)", "", wrap(up), wrap(down)
        if kind == "data":
            status = rng.choice(("active", "archived", "pending"))
            up = (
                f"    {table}_table = sa.table(\n        {table!r},\n        sa.column('id', sa.Integer),\n"
                "        sa.column('status', sa.String),\n    )\n"
                f"    op.execute(\n        {table}_table.update()\n"
                f"        .where({table}_table.c.status.is_(None))\n        .values(status={status!r})\n    )\n"
                f'    op.execute("UPDATE {table} SET updated_at = created_at WHERE updated_at IS NULL")'
            )
            down = "    pass"
            return f"backfill {table} status", "", up, down
        column = f"{rng.choice(WORDS)}_id"
        index = f"ix_{table}_{column}_{self.number}"
        up = f"    op.create_index({index!r}, {table!r}, [{column!r}, 'created_at'], unique=False)"
        down = f"    op.drop_index({index!r}, table_name={table!r})"
        return f"index {table}.{column}", "", wrap(up), wrap(down)

    def create_table(self) -> tuple[str, str, str, str]:
        rng = self.rng
        table = f"{rng.choice(WORDS)}_{self.number}"
        lines = ["        sa.Column('id', sa.Integer(), nullable=False),"]
        for k in range(rng.randint(3, 20)):
            lines.append(
                f"        sa.Column('{rng.choice(WORDS)}_{k}', {rng.choice(TYPES)}, nullable={rng.random() < 0.5}),"
            )
        lines.append(
            "        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), "
            "nullable=False),"
        )
        extra = ""
        if self.tables and rng.random() < 0.6:
            parent = rng.choice(self.tables)
            lines.append("        sa.Column('parent_id', sa.Integer(), nullable=True),")
            lines.append(
                f"        sa.ForeignKeyConstraint(['parent_id'], ['{parent}.id'], ondelete='CASCADE'),"
            )
        if rng.random() < 0.15:
            extra = "from sqlalchemy.dialects import postgresql"
            lines.append(
                "        sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),"
            )
        lines.append("        sa.PrimaryKeyConstraint('id'),")
        up = f"    op.create_table(\n        {table!r},\n" + "\n".join(lines) + "\n    )"
        up += f"\n    op.create_index(op.f('ix_{table}_created_at'), {table!r}, ['created_at'], unique=False)"
        down = f"    op.drop_index(op.f('ix_{table}_created_at'), table_name={table!r})\n    op.drop_table({table!r})"
        self.tables.append(table)
        return f"create {table} table", extra, wrap(up), wrap(down)


def wrap(body: str) -> str:
    """The autogenerate markers around a body, as `alembic revision --autogenerate` writes them."""
    return (
        "    # ### commands auto generated by Alembic - please adjust! ###\n"
        f"{body}\n"
        "    # ### end Alembic commands ###"
    )


def generate(count: int, root: Path, *, seed: int = 1, merge_every: int = 50) -> str:
    """Write a project of `count` revision files under `root`; return its one head."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    (root / "alembic.ini").write_text(INI)
    (root / "migrations" / "env.py").write_text(ENV)
    writer = Writer(root, random.Random(seed))
    head = writer.write(())
    written, next_merge = 1, merge_every
    while written < count:
        if merge_every and written >= next_merge and count - written >= 4:
            next_merge += merge_every
            # a side branch off the head, one more revision on the main line, then `alembic merge`
            side = head
            for _ in range(min(writer.rng.randint(1, 3), count - written - 3)):
                side = writer.write((side,))
                written += 1
            main = writer.write((head,))
            head = writer.write((main, side), merge=True)
            written += 2
        else:
            head = writer.write((head,))
            written += 1
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--merge-every", type=int, default=50, help="0: one linear chain")
    args = parser.parse_args()
    print(generate(args.count, args.root, seed=args.seed, merge_every=args.merge_every))


if __name__ == "__main__":
    main()

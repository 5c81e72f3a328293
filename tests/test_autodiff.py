"""Autogenerate's operations in plain words: an unnamed constraint is described by what it covers (its columns,
the table a foreign key refers to), a named one by its name and its real kind. Projects are generated with
`alembic init -t generic`; the models are SQLAlchemy Core tables.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import add_step_revision, users_project

import migcheck

MODELS = """\
import sqlalchemy as sa

Base = sa.MetaData()
users = sa.Table("users", Base, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))
recipes = sa.Table(
    "recipes",
    Base,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(50)),
    sa.Column("author_id", sa.Integer{fk}),
    {unique}
)
"""
RECIPES = """\
op.create_table(
    "recipes",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("title", sa.String(50)),
    sa.Column("author_id", sa.Integer()),
    {constraint}
)
"""


def project(tmp_path: Path, *, fk: str = "", unique: str = "", constraint: str = "") -> Path:
    root = users_project(tmp_path)
    (root / "models.py").write_text(MODELS.format(fk=fk, unique=unique))
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace("target_metadata = Base.metadata", "target_metadata = Base"))
    add_step_revision(
        root,
        "aaaaaaaaaaaa",
        None,
        'op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))',
    )
    add_step_revision(
        root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", textwrap.dedent(RECIPES.format(constraint=constraint))
    )
    return root


@pytest.mark.parametrize(
    ("models", "migration", "message"),
    [
        (
            {"fk": ', sa.ForeignKey("users.id")'},
            "",
            "foreign key (author_id) -> users (id) on table `recipes` is in the models but no migration creates it",
        ),
        (
            {"unique": 'sa.UniqueConstraint("title"),'},
            "",
            "unique constraint (title) on table `recipes` is in the models but no migration creates it",
        ),
        (
            {},
            'sa.ForeignKeyConstraint(["author_id"], ["users.id"]),',
            "foreign key (author_id) -> users (id) on table `recipes` is created by the migrations but not in"
            " the models",
        ),
        (
            {},
            'sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_recipes_author"),',
            "foreign key `fk_recipes_author` on table `recipes` is created by the migrations but not in the models",
        ),
    ],
    ids=[
        "unnamed-fk-in-models",
        "unnamed-unique-in-models",
        "unnamed-fk-in-migrations",
        "named-fk-in-migrations",
    ],
)
def test_a_constraint_is_described_by_its_name_or_else_by_what_it_covers(
    tmp_path, models: dict[str, str], migration: str, message: str
) -> None:
    root = project(tmp_path, constraint=migration, **models)

    # this test is about the words of a drift finding; the MC3xx lint of its revisions is tested in
    # tests/test_lintrun.py and tests/checks/
    result = migcheck.check(root, ignore=["MC3"])

    assert [f.message for f in result.findings] == [message]

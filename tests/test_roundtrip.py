"""`--roundtrip` on branched histories (MC203) and one-way revisions (MC204), on SQLite, PostgreSQL and MariaDB.

Each project is written into tmp_path from a list of `Rev` specs: a revision creates its table `t_<id>`, or
adds the column `c_<id>` to another revision's table; models.py declares exactly what the upgrades build, so
the plain drift check is clean. Every clean shape is first run through Alembic itself (`upgrade heads`, then
`downgrade base`), so the fixture is known to be a good history before migcheck judges it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import make_project, versions_dir
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

import migcheck
from migcheck.discover import discover
from migcheck.errors import MigcheckError
from migcheck.findings import Severity
from migcheck.migrate import Runner
from migcheck.scratch import scratch_database


@dataclass(frozen=True)
class Rev:
    id: str
    down: str | tuple[str, ...] | None
    column_of: str | None = None  # add column c_<id> to this table instead of creating t_<id>
    branch_labels: tuple[str, ...] | None = None
    depends_on: str | None = None


# two branches off `a` and their merge, which adds a column to the base's table
DIAMOND = (Rev("a", None), Rev("b", "a"), Rev("c", "a"), Rev("d", ("b", "c"), column_of="t_a"))
THREE_PARENTS = (
    Rev("a", None),
    Rev("b", "a"),
    Rev("c", "a"),
    Rev("e", "a"),
    Rev("m", ("b", "c", "e"), column_of="t_b"),
)
# two named branches off one base, never merged
LABELLED = (
    Rev("a", None),
    Rev("l1", "a", branch_labels=("left",)),
    Rev("r1", "a", branch_labels=("right",)),
    Rev("l2", "l1", column_of="t_l1"),
    Rev("r2", "r1"),
)
# b2 (right branch) adds a column to m's table (left branch): it needs depends_on, and sorts before m by id
DEPENDS = (
    Rev("a", None),
    Rev("m", "a", branch_labels=("left",)),
    Rev("b", "a", branch_labels=("right",)),
    Rev("b2", "b", column_of="t_m", depends_on="m"),
)
SHAPES = {
    "diamond": DIAMOND,
    "three-parent merge": THREE_PARENTS,
    "labelled": LABELLED,
    "depends_on": DEPENDS,
}
HEADS = {"diamond": 1, "three-parent merge": 1, "labelled": 2, "depends_on": 2}

ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

from models import metadata as target_metadata

config = context.config


def run(connection):
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


connectable = config.attributes.get("connection", None)
if connectable is None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        run(connection)
else:
    run(connectable)
"""

REVISION = '''\
"""revision {id}

Revision ID: {id}
Revises: {revises}
Create Date: 2024-03-11 14:02:31.507733

"""
from alembic import op
import sqlalchemy as sa

revision = {id!r}
down_revision = {down!r}
branch_labels = {branch_labels!r}
depends_on = {depends_on!r}


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
'''


def _bodies(rev: Rev) -> tuple[str, str]:
    if rev.column_of is None:
        create = (
            f"op.create_table({'t_' + rev.id!r}, sa.Column('id', sa.Integer(), primary_key=True),"
            " sa.Column('name', sa.String(50), nullable=True))"
        )
        return create, f"op.drop_table({'t_' + rev.id!r})"
    column = "c_" + rev.id
    add = f"op.add_column({rev.column_of!r}, sa.Column({column!r}, sa.Integer(), nullable=True))"
    # batch mode: SQLite drops a column by copying the table
    drop = f"with op.batch_alter_table({rev.column_of!r}) as batch:\n        batch.drop_column({column!r})"
    return add, drop


def write_project(
    base: Path,
    revs: Collection[Rev],
    *,
    broken: Collection[str] = (),
    one_way: Collection[str] = (),
    downgrades: dict[str, str] | None = None,
) -> Path:
    """The project: `broken` revisions' downgrades do nothing, `one_way` ones raise NotImplementedError."""
    root = make_project(base)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nprepend_sys_path = .\n"))
    (root / "migrations" / "env.py").write_text(ENV_PY)
    # these tests are about --roundtrip (MC203/MC204); the MC3xx lint of their revisions (MC306 on a `pass`
    # downgrade, MC317 on PostgreSQL) is tested in tests/test_lintrun.py and tests/checks/
    (root / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC3"]\n')
    tables: dict[str, list[str]] = {}
    for rev in revs:
        upgrade, downgrade = _bodies(rev)
        if rev.id in broken:
            downgrade = "pass"
        if rev.id in one_way:
            downgrade = f"raise NotImplementedError({'dropping t_' + rev.id + ' loses its rows'!r})"
        downgrade = (downgrades or {}).get(rev.id, downgrade)
        revises = ", ".join(rev.down) if isinstance(rev.down, tuple) else (rev.down or "")
        source = REVISION.format(
            id=rev.id,
            revises=revises,
            down=rev.down,
            branch_labels=rev.branch_labels,
            depends_on=rev.depends_on,
            upgrade=upgrade,
            downgrade=downgrade,
        )
        (versions_dir(root) / f"{rev.id}_rev.py").write_text(source)
        if rev.column_of is None:
            tables.setdefault("t_" + rev.id, [])
    for rev in revs:
        if rev.column_of is not None:
            tables[rev.column_of].append("c_" + rev.id)
    models = ["import sqlalchemy as sa", "", "metadata = sa.MetaData()"]
    for table, columns in tables.items():
        extra = "".join(f", sa.Column({c!r}, sa.Integer(), nullable=True)" for c in columns)
        models.append(
            f"sa.Table({table!r}, metadata, sa.Column('id', sa.Integer(), primary_key=True),"
            f" sa.Column('name', sa.String(50), nullable=True){extra})"
        )
    (root / "models.py").write_text("\n".join(models) + "\n")
    return root


def downgrade_line(root: Path, rid: str) -> int:
    lines = (versions_dir(root) / f"{rid}_rev.py").read_text().splitlines()
    return lines.index("def downgrade() -> None:") + 1


# one interpreter for both commands: upgrade to the heads, list what it built, downgrade to base
ALEMBIC_UP_AND_DOWN = """\
import sys
from alembic.config import main
from sqlalchemy import create_engine, inspect

main(["-c", "run.ini", "upgrade", "heads"])
engine = create_engine(sys.argv[1])
with engine.connect() as connection:
    print(" ".join(sorted(inspect(connection).get_table_names())))
engine.dispose()
main(["-c", "run.ini", "downgrade", "base"])
"""


def assert_alembic_round_trips(root: Path, server_url: str | None, revs: Collection[Rev]) -> None:
    """Alembic itself upgrades the shape to its heads (every table built) and downgrades it to nothing."""
    ini = (root / "alembic.ini").read_text()
    with scratch_database(server_url) as url:
        (root / "run.ini").write_text(ini.replace("sqlalchemy.url = sqlite://", f"sqlalchemy.url = {url}"))
        run = subprocess.run(
            [sys.executable, "-c", ALEMBIC_UP_AND_DOWN, url],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert run.returncode == 0, run.stderr
        built = set(run.stdout.split())
        assert built == {"alembic_version"} | {"t_" + r.id for r in revs if r.column_of is None}
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                assert inspect(connection).get_table_names() == ["alembic_version"]
                assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
        finally:
            engine.dispose()


def summary(result: migcheck.CheckResult) -> list[tuple[str, str, int, str | None]]:
    return [(f.rule, f.location.path, f.location.line, f.revision) for f in result.findings]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_correct_branched_history_round_trips_clean(
    tmp_path: Path, server_url: str | None, shape: str
) -> None:
    root = write_project(tmp_path, SHAPES[shape])
    assert_alembic_round_trips(root, server_url, SHAPES[shape])

    result = migcheck.check(root, database_url=server_url, roundtrip=True, expected_heads=HEADS[shape])

    assert result.findings == ()
    assert result.exit_code == 0


# one broken revision per shape on every dialect, the others on SQLite
BROKEN = [
    ("diamond", "c"),  # the second branch: stepping it back must not undo the first
    ("three-parent merge", "m"),  # the merge
    ("labelled", "r1"),
    ("depends_on", "b2"),  # the revision that depends on the other branch
]
BROKEN_SQLITE = [
    ("diamond", "d"),  # the merge
    ("three-parent merge", "e"),
    ("labelled", "l2"),
    ("depends_on", "m"),  # the revision depended on
]


def assert_only_mc203_at(root: Path, shape: str, rid: str, server_url: str | None) -> None:
    result = migcheck.check(root, database_url=server_url, roundtrip=True, expected_heads=HEADS[shape])

    path = f"migrations/versions/{rid}_rev.py"
    assert summary(result) == [("MC203", path, downgrade_line(root, rid), rid)]
    leftover = f"c_{rid}" if any(r.id == rid and r.column_of for r in SHAPES[shape]) else f"t_{rid}"
    assert leftover in result.findings[0].message
    assert result.exit_code == 1


@pytest.mark.parametrize(("shape", "rid"), BROKEN, ids=[f"{s}-{r}" for s, r in BROKEN])
def test_one_broken_downgrade_is_mc203_at_its_def_downgrade_and_nothing_else(
    tmp_path: Path, server_url: str | None, shape: str, rid: str
) -> None:
    assert_only_mc203_at(write_project(tmp_path, SHAPES[shape], broken={rid}), shape, rid, server_url)


@pytest.mark.parametrize(("shape", "rid"), BROKEN_SQLITE, ids=[f"{s}-{r}" for s, r in BROKEN_SQLITE])
def test_on_sqlite_any_one_broken_downgrade_is_mc203_at_it(tmp_path: Path, shape: str, rid: str) -> None:
    assert_only_mc203_at(write_project(tmp_path, SHAPES[shape], broken={rid}), shape, rid, None)


def test_a_one_way_revision_is_mc204_and_the_round_trip_goes_on_above_it(
    tmp_path: Path, server_url: str | None
) -> None:
    revs = (Rev("a", None), Rev("b", "a"), Rev("c", "b"), Rev("d", "c", column_of="t_a"))
    root = write_project(tmp_path, revs, one_way={"b"}, broken={"d"})

    result = migcheck.check(root, database_url=server_url, roundtrip=True)

    assert summary(result) == [
        ("MC204", "migrations/versions/b_rev.py", downgrade_line(root, "b"), "b"),
        ("MC203", "migrations/versions/d_rev.py", downgrade_line(root, "d"), "d"),
    ]
    one_way = result.findings[0]
    assert one_way.severity is Severity.WARNING
    assert "NotImplementedError (dropping t_b loses its rows)" in one_way.message
    assert "c_d" in result.findings[1].message


def test_a_one_way_merge_is_stepped_over_and_the_revision_above_it_still_checked(tmp_path: Path) -> None:
    revs = (*DIAMOND, Rev("f", "d", column_of="t_b"))
    clean = write_project(tmp_path, revs, one_way={"d"})
    broken = write_project(tmp_path, revs, one_way={"d"}, broken={"f"})

    assert summary(migcheck.check(clean, roundtrip=True)) == [
        ("MC204", "migrations/versions/d_rev.py", downgrade_line(clean, "d"), "d")
    ]
    assert [f.rule for f in migcheck.check(broken, roundtrip=True).findings] == [
        "MC204",
        "MC203",
    ]


def test_with_metadata_migcheck_steps_back_through_its_own_environment(tmp_path: Path) -> None:
    revs = (*DIAMOND, Rev("f", "d", column_of="t_b"))
    clean = write_project(tmp_path, revs, one_way={"d"})
    broken = write_project(tmp_path, revs, broken={"c"})

    assert summary(migcheck.check(clean, roundtrip=True, metadata="models:metadata")) == [
        ("MC204", "migrations/versions/d_rev.py", downgrade_line(clean, "d"), "d")
    ]
    assert summary(migcheck.check(broken, roundtrip=True, metadata="models:metadata")) == [
        ("MC203", "migrations/versions/c_rev.py", downgrade_line(broken, "c"), "c")
    ]


def test_mc204_alone_exits_0_unless_fail_on_warning(tmp_path: Path) -> None:
    root = write_project(tmp_path, (Rev("a", None), Rev("b", "a"), Rev("c", "b")), one_way={"b"})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "migcheck", "check", str(root), "--roundtrip", *args]
        return subprocess.run(command, capture_output=True, text=True)

    default = run()
    assert default.returncode == 0, default.stderr
    assert "MC204" in default.stdout
    assert "b_rev.py" in default.stdout
    strict = run("--fail-on", "warning")
    assert strict.returncode == 1
    assert "MC204" in strict.stdout
    assert "Traceback" not in default.stderr + strict.stderr


def test_mc204_is_ignored_by_a_comment_on_the_def_downgrade_line(tmp_path: Path) -> None:
    root = write_project(tmp_path, (Rev("a", None), Rev("b", "a")), one_way={"b"})
    revision = versions_dir(root) / "b_rev.py"
    marked = "def downgrade() -> None:  # migcheck: ignore[MC204]"
    revision.write_text(revision.read_text().replace("def downgrade() -> None:", marked))

    assert migcheck.check(root, roundtrip=True).findings == ()


def test_not_implemented_raised_by_an_operation_is_a_failing_downgrade_not_mc204(tmp_path: Path) -> None:
    # on SQLite Alembic raises NotImplementedError for an ALTER of a constraint outside batch mode: that is a
    # downgrade that fails, not a revision that says it is one-way
    revs = (Rev("a", None), Rev("b", "a"))
    root = write_project(
        tmp_path, revs, downgrades={"b": "op.drop_constraint('x', 't_a')\n    op.drop_table('t_b')"}
    )

    result = migcheck.check(root, roundtrip=True)

    assert summary(result) == [("MC203", "migrations/versions/b_rev.py", downgrade_line(root, "b"), "b")]
    assert "its downgrade fails" in result.findings[0].message
    assert "SQLite" in result.findings[0].message


# --- the parts -----------------------------------------------------------------------------------------


def _heads(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


def test_step_back_undoes_exactly_one_revision_and_restores_a_merges_parent_heads(
    tmp_path: Path, server_url: str | None
) -> None:
    root = write_project(tmp_path, DIAMOND)
    env = discover(root).environments[0]
    with (
        scratch_database(server_url) as url,
        Runner(env, url, metadata=None, python_path=(root,), cwd=root) as runner,
    ):
        assert runner.migrate("heads") is None
        assert _heads(url) == {"d"}

        assert runner.step_back("d") is None
        assert _heads(url) == {"b", "c"}
        with runner.engine.connect() as connection:
            assert "c_d" not in {c["name"] for c in inspect(connection).get_columns("t_a")}

        assert runner.step_back("b") is None  # the other branch, c, stays
        assert _heads(url) == {"c"}
        with runner.engine.connect() as connection:
            assert {t for t in inspect(connection).get_table_names() if t.startswith("t_")} == {"t_a", "t_c"}

        with pytest.raises(MigcheckError, match="cannot step back revision 'a' alone"):
            runner.step_back("a")

"""The drift check (MC201-MC203) on real databases: SQLite, PostgreSQL and MariaDB, through the public API.

Projects are copied from tests/trees/drift/ into tmp_path; each CASE.md there says what it shows. The "clean"
state of the seed examples is made the way a user makes it: with Alembic's own autogenerate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import TREES, copy_case

import migcheck
from migcheck import scratch
from migcheck.scratch import list_scratch_databases, scratch_database

DRIFT = TREES / "drift"


@pytest.fixture
def project(tmp_path: Path):
    def copy(name: str) -> Path:
        root = copy_case(DRIFT / name, tmp_path / name)
        # these tests are about the drift check; the MC3xx lint of the cases' revisions is tested in
        # tests/test_lintrun.py and tests/checks/ (no case has a pyproject.toml of its own)
        assert not (root / "pyproject.toml").exists()
        (root / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC3"]\n')
        return root

    return copy


def _leftovers(server_url: str | None, names: list[str]) -> set[str]:
    """Which of these scratch databases are still on the server (only our own: other runs share it)."""
    return set(names) & set(list_scratch_databases(server_url)) if server_url else set()


@pytest.fixture
def scratch_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the scratch databases this test's in-process checks create."""
    names: list[str] = []
    token_hex = scratch.secrets.token_hex

    def recording(n: int) -> str:
        value = token_hex(n)
        names.append(scratch.PREFIX + value)
        return value

    monkeypatch.setattr(scratch.secrets, "token_hex", recording)
    return names


# `migcheck ARGS...` in a subprocess that appends the name of each scratch database it creates to NAMES_FILE
RECORDING_MIGCHECK = """
import secrets, sys
from migcheck import scratch
from migcheck.cli import main

names, sys.argv = open(sys.argv[1], "a"), ["migcheck", *sys.argv[2:]]
token_hex = secrets.token_hex

def recording(n):
    value = token_hex(n)
    names.write(scratch.PREFIX + value + "\\n")
    names.flush()
    return value

secrets.token_hex = recording
main()
"""


def _migcheck(names_file: Path) -> list[str]:
    return [sys.executable, "-c", RECORDING_MIGCHECK, str(names_file)]


def _recorded(names_file: Path) -> list[str]:
    return names_file.read_text().split() if names_file.exists() else []


def _summary(result: migcheck.CheckResult) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.line) for f in result.findings]


def _alembic(project: Path, ini: str, url: str, *args: str) -> None:
    """Run the alembic command line in the project against `url` (written into a copy of its ini)."""
    text = (project / ini).read_text()
    lines = [line for line in text.splitlines() if not line.startswith("sqlalchemy.url")]
    at = lines.index("[alembic]") + 1
    lines.insert(at, "sqlalchemy.url = " + url.replace("%", "%%"))
    (project / "generate.ini").write_text("\n".join(lines) + "\n")
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "generate.ini", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert run.returncode == 0, run.stderr
    (project / "generate.ini").unlink()


def _autogenerate(project: Path, ini: str, server_url: str | None) -> None:
    """`alembic upgrade heads` + `alembic revision --autogenerate` on a scratch database, as a user would."""
    with scratch_database(server_url) as url:
        _alembic(project, ini, url, "upgrade", "heads")
        _alembic(project, ini, url, "revision", "--autogenerate", "-m", "add user age")


def test_seed_blog_reports_the_ungenerated_column_at_the_model_line(
    project, server_url, scratch_names
) -> None:
    blog = project("blog_declarative")

    result = migcheck.check(blog, database_url=server_url)

    assert _summary(result) == [("MC201", "models.py", 12)]
    assert result.findings[0].message == "column `user.age` is in the models but no migration creates it"
    assert "op.add_column('user', sa.Column('age', sa.Integer(), nullable=True))" in result.findings[0].hint
    assert "alembic revision --autogenerate" in result.findings[0].hint
    assert len(scratch_names) == (1 if server_url else 0)
    assert _leftovers(server_url, scratch_names) == set()


def test_seed_blog_is_clean_once_autogenerate_wrote_the_migration(project, server_url) -> None:
    blog = project("blog_declarative")
    _autogenerate(blog, "alembic.ini", server_url)

    result = migcheck.check(blog, database_url=server_url)

    assert _summary(result) == []
    assert result.revision_count == 2


GENERIC_ENV = """\
from alembic import context
from sqlalchemy import engine_from_config, pool
from flask_alembic_demo import db

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section), poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=db.metadata)
    with context.begin_transaction():
        context.run_migrations()
"""


def test_flask_sqlalchemy_app_is_checked_through_metadata(project, server_url) -> None:
    app = project("flask_sqlalchemy")

    result = migcheck.check(app, database_url=server_url, metadata="flask_alembic_demo:db")

    assert _summary(result) == [("MC201", "flask_alembic_demo.py", 12)]
    assert "flask db migrate" in result.findings[0].hint


def test_flask_sqlalchemy_app_is_clean_once_autogenerate_wrote_the_migration(project, server_url) -> None:
    app = project("flask_sqlalchemy")
    env_py = app / "migrations" / "env.py"
    flask_env = env_py.read_text()
    # Flask-Migrate's env.py needs the Flask CLI; generate with a plain env.py, then put the project's back
    env_py.write_text(GENERIC_ENV)
    (app / "gen.ini").write_text("[alembic]\nscript_location = migrations\nprepend_sys_path = .\n")
    _autogenerate(app, "gen.ini", server_url)
    env_py.write_text(flask_env)

    result = migcheck.check(app, database_url=server_url, metadata="flask_alembic_demo:db")

    assert _summary(result) == []


def test_type_and_nullable_changes_are_one_finding_per_column(project, server_url) -> None:
    result = migcheck.check(project("type_and_nullable_change"), database_url=server_url)

    assert _summary(result) == [("MC201", "models.py", 13), ("MC201", "models.py", 14)]
    name, active = (f.message for f in result.findings)
    assert "VARCHAR(50) in the database" in name and "NOT NULL in the models" in name
    # MySQL stores Boolean as TINYINT(1); that is not a type change
    assert (
        active
        == "column `account.active`: NOT NULL in the models but nullable in the database (no migration changes it)"
    )


def test_a_table_only_in_the_database_is_reported_at_the_newest_head(project, server_url) -> None:
    result = migcheck.check(project("table_only_in_database"), database_url=server_url)

    assert _summary(result) == [("MC201", "migrations/versions/cccccccccccc_add_user_email.py", 15)]
    assert (
        "table `legacy_audit` is created by the migrations but is not in the models"
        in result.findings[0].message
    )
    assert "op.drop_table('legacy_audit')" in result.findings[0].hint


def test_core_table_column_is_located_at_its_column_call(project, server_url) -> None:
    result = migcheck.check(project("core_table"), database_url=server_url)

    assert _summary(result) == [("MC201", "tables.py", 9)]


def test_sqlmodel_models_through_env_py(project) -> None:
    # SQLModel keeps one global MetaData per process, so this runs as the command a user types
    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(project("sqlmodel_app"))],
        capture_output=True,
        text=True,
    )

    assert run.returncode == 1, run.stderr
    assert "models.py:7: MC201 error: column `hero.secret_name` is in the models" in run.stdout


def test_a_migration_failing_half_way_is_mc202_and_leaves_no_database(
    project, server_url, scratch_names
) -> None:
    result = migcheck.check(project("fails_half_way"), database_url=server_url)

    assert _summary(result) == [("MC202", "migrations/versions/cccccccccccc_create_tag_table.py", 21)]
    assert "no_such_table" in result.findings[0].message
    assert result.findings[0].revision == "cccccccccccc"
    assert len(scratch_names) == (1 if server_url else 0)
    assert _leftovers(server_url, scratch_names) == set()


def test_a_syntax_error_below_the_header_is_mc107_at_its_line_and_the_drift_check_waits(project) -> None:
    # the graph checks compile every revision file, as Alembic's import does: no need to run anything
    blog = project("blog_declarative")
    revision = next((blog / "migrations" / "versions").glob("*.py"))
    lines = revision.read_text().count("\n")
    revision.write_text(revision.read_text() + "\n\ndef helper(:\n    pass\n")

    result = migcheck.check(blog)

    assert _summary(result) == [("MC107", f"migrations/versions/{revision.name}", lines + 3)]
    assert "not valid Python: invalid syntax" in result.findings[0].message
    assert "drift check skipped for migrations: fix the revision graph errors first" in result.notices


def test_roundtrip_reports_the_revision_whose_downgrade_is_incomplete(project, server_url) -> None:
    tree = project("roundtrip_broken")

    assert migcheck.check(tree, database_url=server_url).findings == ()
    result = migcheck.check(tree, database_url=server_url, roundtrip=True)

    assert _summary(result) == [("MC203", "migrations/versions/bbbbbbbbbbbb_add_note_title.py", 26)]
    assert "title" in result.findings[0].message


def test_no_drift_skips_it_and_drift_only_runs_only_it(project) -> None:
    blog = project("blog_declarative")
    (blog / "migrations" / "versions" / "zzzzzzzzzzzz_stray.py").write_text(
        'revision = "zzzzzzzzzzzz"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n'
    )

    assert [f.rule for f in migcheck.check(blog, drift=False).findings] == ["MC101", "MC105"]
    assert [f.rule for f in migcheck.check(blog, drift_only=True).findings] == ["MC201"]


def test_an_import_error_in_the_models_exits_2_with_the_users_traceback(project) -> None:
    blog = project("blog_declarative")
    models = blog / "models.py"
    models.write_text(models.read_text() + "\nimport no_such_module_anywhere\n")

    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(blog)], capture_output=True, text=True
    )

    assert run.returncode == 2
    assert "ModuleNotFoundError: No module named 'no_such_module_anywhere'" in run.stderr
    assert f"File '{models}'" in run.stderr
    assert "migcheck/" not in run.stderr.replace(str(blog), "")
    assert "Traceback" not in run.stderr


def test_a_flask_migrate_env_py_without_an_app_to_run_in_exits_2_naming_metadata(project) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(project("flask_sqlalchemy"))],
        capture_output=True,
        text=True,
    )

    assert run.returncode == 2
    assert "--metadata" in run.stderr


SLOW_REVISION = '''\
"""sleep

Revision ID: ssssssssssss
Revises: aaaaaaaaaaaa
"""
import time

revision = "ssssssssssss"
down_revision = "aaaaaaaaaaaa"
branch_labels = None
depends_on = None


def upgrade():
    open(__file__ + ".started", "w").close()
    time.sleep(60)


def downgrade():
    pass
'''


def _start_slow_check(blog: Path, server_url: str | None, names_file: Path) -> subprocess.Popen[str]:
    (blog / "migrations" / "versions" / "ssssssssssss_sleep.py").write_text(SLOW_REVISION)
    command = [*_migcheck(names_file), "check", str(blog)]
    if server_url:
        command += ["--database-url", server_url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_check_still_drops_the_scratch_database(
    project, server_url, how, tmp_path
) -> None:
    blog = project("blog_declarative")
    names_file = tmp_path / "scratch-names"
    child = _start_slow_check(blog, server_url, names_file)
    marker = blog / "migrations" / "versions" / "ssssssssssss_sleep.py.started"
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), child.communicate()

    child.send_signal(how)
    _, err = child.communicate(timeout=30)

    assert child.returncode != 0
    assert "Traceback" not in err
    assert len(_recorded(names_file)) == (1 if server_url else 0)
    assert _leftovers(server_url, _recorded(names_file)) == set()


def test_two_checks_at_once_on_one_server(project, server_url, tmp_path) -> None:
    first, second = project("blog_declarative"), project("type_and_nullable_change")
    names_file = tmp_path / "scratch-names"
    command = [*_migcheck(names_file), "check", "--format", "json"]
    extra = ["--database-url", server_url] if server_url else []
    runs = [
        subprocess.Popen([*command, str(p), *extra], stdout=subprocess.PIPE, text=True)
        for p in (first, second)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [1, 1]
    assert '"line": 12' in outputs[0] and '"line": 13' in outputs[1]
    names = _recorded(names_file)
    assert len(set(names)) == (2 if server_url else 0)
    assert _leftovers(server_url, names) == set()


def test_findings_name_no_password(project, pg_url) -> None:
    url = pg_url.replace("postgres@", "postgres:s3cret@")
    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(project("blog_declarative")), "--database-url", url],
        capture_output=True,
        text=True,
    )

    assert "s3cret" not in run.stdout + run.stderr


def test_a_role_without_createdb_exits_2_naming_the_privilege(project, pg_url) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP ROLE IF EXISTS migcheck_drift_nocreatedb"))
        conn.execute(text("CREATE ROLE migcheck_drift_nocreatedb LOGIN NOCREATEDB"))
    try:
        url = pg_url.replace("postgres@", "migcheck_drift_nocreatedb@", 1)
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "migcheck",
                "check",
                str(project("blog_declarative")),
                "--database-url",
                url,
            ],
            capture_output=True,
            text=True,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP ROLE IF EXISTS migcheck_drift_nocreatedb"))
        admin.dispose()

    assert run.returncode == 2
    assert "CREATEDB" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_readme_example_runs_the_drift_check_clean() -> None:
    example = Path(__file__).parent.parent / "examples" / "blog"

    result = migcheck.check(example)

    assert result.exit_code == 0
    assert not [n for n in result.notices if "drift check skipped" in n]


def test_drift_tests_cover_every_case_directory() -> None:
    used = set(textwrap.dedent(Path(__file__).read_text()).split('"'))
    assert {p.name for p in DRIFT.iterdir() if p.is_dir()} <= used

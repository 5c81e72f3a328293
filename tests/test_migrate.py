"""The migration runner says what failed and where, in both modes (env.py and --metadata).

A failing step is reported by its first database error, with the driver's exception type, not by PostgreSQL's
"current transaction is aborted" that follows a caught error; an exception raised while Alembic imports a
revision file names that file and shows the project's own frames only; and a message never suggests
--metadata when it was given. Projects are generated with `alembic init -t generic` and edited the way a user
edits them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import add_step_revision, users_project

import migcheck

# the same project through env.py, and through migcheck's own environment around the models
MODES = {"env.py": {}, "--metadata": {"metadata": "models:Base"}}
SETTINGS = """\
import os


class Settings:
    secret = os.environ["MYAPP_SECRET"]


settings = Settings()
"""


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def check(root: Path, **settings: Any) -> migcheck.CheckResult:
    """migcheck.check without the MC3xx lint: these tests are about the migration runner; the lint of their
    revisions (MC305 for the UPDATE with no WHERE, MC306 for add_step_revision's `pass` downgrades) is tested
    in tests/test_lintrun.py and tests/checks/."""
    return migcheck.check(root, ignore=["MC3"], **settings)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MYAPP_SECRET"}
    return subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


# --- the first error of a step ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_caught_error_is_reported_not_the_aborted_transaction_after_it(tmp_path, pg_url, mode) -> None:
    root = users_project(tmp_path)
    add_step_revision(
        root,
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        """
        try:
            op.execute("UPDATE no_such_table SET x = 1")
        except sa.exc.DBAPIError:
            pass  # the migration goes on; PostgreSQL refuses every later statement of the transaction
        op.create_table("tag", sa.Column("id", sa.Integer(), primary_key=True))
        """,
    )

    result = check(root, database_url=pg_url, **MODES[mode])

    assert [f.rule for f in result.findings] == ["MC202"]
    assert result.findings[0].message == (
        "revision 'bbbbbbbbbbbb' fails on a fresh postgresql database: UndefinedTable: relation"
        ' "no_such_table" does not exist; the statements after it failed with "current transaction is aborted"'
    )


def test_an_error_rolled_back_to_a_savepoint_is_not_the_failure(tmp_path, pg_url) -> None:
    root = users_project(tmp_path)
    add_step_revision(
        root,
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        """
        try:
            with op.get_bind().begin_nested():
                op.execute("UPDATE no_such_table SET x = 1")
        except sa.exc.DBAPIError:
            pass  # undone by the savepoint: the transaction goes on
        op.execute("SELECT 1 / 0")
        """,
    )

    result = check(root, database_url=pg_url)

    assert [f.message for f in result.findings] == [
        "revision 'bbbbbbbbbbbb' fails on a fresh postgresql database: DivisionByZero: division by zero"
    ]


# --- where the failure is --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_revision_file_whose_import_raises_is_named_with_the_projects_frames_only(tmp_path, mode) -> None:
    root = users_project(tmp_path)
    (root / "myapp").mkdir()
    (root / "myapp" / "__init__.py").write_text("")
    settings = root / "myapp" / "settings.py"
    settings.write_text(SETTINGS)
    revision = add_step_revision(
        root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", "pass", imports="from myapp.settings import settings"
    )

    run = cli(root, *(f"--{k}={v}" for k, v in MODES[mode].items()))

    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith(
        "migcheck: error: migrations: revision file bbbbbbbbbbbb_step.py raised KeyError: 'MYAPP_SECRET'\n"
        f"  File '{revision}', line {line_of(revision, 'from myapp.settings')}, in <module>\n"
    )
    assert f"  File '{settings}', line {line_of(settings, 'MYAPP_SECRET')}, in Settings\n" in run.stderr
    frames = [line for line in run.stderr.splitlines() if line.startswith("  File ")]
    assert all(str(root) in line for line in frames), frames  # no env.py, Alembic, migcheck or <frozen os>
    assert "env.py" not in run.stderr and "--metadata" not in run.stderr
    assert "environment variables" in run.stderr


def test_with_metadata_given_an_env_py_error_never_suggests_metadata(tmp_path) -> None:
    # a Flask-Migrate env.py runs in the app --metadata names; this app never set up Flask-Migrate
    app = Path(
        shutil.copytree(Path(__file__).parent / "trees" / "drift" / "flask_sqlalchemy", tmp_path / "app")
    )

    run = cli(app, "--metadata", "flask_alembic_demo:app")

    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith("migcheck: error: migrations: env.py raised KeyError: 'migrate'")
    assert "--metadata" not in run.stderr


def test_the_users_frames_leave_out_migchecks_own_even_under_a_python_path_root(tmp_path) -> None:
    root = users_project(tmp_path)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace("from models import Base", "from models import Base\n1 / 0"))
    migchecks_checkout = Path(migcheck.__file__).resolve().parent.parent

    result = migcheck.check(root, python_path=[str(root), str(migchecks_checkout)])

    assert (result.error or "").startswith("migrations: env.py raised ZeroDivisionError: division by zero")
    assert f"File '{env_py}', line {line_of(env_py, '1 / 0')}, in <module>" in (result.error or "")
    assert "migcheck/migrate.py" not in (result.error or "")

"""`drift = "auto"`: a project the drift check cannot import for a missing package, or migrations in another
dialect's SQL on the default SQLite scratch database, give a warning and the graph verdict; nothing else is
excused. Projects made by `alembic init -t generic` (helpers.users_project), with real PostgreSQL-only
migrations run on SQLite."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from helpers import PG_URL_DEFAULT, add_step_revision, reachable_server, users_project

from migcheck.config import load_settings
from migcheck.driftauto import foreign_sql, lenient
from migcheck.engine import run
from migcheck.outcome import DriftOutcome, Failure
from migcheck.report import json as json_report
from migcheck.report import text

CREATE_EXTENSION = 'op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")'
ALTER_USING = 'op.execute("ALTER TABLE users ALTER COLUMN name TYPE integer USING length(name)")'


def _configured_for(root: Path, url: str) -> None:
    ini = root / "alembic.ini"
    lines = ini.read_text().splitlines()
    ini.write_text(
        "\n".join(f"sqlalchemy.url = {url}" if line.startswith("sqlalchemy.url") else line for line in lines)
        + "\n"
    )


def _check(root: Path, drift: object = "auto", **overrides: object):  # noqa: ANN202 - a CheckResult
    # these tests are about drift = "auto"; the MC3xx lint of their revisions is tested in tests/test_lintrun.py
    # and tests/checks/ (a test's own `ignore` is kept, MC3 added to it)
    ignore = [*overrides.pop("ignore", ()), "MC3"]
    return run(load_settings(root, {"drift": drift, **overrides, "ignore": ignore}))


def test_a_postgresql_extension_on_sqlite_is_a_warning_and_the_graph_verdict_stands(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    _configured_for(root, "postgresql+psycopg://app@db.internal/app")
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", CREATE_EXTENSION)

    result = _check(root)

    assert (result.exit_code, result.error, result.findings) == (0, None, ())
    (warning,) = result.warnings
    assert (
        "revision 'bbbbbbbbbbbb' (migrations/versions/bbbbbbbbbbbb_step.py) is written for PostgreSQL, and the"
        " default SQLite scratch database cannot run it"
    ) in warning
    assert 'near "EXTENSION": syntax error' in warning
    assert "the project is configured for PostgreSQL" in warning
    assert "pass --database-url postgresql+psycopg://USER@HOST:5432/postgres (a PostgreSQL server" in warning
    assert warning.startswith("migrations: the graph checks ran, the drift check did not: ")
    assert warning.endswith("or skip the drift check with --no-drift")
    assert f"warning: {warning}" in text.render(result)
    assert json.loads(json_report.render(result))["warnings"] == [warning]


def test_the_same_migration_under_drift_true_is_mc202(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    _configured_for(root, "postgresql+psycopg://app@db.internal/app")
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", CREATE_EXTENSION)

    result = _check(root, drift=True)

    [mc202] = result.findings
    assert mc202.rule == "MC202" and result.exit_code == 1 and result.warnings == ()
    # not "fix the migration": it is fine, on the database it is written for
    assert mc202.hint == (
        "the migration is written for PostgreSQL (the project is configured for PostgreSQL): check on that"
        " dialect with --database-url postgresql+psycopg://USER@HOST:5432/postgres (a server where migcheck may"
        " create a scratch database)"
    )


def test_alter_column_type_using_is_told_by_the_statement_when_nothing_names_the_dialect(
    tmp_path: Path,
) -> None:
    # alembic init leaves `sqlalchemy.url = driver://user:pass@localhost/dbname`: no dialect to go by
    root = users_project(tmp_path)
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", ALTER_USING)

    result = _check(root)

    assert result.exit_code == 0 and result.findings == ()
    (warning,) = result.warnings
    assert 'near "ALTER": syntax error' in warning
    assert "SQLite has no ALTER COLUMN ... TYPE ... USING" in warning


def test_alter_column_with_postgresql_using_is_told_by_the_revision_file(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    add_step_revision(
        root,
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        'op.alter_column("users", "name", type_=sa.Integer(), postgresql_using="length(name)")',
    )

    result = _check(root)

    assert result.exit_code == 0 and result.findings == ()
    (warning,) = result.warnings
    assert "the revision is written for PostgreSQL (postgresql_using=)" in warning


def test_a_project_configured_for_sqlite_gets_mc202_for_the_same_sql(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    _configured_for(root, "sqlite:///app.db")
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", ALTER_USING)

    result = _check(root)

    assert [f.rule for f in result.findings] == ["MC202"]
    assert result.warnings == ()


def test_a_plain_syntax_error_stays_mc202(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", 'op.execute("CRATE TABLE tags (id integer)")')

    result = _check(root)

    assert [f.rule for f in result.findings] == ["MC202"]
    assert result.warnings == ()


def test_a_migration_that_fails_for_its_own_reason_stays_mc202_in_a_postgresql_project(
    tmp_path: Path,
) -> None:
    root = users_project(tmp_path)
    _configured_for(root, "postgresql+psycopg://app@db.internal/app")
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", 'op.drop_table("tags")')

    result = _check(root)

    assert [f.rule for f in result.findings] == ["MC202"]
    assert "no such table: tags" in result.findings[0].message
    assert result.warnings == ()


def test_model_drift_stays_mc201_under_auto(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    models = root / "models.py"
    models.write_text(models.read_text() + "    email: Mapped[str] = mapped_column(String(100))\n")

    result = _check(root)

    assert [f.rule for f in result.findings] == ["MC201"]
    assert result.exit_code == 1 and result.warnings == ()


def _missing_package_in_models(root: Path) -> None:
    models = root / "models.py"
    models.write_text("import flask_login_absent_for_the_test  # noqa: F401\n" + models.read_text())


def test_a_package_the_models_import_that_is_not_installed_is_a_warning(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    _missing_package_in_models(root)

    result = _check(root)

    assert (result.exit_code, result.error, result.findings) == (0, None, ())
    (warning,) = result.warnings
    assert "the project imports 'flask_login_absent_for_the_test', which is not installed" in warning
    assert "env.py raised ModuleNotFoundError: No module named 'flask_login_absent_for_the_test'" in warning
    assert "pip install -r requirements.txt" in warning and "--no-drift" in warning


def test_the_same_missing_package_under_drift_true_could_not_check(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    _missing_package_in_models(root)

    result = _check(root, drift=True)

    assert result.exit_code == 2 and result.warnings == ()
    assert "No module named 'flask_login_absent_for_the_test'" in (result.error or "")


def test_a_missing_module_of_the_project_itself_still_could_not_check(tmp_path: Path) -> None:
    # `models` exists in the project: `models.user` missing is a bug (or a path), not a package to install
    root = users_project(tmp_path)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace("from models import Base", "from models.user import Base"))

    result = _check(root)

    assert result.exit_code == 2 and result.warnings == ()
    assert "No module named 'models.user'" in (result.error or "")


def test_another_import_error_still_could_not_check(tmp_path: Path) -> None:
    # an installed package without the name asked for (another version): not a missing package
    root = users_project(tmp_path)
    models = root / "models.py"
    models.write_text("from sqlalchemy import NoSuchThing  # noqa: F401\n" + models.read_text())

    result = _check(root)

    assert result.exit_code == 2 and result.warnings == ()


def test_a_revision_file_importing_a_package_that_is_not_installed_is_a_warning(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    add_step_revision(
        root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", "pass", imports="import geoalchemy_absent_for_the_test"
    )

    strict, auto = _check(root, drift=True), _check(root)

    assert [f.rule for f in strict.findings] == ["MC202"]
    assert auto.exit_code == 0 and auto.findings == ()
    (warning,) = auto.warnings
    assert "the project imports 'geoalchemy_absent_for_the_test'" in warning
    assert "revision file migrations/versions/bbbbbbbbbbbb_step.py raised ModuleNotFoundError" in warning


def test_with_a_database_url_auto_is_strict(tmp_path: Path) -> None:
    url = reachable_server("MIGCHECK_TEST_PG", PG_URL_DEFAULT, "PostgreSQL")
    root = users_project(tmp_path)
    _missing_package_in_models(root)

    result = _check(root, database_url=url)

    assert result.exit_code == 2 and result.warnings == ()


def test_graph_findings_still_decide_the_verdict(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    _configured_for(root, "postgresql+psycopg://app@db.internal/app")
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", CREATE_EXTENSION)
    add_step_revision(root, "cccccccccccc", "aaaaaaaaaaaa", "pass")  # a second head

    result = _check(root)

    assert [f.rule for f in result.findings] == ["MC101"]
    assert result.exit_code == 1


def test_auto_is_read_from_the_config_file(tmp_path: Path) -> None:
    root = users_project(tmp_path)
    (root / "pyproject.toml").write_text('[tool.migcheck]\ndrift = "auto"\n')

    assert load_settings(root).drift == "auto"
    assert load_settings(root, {"drift": "AUTO"}).drift == "auto"
    assert lenient(load_settings(root))
    assert not lenient(load_settings(root, {"database_url": PG_URL_DEFAULT}))
    assert not lenient(load_settings(root, {"drift": "true"}))


def test_a_bad_drift_value_names_the_choices(tmp_path: Path) -> None:
    from migcheck.errors import MigcheckError

    with pytest.raises(MigcheckError, match=r"drift: expected true, false or auto, got 'sometimes'"):
        load_settings(tmp_path, {"drift": "sometimes"})


def _outcome(error: str, statement: str | None = None, target: str | None = None) -> DriftOutcome:
    return DriftOutcome("sqlite", failure=Failure("bbbb", error, statement=statement), target=target)


@pytest.mark.parametrize(
    ("statement", "dialect"),
    [
        ("CREATE EXTENSION IF NOT EXISTS pg_trgm", "postgresql"),
        ("CREATE TYPE mood AS ENUM ('sad', 'ok')", "postgresql"),
        ("CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN END $$ LANGUAGE plpgsql", "postgresql"),
        ("CREATE INDEX CONCURRENTLY ix ON users (name)", "postgresql"),
        ("UPDATE users SET name = id::text", "postgresql"),
        ("CREATE TABLE t (id int) ENGINE=InnoDB", "mysql"),
        ("ALTER TABLE users MODIFY COLUMN name VARCHAR(10)", "mysql"),
        ("ALTER TABLE users ADD CONSTRAINT uq UNIQUE (name)", None),
        ("GRANT SELECT ON users TO reader", None),
    ],
)
def test_statements_sqlite_has_no_form_of(statement: str, dialect: str | None) -> None:
    foreign = foreign_sql(_outcome('OperationalError: near "X": syntax error', statement), None)

    assert foreign is not None and foreign.dialect == dialect


@pytest.mark.parametrize(
    "statement",
    ["CREATE TABLE grant (id int", "INSERT INTO users VALUES (1, 'a'", "CRATE TABLE t (id int)"],
)
def test_a_syntax_error_in_sql_sqlite_has_is_not_excused(statement: str) -> None:
    assert foreign_sql(_outcome('OperationalError: near "(": syntax error', statement), None) is None


def test_only_sqlites_own_limits_are_excused() -> None:
    sql = "CREATE EXTENSION pg_trgm"
    assert foreign_sql(_outcome("IntegrityError: UNIQUE constraint failed: users.name", sql), None) is None
    assert (
        foreign_sql(_outcome('OperationalError: near "X": syntax error', sql, target="sqlite"), None) is None
    )
    alembic_limit = "NotImplementedError: No support for ALTER of constraints in SQLite dialect. Please refer"
    assert foreign_sql(_outcome(alembic_limit, target="postgresql"), None) is not None
    assert foreign_sql(_outcome(alembic_limit), None) is None  # nothing says which dialect the project has


def test_a_scratch_database_of_another_dialect_excuses_nothing() -> None:
    outcome = DriftOutcome(
        "postgresql", failure=Failure("bbbb", "SyntaxError: syntax error", statement="CREATE EXTENSION x")
    )

    assert foreign_sql(outcome, None) is None


def test_the_packages_used_by_these_tests_are_really_absent() -> None:
    for name in ("flask_login_absent_for_the_test", "geoalchemy_absent_for_the_test"):
        assert importlib.util.find_spec(name) is None

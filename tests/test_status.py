"""`migcheck status`: a live database against the revision files (MC401, MC402), read-only, on real databases.

Each test gets a fresh database: a SQLite file, or a database created on the PostgreSQL / MariaDB server for
that test and dropped afterwards. The version table is written by hand, exactly as Alembic lays it out.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from helpers import REVISION_LINE, copy_case, make_tree, write_revision
from sqlalchemy.pool import NullPool

from migcheck.checks import REGISTRY
from migcheck.cli import main
from migcheck.config import load_settings
from migcheck.engine import status as run_status
from migcheck.errors import MigcheckError
from migcheck.livedb import read_only_connection
from migcheck.scratch import mask_url

A, B, C = "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"
HEAD_FILE = "migrations/versions/cccccccccccc_create_order_table.py"
SERVERS = {
    "postgresql": ("MIGCHECK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("MIGCHECK_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
VERSION_TABLE = (
    "CREATE TABLE {name} (version_num VARCHAR(32) NOT NULL, CONSTRAINT {pk}_pkc PRIMARY KEY (version_num))"
)


@dataclass
class Database:
    """One fresh database and a way to look inside it from outside migcheck."""

    url: str

    def execute(self, *statements: str) -> None:
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                for statement in statements:
                    conn.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def stamp(self, *revisions: str, table: str = "alembic_version") -> None:
        """The version table as Alembic creates it, holding `revisions`."""
        rows = [f"INSERT INTO {table} (version_num) VALUES ('{rid}')" for rid in revisions]
        self.execute(VERSION_TABLE.format(name=table, pk=table.rsplit(".", 1)[-1]), *rows)

    def snapshot(self, schema: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
        """Every table with its rows, to prove that a run changed nothing."""
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                names = sorted(sa.inspect(conn).get_table_names(schema=schema))
                tables = {
                    name: sa.Table(name, sa.MetaData(), autoload_with=conn, schema=schema) for name in names
                }
                return {
                    name: sorted(map(tuple, conn.execute(sa.select(t)).all())) for name, t in tables.items()
                }
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def servers() -> dict[str, tuple[str | None, str]]:
    """Each server's URL (None when unreachable) and why not; checked once per session."""
    found: dict[str, tuple[str | None, str]] = {}
    for name, (env_var, default) in SERVERS.items():
        url = os.environ.get(env_var) or default
        engine = sa.create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            found[name] = (url, "")
        except (sa.exc.SQLAlchemyError, ImportError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            found[name] = (None, f"{name} not reachable at {mask_url(url)}: {reason} (set {env_var})")
        finally:
            engine.dispose()
    return found


def _server(servers: dict[str, tuple[str | None, str]], name: str) -> str:
    """The server's URL; skip when it is unreachable, except on CI, where that fails the test."""
    url, reason = servers[name]
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def _fresh_database(admin_url: str, request: pytest.FixtureRequest) -> str:
    """CREATE DATABASE migcheck_status_<hex> on the server; dropped when the test ends."""
    name = f"migcheck_status_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    postgres = admin.dialect.name == "postgresql"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if postgres else ""))
        admin.dispose()

    request.addfinalizer(drop)
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, servers: dict[str, tuple[str | None, str]]
) -> Database:
    if request.param == "sqlite":
        path = tmp_path / "app.db"
        sa.create_engine(f"sqlite:///{path}", poolclass=NullPool).connect().close()  # an empty database file
        return Database(f"sqlite:///{path}")
    return Database(_fresh_database(_server(servers, request.param), request))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    path = tmp_path / "app.db"
    sa.create_engine(f"sqlite:///{path}", poolclass=NullPool).connect().close()
    return Database(f"sqlite:///{path}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_case("clean/linear", tmp_path / "linear")


def status(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["status", *map(str, args)], env=env or {}, catch_exceptions=False)


def findings(result: Result) -> list[dict[str, Any]]:
    return list(json.loads(result.stdout)["findings"])


# --- up to date, behind, unknown: every dialect ------------------------------------------------------------


def test_database_at_head_is_up_to_date(project: Path, database: Database) -> None:
    database.stamp(C)

    result = status(project, "--database-url", database.url)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: migrations: 3 revisions, 1 head (cccccccccccc)")
    assert f"at {C}" in result.stdout


def test_database_behind_head_names_the_pending_revisions(project: Path, database: Database) -> None:
    database.stamp(A)

    result = status(project, "--database-url", database.url, "--format", "json")

    assert result.exit_code == 1
    [finding] = findings(result)
    assert finding["rule"] == "MC401"
    assert f"2 revisions pending: '{B}', '{C}'" in finding["message"]
    assert "Target database is not up to date" in finding["message"]
    assert (finding["path"], finding["line"]) == (HEAD_FILE, 15)
    assert finding["hint"] == "run `alembic upgrade head`"


def test_unknown_database_revision_says_how_to_restore_it(project: Path, database: Database) -> None:
    database.stamp("dddddddddddd")

    result = status(project, "--database-url", database.url, "--format", "json")

    assert result.exit_code == 1
    [finding] = findings(result)
    assert finding["rule"] == "MC402"
    assert finding["revision"] == "dddddddddddd"
    assert "Can't locate revision identified by 'dddddddddddd'" in finding["message"]
    assert "no revision in the scripts has a similar id" in finding["message"]
    assert "git log --all -- '*dddddddddddd*'" in finding["hint"]
    assert "alembic stamp --purge" in finding["hint"]
    assert (finding["path"], finding["line"]) == (HEAD_FILE, 15)


def test_empty_database_has_had_no_migration(project: Path, database: Database) -> None:
    result = status(project, "--database-url", database.url, "--format", "json")

    assert result.exit_code == 1
    [finding] = findings(result)
    assert finding["rule"] == "MC401"
    assert "the database has no alembic_version table: no migration has run" in finding["message"]
    assert f"3 revisions pending: '{A}', '{B}', '{C}'" in finding["message"]
    assert finding["hint"] == "run `alembic upgrade head`"
    assert database.snapshot() == {}  # and no version table was created


def test_status_changes_nothing_in_the_database(project: Path, database: Database) -> None:
    database.stamp(A)
    database.execute("CREATE TABLE account (id INTEGER PRIMARY KEY)", "INSERT INTO account (id) VALUES (7)")
    before = database.snapshot()

    assert status(project, "--database-url", database.url).exit_code == 1

    assert database.snapshot() == before == {"account": [(7,)], "alembic_version": [(A,)]}


def test_the_connection_refuses_writes(database: Database) -> None:
    database.stamp(A)

    for statement in ("CREATE TABLE probe (x INTEGER)", "DELETE FROM alembic_version"):
        with pytest.raises(MigcheckError, match="cannot read the database"):
            with read_only_connection(database.url) as conn:
                conn.exec_driver_sql(statement)

    assert database.snapshot() == {"alembic_version": [(A,)]}


# --- the other shapes of a database, on SQLite -------------------------------------------------------------


def test_near_miss_revision_names_the_close_id(project: Path, sqlite_db: Database) -> None:
    sqlite_db.stamp("cccccccccccd")

    [finding] = findings(status(project, "--database-url", sqlite_db.url, "--format", "json"))

    assert finding["rule"] == "MC402"
    assert f"a revision with a close id exists: '{C}' ({HEAD_FILE})" in finding["message"]
    assert f"`alembic stamp --purge {C}`" in finding["hint"]
    assert "drop" not in finding["hint"].replace("never drop data", "")


def test_tables_without_a_version_table_suggest_stamping(project: Path, sqlite_db: Database) -> None:
    sqlite_db.execute("CREATE TABLE account (id INTEGER PRIMARY KEY)")

    [finding] = findings(status(project, "--database-url", sqlite_db.url, "--format", "json"))

    assert finding["rule"] == "MC401"
    assert "the database has tables but no alembic_version table" in finding["message"]
    assert finding["hint"].startswith("it was created without Alembic: `alembic stamp <rev>` once")
    assert sqlite_db.snapshot() == {"account": []}


def test_empty_version_table_is_at_base(project: Path, sqlite_db: Database) -> None:
    sqlite_db.stamp()

    [finding] = findings(status(project, "--database-url", sqlite_db.url, "--format", "json"))

    assert finding["rule"] == "MC401"
    assert (
        "the alembic_version table is empty: the database is at base; 3 revisions pending"
        in finding["message"]
    )


def test_several_heads_need_upgrade_heads(tmp_path: Path, sqlite_db: Database) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    sqlite_db.stamp("b")

    [finding] = findings(status(root, "--database-url", sqlite_db.url, "--format", "json"))

    assert finding["rule"] == "MC401"
    assert "1 revision pending: 'c'" in finding["message"]
    assert finding["hint"] == "run `alembic upgrade heads`"
    assert finding["path"] == "migrations/versions/c_rev.py"


def test_a_version_table_of_another_name(project: Path, sqlite_db: Database) -> None:
    sqlite_db.stamp(C, table="app_versions")

    assert status(project, "--database-url", sqlite_db.url).exit_code == 1  # no alembic_version there
    result = status(project, "--database-url", sqlite_db.url, "--version-table", "app_versions")

    assert result.exit_code == 0, result.output


def test_the_url_can_come_from_the_environment(project: Path, sqlite_db: Database) -> None:
    sqlite_db.stamp(C)

    result = status(project, env={"MIGCHECK_DATABASE_URL": sqlite_db.url})

    assert result.exit_code == 0, result.output


def test_run_status_returns_a_check_result(project: Path, sqlite_db: Database) -> None:
    sqlite_db.stamp(B)

    result = run_status(load_settings(project), sqlite_db.url)

    assert [(f.rule, f.revision, f.environment) for f in result.findings] == [("MC401", C, "migrations")]
    assert result.exit_code == 1
    assert [h.revision for h in result.histories[0].heads] == [C]


def test_version_table_in_another_schema(
    project: Path, servers: dict[str, tuple[str | None, str]], request: pytest.FixtureRequest
) -> None:
    db = Database(_fresh_database(_server(servers, "postgresql"), request))
    db.execute("CREATE SCHEMA audit")
    db.stamp(C, table="audit.alembic_version")

    plain = status(project, "--database-url", db.url)
    schema = status(project, "--database-url", db.url, "--version-table-schema", "audit")

    assert plain.exit_code == 1
    assert schema.exit_code == 0, schema.output


# --- could not check: exit 2, password never shown ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres:s3cr3t-pw@127.0.0.1:1/test",
        "mysql+pymysql://root:s3cr3t-pw@127.0.0.1:1/test",
    ],
    ids=["postgresql", "mariadb"],
)
def test_unreachable_server_exits_2_without_the_password(project: Path, url: str) -> None:
    result = status(project, "--database-url", url)

    assert result.exit_code == 2
    assert result.stderr.startswith("migcheck: error: cannot read the database ")
    assert ":***@127.0.0.1:1/test" in result.stderr
    assert "s3cr3t-pw" not in result.output


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nosuchdialect://u:s3cr3t-pw@h/d", "Can't load plugin"),
        ("postgresql+psycopg2://u:s3cr3t-pw@h/d", "driver is not installed"),
        ("u:s3cr3t-pw@h", "not a database URL"),
    ],
)
def test_bad_url_or_missing_driver_exits_2_without_the_password(project: Path, url: str, said: str) -> None:
    result = status(project, "--database-url", url)

    assert result.exit_code == 2
    assert said in result.stderr
    assert "s3cr3t-pw" not in result.output


def test_missing_sqlite_file_is_not_created(project: Path, tmp_path: Path) -> None:
    result = status(project, "--database-url", f"sqlite:///{tmp_path / 'typo.db'}")

    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "typo.db").exists()


def test_several_environments_need_one_to_be_named(tmp_path: Path, sqlite_db: Database) -> None:
    copy_case("clean/linear", tmp_path / "one")
    copy_case("clean/linear", tmp_path / "two")
    sqlite_db.stamp(C)

    ambiguous = status(tmp_path, "--database-url", sqlite_db.url)
    chosen = status(tmp_path, "-c", tmp_path / "two" / "alembic.ini", "--database-url", sqlite_db.url)

    assert ambiguous.exit_code == 2
    assert "2 environments were found (one/migrations, two/migrations)" in ambiguous.stderr
    assert chosen.exit_code == 0, chosen.output


# --- the settings `migcheck check` honours: select, ignore comments -----------------------------------------


def behind(alembic_project: Callable[[Path], Path], where: Path, database: Database) -> Path:
    """A generated project a -> b whose database is at a: MC401 at b's `revision = ...` line."""
    root = alembic_project(where)
    write_revision(root, "a", None)
    write_revision(root, "b", "a")
    database.stamp("a")
    return root


def test_status_runs_only_the_selected_rules(
    alembic_project: Callable[[Path], Path], tmp_path: Path, sqlite_db: Database
) -> None:
    root = behind(alembic_project, tmp_path / "app", sqlite_db)
    before = status(root, "--database-url", sqlite_db.url)
    (root / "pyproject.toml").write_text('[tool.migcheck]\nselect = ["MC402"]\n')

    result = status(root, "--database-url", sqlite_db.url, "--format", "json")

    assert before.exit_code == 1 and "MC401" in before.output
    assert result.exit_code == 0, result.output
    assert findings(result) == []


def test_status_honours_an_ignore_comment_on_the_line_of_the_finding(
    alembic_project: Callable[[Path], Path], tmp_path: Path, sqlite_db: Database
) -> None:
    root = behind(alembic_project, tmp_path / "app", sqlite_db)
    [before] = findings(status(root, "--database-url", sqlite_db.url, "--format", "json"))
    head = root / "migrations" / "versions" / "b_rev.py"
    lines = head.read_text().splitlines()
    lines[REVISION_LINE - 1] += "  # migcheck: ignore[MC401]"
    head.write_text("\n".join(lines) + "\n")

    result = status(root, "--database-url", sqlite_db.url, "--format", "json")

    assert (before["rule"], before["path"], before["line"]) == (
        "MC401",
        "migrations/versions/b_rev.py",
        REVISION_LINE,
    )
    assert result.exit_code == 0, result.output
    assert findings(result) == []


def test_status_gives_a_finding_the_severity_the_project_sets_for_its_rule(
    alembic_project: Callable[[Path], Path], tmp_path: Path, sqlite_db: Database
) -> None:
    root = behind(alembic_project, tmp_path / "app", sqlite_db)
    (root / "pyproject.toml").write_text('[tool.migcheck]\nseverity = { database-behind-head = "notice" }\n')

    result = status(root, "--database-url", sqlite_db.url, "--format", "json")

    assert result.exit_code == 0, result.output
    assert [(f["rule"], f["severity"]) for f in findings(result)] == [("MC401", "notice")]


# --- living next to `migcheck check` (the rules themselves: tests/checks/test_status.py) ----------------------


def test_check_does_not_run_the_database_rules(project: Path) -> None:
    assert "MC401" in REGISTRY

    everything = CliRunner().invoke(main, ["check", str(project), "--select", "MC4"])

    assert everything.exit_code == 0, everything.output


# --- the URL: plain dialect names, the configured one, a schema that is not there ---------------------------


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_a_url_without_a_driver_works_as_it_does_for_check(
    project: Path, servers: dict[str, tuple[str | None, str]], request: pytest.FixtureRequest, server: str
) -> None:
    db = Database(_fresh_database(_server(servers, server), request))
    db.stamp(C)
    url = sa.engine.make_url(db.url)
    plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)

    result = status(project, "--database-url", plain)

    assert result.exit_code == 0, result.output
    assert "+" not in plain.partition("://")[0]


def _configure(project: Path, url: str) -> None:
    ini = project / "alembic.ini"
    lines = [
        "sqlalchemy.url = " + url.replace("%", "%%") if line.startswith("sqlalchemy.url") else line
        for line in ini.read_text().splitlines()
    ]
    ini.write_text("\n".join(lines) + "\n")


def test_without_a_url_the_configured_sqlalchemy_url_is_used_and_named(
    project: Path, database: Database
) -> None:
    database.stamp(B)
    url = sa.engine.make_url(database.url)
    if url.get_backend_name() == "postgresql":
        url = url.set(password="Hunter2Secret")  # the test server trusts local connections: any password
    _configure(project, url.render_as_string(hide_password=False))

    result = status(project, "--format", "json")

    assert result.exit_code == 1, result.output
    [finding] = findings(result)
    assert finding["rule"] == "MC401"
    [note] = [n for n in json.loads(result.stdout)["notices"] if n.startswith("database ")]
    assert note.startswith(f"database {mask_url(url.render_as_string(hide_password=False))}")
    assert "(sqlalchemy.url in alembic.ini [alembic])" in note
    assert "Hunter2Secret" not in result.output


def test_a_relative_sqlite_url_is_taken_from_the_ini_directory(
    project: Path, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copy(sa.engine.make_url(sqlite_db.url).database or "", project / "app.db")
    Database(f"sqlite:///{project / 'app.db'}").stamp(C)
    _configure(project, "sqlite:///app.db")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = status(project)

    assert result.exit_code == 0, result.output
    assert not (elsewhere / "app.db").exists()


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, "sqlalchemy.url is not set"),
        ("driver://user:pass@localhost/dbname", "sqlalchemy.url is alembic init's placeholder"),
    ],
)
def test_without_a_url_or_a_usable_configured_one_status_says_to_pass_one(
    project: Path, value: str | None, said: str
) -> None:
    ini = project / "alembic.ini"
    lines = [line for line in ini.read_text().splitlines() if not line.startswith("sqlalchemy.url")]
    if value is not None:
        lines.insert(lines.index("[alembic]") + 1, f"sqlalchemy.url = {value}")
    ini.write_text("\n".join(lines) + "\n")

    result = status(project)

    assert result.exit_code == 2
    assert said in result.stderr and "pass --database-url" in result.stderr


def test_an_environment_without_alembic_ini_needs_a_url(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None))
    (root / "alembic.ini").unlink()

    result = status(root)

    assert result.exit_code == 2
    assert "no --database-url, and no alembic.ini configures" in result.stderr


def test_a_version_table_schema_that_does_not_exist_is_named(
    project: Path, servers: dict[str, tuple[str | None, str]], request: pytest.FixtureRequest
) -> None:
    db = Database(_fresh_database(_server(servers, "postgresql"), request))
    db.stamp(C)

    result = status(project, "--database-url", db.url, "--version-table-schema", "audti")

    assert result.exit_code == 2
    assert "schema 'audti' does not exist" in result.stderr
    assert "no migration has run" not in result.output

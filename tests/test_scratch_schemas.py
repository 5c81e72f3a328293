"""Nothing a drift check creates on a server survives it: databases the migrations create are dropped too.

On MySQL/MariaDB `CREATE SCHEMA` makes a server-level database; on PostgreSQL `CREATE DATABASE` (in an
autocommit block) does. These run real drift checks on the real servers and look at the server afterwards.
Every database a test names is `mc_t_<hex>`, and teardown drops it whatever happens.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import make_project, versions_dir
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema

import migcheck
from migcheck.scratch import created_database, leaked, scratch_database

MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "user"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False)
"""

# Alembic's generic env.py: the connection migcheck shares when there is one, else its own engine
SHARED_ENV = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

from models import Base

config = context.config
connectable = config.attributes.get("connection")
if connectable is None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connectable, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

# an env.py that always builds its own engine (created after migcheck's listener, by the user's code)
OWN_ENGINE_ENV = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

from models import Base

config = context.config
engine = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

REVISION = '''\
"""create user, and a database of its own

Revision ID: aaaaaaaaaaaa
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "aaaaaaaaaaaa"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # the scratch database's name, so the test can check that it is gone too
    with open({record!r}, "a") as f:
        f.write(op.get_bind().engine.url.database + "\\n")
{create}
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
{after}

def downgrade():
    op.drop_table("user")
'''


def _admin(server_url: str, *statements: str) -> list[str]:
    """Run statements on the server's own database; return the names of all its databases."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
            query = (
                "SELECT datname FROM pg_database"
                if engine.dialect.name == "postgresql"
                else "SELECT schema_name FROM information_schema.schemata"
            )
            return list(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def _databases(server_url: str) -> set[str]:
    return set(_admin(server_url))


def _tables(server_url: str, schema: str) -> list[str]:
    engine = create_engine(server_url)
    try:
        with engine.connect() as conn:
            query = text("SELECT table_name FROM information_schema.tables WHERE table_schema = :schema")
            return list(conn.execute(query, {"schema": schema}).scalars())
    finally:
        engine.dispose()


def _drop_statement(server_url: str, name: str) -> str:
    if server_url.startswith("postgresql"):
        return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    return f"DROP DATABASE IF EXISTS `{name}`"


@pytest.fixture
def own_names(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Database names a test creates or lets a migration create; all dropped at teardown, on every server."""
    names: list[str] = []
    yield names
    for fixture in ("mysql_url", "pg_url"):
        if fixture in request.fixturenames:
            url = request.getfixturevalue(fixture)
            _admin(url, *(_drop_statement(url, n) for n in names))


def _new_name(own_names: list[str], prefix: str = "mc_t_") -> str:
    name = f"{prefix}{secrets.token_hex(5)}"
    own_names.append(name)
    return name


def _project(tmp_path: Path, create: str, *, env: str = SHARED_ENV, after: str = "") -> tuple[Path, Path]:
    """A drift project whose one migration runs `create` (indented source) before creating its table."""
    root = make_project(tmp_path)
    record = root / "scratch-names.txt"
    (root / "models.py").write_text(MODELS)
    # these tests are about the databases a drift check leaves behind; the MC3xx lint of their revisions is
    # tested in tests/test_lintrun.py and tests/checks/
    (root / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC3"]\n')
    (root / "migrations" / "env.py").write_text(env)
    body = textwrap.indent(textwrap.dedent(create).strip("\n"), "    ")
    tail = textwrap.indent(textwrap.dedent(after).strip("\n"), "    ") if after else ""
    source = REVISION.format(record=str(record), create=body, after=tail)
    (versions_dir(root) / "aaaaaaaaaaaa_user.py").write_text(source)
    return root, record


def _scratch_names(record: Path, own_names: list[str]) -> list[str]:
    names = record.read_text().split() if record.exists() else []
    own_names.extend(names)  # so that teardown drops them even when the test failed
    return names


# --- which statements create a database -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "family", "expected"),
    [
        ("CREATE SCHEMA audit", "mysql", ("audit", False)),
        ("create database Audit", "mysql", ("Audit", False)),
        ("CREATE SCHEMA IF NOT EXISTS `a``b c`", "mysql", ("a`b c", True)),
        ("Create Database if not exists audit CHARACTER SET utf8mb4", "mysql", ("audit", True)),
        ("CREATE OR REPLACE DATABASE audit", "mysql", ("audit", False)),
        ("\n  -- make room\n/* for audit */ CREATE SCHEMA audit;", "mysql", ("audit", False)),
        ('CREATE DATABASE "Mixed""Case"', "postgresql", ('Mixed"Case', False)),
        ("CREATE DATABASE Reports WITH OWNER postgres", "postgresql", ("reports", False)),
        ("CREATE SCHEMA audit", "postgresql", None),  # inside the scratch database: goes with it
        ("CREATE SCHEMA audit", "sqlite", None),
        ("CREATE TABLE audit (id int)", "mysql", None),
        ("DROP DATABASE audit", "mysql", None),
        ("INSERT INTO log VALUES ('CREATE SCHEMA audit')", "mysql", None),
        ("SELECT 1; CREATE SCHEMA audit", "mysql", None),
    ],
)
def test_statements_that_create_a_database(statement: str, family: str, expected: object) -> None:
    assert created_database(statement, family) == expected


@pytest.mark.parametrize("family", ["mysql", "postgresql"])
def test_sqlalchemys_create_schema_ddl_is_recognised(family: str) -> None:
    from sqlalchemy.dialects import mysql, postgresql

    dialect = mysql.dialect() if family == "mysql" else postgresql.dialect()
    ddl = str(CreateSchema("Aud`it", if_not_exists=True).compile(dialect=dialect))

    assert created_database(ddl, family) == (None if family == "postgresql" else ("Aud`it", True))


def test_only_names_the_server_did_not_have_before_are_dropped() -> None:
    assert leaked(["audit", "Reports", "new"], frozenset({"AUDIT", "reports", "test"})) == ["new"]


# --- MySQL/MariaDB: CREATE SCHEMA is a server-level database ----------------------------------------------

CREATE_FORMS = {
    "bare": 'op.execute("CREATE SCHEMA {name}")',
    "backquoted": 'op.execute("create schema `{name}`")',
    "CreateSchema": 'op.execute(sa.schema.CreateSchema("{name}"))',
    "database-if-not-exists": 'op.execute("CREATE DATABASE IF NOT EXISTS {name}")',
}


@pytest.mark.parametrize("env", [SHARED_ENV, OWN_ENGINE_ENV], ids=["shared-connection", "own-engine"])
@pytest.mark.parametrize("form", list(CREATE_FORMS))
def test_a_schema_a_migration_creates_is_dropped_and_the_next_run_passes(
    tmp_path: Path, mysql_url: str, own_names: list[str], form: str, env: str
) -> None:
    schema = _new_name(own_names)
    create = CREATE_FORMS[form].format(name=schema) + (
        f'\nop.create_table("entry", sa.Column("id", sa.Integer(), primary_key=True), schema="{schema}")'
    )
    root, record = _project(tmp_path, create, env=env)

    first = migcheck.check(root, database_url=mysql_url)
    second = migcheck.check(root, database_url=mysql_url)

    assert [f.rule for f in first.findings] == [] and first.exit_code == 0
    assert [f.rule for f in second.findings] == [] and second.exit_code == 0
    scratch = _scratch_names(record, own_names)
    assert len(scratch) == 2  # the migration really ran, once per check
    assert _databases(mysql_url).isdisjoint({schema, *scratch})


def test_a_database_that_existed_before_the_run_is_kept(
    tmp_path: Path, mysql_url: str, own_names: list[str]
) -> None:
    schema = _new_name(own_names)
    _admin(mysql_url, f"CREATE DATABASE {schema}", f"CREATE TABLE {schema}.keep (id int)")
    root, record = _project(
        tmp_path,
        f"""\
        op.execute("CREATE SCHEMA IF NOT EXISTS {schema}")
        op.execute("CREATE DATABASE IF NOT EXISTS `{schema}`")
        """,
    )

    result = migcheck.check(root, database_url=mysql_url)

    assert result.findings == () and result.exit_code == 0
    scratch = _scratch_names(record, own_names)
    databases = _databases(mysql_url)
    assert schema in databases and databases.isdisjoint(scratch)
    assert _tables(mysql_url, schema) == ["keep"]  # and its content with it


def test_a_failing_migration_after_create_schema_still_drops_it(
    tmp_path: Path, mysql_url: str, own_names: list[str]
) -> None:
    schema = _new_name(own_names)
    root, record = _project(tmp_path, f'op.execute("CREATE SCHEMA {schema}")', after='op.execute("SELEC 1")')

    result = migcheck.check(root, database_url=mysql_url)

    assert [f.rule for f in result.findings] == ["MC202"] and result.exit_code == 1
    scratch = _scratch_names(record, own_names)
    assert len(scratch) == 1
    assert _databases(mysql_url).isdisjoint({schema, *scratch})


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_run_still_drops_the_created_schema(
    tmp_path: Path, mysql_url: str, own_names: list[str], how: signal.Signals
) -> None:
    schema = _new_name(own_names)
    root, record = _project(
        tmp_path,
        f'op.execute("CREATE SCHEMA {schema}")',
        after="import time\nopen(__file__ + '.started', 'w').close()\ntime.sleep(60)",
    )
    marker = versions_dir(root) / "aaaaaaaaaaaa_user.py.started"
    child = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", str(root), "--database-url", mysql_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), child.communicate()
        assert schema in _databases(mysql_url)  # the migration did create it

        child.send_signal(how)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()

    assert child.returncode != 0
    assert "Traceback" not in err
    scratch = _scratch_names(record, own_names)
    assert len(scratch) == 1
    assert _databases(mysql_url).isdisjoint({schema, *scratch})


def test_a_database_that_cannot_be_dropped_is_named_with_the_command_and_the_verdict_stands(
    tmp_path: Path, mysql_url: str, own_names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    user = _new_name(own_names, "mc_t_user_")
    own_names.remove(user)  # an account, not a database
    accounts = [f"'{user}'@'%'", f"'{user}'@'localhost'"]
    try:
        _admin(
            mysql_url,
            *(f"CREATE USER {a} IDENTIFIED BY 's3cr3t-pw'" for a in accounts),
            *(f"GRANT ALL ON `migcheck\\_%`.* TO {a}" for a in accounts),
            *(f"GRANT CREATE ON `mc\\_t\\_%`.* TO {a}" for a in accounts),  # may create these, not drop them
        )
        schema = _new_name(own_names)
        root, record = _project(tmp_path, f'op.execute("CREATE SCHEMA {schema}")')
        url = make_url(mysql_url)._replace(username=user, password="s3cr3t-pw", database=None)

        result = migcheck.check(root, database_url=url.render_as_string(hide_password=False))

        warning = capsys.readouterr().err
        assert result.findings == () and result.exit_code == 0
        assert f"could not drop database {schema} (created by a migration)" in warning
        assert f"drop it by hand: DROP DATABASE `{schema}`;" in warning
        assert "s3cr3t" not in warning
        scratch = _scratch_names(record, own_names)
        databases = _databases(mysql_url)
        assert schema in databases and databases.isdisjoint(scratch)
    finally:
        _admin(mysql_url, *(f"DROP USER IF EXISTS {a}" for a in accounts))


def test_only_statements_on_the_scratch_database_are_tracked(mysql_url: str, own_names: list[str]) -> None:
    on_scratch, elsewhere, raced = (_new_name(own_names) for _ in range(3))
    with scratch_database(mysql_url) as url:
        own_names.append(str(make_url(url).database))
        # created by someone else after migcheck listed the databases: IF NOT EXISTS on it creates nothing
        _admin(mysql_url, f"CREATE DATABASE {raced}")
        scratch, other = create_engine(url), create_engine(mysql_url)  # engines made after the listener
        try:
            with scratch.connect() as conn:
                conn.execute(text(f"CREATE SCHEMA {on_scratch}"))
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {raced}"))
            with other.connect() as conn:  # the user's own engine on another database is not migcheck's
                conn.execute(text(f"CREATE SCHEMA {elsewhere}"))
        finally:
            scratch.dispose()
            other.dispose()

    databases = _databases(mysql_url)
    assert on_scratch not in databases
    assert {elsewhere, raced} <= databases


# --- PostgreSQL: CREATE DATABASE in an autocommit block ---------------------------------------------------


def test_a_database_a_postgresql_migration_creates_is_dropped(
    tmp_path: Path, pg_url: str, own_names: list[str]
) -> None:
    name = _new_name(own_names)
    root, record = _project(
        tmp_path,
        f"""\
        op.execute("CREATE SCHEMA inside_scratch")
        with op.get_context().autocommit_block():
            op.execute('CREATE DATABASE "{name}"')
        """,
        # autocommit_block() needs env.py to own the transaction (on migcheck's shared connection, which
        # is already in one, Alembic's autocommit_block asserts)
        env=OWN_ENGINE_ENV,
    )

    first = migcheck.check(root, database_url=pg_url)
    second = migcheck.check(root, database_url=pg_url)

    assert first.findings == () and second.findings == (), [
        f.message for f in first.findings + second.findings
    ]
    scratch = _scratch_names(record, own_names)
    assert len(scratch) == 2
    assert _databases(pg_url).isdisjoint({name, *scratch})

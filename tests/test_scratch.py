"""Scratch databases are created empty, usable, never the server's own database, and always dropped."""

from __future__ import annotations

import importlib.util
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from migcheck.errors import MigcheckError
from migcheck.scratch import (
    NAME,
    PREFIX,
    SERVER_NOW,
    STAMPED,
    dialect_of,
    installed_driver,
    list_scratch_databases,
    mask_url,
    scratch_database,
)

CHILD = """\
import sys, time
from migcheck.scratch import scratch_database

with scratch_database(None if sys.argv[1] == "sqlite" else sys.argv[1]) as url:
    print(url, flush=True)
    time.sleep(60)
"""


@contextmanager
def engine_on(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def current_database(url: str) -> str:
    query = "SELECT current_database()" if dialect_of(url) == "postgresql" else "SELECT DATABASE()"
    with engine_on(url) as engine, engine.connect() as conn:
        return str(conn.execute(text(query)).scalar())


def sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


def exists(server_url: str | None, url: str) -> bool:
    """Whether the scratch database behind `url` is still there."""
    if server_url is None:
        return sqlite_file(url).exists()
    return make_url(url).database in list_scratch_databases(server_url)


def admin_execute(server_url: str, *statements: str) -> None:
    with engine_on(server_url) as engine, engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            conn.execute(text(statement))


# --- lifecycle, on every dialect ---------------------------------------------------------------------------


def test_yields_an_existing_empty_database_that_is_not_the_maintenance_one(server_url: str | None) -> None:
    with scratch_database(server_url) as url:
        assert dialect_of(url) == dialect_of(server_url)
        with engine_on(url) as engine:
            assert inspect(engine).get_table_names() == []
        if server_url is None:
            assert sqlite_file(url).is_file()
        else:
            name = make_url(url).database
            assert name is not None and name.startswith(PREFIX) and name != make_url(server_url).database
            assert current_database(url) == name
            assert name in list_scratch_databases(server_url)


def test_a_table_can_be_created_in_it(server_url: str | None) -> None:
    with scratch_database(server_url) as url, engine_on(url) as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE widget (id INTEGER PRIMARY KEY)"))
            conn.execute(text("INSERT INTO widget (id) VALUES (1)"))
        assert inspect(engine).get_table_names() == ["widget"]


def test_dropped_after_the_block(server_url: str | None) -> None:
    with scratch_database(server_url) as url:
        assert exists(server_url, url)
    # Compared by name, not as whole before/after lists: other test runs may share the server.
    assert not exists(server_url, url)
    if server_url is None:
        assert not sqlite_file(url).parent.exists()


def test_dropped_after_an_exception_inside_the_block(server_url: str | None) -> None:
    with pytest.raises(RuntimeError, match="boom"), scratch_database(server_url) as url:
        assert exists(server_url, url)
        raise RuntimeError("boom")
    assert not exists(server_url, url)


def test_dropped_even_while_a_connection_to_it_is_open(server_url: str | None) -> None:
    with scratch_database(server_url) as url:
        engine = create_engine(url)
        conn = engine.connect()
        conn.execute(text("SELECT 1"))
    assert not exists(server_url, url)
    conn.invalidate()  # PostgreSQL has terminated it; a rollback on close would fail
    engine.dispose()


def test_two_at_once_get_different_names_and_both_are_dropped(server_url: str | None) -> None:
    with scratch_database(server_url) as first, scratch_database(server_url) as second:
        assert first != second
        assert exists(server_url, first) and exists(server_url, second)
    assert not exists(server_url, first) and not exists(server_url, second)


def read_line(stream: IO[str] | None, timeout: float) -> str:
    """The child's first line of output, waiting at most `timeout` seconds for it."""
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "the child printed no URL in time"
    return stream.readline().strip()


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"]
)
def test_dropped_when_the_process_is_signalled(
    server_url: str | None, signum: signal.Signals, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), server_url or "sqlite"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = read_line(child.stdout, timeout=15)
        assert exists(server_url, url)
        time.sleep(0.1)  # let it reach the sleep inside the block
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode != 0
    if signum != signal.SIGINT:  # SIGTERM and SIGHUP: 128 + the signal's number, as a shell reports them
        assert child.returncode == 128 + signum
    assert not exists(server_url, url)
    assert "migcheck" not in stderr and "scratch.py" not in stderr, stderr


# --- failures stop the check with one clear message --------------------------------------------------------


def test_a_postgresql_role_without_createdb_is_told_to_get_it(pg_url: str) -> None:
    role = "migcheck_nocreatedb"
    admin_execute(pg_url, f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN NOCREATEDB")
    try:
        url = make_url(pg_url)._replace(username=role, password=None).render_as_string(hide_password=False)
        with pytest.raises(MigcheckError, match="CREATEDB") as caught, scratch_database(url):
            pytest.fail("a scratch database was created without CREATEDB")
        assert f"ALTER ROLE {role} CREATEDB" in str(caught.value)
    finally:
        admin_execute(pg_url, f"DROP ROLE IF EXISTS {role}")


def test_a_mysql_user_without_create_privilege_is_told_to_get_it(mysql_url: str) -> None:
    accounts = ["'migcheck_nocreate'@'%'", "'migcheck_nocreate'@'localhost'"]
    admin_execute(
        mysql_url, *(f"DROP USER IF EXISTS {a}" for a in accounts), *(f"CREATE USER {a}" for a in accounts)
    )
    try:
        # no database in the URL: the user may not even see the maintenance database
        url = make_url(mysql_url)._replace(username="migcheck_nocreate", password=None, database=None)
        with pytest.raises(MigcheckError, match="CREATE, DROP") as caught:
            with scratch_database(url.render_as_string(hide_password=False)):
                pytest.fail("a scratch database was created without the CREATE privilege")
        assert "GRANT CREATE, DROP ON *.* TO 'migcheck_nocreate'@'%'" in str(caught.value)
    finally:
        admin_execute(mysql_url, *(f"DROP USER IF EXISTS {a}" for a in accounts))


def test_a_failed_drop_warns_with_the_name_and_keeps_the_original_exception(
    mysql_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = ["'migcheck_nodrop'@'%'", "'migcheck_nodrop'@'localhost'"]
    admin_execute(
        mysql_url,
        *(f"DROP USER IF EXISTS {a}" for a in accounts),
        *(f"CREATE USER {a} IDENTIFIED BY 's3cr3t-pw'" for a in accounts),
        *(f"GRANT CREATE ON *.* TO {a}" for a in accounts),  # may create, may not drop
    )
    name = None
    try:
        url = make_url(mysql_url)._replace(username="migcheck_nodrop", password="s3cr3t-pw", database=None)
        with pytest.raises(RuntimeError, match="boom"):
            with scratch_database(url.render_as_string(hide_password=False)) as scratch:
                name = make_url(scratch).database
                raise RuntimeError("boom")
        warning = capsys.readouterr().err
        assert f"could not drop scratch database {name}" in warning and "drop it by hand" in warning
        assert "s3cr3t" not in warning
        assert name in list_scratch_databases(mysql_url)
    finally:
        if name:
            admin_execute(mysql_url, f"DROP DATABASE IF EXISTS `{name}`")
        admin_execute(mysql_url, *(f"DROP USER IF EXISTS {a}" for a in accounts))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://alice:s3cr3t-pw@127.0.0.1:1/test",
        "mysql+pymysql://alice:s3cr3t-pw@127.0.0.1:1/test",
    ],
    ids=["postgresql", "mysql"],
)
def test_an_unreachable_server_is_named_without_its_password(url: str) -> None:
    with pytest.raises(MigcheckError) as caught, scratch_database(url):
        pytest.fail("connected to port 1")
    message = str(caught.value)
    assert "127.0.0.1:1" in message and "cannot connect" in message
    assert "s3cr3t" not in message


def test_an_unparseable_url_is_an_error_without_its_password() -> None:
    with (
        pytest.raises(MigcheckError, match="cannot parse") as caught,
        scratch_database("postgresql://u:s3cr3t@h:x/d"),
    ):
        pass
    assert "s3cr3t" not in str(caught.value)


@pytest.mark.parametrize("url", ["oracle://u:s3cr3t@h/d", "mssql+pyodbc://u:s3cr3t@h/d"])
def test_an_unsupported_dialect_is_an_error(url: str) -> None:
    for call in (dialect_of, list_scratch_databases, lambda u: scratch_database(u).__enter__()):
        with pytest.raises(MigcheckError, match="sqlite, postgresql or mysql") as caught:
            call(url)
        assert "s3cr3t" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "module", "fix"),
    [
        ("postgresql+psycopg2://u:s3cr3t@127.0.0.1/d", "psycopg2", "pip install 'psycopg2-binary'"),
        ("mysql+mysqldb://u:s3cr3t@127.0.0.1/d", "MySQLdb", "pip install 'mysqlclient'"),
    ],
)
def test_a_missing_driver_says_what_to_install(url: str, module: str, fix: str) -> None:
    try:
        __import__(module)
        pytest.skip(f"{module} is installed here")
    except ImportError:
        pass
    with pytest.raises(MigcheckError, match="not installed") as caught, scratch_database(url):
        pass
    assert fix in str(caught.value) and "s3cr3t" not in str(caught.value)


# --- URLs ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        (None, "sqlite"),
        ("sqlite://", "sqlite"),
        ("sqlite:////tmp/x.db", "sqlite"),
        ("postgresql://u@h/d", "postgresql"),
        ("postgresql+psycopg://u@h/d", "postgresql"),
        ("mysql://u@h/d", "mysql"),
        ("mysql+pymysql://u@h/d", "mysql"),
        ("mariadb+pymysql://u@h/d", "mysql"),
    ],
)
def test_dialect_of(url: str | None, dialect: str) -> None:
    assert dialect_of(url) == dialect


def test_a_sqlite_url_still_gets_a_fresh_temporary_file(tmp_path: Path) -> None:
    mine = tmp_path / "mine.db"
    with scratch_database(f"sqlite:///{mine}") as url:
        assert sqlite_file(url).name == "migcheck.db" and sqlite_file(url) != mine
    assert not mine.exists()


def test_a_plain_mysql_url_gets_the_pymysql_driver(mysql_url: str) -> None:
    plain = make_url(mysql_url).set(drivername="mysql").render_as_string(hide_password=False)
    with scratch_database(plain) as url:
        assert make_url(url).drivername == "mysql+pymysql"


def test_a_postgresql_url_without_a_database_connects_to_postgres(pg_url: str) -> None:
    bare = make_url(pg_url)._replace(database=None).render_as_string(hide_password=False)
    with scratch_database(bare) as url:
        assert current_database(url) == make_url(url).database


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://alice:s3cr3t@db:5432/app", "postgresql+psycopg://alice:***@db:5432/app"),
        ("mysql://alice:s3%40cr3t@db/app", "mysql://alice:***@db/app"),
        ("postgresql://alice:s3c@r3t@db/app", "postgresql://alice:***@db/app"),
        ("postgresql://alice:s3cr3t@db:notaport/app", "postgresql://alice:***@db:notaport/app"),
        (
            "postgresql://alice@db/app?password=s3cr3t&sslmode=require",
            "postgresql://alice@db/app?password=***&sslmode=require",
        ),
        ("alice:s3cr3t@db/app", "***@db/app"),
        ("postgresql://db/app", "postgresql://db/app"),
        ("sqlite:///tmp/app.db", "sqlite:///tmp/app.db"),
    ],
)
def test_mask_url_never_shows_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert "s3" not in mask_url(url)


def test_the_module_imports_without_sqlalchemy() -> None:
    code = "import sys, migcheck.scratch; assert 'sqlalchemy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})


# --- the creation time kept with the database, for `migcheck cleanup` ----------------------------------------


def _comment(server_url: str, name: str) -> str | None:
    if dialect_of(server_url) == "postgresql":
        query = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :name"
    else:
        query = "SELECT schema_comment FROM information_schema.schemata WHERE schema_name = :name"
    with engine_on(server_url) as engine, engine.connect() as conn:
        return conn.execute(text(query), {"name": name}).scalar()


@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_the_creation_time_on_the_servers_clock_is_kept_with_it(
    server: str, request: pytest.FixtureRequest
) -> None:
    server_url = str(request.getfixturevalue(server))
    with engine_on(server_url) as engine, engine.connect() as conn:
        query = SERVER_NOW["postgresql" if dialect_of(server_url) == "postgresql" else "mysql"]
        before = int(conn.execute(text(query)).scalar_one())

    with scratch_database(server_url) as url:
        comment = _comment(server_url, make_url(url).database or "")

    stamp = STAMPED.fullmatch(comment.removesuffix(" (server clock)") if comment else "")
    assert stamp is not None, comment
    assert before <= int(stamp.group(1)) <= before + 60


@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_a_scratch_database_name_is_prefix_and_twelve_hex_digits(
    server: str, request: pytest.FixtureRequest
) -> None:
    with scratch_database(str(request.getfixturevalue(server))) as url:
        assert NAME.fullmatch(make_url(url).database or "")


def test_a_password_with_an_unencoded_at_sign_is_refused_naming_the_fix() -> None:
    with pytest.raises(MigcheckError, match="write each '@' there as %40") as caught:
        with scratch_database("postgresql+psycopg://app:Hunter2@Secret@127.0.0.1/test"):
            pytest.fail("connected with a cut password")
    assert "Secret" not in str(caught.value) and "Hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/d", "postgresql+psycopg"),
        ("postgresql+asyncpg://u@h/d", "postgresql+psycopg"),
        ("mysql://u@h/d", "mysql+pymysql"),
        ("mariadb://u@h/d", "mariadb+pymysql"),
        ("mysql+aiomysql://u@h/d", "mysql+pymysql"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2"),
        ("sqlite:///x.db", "sqlite"),
        ("oracle://u@h/d", "oracle"),
    ],
)
def test_installed_driver_names_a_driver_that_is_installed(url: str, driver: str) -> None:
    for module in ("psycopg2", "MySQLdb"):
        if importlib.util.find_spec(module) is not None:
            pytest.skip(f"{module} is installed here: SQLAlchemy's default driver is used for plain URLs")
    assert installed_driver(make_url(url)).drivername == driver


def _synchronous(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    finally:
        engine.dispose()


def test_the_scratch_sqlite_database_skips_fsync_and_no_other_file_does(tmp_path: Path) -> None:
    # the scratch file is thrown away: durability buys nothing there, and SQLite syncs after each DDL statement
    other = f"sqlite:///{tmp_path / 'project.db'}"
    with scratch_database(None) as url:
        assert _synchronous(url) == 0  # OFF
        assert _synchronous(other) != 0  # SQLite's default (FULL)
    assert _synchronous(other) != 0

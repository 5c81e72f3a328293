"""`migcheck cleanup` finds the scratch databases that killed checks left behind, and drops only those.

Real servers, real leftovers: a `migcheck check` subprocess is killed with SIGKILL in the middle of its drift
check, after its scratch database was created by scratch.py's own code. Other test runs may share the servers,
so every test names its own databases, and never drops anything unnamed (listing is harmless, dropping is not).
"""

from __future__ import annotations

import secrets
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from recording import recorded_name, recording_project, start_check, wait_until_unused
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from migcheck.cli import main
from migcheck.scratch import STAMP, dialect_of, list_scratch_databases


@pytest.fixture(params=["postgresql", "mariadb"])
def server(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url"))


def cleanup(*args: str) -> Result:
    return CliRunner().invoke(main, ["cleanup", *args])


def execute(server_url: str, *statements: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def database_exists(server_url: str, name: str) -> bool:
    if dialect_of(server_url) == "postgresql":
        query = "SELECT count(*) FROM pg_database WHERE datname = :name"
    else:
        query = "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = :name"
    engine = create_engine(server_url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text(query), {"name": name}).scalar_one())
    finally:
        engine.dispose()


def drop_quietly(server_url: str, name: str) -> None:
    force = " WITH (FORCE)" if dialect_of(server_url) == "postgresql" else ""
    execute(server_url, f"DROP DATABASE IF EXISTS {name}{force}")


def line_of(result: Result, name: str) -> str:
    [line] = [line for line in result.output.splitlines() if name in line]
    return line


@pytest.fixture
def leftover(server: str, tmp_path: Path) -> Iterator[str]:
    """The scratch database of a check killed with SIGKILL during its migrations; dropped after the test."""
    project = recording_project(tmp_path / "killed", sleep=60)
    child = start_check(project, server)
    try:
        name = recorded_name(project, child)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert name in list_scratch_databases(server), "SIGKILL left the scratch database behind"
    wait_until_unused(server, name)
    yield name
    drop_quietly(server, name)


@pytest.fixture
def made(server: str) -> Iterator[Callable[..., str]]:
    """make(comment=None, prefix="migcheck_") creates a database with that comment; all dropped afterwards."""
    names: list[str] = []

    def make(comment: str | None = None, prefix: str = "migcheck_") -> str:
        name = f"{prefix}{secrets.token_hex(6)}"
        names.append(name)
        if dialect_of(server) == "postgresql":
            execute(server, f"CREATE DATABASE {name}")
            if comment is not None:
                execute(server, f"COMMENT ON DATABASE {name} IS '{comment}'")
        else:
            execute(server, f"CREATE DATABASE {name}" + (f" COMMENT '{comment}'" if comment else ""))
        return name

    yield make
    for name in names:
        drop_quietly(server, name)


# --- a killed check's leftover ---------------------------------------------------------------------------------


def test_a_fresh_leftover_is_listed_but_kept_by_the_default_age(server: str, leftover: str) -> None:
    result = cleanup("--database-url", server)

    assert result.exit_code == 0, result.output
    assert line_of(result, leftover).endswith("no connection: kept, younger than 60 min")
    assert leftover in list_scratch_databases(server)


def test_a_named_leftover_is_only_listed_without_yes(server: str, leftover: str) -> None:
    result = cleanup("--database-url", server, leftover)

    assert result.exit_code == 0, result.output
    assert line_of(result, leftover).endswith("no connection: would drop")
    assert "(dry run: nothing dropped; run again with --yes to drop 1 scratch database)" in result.output
    assert leftover in list_scratch_databases(server)


def test_a_named_leftover_is_dropped_with_yes(server: str, leftover: str) -> None:
    result = cleanup("--database-url", server, "--yes", leftover)

    assert result.exit_code == 0, result.output
    assert line_of(result, leftover).endswith(": dropped")
    assert leftover not in list_scratch_databases(server)


def test_a_leftover_in_use_is_not_dropped(server: str, leftover: str) -> None:
    engine = create_engine(make_url(server).set(database=leftover))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            result = cleanup("--database-url", server, "--yes", leftover)
    finally:
        engine.dispose()

    assert result.exit_code == 0, result.output
    assert line_of(result, leftover).endswith("kept, in use (1 connection)")
    assert leftover in list_scratch_databases(server)


# --- the age, kept with each database ---------------------------------------------------------------------------


def test_an_old_scratch_database_is_a_leftover_at_the_default_age(server: str, made) -> None:
    old = made(STAMP.format(1_000_000_000))  # 2001

    result = cleanup("--database-url", server)  # a dry run: other runs' leftovers are only listed

    assert result.exit_code == 0, result.output
    assert line_of(result, old).endswith("no connection: would drop")
    assert "days ago" in line_of(result, old)


def test_a_scratch_database_of_unknown_age_is_kept_unless_older_than_0(server: str, made) -> None:
    unknown = made()

    default = cleanup("--database-url", server)
    any_age = cleanup("--database-url", server, "--older-than", "0")

    assert line_of(default, unknown).endswith("kept, age unknown: --older-than 0, or its name, takes it")
    assert line_of(any_age, unknown).endswith("age unknown, no connection: would drop")


# --- only migcheck_ + 12 hex digits, ever -----------------------------------------------------------------------


def test_other_databases_are_never_listed(server: str, made) -> None:
    others = [made(prefix="migcheck_keep_"), made(prefix="notmigcheck_"), made(prefix="migcheck_x")]

    result = cleanup("--database-url", server, "--older-than", "0")

    assert result.exit_code == 0, result.output
    assert [name for name in others if name in result.output] == []


def test_naming_another_database_is_refused_and_it_stays(server: str, made) -> None:
    other = made(prefix="migcheck_keep_")

    result = cleanup("--database-url", server, "--yes", other)

    assert result.exit_code == 2
    assert "is not a migcheck scratch database name" in result.output
    assert database_exists(server, other)


def test_sqlite_has_no_scratch_databases_to_clean_up() -> None:
    result = cleanup("--database-url", "sqlite:///x.db")

    assert result.exit_code == 2
    assert "is SQLite" in result.output


def test_an_unreachable_server_is_exit_2_without_the_password() -> None:
    result = cleanup("--database-url", "postgresql+psycopg://app:Hunter2Secret@127.0.0.1:1/postgres")

    assert result.exit_code == 2
    assert "cannot connect to the server at 127.0.0.1:1" in result.output
    assert "Hunter2Secret" not in result.output


def test_the_readme_documents_cleanup() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")

    assert "migcheck cleanup --database-url" in readme
    assert "| 129 |" in readme


def test_a_check_stopped_by_sighup_drops_its_scratch_database_and_exits_129(
    server: str, tmp_path: Path
) -> None:
    project = recording_project(tmp_path / "hangup", sleep=60)
    child = start_check(project, server)
    try:
        name = recorded_name(project, child)
        child.send_signal(signal.SIGHUP)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()

    assert child.returncode == 129, err
    assert "Traceback" not in err
    assert name not in list_scratch_databases(server)

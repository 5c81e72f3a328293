"""Scratch databases: create an empty database for a check, hand out its URL, and always drop it.

SQLite gets a file in a temporary directory; PostgreSQL and MySQL/MariaDB get `migcheck_<12 hex>` on the
server the user named. SQLAlchemy is imported inside the functions so that the graph-only path of migcheck
never pays for it.

Databases the migrations create. On MySQL/MariaDB a schema *is* a server-level database, so a migration's
`CREATE SCHEMA audit` would outlive the scratch database and make the next run fail; on PostgreSQL only
`CREATE DATABASE` (run in an autocommit block) escapes. The rule, lock-free and safe against other runs on the
same server:
- list the server's databases just before the scratch database is created;
- while it is alive, a class-level `after_cursor_execute` listener on SQLAlchemy's `Engine` (it reaches every
  engine, also those the project's env.py creates later) records the names of successful
  `CREATE SCHEMA|DATABASE [IF NOT EXISTS] name` statements run on a connection to the scratch database
  (MySQL: both words; PostgreSQL: DATABASE only, schemas live inside the scratch database). An
  `IF NOT EXISTS` that the server answered with a warning (the name existed) created nothing and is skipped;
- at the end, before the scratch database, drop exactly the recorded names that were not in the listing
  (compared case-insensitively, to err on the side of keeping). A database that existed before the run is
  never dropped, whatever the migrations ran on it. One that cannot be dropped is named in a warning on
  stderr with the command to drop it by hand; that never changes the verdict.
Statements on connections to other databases (the user's own engines pointing elsewhere) are not recorded:
migcheck only cleans up after what ran on the database it created.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from migcheck import masking
from migcheck.errors import MigcheckError, Terminated
from migcheck.masking import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

PREFIX = "migcheck_"
# every scratch database is PREFIX + 12 hex digits; `migcheck cleanup` never touches any other name
NAME = re.compile(rf"{PREFIX}[0-9a-f]{{12}}")
# The creation time, on the server's clock, kept with the database (PostgreSQL: COMMENT ON DATABASE; MariaDB:
# the schema comment) so that `migcheck cleanup` can tell an abandoned one from one a check is building now.
# No colon in it: SQLAlchemy's text() would take ":name" for a bind parameter.
STAMP = "migcheck scratch database, created at unix time {} (server clock)"
STAMPED = re.compile(r"migcheck scratch database, created at unix time (\d+)")
SERVER_NOW = {
    "postgresql": "SELECT CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)",
    "mysql": "SELECT UNIX_TIMESTAMP()",
}
CONNECT_TIMEOUT = 10  # seconds; an unreachable server should fail the check quickly, not hang CI
_DEFAULT_PORT = {"postgresql": 5432, "mysql": 3306}
_DEFAULT_DRIVER = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
_PIP = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pymysql": "pymysql",
    "mysqldb": "mysqlclient",
}
# `CREATE [OR REPLACE] SCHEMA|DATABASE [IF NOT EXISTS] name` at the start of a statement, after blanks and
# comments; anchored so that the words inside a string literal or a later statement are never taken for it
_IDENT = r"`(?:[^`]|``)+`|\"(?:[^\"]|\"\")+\"|[\w$]+"
_CREATED = re.compile(
    r"\A(?:\s+|--[^\n]*(?:\n|\Z)|#[^\n]*(?:\n|\Z)|/\*(?!!).*?\*/)*"
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(SCHEMA|DATABASE)\s+(IF\s+NOT\s+EXISTS\s+)?"
    rf"({_IDENT})(?=[\s;(/]|\Z)",
    re.IGNORECASE | re.DOTALL,
)


def dialect_of(url: str | None) -> str:
    """The dialect family of a URL: sqlite, postgresql or mysql (MariaDB included); None means SQLite."""
    return "sqlite" if url is None else _family(_parse(url))


def _parse(url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    masking.add_url(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise MigcheckError(f"cannot parse database URL {mask_url(url)!r}") from None
    check_host(parsed, url)
    return parsed


def check_host(parsed: URL, url: str) -> None:
    """Refuse a URL whose password holds an unencoded `@`: the driver would take its tail for the host name."""
    if parsed.host and "@" in parsed.host:
        raise MigcheckError(
            f"the database URL {mask_url(url)!r} has an '@' in its password or user name: write each '@' there"
            " as %40, or the driver takes what follows it for the host name"
        )


def _family(url: URL) -> str:
    backend = url.get_backend_name()
    family = "mysql" if backend == "mariadb" else backend
    if family not in ("sqlite", "postgresql", "mysql"):
        raise MigcheckError(
            f"unsupported database {backend!r} in {mask_url(str(url))!r}: scratch databases can be "
            "sqlite, postgresql or mysql/mariadb"
        )
    return family


# async drivers name a server as well as sync ones do; migcheck's own (sync) engines use the default driver,
# and an async env.py gets its async driver back from migcheck.redirect.async_url
_ASYNC_DRIVERS = frozenset({"asyncpg", "psycopg_async", "aiomysql", "asyncmy", "aiosqlite"})


def _with_driver(url: URL) -> URL:
    """installed_driver() for a server migcheck can make scratch databases on (others are refused)."""
    _family(url)
    return installed_driver(url)


def installed_driver(url: URL) -> URL:
    """The URL with a driver that is installed: plain postgresql:// and mysql:// (mariadb://) keep
    SQLAlchemy's default driver when it is installed (psycopg2, mysqlclient), else get the one migcheck ships
    with (psycopg, PyMySQL); an async driver becomes that sync one. `check` (the scratch database) and `status`
    (the live database) both connect through it, so one URL works for both. Other URLs are returned as given."""
    backend = url.get_backend_name()
    if backend not in _DEFAULT_DRIVER:
        return url
    if url.get_driver_name() in _ASYNC_DRIVERS:
        url = url.set(drivername=backend)
    if "+" in url.drivername:
        return url
    sqlalchemy_default = "psycopg2" if backend == "postgresql" else "MySQLdb"
    if importlib.util.find_spec(sqlalchemy_default) is not None:
        return url
    return url.set(drivername=f"{url.drivername}+{_DEFAULT_DRIVER[backend]}")


def _where(url: URL) -> str:
    host = (url.host or "localhost").rpartition("@")[2]
    return f"{host}:{url.port or _DEFAULT_PORT[_family(url)]}"


def where(url: URL) -> str:
    """host:port of the server, for messages."""
    return _where(url)


def _first_line(exc: BaseException, url: URL) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    masking.add_url(url.render_as_string(hide_password=False))
    return masking.mask(line)


def first_line(exc: BaseException, url: URL) -> str:
    """The driver's first line of an error, secrets masked."""
    return _first_line(exc, url)


def admin_engine(server_url: str) -> tuple[URL, Engine]:
    """The parsed server URL (with an installed driver) and an autocommit engine on its maintenance database;
    MigcheckError for a URL that is not a PostgreSQL or MySQL/MariaDB server."""
    url = _with_driver(_parse(server_url))
    if _family(url) == "sqlite":
        raise MigcheckError(
            f"{mask_url(server_url)} is SQLite: its scratch databases are temporary files, removed by the"
            " operating system's temporary directory cleanup; name a PostgreSQL or MySQL/MariaDB server"
        )
    return url, _engine(url)


def _engine(url: URL) -> Engine:
    """An engine on the server's maintenance database: the URL's own, else postgres (PG) or none (MySQL)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchModuleError
    from sqlalchemy.pool import NullPool

    args = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT}
    try:
        maintenance = url.database or ("postgres" if _family(url) == "postgresql" else None)
        return create_engine(
            url.set(database=maintenance), poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=args
        )
    except (ImportError, NoSuchModuleError):
        family, driver = _family(url), url.get_driver_name()
        default = _DEFAULT_DRIVER[family]
        fix = f"pip install '{_PIP.get(driver, driver)}'"
        if driver != default:
            fix += f" (or use {family}+{default}:// with pip install '{_PIP[default]}')"
        raise MigcheckError(f"the {driver} driver for {family} is not installed: {fix}") from None


_LIST_DATABASES = {
    "postgresql": "SELECT datname FROM pg_database",
    "mysql": "SELECT schema_name FROM information_schema.schemata",
}


def _create(admin: Engine, url: URL, name: str) -> frozenset[str]:
    """Create the scratch database; return the databases the server had just before (see the docstring)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    family, where, user = _family(url), _where(url), url.username or "<user>"
    try:
        conn = admin.connect()
    except SQLAlchemyError as exc:
        raise MigcheckError(
            f"cannot connect to the {family} server at {where} ({mask_url(str(url))}): {_first_line(exc, url)}"
        ) from None
    with conn:
        try:
            existing = frozenset(conn.execute(text(_LIST_DATABASES[family])).scalars())
        except SQLAlchemyError as exc:
            raise MigcheckError(f"cannot list the databases on {where}: {_first_line(exc, url)}") from None
        quoted = admin.dialect.identifier_preparer.quote_identifier(name)
        try:
            stamp = STAMP.format(int(conn.execute(text(SERVER_NOW[family])).scalar_one()))
            commented = has_schema_comments(admin)
            conn.execute(text(f"CREATE DATABASE {quoted}" + (f" COMMENT '{stamp}'" if commented else "")))
        except SQLAlchemyError as exc:
            reason, orig = _first_line(exc, url), getattr(exc, "orig", None)
            if family == "postgresql" and getattr(orig, "sqlstate", None) == "42501":
                raise MigcheckError(
                    f"role {user!r} may not create databases on {where} ({reason}): give it CREATEDB "
                    f"(ALTER ROLE {user} CREATEDB) or point --database-url at a server where it has it"
                ) from None
            if family == "mysql" and getattr(orig, "args", (None,))[0] in (1044, 1142):
                raise MigcheckError(
                    f"user {user!r} may not create databases on {where} ({reason}): it needs the CREATE, DROP "
                    f"privileges (GRANT CREATE, DROP ON *.* TO '{user}'@'%'; narrowest: GRANT ALL ON "
                    f"`migcheck\\_%`.* TO '{user}'@'%') or point --database-url at a server where it has them"
                ) from None
            raise MigcheckError(f"cannot create a scratch database on {where}: {reason}") from None
        if family == "postgresql":
            try:
                conn.execute(text(f"COMMENT ON DATABASE {quoted} IS '{stamp}'"))
            except SQLAlchemyError:
                pass  # its age is then unknown, and `migcheck cleanup` keeps it unless told --older-than 0
    return existing


def has_schema_comments(engine: Engine) -> bool:
    """Whether the (connected) server keeps a comment per database: MariaDB 10.5 and later; MySQL does not."""
    dialect = engine.dialect
    version = dialect.server_version_info or (0,)
    return dialect.name == "mysql" and bool(getattr(dialect, "is_mariadb", False)) and version >= (10, 5)


def _drop(admin: Engine, name: str) -> None:
    from sqlalchemy import text

    quoted = admin.dialect.identifier_preparer.quote_identifier(name)
    with _connect_retrying(admin) as conn:
        if admin.dialect.name == "postgresql":
            if (admin.dialect.server_version_info or (0,)) >= (13,):
                conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
                return
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
        else:  # a connection still holding a lock in it must not make the drop wait for a day
            conn.execute(text("SET SESSION lock_wait_timeout = 30"))
        conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))


# SIGTERM (a CI job cancelled, `kill`) and SIGHUP (the terminal closed, an SSH session dropped) stop a check
# the same way: the scratch database is dropped, and the exit code is 128 + the signal's number.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM / SIGHUP into SystemExit(143 / 129) so `finally` blocks run; later ones are ignored
    meanwhile, so that the drop is not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        for stop in _STOP_SIGNALS:
            signal.signal(stop, signal.SIG_IGN)
        raise Terminated(128 + signum)

    previous = {stop: signal.signal(stop, handler) for stop in _STOP_SIGNALS}
    try:
        yield
    finally:
        for stop, before in previous.items():
            signal.signal(stop, signal.SIG_DFL if before is None else before)


# A server that went away (a network blip, a restart) gets this many more tries to connect, this many seconds
# apart, before the database is named for `migcheck cleanup`; a refused statement is never retried.
DROP_RETRIES = (1.0, 2.0)


def _connect_retrying(admin: Engine) -> Connection:
    from sqlalchemy.exc import OperationalError

    for pause in DROP_RETRIES:
        try:
            return admin.connect()
        except OperationalError:
            time.sleep(pause)
    return admin.connect()


def _drop_or_warn(admin: Engine, name: str, url: URL, label: str | None = None) -> None:
    try:
        _drop(admin, name)
    except BaseException as exc:  # noqa: BLE001 - never hide the exception that is already in flight
        command = f"DROP DATABASE {admin.dialect.identifier_preparer.quote_identifier(name)};"
        if label is None and NAME.fullmatch(name):
            server = mask_url(url.render_as_string(hide_password=False))
            command += f" (or, once the server is reachable: migcheck cleanup --database-url '{server}' --yes {name})"
        print(
            masking.mask(
                f"migcheck: warning: could not drop {label or f'scratch database {name}'} on {_where(url)} "
                f"({mask_url(str(url.set(database=name)))}): {_first_line(exc, url)}; drop it by hand: {command}"
            ),
            file=sys.stderr,
        )
        if not isinstance(exc, Exception):
            raise  # a second Ctrl-C during the drop still stops the process


def created_database(statement: str, family: str) -> tuple[str, bool] | None:
    """(name, if_not_exists) when `statement` creates a server-level database in that dialect family, else None.

    MySQL/MariaDB: CREATE SCHEMA and CREATE DATABASE are the same thing; PostgreSQL: only CREATE DATABASE
    (a schema lives inside the scratch database and goes with it); SQLite: nothing. Bare names are folded
    the way the server folds them (PostgreSQL lower-cases them); quoted names are taken as written.
    """
    match = _CREATED.match(statement) if isinstance(statement, str) else None
    if match is None or family not in _LIST_DATABASES:
        return None
    kind, if_not_exists, ident = match.groups()
    if family == "postgresql" and kind.upper() != "DATABASE":
        return None
    if ident[0] in '`"':
        name = ident[1:-1].replace(ident[0] * 2, ident[0])
    else:
        name = ident.lower() if family == "postgresql" else ident
    return name, if_not_exists is not None


def leaked(created: list[str], existing: frozenset[str]) -> list[str]:
    """The created names to drop: those the server did not have before (case-insensitively: keep if unsure)."""
    before = {n.casefold() for n in existing}
    return [n for n in created if n.casefold() not in before]


def _warned(cursor: Any) -> bool:
    """Whether the statement just run left a warning (MySQL's "database exists" after IF NOT EXISTS)."""
    result = getattr(cursor, "_result", None)  # PyMySQL
    count = getattr(result, "warning_count", None)
    if count is None:
        count = getattr(cursor, "warning_count", None)  # mysql-connector
    if count is None:
        warnings = getattr(getattr(cursor, "connection", None), "warning_count", None)  # mysqlclient
        count = warnings() if callable(warnings) else None
    return bool(count)


class _CreatedDatabases:
    """The databases created through connections to one scratch database, while `listening()`."""

    def __init__(self, family: str, scratch: str) -> None:
        self.family, self.scratch = family, scratch
        self.names: list[str] = []
        self._lock = threading.Lock()
        self._listener = self._after_cursor_execute  # one bound method, so that event.remove finds it

    def _after_cursor_execute(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        # by the database the engine was made for, not the server: a nested or concurrent scratch database in
        # this process keeps its own list, and the user's engines pointed elsewhere are not ours to clean up
        if conn.engine.url.database != self.scratch:
            return
        found = created_database(statement, self.family)
        if found is None:
            return
        name, if_not_exists = found
        if if_not_exists and self.family == "mysql" and _warned(cursor):
            return  # the database already existed: this statement created nothing
        with self._lock:
            if name not in self.names:
                self.names.append(name)

    @contextmanager
    def listening(self) -> Iterator[_CreatedDatabases]:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        # on the class, so that it reaches engines created later, including those of the project's env.py
        event.listen(Engine, "after_cursor_execute", self._listener)
        try:
            yield self
        finally:
            event.remove(Engine, "after_cursor_execute", self._listener)


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, empty database that migcheck created; drop it afterwards, always.

    Databases that the run creates through it on a PostgreSQL or MySQL/MariaDB server are dropped first
    (the rule is in the module docstring).
    """
    if server_url is None or dialect_of(server_url) == "sqlite":
        with _sigterm_raises(), tempfile.TemporaryDirectory(prefix=PREFIX) as directory:
            path = os.path.join(directory, "migcheck.db")
            open(path, "wb").close()  # an empty file is an empty SQLite database
            with _unsynchronised(path):
                yield f"sqlite:///{path}"
        return
    url = _with_driver(_parse(server_url))
    admin = _engine(url)
    name = f"{PREFIX}{secrets.token_hex(6)}"
    created = _CreatedDatabases(_family(url), name)
    existing: frozenset[str] = frozenset()
    with _sigterm_raises():
        may_exist = True  # also when interrupted during CREATE DATABASE: DROP ... IF EXISTS is harmless
        try:
            try:
                existing = _create(admin, url, name)
            except MigcheckError:
                may_exist = False
                raise
            with created.listening():
                yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            try:
                for other in leaked(created.names, existing):
                    _drop_or_warn(admin, other, url, f"database {other} (created by a migration)")
            finally:
                if may_exist:
                    _drop_or_warn(admin, name, url)
                admin.dispose()


@contextmanager
def _unsynchronised(path: str) -> Iterator[None]:
    """Connections to the scratch SQLite file at `path` skip fsync (`PRAGMA synchronous = OFF`).

    The file is thrown away after the check, so durability buys nothing, and SQLite commits each DDL statement
    on its own: on a busy disk the syncs were most of the wall time of a migration run. What SQL sees is the same.
    """
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    scratch = os.path.realpath(path)

    def connected(dbapi_connection: Any, _record: Any) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        main = dbapi_connection.execute("PRAGMA database_list").fetchone()
        if main is not None and main[2] and os.path.realpath(main[2]) == scratch:
            dbapi_connection.execute("PRAGMA synchronous = OFF")

    event.listen(Pool, "connect", connected)
    try:
        yield
    finally:
        event.remove(Pool, "connect", connected)


def list_scratch_databases(server_url: str) -> list[str]:
    """Names of the scratch databases (`migcheck_` + 12 hex digits) on that server (none for SQLite), sorted."""
    from sqlalchemy import text

    url = _with_driver(_parse(server_url))
    family = _family(url)
    if family == "sqlite":
        return []
    admin = _engine(url)
    query = {
        "postgresql": "SELECT datname FROM pg_database WHERE datname LIKE :pattern",
        "mysql": "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE :pattern",
    }[family]
    try:
        with admin.connect() as conn:
            names = conn.execute(text(query), {"pattern": PREFIX.replace("_", "\\_") + "%"}).scalars()
            return sorted(name for name in names if NAME.fullmatch(name))
    finally:
        admin.dispose()

"""Read-only access to a live database (`migcheck status`): its version table, in one transaction that is made
read-only where the dialect allows it and always rolled back. Nothing here writes: no version table is created,
no row is stamped. SQLAlchemy is imported inside the functions that need it, so `migcheck check` never pays.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck import masking
from migcheck.alembic_config import read_ini
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.masking import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

DEFAULT_VERSION_TABLE = "alembic_version"
_CONNECT_TIMEOUT = 10  # seconds; an unreachable host should fail the run, not hang it
_TIMEOUT_ARG = {"psycopg": "connect_timeout", "psycopg2": "connect_timeout", "pymysql": "connect_timeout"}


@dataclass(frozen=True)
class DatabaseState:
    """What the database says about its migrations."""

    revisions: tuple[str, ...]
    has_version_table: bool
    has_other_tables: bool

    def describe(self, table: str) -> str:
        if not self.has_version_table:
            return f"no {table} table" + (" (but other tables)" if self.has_other_tables else ", no tables")
        if not self.revisions:
            return f"{table} is empty"
        return "at " + ", ".join(self.revisions)


def read_database(
    database_url: str, version_table: str = DEFAULT_VERSION_TABLE, schema: str | None = None
) -> DatabaseState:
    """Read the version table (and whether other tables exist) in one read-only transaction."""
    import sqlalchemy as sa

    with read_only_connection(database_url) as conn:
        inspector = sa.inspect(conn)
        if schema is not None and not inspector.has_schema(schema):
            raise MigcheckError(
                f"schema {schema!r} does not exist in the database {mask_url(database_url)}: check"
                " --version-table-schema (the schema env.py passes as version_table_schema)"
            )
        has_version_table = inspector.has_table(version_table, schema=schema)
        others = [t for t in inspector.get_table_names(schema=schema) if t != version_table]
        revisions: tuple[str, ...] = ()
        if has_version_table:
            table = sa.table(version_table, sa.column("version_num"), schema=schema)
            rows = conn.execute(sa.select(table.c.version_num)).scalars()
            revisions = tuple(sorted({str(v) for v in rows if v is not None}))
    return DatabaseState(revisions, has_version_table, bool(others))


@contextmanager
def read_only_connection(database_url: str) -> Iterator[Connection]:
    """One connection inside a transaction made read-only where the dialect allows; always rolled back.

    Every failure (bad URL, unknown dialect, missing driver, unreachable server, failing query) becomes a
    MigcheckError whose message never holds the password.
    """
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    masking.add_url(database_url)
    url = _parse_url(database_url)
    shown = mask_url(database_url)
    try:
        engine = sa.create_engine(url, poolclass=NullPool, connect_args=_connect_args(url))
    except ImportError as exc:
        raise MigcheckError(
            f"--database-url {shown}: the database driver is not installed ({exc}); install it in the"
            " environment that runs migcheck"
        ) from None
    except sa.exc.SQLAlchemyError as exc:
        raise MigcheckError(f"--database-url {shown}: {_reason(exc, url)}") from None
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                _make_read_only(conn)
                yield conn
            finally:
                transaction.rollback()
    except MigcheckError:
        raise
    except sa.exc.SQLAlchemyError as exc:
        raise MigcheckError(f"cannot read the database {shown}: {_reason(exc, url)}") from None
    finally:
        engine.dispose()


def _parse_url(database_url: str) -> URL:
    from sqlalchemy.engine import make_url

    from migcheck.scratch import check_host, installed_driver

    try:
        url = make_url(database_url)
    except Exception:  # noqa: BLE001 - any parse failure is the user's URL, shown masked
        raise MigcheckError(
            f"--database-url {mask_url(database_url)}: not a database URL; expected e.g."
            " postgresql+psycopg://user:password@host/dbname or sqlite:///path/to/file.db"
        ) from None
    check_host(url, database_url)
    url = installed_driver(url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # sqlite would create a missing file; a typo in the path must not look like an empty database
        if not url.database.startswith("file:") and not Path(url.database).is_file():
            raise MigcheckError(
                f"--database-url {mask_url(database_url)}: the SQLite file {url.database} does not exist"
            )
    return url


def _connect_args(url: URL) -> dict[str, Any]:
    try:
        driver = url.get_driver_name()
    except Exception:  # noqa: BLE001 - an unknown dialect is reported by create_engine itself
        return {}
    arg = _TIMEOUT_ARG.get(driver)
    return {arg: _CONNECT_TIMEOUT} if arg and arg not in url.query else {}


def _make_read_only(conn: Connection) -> None:
    """Before the first query, so that even a bug further down cannot write."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif dialect in ("mysql", "mariadb"):
        # the session setting also refuses DDL, which MySQL would otherwise run after an implicit commit
        conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        conn.exec_driver_sql("START TRANSACTION READ ONLY")
    elif dialect == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")


def _reason(exc: Exception, url: URL) -> str:
    """The driver's own words, on one line, with the password scrubbed in case the driver echoed it."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # SQLAlchemy appends "[SQL: ...]" and a link; the driver's message is what helps
    lines = [line for line in lines if not line.startswith(("[SQL:", "[parameters:", "(Background on"))]
    reason = "; ".join(lines) or type(exc).__name__
    return masking.mask(reason)  # the driver may echo the password, or a piece of it


# what `alembic init` writes: a placeholder, not a database
_TEMPLATE_URL = "driver://user:pass@localhost/dbname"


def configured_url(env: Environment) -> tuple[str, Path, str]:
    """The environment's `sqlalchemy.url` (with the ini file and section it came from), read as `alembic
    current` reads it: from alembic.ini (beside a pyproject.toml environment: Alembic never reads the URL from
    TOML), `%(here)s` interpolated; a relative SQLite path taken from the ini's directory. env.py is not run,
    so a URL it builds in code (from an environment variable, a settings object) is not seen."""
    config = env.config_file
    ini = None
    if config is not None:
        ini = config if config.suffix != ".toml" else config.parent / "alembic.ini"
    if ini is None or not ini.is_file():
        raise MigcheckError(
            f"{env.name}: no --database-url, and no alembic.ini configures this environment's sqlalchemy.url;"
            " pass --database-url (migcheck status does not run env.py, where the URL may be built)"
        )
    section = env.ini_section
    parser = read_ini(ini)
    try:
        value = parser.get(section, "sqlalchemy.url", fallback="").strip()
    except configparser.Error as exc:
        raise MigcheckError(f"{ini}: [{section}] sqlalchemy.url cannot be read: {exc}") from None
    if not value or value == _TEMPLATE_URL:
        what = "is alembic init's placeholder" if value else "is not set"
        raise MigcheckError(
            f"{ini}: [{section}] sqlalchemy.url {what}; pass --database-url (migcheck status does not run"
            " env.py, where the URL may be built)"
        )
    masking.add_url(value)
    return _relative_sqlite(value, ini.parent), ini, section


def _relative_sqlite(value: str, here: Path) -> str:
    if not value.startswith("sqlite:///") or value.startswith("sqlite:////"):
        return value
    path = value[len("sqlite:///") :]
    if not path or path.startswith((":memory:", "file:")) or Path(path).is_absolute():
        return value
    return f"sqlite:///{(here / path).as_posix()}"

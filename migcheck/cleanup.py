"""`migcheck cleanup`: find, and on request drop, the scratch databases that interrupted checks left on a server.

A check drops its scratch database on every exit path it controls (success, failure, Ctrl-C, SIGTERM, SIGHUP).
SIGKILL, a crash of the machine or a server that went away during the drop leave one behind. A database is a
leftover when all of these hold:
- its name is exactly `migcheck_` + 12 hex digits (`scratch.NAME`): no other database is ever listed or dropped;
- it is older than the age asked for. Its creation time is kept with it, on the server's clock
  (`scratch.STAMP`: PostgreSQL's database comment, MariaDB's schema comment). One without it has an unknown
  age: made by an older migcheck, on MySQL (no schema comments), or by a check interrupted between CREATE and
  COMMENT. It counts only with `older_than=0`, or when named;
- no connection uses it: PostgreSQL's `pg_stat_activity`, MySQL/MariaDB's `information_schema.PROCESSLIST`
  (which, without the PROCESS privilege, shows only the user's own connections).
The drop re-checks: PostgreSQL's plain `DROP DATABASE` (no FORCE) fails when a connection arrived meanwhile,
and on MySQL/MariaDB the process list is read again just before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migcheck import masking
from migcheck.errors import MigcheckError
from migcheck.scratch import NAME, PREFIX, STAMPED, admin_engine, first_line, has_schema_comments, where

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

_QUERY = {
    "postgresql": """
        SELECT d.datname, shobj_description(d.oid, 'pg_database'),
               (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname),
               CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
        FROM pg_database d WHERE d.datname LIKE :pattern""",
    # MariaDB 10.5 and later keep a comment per database; MySQL and older MariaDB do not
    "mariadb": """
        SELECT s.schema_name, s.schema_comment,
               (SELECT COUNT(*) FROM information_schema.processlist p WHERE p.db = s.schema_name),
               UNIX_TIMESTAMP()
        FROM information_schema.schemata s WHERE s.schema_name LIKE :pattern""",
    "mysql": """
        SELECT s.schema_name, NULL,
               (SELECT COUNT(*) FROM information_schema.processlist p WHERE p.db = s.schema_name),
               UNIX_TIMESTAMP()
        FROM information_schema.schemata s WHERE s.schema_name LIKE :pattern""",
}
_IN_USE = "SELECT COUNT(*) FROM information_schema.processlist WHERE db = :name"


@dataclass(frozen=True)
class ScratchDatabase:
    """A `migcheck_<12 hex>` database on the server, with what decides whether it is a leftover."""

    name: str
    age: float | None  # seconds since it was created (server clock); None when unknown
    connections: int

    def kept_because(self, older_than: float | None) -> str | None:
        """Why it is not a leftover, or None when it is; `older_than` in seconds, None for a named one."""
        if self.connections:
            return f"in use ({self.connections} connection{'s' if self.connections > 1 else ''})"
        if older_than is None or older_than == 0:
            return None
        if self.age is None:
            return "age unknown: --older-than 0, or its name, takes it"
        if self.age < older_than:
            return f"younger than {_duration(older_than)}"
        return None

    def describe(self) -> str:
        age = "age unknown" if self.age is None else f"created {_duration(self.age)} ago"
        use = "no connection" if not self.connections else f"{self.connections} connection(s)"
        return f"{self.name}  {age}, {use}"


class Server:
    """One PostgreSQL or MySQL/MariaDB server, reached through the URL the user gave."""

    def __init__(self, server_url: str) -> None:
        self.url: URL
        self.engine: Engine
        self.url, self.engine = admin_engine(server_url)
        self.where = where(self.url)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()

    def _connect(self) -> Connection:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return self.engine.connect()
        except SQLAlchemyError as exc:
            raise MigcheckError(
                f"cannot connect to the server at {self.where}: {first_line(exc, self.url)}"
            ) from None

    def scratch_databases(self) -> list[ScratchDatabase]:
        """Every `migcheck_<12 hex>` database on the server, by name."""
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        with self._connect() as conn:
            dialect = conn.dialect.name
            if dialect != "postgresql":
                dialect = "mariadb" if has_schema_comments(self.engine) else "mysql"
            try:
                rows = conn.execute(
                    text(_QUERY[dialect]), {"pattern": PREFIX.replace("_", "\\_") + "%"}
                ).all()
            except SQLAlchemyError as exc:
                raise MigcheckError(
                    f"cannot list the databases on {self.where}: {first_line(exc, self.url)}"
                ) from None
        found = []
        for name, comment, connections, now in rows:
            if not NAME.fullmatch(str(name)):
                continue
            stamp = STAMPED.search(comment or "")
            age = max(0.0, float(now) - float(stamp.group(1))) if stamp else None
            found.append(ScratchDatabase(str(name), age, int(connections or 0)))
        return sorted(found, key=lambda db: db.name)

    def drop(self, name: str) -> None:
        """Drop one scratch database unless a connection uses it; MigcheckError says why it was kept."""
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        if not NAME.fullmatch(name):  # the one guard that matters: never anything but a scratch database
            raise MigcheckError(f"{name!r} is not a migcheck scratch database name")
        with self._connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(name)
            try:
                if conn.dialect.name != "postgresql":
                    if conn.execute(text(_IN_USE), {"name": name}).scalar_one():
                        raise MigcheckError(f"{name} is in use now; kept")
                    conn.execute(text("SET SESSION lock_wait_timeout = 30"))
                # PostgreSQL: no FORCE, so a connection that arrived since the listing keeps it alive
                conn.execute(text(f"DROP DATABASE {quoted}"))
            except SQLAlchemyError as exc:
                raise MigcheckError(f"{name}: {first_line(exc, self.url)}") from None


def run_cleanup(
    server_url: str, names: tuple[str, ...], *, older_than: float, drop: bool, echo: Callable[[str], None]
) -> None:
    """List the leftovers on the server (only `names`, at any age, when given; else those older than
    `older_than` seconds) and drop them when `drop`; MigcheckError when one could not be dropped."""
    masking.add_url(server_url)
    check_names(names)
    with Server(server_url) as server:
        found = server.scratch_databases()
        if names:
            present = {db.name for db in found}
            found = [db for db in found if db.name in names]
            for name in dict.fromkeys(n for n in names if n not in present):
                echo(f"{name}: not on {server.where}")
        age = None if names else older_than
        if not found:
            if not names:
                echo(f"no scratch database on {server.where}")
            return
        echo(f"scratch databases on {server.where}:")
        leftovers = failed = 0
        for db in found:
            kept = db.kept_because(age)
            if kept is not None:
                echo(f"  {db.describe()}: kept, {kept}")
                continue
            leftovers += 1
            if not drop:
                echo(f"  {db.describe()}: would drop")
                continue
            try:
                server.drop(db.name)
                echo(f"  {db.describe()}: dropped")
            except MigcheckError as exc:
                failed += 1
                echo(f"  {db.describe()}: not dropped: {exc}")
    if leftovers and not drop:
        echo(f"(dry run: nothing dropped; run again with --yes to drop {_count(leftovers)})")
    if failed:
        raise MigcheckError(f"{_count(failed)} could not be dropped; see above")


def _count(n: int) -> str:
    return f"{n} scratch database{'s' if n != 1 else ''}"


def check_names(names: tuple[str, ...]) -> None:
    """Refuse any name that is not a scratch database's: cleanup is never a way to drop something else."""
    for name in names:
        if not NAME.fullmatch(name):
            raise MigcheckError(
                f"{name!r} is not a migcheck scratch database name ({PREFIX} and 12 hex digits);"
                " migcheck cleanup never drops any other database"
            )


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} s"
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"

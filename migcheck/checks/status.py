"""MC4xx: a live database against the revision files (`migcheck status`), read through one read-only transaction.

Answers Alembic's two classic errors before a deploy meets them: "Target database is not up to date" (MC401)
and "Can't locate revision identified by ..." (MC402). Nothing here writes: no version table is created, no
row is stamped; the transaction is made read-only where the dialect allows it and is always rolled back.
SQLAlchemy is imported inside the functions that need it, so `migcheck check` never pays for it.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migcheck.checks.history import History
from migcheck.config import Settings
from migcheck.errors import MigcheckError
from migcheck.findings import REGISTRY, Finding, Location, Severity, resolve_rules, rule
from migcheck.graph import RevisionGraph
from migcheck.result import CheckResult
from migcheck.scratch import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

DEFAULT_VERSION_TABLE = "alembic_version"
_CONNECT_TIMEOUT = 10  # seconds; an unreachable host should fail the run, not hang it
_TIMEOUT_ARG = {"psycopg": "connect_timeout", "psycopg2": "connect_timeout", "pymysql": "connect_timeout"}
_SHOWN = 8  # pending revisions named in a message before the list is shortened


@dataclass(frozen=True)
class StatusContext:
    """What the MC4xx rules look at: one history and what the database's version table holds."""

    history: History
    database_revisions: tuple[str, ...]
    has_version_table: bool
    has_other_tables: bool
    version_table: str = DEFAULT_VERSION_TABLE  # schema-qualified when a schema was given
    versions_path: str = "."  # the environment's version directory, for findings with no better place


def _q(rid: str) -> str:
    return f"'{rid}'"


def _listed(rids: list[str]) -> str:
    if len(rids) <= _SHOWN:
        return ", ".join(map(_q, rids))
    rest = len(rids) - _SHOWN + 2
    return ", ".join([*map(_q, rids[: _SHOWN - 2]), f"... {rest} more ...", *map(_q, rids[-2:])])


@rule(code="MC401", name="database-behind-head", severity=Severity.ERROR)
def database_behind_head(context: StatusContext) -> Iterator[Finding]:
    """The database is not at the head revision(s): some migrations have not run on it.

    Alembic's autogenerate and `alembic revision --autogenerate` refuse to work on such a database ("Target
    database is not up to date"), and the application runs against a schema older than its models. A database
    with no version table has had no migration run at all, or was built without Alembic (`create_all()`,
    a restored dump); an empty version table means the database was stamped down to base.

    Fix: run `alembic upgrade head` (`heads` when the history has several heads). For a database whose tables
    were created without Alembic, check that the schema matches a revision, then record it once with
    `alembic stamp <revision>` instead of upgrading.
    """
    if not isinstance(context, StatusContext):
        return  # `migcheck check` hands every registered rule a History; MC4xx needs a database
    graph = context.history.graph
    current = list(dict.fromkeys(context.database_revisions))
    if any(rid not in graph.revisions for rid in current):
        return  # Alembic cannot even locate the current revision: that is MC402's finding
    heads = graph.heads()
    done = set().union(*(graph.ancestors(rid) for rid in current))
    pending = set().union(*(graph.ancestors(h) for h in heads)) - done
    if not pending:
        return
    order = graph.upgrade_order(pending)
    target = "heads" if len(heads) > 1 else "head"
    upgrade = f"run `alembic upgrade {target}`"
    stamp = (
        "it was created without Alembic: `alembic stamp <rev>` once you have checked the schema matches"
        " that revision (`alembic stamp head` if it matches the models), or pass --version-table if env.py"
        " configures another version table"
    )
    count = f"{len(order)} revision{'s' if len(order) != 1 else ''} pending: {_listed(order)}"
    if not context.has_version_table:
        if context.has_other_tables:
            message = f"the database has tables but no {context.version_table} table; {count}"
            hint = stamp
        else:
            message = f"the database has no {context.version_table} table: no migration has run; {count}"
            hint = upgrade
    elif not current:
        message = f"the {context.version_table} table is empty: the database is at base; {count}"
        hint = stamp if context.has_other_tables else upgrade
    else:
        behind = [h for h in heads if h in pending]
        message = (
            f"the database is at {', '.join(map(_q, current))}, behind {target} {', '.join(map(_q, behind))};"
            f" {count} (Alembic: Target database is not up to date)"
        )
        hint = upgrade
    first = min((graph.revisions[h] for h in heads if h in pending), key=lambda r: (r.path, r.revision_line))
    yield database_behind_head.finding(message, Location(first.path, first.revision_line), hint, first.id)


@rule(code="MC402", name="unknown-database-revision", severity=Severity.ERROR)
def unknown_database_revision(context: StatusContext) -> Iterator[Finding]:
    """The database's version table holds a revision that none of the revision files declares.

    Every Alembic command fails on it ("Can't locate revision identified by ..."). The database was usually
    migrated from another branch whose revision file is not on this one, or the file was deleted or renamed
    after it ran, or the version table was edited by hand.

    Fix: restore the missing revision file (from the branch that created it: `git log --all -- '*<rev>*'`).
    If it was deleted on purpose and the schema matches an existing revision, record that revision with
    `alembic stamp --purge <revision>` (it rewrites only the version table). Never drop data to get past it.
    """
    if not isinstance(context, StatusContext):
        return  # `migcheck check` hands every registered rule a History; MC4xx needs a database
    history = context.history
    graph = history.graph
    location = _fallback_location(graph, context.versions_path)
    for rid in dict.fromkeys(context.database_revisions):
        if rid in graph.revisions:
            continue
        unreadable = next((u for u in history.unreadable if u.revision == rid), None)
        close = difflib.get_close_matches(rid, list(graph.revisions), n=1, cutoff=0.75)
        message = (
            f"the database's {context.version_table} table holds {_q(rid)}, which is not a revision in the"
            f" scripts (Alembic: Can't locate revision identified by {_q(rid)})"
        )
        restore = f"restore the missing revision file (e.g. from the branch that created it: `git log --all -- '*{rid}*'`)"
        stamp = "`alembic stamp --purge <that revision>`"
        if unreadable is not None:
            message += f"; its file {unreadable.path} cannot be read"
            hint = f"repair {unreadable.path}:{unreadable.line} ({unreadable.hint})"
            yield unknown_database_revision.finding(
                message, Location(unreadable.path, unreadable.line), hint, rid
            )
            continue
        if close:
            near = graph.revisions[close[0]]
            message += f"; a revision with a close id exists: {_q(close[0])} ({near.path})"
            stamp = f"`alembic stamp --purge {close[0]}` if that is the revision it should name"
        else:
            message += "; no revision in the scripts has a similar id"
        hint = (
            f"{restore}, or, if it was deleted on purpose and the schema matches an existing revision, {stamp}"
            f" (this rewrites only the {context.version_table} table); never drop data to get past this"
        )
        yield unknown_database_revision.finding(message, location, hint, rid)


def _fallback_location(graph: RevisionGraph, versions_path: str) -> Location:
    """The newest head's revision line (file names usually sort by date), else the version directory."""
    heads = [graph.revisions[h] for h in graph.heads()]
    if not heads:
        return Location(versions_path, 1)
    newest = max(heads, key=lambda r: (r.path, r.revision_line))
    return Location(newest.path, newest.revision_line)


STATUS_RULES = ("MC401", "MC402")


def run_status(
    settings: Settings,
    database_url: str,
    *,
    version_table: str = DEFAULT_VERSION_TABLE,
    version_table_schema: str | None = None,
) -> CheckResult:
    """Compare the database at `database_url` with the one history under `settings.root`; never writes."""
    from migcheck import engine
    from migcheck.constants import ConstantResolver
    from migcheck.discover import discover

    started = time.perf_counter()
    root = settings.root.resolve()
    ignored = resolve_rules(settings.ignore, setting="ignore")
    found = discover(
        root,
        alembic_config=settings.alembic_config,
        versions=settings.versions,
        environments=[e.path for e in settings.environments],
    )
    if len(found.environments) != 1:
        names = ", ".join(env.name for env in found.environments)
        raise MigcheckError(
            f"status compares one history with the database, but {len(found.environments)} environments were"
            f" found ({names}); name one with -c/--alembic-config, --versions or a PATH inside it"
        )
    env = found.environments[0]
    notices = list(found.notices)
    revisions, unreadable = engine._read_environment(env, root, ConstantResolver(root), notices)
    overrides = engine._overrides(env, root, settings.environments)
    expected = overrides.expected_heads if overrides and overrides.expected_heads else settings.expected_heads
    histories = engine._histories(env, root, revisions, unreadable, expected)
    if len(histories) != 1:
        names = ", ".join(h.name for h in histories)
        raise MigcheckError(
            f"{env.name} holds {len(histories)} separate histories ({names}); point --versions at the"
            " directory of the one this database follows"
        )
    history = histories[0]
    read_started = time.perf_counter()
    state = read_database(database_url, version_table, version_table_schema)
    table = f"{version_table_schema}.{version_table}" if version_table_schema else version_table
    context = StatusContext(
        history=history,
        database_revisions=state.revisions,
        has_version_table=state.has_version_table,
        has_other_tables=state.has_other_tables,
        version_table=table,
        versions_path=engine._display(env.version_locations[0], root) if env.version_locations else env.name,
    )
    findings = [
        replace(finding, environment=history.name)
        for code in sorted(set(STATUS_RULES) - ignored)
        for finding in REGISTRY[code].check(context)
    ]
    notices.append(f"database {mask_url(database_url)}: {state.describe(table)}")
    finished = time.perf_counter()
    return CheckResult(
        root=str(root),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        histories=(engine._facts(history, env, root),),
        fail_on=settings.fail_on,
        notices=tuple(notices),
        timings={
            "read": read_started - started,
            "database": finished - read_started,
            "total": finished - started,
        },
    )


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
    except sa.exc.SQLAlchemyError as exc:
        raise MigcheckError(f"cannot read the database {shown}: {_reason(exc, url)}") from None
    finally:
        engine.dispose()


def _parse_url(database_url: str) -> URL:
    from sqlalchemy.engine import make_url

    try:
        url = make_url(database_url)
    except Exception:  # noqa: BLE001 - any parse failure is the user's URL, shown masked
        raise MigcheckError(
            f"--database-url {mask_url(database_url)}: not a database URL; expected e.g."
            " postgresql+psycopg://user:password@host/dbname or sqlite:///path/to/file.db"
        ) from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        from pathlib import Path

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
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason

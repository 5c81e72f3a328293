"""MC4xx: a live database against the revision files (`migcheck status`).

Answers Alembic's two classic errors before a deploy meets them: "Target database is not up to date" (MC401)
and "Can't locate revision identified by ..." (MC402). The rules read what `livedb.py` read from the
database's version table; they never touch the database themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from migcheck.checks.words import listed, quoted
from migcheck.findings import Finding, Location, Severity, rule
from migcheck.graph import RevisionGraph
from migcheck.histories import History
from migcheck.livedb import DEFAULT_VERSION_TABLE


@dataclass(frozen=True)
class StatusContext:
    """What the MC4xx rules look at: one history and what the database's version table holds."""

    history: History
    database_revisions: tuple[str, ...]
    has_version_table: bool
    has_other_tables: bool
    version_table: str = DEFAULT_VERSION_TABLE  # schema-qualified when a schema was given
    versions_path: str = "."  # the environment's version directory, for findings with no better place


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
    count = f"{len(order)} revision{'s' if len(order) != 1 else ''} pending: {listed(order)}"
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
            f"the database is at {', '.join(map(quoted, current))}, behind {target} {', '.join(map(quoted, behind))};"
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
    import difflib  # here, not at the top: every check run loads the rule modules

    history = context.history
    graph = history.graph
    location = _fallback_location(graph, context.versions_path)
    for rid in dict.fromkeys(context.database_revisions):
        if rid in graph.revisions:
            continue
        unreadable = next((u for u in history.unreadable if u.revision == rid), None)
        close = difflib.get_close_matches(rid, list(graph.revisions), n=1, cutoff=0.75)
        message = (
            f"the database's {context.version_table} table holds {quoted(rid)}, which is not a revision in the"
            f" scripts (Alembic: Can't locate revision identified by {quoted(rid)})"
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
            message += f"; a revision with a close id exists: {quoted(close[0])} ({near.path})"
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

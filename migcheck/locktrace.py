"""The locks and table rewrites of each new revision, measured on a PostgreSQL scratch database (read by MC350).

The drift run's StepTracker hands each migration step to `LockTracer.wrap`; for an upgrade of a revision to
trace, the step's `migration_fn` is wrapped so that PostgreSQL's catalogs are read right before it runs and
right after, still inside the revision's transaction (Alembic commits a per-migration transaction before the
next step starts, so this is the last moment its locks can be seen):

- `pg_locks` of migcheck's own backend: the relation locks the revision holds;
- `pg_class.relfilenode`: a relation with a new relfilenode was rewritten (a new copy of every row);
- `pg_attribute`, `pg_index`, `pg_constraint`: what the revision did to each relation (a new column, a type
  change, SET NOT NULL, an index or a constraint added or dropped), for the hint of the safe alternative.

Only relations that existed before the change count: those the revision itself creates, and those an earlier
traced revision of the same run created (a new table nobody uses yet, as `LintContext.existing` has it), are
left out, and so are the system catalogs and the version table.

The catalog queries go through the DBAPI connection inside a SAVEPOINT of their own, so they never fire
SQLAlchemy events (the StepTracker's first-error listener, the project's own listeners), and one that fails
leaves the migration's transaction as it was; the revision is then not measured and a note says why. A
migration that fails is never sampled after: its own error stays the one reported.

What cannot be seen, by design of PostgreSQL and Alembic:
- locks taken inside `op.get_context().autocommit_block()` are released when each statement of the block
  commits (CREATE INDEX CONCURRENTLY runs there, holding only SHARE UPDATE EXCLUSIVE while it builds); the
  block also commits what the revision did before it, so only the locks taken after the block are seen;
- when every revision runs in one transaction (`transaction_per_migration=False`, Alembic's default), the
  locks of the revisions before are still held, and on a scratch database that is every table (each holds the
  ACCESS EXCLUSIVE of its CREATE TABLE). In production the revisions before the change were committed long
  ago, so migcheck commits what ran before the first traced revision (the scratch database is dropped
  anyway) and the change then runs in one transaction as it will in production. Within it, a revision is
  charged only with the (relation, mode) pairs that were not held when it started (a rewrite is still seen:
  the relfilenode changes again);
- a connection in autocommit mode holds each lock only for its statement: nothing is measured then.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from migcheck.outcome import (
    DROPPED,
    DROPPED_INDEX,
    LOCK_MODES,
    NEW_COLUMN,
    NEW_CONSTRAINT,
    NEW_INDEX,
    NOT_VALID_CONSTRAINT,
    SET_NOT_NULL,
    TYPE_CHANGE,
    LockTrace,
)

# the schemas of PostgreSQL itself: their relations are no table of the application's
_USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'"
_RELATIONS = f"""
SELECT c.oid, c.relname, c.relkind::text, c.relfilenode, i.indrelid
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.relkind IN ('r', 'p', 'i', 'I', 'm') AND {_USER_SCHEMA}
"""
_COLUMNS = f"""
SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod, a.attnotnull
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {_USER_SCHEMA}
"""
_CONSTRAINTS = """
SELECT oid, conname, conrelid, confrelid, convalidated FROM pg_constraint
WHERE contype IN ('f', 'c') AND conrelid <> 0
"""
_LOCKS = """
SELECT relation, mode FROM pg_locks
WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
_KINDS = {"r": "table", "p": "table", "i": "index", "I": "index", "m": "materialized view"}
_SAVEPOINT = "migcheck_locktrace"


def mode_name(lock: str) -> str:
    """pg_locks' `AccessExclusiveLock` as the documentation and LOCK TABLE name it: `ACCESS EXCLUSIVE`."""
    return " ".join(re.findall(r"[A-Z][a-z]*", lock.removesuffix("Lock"))).upper()


@dataclass(frozen=True)
class Snapshot:
    """The catalogs of the scratch database at one moment, as seen inside the migration's transaction."""

    relations: dict[int, tuple[str, str, int, int | None]]  # oid -> (name, relkind, relfilenode, indrelid)
    columns: dict[tuple[int, str], tuple[int, int, bool]]  # (table oid, column) -> (type, typmod, not null)
    constraints: dict[int, tuple[str, int, int, bool]]  # oid -> (name, table, referenced table, validated)
    locks: frozenset[tuple[int, str]]  # (relation oid, mode)

    @classmethod
    def read(cls, dbapi_connection: Any) -> Snapshot:
        rows = _query(dbapi_connection, (_RELATIONS, _COLUMNS, _CONSTRAINTS, _LOCKS))
        return cls(
            {int(r[0]): (str(r[1]), str(r[2]), int(r[3]), _oid(r[4])) for r in rows[0]},
            {(int(r[0]), str(r[1])): (int(r[2]), int(r[3]), bool(r[4])) for r in rows[1]},
            {int(r[0]): (str(r[1]), int(r[2]), int(r[3]), bool(r[4])) for r in rows[2]},
            # a SERIALIZABLE transaction's SIReadLock is a predicate lock, not a table lock: it blocks nothing
            frozenset(
                (int(r[0]), mode)
                for r in rows[3]
                if r[0] is not None and (mode := mode_name(str(r[1]))) in LOCK_MODES
            ),
        )


def _oid(value: Any) -> int | None:
    return int(value) if value is not None else None


def _query(dbapi_connection: Any, statements: tuple[str, ...]) -> list[list[Any]]:
    """The rows of each statement, read inside a savepoint that is rolled back to should one fail."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SAVEPOINT {_SAVEPOINT}")
        try:
            results = []
            for statement in statements:
                cursor.execute(statement)
                results.append(list(cursor.fetchall()))
        except BaseException:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            raise
        cursor.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        return results
    finally:
        cursor.close()


class LockTracer:
    """Measures the upgrade steps of the revisions in `revisions` on a PostgreSQL scratch database."""

    def __init__(self, revisions: frozenset[str], notes: list[str]) -> None:
        self.revisions = revisions
        self.notes = notes
        self.traces: list[LockTrace] = []
        self.traced: list[str] = []
        # relations created by the revisions measured so far: new in the change, so never "existing"
        self._created: set[int] = set()
        self._settled = False  # what ran before the first traced revision is committed (`_deployed`)

    def wrap(self, step: Any, context: Any) -> Callable[[], None] | None:
        """Measure `step` when it upgrades a revision to trace on PostgreSQL: its `migration_fn` is wrapped
        until the returned function puts it back; None when the step is not measured."""
        rid = getattr(getattr(step, "revision", None), "revision", None)
        dialect = getattr(getattr(context, "dialect", None), "name", None)
        if rid not in self.revisions or not getattr(step, "is_upgrade", False) or dialect != "postgresql":
            return None
        original = step.migration_fn
        version_table = str(getattr(context, "version_table", None) or "alembic_version")

        @functools.wraps(original)
        def measured(*args: Any, **kw: Any) -> Any:
            before = self._deployed(context, rid, self._sample(context, rid, "before"))
            result = original(*args, **kw)
            after = self._sample(context, rid, "after") if before is not None else None
            if before is not None and after is not None:
                try:
                    self._record(rid, before, after, version_table)
                except Exception as exc:  # noqa: BLE001 - a bug of the trace must not fail the migration
                    self.notes.append(f"lock trace: revision {rid} was not measured: {_said(exc)}")
            return result

        step.migration_fn = measured
        return lambda: setattr(step, "migration_fn", original)

    def _deployed(self, context: Any, rid: str, before: Snapshot | None) -> Snapshot | None:
        """At the first traced revision, commit what the revisions before it did when their locks are still
        held (one transaction for all revisions): in production they were deployed long before the change."""
        if before is None or self._settled:
            return before
        self._settled = True
        if not any(oid in before.relations for oid, _ in before.locks):
            return before
        try:
            context.connection.connection.dbapi_connection.commit()
        except Exception as exc:  # noqa: BLE001 - the trace must never change what the migration does
            self.notes.append(f"lock trace: revision {rid} was not measured: {_said(exc)}")
            return None
        return self._sample(context, rid, "before")

    def _sample(self, context: Any, rid: str, when: str) -> Snapshot | None:
        connection = context.connection
        if connection is None or not connection.in_transaction():
            self.notes.append(
                f"lock trace: revision {rid} was not measured: its connection was not in a transaction {when}"
                " it ran (autocommit), so PostgreSQL released each lock at once"
            )
            return None
        try:
            return Snapshot.read(connection.connection.dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - the trace must never change what the migration does
            self.notes.append(
                f"lock trace: revision {rid} was not measured: reading PostgreSQL's catalogs {when} it ran"
                f" failed ({_said(exc)})"
            )
            return None

    def _record(self, rid: str, before: Snapshot, after: Snapshot, version_table: str) -> None:
        rebuilt = _rebuilt_indexes(before, after)
        taken = after.locks - before.locks
        existing = {
            oid: row
            for oid, row in before.relations.items()
            if oid not in self._created and version_table not in (row[0], _table_of(before, oid))
        }
        found = []
        # each table, then its indexes
        order = sorted(
            existing, key=lambda oid: (_table_of(before, oid), existing[oid][1] in "iI", existing[oid][0])
        )
        for oid in order:
            name, relkind, filenode, _ = existing[oid]
            modes = tuple(sorted({mode for rel, mode in taken if rel == oid}, key=_strength))
            now = after.relations.get(rebuilt.get(oid, oid))
            rewritten = now is not None and filenode != 0 and now[2] != filenode
            changes = _changes(oid, before, after, rebuilt)
            if modes or rewritten or changes:
                kind = _KINDS[relkind]
                table = name if kind != "index" else _table_of(before, oid)
                found.append(LockTrace(rid, name, kind, table, modes, rewritten, changes))
        self._created |= set(after.relations) - set(before.relations) - set(rebuilt.values())
        self.traced.append(rid)
        self.traces += found


def _said(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__


def _strength(mode: str) -> int:
    return LOCK_MODES.index(mode) if mode in LOCK_MODES else -1


def _table_of(snapshot: Snapshot, oid: int) -> str:
    """The name of the table an index belongs to; the relation's own name for anything else."""
    name, _, _, indrelid = snapshot.relations[oid]
    table = snapshot.relations.get(indrelid) if indrelid is not None else None
    return table[0] if table is not None else name


def _rebuilt_indexes(before: Snapshot, after: Snapshot) -> dict[int, int]:
    """Indexes PostgreSQL dropped and created again under the same name on the same table (ALTER COLUMN TYPE
    does so for the indexes on the column, keeping their storage when no rewrite is needed): old oid -> new."""
    new: dict[tuple[str, int | None], int] = {
        (name, indrelid): oid
        for oid, (name, _, _, indrelid) in after.relations.items()
        if indrelid is not None and oid not in before.relations
    }
    return {
        oid: new[(name, indrelid)]
        for oid, (name, _, _, indrelid) in before.relations.items()
        if oid not in after.relations and (name, indrelid) in new
    }


def _changes(
    oid: int, before: Snapshot, after: Snapshot, rebuilt: dict[int, int]
) -> tuple[tuple[str, str], ...]:
    """What the revision did to relation `oid` (and, for a table, to its columns, indexes and constraints);
    an index `rebuilt` under its own name is the same index."""
    name, relkind, _, _ = before.relations[oid]
    if oid not in after.relations and oid not in rebuilt:
        return ((DROPPED, name),)
    if _KINDS[relkind] != "table":
        return ()
    found: list[tuple[str, str]] = []
    for (table, column), (typ, typmod, not_null) in sorted(after.columns.items()):
        if table != oid:
            continue
        old = before.columns.get((table, column))
        if old is None:
            found.append((NEW_COLUMN, column))
            continue
        if (typ, typmod) != old[:2]:
            found.append((TYPE_CHANGE, column))
        if not_null and not old[2]:
            found.append((SET_NOT_NULL, column))
    for index, (index_name, _, _, indrelid) in sorted(after.relations.items()):
        if indrelid == oid and index not in before.relations and index not in rebuilt.values():
            found.append((NEW_INDEX, index_name))
    for index, (index_name, _, _, indrelid) in sorted(before.relations.items()):
        if indrelid == oid and index not in after.relations and index not in rebuilt:
            found.append((DROPPED_INDEX, index_name))
    for constraint, (con_name, table, referenced, validated) in sorted(after.constraints.items()):
        # a constraint of a table the revision created checks no existing row: only the referenced table's
        # brief lock is left, which is a lock_timeout matter (MC317), not a validation under lock
        if constraint not in before.constraints and oid in (table, referenced) and table in before.relations:
            found.append((NEW_CONSTRAINT if validated else NOT_VALID_CONSTRAINT, con_name))
    return tuple(found)

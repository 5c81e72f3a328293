"""The round-trip "stairway" of `--roundtrip`: each revision upgraded, stepped back alone, and upgraded again.

Revisions run in one deterministic topological order of the graph (down_revision and depends_on edges, ties
broken by id), so each upgrade applies exactly one revision, and each step back undoes exactly that one
(`Runner.step_back`), which works for merges, extra bases and labelled branches alike: the schema and the
version table's heads after the step back must equal those before the upgrade. What comes back is data
(`RoundTrip`); the MC203/MC204 rules word it.
"""

from __future__ import annotations

from typing import Any

from migcheck.graph import RevisionGraph
from migcheck.migrate import Runner, snapshot
from migcheck.outcome import Failure, Irreversible, RoundTrip


def stairway(runner: Runner, graph: RevisionGraph) -> RoundTrip:
    """Upgrade, step back and upgrade again each revision in topological order, on `runner`'s database."""
    one_way: list[Failure] = []

    def broken(failure: Failure) -> RoundTrip:
        return RoundTrip(failure, tuple(one_way))

    for rid in graph.upgrade_order():
        before = _state(runner)
        failure = runner.migrate(rid)
        if failure is not None:
            return broken(
                Failure(
                    rid,
                    f"upgrading it right after its down_revisions and dependencies fails: {failure.error}",
                )
            )
        upgraded = snapshot(runner)
        failure = runner.step_back(rid)
        if isinstance(failure, Irreversible):
            if snapshot(runner) != upgraded:
                # only where DDL is not transactional (MySQL): the database is now half-way, so stop
                return broken(
                    Failure(
                        rid,
                        "its downgrade changed the schema before raising NotImplementedError",
                        downgrade=True,
                    )
                )
            # the revision stays applied; the revisions above it are stepped back one by one all the same
            one_way.append(failure)
            continue
        if failure is not None:
            return broken(Failure(rid, f"its downgrade fails: {failure.error}", downgrade=True))
        after = _state(runner)
        if after != before:
            return broken(Failure(rid, _state_change(before, after), downgrade=True))
        failure = runner.migrate(rid)
        if failure is not None:
            # the schema matched, so what the downgrade left is something the snapshot does not see
            # (a PostgreSQL enum type, a sequence, rows)
            return broken(
                Failure(rid, f"upgrading it again after its downgrade fails: {failure.error}", downgrade=True)
            )
    return RoundTrip(None, tuple(one_way))


def _state(runner: Runner) -> tuple[dict[str, Any], frozenset[str]]:
    """The scratch database's schema and the heads its version table records."""
    from alembic.runtime.migration import MigrationContext

    version_table, schema = runner.version_table()
    with runner.engine.connect() as connection:
        opts = {"version_table": version_table, "version_table_schema": schema}
        context = MigrationContext.configure(connection, opts=opts)
        heads = frozenset(context.get_current_heads())
    return snapshot(runner), heads


def _state_change(
    before: tuple[dict[str, Any], frozenset[str]], after: tuple[dict[str, Any], frozenset[str]]
) -> str:
    if before[0] != after[0]:
        return _schema_change(before[0], after[0])
    was, now = (", ".join(sorted(heads)) or "base" for heads in (before[1], after[1]))
    return f"after its downgrade the database is at {now}; before its upgrade it was at {was}"


def _schema_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What the downgrade left behind or took away, in a few words."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    if added:
        return f"after its downgrade the table {', '.join(added)} still exists"
    if removed:
        return f"its downgrade dropped the table {', '.join(removed)}, which existed before its upgrade"
    for table in sorted(before):
        if before[table] != after[table]:
            cols_before = {c[0] for c in before[table]["columns"]}
            cols_after = {c[0] for c in after[table]["columns"]}
            if cols_after - cols_before:
                return f"after its downgrade `{table}` still has column(s) {', '.join(sorted(cols_after - cols_before))}"
            if cols_before - cols_after:
                return f"its downgrade removed column(s) {', '.join(sorted(cols_before - cols_after))} of `{table}`"
            return f"after its downgrade table `{table}` differs from before its upgrade"
    return "the schema after its downgrade differs from before its upgrade"

"""What the MC3xx rules read: one new revision's operations (`migcheck.operations`), its dialect and which
tables already existed before it. The rules themselves live in `destructive.py` (data loss, breaking the
running app), `downgrades.py` (missing or unmirrored downgrades) and `locking.py` (locks and table rewrites on
a live database).

The engine builds one `LintContext` per revision in scope (new in the change with --base, else newer than
`lint_since`, else all) and hands it to the MC3xx rules whose `dialects` include the context's dialect (a rule
with no `dialects` applies to all; with the dialect unknown, only those run).
"""

from __future__ import annotations

from dataclasses import dataclass

from migcheck.findings import Location
from migcheck.histories import History
from migcheck.operations import Operation, RevisionOperations
from migcheck.scripts import Revision


@dataclass(frozen=True)
class LintContext:
    """One revision in scope of the MC3xx rules, with what they need to judge its operations."""

    history: History
    revision: Revision
    operations: RevisionOperations
    # sqlite, postgresql or mysql (MariaDB included); None when migcheck could not tell
    dialect: str | None
    # tables created by the revisions of this change that run before this one: nobody else uses them yet
    created_earlier: frozenset[str] = frozenset()
    # the environment's env.py sets a lock_timeout itself (SET lock_timeout, `-c lock_timeout=...` in options)
    env_lock_timeout: bool = False

    def existing(self, op: Operation) -> bool:
        """Whether `op` acts on a table that existed before this change (locking it can block the app)."""
        if op.table is None or op.new_table:
            return False
        return op.table not in self.created_earlier

    def at(self, op: Operation) -> Location:
        """Where a finding about `op` points: the revision file, at the operation's line."""
        return Location(self.revision.path, op.line, op.end_line)

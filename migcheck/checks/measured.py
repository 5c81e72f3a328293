"""MC350: the locks and rewrites a new revision really causes, measured on a PostgreSQL scratch database.

Reads the traces of a PostgreSQL drift run (`DriftOutcome.traces`, written by `migcheck.locktrace`); runs no
database itself. Where static rules (MC310-MC319) read what the code says, this one reports what PostgreSQL did.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from migcheck.checks.drift import DriftContext
from migcheck.findings import Finding, Location, Severity, rule

if TYPE_CHECKING:  # only a drift run builds traces (and imports outcome)
    from migcheck.outcome import LockTrace

_LOCK_TIMEOUT = "op.execute(\"SET lock_timeout = '5s'\")"
# The safe alternative for what the catalogs show the revision did, most specific first (`_hints`).
_HINTS = {
    "rewrite column": (
        "the column's new type needs every row copied; instead add a new column of the new type"
        " (op.add_column), backfill it in batches, switch the application to it, and drop the old column in a"
        " later revision"
    ),
    "rewrite default": (
        "the new column's server_default is computed per row, so every row was written again; add the"
        " column without a server_default, set it afterwards for new rows (op.alter_column(..., server_default"
        "=...)), and backfill the existing rows in batches"
    ),
    "rewrite": (
        "every row was copied; add a new column, backfill it in batches and switch over in a later"
        " revision instead of changing the table in place"
    ),
    "new index": (
        "build the index without blocking writes: `with op.get_context().autocommit_block():"
        " op.create_index(..., postgresql_concurrently=True)`"
    ),
    "new constraint": (
        "add the constraint NOT VALID (op.create_foreign_key(..., postgresql_not_valid=True), or"
        ' op.execute("ALTER TABLE ... ADD CONSTRAINT ... NOT VALID")), then validate it in a later revision:'
        ' op.execute("ALTER TABLE ... VALIDATE CONSTRAINT ...") takes only SHARE UPDATE EXCLUSIVE'
    ),
    "new constraint not valid": (
        "the constraint is NOT VALID, so no rows were checked and the lock is held only briefly; it still"
        f" waits behind every running transaction, so set a lock_timeout first ({_LOCK_TIMEOUT}) and validate"
        " it in a later revision (VALIDATE CONSTRAINT takes only SHARE UPDATE EXCLUSIVE)"
    ),
    "set not null": (
        "SET NOT NULL scans the table under ACCESS EXCLUSIVE: add a CHECK (column IS NOT NULL) NOT VALID"
        " constraint, VALIDATE CONSTRAINT it in a later revision, then SET NOT NULL (PostgreSQL 12+ skips the"
        " scan when a valid CHECK proves it) and drop the CHECK"
    ),
    "dropped index": (
        "drop the index without blocking reads and writes: `with op.get_context().autocommit_block():"
        " op.drop_index(..., postgresql_concurrently=True)`"
    ),
    "dropped": "the table is dropped: first deploy code that no longer uses it (MC301)",
    "lock": (
        "the lock is brief when nothing is rewritten or scanned, but while it waits for the running"
        f" transactions it blocks every statement after it: set a lock_timeout first ({_LOCK_TIMEOUT}) so the"
        " migration fails fast and can be retried"
    ),
}


# What the revision was doing while it held the lock, from what the catalogs show changed (LockTrace.changes).
_WHILE = {
    "new column": "adds column '{}'",
    "type change": "changes the type of column '{}'",
    "set not null": "sets column '{}' NOT NULL (reading every row)",
    "new index": "builds index '{}'",
    "dropped index": "drops index '{}'",
    "new constraint": "adds and validates constraint '{}'",
    "new constraint not valid": "adds constraint '{}' NOT VALID (no rows checked: held briefly)",
    "dropped": "drops '{}'",
}


@rule(code="MC350", name="measured-lock", severity=Severity.WARNING, dialects=("postgresql",))
def measured_lock(ctx: DriftContext) -> Iterator[Finding]:
    """A new revision takes a lock that blocks writes on an existing table, or rewrites it (measured on PostgreSQL).

    Why: with `--database-url` of a PostgreSQL server and `--base`, migcheck measures each new revision while
    it runs on the scratch database: inside the revision's transaction it reads `pg_locks` for its own
    backend, and `pg_class.relfilenode` before and after (a new relfilenode means every row was copied).
    Only tables that existed before the change count. SHARE and stronger modes block the application's
    INSERT/UPDATE/DELETE, ACCESS EXCLUSIVE blocks its SELECTs too, for as long as the transaction lasts (a
    rewrite or a validating scan makes that the time to copy or read the whole table), and a waiting ACCESS
    EXCLUSIVE blocks every statement queued behind it. Locks taken inside `autocommit_block()` (CREATE INDEX
    CONCURRENTLY) are released at once and not seen; when all revisions run in one transaction, a revision
    is charged only with the locks it added.

    Safe alternative: the hint names the one for what the catalogs show the revision did: a new index
    `postgresql_concurrently=True` in `autocommit_block()`; a constraint `NOT VALID` then `VALIDATE
    CONSTRAINT` later; SET NOT NULL through a validated CHECK; a type change or volatile default as a new
    column backfilled in batches; otherwise a `lock_timeout` so a brief lock cannot queue the application.

    Dialects: PostgreSQL only (measured on its scratch database); MySQL/MariaDB are measured by MC351.
    """
    groups: dict[tuple[str, str], list[LockTrace]] = {}
    for trace in ctx.outcome.traces:
        groups.setdefault((trace.revision, trace.table), []).append(trace)
    for (rid, table), traces in groups.items():
        own = [t for t in traces if t.kind != "index"]
        indexes = [t for t in traces if t.kind == "index"]
        subject = own[0] if own else max(indexes, key=lambda t: _rank(t.strongest))
        mode, blocks = subject.strongest, subject.blocks
        rewritten = any(t.rewritten for t in own)
        rebuilt = [t.relation for t in indexes if t.rewritten] if not rewritten else []
        if not blocks and not rewritten and not rebuilt:
            continue
        kinds = {kind for t in (own or indexes) for kind, _ in t.changes}
        if not (rewritten or rebuilt or _held_long(kinds, {m for t in own for m in t.modes})):
            continue  # a brief, metadata-only lock: with a lock_timeout (MC317) it blocks nobody for long
        what = f"existing {subject.kind} '{subject.relation}'"
        if subject.kind == "index":
            what += f" of table '{table}'"
        if mode:
            message = f"measured on PostgreSQL: takes {mode} on {what}"
            message += f" (blocks {blocks})" if blocks else " (blocks no reads or writes)"
        else:  # the lock was taken by an earlier revision of the same transaction and is still held
            message = f"measured on PostgreSQL: under the lock an earlier revision of its transaction holds on {what}"
        if rewritten:
            message += " and rewrites it"
        elif rebuilt:
            message += f" and rebuilds its {_plural_index(rebuilt)}"
        # a table's own trace says what happened to it and its indexes (an index's own says only "dropped")
        changes = [change for t in (own or indexes) for change in t.changes]
        doing = [_WHILE[kind].format(name) for kind, name in changes if kind in _WHILE]
        if doing:
            message += " while it " + ", ".join(dict.fromkeys(doing))
        yield measured_lock.finding(
            message,
            _location(ctx, rid, table),
            "; ".join(_hints({kind for kind, _ in changes}, rewritten or bool(rebuilt))),
            revision=rid,
        )


# what holds a lock for as long as it takes to read or write the whole table (beside a rewrite)
_SCANS = frozenset({"set not null", "new constraint"})


def _held_long(kinds: set[str], modes: set[str]) -> bool:
    """Whether the revision held its lock while reading the whole table: a SET NOT NULL or a validated
    constraint scan, an index built without CONCURRENTLY (its SHARE lock), or a lock against reads with no
    change migcheck can name. Adding a column, a binary-compatible type change, dropping an index
    or adding a NOT VALID constraint only change the catalog: brief, the lock_timeout's business (MC317)."""
    if kinds & _SCANS:
        return True
    if "new index" in kinds and "SHARE" in modes:
        return True
    # nothing changed on the table, yet it was locked against reads (LOCK TABLE): reported, not guessed away;
    # a SHARE ROW EXCLUSIVE with no change is the referenced side of a new table's foreign key, held briefly
    return not kinds and bool(modes & {"ACCESS EXCLUSIVE", "EXCLUSIVE"})


def _rank(mode: str) -> int:
    from migcheck.outcome import LOCK_MODES

    return LOCK_MODES.index(mode) if mode in LOCK_MODES else -1


def _plural_index(names: list[str]) -> str:
    quoted = ", ".join(f"'{n}'" for n in names)
    return f"index {quoted}" if len(names) == 1 else f"indexes {quoted}"


def _hints(changes: set[str], rewritten: bool) -> list[str]:
    """The safe alternatives for what the revision did to the table (`changes`: LockTrace.changes kinds),
    most specific first."""
    keys = []
    if rewritten:
        if "type change" in changes:
            keys.append("rewrite column")
        elif "new column" in changes:
            keys.append("rewrite default")
        else:
            keys.append("rewrite")
    keys += [k for k in ("new index", "new constraint", "new constraint not valid") if k in changes]
    keys += [k for k in ("set not null", "dropped index", "dropped") if k in changes]
    if not keys:
        keys.append("lock")
    return [_HINTS[k] for k in dict.fromkeys(keys)]


def _location(ctx: DriftContext, rid: str, table: str) -> Location:
    """The revision file, at the first operation of upgrade() that names `table` (an `op.` call or an
    `execute`, whose string arguments are searched for the name as a word), else at `def upgrade`."""
    revision = ctx.history.graph.revisions.get(rid)
    if revision is None:
        return Location(ctx.history.name, 1)
    try:
        tree = ast.parse((ctx.paths_from / revision.path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return Location(revision.path, revision.revision_line)
    upgrade = next(
        (
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return Location(revision.path, revision.revision_line)
    word = re.compile(rf"(?<![\w$]){re.escape(table)}(?![\w$])", re.I)
    lines = [
        node.lineno
        for node in ast.walk(upgrade)
        if isinstance(node, ast.Call)
        and _is_operation(node.func)
        and any(
            isinstance(c, ast.Constant) and isinstance(c.value, str) and word.search(c.value)
            for c in ast.walk(node)
        )
    ]
    return Location(revision.path, min(lines) if lines else upgrade.lineno)


def _is_operation(func: ast.expr) -> bool:
    """`op.<anything>(...)`, `batch_op.<anything>(...)` or any `.execute(...)` / `execute(...)` call."""
    if isinstance(func, ast.Attribute):
        owner = func.value
        return func.attr == "execute" or (isinstance(owner, ast.Name) and owner.id in ("op", "batch_op"))
    return isinstance(func, ast.Name) and func.id == "execute"

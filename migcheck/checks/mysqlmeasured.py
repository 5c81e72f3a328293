"""MC351: what a MySQL/MariaDB server said, during the drift run, about the new revisions' ALTERs (`mysqlprobe`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from migcheck.checks.drift import DriftContext
from migcheck.findings import Finding, Location, Severity, rule

if TYPE_CHECKING:  # only a drift run builds them
    from migcheck.outcome import CopyOnly

_UPGRADE = re.compile(r"^def upgrade\b", re.M)
# the column an ALTER changes: MODIFY/CHANGE/ADD/DROP/ALTER [COLUMN] <name>
_COLUMN = re.compile(
    r"\b(?:MODIFY|CHANGE|ADD|DROP|ALTER)\s+(?:COLUMN\s+)?(?:IF\s+(?:NOT\s+)?EXISTS\s+)?`?(\w+)`?", re.I
)
_KEYWORDS = {
    "table",
    "column",
    "index",
    "key",
    "constraint",
    "primary",
    "unique",
    "foreign",
    "fulltext",
    "spatial",
}
_MAX_STATEMENT = 120


@rule(code="MC351", name="mysql-copy-only", severity=Severity.WARNING, dialects=("mysql",))
def mysql_copy_only(ctx: DriftContext) -> Iterator[Finding]:
    """An ALTER of a new revision can only run with ALGORITHM=COPY on your MySQL/MariaDB server (measured).

    Why: with `--base` and a MySQL or MariaDB `--database-url`, the drift run tries each ALTER TABLE (and CREATE
    or DROP INDEX) a new revision sends to a table that existed before the change on an empty copy of that
    table, with ALGORITHM=INSTANT, then INPLACE with LOCK=NONE, then INPLACE, then COPY, and keeps the best the
    server accepts and its reasons for refusing the others. The server chooses the algorithm from the table's
    definition and the change, not from its rows, so the copy's answer is the real table's; the rows decide
    how long it takes. COPY builds a new table row by row and blocks every write to the old one until it is
    done: minutes to hours on a big table, with the application's writes waiting. An ALTER that works in
    place but only under a lock (INPLACE without LOCK=NONE) is reported as a notice: writes wait too, for
    less time. Versions differ (MariaDB 10.3 adds columns instantly, 10.4 drops them instantly; MySQL 8.0.29
    drops instantly): the answer is the server's you checked on, so check on the version you deploy to.

    Safe alternative: change the schema in steps the server can do online. For a column type change: add a new
    column (`op.add_column("orders", sa.Column("qty_text", sa.String(20), nullable=True))`, INSTANT), copy
    the data in batches, switch the application over, then drop the old column in a later release. For a big
    table, an online schema change tool (gh-ost, pt-online-schema-change) copies it without blocking writes.
    To make the server refuse instead of locking, write the algorithm into the migration:
    `op.execute("ALTER TABLE orders ADD INDEX ix_orders_note (note), ALGORITHM=INPLACE, LOCK=NONE")`.

    Dialects: MySQL and MariaDB (measured on the server given with --database-url), for the revisions new in
    the change (--base).
    """
    for probe in ctx.outcome.copy_only:
        if not (probe.copy_only or probe.locks):
            continue
        location = _location(ctx, probe)
        statement = _clip(probe.statement)
        on = f"measured on {probe.server}" if probe.server else "measured"
        if probe.copy_only:
            message = (
                f"{on}: {statement} can only run with ALGORITHM=COPY, which blocks writes to {probe.table!r}"
                " while the table is copied"
            )
            hint = (
                f"the server refused the online algorithms: {probe.refused or 'no reason given'}. Change it in"
                f" steps that run online: add a new column to {probe.table!r}"
                f' (op.add_column("{probe.table}", sa.Column("<new_name>", <new type>, nullable=True))), copy'
                " the data in batches, switch the application over, drop the old column in a later release;"
                " for a big table use gh-ost or pt-online-schema-change"
            )
            yield mysql_copy_only.finding(message, location, hint, revision=probe.revision)
        else:
            message = (
                f"{on}: {statement} runs in place but not with LOCK=NONE: writes to {probe.table!r} wait"
                " while it runs"
            )
            hint = (
                f"the server refused LOCK=NONE: {probe.refused or 'no reason given'}. Run it when writes can"
                " wait, or write `ALGORITHM=INPLACE, LOCK=NONE` into the statement"
                ' (op.execute("ALTER TABLE ..., ALGORITHM=INPLACE, LOCK=NONE")) so the server refuses it'
                " instead of locking; for a big table use gh-ost or pt-online-schema-change"
            )
            finding = mysql_copy_only.finding(message, location, hint, revision=probe.revision)
            yield replace(finding, severity=Severity.NOTICE)


def _clip(statement: str) -> str:
    return statement if len(statement) <= _MAX_STATEMENT else statement[: _MAX_STATEMENT - 1] + "…"


def _location(ctx: DriftContext, probe: CopyOnly) -> Location:
    """The revision file: the first line of upgrade() naming the table (and the column, when the statement
    names one), else `def upgrade`."""
    revision = ctx.history.graph.revisions.get(probe.revision)
    if revision is None:
        return Location(ctx.history.name, 1)
    try:
        text = (ctx.paths_from / revision.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return Location(revision.path, revision.revision_line)
    start = _UPGRADE.search(text)
    if start is None:
        return Location(revision.path, revision.revision_line)
    first = text.count("\n", 0, start.start()) + 1
    lines = text.splitlines()
    end = next((i for i in range(first, len(lines)) if re.match(r"def\s", lines[i])), len(lines))
    table = re.compile(rf"""["'`\s.]{re.escape(probe.table)}["'`\s(,]""")
    named = [i for i in range(first, end) if table.search(lines[i] + " ")]
    column = next((c for c in _COLUMN.findall(probe.statement) if c.lower() not in _KEYWORDS), None)
    if column is not None:
        word = re.compile(rf"\b{re.escape(column)}\b")
        both = [i for i in named if word.search(lines[i])]
        named = both or named
    return Location(revision.path, named[0] + 1 if named else first)

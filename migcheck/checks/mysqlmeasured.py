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
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# SQL words of an ALTER that name nothing of the user's: left out when matching the statement to its line
_SQL_WORDS = frozenset(
    """alter table add drop modify change column index key unique fulltext spatial primary foreign constraint
    references not null default on create first after rename to as algorithm lock copy inplace instant nocopy
    none shared exclusive character set charset collate using btree hash if exists online ignore force
    int integer bigint smallint tinyint mediumint varchar char text longtext mediumtext datetime timestamp date
    time bool boolean decimal numeric float double real blob json unsigned auto_increment comment""".split()
)
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
    A foreign key is added in place only with `foreign_key_checks` off (`op.execute("SET foreign_key_checks = 0")`
    around it; check the existing rows yourself first).
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
            hint = f"the server refused the online algorithms: {probe.refused or 'no reason given'}. {_safer(probe)}"
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


def _safer(probe: CopyOnly) -> str:
    """The online way to make the change the server can only copy for, by the server's own reason."""
    if "foreign_key_checks" in probe.refused:
        return (
            "The server adds a foreign key in place only with foreign_key_checks off:"
            ' op.execute("SET foreign_key_checks = 0") before it and op.execute("SET foreign_key_checks = 1")'
            " after it (existing rows are then not checked: find the orphans with a query first)"
        )
    return (
        f"Change it in steps that run online: add a new column to {probe.table!r}"
        f' (op.add_column("{probe.table}", sa.Column("<new_name>", <new type>, nullable=True)), INSTANT), copy'
        " the data in batches, switch the application over, drop the old column in a later release; for a big"
        " table use gh-ost or pt-online-schema-change"
    )


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
    # the statement's own names (columns, index names) tell which of the table's operations sent it
    names = {w for w in _WORD.findall(probe.statement) if w.lower() not in _SQL_WORDS and w != probe.table}
    words = [re.compile(rf"\b{re.escape(w)}\b") for w in names]
    best = max(named, key=lambda i: sum(1 for w in words if w.search(lines[i])), default=None)
    return Location(revision.path, best + 1 if best is not None else first)

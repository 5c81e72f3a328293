"""MC318-MC319: ALTERs that MySQL/MariaDB can only run by copying the table, or that ask for a blocking lock.

MySQL 8.0 and MariaDB run most ALTERs INSTANT or INPLACE with concurrent reads and writes; the ones below
need ALGORITHM=COPY (a new table is filled row by row while writes to the old one wait) or block writes for
the whole rebuild. The facts come from MySQL 8.0's "Online DDL Operations" tables and MariaDB's "InnoDB
Online DDL" pages, and each case was measured on MariaDB 10.11 by asking for ALGORITHM=INSTANT, NOCOPY,
INPLACE with LOCK=NONE, then COPY, and keeping the first the server accepted. Type changes are MC310's
(`locking.py`), on MySQL as on PostgreSQL; what the server really picks on a drift run is MC351's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from migcheck.checks.locking import MYSQL, call, on_existing, upgrade_ops
from migcheck.checks.operations import LintContext
from migcheck.checks.typechange import mysql_type_change_copies
from migcheck.findings import Finding, Severity, rule
from migcheck.operations import (
    ADD_COLUMN,
    ALTER_COLUMN,
    CREATE_CHECK_CONSTRAINT,
    CREATE_FOREIGN_KEY,
    DROP_CONSTRAINT,
    Code,
    Operation,
)

_STORED = re.compile(r"\bAS\s*\(.*\)\s*(STORED|PERSISTENT)\b", re.I | re.S)
_PERSISTED = re.compile(r"persisted\s*=\s*True")
_DROP_PK = re.compile(r"\bDROP\s+PRIMARY\s+KEY\b", re.I)
_ADD_PK = re.compile(r"\bADD\s+(CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\b", re.I)
_CONVERT = re.compile(r"\bCONVERT\s+TO\s+(CHARACTER\s+SET|CHARSET)\b", re.I)
_AUTO_INCREMENT = re.compile(r"\bAUTO_INCREMENT\b", re.I)
_FK_CHECKS_OFF = re.compile(r"\bforeign_key_checks\s*=\s*(0|OFF|FALSE)\b", re.I)

_TOOLS = "use gh-ost or pt-online-schema-change for a large table, or expand/contract"


def _in_scope(ctx: LintContext, op: Operation) -> bool:
    # SQL such as `ALTER TABLE t CONVERT TO ...` may come without a table: it names one that exists
    return (op.table is None and bool(op.sql)) or on_existing(ctx, op)


def _text(value: object) -> str:
    return value.text if isinstance(value, Code) else str(value or "")


def _copy_reason(op: Operation, before: Sequence[Operation]) -> str | None:
    """Why MySQL/MariaDB copy the table (or block writes for a rebuild) for `op`; None when they need not."""
    sql = op.sql or ""
    if op.kind == ADD_COLUMN:
        if _STORED.search(sql) or _PERSISTED.search(_text(op.options.get("computed"))):
            return "adding a STORED generated column needs ALGORITHM=COPY (MySQL 8.0: In Place No)"
        if op.options.get("autoincrement") is True or _AUTO_INCREMENT.search(sql):
            return "adding an AUTO_INCREMENT column rebuilds the table with writes blocked (no LOCK=NONE)"
    if (
        _DROP_PK.search(sql)
        and not _ADD_PK.search(sql)
        or (op.kind == DROP_CONSTRAINT and op.options.get("type_") == "primary")
    ):
        return (
            "dropping a primary key without adding another in the same ALTER needs ALGORITHM=COPY "
            "(MySQL 8.0: In Place No)"
        )
    if _CONVERT.search(sql):
        return "CONVERT TO CHARACTER SET re-encodes every row with ALGORITHM=COPY"
    if op.kind == ALTER_COLUMN and op.options.get("autoincrement") is not None:
        if not mysql_type_change_copies(op):  # MC310 reports a type change that copies anyway
            return "changing a column to or from AUTO_INCREMENT needs ALGORITHM=COPY"
    if op.kind == CREATE_FOREIGN_KEY:
        if not any(o.sql and _FK_CHECKS_OFF.search(o.sql) for o in before):
            return (
                "adding a foreign key with foreign_key_checks on needs ALGORITHM=COPY (MySQL 8.0: INPLACE only "
                'with foreign_key_checks disabled; MariaDB: "Adding foreign keys needs foreign_key_checks=OFF")'
            )
    if op.kind == CREATE_CHECK_CONSTRAINT:
        return "adding a CHECK constraint needs ALGORITHM=COPY (measured on MariaDB 10.11)"
    return None


def _hint(op: Operation) -> str:
    if op.kind == CREATE_FOREIGN_KEY:
        return (
            "check that no row violates it first (a SELECT ... LEFT JOIN), then "
            'op.execute("SET foreign_key_checks = 0") before it and op.execute("SET foreign_key_checks = 1") '
            "after it: MySQL then adds it INPLACE and MariaDB INSTANT, without checking the existing rows; "
            f"or {_TOOLS}"
        )
    if op.kind == ADD_COLUMN and (_STORED.search(op.sql or "") or "computed" in op.options):
        return (
            f"add it as a VIRTUAL generated column (INSTANT; sa.Computed(..., persisted=False)), or {_TOOLS}"
        )
    return f"{_TOOLS}: add the new shape beside the old, backfill in batches, switch, drop the old"


@rule(code="MC318", name="mysql-table-copy", severity=Severity.WARNING, dialects=(MYSQL,))
def mysql_table_copy(ctx: LintContext) -> Iterator[Finding]:
    """MySQL/MariaDB can only do this change by copying the table, blocking writes for the whole copy.

    Why: with ALGORITHM=COPY the server builds a new table, copies every row and swaps it in; writes to the
    table wait for the whole copy (and for the first FULLTEXT/auto-increment rebuilds likewise). MC318 flags,
    on an existing table: a STORED generated column (MySQL 8.0 Online DDL: "Adding a STORED column: In Place
    No"; MariaDB 10.11 measured COPY; a VIRTUAL one is INSTANT); dropping a primary key without adding one in
    the same ALTER ("Dropping a primary key: In Place No"; drop-and-add in one ALTER is INPLACE);
    CONVERT TO CHARACTER SET ("Converting a character set: In Place No"); a column to or from AUTO_INCREMENT
    (MariaDB 10.11: "Cannot change column type", COPY); an auto-increment column added (no concurrent DML);
    a foreign key while foreign_key_checks is on (MySQL 8.0: INPLACE only with foreign_key_checks disabled;
    MariaDB 10.11: "Adding foreign keys needs foreign_key_checks=OFF"), unless the revision turns it off
    first; a CHECK constraint (MariaDB 10.11 measured COPY). Column type changes are MC310's, MC316 owns
    non-constant defaults, and an ALTER that names its ALGORITHM is left to MC319 (the server refuses
    instead of copying when the algorithm it names cannot be used). Versions: MySQL 8.0, MariaDB 10.6+.

    Safe alternative:

        # a large table: run the change with gh-ost or pt-online-schema-change (they copy in the
        # background and swap), or expand/contract: add the new shape beside the old, backfill, switch
        op.add_column("orders", sa.Column("total", sa.Integer(), sa.Computed("price * qty", persisted=False)))

    Dialects: MySQL/MariaDB.
    Silence a deliberate one with `# migcheck: ignore[MC318] <reason>` on the line.
    """
    ops = upgrade_ops(ctx)
    seen: set[tuple[int, str]] = set()
    for i, op in enumerate(ops):
        if "mysql_algorithm" in op.options or not _in_scope(ctx, op):
            continue
        reason = _copy_reason(op, ops[:i])
        if reason is None or (op.line, reason) in seen:
            continue
        seen.add((op.line, reason))
        table = f"'{op.table}'" if op.table else "the table"
        message = (
            f"{call(op)} on existing table {table}: {reason}, blocking writes to {table} for the whole copy"
        )
        yield mysql_table_copy.finding(message, ctx.at(op), _hint(op), revision=ctx.revision.id)


@rule(code="MC319", name="mysql-blocking-algorithm", severity=Severity.WARNING, dialects=(MYSQL,))
def mysql_blocking_algorithm(ctx: LintContext) -> Iterator[Finding]:
    """An ALTER asks MySQL/MariaDB for ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE: it blocks the application.

    Why: ALGORITHM=COPY rebuilds the table row by row while writes wait (LOCK=SHARED is its default);
    LOCK=SHARED blocks writes and LOCK=EXCLUSIVE blocks reads and writes, for the whole operation, even when
    the server could have done it INSTANT or in place with concurrent DML. Asking for ALGORITHM=INPLACE,
    LOCK=NONE (or ALGORITHM=INSTANT) instead makes the server refuse with an error when it cannot, rather
    than silently locking the table: the deploy fails in the test run, not in production.

    Safe alternative:

        op.execute("ALTER TABLE orders ADD COLUMN note VARCHAR(100), ALGORITHM=INPLACE, LOCK=NONE")
        # or ALGORITHM=INSTANT; when the server refuses both, use gh-ost / pt-online-schema-change

    Dialects: MySQL/MariaDB.
    Silence a deliberate one with `# migcheck: ignore[MC319] <reason>` on the line.
    """
    seen: set[tuple[int, str | None]] = set()
    for op in upgrade_ops(ctx):
        algorithm = str(op.options.get("mysql_algorithm") or "").upper()
        lock = str(op.options.get("mysql_lock") or "").upper()
        asked = [f"ALGORITHM={algorithm}"] if algorithm == "COPY" else []
        asked += [f"LOCK={lock}"] if lock in ("SHARED", "EXCLUSIVE") else []
        if not asked or not _in_scope(ctx, op) or (op.line, op.sql) in seen:
            continue
        seen.add((op.line, op.sql))  # one finding per statement, not per action of the ALTER
        table = f"'{op.table}'" if op.table else "the table"
        blocks = "reads and writes" if lock == "EXCLUSIVE" else "writes"
        message = (
            f"{call(op)} asks for {', '.join(asked)}: it blocks {blocks} to {table} for the whole operation"
        )
        hint = (
            "ask for ALGORITHM=INPLACE, LOCK=NONE (or ALGORITHM=INSTANT) instead: the server then refuses when it "
            "cannot, instead of locking the table; if it refuses, use gh-ost / pt-online-schema-change"
        )
        yield mysql_blocking_algorithm.finding(message, ctx.at(op), hint, revision=ctx.revision.id)

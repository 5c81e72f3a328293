"""MC310: a column's type changes on an existing table, and what PostgreSQL and MySQL/MariaDB do about it.

The type predicates (`pg_binary_coercible`, `mysql_inplace_varchar`) say which changes need no rewrite or no
table copy; `tests/checks/test_locking_facts.py` checks each of them against the real servers. MC318
(`mysqlddl`) asks `mysql_type_change_copies` so that a MySQL type change is reported once, here.
"""

from __future__ import annotations

from collections.abc import Iterator

from migcheck.checks.locking import MYSQL, POSTGRESQL, as_type, call, on_existing, upgrade_ops
from migcheck.checks.operations import LintContext
from migcheck.findings import Finding, Severity, rule
from migcheck.operations import ALTER_COLUMN, Operation, SqlType


def show_type(t: SqlType) -> str:
    """A type for messages: `varchar(100)`, `numeric(12, 2)`, `timestamp with time zone`."""
    args = f"({', '.join(str(a) for a in t.args)})" if t.args else ""
    return f"{t.name}{args}{' with time zone' if t.timezone else ''}"


def type_source(t: SqlType) -> str:
    """The type as the revision wrote it (for hints), else its SQL spelling."""
    return t.text or show_type(t)


def same_type(old: SqlType, new: SqlType) -> bool:
    return (old.name, old.args, old.timezone) == (new.name, new.args, new.timezone)


def mysql_inplace_varchar(old: SqlType, new: SqlType) -> bool:
    """Whether MySQL/MariaDB change VARCHAR(n) to VARCHAR(m) in place: a widening that keeps the number of
    length bytes (1 up to 255 bytes, 2 above). The byte length assumes utf8mb4 (4 bytes a character, the
    MySQL 8.0 default), so the boundary is 63 characters; 63 -> 64 is measured as a COPY on MariaDB 10.11."""
    if old.name != "varchar" or new.name != "varchar" or not old.args or not new.args:
        return False
    n, m = old.args[0], new.args[0]
    return m >= n and (m <= 63 or n >= 64)


def pg_binary_coercible(old: SqlType, new: SqlType) -> bool:
    """Whether PostgreSQL changes `old` to `new` without rewriting the table (a binary-coercible change whose
    length/precision check cannot fail); each case measured on PostgreSQL 15 (relfilenode unchanged)."""
    if same_type(old, new):
        return True
    if old.name == "varchar" and new.name == "varchar":
        return not new.args or (bool(old.args) and new.args[0] >= old.args[0])
    if old.name == "varchar" and new.name == "text":
        return True
    if old.name == "text" and new.name == "varchar":
        return not new.args
    if old.name == "numeric" and new.name == "numeric":
        if not new.args:
            return True
        if not old.args:
            return False
        scale_old = old.args[1] if len(old.args) > 1 else 0
        scale_new = new.args[1] if len(new.args) > 1 else 0
        return scale_new == scale_old and new.args[0] >= old.args[0]
    return old.name == "cidr" and new.name == "inet"


def _column_type_change(op: Operation) -> tuple[SqlType | None, SqlType | None] | None:
    """(old, new) type of an ALTER_COLUMN that sets a type; None when it sets none."""
    if op.kind != ALTER_COLUMN or "type_" not in op.options:
        return None
    return as_type(op.options.get("existing_type")), as_type(op.options["type_"])


def mysql_type_change_copies(op: Operation) -> bool:
    """Whether MC310 reports `op` on MySQL/MariaDB: a type change that is not an in-place VARCHAR widening
    (MC318 leaves these to MC310). An ALTER that names its ALGORITHM is MC319's."""
    change = _column_type_change(op)
    if change is None or "mysql_algorithm" in op.options:
        return False
    old, new = change
    if new is None:
        return True
    if old is None:
        return True
    return not (same_type(old, new) or mysql_inplace_varchar(old, new))


# --- MC310 -----------------------------------------------------------------------------------------------------

_ADD_COLUMN_HINT = (
    "add a new column instead: op.add_column({table!r}, sa.Column({new!r}, {type}, nullable=True)); "
    "backfill it in batches; switch the application to it; drop {column!r} in a later revision"
)


@rule(code="MC310", name="column-type-change", severity=Severity.WARNING, dialects=(POSTGRESQL, MYSQL))
def column_type_change(ctx: LintContext) -> Iterator[Finding]:
    """A column's type changes on an existing table: the table is rewritten while everyone waits.

    Why: PostgreSQL takes an ACCESS EXCLUSIVE lock (no reads, no writes) and rewrites the whole table and
    its indexes for a type change. It skips the rewrite (a short lock only) when the change is binary
    coercible, and these are not flagged: varchar(n) -> varchar(m) with m >= n, varchar(n) -> varchar or text,
    text -> varchar (no length), numeric(p, s) -> numeric(p2, s) with p2 >= p, numeric(p, s) -> numeric,
    cidr -> inet, and the same type (measured on PostgreSQL 15: no new relfilenode for the table or its
    indexes). timestamp -> timestamptz is flagged: it is rewritten unless the session's TimeZone is UTC
    (PostgreSQL 12+), which migcheck cannot see. A `postgresql_using` expression is always flagged.
    Without `existing_type` migcheck cannot see the old type, so it flags the change and says that passing
    `existing_type` shows a safe widening.
    MySQL 8.0 and MariaDB change a column's type with ALGORITHM=COPY (writes blocked for the whole copy;
    "Changing the column data type: In Place No" in MySQL's Online DDL table), except VARCHAR widening
    that keeps the count of length bytes (both sizes up to 255 bytes, or both above): migcheck assumes
    utf8mb4 (4 bytes a character), so both lengths <= 63 or both >= 64 characters is in place (MariaDB 10.11
    measured: VARCHAR(20) -> VARCHAR(50) INSTANT, VARCHAR(63) -> VARCHAR(64) COPY). MC310 owns type
    changes on both dialects; MC318 reports MySQL's other table copies.

    Safe alternative:

        op.add_column("orders", sa.Column("amount_v2", sa.Numeric(14, 2), nullable=True))
        # backfill in batches (a data migration or a job), switch the application to amount_v2,
        # then drop "amount" in a later revision; for a widening on PostgreSQL instead:
        op.alter_column("orders", "note", type_=sa.String(200), existing_type=sa.String(100))

    Dialects: PostgreSQL, MySQL/MariaDB. On SQLite `batch_alter_table` copies the table by design.
    Silence a deliberate one with `# migcheck: ignore[MC310] <reason>` on the line.
    """
    ops = upgrade_ops(ctx)
    for op in ops:
        change = _column_type_change(op)
        if change is None or not on_existing(ctx, op):
            continue
        old, new = change
        if ctx.dialect == MYSQL:
            if mysql_type_change_copies(op):
                yield _mc310_mysql(ctx, op, old, new)
            continue
        if old is not None and new is not None and "postgresql_using" not in op.options:
            if pg_binary_coercible(old, new):
                continue
        yield _mc310_postgresql(ctx, op, old, new)


def _mc310_hint(op: Operation, new: SqlType | None) -> str:
    column = op.column or "column"
    return _ADD_COLUMN_HINT.format(
        table=op.table, new=f"{column}_new", type=type_source(new) if new else "<new type>", column=column
    )


def _mc310_postgresql(ctx: LintContext, op: Operation, old: SqlType | None, new: SqlType | None) -> Finding:
    target = f"'{op.table}.{op.column}'"
    hint = _mc310_hint(op, new)
    if old is None and new is not None:
        unseen = "; migcheck cannot see the old type" if op.sql else " without existing_type"
        message = (
            f"{call(op)} changes the type of {target} to {show_type(new)}{unseen}, so it cannot tell a safe "
            f"widening from a rewrite of '{op.table}' under an ACCESS EXCLUSIVE lock"
        )
        how = (
            f'write it as op.alter_column("{op.table}", "{op.column}", type_=..., existing_type=<the old type>)'
            if op.sql
            else "pass existing_type=<the old type>"
        )
        hint = (
            f"if it is a widening (varchar to a longer varchar or text, more numeric precision), {how} so "
            f"migcheck sees it is safe; otherwise {hint}"
        )
    else:
        change = f"from {show_type(old)} to {show_type(new)}" if old and new else "type"
        using = " (with a USING expression)" if "postgresql_using" in op.options else ""
        message = (
            f"{call(op)} changes {target} {change}{using}: PostgreSQL rewrites '{op.table}' and "
            f"its indexes under an ACCESS EXCLUSIVE lock that blocks reads and writes until it is done"
        )
    return column_type_change.finding(message, ctx.at(op), hint, revision=ctx.revision.id)


def _mc310_mysql(ctx: LintContext, op: Operation, old: SqlType | None, new: SqlType | None) -> Finding:
    target = f"'{op.table}.{op.column}'"
    if old is None:
        unseen = " (migcheck cannot see the old type)" if op.sql else " without existing_type"
        what = f"sets the type of {target}{' to ' + show_type(new) if new else ''}{unseen}"
        why = "unless it is the same type or a VARCHAR widening, MySQL/MariaDB copy the whole table"
    else:
        what = f"changes the type of {target} from {show_type(old)} to {show_type(new) if new else '?'}"
        why = "MySQL/MariaDB copy the whole table (ALGORITHM=COPY)"
    message = f"{call(op)} {what}: {why}, blocking writes to '{op.table}' for the whole copy"
    hint = _mc310_hint(op, new) + "; or run it with gh-ost / pt-online-schema-change"
    if old is None and not op.sql:
        hint = f"pass existing_type=<the old type> so migcheck can tell; otherwise {hint}"
    return column_type_change.finding(message, ctx.at(op), hint, revision=ctx.revision.id)

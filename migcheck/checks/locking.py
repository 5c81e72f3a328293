"""MC311-MC317: operations that lock a live table for long, or rewrite it, mostly on PostgreSQL.

Each rule reads one new revision's operations (`LintContext`) and flags what blocks the running application
while the migration runs: a lock that stops reads or writes for as long as a rewrite, a scan or an index
build takes, or a lock taken without a `lock_timeout`. Operations on a table this change created are never
flagged: nobody else uses it yet. The lock modes named in the docstrings were measured on PostgreSQL 15
(`pg_locks` of the migrating session, and whether the table's `relfilenode` changed) and agree with the
PostgreSQL manual ("Explicit Locking", "ALTER TABLE"). Type changes (MC310) are in `typechange`, MySQL/MariaDB's
own table copies (MC318, MC319) in `mysqlddl`; both use the helpers here.

SQLite is out of scope for all of these: it has one writer at a time and no lock modes to choose between,
and `batch_alter_table` copies the table there by design.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from migcheck.checks.operations import LintContext
from migcheck.findings import Finding, Severity, rule
from migcheck.operations import (
    ADD_COLUMN,
    ALTER_COLUMN,
    CREATE_CHECK_CONSTRAINT,
    CREATE_EXCLUDE_CONSTRAINT,
    CREATE_FOREIGN_KEY,
    CREATE_INDEX,
    CREATE_PRIMARY_KEY,
    CREATE_UNIQUE_CONSTRAINT,
    DELETE,
    DROP_COLUMN,
    DROP_CONSTRAINT,
    DROP_INDEX,
    DROP_TABLE,
    RENAME_TABLE,
    SET_LOCK_TIMEOUT,
    VALIDATE_CONSTRAINT,
    Code,
    Default,
    Operation,
    SqlType,
    normalize_type,
)

POSTGRESQL = "postgresql"
MYSQL = "mysql"

# --- shared helpers (typechange and mysqlddl use them too) -----------------------------------------------


def upgrade_ops(ctx: LintContext) -> tuple[Operation, ...]:
    """The operations of the revision's `upgrade()`, in order."""
    return ctx.operations.upgrade.operations


def on_existing(ctx: LintContext, op: Operation, before: Sequence[Operation] = ()) -> bool:
    """Whether `op` acts on a table that existed before this change.

    A `DROP INDEX name` names no table (SQL, or `op.drop_index` without `table_name`): it is on an existing
    table unless the same function created that index before (`before`: the operations that ran earlier).
    """
    if op.kind == DROP_INDEX and op.table is None:
        return not any(o.kind == CREATE_INDEX and o.name == op.name for o in before)
    return ctx.existing(op)


def call(op: Operation) -> str:
    """How a message names the operation: its `op.*` call, or its SQL (shortened)."""
    if op.sql:
        text = " ".join(op.sql.split())
        return f"`{text[:77]}...`" if len(text) > 80 else f"`{text}`"
    prefix = "batch_op" if op.batch else "op"
    if op.kind in (ALTER_COLUMN, DROP_COLUMN):
        args = [op.column] if op.batch else [op.table, op.column]
    elif op.kind == ADD_COLUMN:
        return (
            f"{prefix}.add_column({'' if op.batch else repr(op.table) + ', '}sa.Column({op.column!r}, ...))"
        )
    else:
        args = [op.name] if op.name else ([] if op.batch else [op.table])
    return f"{prefix}.{op.kind}({', '.join(repr(a) for a in args)})"


def as_type(value: object) -> SqlType | None:
    """A `type_`/`existing_type` option as a SqlType (the readers give SqlType; code is normalised)."""
    if isinstance(value, SqlType):
        return value
    if isinstance(value, Code):
        return normalize_type(value.text)
    if isinstance(value, str) and value:
        return normalize_type(value)
    return None


# --- MC311 -----------------------------------------------------------------------------------------------------


@rule(code="MC311", name="set-not-null", severity=Severity.WARNING, dialects=(POSTGRESQL, MYSQL))
def set_not_null(ctx: LintContext) -> Iterator[Finding]:
    """An existing column becomes NOT NULL: the whole table is scanned (PostgreSQL) or rebuilt (MySQL).

    Why: PostgreSQL's SET NOT NULL holds an ACCESS EXCLUSIVE lock (no reads, no writes) while it scans every
    row for a NULL. Since PostgreSQL 12 it skips the scan when a valid CHECK (column IS NOT NULL) constraint
    already proves it (measured on 15: "existing constraints on column ... are sufficient to prove that it
    does not contain nulls"), so the safe way adds that check NOT VALID, validates it under SHARE UPDATE
    EXCLUSIVE (reads and writes go on), then sets NOT NULL. The VALIDATE must run outside the transaction
    that added the check (an `autocommit_block()` commits it first): in the same transaction the ADD's
    ACCESS EXCLUSIVE lock is still held during the scan. A SET NOT NULL after such a validated check in the
    same revision is not flagged, nor one after a VALIDATE of a check an earlier revision added whose name says
    so (`ck_orders_note_not_null`), nor `existing_nullable=False` (it already was NOT NULL).
    MySQL 8.0 and MariaDB make a column NOT NULL with an in-place rebuild of the table (ALGORITHM=INPLACE,
    concurrent DML permitted: "Making a column NOT NULL: In Place Yes, Rebuilds Table Yes"): no lock-out,
    but the whole table is rewritten, which takes time and I/O and makes replicas lag.

    Safe alternative:

        op.create_check_constraint(
            "ck_orders_note_not_null", "orders", "note IS NOT NULL", postgresql_not_valid=True
        )
        with op.get_context().autocommit_block():
            op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_note_not_null")
        op.alter_column("orders", "note", existing_type=sa.String(100), nullable=False)
        op.drop_constraint("ck_orders_note_not_null", "orders")

    Dialects: PostgreSQL, MySQL/MariaDB (on MySQL: run it off-peak or with gh-ost / pt-online-schema-change).
    Silence a deliberate one with `# migcheck: ignore[MC311] <reason>` on the line.
    """
    ops = upgrade_ops(ctx)
    for i, op in enumerate(ops):
        if op.kind != ALTER_COLUMN or op.options.get("nullable") is not False:
            continue
        if op.options.get("existing_nullable") is False or not on_existing(ctx, op):
            continue
        if ctx.dialect == MYSQL:
            message = (
                f"{call(op)} makes '{op.table}.{op.column}' NOT NULL: MySQL/MariaDB rebuild all of "
                f"'{op.table}' for it (ALGORITHM=INPLACE: writes go on, but the table is rewritten)"
            )
            hint = (
                f"backfill NULLs in batches first; run it when '{op.table}' is quiet, or with gh-ost / "
                "pt-online-schema-change for a large table"
            )
            yield set_not_null.finding(message, ctx.at(op), hint, revision=ctx.revision.id)
            continue
        if _not_null_proved(ops[:i], op.table, op.column):
            continue
        check = f"ck_{op.table}_{op.column}_not_null"
        message = (
            f"{call(op)} makes '{op.table}.{op.column}' NOT NULL: PostgreSQL scans all of '{op.table}' "
            f"under an ACCESS EXCLUSIVE lock that blocks reads and writes"
        )
        hint = (
            f'op.create_check_constraint("{check}", "{op.table}", "{op.column} IS NOT NULL", '
            f"postgresql_not_valid=True)\n"
            f"with op.get_context().autocommit_block():\n"
            f'    op.execute("ALTER TABLE {op.table} VALIDATE CONSTRAINT {check}")\n'
            f'op.alter_column("{op.table}", "{op.column}", nullable=False)  # no scan: the valid check proves it\n'
            f'op.drop_constraint("{check}", "{op.table}")'
        )
        yield set_not_null.finding(message, ctx.at(op), hint, revision=ctx.revision.id)


def _condition(op: Operation) -> str:
    value = op.options.get("condition") or op.options.get("sqltext")
    if isinstance(value, Code):
        return value.text
    return value if isinstance(value, str) else (op.sql or "")


def _not_null_proved(before: Sequence[Operation], table: str | None, column: str | None) -> bool:
    """Whether a valid CHECK (column IS NOT NULL) on `table` exists after `before` ran: added without NOT
    VALID, or validated by a VALIDATE CONSTRAINT. A VALIDATE of a check added in an earlier revision (so not
    seen here) counts when the constraint's name names the column and says not-null (`ck_t_c_not_null`)."""
    if table is None or column is None:
        return False
    proves = re.compile(rf'(?<![\w"]){re.escape(column)}"?\s+IS\s+NOT\s+NULL', re.I)
    checks = {o.name: o for o in before if o.kind == CREATE_CHECK_CONSTRAINT and o.table == table}
    for o in before:
        if (
            o.kind == CREATE_CHECK_CONSTRAINT
            and o.table == table
            and not o.options.get("postgresql_not_valid")
        ):
            if proves.search(_condition(o)):
                return True
        if o.kind == VALIDATE_CONSTRAINT and o.table == table and o.name:
            added = checks.get(o.name)
            if added is not None and proves.search(_condition(added)):
                return True
            name = o.name.lower()
            if added is None and column.lower() in name and ("null" in name or name.endswith("_nn")):
                return True
    return False


# --- MC312 / MC313 ----------------------------------------------------------------------------------------------


def _index_hint(op: Operation) -> str:
    if op.sql:
        statement = " ".join(op.sql.split())
        if not re.search(r"\bCONCURRENTLY\b", statement, re.I):
            statement = re.sub(
                r"^((CREATE\s+(UNIQUE\s+)?|DROP\s+)INDEX)\s+", r"\1 CONCURRENTLY ", statement, flags=re.I
            )
        return f'with op.get_context().autocommit_block():\n    op.execute("{statement}")'
    if op.kind == CREATE_INDEX:
        unique = ", unique=True" if op.options.get("unique") else ""
        cols = "[" + ", ".join(f'"{c}"' for c in op.columns) + "]" if op.columns else "[...]"
        body = f'op.create_index("{op.name}", "{op.table}", {cols}{unique}, postgresql_concurrently=True)'
    else:
        table = f', table_name="{op.table}"' if op.table else ""
        body = f'op.drop_index("{op.name}"{table}, postgresql_concurrently=True)'
    return f"with op.get_context().autocommit_block():\n    {body}"


@rule(code="MC312", name="index-without-concurrently", severity=Severity.WARNING, dialects=(POSTGRESQL,))
def index_without_concurrently(ctx: LintContext) -> Iterator[Finding]:
    """An index is created or dropped on an existing table without CONCURRENTLY.

    Why: CREATE INDEX (unique or not) holds a SHARE lock on the table for the whole build: reads go on, but
    every INSERT, UPDATE and DELETE waits until the index is built. DROP INDEX takes an ACCESS EXCLUSIVE lock
    on the table (reads wait too), and queues behind every running query on it. CONCURRENTLY builds or drops
    the index under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on; it cannot run in a
    transaction, hence the autocommit block (MC313).

    Safe alternative:

        with op.get_context().autocommit_block():
            op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)
        # and to drop one:
        with op.get_context().autocommit_block():
            op.drop_index("ix_orders_user_id", table_name="orders", postgresql_concurrently=True)

    Dialects: PostgreSQL. MySQL/MariaDB add and drop secondary indexes in place with concurrent writes
    (ALGORITHM=INPLACE/NOCOPY, LOCK=NONE) by default.
    Silence a deliberate one with `# migcheck: ignore[MC312] <reason>` on the line.
    """
    ops = upgrade_ops(ctx)
    for i, op in enumerate(ops):
        if op.kind not in (CREATE_INDEX, DROP_INDEX) or op.options.get("postgresql_concurrently"):
            continue
        if not on_existing(ctx, op, ops[:i]):
            continue
        where = f"'{op.table}'" if op.table else "its table"
        if op.kind == CREATE_INDEX:
            kind = "a unique index" if op.options.get("unique") else "an index"
            message = (
                f"{call(op)} builds {kind} on existing table {where} without postgresql_concurrently=True: "
                f"it takes a SHARE lock that blocks writes to {where} while the index builds"
            )
        else:
            message = (
                f"{call(op)} drops an index of {where} without postgresql_concurrently=True: it takes an "
                f"ACCESS EXCLUSIVE lock that blocks reads and writes of {where}"
            )
        yield index_without_concurrently.finding(
            message, ctx.at(op), _index_hint(op), revision=ctx.revision.id
        )


@rule(code="MC313", name="concurrent-index-in-transaction", severity=Severity.ERROR, dialects=(POSTGRESQL,))
def concurrent_index_in_transaction(ctx: LintContext) -> Iterator[Finding]:
    """CONCURRENTLY outside `autocommit_block()`: the migration fails.

    Why: Alembic runs a PostgreSQL migration inside a transaction, and PostgreSQL refuses "CREATE INDEX
    CONCURRENTLY cannot run inside a transaction block" (the same for DROP INDEX CONCURRENTLY), so the
    deploy stops at this revision. `op.get_context().autocommit_block()` commits the transaction in
    progress and runs the block in autocommit mode.

    Safe alternative:

        with op.get_context().autocommit_block():
            op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)

    Dialects: PostgreSQL (on any table, new ones included).
    Silence a deliberate one with `# migcheck: ignore[MC313] <reason>` on the line.
    """
    for op in upgrade_ops(ctx):
        if op.kind not in (CREATE_INDEX, DROP_INDEX) or not op.options.get("postgresql_concurrently"):
            continue
        if op.autocommit:
            continue
        verb = "CREATE INDEX" if op.kind == CREATE_INDEX else "DROP INDEX"
        message = (
            f"{call(op)} runs {verb} CONCURRENTLY inside the migration's transaction: PostgreSQL fails with "
            f'"{verb} CONCURRENTLY cannot run inside a transaction block"'
        )
        yield concurrent_index_in_transaction.finding(
            message, ctx.at(op), _index_hint(op), revision=ctx.revision.id
        )


# --- MC314 -----------------------------------------------------------------------------------------------------


@rule(code="MC314", name="constraint-without-not-valid", severity=Severity.WARNING, dialects=(POSTGRESQL,))
def constraint_without_not_valid(ctx: LintContext) -> Iterator[Finding]:
    """A foreign key or CHECK constraint is added to an existing table and validated at once.

    Why: adding a foreign key takes SHARE ROW EXCLUSIVE locks on both tables (writes to either wait) while
    every row is checked; adding a CHECK takes ACCESS EXCLUSIVE (reads wait too) during the scan (both
    measured on PostgreSQL 15). With `postgresql_not_valid=True` the ADD only takes the lock briefly, and
    VALIDATE CONSTRAINT later scans under SHARE UPDATE EXCLUSIVE (reads and writes go on). The VALIDATE must
    run outside the transaction of the ADD: a VALIDATE in the same transaction as the NOT VALID add is
    flagged too, because the ADD's lock is held until commit and so during the scan (squawk says the same);
    an `autocommit_block()` commits first. A foreign key from a table this change created to an existing
    one is not flagged: the new table is empty, so the check is instant (squawk agrees); its brief SHARE
    ROW EXCLUSIVE lock on the referenced table still needs a lock_timeout (MC317).

    Safe alternative:

        op.create_foreign_key(
            "fk_orders_user_id", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True
        )
        with op.get_context().autocommit_block():
            op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id")

    Dialects: PostgreSQL (MySQL/MariaDB have no NOT VALID; their foreign keys are MC318's).
    Silence a deliberate one with `# migcheck: ignore[MC314] <reason>` on the line.
    """
    ops = upgrade_ops(ctx)
    for i, op in enumerate(ops):
        if op.kind in (CREATE_FOREIGN_KEY, CREATE_CHECK_CONSTRAINT):
            if op.options.get("postgresql_not_valid") or not on_existing(ctx, op):
                continue
            name = op.name or "<name>"
            if op.kind == CREATE_FOREIGN_KEY:
                referent = op.options.get("referent_table")
                both = f"'{op.table}' and '{referent}'" if isinstance(referent, str) else f"'{op.table}'"
                message = (
                    f"{call(op)} validates every row of '{op.table}' while holding SHARE ROW EXCLUSIVE locks "
                    f"that block writes to {both}"
                )
            else:
                message = (
                    f"{call(op)} scans every row of '{op.table}' under an ACCESS EXCLUSIVE lock that blocks "
                    f"reads and writes"
                )
            hint = (
                f"add it with postgresql_not_valid=True, then validate it outside this transaction:\n"
                f"with op.get_context().autocommit_block():\n"
                f'    op.execute("ALTER TABLE {op.table} VALIDATE CONSTRAINT {name}")'
            )
            yield constraint_without_not_valid.finding(message, ctx.at(op), hint, revision=ctx.revision.id)
        elif op.kind == VALIDATE_CONSTRAINT and not op.autocommit:
            added = _added_not_valid_in_same_transaction(ops[:i], op)
            if added is None:
                continue
            message = (
                f"{call(op)} validates '{op.name}' in the transaction that added it NOT VALID "
                f"(line {added.line}): the ADD's lock on '{op.table}' is held for the whole scan"
            )
            hint = (
                f"commit first: with op.get_context().autocommit_block():\n"
                f'    op.execute("ALTER TABLE {op.table} VALIDATE CONSTRAINT {op.name}")\n'
                "(or validate it in a later revision run in its own transaction)"
            )
            yield constraint_without_not_valid.finding(message, ctx.at(op), hint, revision=ctx.revision.id)


def _added_not_valid_in_same_transaction(
    before: Sequence[Operation], validate: Operation
) -> Operation | None:
    """The NOT VALID add of `validate`'s constraint in the same transaction, if any. An autocommit block
    between them commits the add (its locks are released)."""
    for o in reversed(before):
        if o.autocommit:
            return None
        if (
            o.kind in (CREATE_FOREIGN_KEY, CREATE_CHECK_CONSTRAINT)
            and o.name == validate.name
            and o.options.get("postgresql_not_valid")
        ):
            return o
    return None


# --- MC315 -----------------------------------------------------------------------------------------------------


@rule(
    code="MC315",
    name="unique-constraint-on-existing-table",
    severity=Severity.WARNING,
    dialects=(POSTGRESQL,),
)
def unique_constraint_on_existing_table(ctx: LintContext) -> Iterator[Finding]:
    """A UNIQUE constraint or primary key is added to an existing table, building its index under lock.

    Why: ALTER TABLE ... ADD CONSTRAINT ... UNIQUE / PRIMARY KEY builds the index while holding an ACCESS
    EXCLUSIVE lock on the table (measured on PostgreSQL 15: ACCESS EXCLUSIVE plus SHARE for the build), so
    reads and writes wait for the whole build. Building the unique index CONCURRENTLY first and attaching it
    with `USING INDEX` takes the ACCESS EXCLUSIVE lock only for a moment. For a primary key the columns must
    already be NOT NULL, else PostgreSQL scans for NULLs under that lock (see MC311).

    Safe alternative:

        with op.get_context().autocommit_block():
            op.create_index("uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)
        op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")

    Dialects: PostgreSQL (MySQL/MariaDB add a unique index in place with concurrent writes).
    Silence a deliberate one with `# migcheck: ignore[MC315] <reason>` on the line.
    """
    for op in upgrade_ops(ctx):
        if op.kind not in (CREATE_UNIQUE_CONSTRAINT, CREATE_PRIMARY_KEY) or op.options.get("using_index"):
            continue
        if not on_existing(ctx, op):
            continue
        what = "UNIQUE" if op.kind == CREATE_UNIQUE_CONSTRAINT else "PRIMARY KEY"
        name = op.name or f"{op.table}_{'uq' if what == 'UNIQUE' else 'pkey'}"
        cols = "[" + ", ".join(f'"{c}"' for c in op.columns) + "]" if op.columns else "[...]"
        message = (
            f"{call(op)} adds a {what} constraint to existing table '{op.table}': its index is built under an "
            f"ACCESS EXCLUSIVE lock that blocks reads and writes"
        )
        hint = (
            f"with op.get_context().autocommit_block():\n"
            f'    op.create_index("{name}", "{op.table}", {cols}, unique=True, postgresql_concurrently=True)\n'
            f'op.execute("ALTER TABLE {op.table} ADD CONSTRAINT {name} {what} USING INDEX {name}")'
        )
        yield unique_constraint_on_existing_table.finding(message, ctx.at(op), hint, revision=ctx.revision.id)


# --- MC316 -----------------------------------------------------------------------------------------------------

# Built-in functions PostgreSQL marks VOLATILE (pg_proc.provolatile = 'v') that appear in column defaults; a
# STABLE one such as now() or CURRENT_TIMESTAMP is evaluated once for the ADD COLUMN and needs no rewrite.
PG_VOLATILE = (
    "random",
    "random_normal",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "gen_random_bytes",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "currval",
    "lastval",
)
# MySQL/MariaDB defaults that MariaDB 10.11 adds only with ALGORITHM=COPY (measured); MySQL 8.0 adds no
# expression default INSTANT. rand() is not listed: MariaDB 10.11 adds `DEFAULT (rand())` INSTANT.
MYSQL_NONCONSTANT = ("uuid", "uuid_short", "sysdate")
PG_SERIAL = ("serial", "bigserial", "smallserial", "serial4", "serial8", "serial2")


def _calls(sql: str, names: Iterable[str]) -> str | None:
    for name in names:
        if re.search(rf"(?<![\w.]){name}\s*\(", sql, re.I):
            return name
    return None


@rule(code="MC316", name="volatile-server-default", severity=Severity.WARNING, dialects=(POSTGRESQL, MYSQL))
def volatile_server_default(ctx: LintContext) -> Iterator[Finding]:
    """A column is added to an existing table with a default that differs per row: the table is rewritten.

    Why: since PostgreSQL 11, ADD COLUMN with a constant or STABLE default (`'pending'`, `0`, `now()`,
    CURRENT_TIMESTAMP) only records the value, but a VOLATILE default (random(), gen_random_uuid(),
    uuid_generate_v4(), clock_timestamp(), timeofday(), nextval(...), a serial column...) must be computed
    for every row: PostgreSQL rewrites the table under ACCESS EXCLUSIVE, blocking reads and writes (measured on
    PostgreSQL 15: new relfilenode for gen_random_uuid(), clock_timestamp(), random(), timeofday(); none for
    now(), CURRENT_TIMESTAMP, 0). A user-defined function is VOLATILE unless declared otherwise; migcheck
    knows only the built-in list. On MySQL/MariaDB an expression default is never INSTANT (MySQL 8.0, see
    vitess issue 16024), and MariaDB copies the table for a non-constant one (MDEV-12586; measured on 10.11
    for uuid() and sysdate()); migcheck flags uuid(), uuid_short() and sysdate() there.

    Safe alternative:

        op.add_column("orders", sa.Column("public_id", sa.Uuid(), nullable=True))
        # backfill in batches, then set the default for new rows (metadata only, no rewrite):
        op.alter_column("orders", "public_id", server_default=sa.text("gen_random_uuid()"))

    Dialects: PostgreSQL, MySQL/MariaDB.
    Silence a deliberate one with `# migcheck: ignore[MC316] <reason>` on the line.
    """
    for op in upgrade_ops(ctx):
        if op.kind != ADD_COLUMN or not on_existing(ctx, op):
            continue
        default = op.options.get("server_default")
        sql = default.sql if isinstance(default, Default) and not default.literal else ""
        volatile = _calls(sql, MYSQL_NONCONSTANT if ctx.dialect == MYSQL else PG_VOLATILE) if sql else None
        new_type = as_type(op.options.get("type_"))
        serial = ctx.dialect != MYSQL and new_type is not None and new_type.name in PG_SERIAL
        if volatile is None and not serial:
            continue
        what = f"default {sql}" if volatile else f"type {new_type.name if new_type else ''}"
        if ctx.dialect == MYSQL:
            message = (
                f"{call(op)} adds '{op.column}' to existing table '{op.table}' with the non-constant {what}: "
                f"MySQL/MariaDB cannot add it INSTANT and MariaDB copies the table, blocking writes"
            )
        else:
            message = (
                f"{call(op)} adds '{op.column}' to existing table '{op.table}' with the volatile {what}: "
                f"PostgreSQL rewrites '{op.table}' under an ACCESS EXCLUSIVE lock that blocks reads and writes"
            )
        default_sql = sql or f"nextval('{op.table}_{op.column}_seq')"
        hint = (
            f'op.add_column("{op.table}", sa.Column("{op.column}", <type>, nullable=True)); backfill it in '
            f'batches; then op.alter_column("{op.table}", "{op.column}", server_default=sa.text("{default_sql}"))'
            " (a default change is metadata only)"
        )
        yield volatile_server_default.finding(message, ctx.at(op), hint, revision=ctx.revision.id)


# --- MC317 -----------------------------------------------------------------------------------------------------

# Operations whose lock (ACCESS EXCLUSIVE, SHARE or SHARE ROW EXCLUSIVE) conflicts with the application's
# own reads or writes, so that, queued behind one long transaction, it makes every later query wait too.
_STRONG = frozenset(
    {
        ADD_COLUMN,
        DROP_COLUMN,
        ALTER_COLUMN,
        RENAME_TABLE,
        DROP_TABLE,
        CREATE_FOREIGN_KEY,
        CREATE_CHECK_CONSTRAINT,
        CREATE_UNIQUE_CONSTRAINT,
        CREATE_PRIMARY_KEY,
        CREATE_EXCLUDE_CONSTRAINT,
        DROP_CONSTRAINT,
    }
)
_NO_TIMEOUT = re.compile(r"^\s*'?\s*0+\s*(ms|s|min|h|d)?\s*'?\s*$", re.I)


def strong_lock(ctx: LintContext, op: Operation, before: Sequence[Operation]) -> bool:
    """Whether `op` takes a lock on an existing table that blocks the application's reads or writes."""
    if op.kind in (CREATE_INDEX, DROP_INDEX):
        return not op.options.get("postgresql_concurrently") and on_existing(ctx, op, before)
    if op.kind == DELETE and op.sql and re.match(r"\s*TRUNCATE\b", op.sql, re.I):
        return on_existing(ctx, op)  # TRUNCATE takes ACCESS EXCLUSIVE
    if op.kind == CREATE_FOREIGN_KEY:
        referent = op.options.get("referent_table")
        refers_existing = (
            isinstance(referent, str)
            and referent not in ctx.created_earlier
            and not any(o.kind == "create_table" and o.table == referent for o in before)
        )
        return on_existing(ctx, op) or refers_existing
    return op.kind in _STRONG and on_existing(ctx, op)


@rule(code="MC317", name="missing-lock-timeout", severity=Severity.WARNING, dialects=(POSTGRESQL,))
def missing_lock_timeout(ctx: LintContext) -> Iterator[Finding]:
    """The revision takes a strong lock on an existing table without a lock_timeout.

    Why: an ALTER TABLE (and a non-concurrent CREATE/DROP INDEX, a foreign key, a constraint) must wait for
    every transaction already using the table; while it waits in the lock queue, every later query on the
    table waits behind it, even a plain SELECT. One long-running query or an idle-in-transaction session turns
    a millisecond ALTER into a full outage. `SET lock_timeout` makes the ALTER give up instead (the deploy
    fails and can be retried). One finding per revision, at its first such operation; none when env.py sets a
    lock_timeout, or a `SET lock_timeout` (not 0) runs before. A `SET LOCAL` ends at the next commit
    (an `autocommit_block()` commits), a plain SET lasts for the session.

    Safe alternative:

        op.execute("SET lock_timeout = '5s'")  # the first line of upgrade(); retry the deploy on timeout
        # or once for all revisions, in env.py before context.run_migrations():
        #     connection.execute(sa.text("SET lock_timeout = '5s'"))

    Dialects: PostgreSQL (MySQL's counterpart is lock_wait_timeout, whose default is a year).
    Silence a deliberate one with `# migcheck: ignore[MC317] <reason>` on the line.
    """
    if ctx.env_lock_timeout:
        return
    ops = upgrade_ops(ctx)
    timeout, local, in_block = False, False, False
    for i, op in enumerate(ops):
        if op.autocommit != in_block:  # entering or leaving an autocommit block commits the transaction
            in_block = op.autocommit
            if local:
                timeout, local = False, False
        if op.kind == SET_LOCK_TIMEOUT:
            is_local = bool(op.sql and re.search(r"\bSET\s+LOCAL\b", op.sql, re.I))
            if not (is_local and op.autocommit):  # SET LOCAL outside a transaction does nothing
                value = op.options.get("value")
                timeout, local = not (value is not None and _NO_TIMEOUT.match(str(value))), is_local
            continue
        if timeout or not strong_lock(ctx, op, ops[:i]):
            continue
        table = f"existing table '{op.table}'" if op.table else f"the table of index '{op.name}'"
        message = (
            f"{call(op)} locks {table} with no lock_timeout set: queued behind one long transaction, it makes "
            f"every later query on that table wait too"
        )
        hint = (
            "op.execute(\"SET lock_timeout = '5s'\") as the first line of upgrade() (retry the deploy when it "
            "times out), or set it once in env.py: connection.execute(sa.text(\"SET lock_timeout = '5s'\"))"
        )
        yield missing_lock_timeout.finding(message, ctx.at(op), hint, revision=ctx.revision.id)
        return

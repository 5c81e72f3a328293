"""MC301-MC305: operations that lose data or break the app version still running during a rolling deploy;
MC308: the SQL migcheck cannot read, said out loud rather than passed in silence.

Each rule reads one new revision's `upgrade()` operations (`LintContext`), op.* calls and raw SQL alike, and
judges only tables that existed before the change (`ctx.existing`): dropping or renaming a table the same
change created loses nothing and breaks nobody. The downgrade rules (MC306, MC307) are in `downgrades.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

from migcheck import operations as ops
from migcheck.checks.operations import LintContext
from migcheck.checks.opwords import constant_default, table_of, type_text, written
from migcheck.findings import Finding, Severity, rule
from migcheck.operations import Operation, SqlType

# integer types a primary key fills by itself (SERIAL / AUTO_INCREMENT / ROWID) when added with autoincrement
_AUTOINCREMENT_TYPES = frozenset({"integer", "bigint", "smallint"})
_SELF_FILLING_TYPES = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})


def _upgrade(ctx: LintContext, *kinds: str) -> Iterator[Operation]:
    """The upgrade's operations of these kinds on tables that existed before this change."""
    for op in ctx.operations.upgrade.operations:
        if op.kind in kinds and ctx.existing(op):
            yield op


@rule(code="MC301", name="drop-table", severity=Severity.WARNING)
def drop_table(ctx: LintContext) -> Iterator[Finding]:
    """Drops an existing table: its data is gone, and the app version still running reads it.

    Why: `DROP TABLE` deletes every row for good (only a backup brings them back). In a rolling deploy the
    migration runs while instances of the previous app version still serve requests, and every query of
    theirs on the table fails from that moment ("relation "orders" does not exist" on PostgreSQL, "Table
    'shop.orders' doesn't exist" on MySQL/MariaDB, "no such table: orders" on SQLite) until the last
    instance runs the new code.

    Safe alternative: expand/contract. Release code that no longer reads or writes the table first; drop it
    in a later revision, once no running version uses it. When unsure, keep a copy of the data:

        op.execute("CREATE TABLE orders_backup AS SELECT * FROM orders")
        op.drop_table("orders")

    Dialects: all (PostgreSQL, MySQL/MariaDB, SQLite); `op.drop_table` and raw `DROP TABLE` alike. A table
    the same change created is not flagged.
    Silence a deliberate one with `# migcheck: ignore[MC301] <reason>` on the line.
    """
    for op in _upgrade(ctx, ops.DROP_TABLE):
        table = table_of(op)
        yield drop_table.finding(
            f"{written(op)} drops existing table '{table}' with all its rows, and the app version still running"
            " during the deploy fails on every query that uses it",
            ctx.at(op),
            f"release code that no longer uses '{table}' first, then drop it in a later revision; keep a copy"
            f' if unsure: op.execute("CREATE TABLE {op.table}_backup AS SELECT * FROM {table}")',
            revision=ctx.revision.id,
        )


@rule(code="MC302", name="drop-column", severity=Severity.WARNING)
def drop_column(ctx: LintContext) -> Iterator[Finding]:
    """Drops a column of an existing table: its data is gone, and the app version still running names it.

    Why: during a rolling deploy the previous app version keeps serving requests. SQLAlchemy's ORM names every
    mapped column in its SELECTs and INSERTs (so does any `SELECT *` cached in a prepared statement or a
    view), so from the moment the migration commits those queries fail ("column orders.note does not exist"
    on PostgreSQL, "Unknown column 'orders.note'" on MySQL/MariaDB, "no such column: orders.note" on SQLite)
    until the last instance runs the new code. The column's data is gone for good.

    Safe alternative: expand/contract over two releases. First deploy code that no longer maps the column
    (remove the attribute, or make it `deferred(...)` so the ORM stops loading it); then drop it in a later
    revision:

        # after the release that stopped using orders.note:
        op.drop_column("orders", "note")

    Dialects: all (PostgreSQL, MySQL/MariaDB, SQLite); `op.drop_column`, `batch_op.drop_column` and raw
    `ALTER TABLE ... DROP [COLUMN]` alike. A table the same change created is not flagged.
    Silence a deliberate one with `# migcheck: ignore[MC302] <reason>` on the line.
    """
    for op in _upgrade(ctx, ops.DROP_COLUMN):
        table = table_of(op)
        yield drop_column.finding(
            f"{written(op)} drops column '{op.column}' of existing table '{table}' with its data, and the app"
            " version still running during the deploy names it in its queries",
            ctx.at(op),
            f"remove '{op.column}' from the model (or make it deferred) and deploy that first; then drop it in"
            f" a later revision: op.drop_column({op.table!r}, {op.column!r})",
            revision=ctx.revision.id,
        )


@rule(code="MC303", name="rename-table-or-column", severity=Severity.WARNING)
def rename_table_or_column(ctx: LintContext) -> Iterator[Finding]:
    """Renames an existing table or column: the app version still running uses the old name.

    Why: a rename is one quick catalog change, but from the moment it commits every query of the previous
    app version that names the old table or column fails ("relation "orders" does not exist", "Unknown column
    'note'", "no such column: note") until the last instance runs the new code; no rolling deploy can ship
    the rename and the code that uses the new name at the same instant.

    Safe alternative: for a column, expand/contract over several releases:

        op.add_column("orders", sa.Column("remark", sa.Text(), nullable=True))
        # deploy code that writes both columns; backfill (in batches on a big table):
        op.execute("UPDATE orders SET remark = note WHERE remark IS NULL")
        # deploy code that reads remark; then, in a later revision:
        op.drop_column("orders", "note")

    For a table on PostgreSQL or MySQL/MariaDB, rename it and keep the old name as a view until no running
    code uses it (a simple view accepts INSERT, UPDATE and DELETE on both; drop it in a later revision):

        op.rename_table("orders", "purchases")
        op.execute("CREATE VIEW orders AS SELECT * FROM purchases")

    Dialects: all. On SQLite a view is read-only ("cannot modify orders because it is a view"), so a table
    rename needs the expand/contract way too (a new table, written to by both versions, then the old one
    dropped). `op.rename_table`, `op.alter_column(..., new_column_name=...)`, batch mode and raw `RENAME`
    (`ALTER TABLE ... RENAME [COLUMN ...] TO`, `RENAME TABLE`, MySQL's `CHANGE old new`) alike.
    Silence a deliberate one with `# migcheck: ignore[MC303] <reason>` on the line.
    """
    for op in _upgrade(ctx, ops.RENAME_TABLE, ops.ALTER_COLUMN):
        if op.kind == ops.RENAME_TABLE:
            yield rename_table_or_column.finding(
                f"{written(op)} renames existing table '{table_of(op)}' to '{op.name}' while the app version"
                f" still running queries '{op.table}'",
                ctx.at(op),
                _table_rename_hint(op, ctx.dialect),
                revision=ctx.revision.id,
            )
            continue
        new = op.options.get("new_column_name")
        if not isinstance(new, str) or new == op.column:  # MySQL's `CHANGE c c type` keeps the name
            continue
        yield rename_table_or_column.finding(
            f"{written(op)} renames column '{op.column}' of existing table '{table_of(op)}' to '{new}' while"
            f" the app version still running names '{op.column}'",
            ctx.at(op),
            f"add the new column instead: op.add_column({op.table!r}, sa.Column({new!r},"
            f" {type_text(op, f'<the type of {op.column}>')}, nullable=True)); deploy code that writes both; backfill"
            f' op.execute("UPDATE {table_of(op)} SET {new} = {op.column} WHERE {new} IS NULL");'
            f" switch reads to '{new}'; drop '{op.column}' in a later revision",
            revision=ctx.revision.id,
        )


def _table_rename_hint(op: Operation, dialect: str | None) -> str:
    old, new = table_of(op), op.name or "?"
    expand = (
        f"create '{new}' beside '{old}', deploy code that writes both, copy the rows, switch reads, and drop"
        f" '{old}' in a later revision"
    )
    view = f'op.rename_table({op.table!r}, {new!r}); op.execute("CREATE VIEW {old} AS SELECT * FROM {new}")'
    if dialect == "sqlite":  # SQLite's views are read-only: the old version's writes would fail
        return expand
    if dialect in ("postgresql", "mysql"):
        return f"keep the old name as an updatable view until no running code uses it: {view}"
    return (
        f"on PostgreSQL or MySQL/MariaDB keep the old name as an updatable view: {view}; on SQLite: {expand}"
    )


@rule(code="MC304", name="add-not-null-column-without-default", severity=Severity.ERROR)
def add_not_null_column_without_default(ctx: LintContext) -> Iterator[Finding]:
    """Adds a NOT NULL column without a server default to an existing table.

    Why: the existing rows have no value for the new column. PostgreSQL refuses the migration as soon as the
    table has a row ("column "c" of relation "orders" contains null values"); SQLite refuses it the same way
    ("Cannot add a NOT NULL column with default value NULL"; batch mode's table copy: "NOT NULL constraint
    failed"). MySQL/MariaDB accept it and silently give every existing row the type's implicit default (0,
    ''). And wherever it succeeds (an empty table, MySQL), every INSERT of the app version still running,
    which does not name the column, fails ("null value in column "c" of relation "orders" violates
    not-null constraint", "Field 'c' doesn't have a default value" in MySQL's strict mode). A Python-side
    `default=` fills nothing in the database.

    Safe alternative: add it nullable, backfill it in batches, and make it NOT NULL in a later revision
    (on PostgreSQL the way MC311 shows, without a long ACCESS EXCLUSIVE scan):

        op.add_column("orders", sa.Column("c", sa.Integer(), nullable=True))

    or give it a constant server default, which fills the existing rows (a catalog-only change on
    PostgreSQL 11+, `ALGORITHM=INSTANT` on MySQL 8.0.12+ and MariaDB 10.3+):

        op.add_column("orders", sa.Column("c", sa.Integer(), nullable=False, server_default="0"))

    Dialects: all (measured on PostgreSQL 15, MariaDB 10.11 in strict mode and SQLite 3.40). Not flagged: a
    primary key that fills itself (an autoincrement integer, SERIAL, an identity or computed column), a column
    of a table the same change created.
    Silence a deliberate one with `# migcheck: ignore[MC304] <reason>` on the line.
    """
    for op in _upgrade(ctx, ops.ADD_COLUMN):
        if op.options.get("nullable") is not False or _has_default(op) or _fills_itself(op):
            continue
        yield add_not_null_column_without_default.finding(
            f"{written(op)} adds NOT NULL column '{op.column}' without a server_default to existing table"
            f" '{table_of(op)}': {_what_happens(op, ctx.dialect)}",
            ctx.at(op),
            _not_null_hint(op),
            revision=ctx.revision.id,
        )


def _has_default(op: Operation) -> bool:
    return op.options.get("server_default") is not None


def _fills_itself(op: Operation) -> bool:
    """A column whose values the database generates: existing rows get one, so NOT NULL holds."""
    # `sa.Identity()` / `sa.Computed(...)` arguments of the sa.Column, as the reader records them
    if op.options.get("identity") is not None or op.options.get("computed") is not None:
        return True
    kind = op.options.get("type_")
    name = kind.name if isinstance(kind, SqlType) else None
    if name in _SELF_FILLING_TYPES:
        return True
    if op.options.get("primary_key") is True and op.options.get("autoincrement") is not False:
        return name is None or name in _AUTOINCREMENT_TYPES
    return False


def _what_happens(op: Operation, dialect: str | None) -> str:
    column = op.column
    if dialect == "postgresql":
        return (
            f'it fails with \'column "{column}" of relation "{op.table}" contains null values\' once the'
            " table has rows, and on an empty one the running app's INSERTs fail with a not-null violation"
        )
    if dialect == "sqlite":
        return "it fails with 'Cannot add a NOT NULL column with default value NULL' once the table has rows"
    if dialect == "mysql":
        return (
            "existing rows silently get the type's implicit default (0, ''), and the running app's INSERTs"
            f" fail with \"Field '{column}' doesn't have a default value\""
        )
    return "it fails on a table with rows (PostgreSQL, SQLite), or fills them with 0/'' (MySQL/MariaDB)"


def _not_null_hint(op: Operation) -> str:
    table, column = table_of(op), op.column
    if op.sql:
        kind = type_text(op, "<type>")
        return (
            f"add it nullable (`ALTER TABLE {table} ADD COLUMN {column} {kind}`), backfill in batches and make it"
            f" NOT NULL in a later revision; or give it a constant default (`... {kind} NOT NULL DEFAULT ...`)"
        )
    kind = type_text(op, "<type>")
    add = (
        f"batch_op.add_column(sa.Column({column!r}, {kind}"
        if op.batch
        else f"op.add_column({op.table!r}, sa.Column({column!r}, {kind}"
    )
    return (
        f"{add}, nullable=True)), backfill in batches, then set NOT NULL in a later revision; or give it a"
        f" constant server default: {add}, nullable=False, server_default={constant_default(op)}))"
    )


@rule(code="MC305", name="data-change-without-where", severity=Severity.WARNING)
def data_change_without_where(ctx: LintContext) -> Iterator[Finding]:
    """Updates or deletes every row of an existing table (UPDATE/DELETE without WHERE, TRUNCATE).

    Why: the statement runs inside the migration's transaction, so every row it touches stays locked until
    the whole migration commits: on PostgreSQL and MySQL/MariaDB every writer to those rows waits (TRUNCATE
    takes an ACCESS EXCLUSIVE lock on PostgreSQL, blocking reads too; on MySQL it commits implicitly and
    cannot be rolled back). A big table's UPDATE writes a new version of every row (bloat, replication
    lag). And it runs on whatever data the target database holds, which is easy to get wrong by accident.

    Safe alternative: move backfills out of the schema migration into a data migration or job that works in
    batches, each in its own short transaction, or add the WHERE you meant:

        op.execute("UPDATE orders SET status = 'new' WHERE status IS NULL AND id BETWEEN 1 AND 10000")

    Dialects: all. Raw SQL (`op.execute("UPDATE ...")`) and SQLAlchemy Core statements given to
    `op.execute` alike. A table the same change created is not flagged (it has no rows yet).
    Silence a deliberate one with `# migcheck: ignore[MC305] <reason>` on the line.
    """
    for op in ctx.operations.upgrade.operations:
        if op.kind not in (ops.UPDATE, ops.DELETE) or op.options.get("where") is not False:
            continue
        if op.table is not None and not ctx.existing(op):
            continue
        table = f"'{table_of(op)}'" if op.table else "its table"
        yield data_change_without_where.finding(
            f"{written(op)} {_what_it_does(op, table, ctx.dialect)}",
            ctx.at(op),
            f"run it as a batched data migration or job (`... WHERE id BETWEEN 1 AND 10000`, one transaction"
            f" per batch), or add the WHERE you meant; if {table} must really be emptied here, say so with"
            " `# migcheck: ignore[MC305] <reason>`",
            revision=ctx.revision.id,
        )


def _what_it_does(op: Operation, table: str, dialect: str | None) -> str:
    if (op.sql or "").lstrip().upper().startswith("TRUNCATE"):
        if dialect == "mysql":  # DDL there: an implicit commit, no rollback
            return f"empties {table} for good: TRUNCATE commits at once on MySQL/MariaDB and cannot be rolled back"
        if dialect == "postgresql":
            return (
                f"empties {table} under an ACCESS EXCLUSIVE lock that blocks every read and write of it until"
                " the whole migration commits"
            )
        return f"empties {table}"
    verb = "deletes every row of" if op.kind == ops.DELETE else "updates every row of"
    return f"{verb} {table} inside the migration's transaction, holding its locks until the whole migration commits"


@rule(code="MC308", name="unanalysed-sql", severity=Severity.NOTICE)
def unanalysed_sql(ctx: LintContext) -> Iterator[Finding]:
    """SQL migcheck cannot check: built at run time, or not parseable.

    Why: the MC3xx rules read the SQL handed to `op.execute(...)` by parsing it. SQL built at run time (an
    f-string, `%` or `.format()`, a variable, a function's result) or a string the SQL parser cannot read is
    invisible to them, so a DROP COLUMN or a table-locking ALTER inside it would pass without a word. This
    notice marks each place where migcheck is blind; at the default `--fail-on error` it fails nothing.

    Safe alternative: write the statement as a constant string, or as the op.* call, so migcheck checks it:

        op.execute("ALTER TABLE orders ADD COLUMN note text")
        op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))

    or review it and say so on the line: `# migcheck: ignore[MC308] reviewed: one GRANT per role`.

    Dialects: all; in upgrade() and downgrade() (MC307 cannot judge a downgrade it cannot read).
    Silence a reviewed one with `# migcheck: ignore[MC308] <reason>` on the line.
    """
    for function, name in ((ctx.operations.upgrade, "upgrade()"), (ctx.operations.downgrade, "downgrade()")):
        for op in function.operations:
            if op.kind != ops.UNANALYSED_SQL:
                continue
            reason = op.options.get("reason")
            why = reason if isinstance(reason, str) and reason else "built at run time or not parseable"
            yield unanalysed_sql.finding(
                f"SQL in {name} that migcheck cannot check ({why}): no MC3xx rule sees what it does",
                ctx.at(op),
                'write it as a constant string (op.execute("ALTER TABLE ...")) or as op.* calls; or review it'
                " and silence it: `# migcheck: ignore[MC308] <reason>`",
                revision=ctx.revision.id,
            )

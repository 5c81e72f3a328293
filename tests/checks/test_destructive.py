"""MC301-MC308 on operations built in memory: what each rule reports, where, and the fix it names.

The reader (`migcheck.opsread`, `migcheck.sqlops`) turns revision files into these records; the whole-project
cases under tests/trees/lint/ prove the two together (tests/checks/test_destructive_trees.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from helpers import history, rev

from migcheck import operations as ops
from migcheck.checks import REGISTRY
from migcheck.checks.operations import LintContext
from migcheck.findings import Finding, Severity
from migcheck.operations import Code, Default, Function, Operation, RevisionOperations, SqlType

REVISION = "bbbbbbbbbbbb"
PATH = f"migrations/versions/{REVISION}_rev.py"
UPGRADE_LINE, DOWNGRADE_LINE = 21, 40


def context(
    upgrade: Iterable[Operation] = (),
    downgrade: Iterable[Operation] = (),
    *,
    dialect: str | None = "postgresql",
    created_earlier: Iterable[str] = (),
    downgrade_present: bool = True,
    downgrade_raises: bool = False,
) -> LintContext:
    """One new revision whose upgrade()/downgrade() do these operations (downgrade: empty when none given)."""
    up, down = tuple(upgrade), tuple(downgrade)
    revisions = (rev("aaaaaaaaaaaa"), rev(REVISION, "aaaaaaaaaaaa"))
    operations = RevisionOperations(
        PATH,
        Function(True, not up, UPGRADE_LINE, up),
        Function(
            downgrade_present,
            downgrade_present and not down and not downgrade_raises,
            DOWNGRADE_LINE,
            down,
            raises=downgrade_raises,
        ),
    )
    return LintContext(history(*revisions), revisions[1], operations, dialect, frozenset(created_earlier))


def run(code: str, ctx: LintContext) -> list[Finding]:
    return list(REGISTRY[code].check(ctx))


def only(code: str, ctx: LintContext) -> Finding:
    (found,) = run(code, ctx)
    assert found.rule == code
    assert found.revision == REVISION
    assert found.location.path == PATH
    return found


def integer(nullable: bool | None = None, **options) -> dict:
    column = {"type_": SqlType("integer", text="sa.Integer()"), **options}
    if nullable is not None:
        column["nullable"] = nullable
    return column


# --- MC301 drop-table ---------------------------------------------------------------------------------------


def test_dropping_an_existing_table_is_mc301_with_a_backup_in_the_hint() -> None:
    found = only("MC301", context([Operation(ops.DROP_TABLE, 22, table="orders")]))

    assert found.severity is Severity.WARNING
    assert found.location.line == 22
    assert found.message.startswith("op.drop_table('orders') drops existing table 'orders'")
    assert 'op.execute("CREATE TABLE orders_backup AS SELECT * FROM orders")' in found.hint
    assert "later revision" in found.hint


def test_a_raw_sql_drop_table_is_quoted_as_written() -> None:
    found = only("MC301", context([Operation(ops.DROP_TABLE, 23, table="orders", sql="DROP TABLE orders")]))

    assert found.message.startswith("`DROP TABLE orders` drops existing table 'orders'")


def test_dropping_a_table_of_another_schema_names_it_qualified() -> None:
    found = only("MC301", context([Operation(ops.DROP_TABLE, 22, table="orders", schema="billing")]))

    assert "existing table 'billing.orders'" in found.message
    assert "SELECT * FROM billing.orders" in found.hint


@pytest.mark.parametrize(
    "ctx",
    [
        context([Operation(ops.DROP_TABLE, 22, table="tmp", new_table=True)]),
        context([Operation(ops.DROP_TABLE, 22, table="tmp")], created_earlier={"tmp"}),
        context((), [Operation(ops.DROP_TABLE, 41, table="orders")]),
    ],
    ids=["created-in-this-revision", "created-earlier-in-the-change", "in-downgrade"],
)
def test_dropping_a_table_nobody_uses_yet_or_in_downgrade_is_not_mc301(ctx: LintContext) -> None:
    assert run("MC301", ctx) == []


# --- MC302 drop-column --------------------------------------------------------------------------------------


def test_dropping_a_column_is_mc302_naming_the_model_first_fix() -> None:
    found = only("MC302", context([Operation(ops.DROP_COLUMN, 22, table="orders", column="note")]))

    assert found.message.startswith("op.drop_column('orders', 'note') drops column 'note' of existing table")
    assert "remove 'note' from the model" in found.hint
    assert "op.drop_column('orders', 'note')" in found.hint


def test_a_batch_drop_column_is_quoted_as_batch_op() -> None:
    op = Operation(ops.DROP_COLUMN, 24, table="orders", column="note", batch=True)

    found = only("MC302", context([op], dialect="sqlite"))

    assert found.message.startswith(
        "batch_op.drop_column('note') drops column 'note' of existing table 'orders'"
    )


def test_a_mysql_alter_table_drop_column_is_mc302() -> None:
    op = Operation(
        ops.DROP_COLUMN, 22, table="orders", column="note", sql="ALTER TABLE `orders` DROP COLUMN `note`"
    )

    found = only("MC302", context([op], dialect="mysql"))

    assert found.message.startswith("`` ALTER TABLE `orders` DROP COLUMN `note` `` drops column 'note'")


def test_dropping_a_column_of_a_table_this_change_created_is_not_mc302() -> None:
    op = Operation(ops.DROP_COLUMN, 22, table="drafts", column="note")

    assert run("MC302", context([op], created_earlier={"drafts"})) == []


# --- MC303 rename-table-or-column ---------------------------------------------------------------------------


def test_renaming_a_table_on_postgresql_suggests_a_view_with_the_old_name() -> None:
    found = only("MC303", context([Operation(ops.RENAME_TABLE, 22, table="orders", name="purchases")]))

    assert "renames existing table 'orders' to 'purchases'" in found.message
    assert found.hint.endswith(
        "op.rename_table('orders', 'purchases'); op.execute(\"CREATE VIEW orders AS SELECT * FROM purchases\")"
    )


def test_renaming_a_table_on_sqlite_suggests_expand_contract_not_a_read_only_view() -> None:
    op = Operation(ops.RENAME_TABLE, 22, table="orders", name="purchases")

    found = only("MC303", context([op], dialect="sqlite"))

    assert "VIEW" not in found.hint
    assert "deploy code that writes both" in found.hint


def test_renaming_a_table_with_the_dialect_unknown_gives_both_ways() -> None:
    found = only(
        "MC303", context([Operation(ops.RENAME_TABLE, 22, table="orders", name="purchases")], dialect=None)
    )

    assert "CREATE VIEW orders" in found.hint
    assert "on SQLite:" in found.hint


def test_a_rename_without_existing_type_leaves_the_type_to_fill_in() -> None:
    op = Operation(ops.ALTER_COLUMN, 22, table="orders", column="note", options={"new_column_name": "remark"})

    found = only("MC303", context([op]))

    assert "sa.Column('remark', <the type of note>, nullable=True)" in found.hint


def test_renaming_a_column_is_mc303_with_add_write_backfill_drop() -> None:
    op = Operation(
        ops.ALTER_COLUMN,
        22,
        table="orders",
        column="note",
        options={"new_column_name": "remark", "existing_type": SqlType("text", text="sa.Text()")},
    )

    found = only("MC303", context([op]))

    assert found.message.startswith(
        "op.alter_column('orders', 'note', new_column_name='remark') renames column 'note' of existing table"
    )
    assert "op.add_column('orders', sa.Column('remark', sa.Text(), nullable=True))" in found.hint
    assert "UPDATE orders SET remark = note WHERE remark IS NULL" in found.hint


def test_a_batch_rename_is_quoted_as_batch_op() -> None:
    op = Operation(
        ops.ALTER_COLUMN, 25, table="orders", column="note", options={"new_column_name": "remark"}, batch=True
    )

    found = only("MC303", context([op], dialect="sqlite"))

    assert found.message.startswith("batch_op.alter_column('note', new_column_name='remark')")


@pytest.mark.parametrize(
    "op",
    [
        # MySQL's CHANGE with the same name only changes the type
        Operation(
            ops.ALTER_COLUMN,
            22,
            table="orders",
            column="note",
            options={"new_column_name": "note"},
            sql="ALTER TABLE orders CHANGE note note TEXT",
        ),
        Operation(ops.ALTER_COLUMN, 22, table="orders", column="note", options={"nullable": True}),
        Operation(ops.RENAME_TABLE, 22, table="drafts", name="sketches", new_table=True),
    ],
    ids=["change-keeps-the-name", "no-rename", "new-table"],
)
def test_what_is_not_a_rename_of_an_existing_thing_is_not_mc303(op: Operation) -> None:
    assert run("MC303", context([op], dialect="mysql")) == []


# --- MC304 add-not-null-column-without-default --------------------------------------------------------------


def add(column: str = "c", table: str = "orders", **options) -> Operation:
    return Operation(ops.ADD_COLUMN, 22, table=table, column=column, options=options)


@pytest.mark.parametrize(
    "dialect,words",
    [
        ("postgresql", "contains null values"),
        ("sqlite", "Cannot add a NOT NULL column with default value NULL"),
        ("mysql", "Field 'c' doesn't have a default value"),
        (None, "fails on a table with rows"),
    ],
)
def test_a_not_null_column_without_default_is_an_mc304_error_worded_per_dialect(
    dialect: str | None, words: str
) -> None:
    found = only("MC304", context([add(**integer(nullable=False))], dialect=dialect))

    assert found.severity is Severity.ERROR
    assert "adds NOT NULL column 'c' without a server_default to existing table 'orders'" in found.message
    assert words in found.message
    assert "op.add_column('orders', sa.Column('c', sa.Integer(), nullable=True))" in found.hint
    assert 'nullable=False, server_default="0"))' in found.hint


def test_an_explicit_server_default_none_is_no_default() -> None:
    assert run("MC304", context([add(**integer(nullable=False, server_default=None))]))


def test_a_batch_add_column_hint_uses_batch_op() -> None:
    op = Operation(
        ops.ADD_COLUMN, 22, table="orders", column="c", options=integer(nullable=False), batch=True
    )

    found = only("MC304", context([op], dialect="sqlite"))

    assert "batch_op.add_column(sa.Column('c', sa.Integer(), nullable=True))" in found.hint


def test_a_raw_sql_not_null_column_gets_the_sql_form_in_its_hint() -> None:
    op = Operation(
        ops.ADD_COLUMN,
        22,
        table="orders",
        column="c",
        options={"type_": SqlType("integer", text="integer"), "nullable": False},
        sql="ALTER TABLE orders ADD COLUMN c integer NOT NULL",
    )

    found = only("MC304", context([op]))

    assert "`ALTER TABLE orders ADD COLUMN c integer`" in found.hint


def test_a_varchar_primary_key_does_not_fill_itself() -> None:
    column = {
        "type_": SqlType("varchar", (20,), text="sa.String(20)"),
        "nullable": False,
        "primary_key": True,
    }

    assert run("MC304", context([add("code", **column)]))


@pytest.mark.parametrize(
    "options",
    [
        integer(nullable=True),
        integer(),  # nullable by default
        integer(nullable=False, server_default=Default("'0'", True)),
        integer(nullable=False, server_default="0"),
        integer(nullable=False, server_default=Code('sa.text("0")')),
        integer(nullable=False, primary_key=True),  # an autoincrement key fills itself
        {"type_": SqlType("bigserial", text="bigserial"), "nullable": False},
        integer(nullable=False, identity=Code("sa.Identity()")),
    ],
    ids=[
        "nullable",
        "nullable-by-default",
        "default",
        "string-default",
        "text-default",
        "autoincrement-pk",
        "serial",
        "identity",
    ],
)
def test_a_column_existing_rows_can_hold_is_not_mc304(options: dict) -> None:
    assert run("MC304", context([add(**options)])) == []


def test_a_not_null_column_on_a_table_of_this_change_is_not_mc304() -> None:
    op = add(table="drafts", **integer(nullable=False))

    assert run("MC304", context([op], created_earlier={"drafts"})) == []


# --- MC305 data-change-without-where ------------------------------------------------------------------------


def test_an_update_without_where_is_mc305_with_the_batched_fix() -> None:
    op = Operation(
        ops.UPDATE, 22, table="orders", options={"where": False}, sql="UPDATE orders SET status = 'new'"
    )

    found = only("MC305", context([op]))

    assert found.message.startswith("`UPDATE orders SET status = 'new'` updates every row of 'orders'")
    assert "WHERE id BETWEEN 1 AND 10000" in found.hint


def test_a_delete_without_where_and_a_truncate_are_mc305() -> None:
    delete = Operation(ops.DELETE, 22, table="orders", options={"where": False}, sql="DELETE FROM orders")
    truncate = Operation(ops.DELETE, 23, table="carts", options={"where": False}, sql="TRUNCATE carts")

    found = run("MC305", context([delete, truncate]))

    assert [f.location.line for f in found] == [22, 23]
    assert "deletes every row of 'orders'" in found[0].message
    assert "empties 'carts' under an ACCESS EXCLUSIVE lock" in found[1].message


def test_a_truncate_on_mysql_is_said_to_commit_at_once() -> None:
    op = Operation(ops.DELETE, 23, table="events", options={"where": False}, sql="TRUNCATE TABLE events")

    found = only("MC305", context([op], dialect="mysql"))

    assert "cannot be rolled back" in found.message


def test_an_update_of_a_table_migcheck_cannot_name_is_still_mc305() -> None:
    op = Operation(ops.UPDATE, 22, options={"where": False}, sql="UPDATE ONLY orders SET x = 1")

    assert run("MC305", context([op]))


@pytest.mark.parametrize(
    "op",
    [
        Operation(ops.UPDATE, 22, table="orders", options={"where": True}),
        Operation(ops.DELETE, 22, table="orders", options={"where": True}),
        Operation(ops.UPDATE, 22, table="drafts", options={"where": False}, new_table=True),
        Operation(ops.BULK_INSERT, 22, table="orders"),
    ],
    ids=["update-where", "delete-where", "new-table", "bulk-insert"],
)
def test_a_bounded_data_change_is_not_mc305(op: Operation) -> None:
    assert run("MC305", context([op])) == []


# --- MC306 missing-downgrade --------------------------------------------------------------------------------

CREATE = Operation(ops.CREATE_TABLE, 22, table="orders")
INDEX = Operation(ops.CREATE_INDEX, 27, table="orders", name="ix_orders_user_id", columns=("user_id",))


def test_an_empty_downgrade_is_mc306_at_its_def_line_with_the_inverse_operations() -> None:
    found = only("MC306", context([CREATE, INDEX]))

    assert found.location.line == DOWNGRADE_LINE
    assert "downgrade() of revision 'bbbbbbbbbbbb' is empty while upgrade() has 2 operations" in found.message
    assert "op.drop_index('ix_orders_user_id', table_name='orders'); op.drop_table('orders')" in found.hint
    assert 'raise NotImplementedError("one-way: <why>")' in found.hint


def test_a_missing_downgrade_is_mc306_at_the_upgrade_line() -> None:
    found = only("MC306", context([CREATE], downgrade_present=False))

    assert found.location.line == UPGRADE_LINE
    assert "has no downgrade()" in found.message
    assert "AttributeError" in found.message


@pytest.mark.parametrize(
    "ctx",
    [
        context([CREATE], downgrade_raises=True),
        context((), ()),
        context([CREATE], [Operation(ops.DROP_TABLE, 41, table="orders")]),
    ],
    ids=["one-way-on-purpose", "upgrade-does-nothing", "mirrored"],
)
def test_a_deliberate_or_real_downgrade_is_not_mc306(ctx: LintContext) -> None:
    assert run("MC306", ctx) == []


# --- MC307 downgrade-not-mirrored ---------------------------------------------------------------------------


def test_a_created_table_the_downgrade_keeps_is_mc307_at_the_upgrade_operation() -> None:
    other = Operation(ops.DROP_TABLE, 41, table="carts")

    found = only("MC307", context([CREATE], [other]))

    assert found.location.line == 22
    assert found.message == (
        "downgrade() does not undo op.create_table('orders', ...) of upgrade(): it has no drop_table for 'orders'"
    )
    assert found.hint == "add to downgrade(): op.drop_table('orders')"


def test_each_kind_of_created_object_needs_its_drop() -> None:
    upgrade = [
        Operation(ops.ADD_COLUMN, 22, table="orders", column="note"),
        INDEX,
        Operation(ops.CREATE_FOREIGN_KEY, 30, table="orders", name="fk_orders_user_id"),
        Operation(ops.CREATE_UNIQUE_CONSTRAINT, 31, table="orders", name="uq_orders_code"),
        Operation(ops.CREATE_CHECK_CONSTRAINT, 32, table="orders", name="ck_orders_total"),
    ]
    downgrade = [Operation(ops.DROP_CONSTRAINT, 41, table="orders", name="uq_orders_code")]

    found = run("MC307", context(upgrade, downgrade))

    assert [(f.location.line, f.hint) for f in found] == [
        (22, "add to downgrade(): op.drop_column('orders', 'note')"),
        (27, "add to downgrade(): op.drop_index('ix_orders_user_id', table_name='orders')"),
        (30, "add to downgrade(): op.drop_constraint('fk_orders_user_id', 'orders', type_='foreignkey')"),
        (32, "add to downgrade(): op.drop_constraint('ck_orders_total', 'orders', type_='check')"),
    ]


def test_what_the_upgrade_drops_again_needs_no_undoing() -> None:
    upgrade = [
        Operation(ops.CREATE_CHECK_CONSTRAINT, 22, table="orders", name="ck_orders_note_not_null"),
        Operation(ops.ALTER_COLUMN, 24, table="orders", column="note", options={"nullable": False}),
        Operation(ops.DROP_CONSTRAINT, 25, table="orders", name="ck_orders_note_not_null"),
    ]
    downgrade = [Operation(ops.ALTER_COLUMN, 41, table="orders", column="note", options={"nullable": True})]

    assert run("MC307", context(upgrade, downgrade)) == []


def test_an_index_a_constraint_took_over_is_undone_by_dropping_the_constraint() -> None:
    upgrade = [
        Operation(ops.CREATE_INDEX, 22, table="orders", name="uq_orders_reference", columns=("reference",)),
        Operation(
            ops.CREATE_UNIQUE_CONSTRAINT,
            25,
            table="orders",
            name="uq_orders_reference",
            options={"using_index": "uq_orders_reference"},
        ),
    ]
    downgrade = [Operation(ops.DROP_CONSTRAINT, 41, table="orders", name="uq_orders_reference")]

    assert run("MC307", context(upgrade, downgrade)) == []


def test_an_index_on_a_column_the_downgrade_keeps_is_still_mc307() -> None:
    upgrade = [
        Operation(ops.ADD_COLUMN, 22, table="users", column="locale"),
        Operation(
            ops.CREATE_INDEX, 23, table="users", name="ix_users_email_locale", columns=("email", "locale")
        ),
    ]
    downgrade = [Operation(ops.DROP_COLUMN, 41, table="users", column="locale")]

    assert [f.location.line for f in run("MC307", context(upgrade, downgrade))] == [23]


def test_a_mirrored_downgrade_in_sql_or_by_dropping_the_table_is_not_mc307() -> None:
    upgrade = [
        Operation(ops.CREATE_TABLE, 22, table="orders", sql="CREATE TABLE orders (id int)"),
        Operation(ops.ADD_COLUMN, 23, table="orders", column="note"),
        Operation(ops.CREATE_INDEX, 24, table="orders", name="IX_Orders_Note"),
        Operation(ops.ADD_COLUMN, 25, table="carts", column="note", batch=True),
        Operation(ops.CREATE_INDEX, 26, table="carts", name="ix_carts_note"),
        # gone with the column it covers
        Operation(ops.CREATE_INDEX, 27, table="carts", name="ix_carts_note_2", columns=("note",)),
        Operation(ops.CREATE_FOREIGN_KEY, 28, table="carts", name="fk_carts_note", columns=("Note",)),
    ]
    downgrade = [
        Operation(ops.DROP_INDEX, 40, name="ix_carts_note", sql="DROP INDEX ix_carts_note"),
        Operation(ops.DROP_COLUMN, 41, table="carts", column="note", batch=True),
        Operation(ops.DROP_TABLE, 42, table="ORDERS", sql="DROP TABLE ORDERS"),
    ]

    assert run("MC307", context(upgrade, downgrade)) == []


@pytest.mark.parametrize(
    "ctx",
    [
        context(
            [CREATE], [Operation(ops.UNANALYSED_SQL, 41, options={"reason": "built at run time (f-string)"})]
        ),
        context([CREATE], downgrade_raises=True),
        context([CREATE]),  # empty: MC306's
        context([CREATE], downgrade_present=False),
        context(
            [Operation(ops.CREATE_INDEX, 22, table="orders")], [Operation(ops.DROP_TABLE, 41, table="x")]
        ),
    ],
    ids=["unreadable-downgrade", "one-way", "empty", "missing", "unnamed-index"],
)
def test_what_migcheck_cannot_or_need_not_match_is_not_mc307(ctx: LintContext) -> None:
    assert run("MC307", ctx) == []


# --- MC308 unanalysed-sql -----------------------------------------------------------------------------------


def test_sql_migcheck_cannot_read_is_an_mc308_notice_with_the_reason() -> None:
    op = Operation(ops.UNANALYSED_SQL, 22, options={"reason": "built at run time (f-string)"})

    found = only("MC308", context([op]))

    assert found.severity is Severity.NOTICE
    assert found.location.line == 22
    assert found.message == (
        "SQL in upgrade() that migcheck cannot check (built at run time (f-string)): no MC3xx rule sees what it does"
    )
    assert "constant string" in found.hint
    assert "# migcheck: ignore[MC308] <reason>" in found.hint


def test_unreadable_sql_in_downgrade_is_mc308_too() -> None:
    op = Operation(ops.UNANALYSED_SQL, 44)

    found = only("MC308", context([CREATE], [op]))

    assert found.message.startswith("SQL in downgrade() that migcheck cannot check (built at run time or not")


def test_sql_migcheck_read_is_not_mc308() -> None:
    op = Operation(ops.OTHER_SQL, 22, sql="GRANT SELECT ON orders TO reporting")

    assert run("MC308", context([op])) == []


# --- the registry -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [f"MC30{n}" for n in range(1, 9)])
def test_every_rule_documents_why_the_safe_alternative_and_how_to_silence_it(code: str) -> None:
    rule = REGISTRY[code]

    assert rule.input is LintContext
    assert rule.dialects == ()
    for part in ("Why:", "Safe alternative", "Dialects:", f"# migcheck: ignore[{code}]"):
        assert part in rule.description, part

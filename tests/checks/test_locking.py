"""MC310-MC319, the lock and table-rewrite rules, specified on one revision's operations built in memory.

A context is `lint(op, op, ..., dialect=...)`: the operations of `upgrade()` of revision `b` (after `a`), as
the readers (`migcheck.opsread`, `migcheck.sqlops`) return them. Each rule is run through the registry.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import history, rev, rev_path

from migcheck.checks import REGISTRY
from migcheck.checks.operations import LintContext
from migcheck.findings import Finding, Location, Severity
from migcheck.operations import (
    ADD_COLUMN,
    ALTER_COLUMN,
    CREATE_CHECK_CONSTRAINT,
    CREATE_FOREIGN_KEY,
    CREATE_INDEX,
    CREATE_PRIMARY_KEY,
    CREATE_TABLE,
    CREATE_UNIQUE_CONSTRAINT,
    DROP_COLUMN,
    DROP_CONSTRAINT,
    DROP_INDEX,
    OTHER_SQL,
    SET_LOCK_TIMEOUT,
    VALIDATE_CONSTRAINT,
    Code,
    Default,
    Function,
    Operation,
    RevisionOperations,
    normalize_type,
)

LOCK_CODES = [f"MC3{n}" for n in range(10, 20)]


def lint(
    *ops: Operation,
    dialect: str = "postgresql",
    created: tuple[str, ...] = (),
    env_lock_timeout: bool = False,
) -> LintContext:
    revision = rev("b", "a")
    operations = RevisionOperations(revision.path, Function(True, False, 21, ops), Function(True, False, 30))
    return LintContext(
        history(rev("a"), revision), revision, operations, dialect, frozenset(created), env_lock_timeout
    )


def run(code: str, ctx: LintContext) -> list[Finding]:
    return list(REGISTRY[code].check(ctx))


def op(kind: str, line: int = 22, **fields: Any) -> Operation:
    options = fields.pop("options", {})
    return Operation(kind, line, options=options, **fields)


def t(text: str) -> Any:
    return normalize_type(text)


def alter(table: str = "orders", column: str = "amount", line: int = 22, **options: Any) -> Operation:
    return op(ALTER_COLUMN, line, table=table, column=column, options=options)


LOCK_TIMEOUT = op(SET_LOCK_TIMEOUT, 22, sql="SET lock_timeout = '5s'", options={"value": "5s"})


# --- the rules' documentation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LOCK_CODES)
def test_every_lock_rule_reads_a_lint_context_and_documents_why_the_safe_way_and_its_dialects(
    code: str,
) -> None:
    rule = REGISTRY[code]

    assert rule.input is LintContext
    assert rule.dialects and "sqlite" not in rule.dialects
    for part in ("Why:", "Safe alternative:", "Dialects:", f"# migcheck: ignore[{code}]"):
        assert part in rule.description, (code, part)


# --- MC310 column-type-change ---------------------------------------------------------------------------------


def test_mc310_a_type_change_on_postgresql_names_the_rewrite_and_the_add_column_way() -> None:
    change = alter(type_=t("sa.BigInteger()"), existing_type=t("sa.Integer()"))

    [finding] = run("MC310", lint(change))

    assert (finding.rule, finding.severity, finding.revision) == ("MC310", Severity.WARNING, "b")
    assert finding.location == Location(rev_path("b"), 22)
    assert finding.message == (
        "op.alter_column('orders', 'amount') changes 'orders.amount' from integer to bigint: "
        "PostgreSQL rewrites 'orders' and its indexes under an ACCESS EXCLUSIVE lock that blocks reads and "
        "writes until it is done"
    )
    assert "op.add_column('orders', sa.Column('amount_new', sa.BigInteger(), nullable=True))" in finding.hint


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("sa.String(100)", "sa.String(200)"),
        ("sa.String(100)", "sa.String()"),
        ("sa.String(100)", "sa.Text()"),
        ("sa.Text()", "sa.String()"),
        ("sa.Numeric(10, 2)", "sa.Numeric(12, 2)"),
        ("sa.Numeric(10, 2)", "sa.Numeric()"),
        ("postgresql.CIDR()", "postgresql.INET()"),
        ("sa.String(100)", "sa.VARCHAR(100)"),
    ],
)
def test_mc310_a_binary_coercible_change_is_not_a_rewrite_on_postgresql(old: str, new: str) -> None:
    assert run("MC310", lint(alter(type_=t(new), existing_type=t(old)))) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("sa.String(100)", "sa.String(50)"),
        ("sa.Text()", "sa.String(10)"),
        ("sa.String()", "sa.String(10)"),
        ("sa.Numeric(10, 2)", "sa.Numeric(12, 3)"),
        ("sa.Numeric()", "sa.Numeric(10, 2)"),
        ("sa.DateTime()", "sa.DateTime(timezone=True)"),
        ("sa.Integer()", "sa.String(20)"),
    ],
)
def test_mc310_a_narrowing_or_other_type_is_a_rewrite_on_postgresql(old: str, new: str) -> None:
    assert [f.rule for f in run("MC310", lint(alter(type_=t(new), existing_type=t(old))))] == ["MC310"]


def test_mc310_without_existing_type_migcheck_says_that_passing_it_shows_a_safe_widening() -> None:
    [finding] = run("MC310", lint(alter(type_=t("sa.String(200)"))))

    assert "without existing_type, so it cannot tell a safe widening from a rewrite" in finding.message
    assert finding.hint.startswith("if it is a widening (varchar to a longer varchar or text")
    assert "pass existing_type=<the old type>" in finding.hint


def test_mc310_a_using_expression_is_flagged_even_for_a_coercible_pair() -> None:
    change = alter(type_=t("sa.Text()"), existing_type=t("sa.String(10)"), postgresql_using="amount::text")

    [finding] = run("MC310", lint(change))

    assert "(with a USING expression)" in finding.message


def test_mc310_a_column_of_a_table_this_change_created_is_not_flagged() -> None:
    change = alter(type_=t("sa.BigInteger()"), existing_type=t("sa.Integer()"))

    assert run("MC310", lint(change, created=("orders",))) == []


def test_mc310_a_raw_sql_type_change_is_named_by_its_statement() -> None:
    sql = "ALTER TABLE orders ALTER COLUMN amount TYPE bigint"
    change = op(ALTER_COLUMN, 23, table="orders", column="amount", sql=sql, options={"type_": t("bigint")})

    [finding] = run("MC310", lint(change))

    assert finding.message.startswith(
        f"`{sql}` changes the type of 'orders.amount' to bigint; migcheck cannot"
    )
    assert (
        'write it as op.alter_column("orders", "amount", type_=..., existing_type=<the old type>)'
        in finding.hint
    )
    assert finding.location.line == 23


@pytest.mark.parametrize(("old", "new"), [(20, 50), (64, 100), (100, 300), (63, 63)])
def test_mc310_a_varchar_widening_that_keeps_its_length_bytes_is_in_place_on_mysql(
    old: int, new: int
) -> None:
    change = alter(type_=t(f"sa.String({new})"), existing_type=t(f"sa.String({old})"))

    assert run("MC310", lint(change, dialect="mysql")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [("sa.String(63)", "sa.String(64)"), ("sa.Integer()", "sa.BigInteger()"), ("sa.String(20)", "sa.Text()")],
)
def test_mc310_other_type_changes_copy_the_table_on_mysql(old: str, new: str) -> None:
    [finding] = run("MC310", lint(alter(type_=t(new), existing_type=t(old)), dialect="mysql"))

    assert "MySQL/MariaDB copy the whole table (ALGORITHM=COPY)" in finding.message
    assert "gh-ost / pt-online-schema-change" in finding.hint


def test_mc310_a_mysql_modify_without_the_old_type_is_flagged_as_a_possible_copy() -> None:
    sql = "ALTER TABLE orders MODIFY amount bigint NOT NULL"
    change = op(ALTER_COLUMN, table="orders", column="amount", sql=sql, options={"type_": t("bigint")})

    [finding] = run("MC310", lint(change, dialect="mysql"))

    assert (
        "unless it is the same type or a VARCHAR widening, MySQL/MariaDB copy the whole table"
        in finding.message
    )


def test_mc310_an_alter_naming_its_algorithm_on_mysql_is_left_to_mc319() -> None:
    change = alter(type_=t("sa.BigInteger()"), existing_type=t("sa.Integer()"), mysql_algorithm="COPY")

    assert run("MC310", lint(change, dialect="mysql")) == []


# --- MC311 set-not-null ----------------------------------------------------------------------------------------


def test_mc311_set_not_null_on_postgresql_names_the_scan_and_gives_the_check_constraint_way() -> None:
    [finding] = run("MC311", lint(alter(column="note", nullable=False)))

    assert finding.message == (
        "op.alter_column('orders', 'note') makes 'orders.note' NOT NULL: PostgreSQL scans all of 'orders' "
        "under an ACCESS EXCLUSIVE lock that blocks reads and writes"
    )
    assert finding.hint.splitlines() == [
        'op.create_check_constraint("ck_orders_note_not_null", "orders", "note IS NOT NULL", '
        "postgresql_not_valid=True)",
        "with op.get_context().autocommit_block():",
        '    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_note_not_null")',
        'op.alter_column("orders", "note", nullable=False)  # no scan: the valid check proves it',
        'op.drop_constraint("ck_orders_note_not_null", "orders")',
    ]


def test_mc311_a_column_that_already_was_not_null_is_not_flagged() -> None:
    assert run("MC311", lint(alter(column="note", nullable=False, existing_nullable=False))) == []


def test_mc311_the_safe_pattern_with_a_validated_check_passes() -> None:
    check = op(
        CREATE_CHECK_CONSTRAINT,
        22,
        table="orders",
        name="ck_orders_note_not_null",
        options={"condition": "note IS NOT NULL", "postgresql_not_valid": True},
    )
    validate = op(
        VALIDATE_CONSTRAINT,
        24,
        table="orders",
        name="ck_orders_note_not_null",
        autocommit=True,
        sql="ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_note_not_null",
    )
    set_nn = alter(column="note", line=25, nullable=False)

    assert run("MC311", lint(check, validate, set_nn)) == []


def test_mc311_a_not_valid_check_that_is_never_validated_proves_nothing() -> None:
    check = op(
        CREATE_CHECK_CONSTRAINT,
        22,
        table="orders",
        name="ck_orders_note_not_null",
        options={"condition": "note IS NOT NULL", "postgresql_not_valid": True},
    )

    assert [
        f.location.line for f in run("MC311", lint(check, alter(column="note", line=23, nullable=False)))
    ] == [23]


def test_mc311_validating_a_check_added_by_an_earlier_revision_counts_when_its_name_names_the_column() -> (
    None
):
    validate = op(VALIDATE_CONSTRAINT, 22, table="orders", name="ck_orders_note_not_null", autocommit=True)

    assert run("MC311", lint(validate, alter(column="note", line=24, nullable=False))) == []


def test_mc311_validating_an_unrelated_constraint_of_an_earlier_revision_proves_nothing() -> None:
    validate = op(VALIDATE_CONSTRAINT, 22, table="orders", name="ck_orders_note_length", autocommit=True)

    assert len(run("MC311", lint(validate, alter(column="note", line=24, nullable=False)))) == 1


def test_mc311_on_mysql_names_the_in_place_rebuild() -> None:
    [finding] = run("MC311", lint(alter(column="note", nullable=False), dialect="mysql"))

    assert "MySQL/MariaDB rebuild all of 'orders' for it (ALGORITHM=INPLACE" in finding.message
    assert "pt-online-schema-change" in finding.hint


# --- MC312 index-without-concurrently --------------------------------------------------------------------------


def test_mc312_create_index_on_an_existing_table_names_the_share_lock_and_the_concurrent_way() -> None:
    index = op(CREATE_INDEX, name="ix_orders_user_id", table="orders", columns=("user_id",))

    [finding] = run("MC312", lint(index))

    assert finding.message == (
        "op.create_index('ix_orders_user_id') builds an index on existing table 'orders' without "
        "postgresql_concurrently=True: it takes a SHARE lock that blocks writes to 'orders' while the index builds"
    )
    assert finding.hint == (
        "with op.get_context().autocommit_block():\n"
        '    op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)'
    )


def test_mc312_a_unique_index_keeps_unique_in_the_safe_way() -> None:
    index = op(CREATE_INDEX, name="uq_orders_ref", table="orders", columns=("ref",), options={"unique": True})

    [finding] = run("MC312", lint(index))

    assert "builds a unique index on existing table 'orders'" in finding.message
    assert "unique=True, postgresql_concurrently=True" in finding.hint


def test_mc312_drop_index_names_the_access_exclusive_lock() -> None:
    drop = op(DROP_INDEX, name="ix_orders_user_id", table="orders")

    [finding] = run("MC312", lint(drop))

    assert "ACCESS EXCLUSIVE lock that blocks reads and writes of 'orders'" in finding.message
    assert (
        'op.drop_index("ix_orders_user_id", table_name="orders", postgresql_concurrently=True)'
        in finding.hint
    )


def test_mc312_the_concurrent_way_in_an_autocommit_block_passes() -> None:
    index = op(
        CREATE_INDEX,
        name="ix_orders_user_id",
        table="orders",
        columns=("user_id",),
        autocommit=True,
        options={"postgresql_concurrently": True},
    )

    assert run("MC312", lint(index)) == []


def test_mc312_drop_index_without_a_table_is_on_an_existing_table_unless_this_revision_made_the_index() -> (
    None
):
    made = op(CREATE_INDEX, 22, name="ix_tmp", table="events", columns=("at",))
    drop_made = op(DROP_INDEX, 23, name="ix_tmp", sql="DROP INDEX ix_tmp")
    drop_old = op(DROP_INDEX, 24, name="ix_old", sql="DROP INDEX ix_old")

    found = run("MC312", lint(made, drop_made, drop_old, created=("events",)))

    assert [f.location.line for f in found] == [24]


def test_mc312_an_index_on_a_new_table_is_not_flagged() -> None:
    create = op(CREATE_TABLE, 22, table="events")
    index = op(CREATE_INDEX, 23, name="ix_events_at", table="events", columns=("at",), new_table=True)

    assert run("MC312", lint(create, index)) == []


# --- MC313 concurrent-index-in-transaction ---------------------------------------------------------------------


def test_mc313_concurrently_outside_an_autocommit_block_is_an_error_even_on_a_new_table() -> None:
    index = op(
        CREATE_INDEX,
        name="ix_events_at",
        table="events",
        columns=("at",),
        new_table=True,
        options={"postgresql_concurrently": True},
    )

    [finding] = run("MC313", lint(index))

    assert finding.severity is Severity.ERROR
    assert '"CREATE INDEX CONCURRENTLY cannot run inside a transaction block"' in finding.message
    assert finding.hint.startswith("with op.get_context().autocommit_block():\n    op.create_index(")


def test_mc313_drop_index_concurrently_in_the_transaction_fails_the_same_way() -> None:
    sql = "DROP INDEX CONCURRENTLY ix_a"
    drop = op(DROP_INDEX, name="ix_a", sql=sql, options={"postgresql_concurrently": True})

    [finding] = run("MC313", lint(drop))

    assert '"DROP INDEX CONCURRENTLY cannot run inside a transaction block"' in finding.message
    assert finding.hint == f'with op.get_context().autocommit_block():\n    op.execute("{sql}")'


def test_mc312_a_raw_sql_index_gets_its_own_statement_made_concurrent() -> None:
    sql = "CREATE UNIQUE INDEX uq_users_email ON users (email)"
    index = op(CREATE_INDEX, name="uq_users_email", table="users", sql=sql, options={"unique": True})

    [finding] = run("MC312", lint(index))

    assert finding.hint == (
        "with op.get_context().autocommit_block():\n"
        '    op.execute("CREATE UNIQUE INDEX CONCURRENTLY uq_users_email ON users (email)")'
    )


def test_mc313_concurrently_inside_an_autocommit_block_passes() -> None:
    index = op(
        CREATE_INDEX, name="ix", table="orders", autocommit=True, options={"postgresql_concurrently": True}
    )

    assert run("MC313", lint(index)) == []


# --- MC314 constraint-without-not-valid ------------------------------------------------------------------------


def fk(line: int = 22, table: str = "orders", **options: Any) -> Operation:
    options = {"referent_table": "users", **options}
    return op(
        CREATE_FOREIGN_KEY, line, name="fk_orders_user_id", table=table, columns=("user_id",), options=options
    )


def test_mc314_a_validated_foreign_key_names_the_locks_on_both_tables() -> None:
    [finding] = run("MC314", lint(fk()))

    assert finding.message == (
        "op.create_foreign_key('fk_orders_user_id') validates every row of 'orders' while holding SHARE ROW "
        "EXCLUSIVE locks that block writes to 'orders' and 'users'"
    )
    assert finding.hint.endswith(
        'with op.get_context().autocommit_block():\n    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT '
        'fk_orders_user_id")'
    )


def test_mc314_a_check_constraint_names_the_access_exclusive_scan() -> None:
    check = op(
        CREATE_CHECK_CONSTRAINT, name="ck_orders_qty", table="orders", options={"condition": "qty > 0"}
    )

    [finding] = run("MC314", lint(check))

    assert "scans every row of 'orders' under an ACCESS EXCLUSIVE lock" in finding.message


def test_mc314_not_valid_then_validate_in_an_autocommit_block_passes() -> None:
    validate = op(VALIDATE_CONSTRAINT, 24, table="orders", name="fk_orders_user_id", autocommit=True)

    assert run("MC314", lint(fk(postgresql_not_valid=True), validate)) == []


def test_mc314_validate_in_the_same_transaction_as_the_not_valid_add_holds_its_lock_during_the_scan() -> None:
    validate = op(VALIDATE_CONSTRAINT, 23, table="orders", name="fk_orders_user_id", sql="ALTER ...")

    [finding] = run("MC314", lint(fk(postgresql_not_valid=True), validate))

    assert finding.location.line == 23
    assert "in the transaction that added it NOT VALID (line 22)" in finding.message


def test_mc314_a_foreign_key_from_a_new_table_to_an_existing_one_is_not_flagged_but_needs_a_lock_timeout() -> (
    None
):
    ctx = lint(fk(table="invoices"), created=("invoices",))

    assert run("MC314", ctx) == []
    assert [f.rule for f in run("MC317", ctx)] == ["MC317"]


# --- MC315 unique-constraint-on-existing-table -----------------------------------------------------------------


def test_mc315_a_unique_constraint_gives_the_concurrent_index_then_using_index_way() -> None:
    unique = op(CREATE_UNIQUE_CONSTRAINT, name="uq_users_email", table="users", columns=("email",))

    [finding] = run("MC315", lint(unique))

    assert "adds a UNIQUE constraint to existing table 'users'" in finding.message
    assert finding.hint == (
        "with op.get_context().autocommit_block():\n"
        '    op.create_index("uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)\n'
        'op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")'
    )


def test_mc315_a_primary_key_is_flagged_and_using_index_passes() -> None:
    pk = op(CREATE_PRIMARY_KEY, 22, name="pk_tags", table="tags", columns=("id",))
    attach = op(CREATE_UNIQUE_CONSTRAINT, 23, name="uq", table="tags", options={"using_index": "uq"})

    assert [(f.location.line, "PRIMARY KEY" in f.message) for f in run("MC315", lint(pk, attach))] == [
        (22, True)
    ]


# --- MC316 volatile-server-default -----------------------------------------------------------------------------


def add(sql: str | None, literal: bool = False, type_: str = "sa.Uuid()", line: int = 22) -> Operation:
    options: dict[str, Any] = {"type_": t(type_)}
    if sql is not None:
        options["server_default"] = Default(sql, literal)
    return op(ADD_COLUMN, line, table="orders", column="public_id", options=options)


@pytest.mark.parametrize("sql", ["gen_random_uuid()", "uuid_generate_v4()", "clock_timestamp()", "random()"])
def test_mc316_a_volatile_default_rewrites_the_table_on_postgresql(sql: str) -> None:
    [finding] = run("MC316", lint(add(sql)))

    assert f"with the volatile default {sql}: PostgreSQL rewrites 'orders'" in finding.message
    assert f'server_default=sa.text("{sql}")' in finding.hint


@pytest.mark.parametrize(
    ("sql", "literal"), [("now()", False), ("CURRENT_TIMESTAMP", False), ("'pending'", True)]
)
def test_mc316_a_constant_or_stable_default_is_not_flagged(sql: str, literal: bool) -> None:
    assert run("MC316", lint(add(sql, literal))) == []


def test_mc316_a_serial_column_added_to_an_existing_table_is_a_rewrite() -> None:
    [finding] = run("MC316", lint(add(None, type_="postgresql.BIGSERIAL()")))

    assert "with the volatile type bigserial" in finding.message


def test_mc316_changing_a_default_is_metadata_only() -> None:
    change = alter(column="public_id", server_default=Default("gen_random_uuid()", False))

    assert run("MC316", lint(change)) == []


def test_mc316_on_mysql_uuid_is_flagged_and_rand_is_not() -> None:
    found = run("MC316", lint(add("(uuid())", line=22), add("(rand())", line=23), dialect="mysql"))

    assert [f.location.line for f in found] == [22]
    assert "MySQL/MariaDB cannot add it INSTANT and MariaDB copies the table" in found[0].message


# --- MC317 missing-lock-timeout --------------------------------------------------------------------------------


def test_mc317_one_finding_at_the_first_strong_lock_of_the_revision() -> None:
    ops = (op(DROP_COLUMN, 22, table="orders", column="a"), op(DROP_COLUMN, 23, table="orders", column="b"))

    [finding] = run("MC317", lint(*ops))

    assert finding.location.line == 22
    assert finding.message == (
        "op.drop_column('orders', 'a') locks existing table 'orders' with no lock_timeout set: queued behind one "
        "long transaction, it makes every later query on that table wait too"
    )
    assert finding.hint.startswith("op.execute(\"SET lock_timeout = '5s'\") as the first line of upgrade()")


def test_mc317_a_drop_index_without_a_table_names_the_index() -> None:
    [finding] = run("MC317", lint(op(DROP_INDEX, name="ix_old", sql="DROP INDEX ix_old")))

    assert "`DROP INDEX ix_old` locks the table of index 'ix_old' with no lock_timeout set" in finding.message


def test_mc317_a_lock_timeout_set_first_passes() -> None:
    assert run("MC317", lint(LOCK_TIMEOUT, op(DROP_COLUMN, 23, table="orders", column="a"))) == []


def test_mc317_a_lock_timeout_set_after_the_first_lock_is_too_late() -> None:
    late = op(SET_LOCK_TIMEOUT, 23, sql="SET lock_timeout = '5s'", options={"value": "5s"})

    assert len(run("MC317", lint(op(DROP_COLUMN, 22, table="orders", column="a"), late))) == 1


def test_mc317_a_lock_timeout_of_zero_disables_it() -> None:
    zero = op(SET_LOCK_TIMEOUT, 22, sql="SET lock_timeout = 0", options={"value": "0"})

    assert len(run("MC317", lint(zero, op(DROP_COLUMN, 23, table="orders", column="a")))) == 1


def test_mc317_env_py_setting_the_timeout_is_enough() -> None:
    assert run("MC317", lint(op(DROP_COLUMN, table="orders", column="a"), env_lock_timeout=True)) == []


def test_mc317_set_local_ends_when_an_autocommit_block_commits() -> None:
    local = op(SET_LOCK_TIMEOUT, 22, sql="SET LOCAL lock_timeout = '5s'", options={"value": "5s"})
    index = op(
        CREATE_INDEX,
        24,
        name="ix",
        table="orders",
        autocommit=True,
        options={"postgresql_concurrently": True},
    )
    after = alter(line=25, nullable=True)

    [finding] = run("MC317", lint(local, index, after))

    assert finding.location.line == 25


def test_mc317_a_concurrent_index_or_a_new_table_takes_no_strong_lock() -> None:
    index = op(
        CREATE_INDEX,
        22,
        name="ix",
        table="orders",
        autocommit=True,
        options={"postgresql_concurrently": True},
    )
    column = op(ADD_COLUMN, 23, table="events", column="at", new_table=True)

    assert run("MC317", lint(index, column)) == []


# --- MC318 mysql-table-copy -----------------------------------------------------------------------------------


def sql_op(kind: str, sql: str, line: int = 22, table: str = "orders", **fields: Any) -> Operation:
    return op(kind, line, table=table, sql=sql, **fields)


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        (
            sql_op(
                ADD_COLUMN, "ALTER TABLE orders ADD COLUMN total INT AS (price * qty) STORED", column="total"
            ),
            "adding a STORED generated column needs ALGORITHM=COPY",
        ),
        (
            op(
                ADD_COLUMN,
                table="orders",
                column="total",
                options={"computed": Code("sa.Computed('a', persisted=True)")},
            ),
            "adding a STORED generated column",
        ),
        (
            sql_op(DROP_CONSTRAINT, "ALTER TABLE orders DROP PRIMARY KEY"),
            "dropping a primary key without adding",
        ),
        (
            op(DROP_CONSTRAINT, name="orders_pkey", table="orders", options={"type_": "primary"}),
            "dropping a primary key",
        ),
        (
            sql_op(OTHER_SQL, "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4"),
            "CONVERT TO CHARACTER SET",
        ),
        (
            alter(column="id", autoincrement=True, existing_type=t("sa.Integer()")),
            "to or from AUTO_INCREMENT",
        ),
        (fk(), "adding a foreign key with foreign_key_checks on needs ALGORITHM=COPY"),
        (
            op(CREATE_CHECK_CONSTRAINT, name="ck", table="orders"),
            "adding a CHECK constraint needs ALGORITHM=COPY",
        ),
    ],
)
def test_mc318_changes_mysql_can_only_do_by_copying_the_table(operation: Operation, words: str) -> None:
    [finding] = run("MC318", lint(operation, dialect="mysql"))

    assert words in finding.message
    assert finding.message.endswith("blocking writes to 'orders' for the whole copy")


def test_mc318_a_virtual_column_and_a_primary_key_swapped_in_one_alter_are_not_copies() -> None:
    virtual = sql_op(ADD_COLUMN, "ALTER TABLE orders ADD COLUMN t INT AS (a + 1) VIRTUAL", column="t")
    swap = "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, region)"
    ops = (
        virtual,
        sql_op(DROP_CONSTRAINT, swap, 23),
        sql_op(CREATE_PRIMARY_KEY, swap, 23, columns=("id", "region")),
    )

    assert run("MC318", lint(*ops, dialect="mysql")) == []


def test_mc318_a_foreign_key_after_turning_foreign_key_checks_off_is_in_place() -> None:
    off = sql_op(OTHER_SQL, "SET foreign_key_checks = 0", table=None)  # type: ignore[arg-type]

    assert run("MC318", lint(off, fk(23), dialect="mysql")) == []


def test_mc318_leaves_type_changes_to_mc310_and_named_algorithms_to_mc319() -> None:
    change = alter(type_=t("sa.BigInteger()"), existing_type=t("sa.Integer()"))
    copy = sql_op(OTHER_SQL, "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4, ALGORITHM=COPY", 23)
    copy = Operation(OTHER_SQL, 23, table="orders", sql=copy.sql, options={"mysql_algorithm": "COPY"})

    assert run("MC318", lint(change, copy, dialect="mysql")) == []


def test_mc318_a_new_table_is_never_copied_for_anyone() -> None:
    assert run("MC318", lint(fk(table="invoices"), dialect="mysql", created=("invoices",))) == []


# --- MC319 mysql-blocking-algorithm ---------------------------------------------------------------------------


def test_mc319_algorithm_copy_is_one_finding_per_statement() -> None:
    sql = "ALTER TABLE orders ADD COLUMN a INT, ADD COLUMN b INT, ALGORITHM=COPY"
    ops = [
        Operation(ADD_COLUMN, 22, table="orders", column=c, sql=sql, options={"mysql_algorithm": "COPY"})
        for c in "ab"
    ]

    [finding] = run("MC319", lint(*ops, dialect="mysql"))

    assert "asks for ALGORITHM=COPY: it blocks writes to 'orders' for the whole operation" in finding.message
    assert finding.hint.startswith("ask for ALGORITHM=INPLACE, LOCK=NONE (or ALGORITHM=INSTANT) instead")


def test_mc319_lock_exclusive_blocks_reads_too() -> None:
    sql = "ALTER TABLE orders ADD INDEX ix (a), LOCK=EXCLUSIVE"
    index = Operation(
        CREATE_INDEX, 22, table="orders", name="ix", sql=sql, options={"mysql_lock": "EXCLUSIVE"}
    )

    [finding] = run("MC319", lint(index, dialect="mysql"))

    assert "asks for LOCK=EXCLUSIVE: it blocks reads and writes to 'orders'" in finding.message


def test_mc319_inplace_with_lock_none_passes() -> None:
    sql = "ALTER TABLE orders ADD COLUMN a INT, ALGORITHM=INPLACE, LOCK=NONE"
    options = {"mysql_algorithm": "INPLACE", "mysql_lock": "NONE"}
    column = Operation(ADD_COLUMN, 22, table="orders", column="a", sql=sql, options=options)

    assert run("MC319", lint(column, dialect="mysql")) == []

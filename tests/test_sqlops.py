"""`migcheck.sqlops.statements`: a raw SQL string becomes the Operations the MC3xx rules read.

Table-driven: each statement form, on each dialect where sqlglot reads it differently (some only as an opaque
Command, which the fallback must still read), with the Operation fields it must give."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migcheck.operations import (
    ADD_COLUMN,
    ALTER_COLUMN,
    CREATE_CHECK_CONSTRAINT,
    CREATE_FOREIGN_KEY,
    CREATE_INDEX,
    CREATE_PRIMARY_KEY,
    CREATE_TABLE,
    CREATE_UNIQUE_CONSTRAINT,
    DELETE,
    DROP_COLUMN,
    DROP_CONSTRAINT,
    DROP_INDEX,
    DROP_TABLE,
    OTHER_SQL,
    RENAME_TABLE,
    SET_LOCK_TIMEOUT,
    UNANALYSED_SQL,
    UPDATE,
    VALIDATE_CONSTRAINT,
    Default,
    Operation,
    SqlType,
)
from migcheck.sqlops import statements

ALL = ("postgresql", "mysql", "sqlite", None)
PG = ("postgresql", None)
MY = ("mysql", None)


def one(sql: str, dialect: str | None) -> Operation:
    ops = statements(sql, dialect, 1)
    assert len(ops) == 1, ops
    return ops[0]


def fields(op: Operation) -> dict[str, Any]:
    """The fields a case names, without the ones every case shares (line, sql)."""
    found: dict[str, Any] = {"kind": op.kind}
    for name in ("table", "column", "name", "columns", "schema"):
        value = getattr(op, name)
        if value not in (None, ()):
            found[name] = value
    if op.options:
        found["options"] = dict(op.options)
    return found


# (sql, dialects, expected fields of the one Operation)
CASES: list[tuple[str, tuple[str | None, ...], dict[str, Any]]] = [
    ("ALTER TABLE orders DROP COLUMN note", ALL, {"kind": DROP_COLUMN, "table": "orders", "column": "note"}),
    (
        "ALTER TABLE orders DROP COLUMN IF EXISTS note CASCADE",
        ALL,
        {"kind": DROP_COLUMN, "table": "orders", "column": "note"},
    ),
    # without COLUMN: sqlglot's generic and SQLite dialects read the action only as a Command
    ("ALTER TABLE orders DROP note", ALL, {"kind": DROP_COLUMN, "table": "orders", "column": "note"}),
    (
        "ALTER TABLE s.orders DROP COLUMN note",
        ALL,
        {"kind": DROP_COLUMN, "table": "orders", "schema": "s", "column": "note"},
    ),
    (
        "ALTER TABLE orders ADD COLUMN note varchar(20) NOT NULL DEFAULT 'x'",
        ALL,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "note",
            "options": {
                "type_": SqlType("varchar", (20,), False, "varchar(20)"),
                "nullable": False,
                "server_default": Default("'x'", True),
            },
        },
    ),
    (
        "ALTER TABLE orders ADD note int",
        ALL,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "note",
            "options": {"type_": SqlType("integer", (), False, "int")},
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN id uuid DEFAULT gen_random_uuid() NOT NULL",
        PG,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "id",
            "options": {
                "type_": SqlType("uuid", (), False, "uuid"),
                "server_default": Default("gen_random_uuid()", False),
                "nullable": False,
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN at timestamp(6) with time zone DEFAULT clock_timestamp()",
        ("postgresql",),
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "at",
            "options": {
                "type_": SqlType("timestamp", (6,), True, "timestamp(6) with time zone"),
                "server_default": Default("clock_timestamp()", False),
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN at timestamp DEFAULT CURRENT_TIMESTAMP",
        ALL,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "at",
            "options": {
                "type_": SqlType("timestamp", (), False, "timestamp"),
                "server_default": Default("CURRENT_TIMESTAMP", False),
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN amount numeric(10, 2) DEFAULT -1.5",
        ALL,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "amount",
            "options": {
                "type_": SqlType("numeric", (10, 2), False, "numeric(10, 2)"),
                "server_default": Default("-1.5", True),
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN kind text DEFAULT 'a'::character varying NOT NULL",
        ("postgresql",),
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "kind",
            "options": {
                "type_": SqlType("text", (), False, "text"),
                "server_default": Default("'a'::character varying", True),
                "nullable": False,
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN paid boolean DEFAULT false",
        ALL,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "paid",
            "options": {
                "type_": SqlType("boolean", (), False, "boolean"),
                "server_default": Default("false", True),
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN id int PRIMARY KEY",
        ALL,
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "id",
            "options": {
                "type_": SqlType("integer", (), False, "int"),
                "primary_key": True,
                "nullable": False,
            },
        },
    ),
    (
        "ALTER TABLE orders ADD COLUMN n int NOT NULL AUTO_INCREMENT",
        ("mysql",),
        {
            "kind": ADD_COLUMN,
            "table": "orders",
            "column": "n",
            "options": {
                "type_": SqlType("integer", (), False, "int"),
                "nullable": False,
                "autoincrement": True,
            },
        },
    ),
    (
        "ALTER TABLE orders ALTER COLUMN n TYPE bigint USING n::bigint",
        ("postgresql",),
        {
            "kind": ALTER_COLUMN,
            "table": "orders",
            "column": "n",
            "options": {
                "type_": SqlType("bigint", (), False, "bigint"),
                "postgresql_using": "CAST(n AS BIGINT)",
            },
        },
    ),
    (
        "ALTER TABLE orders ALTER COLUMN note SET DATA TYPE varchar(10)",
        PG,
        {
            "kind": ALTER_COLUMN,
            "table": "orders",
            "column": "note",
            "options": {"type_": SqlType("varchar", (10,), False, "varchar(10)")},
        },
    ),
    (
        "ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
        PG,
        {"kind": ALTER_COLUMN, "table": "orders", "column": "note", "options": {"nullable": False}},
    ),
    (
        "ALTER TABLE orders ALTER COLUMN note DROP NOT NULL",
        PG,
        {"kind": ALTER_COLUMN, "table": "orders", "column": "note", "options": {"nullable": True}},
    ),
    (
        "ALTER TABLE orders ALTER COLUMN at SET DEFAULT now()",
        PG,
        {
            "kind": ALTER_COLUMN,
            "table": "orders",
            "column": "at",
            "options": {"server_default": Default("now()", False)},
        },
    ),
    (
        "ALTER TABLE orders ALTER COLUMN at DROP DEFAULT",
        PG,
        {"kind": ALTER_COLUMN, "table": "orders", "column": "at", "options": {"server_default": None}},
    ),
    # MODIFY / CHANGE: only sqlglot's MySQL dialect reads them; elsewhere the fallback does
    (
        "ALTER TABLE orders MODIFY COLUMN note varchar(50) NOT NULL",
        ALL,
        {
            "kind": ALTER_COLUMN,
            "table": "orders",
            "column": "note",
            "options": {"type_": SqlType("varchar", (50,), False, "varchar(50)"), "nullable": False},
        },
    ),
    (
        "ALTER TABLE orders MODIFY note varchar(50)",
        ALL,
        {
            "kind": ALTER_COLUMN,
            "table": "orders",
            "column": "note",
            "options": {"type_": SqlType("varchar", (50,), False, "varchar(50)"), "nullable": True},
        },
    ),
    (
        "ALTER TABLE orders CHANGE COLUMN note memo int NOT NULL DEFAULT 0",
        ALL,
        {
            "kind": ALTER_COLUMN,
            "table": "orders",
            "column": "note",
            "options": {
                "type_": SqlType("integer", (), False, "int"),
                "nullable": False,
                "server_default": Default("0", True),
                "new_column_name": "memo",
            },
        },
    ),
    (
        "ALTER TABLE orders RENAME COLUMN note TO memo",
        ALL,
        {"kind": ALTER_COLUMN, "table": "orders", "column": "note", "options": {"new_column_name": "memo"}},
    ),
    # PostgreSQL's RENAME without COLUMN: sqlglot reads a table rename with a stray option
    (
        "ALTER TABLE orders RENAME note TO memo",
        ALL,
        {"kind": ALTER_COLUMN, "table": "orders", "column": "note", "options": {"new_column_name": "memo"}},
    ),
    (
        "ALTER TABLE orders RENAME TO purchases",
        ALL,
        {"kind": RENAME_TABLE, "table": "orders", "name": "purchases"},
    ),
    ("RENAME TABLE orders TO purchases", ALL, {"kind": RENAME_TABLE, "table": "orders", "name": "purchases"}),
    (
        "ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        PG,
        {
            "kind": CREATE_FOREIGN_KEY,
            "table": "orders",
            "name": "fk_user",
            "columns": ("user_id",),
            "options": {"postgresql_not_valid": True, "referent_table": "users"},
        },
    ),
    (
        "ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id)",
        ALL,
        {
            "kind": CREATE_FOREIGN_KEY,
            "table": "orders",
            "name": "fk_user",
            "columns": ("user_id",),
            "options": {"referent_table": "users"},
        },
    ),
    (
        "ALTER TABLE orders ADD CONSTRAINT ck_note CHECK (note IS NOT NULL) NOT VALID",
        PG,
        {
            "kind": CREATE_CHECK_CONSTRAINT,
            "table": "orders",
            "name": "ck_note",
            "options": {"condition": "note IS NOT NULL", "postgresql_not_valid": True},
        },
    ),
    (
        "ALTER TABLE orders ADD CONSTRAINT uq_note UNIQUE (note, at)",
        ALL,
        {"kind": CREATE_UNIQUE_CONSTRAINT, "table": "orders", "name": "uq_note", "columns": ("note", "at")},
    ),
    (
        "ALTER TABLE orders ADD CONSTRAINT uq_note UNIQUE USING INDEX ix_note",
        ALL,
        {
            "kind": CREATE_UNIQUE_CONSTRAINT,
            "table": "orders",
            "name": "uq_note",
            "options": {"using_index": "ix_note"},
        },
    ),
    (
        "ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY (id)",
        ALL,
        {"kind": CREATE_PRIMARY_KEY, "table": "orders", "name": "pk_orders", "columns": ("id",)},
    ),
    (
        "ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY USING INDEX ix_id",
        ALL,
        {
            "kind": CREATE_PRIMARY_KEY,
            "table": "orders",
            "name": "pk_orders",
            "options": {"using_index": "ix_id"},
        },
    ),
    (
        "ALTER TABLE orders VALIDATE CONSTRAINT fk_user",
        ALL,
        {"kind": VALIDATE_CONSTRAINT, "table": "orders", "name": "fk_user"},
    ),
    (
        "ALTER TABLE orders DROP CONSTRAINT fk_user",
        ALL,
        {"kind": DROP_CONSTRAINT, "table": "orders", "name": "fk_user"},
    ),
    (
        "ALTER TABLE orders DROP FOREIGN KEY fk_user",
        ("mysql",),
        {"kind": DROP_CONSTRAINT, "table": "orders", "name": "fk_user", "options": {"type_": "foreignkey"}},
    ),
    (
        "ALTER TABLE orders DROP INDEX ix_note",
        ("mysql",),
        {"kind": DROP_INDEX, "table": "orders", "name": "ix_note"},
    ),
    (
        "ALTER TABLE orders DROP PRIMARY KEY",
        ALL,
        {"kind": DROP_CONSTRAINT, "table": "orders", "options": {"type_": "primary"}},
    ),
    (
        "ALTER TABLE orders ADD INDEX ix_note (note)",
        MY,
        {"kind": CREATE_INDEX, "table": "orders", "name": "ix_note", "columns": ("note",)},
    ),
    (
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_note ON orders (note, at)",
        PG,
        {
            "kind": CREATE_INDEX,
            "table": "orders",
            "name": "ix_note",
            "columns": ("note", "at"),
            "options": {"unique": True, "postgresql_concurrently": True},
        },
    ),
    (
        "CREATE INDEX ix_note ON orders (note)",
        ALL,
        {"kind": CREATE_INDEX, "table": "orders", "name": "ix_note", "columns": ("note",)},
    ),
    (
        "CREATE INDEX ix_note ON s.orders USING gin (lower(note), at DESC) WHERE at IS NULL",
        ("postgresql",),
        {
            "kind": CREATE_INDEX,
            "table": "orders",
            "schema": "s",
            "name": "ix_note",
            "columns": ("lower(note)", "at"),
        },
    ),
    (
        "DROP INDEX CONCURRENTLY IF EXISTS ix_note",
        PG,
        {"kind": DROP_INDEX, "name": "ix_note", "options": {"postgresql_concurrently": True}},
    ),
    ("DROP INDEX ix_note ON orders", ("mysql",), {"kind": DROP_INDEX, "table": "orders", "name": "ix_note"}),
    ("DROP INDEX ix_note", ALL, {"kind": DROP_INDEX, "name": "ix_note"}),
    (
        "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, note text)",
        ALL,
        {"kind": CREATE_TABLE, "table": "orders", "columns": ("id", "note")},
    ),
    (
        "CREATE TABLE orders_backup AS SELECT * FROM orders",
        ALL,
        {"kind": CREATE_TABLE, "table": "orders_backup"},
    ),
    ("DROP TABLE IF EXISTS orders", ALL, {"kind": DROP_TABLE, "table": "orders"}),
    ("TRUNCATE orders", ALL, {"kind": DELETE, "table": "orders", "options": {"where": False}}),
    ("TRUNCATE TABLE orders", ALL, {"kind": DELETE, "table": "orders", "options": {"where": False}}),
    ("UPDATE orders SET note = 'x'", ALL, {"kind": UPDATE, "table": "orders", "options": {"where": False}}),
    (
        "UPDATE orders SET note = 'x' WHERE id BETWEEN 1 AND 1000",
        ALL,
        {"kind": UPDATE, "table": "orders", "options": {"where": True}},
    ),
    ("DELETE FROM orders", ALL, {"kind": DELETE, "table": "orders", "options": {"where": False}}),
    (
        "DELETE FROM orders WHERE note IS NULL",
        ALL,
        {"kind": DELETE, "table": "orders", "options": {"where": True}},
    ),
    ("SET lock_timeout = '5s'", ALL, {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5s"}}),
    ("SET LOCAL lock_timeout = '5s'", PG, {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5s"}}),
    ("SET lock_timeout TO '5s'", PG, {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5s"}}),
    ("SET SESSION lock_timeout = 5000", PG, {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5000"}}),
    (
        "SELECT set_config('lock_timeout', '5s', false)",
        PG,
        {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5s"}},
    ),
    ("SET SESSION lock_wait_timeout = 5", ALL, {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5"}}),
    ("SET @@session.lock_wait_timeout = 5", ALL, {"kind": SET_LOCK_TIMEOUT, "options": {"value": "5"}}),
    # a GLOBAL setting is for the sessions to come, not the migration's
    ("SET GLOBAL lock_wait_timeout = 5", ("mysql",), {"kind": OTHER_SQL}),
    ("SET statement_timeout = 0", ALL, {"kind": OTHER_SQL}),
    ("GRANT SELECT ON orders TO reader", ALL, {"kind": OTHER_SQL}),
    ("COMMENT ON TABLE orders IS 'what was bought'", PG, {"kind": OTHER_SQL, "table": "orders"}),
    ("INSERT INTO orders (note) VALUES ('x')", ALL, {"kind": OTHER_SQL, "table": "orders"}),
    ("CREATE EXTENSION IF NOT EXISTS pgcrypto", PG, {"kind": OTHER_SQL}),
    ("CREATE TYPE mood AS ENUM ('ok', 'sad')", PG, {"kind": OTHER_SQL}),
    ("ALTER TYPE mood ADD VALUE 'happy'", PG, {"kind": OTHER_SQL}),
    ("CREATE VIEW v AS SELECT 1", ALL, {"kind": OTHER_SQL}),
    ("ALTER TABLE orders SET (fillfactor = 70)", PG, {"kind": OTHER_SQL, "table": "orders"}),
    (
        "DO $$ BEGIN UPDATE orders SET note = 'x'; END $$",
        PG,
        {"kind": UNANALYSED_SQL, "options": {"reason": "it runs procedural code migcheck does not read"}},
    ),
]


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        pytest.param(sql, d, expected, id=f"{d}: {sql[:60]}")
        for sql, dialects, expected in CASES
        for d in dialects
    ],
)
def test_a_statement_becomes_its_operation(sql: str, dialect: str | None, expected: dict[str, Any]) -> None:
    op = one(sql, dialect)

    assert fields(op) == expected
    assert op.line == 1
    assert op.sql == sql


@pytest.mark.parametrize("dialect", ["mysql", None, "postgresql"])
def test_mysql_algorithm_and_lock_go_on_every_operation_of_their_alter(dialect: str | None) -> None:
    ops = statements(
        "ALTER TABLE orders ADD COLUMN note text, DROP COLUMN memo, ALGORITHM=INPLACE, LOCK=NONE", dialect, 3
    )

    assert [(op.kind, op.column) for op in ops] == [(ADD_COLUMN, "note"), (DROP_COLUMN, "memo")]
    assert all(
        op.options["mysql_algorithm"] == "INPLACE" and op.options["mysql_lock"] == "NONE" for op in ops
    )


def test_algorithm_first_applies_too() -> None:
    op = one("ALTER TABLE orders ALGORITHM=COPY, ADD COLUMN note int", "mysql")

    assert (op.kind, op.options["mysql_algorithm"]) == (ADD_COLUMN, "COPY")


@pytest.mark.parametrize("dialect", ALL)
def test_an_alter_with_several_actions_gives_one_operation_each(dialect: str | None) -> None:
    ops = statements(
        "ALTER TABLE orders ADD COLUMN a int, DROP COLUMN b, ALTER COLUMN c SET NOT NULL", dialect, 1
    )

    assert [(op.kind, op.table, op.column) for op in ops] == [
        (ADD_COLUMN, "orders", "a"),
        (DROP_COLUMN, "orders", "b"),
        (ALTER_COLUMN, "orders", "c"),
    ]
    assert ops[2].options == {"nullable": False}


def test_inline_references_and_unique_of_an_added_column_are_constraints_of_their_own() -> None:
    ops = statements(
        "ALTER TABLE orders ADD COLUMN user_id int CONSTRAINT fk_user REFERENCES users (id) UNIQUE",
        "postgresql",
        1,
    )

    assert [(op.kind, op.table, op.name, op.columns, dict(op.options)) for op in ops[1:]] == [
        (CREATE_FOREIGN_KEY, "orders", "fk_user", ("user_id",), {"referent_table": "users"}),
        (CREATE_UNIQUE_CONSTRAINT, "orders", None, ("user_id",), {}),
    ]
    assert (ops[0].kind, ops[0].column) == (ADD_COLUMN, "user_id")


def test_modify_keeps_auto_increment() -> None:
    op = one("ALTER TABLE orders MODIFY COLUMN n int NOT NULL AUTO_INCREMENT, LOCK=SHARED", "mysql")

    assert op.options == {
        "type_": SqlType("integer", (), False, "int"),
        "nullable": False,
        "autoincrement": True,
        "mysql_lock": "SHARED",
    }


def test_bind_parameters_of_sa_text_parse() -> None:
    op = one("UPDATE orders SET note = :note WHERE id = :id", None)

    assert (op.kind, op.table, op.options) == (UPDATE, "orders", {"where": True})


def test_rename_table_with_several_pairs() -> None:
    ops = statements("RENAME TABLE orders TO purchases, users TO people", "mysql", 1)

    assert [(op.kind, op.table, op.name) for op in ops] == [
        (RENAME_TABLE, "orders", "purchases"),
        (RENAME_TABLE, "users", "people"),
    ]


def test_drop_table_and_truncate_of_several_tables() -> None:
    assert [(o.kind, o.table) for o in statements("DROP TABLE a, b", "postgresql", 1)] == [
        (DROP_TABLE, "a"),
        (DROP_TABLE, "b"),
    ]
    assert [(o.kind, o.table) for o in statements("TRUNCATE a, b RESTART IDENTITY", "postgresql", 1)] == [
        (DELETE, "a"),
        (DELETE, "b"),
    ]


def test_quoted_names_are_unquoted() -> None:
    op = one('ALTER TABLE "Orders" VALIDATE CONSTRAINT "FK ""user"""', "postgresql")
    assert (op.kind, op.table, op.name) == (VALIDATE_CONSTRAINT, "Orders", 'FK "user"')

    op = one("ALTER TABLE `shop`.`orders` MODIFY `note` varchar(50) NOT NULL", "mysql")
    assert (op.kind, op.schema, op.table, op.column) == (ALTER_COLUMN, "shop", "orders", "note")


def test_several_statements_each_on_its_own_line() -> None:
    sql = """
        SET lock_timeout = '5s';
        ALTER TABLE orders
            ADD COLUMN note text;  -- the note; a comment with a ;
        /* a block; comment */ UPDATE orders SET note = 'a;b' WHERE id = 1;
    """
    ops = statements(sql, "postgresql", 40, 45)

    assert [(op.kind, op.line, op.end_line) for op in ops] == [
        (SET_LOCK_TIMEOUT, 41, None),
        (ADD_COLUMN, 42, 43),
        (UPDATE, 44, None),
    ]
    assert [op.sql for op in ops] == [
        "SET lock_timeout = '5s'",
        "ALTER TABLE orders ADD COLUMN note text",
        "UPDATE orders SET note = 'a;b' WHERE id = 1",
    ]


def test_a_line_offset_stays_inside_the_literal() -> None:
    # a one-line literal holding "\n": the statements are on the literal's line
    ops = statements("SET lock_timeout = '5s';\nDROP TABLE orders", "postgresql", 7, 7)

    assert [(op.line, op.end_line) for op in ops] == [(7, None), (7, None)]


def test_a_dollar_quoted_function_body_is_one_statement() -> None:
    sql = """
    CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $body$
    BEGIN
        UPDATE orders SET note = NULL;  -- inside the body: not a migration's UPDATE
        RETURN NEW;
    END;
    $body$ LANGUAGE plpgsql;
    CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
    """
    ops = statements(sql, "postgresql", 1)

    assert [op.kind for op in ops] == [OTHER_SQL, OTHER_SQL]
    assert ops[0].line == 2 and ops[1].line == 8


def test_a_trigger_body_with_begin_end_is_one_statement() -> None:
    sql = "CREATE TRIGGER tr AFTER INSERT ON orders BEGIN UPDATE users SET n = n + 1; DELETE FROM log; END; DELETE FROM x"
    ops = statements(sql, "sqlite", 1)

    assert [(op.kind, op.table) for op in ops] == [(OTHER_SQL, "orders"), (DELETE, "x")]


def test_mysql_hash_comments_and_backslash_escapes() -> None:
    sql = "# setup\nUPDATE orders SET note = 'it\\'s; fine';\nDELETE FROM orders # all of them"
    ops = statements(sql, "mysql", 10)

    assert [(op.kind, op.line, op.options["where"]) for op in ops] == [
        (UPDATE, 11, False),
        (DELETE, 12, False),
    ]


def test_only_comments_and_semicolons_give_nothing() -> None:
    assert statements("-- nothing\n;; /* at all */ ;", "postgresql", 1) == []
    assert statements("", None, 1) == []


@pytest.mark.parametrize(
    ("sql", "dialect", "reason"),
    [
        ("ALTER TABLE orders OWNER TO someone", "postgresql", "an ALTER TABLE action migcheck cannot read"),
        ("FROBNICATE the database", "postgresql", "sqlglot"),
        ("UPDATE orders SET note =", "postgresql", "sqlglot cannot parse it"),
        ("VACUUM FULL orders", "postgresql", "opaque command"),
        ("CALL backfill_orders()", "mysql", "procedural code"),
    ],
)
def test_what_cannot_be_read_is_unanalysed_with_a_reason(sql: str, dialect: str, reason: str) -> None:
    op = one(sql, dialect)

    assert op.kind == UNANALYSED_SQL
    assert reason in str(op.options["reason"])
    assert op.sql == sql


def test_an_unreadable_alter_action_keeps_its_table_and_the_others() -> None:
    ops = statements("ALTER TABLE orders DROP COLUMN a, OWNER TO someone", "postgresql", 1)

    assert [(op.kind, op.table) for op in ops] == [(DROP_COLUMN, "orders"), (UNANALYSED_SQL, "orders")]


def test_the_sql_of_a_long_statement_is_cut() -> None:
    sql = "UPDATE orders SET note = '" + "x" * 500 + "'"

    op = one(sql, "postgresql")

    assert len(op.sql or "") == 200 and (op.sql or "").endswith("…")


def test_importing_the_module_does_not_import_sqlglot() -> None:
    code = "import sys, migcheck.sqlops; print('sqlglot' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert run.stdout.strip() == "False"


def test_sqlglot_warnings_are_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    statements("ALTER TABLE orders VALIDATE CONSTRAINT fk", "postgresql", 1)

    assert capsys.readouterr().err == ""


SQL_WORDS = st.sampled_from(
    "ALTER TABLE ADD DROP COLUMN CONSTRAINT INDEX CREATE UNIQUE CONCURRENTLY ON ( ) , ; ' \" ` $$ $a$ -- /* */ "
    "NOT NULL DEFAULT SET TO RENAME MODIFY CHANGE USING VALIDATE FOREIGN KEY REFERENCES CHECK PRIMARY BEGIN END "
    "TRIGGER FUNCTION UPDATE DELETE FROM WHERE TRUNCATE ALGORITHM= LOCK= lock_timeout @@session. = t c 1 now() "
    "\n # [ ] :: \\".split(" ")
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=200), dialect=st.sampled_from(ALL))
def test_any_text_gives_a_list_never_an_error(text: str, dialect: str | None) -> None:
    ops = statements(text, dialect, 5)

    assert isinstance(ops, list)
    assert all(isinstance(op, Operation) and op.line >= 5 for op in ops)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(SQL_WORDS, max_size=30), dialect=st.sampled_from(ALL))
def test_sql_like_text_gives_a_list_never_an_error(parts: list[str], dialect: str | None) -> None:
    ops = statements(" ".join(parts), dialect, 1, 1)

    assert all(isinstance(op, Operation) and op.line == 1 for op in ops)


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SET CHARACTER", None),  # sqlglot 30.31: IndexError inside its parser
        ("ALTER TABLE t DEFAULT GLOBAL TYPE TRIGGER USING NOT (", "mysql"),  # TypeError inside its parser
    ],
)
def test_sqlglot_internal_errors_are_not_a_crash(sql: str, dialect: str | None) -> None:
    assert [op.kind for op in statements(sql, dialect, 1)] in ([OTHER_SQL], [UNANALYSED_SQL])


def test_deep_nesting_is_unanalysed_not_a_crash() -> None:
    sql = "UPDATE t SET a = " + "(" * 3000 + "1" + ")" * 3000

    ops = statements(sql, "postgresql", 1)

    assert [op.kind for op in ops] in ([UPDATE], [UNANALYSED_SQL])

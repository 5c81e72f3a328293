"""The database facts MC310-MC319 rest on, measured on the real servers (not mocks).

PostgreSQL: the lock modes a statement takes are read from `pg_locks` inside its transaction, and a rewrite
is a new `relfilenode` for the table. MySQL/MariaDB: a change is "in place" when the server accepts it with
`ALGORITHM=INPLACE, LOCK=NONE` (INSTANT is a subset), a copy when it refuses. The rules' own predicates
(`pg_binary_coercible`, `mysql_inplace_varchar`, the volatile-function lists) are checked against the server,
so a rule and the fact it states cannot drift apart. Every table is made under a fresh name and dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from migcheck.checks.locking import PG_VOLATILE, _calls
from migcheck.checks.mysqlddl import _copy_reason
from migcheck.checks.typechange import mysql_inplace_varchar, pg_binary_coercible
from migcheck.operations import ADD_COLUMN, DROP_CONSTRAINT, OTHER_SQL, Operation, normalize_type

sa = pytest.importorskip("sqlalchemy")


@pytest.fixture
def pg(pg_url: str) -> Iterator[Any]:
    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


@pytest.fixture
def my(mysql_url: str) -> Iterator[Any]:
    engine = sa.create_engine(mysql_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def name() -> str:
    return f"lkf_{uuid.uuid4().hex[:10]}"


def filenode(conn: Any, table: str) -> int:
    return int(
        conn.execute(sa.text("SELECT relfilenode FROM pg_class WHERE relname = :t"), {"t": table}).scalar()
    )


def pg_locks_of(conn: Any, statement: str, *tables: str) -> set[tuple[str, str]]:
    """The (table, lock mode) pairs `statement` holds on `tables` before its transaction ends (rolled back)."""
    conn.execute(sa.text("BEGIN"))
    try:
        conn.execute(sa.text(statement))
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = pg_backend_pid() AND c.relname = ANY(:t)"
            ),
            {"t": list(tables)},
        ).all()
    finally:
        conn.execute(sa.text("ROLLBACK"))
    return {(r[0], r[1]) for r in rows}


# --- PostgreSQL ------------------------------------------------------------------------------------------------

PG_PAIRS = [
    ("varchar(100)", "varchar(200)"),
    ("varchar(100)", "varchar"),
    ("varchar(100)", "text"),
    ("text", "varchar"),
    ("numeric(10,2)", "numeric(12,2)"),
    ("numeric(10,2)", "numeric"),
    ("cidr", "inet"),
    ("varchar(100)", "varchar(100)"),
    ("varchar(100)", "varchar(50)"),
    ("text", "varchar(10)"),
    ("varchar", "varchar(10)"),
    ("numeric(10,2)", "numeric(12,3)"),
    ("numeric", "numeric(10,2)"),
    ("integer", "bigint"),
    ("timestamp", "timestamptz"),
]


@pytest.mark.parametrize(("old", "new"), PG_PAIRS)
def test_postgresql_rewrites_the_table_exactly_when_mc310_says_so(pg: Any, old: str, new: str) -> None:
    table = name()
    pg.execute(sa.text(f"CREATE TABLE {table} (id int PRIMARY KEY, c {old})"))
    try:
        pg.execute(sa.text(f"CREATE INDEX ix_{table} ON {table} (c)"))
        pg.execute(sa.text(f"INSERT INTO {table} (id) SELECT g FROM generate_series(1, 50) g"))
        before = filenode(pg, table)
        # a UTC session would spare timestamp -> timestamptz its rewrite (PostgreSQL 12+); deploys rarely run in it
        pg.execute(sa.text("SET TimeZone = 'Europe/Paris'"))
        pg.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN c TYPE {new}"))

        rewritten = filenode(pg, table) != before
    finally:
        pg.execute(sa.text(f"DROP TABLE {table}"))

    assert rewritten is not pg_binary_coercible(normalize_type(old), normalize_type(new))


def test_postgresql_lock_modes_named_by_mc311_to_mc315(pg: Any) -> None:
    users, orders = name(), name()
    pg.execute(sa.text(f"CREATE TABLE {users} (id int PRIMARY KEY, email text)"))
    pg.execute(sa.text(f"CREATE TABLE {orders} (id int PRIMARY KEY, user_id int, note text)"))
    try:
        pg.execute(sa.text(f"CREATE INDEX ix_{orders} ON {orders} (note)"))
        pg.execute(
            sa.text(f"ALTER TABLE {orders} ADD CONSTRAINT ck_{orders} CHECK (note IS NOT NULL) NOT VALID")
        )
        fk = f"ALTER TABLE {orders} ADD CONSTRAINT fk_{orders} FOREIGN KEY (user_id) REFERENCES {users} (id)"
        locks = {
            "create index": pg_locks_of(pg, f"CREATE INDEX ix2_{orders} ON {orders} (user_id)", orders),
            "drop index": pg_locks_of(pg, f"DROP INDEX ix_{orders}", orders),
            "foreign key": pg_locks_of(pg, fk, orders, users),
            "check": pg_locks_of(pg, f"ALTER TABLE {orders} ADD CONSTRAINT c2 CHECK (id > 0)", orders),
            "validate": pg_locks_of(pg, f"ALTER TABLE {orders} VALIDATE CONSTRAINT ck_{orders}", orders),
            "unique": pg_locks_of(pg, f"ALTER TABLE {users} ADD CONSTRAINT uq_{users} UNIQUE (email)", users),
            "set not null": pg_locks_of(pg, f"ALTER TABLE {orders} ALTER COLUMN note SET NOT NULL", orders),
        }
    finally:
        pg.execute(sa.text(f"DROP TABLE {orders}, {users}"))

    modes = {what: {mode for _, mode in held} for what, held in locks.items()}
    assert "ShareLock" in modes["create index"] and "AccessExclusiveLock" not in modes["create index"]
    assert "AccessExclusiveLock" in modes["drop index"]
    assert {(orders, "ShareRowExclusiveLock"), (users, "ShareRowExclusiveLock")} <= locks["foreign key"]
    assert "AccessExclusiveLock" in modes["check"]
    assert modes["validate"] == {"ShareUpdateExclusiveLock"}
    assert "AccessExclusiveLock" in modes["unique"]
    assert "AccessExclusiveLock" in modes["set not null"]


def test_postgresql_refuses_create_index_concurrently_in_a_transaction_with_mc313s_words(pg: Any) -> None:
    table = name()
    pg.execute(sa.text(f"CREATE TABLE {table} (id int)"))
    try:
        pg.execute(sa.text("BEGIN"))
        with pytest.raises(sa.exc.DBAPIError) as raised:
            pg.execute(sa.text(f"CREATE INDEX CONCURRENTLY ix_{table} ON {table} (id)"))
        pg.execute(sa.text("ROLLBACK"))
    finally:
        pg.execute(sa.text(f"DROP TABLE {table}"))

    assert "CREATE INDEX CONCURRENTLY cannot run inside a transaction block" in str(raised.value)


@pytest.mark.parametrize(
    "default",
    [
        "gen_random_uuid()",
        "clock_timestamp()",
        "random()",
        "timeofday()",
        "now()",
        "CURRENT_TIMESTAMP",
        "0",
        "md5('x')",
    ],
)
def test_postgresql_rewrites_for_an_added_default_exactly_when_mc316_calls_it_volatile(
    pg: Any, default: str
) -> None:
    table = name()
    pg.execute(sa.text(f"CREATE TABLE {table} (id int)"))
    try:
        pg.execute(sa.text(f"INSERT INTO {table} SELECT g FROM generate_series(1, 50) g"))
        before = filenode(pg, table)
        kind = "float" if default == "random()" else "text"
        pg.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN c {kind} DEFAULT {default}"))
        rewritten = filenode(pg, table) != before
    finally:
        pg.execute(sa.text(f"DROP TABLE {table}"))

    assert rewritten is (_calls(default, PG_VOLATILE) is not None)


def test_postgresql_set_not_null_skips_its_scan_after_a_validated_check_constraint(pg: Any) -> None:
    table = name()
    notices: list[str] = []
    pg.connection.driver_connection.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    pg.execute(sa.text(f"CREATE TABLE {table} (id int, c int)"))
    try:
        pg.execute(sa.text(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table} CHECK (c IS NOT NULL) NOT VALID"))
        pg.execute(sa.text(f"ALTER TABLE {table} VALIDATE CONSTRAINT ck_{table}"))
        pg.execute(sa.text("SET client_min_messages = debug1"))
        pg.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN c SET NOT NULL"))
        pg.execute(sa.text("RESET client_min_messages"))
    finally:
        pg.execute(sa.text(f"DROP TABLE {table}"))

    assert any("are sufficient to prove that it does not contain nulls" in n for n in notices), notices
    assert not any(n.startswith("verifying table") for n in notices)


# --- MySQL / MariaDB ------------------------------------------------------------------------------------------


def in_place(conn: Any, table: str, action: str) -> bool:
    """Whether the server runs `ALTER TABLE table action` in place with concurrent writes (it is rolled back
    by dropping the table afterwards: the caller makes a fresh one each time)."""
    try:
        conn.execute(sa.text(f"ALTER TABLE {table} {action}, ALGORITHM=INPLACE, LOCK=NONE"))
    except sa.exc.DBAPIError as refused:
        assert "not supported" in str(refused), refused
        return False
    return True


def mysql_table(conn: Any, columns: str) -> str:
    table = name()
    conn.execute(sa.text(f"CREATE TABLE {table} ({columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))
    return table


@pytest.mark.parametrize(("old", "new"), [(20, 50), (64, 100), (100, 300), (63, 64), (60, 70), (50, 20)])
def test_mysql_widens_a_varchar_in_place_exactly_when_mc310_says_so(my: Any, old: int, new: int) -> None:
    table = mysql_table(my, f"id int PRIMARY KEY, c varchar({old})")
    try:
        inplace = in_place(my, table, f"MODIFY c varchar({new})")
    finally:
        my.execute(sa.text(f"DROP TABLE {table}"))

    assert inplace is mysql_inplace_varchar(
        normalize_type(f"varchar({old})"), normalize_type(f"varchar({new})")
    )


@pytest.mark.parametrize(
    ("action", "operation"),
    [
        (
            "ADD COLUMN g int AS (n + 1) STORED",
            Operation(ADD_COLUMN, 1, table="t", sql="ADD COLUMN g int AS (n + 1) STORED"),
        ),
        (
            "ADD COLUMN g int AS (n + 1) VIRTUAL",
            Operation(ADD_COLUMN, 1, table="t", sql="ADD COLUMN g int AS (n + 1) VIRTUAL"),
        ),
        ("DROP PRIMARY KEY", Operation(DROP_CONSTRAINT, 1, table="t", sql="DROP PRIMARY KEY")),
        (
            "DROP PRIMARY KEY, ADD PRIMARY KEY (id, n)",
            Operation(DROP_CONSTRAINT, 1, table="t", sql="DROP PRIMARY KEY, ADD PRIMARY KEY (id, n)"),
        ),
        (
            "CONVERT TO CHARACTER SET latin1",
            Operation(OTHER_SQL, 1, table="t", sql="CONVERT TO CHARACTER SET latin1"),
        ),
    ],
)
def test_mysql_copies_the_table_exactly_for_the_changes_mc318_flags(
    my: Any, action: str, operation: Operation
) -> None:
    table = mysql_table(my, "id int PRIMARY KEY, n int, note varchar(20)")
    try:
        inplace = in_place(my, table, action)
    finally:
        my.execute(sa.text(f"DROP TABLE {table}"))

    assert inplace is (_copy_reason(operation, ()) is None)


def test_mysql_adds_a_foreign_key_in_place_only_with_foreign_key_checks_off(my: Any) -> None:
    users = mysql_table(my, "id int PRIMARY KEY")
    orders = mysql_table(my, "id int PRIMARY KEY, user_id int, KEY (user_id)")
    fk = f"ADD CONSTRAINT fk_{orders} FOREIGN KEY (user_id) REFERENCES {users} (id)"
    try:
        checked = in_place(my, orders, fk)
        my.execute(sa.text("SET foreign_key_checks = 0"))
        unchecked = in_place(my, orders, fk)
        my.execute(sa.text("SET foreign_key_checks = 1"))
    finally:
        my.execute(sa.text(f"DROP TABLE {orders}, {users}"))

    assert (checked, unchecked) == (False, True)


@pytest.mark.parametrize(
    ("default", "copies"), [("(uuid())", True), ("(sysdate())", True), ("(rand())", False), ("0", False)]
)
def test_mysql_copies_for_the_non_constant_defaults_mc316_lists(my: Any, default: str, copies: bool) -> None:
    table = mysql_table(my, "id int PRIMARY KEY")
    try:
        inplace = in_place(my, table, f"ADD COLUMN c varchar(40) DEFAULT {default}")
    finally:
        my.execute(sa.text(f"DROP TABLE {table}"))

    assert inplace is not copies

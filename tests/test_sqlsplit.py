"""`migcheck.sqlsplit`: a SQL string cut into statements where a `;` really ends one."""

from __future__ import annotations

import pytest

from migcheck.sqlsplit import split


def texts(sql: str, dialect: str | None = "postgresql") -> list[str]:
    return [s.text for s in split(sql, dialect)]


def test_semicolons_inside_strings_identifiers_and_comments_do_not_split() -> None:
    sql = """UPDATE t SET a = 'x;y', "b;c" = 1; -- one; two
    /* a; /* nested; */ still comment; */ DELETE FROM t"""

    assert texts(sql) == ["UPDATE t SET a = 'x;y', \"b;c\" = 1", "DELETE FROM t"]


def test_doubled_quotes_and_e_strings() -> None:
    assert texts("SELECT 'it''s;'; SELECT E'a\\';b'; SELECT 1") == [
        "SELECT 'it''s;'",
        "SELECT E'a\\';b'",
        "SELECT 1",
    ]


def test_dollar_quoted_bodies_with_and_without_a_tag() -> None:
    sql = "DO $$ BEGIN PERFORM 1; END $$; CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql; SELECT $1"

    assert texts(sql) == [
        "DO $$ BEGIN PERFORM 1; END $$",
        "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql",
        "SELECT $1",
    ]


def test_mysql_reads_hash_comments_backticks_and_backslashes_but_no_dollar_quotes() -> None:
    sql = "UPDATE `a;b` SET c = 'd\\';e'; # x; y\nSELECT 1"

    assert texts(sql, "mysql") == ["UPDATE `a;b` SET c = 'd\\';e'", "SELECT 1"]


@pytest.mark.parametrize("dialect", ["sqlite", "mysql", "postgresql"])
def test_a_trigger_body_is_one_statement(dialect: str) -> None:
    sql = (
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW BEGIN "
        "IF NEW.a > 0 THEN UPDATE u SET n = n + 1; END IF; "
        "CASE WHEN 1 THEN SET @x = 1; END CASE; DELETE FROM v; END; SELECT 2"
    )

    statements = split(sql, dialect)

    assert [s.block for s in statements] == [True, False]
    assert statements[0].text.endswith("DELETE FROM v; END") and statements[1].text == "SELECT 2"


def test_a_transaction_begin_is_not_a_block() -> None:
    assert texts("BEGIN; UPDATE t SET a = 1; COMMIT") == ["BEGIN", "UPDATE t SET a = 1", "COMMIT"]


def test_unterminated_strings_and_comments_run_to_the_end() -> None:
    assert texts("SELECT 'open; DELETE FROM t") == ["SELECT 'open; DELETE FROM t"]
    assert texts("SELECT 1; /* open; DELETE FROM t") == ["SELECT 1"]


def test_offsets_point_into_the_whole_string() -> None:
    sql = "  -- lead\n  SELECT 1 ;\n\n DELETE FROM t ;"

    found = split(sql)

    assert [(sql[s.start : s.end], s.start) for s in found] == [("SELECT 1", 12), ("DELETE FROM t", 25)]

"""MC351 and the online-DDL probe on the real MariaDB/MySQL server: a project made by `alembic init -t generic`,
a base branch in git, and a new revision whose ALTERs the server is asked about (on copies) as the drift run
applies it. Skips without a server, except under CI=true."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import commit, git
from jsonschema import Draft202012Validator

import migcheck
from migcheck.mysqlprobe import parse, probe_statement, server_name
from migcheck.report import render

MODELS = """\
from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ft_orders_memo", "memo", mysql_prefix="FULLTEXT"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qty: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(60), index=True)
    code: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str | None] = mapped_column(String(20), nullable=True)
"""
BASE = """\
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("qty", sa.Integer(), nullable=False),
    sa.Column("note", sa.String(50), nullable=False),
    sa.Column("code", sa.Integer(), nullable=False),
)
"""
# (a) nullable column, (b) INT -> VARCHAR, (c) VARCHAR(50) -> VARCHAR(60), (d) raw SQL naming ALGORITHM=COPY,
# (e) an index, (f) a FULLTEXT index (in place, but only under a lock)
CHANGE = """\
op.add_column("orders", sa.Column("memo", sa.String(20), nullable=True))
op.alter_column("orders", "qty", existing_type=sa.Integer(), type_=sa.String(20), existing_nullable=False)
op.alter_column("orders", "note", existing_type=sa.String(50), type_=sa.String(60), existing_nullable=False)
op.execute("ALTER TABLE orders MODIFY code BIGINT NOT NULL, ALGORITHM=COPY")
op.create_index("ix_orders_note", "orders", ["note"])
op.execute("ALTER TABLE orders ADD FULLTEXT INDEX ft_orders_memo (memo)")
"""
MEASURED_ON_MARIADB = {
    "ALTER TABLE orders ADD COLUMN memo VARCHAR(20)": "INSTANT",
    "ALTER TABLE orders MODIFY qty VARCHAR(20) NOT NULL": "COPY",
    "ALTER TABLE orders MODIFY note VARCHAR(60) NOT NULL": "INSTANT",
    "ALTER TABLE orders MODIFY code BIGINT NOT NULL, ALGORITHM=COPY": "COPY",
    "CREATE INDEX ix_orders_note ON orders (note)": "INPLACE, LOCK=NONE",
    "ALTER TABLE orders ADD FULLTEXT INDEX ft_orders_memo (memo)": "INPLACE",
}


def _revision(root: Path, rid: str, down: str | None, body: str) -> Path:
    """A revision file as `alembic revision` renders it (generic template), with `body` as its upgrade()."""
    path = root / "migrations" / "versions" / f"{rid}_step.py"
    upgrade = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    path.write_text(
        f'"""step {rid}\n\nRevision ID: {rid}\nRevises: {down or ""}\nCreate Date: 2024-04-01 00:00:00\n\n"""\n'
        "from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n"
        f'revision: str = "{rid}"\ndown_revision: Union[str, Sequence[str], None] = {down!r}\n'
        "branch_labels: Union[str, Sequence[str], None] = None\n"
        "depends_on: Union[str, Sequence[str], None] = None\n\n\n"
        f"def upgrade() -> None:\n{upgrade}\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    return path


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """`project(change, template="generic")`: an `alembic init -t <template>` project whose base branch `main`
    creates `orders`, with a branch `feature` adding revision bbbbbbbbbbbb whose upgrade() is `change`."""

    def make(change: str, template: str = "generic") -> Path:
        root = tmp_path / "proj"
        root.mkdir()
        init = [sys.executable, "-m", "alembic", "init", "-t", template, "migrations"]
        run = subprocess.run(init, cwd=root, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        if (
            template == "async"
        ):  # as an async project configures it; migcheck redirects it to the scratch database
            ini = root / "alembic.ini"
            ini.write_text(
                ini.read_text().replace("driver://user:pass@localhost/dbname", "mysql+aiomysql://app@db/app")
            )
        (root / "models.py").write_text(MODELS)
        # these tests are about the measured MC351; the static MC3xx lint of the revisions (MC301-MC319) is tested
        # in tests/test_lintrun.py and tests/checks/
        (root / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC30", "MC31"]\n')
        env_py = root / "migrations" / "env.py"
        env_py.write_text(
            env_py.read_text().replace(
                "target_metadata = None", "from models import Base\ntarget_metadata = Base.metadata"
            )
        )
        _revision(root, "aaaaaaaaaaaa", None, BASE)
        git(root, "init", "-q", "-b", "main")
        commit(root, "base")
        git(root, "checkout", "-q", "-b", "feature")
        _revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", change)
        commit(root, "change")
        return root

    return make


def _probe_tables(url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables"
                    " WHERE table_name LIKE '\\_migcheck\\_probe\\_%'"
                )
            )
            return [r[0] for r in rows]
    finally:
        engine.dispose()


def _is_mariadb(url: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return "mariadb" in str(connection.execute(text("SELECT VERSION()")).scalar()).lower()
    finally:
        engine.dispose()


def test_each_alter_of_the_new_revision_is_measured_and_the_migration_runs_as_written(
    project: Callable[..., Path], mysql_url: str
) -> None:
    root = project(CHANGE)

    result = migcheck.check(root, base="main", database_url=mysql_url)

    assert result.error is None
    measured = {c.statement: c.best for c in result.copy_only}
    if _is_mariadb(mysql_url):
        assert measured == MEASURED_ON_MARIADB
    assert measured[CHANGE_TYPE] == "COPY"  # no server changes a column's type in place
    assert {c.revision for c in result.copy_only} == {"bbbbbbbbbbbb"}
    assert all(c.server.startswith(("MariaDB ", "MySQL ")) for c in result.copy_only)
    # the migration itself ran unchanged: the models match what it built (no MC201, no MC202)
    assert {f.rule for f in result.findings} == {"MC351"}
    assert _probe_tables(mysql_url) == []


CHANGE_TYPE = "ALTER TABLE orders MODIFY qty VARCHAR(20) NOT NULL"


def test_a_copy_only_alter_is_a_warning_at_its_line_and_an_in_place_lock_a_notice(
    project: Callable[..., Path], mysql_url: str
) -> None:
    root = project(CHANGE)

    result = migcheck.check(root, base="main", database_url=mysql_url)

    found = sorted((f.location.line, f.severity.value, f.message) for f in result.findings)
    path = "migrations/versions/bbbbbbbbbbbb_step.py"
    assert {f.location.path for f in result.findings} == {path}
    lines = (root / path).read_text().splitlines()
    by_line = {line: (severity, message) for line, severity, message in found}
    qty = next(i for i, text in enumerate(lines, 1) if '"qty"' in text)
    code = next(i for i, text in enumerate(lines, 1) if "MODIFY code" in text)
    assert by_line[qty][0] == "warning"
    assert by_line[qty][1].endswith(
        f"{CHANGE_TYPE} can only run with ALGORITHM=COPY, which blocks writes to 'orders' while the table is copied"
    )
    assert by_line[qty][1].startswith("measured on M")
    assert by_line[code][0] == "warning"
    if _is_mariadb(mysql_url):
        fulltext = next(i for i, text in enumerate(lines, 1) if "FULLTEXT" in text)
        assert by_line[fulltext][0] == "notice"
        assert "not with LOCK=NONE" in by_line[fulltext][1]
        assert len(found) == 3  # the added column, the widened VARCHAR and the index are online: no finding
    hint = next(f.hint for f in result.findings if f.location.line == qty)
    assert "Cannot change column type" in hint  # the server's own reason
    assert "op.add_column(" in hint


def test_an_async_env_py_is_measured_through_its_async_driver(
    project: Callable[..., Path], mysql_url: str
) -> None:
    pytest.importorskip("aiomysql")
    root = project(CHANGE, "async")

    result = migcheck.check(root, base="main", database_url=mysql_url)

    assert result.error is None
    measured = {c.statement: c.best for c in result.copy_only}
    assert measured[CHANGE_TYPE] == "COPY"
    if _is_mariadb(mysql_url):
        assert measured == MEASURED_ON_MARIADB
    assert {f.rule for f in result.findings} == {"MC351"}


def test_an_alter_that_fails_still_fails_with_its_own_error(
    project: Callable[..., Path], mysql_url: str
) -> None:
    root = project('op.execute("ALTER TABLE orders MODIFY missing INT")')

    result = migcheck.check(root, base="main", database_url=mysql_url)

    [failed] = result.findings
    assert failed.rule == "MC202"
    assert "Unknown column 'missing'" in failed.message
    [probe] = result.copy_only
    assert probe.best.startswith("could not probe: Unknown column 'missing'")
    assert _probe_tables(mysql_url) == []


def test_without_a_base_nothing_is_measured(project: Callable[..., Path], mysql_url: str) -> None:
    root = project(CHANGE)

    result = migcheck.check(root, database_url=mysql_url)

    assert result.error is None
    assert result.copy_only == ()
    assert result.findings == ()


def test_a_table_the_change_creates_is_not_probed(project: Callable[..., Path], mysql_url: str) -> None:
    root = project(
        textwrap.dedent(
            """
        op.create_table("audit", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("n", sa.Integer()))
        op.execute("ALTER TABLE audit MODIFY n VARCHAR(20)")
        op.execute("DROP TABLE audit")
        """
        )
        + CHANGE
    )

    result = migcheck.check(root, base="main", database_url=mysql_url)

    assert result.error is None
    assert {c.table for c in result.copy_only} == {"orders"}
    assert {f.rule for f in result.findings} == {"MC351"}


def test_a_statement_the_copy_cannot_take_is_recorded_and_found_nothing(
    project: Callable[..., Path], mysql_url: str
) -> None:
    # CREATE TABLE ... LIKE copies no foreign keys: dropping one cannot be tried on the copy
    root = project(
        textwrap.dedent(
            """
        op.create_table("customer", sa.Column("id", sa.Integer(), primary_key=True))
        op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_code FOREIGN KEY (code) REFERENCES customer (id)")
        op.execute("ALTER TABLE orders DROP FOREIGN KEY fk_orders_code")
        op.execute("ALTER TABLE orders DROP INDEX fk_orders_code")
        op.drop_table("customer")
        """
        )
        + CHANGE
    )

    result = migcheck.check(root, base="main", database_url=mysql_url)

    assert result.error is None
    dropped = next(c for c in result.copy_only if "DROP FOREIGN KEY" in c.statement)
    assert dropped.best.startswith("could not probe: ")
    assert {f.rule for f in result.findings} == {"MC351"}
    assert not any("DROP FOREIGN KEY" in f.message for f in result.findings)
    # adding the foreign key is measured too: with foreign_key_checks on, the server only copies
    [added] = [f for f in result.findings if "ADD CONSTRAINT fk_orders_code" in f.message]
    assert 'op.execute("SET foreign_key_checks = 0")' in added.hint
    assert _probe_tables(mysql_url) == []


def test_the_json_report_and_the_pr_comment_show_what_was_measured(
    project: Callable[..., Path], mysql_url: str
) -> None:
    root = project(CHANGE)
    result = migcheck.check(root, base="main", database_url=mysql_url)

    document = json.loads(render(result, "json"))
    comment = render(result, "markdown")

    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "report.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    rows = {(r["revision"], r["table"], r["statement"], r["best"]) for r in document["copy_only"]}
    assert ("bbbbbbbbbbbb", "orders", CHANGE_TYPE, "COPY") in rows
    assert all(r["environment"] == "migrations" and r["server"] for r in document["copy_only"])
    assert "<summary>Online DDL measured on M" in comment
    assert (
        "| `bbbbbbbbbbbb` | orders | `ALTER TABLE orders MODIFY qty VARCHAR(20) NOT NULL` | COPY |" in comment
    )


# --- the statement rewriting, without a server ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "probe"),
    [
        (
            "ALTER TABLE orders MODIFY qty VARCHAR(20)",
            "ALTER TABLE `p` MODIFY qty VARCHAR(20), ALGORITHM=INSTANT",
        ),
        (
            "ALTER TABLE `db`.`orders` ADD x INT, ALGORITHM=COPY, LOCK=SHARED",
            "ALTER TABLE `p` ADD x INT, ALGORITHM=INSTANT",
        ),
        ("ALTER TABLE orders ALGORITHM=INPLACE, ADD x INT", "ALTER TABLE `p`  ADD x INT, ALGORITHM=INSTANT"),
        (
            "ALTER TABLE orders ADD COLUMN `lock` INT",
            "ALTER TABLE `p` ADD COLUMN `lock` INT, ALGORITHM=INSTANT",
        ),
        ("ALTER TABLE orders FORCE", "ALTER TABLE `p` FORCE, ALGORITHM=INSTANT"),
        ("ALTER TABLE orders ALGORITHM=COPY", "ALTER TABLE `p` ALGORITHM=INSTANT"),
        ("CREATE UNIQUE INDEX ix ON orders (note)", "CREATE UNIQUE INDEX ix ON `p` (note) ALGORITHM=INSTANT"),
        ("DROP INDEX ix ON orders LOCK=NONE", "DROP INDEX ix ON `p` ALGORITHM=INSTANT"),
        ("ALTER ONLINE TABLE orders ADD x INT", "ALTER TABLE `p` ADD x INT, ALGORITHM=INSTANT"),
        (
            "ALTER TABLE orders RENAME COLUMN a TO b",
            "ALTER TABLE `p` RENAME COLUMN a TO b, ALGORITHM=INSTANT",
        ),
    ],
)
def test_the_probe_is_the_statement_on_the_copy_without_its_own_algorithm(statement: str, probe: str) -> None:
    parsed = parse(statement)

    assert parsed is not None
    kind, _table, head, rest = parsed
    assert probe_statement(kind, head, "`p`", rest, "ALGORITHM=INSTANT") == probe


@pytest.mark.parametrize(
    "statement", ["SELECT 1", "CREATE TABLE t (id INT)", "UPDATE orders SET x = 1", "DROP TABLE orders"]
)
def test_statements_the_server_does_not_run_as_an_alter_are_not_probed(statement: str) -> None:
    assert parse(statement) is None


def test_the_lock_option_follows_an_index_statement_without_a_comma() -> None:
    kind, _table, head, rest = parse("CREATE INDEX ix ON orders (note)") or ("", "", "", "")

    assert probe_statement(kind, head, "`p`", rest, "ALGORITHM=INPLACE, LOCK=NONE") == (
        "CREATE INDEX ix ON `p` (note) ALGORITHM=INPLACE LOCK=NONE"
    )


def test_the_server_is_named_by_its_version_string() -> None:
    assert server_name("10.11.19-MariaDB-0+deb12u1") == "MariaDB 10.11.19"
    assert server_name("8.0.36") == "MySQL 8.0.36"


def test_the_comment_table_keeps_a_pipe_of_the_statement_inside_its_cell() -> None:
    from migcheck.outcome import CopyOnly
    from migcheck.report.markdown import online_ddl
    from migcheck.result import CheckResult

    measured = CopyOnly(
        "bbbbbbbbbbbb", "orders", "ALTER TABLE orders COMMENT 'a|b'", "INSTANT", server="MySQL 8.0.36"
    )
    result = CheckResult(root=".", findings=(), histories=(), copy_only=(measured,))

    table = online_ddl(result)

    assert "<summary>Online DDL measured on MySQL 8.0.36</summary>" in table
    assert "| `bbbbbbbbbbbb` | orders | `ALTER TABLE orders COMMENT 'a\\|b'` | INSTANT |" in table
    assert online_ddl(CheckResult(root=".", findings=(), histories=())) == ""

"""The MC3xx lint through `migcheck check`: which revisions it reads (scope by --base, lint_since, all), the
dialect routing, and, on a real PostgreSQL server, static findings confirmed or dropped by the measured trace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import TREES, commit, copy_case, git, working_directory

import migcheck
from migcheck.cli import main

HEADER = '''"""{message}

Revision ID: {rid}
Revises: {down}
Create Date: 2024-05-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "{rid}"
down_revision = {down_repr}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def write(
    root: Path, rid: str, down: str | None, upgrade: str, downgrade: str, message: str = "change"
) -> Path:
    indent = lambda body: "\n".join(f"    {line}" for line in body.strip().splitlines())  # noqa: E731
    path = root / "migrations" / "versions" / f"{rid}_{message.replace(' ', '_')}.py"
    path.write_text(
        HEADER.format(
            message=message,
            rid=rid,
            down=down or "",
            down_repr=repr(down),
            upgrade=indent(upgrade),
            downgrade=indent(downgrade),
        )
    )
    return path


@pytest.fixture
def project(tmp_path: Path, alembic_project) -> Path:
    """`alembic init -t generic` with a base history: create `orders`, then an old drop_column nobody should be
    nagged about again."""
    root = alembic_project(tmp_path / "shop")
    write(
        root,
        "aaaaaaaaaaaa",
        None,
        'op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True),'
        ' sa.Column("note", sa.String(50)), sa.Column("legacy", sa.Text()))',
        'op.drop_table("orders")',
        "create orders",
    )
    write(
        root,
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        'op.drop_column("orders", "legacy")',
        'op.add_column("orders", sa.Column("legacy", sa.Text()))',
        "drop legacy",
    )
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    return root


def line_of(root: Path, rid: str, needle: str) -> int:
    (path,) = (root / "migrations" / "versions").glob(f"{rid}_*.py")
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _rules(result: migcheck.CheckResult) -> list[tuple[str, str, int]]:
    return [(f.rule, Path(f.location.path).name[:12], f.location.line) for f in result.findings]


def test_without_base_or_lint_since_every_revision_is_linted(project: Path) -> None:
    result = migcheck.check(project, drift=False, dialect="postgresql")

    assert ("MC302", "bbbbbbbbbbbb", line_of(project, "bbbbbbbbbbbb", "op.drop_column")) in _rules(result)


def test_with_base_only_the_new_revisions_are_linted(project: Path) -> None:
    git(project, "checkout", "-q", "-b", "feature")
    write(
        project,
        "cccccccccccc",
        "bbbbbbbbbbbb",
        'op.execute("SET lock_timeout = \'5s\'")\nop.create_index("ix_orders_note", "orders", ["note"])',
        'op.drop_index("ix_orders_note", table_name="orders")',
        "index note",
    )
    commit(project, "feature")

    result = migcheck.check(project, drift=False, dialect="postgresql", base="main")

    assert _rules(result) == [("MC312", "cccccccccccc", line_of(project, "cccccccccccc", "op.create_index"))]
    assert result.exit_code == 0  # a warning: the default --fail-on error lets it pass


def test_lint_since_lints_only_what_follows_it(project: Path) -> None:
    write(project, "cccccccccccc", "bbbbbbbbbbbb", 'op.drop_table("orders")', "pass", "drop orders")

    result = migcheck.check(project, drift=False, dialect="postgresql", lint_since="bbbbbbbbbbbb")

    assert sorted(r for r, _, _ in _rules(result)) == ["MC301", "MC306", "MC317"]
    assert all(name == "cccccccccccc" for _, name, _ in _rules(result))


def test_a_table_created_earlier_in_the_change_is_not_an_existing_one(project: Path) -> None:
    git(project, "checkout", "-q", "-b", "feature")
    write(
        project,
        "cccccccccccc",
        "bbbbbbbbbbbb",
        'op.create_table("invoice", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("n", sa.Integer()))',
        'op.drop_table("invoice")',
        "create invoice",
    )
    write(
        project,
        "dddddddddddd",
        "cccccccccccc",
        'op.create_index("ix_invoice_n", "invoice", ["n"])\nop.alter_column("invoice", "n", nullable=False)',
        'op.drop_index("ix_invoice_n", table_name="invoice")',
        "index invoice",
    )
    commit(project, "feature")

    assert _rules(migcheck.check(project, drift=False, dialect="postgresql", base="main")) == []


def test_dialect_rules_do_not_run_without_a_dialect_and_a_note_says_how_to_name_it(project: Path) -> None:
    write(project, "cccccccccccc", "bbbbbbbbbbbb", 'op.create_index("ix", "orders", ["note"])', "pass", "ix")

    with working_directory(project):
        run = CliRunner().invoke(main, ["check", "--no-drift", "--lint-since", "bbbbbbbbbbbb"])

    findings = [line for line in run.output.splitlines() if line.startswith("migrations/")]
    assert not any("MC312" in line for line in findings)
    assert any("MC306" in line for line in findings)  # the rules for every dialect still ran
    (note,) = [line for line in run.output.splitlines() if line.startswith("note:") and "dialect" in line]
    assert "MC310-MC319" in note and 'dialect = "postgresql"' in note


def test_the_dialect_comes_from_sqlalchemy_url_in_alembic_ini(project: Path) -> None:
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("driver://user:pass@localhost/dbname", "postgresql://app@db.internal/app")
    )
    write(project, "cccccccccccc", "bbbbbbbbbbbb", 'op.create_index("ix", "orders", ["note"])', "pass", "ix")

    result = migcheck.check(project, drift=False, lint_since="bbbbbbbbbbbb")

    assert "MC312" in [r for r, _, _ in _rules(result)]


def test_suppression_with_a_reason_and_per_rule_severity(project: Path) -> None:
    write(
        project,
        "cccccccccccc",
        "bbbbbbbbbbbb",
        'op.drop_column("orders", "note")  # migcheck: ignore[MC302] column unused since v4.2\n'
        'op.drop_table("orders")\n'
        "# migcheck: ignore-file[MC306] a one-way contract revision",
        "pass",
        "contract",
    )
    (project / "pyproject.toml").write_text(
        '[tool.migcheck]\ndialect = "sqlite"\nlint_since = "bbbbbbbbbbbb"\nseverity = { MC301 = "error" }\n'
    )

    result = migcheck.check(project, drift=False)

    assert [(f.rule, f.severity.value) for f in result.findings] == [("MC301", "error")]
    assert result.exit_code == 1


def test_json_and_sarif_carry_the_lint_findings(project: Path) -> None:
    write(
        project, "cccccccccccc", "bbbbbbbbbbbb", 'op.drop_table("orders")', 'op.create_table("orders")', "x"
    )
    with working_directory(project):
        run = CliRunner().invoke(
            main,
            [
                "check",
                "--no-drift",
                "--lint-since",
                "bbbbbbbbbbbb",
                "--dialect",
                "sqlite",
                "--format",
                "sarif",
            ],
        )
    sarif = json.loads(run.output)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MC301"]
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "Safe alternative" in rules["MC301"]["fullDescription"]["text"] or rules["MC301"].get("help")


# --- measured on PostgreSQL -------------------------------------------------------------------------------


def test_the_trace_drops_a_type_change_that_rewrote_nothing_and_confirms_one_that_did(
    project: Path, pg_url: str
) -> None:
    git(project, "checkout", "-q", "-b", "feature")
    (project / "models.py").write_text(
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        'sa.Table("orders", metadata, sa.Column("id", sa.Integer(), primary_key=True),'
        ' sa.Column("note", sa.String(100)), sa.Column("qty", sa.BigInteger()))\n'
    )
    write(
        project,
        "cccccccccccc",
        "bbbbbbbbbbbb",
        'op.execute("SET lock_timeout = \'5s\'")\nop.add_column("orders", sa.Column("qty", sa.Integer()))',
        'op.drop_column("orders", "qty")',
        "add qty",
    )
    commit(project, "add qty")
    write(
        project,
        "dddddddddddd",
        "cccccccccccc",
        "op.execute(\"SET lock_timeout = '5s'\")\n"
        'op.execute("ALTER TABLE orders ALTER COLUMN note TYPE varchar(100)")',
        'op.execute("ALTER TABLE orders ALTER COLUMN note TYPE varchar(50)")',
        "widen note",
    )
    write(
        project,
        "eeeeeeeeeeee",
        "dddddddddddd",
        'op.execute("SET lock_timeout = \'5s\'")\nop.alter_column("orders", "qty", type_=sa.BigInteger())',
        'op.alter_column("orders", "qty", type_=sa.Integer())',
        "bigint qty",
    )
    commit(project, "widen")

    result = migcheck.check(
        project, base="main", database_url=pg_url, metadata="models:metadata", python_path=[str(project)]
    )

    found = {(f.rule, f.revision): f.message for f in result.findings}
    # the bigint change is confirmed; the varchar widening (old type not given: flagged statically) rewrote nothing
    assert set(found) == {("MC310", "eeeeeeeeeeee")}, result.findings
    # one transaction for all revisions (Alembic's default): the revision is charged with the locks it added
    assert "(measured on PostgreSQL: took " in found[("MC310", "eeeeeeeeeeee")]
    assert "rewrote it" in found[("MC310", "eeeeeeeeeeee")]
    widened = line_of(project, "dddddddddddd", "ALTER COLUMN note")
    assert any(
        "1 static finding(s) dropped" in n and f"dddddddddddd_widen_note.py:{widened}" in n
        for n in result.notices
    )
    assert [t.revision for t in result.traces] == ["cccccccccccc", "dddddddddddd", "eeeeeeeeeeee"]


def test_the_pr_comment_shows_the_measured_lock_table(project: Path, pg_url: str) -> None:
    git(project, "checkout", "-q", "-b", "feature")
    write(
        project,
        "cccccccccccc",
        "bbbbbbbbbbbb",
        'op.execute("SET lock_timeout = \'5s\'")\nop.create_index("ix_orders_note", "orders", ["note"])',
        'op.drop_index("ix_orders_note", table_name="orders")',
        "index note",
    )
    (project / "models.py").write_text(
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        'sa.Table("orders", metadata, sa.Column("id", sa.Integer(), primary_key=True),'
        ' sa.Column("note", sa.String(50), index=True))\n'
    )
    commit(project, "feature")
    with working_directory(project):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "migcheck",
                "check",
                "--base",
                "main",
                "--database-url",
                pg_url,
                "--metadata",
                "models:metadata",
                "--format",
                "markdown",
            ],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "HOME": str(project)},
        )
    assert run.returncode == 0, run.stderr
    assert "<summary>Locks measured on PostgreSQL (1 revision)</summary>" in run.stdout
    assert "| SHARE |" in run.stdout and "MC312" in run.stdout


def test_an_upgrade_that_only_reads_or_sets_the_session_needs_no_downgrade(project: Path) -> None:
    write(
        project,
        "cccccccccccc",
        "bbbbbbbbbbbb",
        "op.execute(\"SET lock_timeout = '5s'\")\nop.execute(\"SELECT 1\")\nop.execute('ANALYZE orders')",
        "pass",
        "analyze",
    )

    assert _rules(migcheck.check(project, drift=False, dialect="postgresql", lint_since="bbbbbbbbbbbb")) == []


ALL_TREES = sorted(p for kind in ("clean", "broken", "drift") for p in (TREES / kind).iterdir() if p.is_dir())


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_the_lint_reads_every_tree_of_the_suite_without_failing(dialect: str, tmp_path: Path) -> None:
    """The trees about other rules (syntax errors, odd headers, per-dialect splits) go through the lint too."""
    for case in ALL_TREES:
        root = copy_case(case, tmp_path / dialect / case.parent.name / case.name)
        result = migcheck.check(root, drift=False, dialect=dialect, select=["MC3"])

        assert result.error is None, (case, result.error)
        for finding in result.findings:
            assert finding.rule.startswith("MC3") and finding.hint, (case, finding)
            assert finding.location.path.endswith(".py") and finding.location.line >= 1, (case, finding)


def test_a_revision_that_cannot_be_read_for_the_lint_fails_closed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.read_bytes
    target = next((project / "migrations" / "versions").glob("bbbbbbbbbbbb_*.py"))

    def unreadable(path: Path) -> bytes:
        # the graph read the file a moment earlier; it is gone (a checkout switching branches) when linted
        if path.resolve() == target.resolve():
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    result = migcheck.check(project, drift=False, dialect="postgresql", cache=False)

    assert result.exit_code == 2
    assert result.error is not None and "bbbbbbbbbbbb_drop_legacy.py: cannot read it" in result.error

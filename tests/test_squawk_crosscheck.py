"""The squawk cross-check (benchmarks/squawk_crosscheck.py, issue 13): each revision of a PostgreSQL project,
rendered by Alembic's offline mode one at a time, gets squawk's verdict, set beside migcheck's MC3xx findings.

The projects are made at test time by `alembic init -t generic` and `alembic revision` / `alembic merge`, with
upgrade() bodies as autogenerate writes them; sqlalchemy.url names PostgreSQL, and no server is needed (offline
mode renders with the dialect only). squawk comes from the test extras (squawk-cli ships its binary): without
it these tests skip, except under CI=true, where they fail.

`assert_agreement(reports, allowed_disagreements)` is the migcheck side: once the MC3xx rules are registered,
it holds migcheck to squawk on these projects and on the PostgreSQL lint fixtures.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import squawk_crosscheck as sc  # noqa: E402

PG_URL = (
    "postgresql://postgres@127.0.0.1:5432/test"  # never connected to: offline mode needs the dialect only
)


def squawk_binary() -> str:
    binary = sc.find_squawk()
    if binary is None:
        message = "no squawk binary: pip install squawk-cli (it is in the test extras)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


# --- the migcheck side ------------------------------------------------------------------------------------


def assert_agreement(
    reports: Sequence[sc.RevisionReport], allowed_disagreements: Iterable[tuple[str, str]] = ()
) -> None:
    """Every revision rendered, and migcheck and squawk agree on its MC codes, but for the allowed
    `(revision, MC code)` pairs; an allowed pair that no longer disagrees is reported too (drop it)."""
    allowed = set(allowed_disagreements)
    problems = [f"{r.revision} ({r.file}): {r.error}" for r in reports if r.error]
    seen = set()
    for report in reports:
        for d in report.disagreements:
            seen.add((report.revision, d["code"]))
            if (report.revision, d["code"]) in allowed:
                continue
            if d["side"] == "squawk-only":
                where = "; ".join(
                    f"{v.rule} at SQL line {v.line}: {v.statement}"
                    for v in report.squawk
                    if v.code == d["code"]
                )
            else:
                where = "; ".join(
                    f"line {f.line}: {f.message}" for f in report.migcheck if f.code == d["code"]
                )
            problems.append(f"{report.revision} ({report.file}): {d['code']} {d['side']}: {where}")
    problems += [
        f"{rid}: {code} is allowed to disagree but agrees now" for rid, code in sorted(allowed - seen)
    ]
    assert not problems, "squawk and migcheck disagree:\n" + "\n".join(problems)


def mc3xx_registered() -> bool:
    from migcheck.checks import REGISTRY

    return any(code in REGISTRY for code in sc.MAPPING.values())


# --- projects made by Alembic's own commands --------------------------------------------------------------


def alembic(root: Path, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=root, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def init_project(root: Path, url: str = PG_URL) -> Path:
    root.mkdir(parents=True)
    alembic(root, "init", "-t", "generic", "migrations")
    ini = root / "alembic.ini"
    text, count = re.subn(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text())
    assert count == 1
    ini.write_text(text)
    return root


def revision(root: Path, rid: str, message: str, upgrade: str, *head: str) -> Path:
    """`alembic revision -m <message> --rev-id <rid>` (on `head`), its upgrade() body then filled in."""
    options = ["--head", head[0], "--splice"] if head else []
    alembic(root, "revision", "-m", message, "--rev-id", rid, *options)
    (path,) = (root / "migrations" / "versions").glob(f"{rid}_*.py")
    source = path.read_text()
    stub = '    """Upgrade schema."""\n    pass\n'
    assert stub in source
    path.write_text(source.replace(stub, '    """Upgrade schema."""\n' + upgrade, 1))
    return path


CREATE_TABLES = """\
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
"""
INDEX = """\
    op.create_index(op.f("ix_account_email"), "account", ["email"], unique=False)
"""
FOREIGN_KEY = """\
    op.add_column("account", sa.Column("team_id", sa.Integer(), nullable=True))
    op.create_foreign_key("account_team_id_fkey", "account", "team", ["team_id"], ["id"])
"""
DROP_COLUMN = """\
    op.drop_column("account", "email")
"""
SET_NOT_NULL = """\
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("account", "team_id", existing_type=sa.INTEGER(), nullable=False)
"""
CONCURRENT_INDEX = """\
    with op.get_context().autocommit_block():
        op.create_index("ix_account_team_id", "account", ["team_id"], postgresql_concurrently=True)
"""
LINEAR = (
    ("aaaaaaaaaaaa", "create account and team", CREATE_TABLES),
    ("bbbbbbbbbbbb", "index account email", INDEX),
    ("cccccccccccc", "account team fk", FOREIGN_KEY),
    ("dddddddddddd", "drop account email", DROP_COLUMN),
    ("eeeeeeeeeeee", "account team required", SET_NOT_NULL),
    ("ffffffffffff", "index account team concurrently", CONCURRENT_INDEX),
)
# the squawk rules that have an MC code, per revision: exactly these
EXPECTED = {
    "aaaaaaaaaaaa": set(),
    "bbbbbbbbbbbb": {"require-concurrent-index-creation", "require-lock-timeout"},
    "cccccccccccc": {"adding-foreign-key-constraint", "constraint-missing-not-valid", "require-lock-timeout"},
    "dddddddddddd": {"ban-drop-column", "require-lock-timeout"},
    # the revision sets lock_timeout itself
    "eeeeeeeeeeee": {"adding-not-nullable-field"},
    # outside the transaction (autocommit_block): concurrently is right, only the lock_timeout is missing
    "ffffffffffff": {"require-lock-timeout"},
}


@pytest.fixture(scope="module")
def linear(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = init_project(tmp_path_factory.mktemp("squawk") / "linear")
    for rid, message, body in LINEAR:
        revision(root, rid, message, body)
    return root


@pytest.fixture(scope="module")
def reports(linear: Path) -> dict[str, sc.RevisionReport]:
    return {r.revision: r for r in sc.crosscheck(linear, squawk=squawk_binary())}


# --- the squawk side --------------------------------------------------------------------------------------


def test_every_revision_is_rendered_on_its_own_in_upgrade_order(
    reports: dict[str, sc.RevisionReport],
) -> None:
    assert list(reports) == [rid for rid, _, _ in LINEAR]
    for rid, report in reports.items():
        assert report.error is None
        assert report.file.startswith(f"migrations/versions/{rid}_")
        running = re.findall(r"(?m)^-- Running upgrade .* -> (\w+)$", report.sql)
        assert running == [rid]
        assert report.sql.lstrip().startswith("BEGIN;")


def test_squawk_reports_the_hazard_of_each_revision(reports: dict[str, sc.RevisionReport]) -> None:
    mapped = {rid: {v.rule for v in r.squawk if v.code} for rid, r in reports.items()}
    assert mapped == EXPECTED
    codes = {rid: r.squawk_codes for rid, r in reports.items()}
    assert codes["bbbbbbbbbbbb"] == {"MC312", "MC317"}
    assert codes["cccccccccccc"] == {"MC314", "MC317"}
    assert codes["dddddddddddd"] == {"MC302", "MC317"}
    assert codes["eeeeeeeeeeee"] == {"MC311"}


def test_every_rule_squawk_reports_is_mapped_or_squawk_only_by_design(
    reports: dict[str, sc.RevisionReport],
) -> None:
    rules = {v.rule for r in reports.values() for v in r.squawk}
    assert rules - set(sc.MAPPING) <= set(sc.SQUAWK_ONLY)
    assert not set(sc.MAPPING) & set(sc.SQUAWK_ONLY)
    assert set(sc.MAPPING.values()) | set(sc.MIGCHECK_ONLY) <= set(sc.MC_NAMES)


def test_a_violation_points_at_its_statement_in_the_rendered_sql(
    reports: dict[str, sc.RevisionReport],
) -> None:
    report = reports["bbbbbbbbbbbb"]
    (index,) = [v for v in report.squawk if v.rule == "require-concurrent-index-creation"]
    assert index.statement == "CREATE INDEX ix_account_email ON account (email);"
    assert report.sql.splitlines()[index.line - 1] == index.statement
    (fk,) = [v for v in reports["cccccccccccc"].squawk if v.rule == "adding-foreign-key-constraint"]
    assert fk.statement.startswith("ALTER TABLE account ADD CONSTRAINT account_team_id_fkey FOREIGN KEY")


def test_alembic_bookkeeping_is_not_judged(reports: dict[str, sc.RevisionReport]) -> None:
    base = reports["aaaaaaaaaaaa"]
    # rendered: the version table is created, and the version row written ...
    assert "CREATE TABLE alembic_version" in base.sql and "INSERT INTO alembic_version" in base.sql
    # ... but its VARCHAR(32) is not squawk's prefer-text-field: only account.email's VARCHAR(255) is
    (text_field,) = [v for v in base.squawk if v.rule == "prefer-text-field"]
    assert text_field.statement.startswith("CREATE TABLE account")
    assert all("alembic_version" not in v.statement for r in reports.values() for v in r.squawk)


def test_concurrent_index_in_autocommit_block_renders_outside_the_transaction(
    reports: dict[str, sc.RevisionReport],
) -> None:
    sql = reports["ffffffffffff"].sql
    commit = sql.index("COMMIT;")
    create = sql.index("CREATE INDEX CONCURRENTLY ix_account_team_id ON account (team_id);")
    assert commit < create < sql.index("BEGIN;", create)
    rules = {v.rule for v in reports["ffffffffffff"].squawk}
    assert "ban-concurrent-index-creation-in-transaction" not in rules
    assert "require-concurrent-index-creation" not in rules


def test_since_keeps_the_revisions_after_it(linear: Path) -> None:
    after = sc.crosscheck(linear, since="dddddddddddd", squawk=squawk_binary())
    assert [r.revision for r in after] == ["eeeeeeeeeeee", "ffffffffffff"]


def test_a_merge_revision_is_judged_without_the_branch_it_joins(tmp_path: Path) -> None:
    root = init_project(tmp_path / "merge")
    revision(root, "aaaaaaaaaaaa", "create account and team", CREATE_TABLES)
    revision(root, "bbbbbbbbbbbb", "drop account email", DROP_COLUMN, "aaaaaaaaaaaa")
    revision(root, "cccccccccccc", "index account email", INDEX, "aaaaaaaaaaaa")
    alembic(root, "merge", "-m", "merge", "--rev-id", "dddddddddddd", "heads")
    found = {r.revision: r for r in sc.crosscheck(root, squawk=squawk_binary())}
    assert set(found) == {"aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc", "dddddddddddd"}
    merge = found["dddddddddddd"]
    assert merge.error is None and merge.squawk == []
    assert "DROP COLUMN" not in merge.sql and "CREATE INDEX" not in merge.sql
    assert "ban-drop-column" in {v.rule for v in found["bbbbbbbbbbbb"].squawk}
    assert "require-concurrent-index-creation" in {v.rule for v in found["cccccccccccc"].squawk}


def test_own_section_blanks_the_other_revisions_but_keeps_lines_and_transactions() -> None:
    sql = (
        "BEGIN;\n\n-- Running upgrade a -> b\n\nALTER TABLE t DROP COLUMN c;\n\nCOMMIT;\n\nBEGIN;\n\n"
        "-- Running upgrade a, b -> m\n\nUPDATE alembic_version SET version_num='m';\n\nCOMMIT;\n"
    )
    own = sc.own_section(sql, "m")
    assert own.splitlines()[4] == ""  # b's DROP COLUMN
    assert own.count("BEGIN;") == 2 and own.count("COMMIT;") == 2
    assert len(own.splitlines()) == len(sql.splitlines())
    with pytest.raises(sc.CrosscheckError, match="-> zzz"):
        sc.own_section(sql, "zzz")


# --- the script as a user runs it -------------------------------------------------------------------------


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / "squawk_crosscheck.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_script_prints_the_comparison_as_json(linear: Path) -> None:
    squawk_binary()
    run = run_script(str(linear), "--since", "cccccccccccc", "--json")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert [item["revision"] for item in document] == ["dddddddddddd", "eeeeeeeeeeee", "ffffffffffff"]
    for item in document:
        assert {"revision", "file", "squawk", "migcheck", "disagreements"} <= set(item)
    drop = document[0]
    assert {"rule": "ban-drop-column", "code": "MC302"}.items() <= drop["squawk"][0].items()


def test_script_prints_a_table_per_revision(linear: Path) -> None:
    squawk_binary()
    run = run_script(str(linear), "--since", "eeeeeeeeeeee")
    assert run.returncode == 0, run.stderr
    assert f"squawk {sc.squawk_version(squawk_binary())}" in run.stdout
    (row,) = [line for line in run.stdout.splitlines() if line.startswith("| ffffffffffff ")]
    assert "require-lock-timeout → MC317" in row and "prefer-robust-stmts → —" in row


def test_script_refuses_a_project_not_on_postgresql_unless_given_a_url(tmp_path: Path) -> None:
    squawk_binary()
    root = init_project(tmp_path / "sqlite", url="sqlite:///app.db")
    revision(root, "aaaaaaaaaaaa", "drop account email", DROP_COLUMN)
    refused = run_script(str(root))
    assert refused.returncode == 2
    assert "sqlalchemy.url is sqlite:///app.db" in refused.stderr and "--url postgresql://" in refused.stderr
    rendered = run_script(str(root), "--url", PG_URL, "--json")
    assert rendered.returncode == 0, rendered.stderr
    (only,) = json.loads(rendered.stdout)
    assert "ban-drop-column" in {v["rule"] for v in only["squawk"]}


# --- the migcheck side ------------------------------------------------------------------------------------


def _report(revision: str, squawk: Sequence[str], migcheck: Sequence[str]) -> sc.RevisionReport:
    return sc.RevisionReport(
        revision,
        f"migrations/versions/{revision}_x.py",
        squawk=[sc.SquawkViolation(rule, 5, "ALTER TABLE t ...;", "m") for rule in squawk],
        migcheck=[sc.MigcheckFinding(code, 12, "m") for code in migcheck],
    )


def test_assert_agreement_names_each_unexpected_disagreement() -> None:
    agreeing = _report("aaaaaaaaaaaa", ["ban-drop-column", "prefer-identity"], ["MC302", "MC306"])
    assert agreeing.verdict == "agree"
    assert_agreement([agreeing])
    squawk_only = _report("bbbbbbbbbbbb", ["require-concurrent-index-creation"], [])
    migcheck_only = _report("cccccccccccc", [], ["MC311"])
    assert squawk_only.verdict == "squawk-only MC312" and migcheck_only.verdict == "migcheck-only MC311"
    with pytest.raises(AssertionError) as failed:
        assert_agreement([agreeing, squawk_only, migcheck_only])
    message = str(failed.value)
    assert "bbbbbbbbbbbb (migrations/versions/bbbbbbbbbbbb_x.py): MC312 squawk-only" in message
    assert "require-concurrent-index-creation at SQL line 5" in message
    assert "cccccccccccc (migrations/versions/cccccccccccc_x.py): MC311 migcheck-only: line 12" in message
    assert_agreement([squawk_only, migcheck_only], {("bbbbbbbbbbbb", "MC312"), ("cccccccccccc", "MC311")})
    with pytest.raises(AssertionError, match="aaaaaaaaaaaa: MC302 is allowed to disagree but agrees now"):
        assert_agreement([agreeing], {("aaaaaaaaaaaa", "MC302")})


def test_migcheck_side_counts_only_mc3xx_findings(tmp_path: Path) -> None:
    import migcheck

    root = init_project(tmp_path / "two-heads")
    revision(root, "aaaaaaaaaaaa", "create account and team", CREATE_TABLES)
    revision(root, "bbbbbbbbbbbb", "drop account email", DROP_COLUMN, "aaaaaaaaaaaa")
    revision(root, "cccccccccccc", "index account email", INDEX, "aaaaaaaaaaaa")
    assert "MC101" in {f.rule for f in migcheck.check(root, drift=False).findings}
    found = sc.crosscheck(root, squawk=squawk_binary())
    assert [r.revision for r in found][0] == "aaaaaaaaaaaa" and len(found) == 3
    # the two heads are a graph finding, not a lint one: no revision's migcheck side holds it
    assert all(f.code.startswith("MC3") for r in found for f in r.migcheck)


def test_migcheck_agrees_with_squawk_on_the_generated_project(reports: dict[str, sc.RevisionReport]) -> None:
    if not mc3xx_registered():
        pytest.skip("no MC3xx rule is registered yet: migcheck's lint (issue 13) is not on this branch")
    # CREATE INDEX CONCURRENTLY holds SHARE UPDATE EXCLUSIVE, which no read or write waits for: while it waits for
    # older transactions the application goes on, so migcheck asks for no lock_timeout there (squawk does)
    assert_agreement(list(reports.values()), {("ffffffffffff", "MC317")})


# Where migcheck and squawk part ways on the PostgreSQL lint fixtures, each on purpose (issue 13's cross-check):
FIXTURE_DISAGREEMENTS = {
    "locking_postgresql": {
        # the revision creates `invoices` and then alters it: a table nobody uses yet (squawk judges statements)
        ("000000000016", "MC310"),
        # silenced with `# migcheck: ignore[MC312]` / `ignore-file[MC317]`: squawk has no such comments
        ("000000000017", "MC312"),
        ("000000000018", "MC317"),
    },
    "destructive_postgresql": {
        # silenced with `# migcheck: ignore-file[MC301]` / `ignore[MC302] <reason>`
        ("000000000004", "MC301"),
        ("000000000008", "MC302"),
    },
}


@pytest.mark.parametrize("case", sorted(FIXTURE_DISAGREEMENTS))
def test_migcheck_agrees_with_squawk_on_the_postgresql_lint_fixtures(case: str, tmp_path: Path) -> None:
    if not mc3xx_registered():
        pytest.skip("no MC3xx rule is registered yet")
    sys.path.insert(0, str(Path(__file__).parent))
    from helpers import copy_case

    root = copy_case(f"lint/{case}", tmp_path / case)
    found = sc.crosscheck(root, since="000000000001", url=PG_URL, squawk=squawk_binary())
    assert len(found) > 10
    assert_agreement(found, FIXTURE_DISAGREEMENTS[case])

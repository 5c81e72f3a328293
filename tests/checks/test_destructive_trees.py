"""MC301-MC308 end to end: each tests/trees/lint/destructive_<dialect>/ project is checked through the public
API, and its MC3xx findings are exactly the `# expect: MCxxx` markers on its revision lines.

The same projects are real: every revision of each runs with `alembic upgrade head` on its own database
(SQLite, and PostgreSQL / MySQL-MariaDB scratch databases), so the safe alternatives they show are code that
works as written.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TREES, copy_case
from lint_expect import expected_findings

import migcheck
from migcheck.scratch import scratch_database

CASES = sorted(p for p in (TREES / "lint").glob("destructive_*") if p.is_dir())
DIALECTS = {
    "destructive_postgresql": "postgresql",
    "destructive_mysql": "mysql",
    "destructive_sqlite": "sqlite",
}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_mc3xx_findings_are_exactly_the_expect_markers(case: Path, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path / case.name)

    result = migcheck.check(root, drift=False)

    found = {(f.location.path, f.location.line, f.rule) for f in result.findings if f.rule.startswith("MC3")}
    assert found == expected_findings(root)


def test_the_cases_show_every_rule_on_every_dialect_they_claim() -> None:
    assert sorted(c.name for c in CASES) == sorted(DIALECTS)
    shown = {case.name: {rule for _, _, rule in expected_findings(case)} for case in CASES}

    assert shown["destructive_postgresql"] == {f"MC30{n}" for n in range(1, 9)}
    assert shown["destructive_sqlite"] == {f"MC30{n}" for n in range(1, 8)}
    assert shown["destructive_mysql"] == {f"MC30{n}" for n in range(1, 7)}


def test_suppressed_lines_and_files_carry_no_marker() -> None:
    for case in CASES:
        for path in (case / "migrations" / "versions").glob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                assert not ("migcheck: ignore" in line and "expect:" in line), (path, line)


def test_expected_findings_reads_several_codes_per_line_and_only_revision_files(tmp_path: Path) -> None:
    versions = tmp_path / "db" / "versions"
    versions.mkdir(parents=True)
    (versions / "a_rev.py").write_text(
        'x = 1\nop.drop_column("t", "c")  # expect: MC302, MC317\n# expect: no\n'
    )
    (tmp_path / "db" / "env.py").write_text("y = 2  # expect: MC301\n")

    assert expected_findings(tmp_path) == {
        ("db/versions/a_rev.py", 2, "MC302"),
        ("db/versions/a_rev.py", 2, "MC317"),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_revision_of_the_case_runs_on_its_database(
    case: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dialect = DIALECTS[case.name]
    server = (
        None
        if dialect == "sqlite"
        else request.getfixturevalue("pg_url" if dialect == "postgresql" else "mysql_url")
    )
    root = copy_case(case, tmp_path / case.name)
    with scratch_database(server) as url:
        ini = root / "alembic.ini"
        ini.write_text(re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text()))
        run = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=root, capture_output=True, text=True
        )

    assert run.returncode == 0, run.stderr[-2000:]
    assert "Running upgrade 000000000001 -> 000000000002" in run.stderr

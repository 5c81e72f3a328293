"""MC310-MC319 end to end: each tests/trees/lint/locking_* case is a whole Alembic project whose revisions mark
the findings they must get (`# expect: MC312`); `migcheck.check` must report exactly those MC3xx findings.

These cases need the lint wired into the engine (the reader of revision operations, `dialect` and `lint_since`
settings); until then they fail, by design, rather than pass vacuously.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import TREES, copy_case
from lint_expect import expected_findings

import migcheck

CASES = sorted(p.name for p in (TREES / "lint").glob("locking_*") if p.is_dir())


def test_there_is_a_case_per_dialect_the_rules_apply_to() -> None:
    assert CASES == ["locking_mysql", "locking_postgresql"]


@pytest.mark.parametrize("case", CASES)
def test_a_case_gets_exactly_the_findings_its_markers_expect(case: str, tmp_path: Path) -> None:
    root = copy_case(f"lint/{case}", tmp_path / case)
    expected = expected_findings(root)

    result = migcheck.check(root, drift=False)

    found = {(f.location.path, f.location.line, f.rule) for f in result.findings if f.rule.startswith("MC3")}
    assert expected  # a case without markers would pass for nothing
    assert found == expected


def test_the_markers_are_read_per_line_and_per_rule(tmp_path: Path) -> None:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "a_rev.py").write_text("x = 1\nop.drop_column('t', 'c')  # expect: MC302, MC317\n")
    (tmp_path / "models.py").write_text("# expect: MC301 is not in a versions directory\n")

    assert expected_findings(tmp_path) == {
        ("migrations/versions/a_rev.py", 2, "MC302"),
        ("migrations/versions/a_rev.py", 2, "MC317"),
    }


# --- the cases are real migrations: they run on the servers, and the MC313 one fails as the rule says ---------


def alembic_config(root: Path, url: str) -> Any:
    from alembic.config import Config

    config = Config(str(root / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def test_the_postgresql_case_runs_up_and_down_and_its_last_revision_fails_as_mc313_says(
    pg_url: str, tmp_path: Path
) -> None:
    from alembic import command

    from migcheck.scratch import scratch_database

    root = copy_case("lint/locking_postgresql", tmp_path / "case")
    with scratch_database(pg_url) as url:
        config = alembic_config(root, url)
        command.upgrade(config, "000000000018")  # every safe pattern and flagged operation, for real
        command.downgrade(config, "base")
        command.upgrade(config, "000000000018")
        with pytest.raises(
            Exception, match="CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
        ):
            command.upgrade(config, "head")


def test_the_mysql_case_runs_up_and_down_on_the_server(mysql_url: str, tmp_path: Path) -> None:
    from alembic import command

    from migcheck.scratch import scratch_database

    root = copy_case("lint/locking_mysql", tmp_path / "case")
    with scratch_database(mysql_url) as url:
        config = alembic_config(root, url)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        command.upgrade(config, "head")

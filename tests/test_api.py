"""The library API: `migcheck.check(path, **settings) -> CheckResult`."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_case

import migcheck


@pytest.fixture
def two_heads(tmp_path: Path) -> Path:
    root = copy_case("broken/two_heads", tmp_path / "two_heads")
    # these tests are about the API and the graph (MC101); the MC3xx lint of the case's revisions is tested in
    # tests/test_lintrun.py and tests/checks/
    (root / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC3"]\n')
    return root


def test_check_returns_findings_and_facts(two_heads: Path) -> None:
    result = migcheck.check(two_heads)

    assert result.exit_code == 1
    assert [(f.rule, f.severity, f.revision) for f in result.findings] == [
        ("MC101", migcheck.Severity.ERROR, "dddddddddddd")
    ]
    assert {p.revision for p in result.histories[0].heads} == {"cccccccccccc", "dddddddddddd"}
    assert [p.revision for p in result.histories[0].bases] == ["aaaaaaaaaaaa"]


def test_keyword_settings_override_the_project_pyproject(two_heads: Path) -> None:
    (two_heads / "pyproject.toml").write_text("[tool.migcheck]\nignore = ['MC3', 'MC101']\n")

    assert migcheck.check(two_heads).findings == ()
    assert migcheck.check(two_heads, ignore=[]).exit_code == 1


def test_expected_heads_as_keyword(two_heads: Path) -> None:
    assert migcheck.check(two_heads, expected_heads=2).exit_code == 0


def test_unknown_setting_raises_migcheck_error_naming_valid_ones(two_heads: Path) -> None:
    with pytest.raises(migcheck.MigcheckError, match="unknown setting 'fail_one'.*fail_on"):
        migcheck.check(two_heads, fail_one="warning")


def test_bad_severity_raises_migcheck_error(two_heads: Path) -> None:
    with pytest.raises(migcheck.MigcheckError, match="'fatal' is not a severity"):
        migcheck.check(two_heads, fail_on="fatal")


def test_findings_are_sorted_by_path_line_rule(tmp_path: Path) -> None:
    tree = copy_case("broken/duplicate_id", tmp_path / "dup")

    keys = [(f.location.path, f.location.line, f.rule) for f in migcheck.check(tree).findings]

    assert keys == sorted(keys)


@pytest.mark.parametrize("settings", [{"exit_zero": True}, {"fail_on": "never"}])
def test_report_only_settings_keep_the_findings_and_exit_0(
    two_heads: Path, settings: dict[str, object]
) -> None:
    result = migcheck.check(two_heads, drift=False, **settings)

    assert ([f.rule for f in result.findings], result.exit_code) == (["MC101"], 0)

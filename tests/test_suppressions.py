"""Silencing and re-grading findings, through the command line: `# migcheck: ignore-file[...]` anywhere in a
revision file silences those rules for the whole file (on every read path: the header scan, `ast`, a cold and a
warm results cache), a line's `# migcheck: ignore[...] reason` its line only, and `severity` gives a rule's
findings another severity before `fail_on` is judged."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_case, working_directory

from migcheck import readcache
from migcheck.cli import main
from migcheck.headerscan import scan
from migcheck.scripts import _header

MISMATCH = "migrations/versions/cccccccccccc_add_thread_locked_flag.py"  # MC108 at line 4
SECOND_BASE = "migrations/versions/bbbbbbbbbbbb_create_audit_event_table.py"  # MC105 at line 14
FIRST_BASE = "migrations/versions/aaaaaaaaaaaa_create_customer_table.py"


def check(
    tree: Path, *args: str, env: Mapping[str, str] | None = None
) -> tuple[int, list[dict[str, object]]]:
    """The exit code and the JSON report's findings of `migcheck check --no-drift ARGS`, run inside `tree`."""
    with working_directory(tree):
        result = CliRunner().invoke(
            main,
            # these tests are about suppressions of the graph checks; the MC3xx lint of the trees' revisions is
            # tested in tests/test_lintrun.py and tests/checks/
            ["check", ".", "--no-drift", "--ignore", "MC3", "--format", "json", *args],
            env={"MIGCHECK_NO_CACHE": "1", **(env or {})},
        )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def rules(findings: list[dict[str, object]]) -> list[object]:
    return [f["rule"] for f in findings]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def on_line(path: Path, number: int, comment: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] += f"  {comment}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def mismatch(tmp_path: Path) -> Path:
    tree = copy_case("broken/docstring_mismatch", tmp_path / "mismatch")
    assert rules(check(tree)[1]) == ["MC108"]
    return tree


@pytest.fixture
def two_bases(tmp_path: Path) -> Path:
    tree = copy_case("broken/two_bases", tmp_path / "two_bases")
    assert rules(check(tree)[1]) == ["MC105"]
    return tree


# --- ignore-file ----------------------------------------------------------------------------------------------


def test_ignore_file_below_the_header_silences_its_rule_in_the_whole_file(mismatch: Path) -> None:
    append(
        mismatch / MISMATCH, "\n\n# migcheck: ignore-file[MC108] the docstring was written by hand, keep it\n"
    )

    assert check(mismatch, "--fail-on", "warning") == (0, [])


def test_ignore_file_takes_rule_names_too(mismatch: Path) -> None:
    append(mismatch / MISMATCH, "# migcheck: ignore-file[stale-docstring-header]\n")

    assert check(mismatch)[1] == []


def test_ignore_file_leaves_the_rules_it_does_not_name(mismatch: Path) -> None:
    append(mismatch / MISMATCH, "# migcheck: ignore-file[MC105, MC101]\n")

    assert rules(check(mismatch)[1]) == ["MC108"]


def test_a_bare_ignore_file_silences_every_rule_in_the_file(two_bases: Path) -> None:
    append(two_bases / SECOND_BASE, "# migcheck: ignore-file  (the audit history is separate by design)\n")

    assert check(two_bases, "--fail-on", "warning") == (0, [])


def test_ignore_file_silences_its_own_file_only(two_bases: Path) -> None:
    append(two_bases / FIRST_BASE, "# migcheck: ignore-file\n")

    assert rules(check(two_bases)[1]) == ["MC105"]


def test_ignore_file_on_a_findings_line_is_not_a_line_ignore_of_every_rule(two_bases: Path) -> None:
    on_line(two_bases / SECOND_BASE, 14, "# migcheck: ignore-file[MC108]")

    assert rules(check(two_bases)[1]) == ["MC105"]


def test_a_line_ignore_takes_a_reason_after_its_codes(two_bases: Path) -> None:
    on_line(two_bases / SECOND_BASE, 14, "# migcheck: ignore[MC105] the audit history starts on its own")

    assert check(two_bases, "--fail-on", "warning") == (0, [])


def test_a_word_that_only_starts_with_ignore_silences_nothing(two_bases: Path) -> None:
    on_line(two_bases / SECOND_BASE, 14, "# migcheck: ignored here once, see #12")

    assert rules(check(two_bases)[1]) == ["MC105"]


# --- on every read path ---------------------------------------------------------------------------------------


def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every revision file read anew from now on (a warm run takes the others from the results cache)."""
    files: list[str] = []
    real = readcache.read_revision

    def spy(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        files.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readcache, "read_revision", spy)
    return files


@pytest.mark.parametrize("header", ["standard", "unusual"])
@pytest.mark.parametrize("cache", ["off", "cold", "warm"])
def test_ignore_file_is_found_on_every_read_path(
    mismatch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: str, cache: str
) -> None:
    path = mismatch / MISMATCH
    if header == "unusual":  # a line the header scan does not answer for: `ast` reads the header
        path.write_text(
            path.read_text(encoding="utf-8").replace("\n\n# revision", "\nSCHEMA = 'forum'\n\n# revision"),
            encoding="utf-8",
        )
    append(path, "\n\n# migcheck: ignore-file[MC108] hand-written docstring\n")
    scanned = scan(_header(path.read_bytes()) or b"")
    assert (scanned is not None) is (header == "standard")
    env = (
        {"MIGCHECK_NO_CACHE": "1"}
        if cache == "off"
        else {"MIGCHECK_NO_CACHE": "", "MIGCHECK_CACHE_DIR": str(tmp_path / "cache")}
    )
    if cache == "warm":
        assert check(mismatch, env=env)[1] == []  # fills the cache
    files = parsed_files(monkeypatch)

    assert check(mismatch, env=env)[1] == []
    assert (files == []) is (cache == "warm")


# --- severity -------------------------------------------------------------------------------------------------


def test_a_severity_override_below_fail_on_makes_the_exit_code_0(two_bases: Path) -> None:
    assert check(two_bases, "--fail-on", "warning")[0] == 1

    code, findings = check(two_bases, "--fail-on", "warning", "--severity", "MC105=notice")

    assert code == 0
    assert [(f["rule"], f["severity"]) for f in findings] == [("MC105", "notice")]


def test_a_severity_override_at_fail_on_fails_the_run(two_bases: Path) -> None:
    assert check(two_bases)[0] == 0  # MC105 is a warning; the run fails on errors

    code, findings = check(two_bases, "--severity", "multiple-bases=error")

    assert code == 1
    assert [(f["rule"], f["severity"]) for f in findings] == [("MC105", "error")]


@pytest.mark.parametrize(
    "table", ['{ MC1 = "error", MC105 = "notice" }', '{ MC105 = "notice", MC1 = "error" }']
)
def test_a_rules_own_severity_wins_over_its_familys_in_any_order(two_bases: Path, table: str) -> None:
    (two_bases / "pyproject.toml").write_text(f"[tool.migcheck]\nseverity = {table}\n", encoding="utf-8")

    code, findings = check(two_bases, "--fail-on", "warning")

    assert code == 0
    assert [(f["rule"], f["severity"]) for f in findings] == [("MC105", "notice")]


def test_the_severity_variable_takes_comma_separated_pairs(two_bases: Path) -> None:
    code, findings = check(two_bases, env={"MIGCHECK_SEVERITY": "MC101=notice,MC105=error"})

    assert code == 1
    assert [f["severity"] for f in findings] == ["error"]


def test_a_suppressed_finding_stays_silent_whatever_its_severity(two_bases: Path) -> None:
    on_line(two_bases / SECOND_BASE, 14, "# migcheck: ignore[MC105]")

    assert check(two_bases, "--severity", "MC105=error") == (0, [])


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("MC999=error", "severity: unknown rule 'MC999'; known rules: MC101 (multiple-heads)"),
        ("MC105=fatal", "severity: MC105: 'fatal' is not a severity; use one of error, warning, notice"),
        ("MC105", "severity: expected RULE=SEVERITY (e.g. MC302=error), got 'MC105'"),
    ],
)
def test_a_bad_severity_is_could_not_check_naming_the_setting(two_bases: Path, value: str, said: str) -> None:
    with working_directory(two_bases):
        result = CliRunner().invoke(main, ["check", ".", "--no-drift", "--severity", value])

    assert result.exit_code == 2
    assert said in result.stderr

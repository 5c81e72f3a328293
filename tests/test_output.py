"""How the report is shown: --quiet, --statistics, -v and --color, on `check` and `status`."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_case, working_directory

from migcheck.cli import main

ANSI = "\033["
TIMING = re.compile(r"^checked (\d+) revisions? in \d+\.\d\ds \((discover|read) .*\)$")


def run(*args: str, env: dict[str, str] | None = None):
    # these tests are about how the report is shown; the MC3xx lint of the cases' revisions is tested in
    # tests/test_lintrun.py and tests/checks/
    env = {"MIGCHECK_IGNORE": "MC3", **(env or {})}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def two_heads(tmp_path: Path) -> str:
    return str(copy_case("broken/two_heads", tmp_path / "two_heads"))


@pytest.fixture
def linear(tmp_path: Path) -> str:
    return str(copy_case("clean/linear", tmp_path / "linear"))


# --- --quiet -------------------------------------------------------------------------------------------------


def test_quiet_prints_nothing_on_success(linear: str) -> None:
    result = run("check", linear, "-q")

    assert (result.exit_code, result.output) == (0, "")


def test_quiet_prints_the_findings_without_verdict_or_notes(two_heads: str) -> None:
    with working_directory(Path(two_heads)):
        loud = run("check", ".", "--no-drift")
        result = run("check", ".", "--no-drift", "--quiet")

    assert result.exit_code == 1
    assert result.output == "".join(loud.output.splitlines(keepends=True)[1:])
    assert result.output.startswith("migrations/versions/dddddddddddd_create_loan_table.py:16: MC101 error:")


def test_quiet_from_the_environment(two_heads: str) -> None:
    result = run("check", two_heads, "--no-drift", env={"MIGCHECK_QUIET": "1"})

    assert not result.output.startswith("failed:")


def test_quiet_leaves_a_json_document_whole(two_heads: str) -> None:
    result = run("check", two_heads, "--no-drift", "-q", "--format", "json")

    assert json.loads(result.output)["findings"][0]["rule"] == "MC101"


def test_quiet_with_output_writes_the_whole_report_and_no_verdict(two_heads: str, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"

    result = run("check", two_heads, "--no-drift", "-q", "-o", str(report))

    assert (result.exit_code, result.output) == (1, "")
    assert report.read_text().startswith("failed: 1 error in migrations")


def test_quiet_and_verbose_together_are_a_usage_error(linear: str) -> None:
    result = run("check", linear, "-q", "-v")

    assert result.exit_code == 2
    assert "--quiet and --verbose cannot be used together" in result.output


# --- --statistics and -v -------------------------------------------------------------------------------------


def test_statistics_count_each_rule_after_the_report_then_the_timing(tmp_path: Path) -> None:
    project = copy_case("broken/two_heads", tmp_path / "p")
    versions = project / "migrations" / "versions"
    # a stray revision with no down_revision: a third head (still one MC101) and a second base (MC105)
    (versions / "eeeeeeeeeeee_stray.py").write_text(
        '"""stray\n\nRevision ID: eeeeeeeeeeee\nRevises:\n"""\n'
        "revision = 'eeeeeeeeeeee'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n"
    )

    result = run("check", str(project), "--no-drift", "--statistics")

    lines = result.output.splitlines()
    assert lines[-3:-1] == ["1  MC101  multiple-heads", "1  MC105  multiple-bases"]
    match = TIMING.match(lines[-1])
    assert match and match.group(1) == "5", lines[-1]


def test_statistics_of_a_clean_run_is_the_timing_line_alone(linear: str) -> None:
    result = run("check", linear, "--no-drift", "--statistics")

    assert result.output.splitlines()[0].startswith("ok: ")
    assert TIMING.match(result.output.splitlines()[-1])
    assert len(result.output.splitlines()) == 2


def test_verbose_ends_with_the_timing_line(linear: str) -> None:
    result = run("check", linear, "--no-drift", "-v")

    assert result.exit_code == 0
    assert TIMING.match(result.output.splitlines()[-1])


def test_no_timing_line_without_verbose_or_statistics(linear: str) -> None:
    assert "checked " not in run("check", linear, "--no-drift").output


def test_statistics_go_to_stderr_when_stdout_is_a_json_document(two_heads: str) -> None:
    result = run("check", two_heads, "--no-drift", "--format", "json", "--statistics")

    assert json.loads(result.stdout)["exit_code"] == 1
    assert result.stderr.splitlines()[0] == "1  MC101  multiple-heads"
    assert TIMING.match(result.stderr.splitlines()[-1])


def test_status_takes_the_same_output_flags(linear: str, tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('cccccccccccc')")
    db.close()
    url = f"sqlite:///{database}"

    assert run("status", linear, "--database-url", url, "-q").output == ""
    verbose = run("status", linear, "--database-url", url, "-v").output.splitlines()
    assert verbose[0].startswith("ok: ")
    assert TIMING.match(verbose[-1])


# --- --color -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "painted"),
    [
        ((), {}, False),  # auto, and the test runner's stdout is no terminal
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # no-color.org: NO_COLOR wins over auto
        (("--color", "always"), {"NO_COLOR": "1"}, True),  # an explicit flag wins over NO_COLOR
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
        ((), {"MIGCHECK_COLOR": "always"}, True),
        (("--color", "never"), {"MIGCHECK_COLOR": "always"}, False),
    ],
)
def test_color(two_heads: str, args: tuple[str, ...], env: dict[str, str], painted: bool) -> None:
    result = run("check", two_heads, "--no-drift", *args, env=env)

    assert (ANSI in result.output) is painted
    assert "error" in result.output


def test_color_never_paints_a_json_document_or_a_report_file(two_heads: str, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"

    document = run("check", two_heads, "--no-drift", "--color", "always", "--format", "json")
    run("check", two_heads, "--no-drift", "--color", "always", "-o", str(report))

    assert ANSI not in document.output
    assert ANSI not in report.read_text()


def test_an_unknown_color_is_a_usage_error(linear: str) -> None:
    result = run("check", linear, "--color", "sometimes")

    assert result.exit_code == 2
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in result.output

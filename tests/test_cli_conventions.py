"""The command-line conventions users bring from ruff and flake8: --exit-zero, `--fail-on never`, one rule's
docs, a mistyped command named as such, shell completion, and `status` formats checked at parse time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_case, working_directory

from migcheck.checks import REGISTRY
from migcheck.cli import main


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


@pytest.fixture
def two_heads(tmp_path: Path) -> Path:
    return copy_case("broken/two_heads", tmp_path / "two_heads")


# --- --exit-zero and --fail-on never -------------------------------------------------------------------------


def test_exit_zero_reports_the_findings_and_exits_0(two_heads: Path) -> None:
    with working_directory(two_heads):
        # this test is about --exit-zero; the MC3xx lint of the case's revisions (warnings that would add to the
        # verdict) is tested in tests/test_lintrun.py and tests/checks/
        result = run("check", ".", "--no-drift", "--exit-zero", "--ignore", "MC3")

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == (
        "found: 1 error in migrations: 4 revisions, 2 heads (cccccccccccc, dddddddddddd), 1 base"
        " (exit code 0: --exit-zero)"
    )
    assert lines[1].startswith("migrations/versions/dddddddddddd_create_loan_table.py:16: MC101 error:")


def test_fail_on_never_reports_and_exits_0(two_heads: Path) -> None:
    result = run("check", str(two_heads), "--no-drift", "--fail-on", "never")

    assert result.exit_code == 0
    assert result.output.splitlines()[0].endswith("(exit code 0: --fail-on never)")


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        ("env", {"MIGCHECK_EXIT_ZERO": "true"}),
        ("env", {"MIGCHECK_FAIL_ON": "never"}),
        ("pyproject", "exit_zero = true"),
        ("pyproject", "exit-zero = true"),
        ("pyproject", 'fail_on = "never"'),
    ],
)
def test_report_only_from_the_environment_or_pyproject(two_heads: Path, where: str, setting) -> None:
    env = setting if where == "env" else {}
    if where == "pyproject":
        (two_heads / "pyproject.toml").write_text(f"[tool.migcheck]\n{setting}\n")

    assert run("check", str(two_heads), "--no-drift", env=env).exit_code == 0


def test_a_fail_on_flag_beats_fail_on_never_in_pyproject(two_heads: Path) -> None:
    (two_heads / "pyproject.toml").write_text('[tool.migcheck]\nfail_on = "never"\n')

    assert run("check", str(two_heads), "--no-drift", "--fail-on", "error").exit_code == 1


def test_exit_zero_still_exits_2_when_migcheck_could_not_check(tmp_path: Path) -> None:
    project = copy_case("drift/blog_declarative", tmp_path / "p")
    env_py = project / "migrations" / "env.py"
    env_py.write_text("import sys\nsys.exit(0)\n" + env_py.read_text())

    result = run("check", str(project), "--exit-zero")

    assert result.exit_code == 2
    assert result.output.startswith("could not check: ")


def test_a_bad_fail_on_in_pyproject_lists_never_among_the_choices(two_heads: Path) -> None:
    (two_heads / "pyproject.toml").write_text('[tool.migcheck]\nfail_on = "sometimes"\n')

    result = run("check", str(two_heads), "--no-drift")

    assert result.exit_code == 2
    assert "use one of error, warning, notice, never" in result.output


# --- migcheck rules RULE -------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["MC101", "mc101", "multiple-heads"])
def test_one_rule_by_code_or_name(word: str) -> None:
    result = run("rules", word)

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "MC101 multiple-heads (error)"
    assert lines[1].strip() == REGISTRY["MC101"].summary
    assert "MC102" not in result.output
    assert REGISTRY["MC101"].description.splitlines()[0] in result.output


def test_one_rule_as_json_is_one_object() -> None:
    result = run("rules", "MC402", "--format", "json")

    document = json.loads(result.output)
    assert (document["code"], document["name"], document["severity"]) == (
        "MC402",
        "unknown-database-revision",
        "error",
    )


def test_every_rule_as_json_is_a_list() -> None:
    codes = [r["code"] for r in json.loads(run("rules", "--format", "json").output)]

    assert codes == sorted(REGISTRY)


def test_an_unknown_rule_exits_2_and_lists_the_known_ones() -> None:
    result = run("rules", "MC999")

    assert result.exit_code == 2
    assert (
        "no rule 'MC999'; known rules: MC101 (multiple-heads), MC102 (missing-down-revision)" in result.output
    )


# --- a mistyped command ----------------------------------------------------------------------------------------


def test_a_mistyped_command_is_named_with_the_close_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("chek")

    assert result.exit_code == 2
    assert "Error: no such command 'chek'; did you mean 'check'?" in result.output
    assert "does not exist" not in result.output


def test_a_word_that_is_neither_a_command_nor_a_path_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("banana")

    assert result.exit_code == 2
    assert (
        "'banana' is neither a command (check, cleanup, fix, github, graph, rules, status)" in result.output
    )


def test_a_directory_named_like_a_command_typo_is_still_checked(tmp_path: Path, monkeypatch) -> None:
    copy_case("clean/linear", tmp_path / "chek")
    monkeypatch.chdir(tmp_path)

    result = run("chek", "--no-drift")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


def test_a_missing_path_that_looks_like_a_path_says_it_does_not_exist(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("db/migrations")

    assert result.exit_code == 2
    assert "does not exist" in result.output


# --- shell completion ------------------------------------------------------------------------------------------


def _complete(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from migcheck.cli import main; main(prog_name='migcheck')"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_printed(shell: str) -> None:
    done = _complete({"_MIGCHECK_COMPLETE": f"{shell}_source"})

    assert done.returncode == 0, done.stderr
    assert "_MIGCHECK_COMPLETE" in done.stdout
    if shell == "bash":
        assert "complete -o nosort -F _migcheck_completion migcheck" in done.stdout


def test_completion_offers_the_commands_not_a_path() -> None:
    done = _complete({"_MIGCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "migcheck st", "COMP_CWORD": "1"})

    assert done.stdout.split() == ["plain,status"]


def test_completion_offers_rule_codes_and_names() -> None:
    done = _complete(
        {"_MIGCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "migcheck rules multiple", "COMP_CWORD": "2"}
    )

    assert done.stdout.split() == ["plain,multiple-heads", "plain,multiple-bases"]


def test_completion_after_a_path_offers_the_check_options() -> None:
    done = _complete(
        {"_MIGCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "migcheck . --exit", "COMP_CWORD": "2"}
    )

    assert done.stdout.split() == ["plain,--exit-zero"]


# --- status --format -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "markdown", "github"])
def test_status_accepts_only_the_formats_it_documents(two_heads: Path, fmt: str) -> None:
    result = run("status", str(two_heads), "--format", fmt)

    assert result.exit_code == 2
    assert f"'{fmt}' is not one of 'text', 'json'" in result.output


# --- the README's options table ----------------------------------------------------------------------------------


def test_the_readme_table_names_every_option_of_check() -> None:
    import click

    from migcheck.cli import check

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.partition("### Options of `migcheck check`")[2].partition("\n\n**")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    missing = [
        opt
        for p in check.params
        if isinstance(p, click.Option)
        for opt in p.opts
        if opt.startswith("--") and not any(f"`{opt}" in row or f"/{opt}" in row for row in rows)
    ]

    assert missing == []

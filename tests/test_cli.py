"""The command line as a user meets it: exit codes, flags, env vars, config precedence, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_case, working_directory

from migcheck.cli import main


@pytest.fixture
def project(tmp_path: Path):
    def copy(kind: str, name: str) -> Path:
        return copy_case(f"{kind}/{name}", tmp_path / name)

    return copy


def run(*args: str, env: dict[str, str] | None = None):
    # these tests are about the command line; the MC3xx lint of the cases' revisions is tested in
    # tests/test_lintrun.py and tests/checks/. An --ignore given by a test beats this variable, as it does for a user
    env = {"MIGCHECK_IGNORE": "MC3", **(env or {})}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_clean_project_exits_0_with_a_one_line_verdict(project) -> None:
    result = run("check", str(project("clean", "linear")))

    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "ok: migrations: 3 revisions, 1 head (cccccccccccc), 1 base"


def test_a_project_without_models_says_the_drift_check_did_not_run(project) -> None:
    result = run("check", str(project("clean", "linear")))

    assert result.output.splitlines()[1:] == [
        "note: drift check skipped: migrations: env.py sets target_metadata = None, so there are no models to compare"
    ]


def test_no_drift_keeps_a_clean_run_to_one_line(project) -> None:
    result = run("check", str(project("clean", "linear")), "--no-drift")

    assert result.output == "ok: migrations: 3 revisions, 1 head (cccccccccccc), 1 base\n"


def test_histories_split_by_subdirectory_are_named_with_the_reason_in_the_verdict(project) -> None:
    root = project("clean", "per_dialect_shared_ids")
    text = run("check", str(root), "--no-drift")
    document = json.loads(run("check", str(root), "--no-drift", "--format", "json").output)

    assert text.exit_code == 0
    assert text.output.splitlines()[0] == (
        "ok: 2 histories (8 revisions); migrations split by subdirectory: postgresql/, sqlite/ (each closed"
        " under down_revision/depends_on; 3 shared revision ids)"
    )
    assert document["splits"] == [
        {
            "environment": "migrations",
            "subdirectories": ["postgresql", "sqlite"],
            "shared_ids": ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "eeeeeeeeeeee"],
            "reason": "each closed under down_revision/depends_on",
        }
    ]


def test_one_history_has_no_split_in_the_verdict(project) -> None:
    document = json.loads(
        run("check", str(project("clean", "linear")), "--no-drift", "--format", "json").output
    )

    assert document["splits"] == []


def test_path_without_the_check_word_runs_check(project) -> None:
    assert run(str(project("clean", "linear"))).exit_code == 0


def test_findings_exit_1_and_name_file_line_rule_and_fix(project) -> None:
    with working_directory(project("broken", "two_heads")):
        result = run("check", ".")

    assert result.exit_code == 1
    verdict, finding, fix = result.output.splitlines()[:3]
    assert verdict.startswith("failed: 1 error in migrations")
    assert finding.startswith("migrations/versions/dddddddddddd_create_loan_table.py:16: MC101 error:")
    assert fix.strip().startswith('fix: run `alembic merge -m "merge heads" cccccccccccc dddddddddddd`')


def test_warnings_pass_by_default_and_fail_with_fail_on_warning(project) -> None:
    tree = str(project("broken", "docstring_mismatch"))

    assert run("check", tree).exit_code == 0
    assert run("check", tree, "--fail-on", "warning").exit_code == 1


def test_fail_on_from_environment_variable(project) -> None:
    tree = str(project("broken", "docstring_mismatch"))

    assert run("check", tree, env={"MIGCHECK_FAIL_ON": "warning"}).exit_code == 1


def test_flag_beats_environment_variable_beats_pyproject(project) -> None:
    tree = project("broken", "docstring_mismatch")
    (tree / "pyproject.toml").write_text('[tool.migcheck]\nfail_on = "warning"\n')

    assert run("check", str(tree)).exit_code == 1
    assert run("check", str(tree), env={"MIGCHECK_FAIL_ON": "error"}).exit_code == 0
    assert run("check", str(tree), "--fail-on", "warning", env={"MIGCHECK_FAIL_ON": "error"}).exit_code == 1


def test_ignore_by_name_and_select_by_code(project) -> None:
    tree = str(project("broken", "two_heads"))

    assert run("check", tree, "--ignore", "multiple-heads").exit_code == 0
    assert run("check", tree, "--select", "MC102,MC103").exit_code == 0
    assert run("check", tree, "--select", "MC1").exit_code == 1


def test_unknown_rule_exits_2_listing_the_known_rules(project) -> None:
    result = run("check", str(project("clean", "linear")), "--ignore", "MC999")

    assert result.exit_code == 2
    assert "unknown rule 'MC999'" in result.output
    assert "MC101 (multiple-heads)" in result.output


def test_unknown_config_key_exits_2_listing_valid_keys(project) -> None:
    tree = project("clean", "linear")
    (tree / "pyproject.toml").write_text("[tool.migcheck]\nfail_one = 'warning'\n")

    result = run("check", str(tree))

    assert result.exit_code == 2
    assert "unknown setting 'fail_one'" in result.output
    assert "fail_on" in result.output


def test_expected_heads_in_pyproject_accepts_intended_heads(project) -> None:
    tree = project("broken", "two_heads")
    (tree / "pyproject.toml").write_text("[tool.migcheck]\nexpected_heads = 2\n")

    assert run("check", str(tree)).exit_code == 0
    assert run("check", str(tree), "--expected-heads", "1").exit_code == 1


def test_expected_heads_by_id_flags_a_head_not_listed(project) -> None:
    tree = str(project("broken", "three_heads"))

    result = run("check", tree, "--expected-heads", "dddddddddddd,eeeeeeeeeeee")

    assert result.exit_code == 1
    assert "expected_heads" in result.output


def test_per_environment_settings_apply_to_that_environment_only(project) -> None:
    tree = project("clean", "monorepo_two_environments")
    billing = next(tree.glob("plugins/billing/migrations/versions/*.py"))
    billing.write_text(billing.read_text().replace("revision", "revision_typo", 1))
    (tree / "pyproject.toml").write_text(
        '[tool.migcheck]\nenvironments = ["core", {path = "plugins/billing", ignore = ["MC107"]}]\n'
    )

    result = run("check", str(tree))

    assert result.exit_code == 0, result.output


def test_inline_suppression_silences_that_line_only(project) -> None:
    tree = project("broken", "two_bases")
    before = run("check", str(tree), "--fail-on", "warning")
    path, line = before.output.splitlines()[1].split(":")[:2]
    lines = (tree / path).read_text().splitlines()
    lines[int(line) - 1] += "  # migcheck: ignore[MC105]"
    (tree / path).write_text("\n".join(lines) + "\n")

    assert before.exit_code == 1
    assert run("check", str(tree), "--fail-on", "warning").exit_code == 0


def test_json_report_has_a_stable_versioned_schema(project) -> None:
    result = run("check", str(project("broken", "two_heads")), "--format", "json")
    doc = json.loads(result.output)

    assert doc["version"] == 1
    assert doc["revision_count"] == 4
    assert {h["revision"] for h in doc["heads"]} == {"cccccccccccc", "dddddddddddd"}
    assert doc["environments"][0]["name"] == "migrations"
    assert [f["rule"] for f in doc["findings"]] == ["MC101"]


def test_output_file_gets_the_report_and_stdout_the_verdict(project, tmp_path: Path) -> None:
    out = tmp_path / "report" / "migcheck.json"

    result = run("check", str(project("broken", "two_heads")), "--format", "json", "--output", str(out))

    assert result.exit_code == 1
    assert json.loads(out.read_text())["findings"][0]["rule"] == "MC101"
    assert result.output.startswith("failed: 1 error")


def test_no_environment_found_exits_2_saying_where_it_looked(tmp_path: Path) -> None:
    result = run("check", str(tmp_path))

    assert result.exit_code == 2
    assert str(tmp_path) in result.output
    assert "--alembic-config" in result.output
    assert "Traceback" not in result.output


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope"))

    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_colour_only_when_forced_and_never_with_no_color(project) -> None:
    tree = str(project("broken", "two_heads"))

    assert "\033[" not in run("check", tree).output
    assert "\033[31m" in run("check", tree, env={"FORCE_COLOR": "1"}).output
    assert "\033[" not in run("check", tree, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).output


def test_rules_lists_every_rule_with_its_documentation() -> None:
    result = run("rules")

    for code in ("MC101", "MC102", "MC103", "MC104", "MC105", "MC106", "MC107", "MC108", "MC109"):
        assert code in result.output
    assert "alembic merge" in result.output


def test_python_dash_m_migcheck_runs_the_cli(project) -> None:
    tree = project("clean", "linear")

    proc = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(tree)], capture_output=True, text=True
    )

    assert proc.returncode == 0
    assert proc.stdout.startswith("ok: ")


def test_graph_checks_import_neither_sqlalchemy_nor_alembic(project) -> None:
    tree = project("clean", "linear")
    code = (
        "import sys; from migcheck.cli import main\n"
        "try:\n    main(['check', sys.argv[1], '--no-drift'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))"
    )

    proc = subprocess.run([sys.executable, "-c", code, str(tree)], capture_output=True, text=True)

    assert proc.stdout.strip().endswith("[]"), proc.stdout + proc.stderr


# --- the error boundary: one message on stderr, never a traceback ------------------------------------------


def test_ctrl_c_while_a_command_runs_exits_130_saying_interrupted(
    alembic_project: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = alembic_project(tmp_path / "app")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("migcheck.engine.run", interrupted)

    result = CliRunner().invoke(main, ["check", str(root)])

    assert result.exit_code == 130
    assert result.stderr == "migcheck: error: interrupted\n"
    assert "Aborted!" not in result.output


@pytest.mark.parametrize(
    "command",
    [["fix"], ["graph"], ["status", "--database-url", "sqlite://"]],
    ids=["fix", "graph", "status"],
)
def test_a_bug_of_migcheck_in_a_command_exits_2_naming_it_without_a_traceback(
    command: list[str],
    alembic_project: Callable[[Path], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = alembic_project(tmp_path / "app")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("migcheck.engine.load", broken)  # what fix, graph and status read projects with

    result = CliRunner().invoke(main, [command[0], str(root), *command[1:]])

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("migcheck: error: internal error: RuntimeError: boom\n")
    assert "please report it" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)

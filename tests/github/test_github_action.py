"""`migcheck github` as a workflow step: events, inputs, outputs, job summary, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from fake_api import FakeGitHub
from jobs import IGNORE, MARKER, MERGE_SHA, REPOSITORY, TOKEN, copy_tree, event_file, job_env, read_outputs

from migcheck.cli import check
from migcheck.github.context import CHECK_FLAGS
from migcheck.output import LOOK_FLAGS

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

CHECK_RUNS = f"/repos/{REPOSITORY}/check-runs"


@pytest.mark.parametrize(
    ("event", "sha"),
    [
        ("merge_group", "ec26c3e57ca3a959ca5aad62de7213c562f8c821"),
        ("push", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"),
        ("workflow_dispatch", MERGE_SHA),
    ],
)
def test_events_without_a_pr_make_no_comment_requests(
    action, api: FakeGitHub, broken: Path, event, sha
) -> None:
    outcome = action(broken, event=event, MIGCHECK_COMMENT="always")

    assert outcome.exit_code == 1
    [run] = api.check_runs.values()
    assert outcome.calls() == [("POST", CHECK_RUNS), ("PATCH", f"{CHECK_RUNS}/{run['id']}")]
    assert run["head_sha"] == sha
    assert outcome.warnings() == []


def test_pull_request_target_refuses_the_drift_check(action, api: FakeGitHub, tmp_path: Path) -> None:
    workspace = copy_tree("drift/core_table", tmp_path / "pr")

    outcome = action(workspace, event="pull_request_target", MIGCHECK_DRIFT=None, MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 0  # the graph is fine; the un-generated column goes unseen
    [warning] = outcome.warnings()
    assert "drift check not run: under pull_request_target" in warning
    assert "allow-untrusted-code: true" in warning
    assert "drift check not run" in outcome.summary
    assert api.check_runs  # the graph checks' results are still published


def test_pull_request_target_runs_the_drift_check_when_allowed(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    workspace = copy_tree("drift/core_table", tmp_path / "pr")

    outcome = action(
        workspace,
        event="pull_request_target",
        MIGCHECK_DRIFT=None,
        MIGCHECK_ALLOW_UNTRUSTED_CODE="true",
        MIGCHECK_COMMENT="never",
    )

    assert outcome.exit_code == 1
    assert outcome.warnings() == []
    [run] = api.check_runs.values()
    assert [(a["title"], a["path"]) for a in run["annotations"]] == [
        ("MC201 ungenerated-model-change", "tables.py")
    ]


def test_pull_request_target_does_not_run_the_install_command(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(
        broken, event="pull_request_target", MIGCHECK_INSTALL="touch installed", MIGCHECK_COMMENT="never"
    )

    assert not (broken / "installed").exists()
    assert any("install command was not run" in w for w in outcome.warnings())


def test_outputs_and_summary_are_written(action, api: FakeGitHub, broken: Path, tmp_path: Path) -> None:
    outcome = action(broken)

    report = tmp_path / "runner_temp" / "migcheck-report.json"
    assert outcome.outputs == {
        "result": "failure",
        "heads": "cccccccccccc,dddddddddddd",
        "findings": "1",
        "report": str(report),
    }
    document = json.loads(report.read_text(encoding="utf-8"))
    assert [f["rule"] for f in document["findings"]] == ["MC101"]
    assert outcome.summary.startswith("❌ **migcheck: 1 error**")
    assert "](https://github.com/octo-org/shop/blob/" in outcome.summary


def test_a_clean_run_says_success(action, api: FakeGitHub, clean: Path) -> None:
    outcome = action(clean)

    assert outcome.exit_code == 0
    assert outcome.outputs["result"] == "success"
    assert outcome.outputs["heads"] == "cccccccccccc"
    assert outcome.outputs["findings"] == "0"


def test_check_inputs_map_onto_the_check_flags(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(
        broken, MIGCHECK_IGNORE=f"multiple-heads,{IGNORE}", MIGCHECK_FAIL_ON="", MIGCHECK_SELECT=""
    )

    assert outcome.exit_code == 0
    assert outcome.outputs["findings"] == "0"


def test_fail_on_never_passes_the_step_and_still_reports_the_findings(
    action, api: FakeGitHub, broken: Path
) -> None:
    outcome = action(broken, MIGCHECK_FAIL_ON="never")

    assert outcome.exit_code == 0
    assert outcome.outputs["result"] == "success"
    assert outcome.outputs["findings"] == "1"
    [run] = api.check_runs.values()
    assert [a["title"] for a in run["annotations"]] == ["MC101 multiple-heads"]
    assert "reported only: `fail-on: never`" in outcome.summary  # the action's input, not the CLI flag


def test_the_severity_input_regrades_a_rule_before_fail_on_is_judged(
    action, api: FakeGitHub, broken: Path
) -> None:
    outcome = action(broken, MIGCHECK_SEVERITY="multiple-heads = notice, MC108=error")

    assert outcome.exit_code == 0
    assert outcome.outputs["result"] == "success"
    [run] = api.check_runs.values()
    assert [(a["title"], a["annotation_level"]) for a in run["annotations"]] == [
        ("MC101 multiple-heads", "notice")
    ]


def test_every_check_flag_has_its_input() -> None:
    flags = [
        (p.envvar, p.name)
        for p in check.params
        if isinstance(p, click.Option) and p.name not in ("fmt", "output", *LOOK_FLAGS)
    ]
    assert list(CHECK_FLAGS) == flags


def test_the_install_command_runs_first_in_the_workspace(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_INSTALL="echo installing; env > seen-env", MIGCHECK_COMMENT="never")

    assert "::group::migcheck: echo installing" in outcome.stdout
    assert "installing" in outcome.stdout
    assert outcome.exit_code == 1
    assert "MIGCHECK_GITHUB_TOKEN" not in (broken / "seen-env").read_text()


def test_a_failing_install_command_cannot_check(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_INSTALL="echo 'No matching distribution found for nosuchpkg'; exit 3")

    assert outcome.exit_code == 2
    assert "exit code 3" in outcome.stderr
    assert "No matching distribution found for nosuchpkg" in outcome.stderr
    assert outcome.outputs == {"result": "error"}
    assert "could not check" in outcome.summary
    assert outcome.calls() == []


def _raising(exc: BaseException) -> Callable[..., None]:
    """A stand-in for the engine that raises `exc` as the check runs."""

    def run(*args: object, **kwargs: object) -> None:
        raise exc

    return run


def test_ctrl_c_during_the_check_exits_130_with_result_error(
    action, api: FakeGitHub, clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("migcheck.engine.run", _raising(KeyboardInterrupt()))

    outcome = action(clean)

    assert outcome.exit_code == 130
    assert "migcheck: error: interrupted" in outcome.stderr
    assert outcome.outputs == {"result": "error"}
    assert "could not check" in outcome.summary


def test_a_bug_of_migcheck_during_the_check_exits_2_with_result_error(
    action, api: FakeGitHub, clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("migcheck.engine.run", _raising(RuntimeError("boom")))

    outcome = action(clean)

    assert outcome.exit_code == 2
    assert "migcheck: error: internal error: RuntimeError: boom" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert outcome.outputs == {"result": "error"}
    assert "could not check" in outcome.summary


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the event payload"),
        ("{not json", "is not valid JSON"),
        ("[]", "is not a JSON object"),
    ],
)
def test_a_bad_event_file_cannot_check(
    action, api: FakeGitHub, broken: Path, tmp_path: Path, content, message
) -> None:
    path = tmp_path / "event.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    outcome = action(broken, event_path=path)

    assert outcome.exit_code == 2
    assert f"GITHUB_EVENT_PATH {path}: " in outcome.stderr
    assert message in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert outcome.calls() == []


def test_a_pull_request_event_without_a_number_cannot_check(
    action, api: FakeGitHub, broken: Path, tmp_path: Path
) -> None:
    def drop_number(payload: dict) -> None:  # type: ignore[type-arg]
        del payload["number"], payload["pull_request"]["number"]

    outcome = action(broken, event_path=event_file(tmp_path, "pull_request", drop_number))

    assert outcome.exit_code == 2
    assert "has no pull request number" in outcome.stderr


def test_outside_github_actions_it_says_so(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, GITHUB_EVENT_NAME=None)

    assert outcome.exit_code == 2
    assert "GITHUB_EVENT_NAME is not set" in outcome.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("MIGCHECK_COMMENT", "sometimes"), ("MIGCHECK_ANNOTATIONS", "maybe"), ("MIGCHECK_FAIL_ON", "fatal")],
)
def test_a_bad_input_cannot_check(action, api: FakeGitHub, broken: Path, variable, value) -> None:
    outcome = action(broken, **{variable: value})

    assert outcome.exit_code == 2
    assert repr(value) in outcome.stderr
    assert outcome.calls() == []


def test_a_missing_path_cannot_check(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_PATH="no/such/dir")

    assert outcome.exit_code == 2
    assert "does not exist" in outcome.stderr


def test_the_real_entry_point(api: FakeGitHub, broken: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MIGCHECK_", "RUNNER_"))}
    env.update(
        {k: v for k, v in job_env(tmp_path, broken, api, "pull_request", None).items() if v is not None}
    )

    done = subprocess.run(
        [sys.executable, "-m", "migcheck", "github"],
        env=env,
        cwd=broken,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1, done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert read_outputs(tmp_path / "github_output")["result"] == "failure"
    assert [c["body"].splitlines()[0] for c in api.comments[42]] == [MARKER]


def test_a_file_name_that_is_not_utf8_is_reported_everywhere(action, api: FakeGitHub, broken: Path) -> None:
    versions = os.fsencode(broken / "migrations" / "versions")
    os.rename(versions + b"/dddddddddddd_create_loan_table.py", versions + b"/dddddddddddd_caf\xff.py")

    outcome = action(broken)

    assert outcome.exit_code == 1, outcome.stderr
    assert outcome.outputs["result"] == "failure"
    shown = "migrations/versions/dddddddddddd_caf\\xff.py"
    in_markdown = "migrations/versions/dddddddddddd\\_caf\\xff.py"  # `_` escaped in text: it shows `shown`
    assert in_markdown in outcome.summary and "dddddddddddd_caf%FF.py#L16" in outcome.summary
    assert in_markdown in api.comments[42][0]["body"]
    [run] = api.check_runs.values()
    assert [a["path"] for a in run["annotations"]] == [shown]
    assert outcome.warnings() == []

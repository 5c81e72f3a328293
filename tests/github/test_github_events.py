"""Which events run the repository's code (the install command, the drift check's imports): a short list, all
others only with allow-untrusted-code. Everywhere the graph checks run, since they import nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_api import FakeGitHub
from jobs import EVENTS, copy_tree

from migcheck.github.context import CODE_SAFE_EVENTS

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

# event -> the payload it is given (events of which tests/data/events has none borrow a similar one)
DENIED = {
    "pull_request_target": "pull_request_target",
    "issue_comment": "issue_comment",
    "workflow_run": "workflow_run",
    "pull_request_review": "pull_request",
    "deployment": "workflow_dispatch",  # and any event migcheck does not know
}


def _run(action, tmp_path: Path, event: str, payload: str | None = None, **env: str):  # type: ignore[no-untyped-def]
    workspace = copy_tree("drift/core_table", tmp_path / "pr")  # its models have a column no migration adds
    outcome = action(
        workspace,
        event=event,
        event_path=EVENTS / f"{payload or event}.json",
        MIGCHECK_DRIFT=None,
        MIGCHECK_INSTALL="touch installed",
        MIGCHECK_COMMENT="never",
        **env,
    )
    return workspace, outcome


def _drift_findings(api: FakeGitHub) -> list[str]:
    return [a["title"] for run in api.check_runs.values() for a in run["annotations"]]


@pytest.mark.parametrize("event", CODE_SAFE_EVENTS)
def test_the_projects_code_runs_under_an_event_that_is_safe_for_it(
    action, api: FakeGitHub, tmp_path: Path, event: str
) -> None:
    workspace, outcome = _run(action, tmp_path, event)

    assert (workspace / "installed").exists()
    assert outcome.exit_code == 1
    assert _drift_findings(api) == ["MC201 ungenerated-model-change"]
    assert outcome.warnings() == []


@pytest.mark.parametrize("event", DENIED)
def test_other_events_run_only_the_graph_checks(action, api: FakeGitHub, tmp_path: Path, event: str) -> None:
    workspace, outcome = _run(action, tmp_path, event, DENIED[event])

    assert not (workspace / "installed").exists()
    assert outcome.exit_code == 0  # the graph is fine; the un-generated column goes unseen
    assert _drift_findings(api) == []
    install, drift = outcome.warnings()
    assert f"the install command was not run: under {event} " in install
    assert f"drift check not run: under {event} " in drift
    assert "set the action's input `allow-untrusted-code: true`" in drift
    assert "MIGCHECK_" not in install + drift
    assert "drift check not run" in outcome.summary


@pytest.mark.parametrize("event", ["issue_comment", "workflow_run"])
def test_allow_untrusted_code_runs_it_under_any_event(
    action, api: FakeGitHub, tmp_path: Path, event: str
) -> None:
    workspace, outcome = _run(action, tmp_path, event, MIGCHECK_ALLOW_UNTRUSTED_CODE="true")

    assert (workspace / "installed").exists()
    assert _drift_findings(api) == ["MC201 ungenerated-model-change"]
    assert outcome.warnings() == []

"""The run's facts from GITHUB_* and the event payload; step outputs in the runner's file format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_api import FakeGitHub
from jobs import EVENTS, MERGE_SHA, PR_HEAD_SHA, TOKEN, read_outputs

from migcheck.errors import MigcheckError
from migcheck.github import action as action_module
from migcheck.github.action import RESULTS, Log, set_outputs
from migcheck.github.context import GitHubContext

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean


def environ(event: str, **extra: str) -> dict[str, str]:
    return {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(EVENTS / f"{event}.json"),
        "GITHUB_REPOSITORY": "octo-org/shop",
        "GITHUB_SHA": MERGE_SHA,
        "GITHUB_RUN_ID": "8123456789",
        "MIGCHECK_GITHUB_TOKEN": TOKEN,
        **extra,
    }


def test_a_pull_request_is_checked_at_its_head_commit() -> None:
    context = GitHubContext.from_env(environ("pull_request"))

    assert context.pr_number == 42
    assert context.sha == PR_HEAD_SHA
    assert not context.from_fork
    assert context.code_safe
    assert context.run_url == "https://github.com/octo-org/shop/actions/runs/8123456789"


def test_pull_request_target_from_a_fork_may_not_run_its_code() -> None:
    context = GitHubContext.from_env(environ("pull_request_target"))

    assert context.pr_number == 43
    assert context.from_fork
    assert not context.code_safe


def test_a_merge_group_is_checked_at_its_head_and_has_no_pr() -> None:
    context = GitHubContext.from_env(
        environ("merge_group", GITHUB_SHA="ec26c3e57ca3a959ca5aad62de7213c562f8c821")
    )

    assert context.pr_number is None
    assert context.sha == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def test_a_push_without_github_sha_uses_the_events_after() -> None:
    env = environ("push")
    del env["GITHUB_SHA"]

    assert GitHubContext.from_env(env).sha == "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"


def test_the_token_is_not_in_the_contexts_repr() -> None:
    context = GitHubContext.from_env(environ("pull_request"))

    assert context.token == TOKEN
    assert TOKEN not in repr(context)


def test_a_missing_event_path_is_a_clear_error() -> None:
    env = environ("pull_request")
    del env["GITHUB_EVENT_PATH"]

    with pytest.raises(MigcheckError, match="GITHUB_EVENT_PATH is not set"):
        GitHubContext.from_env(env)


def test_a_repository_that_is_not_owner_slash_name_is_an_error() -> None:
    with pytest.raises(MigcheckError, match="must be owner/name"):
        GitHubContext.from_env(environ("push", GITHUB_REPOSITORY="shop"))


def test_a_multiline_output_uses_a_delimiter(tmp_path: Path) -> None:
    out = tmp_path / "github_output"

    set_outputs(out, {"result": "failure", "notes": "line one\nline two"}, Log(None))

    text = out.read_text(encoding="utf-8")
    assert text.startswith("result=failure\nnotes<<ghadelimiter_")
    assert read_outputs(out) == {"result": "failure", "notes": "line one\nline two"}


def test_in_a_container_action_the_report_goes_to_home_and_the_output_names_the_hosts_path(
    action, api: FakeGitHub, broken: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Inside the Docker action RUNNER_TEMP names a directory of the host that is not mounted; HOME is
    # /github/home, which the runner mounts from $RUNNER_TEMP/_github_home (here a directory of the test's)
    home = tmp_path / "github_home"
    home.mkdir()
    monkeypatch.setattr(action_module, "CONTAINER_HOME", home)
    host_temp = "/home/runner/work/_temp"

    outcome = action(broken, RUNNER_TEMP=host_temp, HOME=str(home), MIGCHECK_COMMENT="never")

    assert outcome.outputs["report"] == f"{host_temp}/_github_home/migcheck-report.json"
    document = json.loads((home / "migcheck-report.json").read_text(encoding="utf-8"))
    assert document["exit_code"] == outcome.exit_code == 1
    assert not list(broken.rglob("migcheck-report*.json"))  # never into the checkout


def test_without_runner_temp_or_the_containers_home_the_report_still_stays_out_of_the_checkout(
    action, api: FakeGitHub, broken: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"  # a HOME that is not the container's /github/home
    home.mkdir()

    outcome = action(broken, RUNNER_TEMP="/home/runner/work/_temp", HOME=str(home), MIGCHECK_COMMENT="never")

    report = Path(outcome.outputs["report"])
    assert report.is_absolute() and report.is_file()
    assert not report.is_relative_to(broken) and not list(broken.rglob("migcheck-report*.json"))
    assert not report.is_relative_to(home)


def test_the_outputs_take_the_values_action_yml_documents(
    action, api: FakeGitHub, clean: Path, broken: Path
) -> None:
    passed = action(clean, MIGCHECK_COMMENT="never")
    failed = action(broken, MIGCHECK_COMMENT="never")
    could_not = action(broken, MIGCHECK_COMMENT="sometimes")

    assert [o.outputs["result"] for o in (passed, failed, could_not)] == list(RESULTS)
    assert passed.outputs["heads"] == "cccccccccccc" and passed.outputs["findings"] == "0"
    assert len(failed.outputs["heads"].split(",")) == 2 and int(failed.outputs["findings"]) >= 1
    assert Path(passed.outputs["report"]).is_file() and Path(failed.outputs["report"]).is_file()
    assert could_not.outputs == {"result": "error"}  # the inputs could not be read: nothing else is known


def test_the_prs_base_branch_is_read_from_the_event() -> None:
    context = GitHubContext.from_env(environ("pull_request"))

    assert context.base_ref == "main"

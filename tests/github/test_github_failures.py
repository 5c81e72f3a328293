"""When GitHub says no, or says nothing: bounded retries, a warning, and the check's exit code unchanged."""

from __future__ import annotations

import time
from pathlib import Path

from fake_api import FakeGitHub
from jobs import REPOSITORY, TOKEN, event_file

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

COMMENTS = f"/repos/{REPOSITORY}/issues/42/comments"
CHECK_RUNS = f"/repos/{REPOSITORY}/check-runs"


def from_a_fork(payload: dict) -> None:  # type: ignore[type-arg]
    head = payload["pull_request"]["head"]
    head["label"] = "contributor:add-loan-table"
    head["repo"] = {**head["repo"], "full_name": "contributor/shop", "fork": True}


def test_a_fork_prs_read_only_token_is_a_warning_not_a_failure(
    action, api: FakeGitHub, broken: Path, tmp_path: Path
) -> None:
    api.fault("POST", "/check-runs", "forbidden")
    api.fault("POST", "/issues/42/comments", "forbidden")

    outcome = action(broken, event_path=event_file(tmp_path, "pull_request", from_a_fork))

    assert outcome.exit_code == 1  # the check's verdict, not the comment's
    assert outcome.calls() == [
        ("POST", CHECK_RUNS),
        ("GET", COMMENTS),
        ("POST", COMMENTS),
    ]  # a 403 is not retried
    [warning] = outcome.warnings()
    assert "could not post the PR comment: 403 Resource not accessible by integration" in warning
    assert "fork" in warning
    assert "could not post the PR comment: 403 Resource not accessible by integration" in outcome.summary
    # without a check run, the findings are workflow-command annotations
    assert outcome.annotations() == [
        line for line in outcome.annotations() if line.startswith("::error file=")
    ]
    assert len(outcome.annotations()) == 1
    assert api.comments.get(42, []) == []


def test_a_502_is_retried_then_the_comment_is_posted(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("GET", "/issues/42/comments", "bad_gateway")

    outcome = action(broken)

    assert [c for c in outcome.calls() if "/issues/" in c[1]] == [
        ("GET", COMMENTS),
        ("GET", COMMENTS),
        ("POST", COMMENTS),
        ("GET", COMMENTS),
    ]
    assert outcome.warnings() == []
    assert len(api.comments[42]) == 1


def test_a_lasting_502_is_given_up_after_three_attempts(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("GET", "/issues/42/comments", "bad_gateway", times=10)

    outcome = action(broken)

    assert outcome.exit_code == 1
    assert [c for c in outcome.calls() if "/issues/" in c[1]] == [("GET", COMMENTS)] * 3
    [warning] = outcome.warnings()
    assert "could not post the PR comment: 502 Bad Gateway" in warning
    assert "502 Bad Gateway" in outcome.summary


def test_a_slow_answer_times_out_and_is_retried(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("GET", "/issues/42/comments", "slow", delay=1.6)

    outcome = action(broken)

    assert [c for c in outcome.calls() if "/issues/" in c[1]] == [
        ("GET", COMMENTS),
        ("GET", COMMENTS),
        ("POST", COMMENTS),
        ("GET", COMMENTS),
    ]
    assert outcome.warnings() == []
    assert len(api.comments[42]) == 1


def test_an_api_that_never_answers_in_time_is_a_warning(action, api: FakeGitHub, clean: Path) -> None:
    api.fault("GET", "/issues/42/comments", "slow", delay=1.6, times=3)

    outcome = action(clean, MIGCHECK_ANNOTATIONS="false")

    assert outcome.exit_code == 0
    assert outcome.calls() == [("GET", COMMENTS)] * 3
    [warning] = outcome.warnings()
    assert "could not post the PR comment: no answer within 1 s" in warning


def test_a_secondary_rate_limit_is_waited_out(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("POST", "/issues/42/comments", "secondary_rate_limit", retry_after=1)

    started = time.monotonic()
    outcome = action(broken, MIGCHECK_ANNOTATIONS="false")

    assert time.monotonic() - started >= 1.0  # retry-after is honoured
    # the retry looks again first, so a create that did go through is edited rather than repeated
    assert outcome.calls() == [
        ("GET", COMMENTS),
        ("POST", COMMENTS),
        ("GET", COMMENTS),
        ("POST", COMMENTS),
        ("GET", COMMENTS),  # after creating: one comment of this job's, as it should be
    ]
    assert outcome.warnings() == []
    assert len(api.comments[42]) == 1


def test_a_secondary_rate_limit_longer_than_worth_waiting_is_a_warning(
    action, api: FakeGitHub, broken: Path
) -> None:
    api.fault("POST", "/issues/42/comments", "secondary_rate_limit", retry_after=120)

    started = time.monotonic()
    outcome = action(broken, MIGCHECK_ANNOTATIONS="false")

    assert time.monotonic() - started < 10
    assert outcome.exit_code == 1
    assert outcome.calls() == [("GET", COMMENTS), ("POST", COMMENTS)]
    [warning] = outcome.warnings()
    assert "403 You have exceeded a secondary rate limit" in warning


def test_the_token_never_appears_in_the_log_summary_or_outputs(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("POST", "/check-runs", "echo_token")
    api.fault("GET", "/issues/42/comments", "echo_token")

    outcome = action(broken)

    assert outcome.exit_code == 1
    assert len(outcome.warnings()) == 2
    assert "token ***" in outcome.stdout
    for text in (outcome.stdout, outcome.stderr, outcome.summary, *outcome.outputs.values()):
        assert TOKEN not in text
    assert all(r.headers["authorization"] == f"token {TOKEN}" for r in outcome.requests)


def test_an_unknown_repository_is_a_warning(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("POST", "/check-runs", "not_found")
    api.fault("GET", "/issues/42/comments", "not_found")

    outcome = action(broken)

    assert outcome.exit_code == 1
    assert outcome.calls() == [("POST", CHECK_RUNS), ("GET", COMMENTS)]
    assert [w.split("::", 2)[2] for w in outcome.warnings()] == [
        "could not create the check run: 404 Not Found; the findings are workflow-command annotations instead",
        "could not post the PR comment: 404 Not Found; the report is in the job summary",
    ]


def test_an_unreachable_api_is_a_warning(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, GITHUB_API_URL="http://127.0.0.1:9", MIGCHECK_ANNOTATIONS="false")

    assert outcome.exit_code == 1
    [warning] = outcome.warnings()
    assert "could not post the PR comment: cannot connect to the GitHub API" in warning
    assert outcome.outputs["result"] == "failure"

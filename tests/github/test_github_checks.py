"""Annotations: every finding on a `migcheck` check run, 50 per request; workflow commands when that is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from fake_api import FakeGitHub
from jobs import PR_HEAD_SHA, REPOSITORY

import migcheck

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

CHECK_RUNS = f"/repos/{REPOSITORY}/check-runs"
MISSING = 60


def many_findings(tree: Callable[..., Path]) -> Path:
    """60 revisions, each with a down_revision naming a revision that does not exist."""
    return tree(*((f"{n:012x}", f"gone{n:08x}") for n in range(1, MISSING + 1)))


def test_findings_go_on_a_check_run_in_batches_of_50(action, api: FakeGitHub, tree) -> None:
    workspace = many_findings(tree)

    outcome = action(workspace, MIGCHECK_COMMENT="never")

    assert outcome.outputs["findings"] == "60"  # each revision its MC102
    [run] = api.check_runs.values()
    update = ("PATCH", f"{CHECK_RUNS}/{run['id']}")
    assert outcome.calls() == [("POST", CHECK_RUNS), update, update]
    create, first, second = outcome.requests
    assert create.body == {
        "name": "migcheck",
        "head_sha": PR_HEAD_SHA,
        "status": "in_progress",
        "details_url": "https://github.com/octo-org/shop/actions/runs/8123456789",
    }
    assert len(first.body["output"]["annotations"]) == 50
    assert "conclusion" not in first.body
    assert len(second.body["output"]["annotations"]) == 10
    assert second.body["conclusion"] == "failure"
    assert len(run["annotations"]) == 60
    assert run["status"] == "completed"
    # with every finding on the check run, nothing is left for workflow commands
    assert outcome.annotations() == []
    assert "not shown as annotations" not in outcome.summary


def test_an_annotation_says_where_what_and_how_to_fix(action, api: FakeGitHub, broken: Path) -> None:
    action(broken, MIGCHECK_COMMENT="never")

    [run] = api.check_runs.values()
    assert run["conclusion"] == "failure"
    assert run["output"]["title"].startswith("failed: 1 error in migrations")
    assert run["annotations"] == [
        {
            "path": "migrations/versions/dddddddddddd_create_loan_table.py",
            "start_line": 16,
            "end_line": 16,
            "annotation_level": "failure",
            "title": "MC101 multiple-heads",
            "message": run["annotations"][0]["message"],
        }
    ]
    assert run["annotations"][0]["message"].startswith("2 unmerged heads")
    assert "\nfix: run `alembic merge" in run["annotations"][0]["message"]


def test_a_clean_run_concludes_its_check_run_with_success(action, api: FakeGitHub, clean: Path) -> None:
    outcome = action(clean, MIGCHECK_COMMENT="never")

    [run] = api.check_runs.values()
    assert outcome.calls() == [("POST", CHECK_RUNS), ("PATCH", f"{CHECK_RUNS}/{run['id']}")]
    assert outcome.requests[1].body["output"]["annotations"] == []
    assert run["conclusion"] == "success"


def test_without_checks_write_the_findings_are_workflow_commands(action, api: FakeGitHub, tree) -> None:
    workspace = many_findings(tree)
    api.fault("POST", "/check-runs", "forbidden")

    outcome = action(workspace, MIGCHECK_COMMENT="never")

    assert outcome.calls() == [("POST", CHECK_RUNS)]
    assert outcome.warnings() == []  # a token without `checks: write` is normal, not worth a warning
    assert "checks: write" in outcome.stdout
    shown = outcome.annotations()
    assert len(shown) == 10  # GitHub shows 10 errors per step; more would be dropped silently
    assert all(line.startswith("::error file=") for line in shown)
    left = int(outcome.outputs["findings"]) - 10
    assert f"{left} more findings are not shown as annotations" in outcome.summary


def test_a_batch_that_fails_leaves_the_rest_to_workflow_commands(action, api: FakeGitHub, tree) -> None:
    workspace = many_findings(tree)
    api.fault("PATCH", r"/check-runs/\d+", "bad_gateway", times=4)

    outcome = action(workspace, MIGCHECK_COMMENT="never")

    [run] = api.check_runs.values()
    # three attempts at the first batch, then one to complete the run so that it does not spin for ever
    assert outcome.calls() == [("POST", CHECK_RUNS)] + [("PATCH", f"{CHECK_RUNS}/{run['id']}")] * 5
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert run["annotations"] == []
    [warning] = outcome.warnings()
    assert "could not attach every annotation to the check run: 502 Bad Gateway" in warning
    assert len(outcome.annotations()) == 10


def test_annotations_false_publishes_none(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_ANNOTATIONS="false", MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 1
    assert outcome.calls() == []
    assert outcome.annotations() == []


def test_without_a_token_nothing_is_asked_of_the_api(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_GITHUB_TOKEN=None)

    assert outcome.exit_code == 1
    assert outcome.calls() == []
    assert len(outcome.annotations()) == 1
    [warning] = outcome.warnings()
    assert "no GitHub token" in warning


def test_an_annotation_title_names_the_rule_whatever_was_imported_before() -> None:
    code = textwrap.dedent(
        """
        from migcheck.findings import Finding, Location, Severity
        from migcheck.github.check_run import annotation

        finding = Finding("MC101", Severity.ERROR, "2 unmerged heads", Location("v/b.py", 15), "merge them")
        print(annotation(finding)["title"])
        """
    )
    # a fresh interpreter: nothing but the check run module (and what it imports) has been imported
    package = Path(migcheck.__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(package)},
    )

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "MC101 multiple-heads\n"

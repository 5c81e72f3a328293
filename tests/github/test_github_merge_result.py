"""`migcheck github` and the merge result: a PR checked against its base commit from the event (MC110),
and a merge queue, whose checkout is the merge result itself (MC101)."""

from __future__ import annotations

import json
from pathlib import Path

from fake_api import FakeGitHub
from helpers import add_revision, commit, copy_case, git
from jobs import MARKER, event_file

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean


def _two_prs(tmp_path: Path) -> tuple[Path, str]:
    """A checkout of the PR branch (dddd on cccc) whose base, main, has since merged eeee on cccc."""
    repo = copy_case("clean/linear", tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "base")
    git(repo, "checkout", "-qb", "feature")
    add_revision(repo, "dddddddddddd", "cccccccccccc", "age")
    commit(repo, "feature: age")
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "eeeeeeeeeeee", "cccccccccccc", "points")
    commit(repo, "main: points")
    base_sha = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "feature")
    return repo, base_sha


def test_a_pr_is_checked_against_the_base_commit_of_its_event(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    repo, base_sha = _two_prs(tmp_path)
    event = event_file(tmp_path, "pull_request", lambda e: e["pull_request"]["base"].update(sha=base_sha))

    outcome = action(repo, event_path=event)

    assert outcome.exit_code == 1
    assert "MC110" in outcome.summary and "after merge" in outcome.summary
    # named as the reader knows it: the PR's base branch (the event's base.ref), not its commit id
    report = json.loads(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    [mc110] = [f for f in report["findings"] if f["rule"] == "MC110"]
    assert mc110["message"].startswith("after merge main will have 2 heads: ")
    assert "migcheck fix --base main --write" in mc110["hint"]
    assert base_sha not in outcome.summary + outcome.stdout + json.dumps(report)
    [created] = [r for r in outcome.requests if r.method == "POST" and r.path.endswith("/comments")]
    assert MARKER in created.body["body"] and "MC110" in created.body["body"]


def test_base_auto_in_the_project_still_checks_the_pr_against_its_event_base(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    repo, base_sha = _two_prs(tmp_path)
    git(repo, "branch", "-q", "before-points", "main~1")
    git(
        repo, "branch", "-q", "--set-upstream-to=before-points"
    )  # what `auto` would pick: no second head there
    (repo / "pyproject.toml").write_text('[tool.migcheck]\nbase = "auto"\n')
    event = event_file(tmp_path, "pull_request", lambda e: e["pull_request"]["base"].update(sha=base_sha))

    outcome = action(repo, event_path=event)

    assert outcome.exit_code == 1
    # the PR's base branch by name (the event's base.ref), checked at the event's base commit
    assert "after merge main will have 2 heads" in outcome.summary
    assert "base branch:" not in outcome.stdout


def test_base_auto_in_the_project_is_no_base_on_a_push(action, api: FakeGitHub, tmp_path: Path) -> None:
    repo, _ = _two_prs(tmp_path)
    git(repo, "branch", "-q", "--set-upstream-to=main")  # `auto` would find main's second head here
    (repo / "pyproject.toml").write_text('[tool.migcheck]\nbase = "auto"\n')

    outcome = action(repo, event="push")

    assert outcome.exit_code == 0
    assert "MC110" not in outcome.stdout and "base branch:" not in outcome.stdout


def test_a_shallow_clone_without_the_base_commit_warns_and_checks_the_rest(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    repo, _ = _two_prs(tmp_path)
    missing = "1" * 40
    event = event_file(tmp_path, "pull_request", lambda e: e["pull_request"]["base"].update(sha=missing))

    outcome = action(repo, event_path=event)

    assert outcome.exit_code == 0
    assert any("fetch-depth: 0" in w for w in outcome.warnings())


def test_a_merge_group_with_two_heads_blocks_the_queue_without_commenting(
    action, api: FakeGitHub, broken: Path
) -> None:
    outcome = action(broken, event="merge_group", MIGCHECK_COMMENT="always")

    assert outcome.exit_code == 1
    assert any("MC101" in line for line in outcome.annotations()) or api.check_runs
    assert not [r for r in outcome.requests if "/comments" in r.path]

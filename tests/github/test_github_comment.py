"""The sticky PR comment: created once on a failure, edited in place after, turned into a resolved note."""

from __future__ import annotations

from pathlib import Path

from fake_api import FakeGitHub
from jobs import MARKER, REPOSITORY, copy_tree

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

COMMENTS = f"/repos/{REPOSITORY}/issues/42/comments"
CHECK_RUNS = f"/repos/{REPOSITORY}/check-runs"


def comment_calls(outcome) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [c for c in outcome.calls() if "/issues/" in c[1]]


def test_a_first_failing_run_creates_one_comment(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken)

    assert outcome.exit_code == 1
    assert comment_calls(outcome) == [("GET", COMMENTS), ("POST", COMMENTS)]
    [comment] = api.comments[42]
    assert comment["body"].startswith(MARKER + "\n")
    assert "migcheck: 1 error" in comment["body"]
    assert "dddddddddddd" in comment["body"]
    # links point at the PR's head commit, not at the merge commit GITHUB_SHA names
    assert "/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/migrations/versions/" in comment["body"]


def test_a_second_failing_run_edits_the_same_comment(action, api: FakeGitHub, broken: Path) -> None:
    action(broken)
    [first] = api.comments[42]

    outcome = action(broken)

    assert outcome.exit_code == 1
    assert comment_calls(outcome) == [
        ("GET", COMMENTS),
        ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{first['id']}"),
    ]
    assert [c["id"] for c in api.comments[42]] == [first["id"]]


def test_a_clean_pr_gets_no_comment_with_on_failure(action, api: FakeGitHub, clean: Path) -> None:
    outcome = action(clean)

    assert outcome.exit_code == 0
    assert comment_calls(outcome) == [("GET", COMMENTS)]  # only to look for an earlier comment to resolve
    assert api.comments.get(42, []) == []


def test_a_fixed_pr_turns_the_comment_into_a_resolved_note(
    action, api: FakeGitHub, broken: Path, clean: Path
) -> None:
    action(broken)
    [comment] = api.comments[42]

    outcome = action(clean)

    assert outcome.exit_code == 0
    assert comment_calls(outcome) == [
        ("GET", COMMENTS),
        ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{comment['id']}"),
    ]
    assert comment["body"].startswith(MARKER + "\n")
    assert "Resolved" in comment["body"]
    assert "dddddddddddd" not in comment["body"]


def test_the_marker_is_found_among_40_comments_paged_by_30(action, api: FakeGitHub, broken: Path) -> None:
    api.max_per_page = 30
    for n in range(34):
        api.add_comment(42, f"review comment {n}")
    ours = api.add_comment(42, f"{MARKER}\nan earlier report", login="github-actions[bot]")
    for n in range(5):
        api.add_comment(42, f"later comment {n}")

    outcome = action(broken)

    gets = [r for r in outcome.requests if r.method == "GET" and r.path == COMMENTS]
    assert [r.query for r in gets] == [{"per_page": "100"}, {"per_page": "30", "page": "2"}]
    assert comment_calls(outcome)[-1] == ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{ours['id']}")
    assert len(api.comments[42]) == 40
    assert "dddddddddddd" in ours["body"]


def test_a_comment_of_another_path_is_left_alone(action, api: FakeGitHub, broken: Path) -> None:
    other = api.add_comment(42, "<!-- migcheck:comment path=services/billing -->\nbilling report")

    action(broken)

    assert other["body"].endswith("billing report")
    assert len(api.comments[42]) == 2


def test_always_comments_on_a_clean_run(action, api: FakeGitHub, clean: Path) -> None:
    outcome = action(clean, MIGCHECK_COMMENT="always")

    assert outcome.exit_code == 0
    assert comment_calls(outcome) == [("GET", COMMENTS), ("POST", COMMENTS)]
    assert "no problems" in api.comments[42][0]["body"]


def test_never_makes_no_comment_request(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 1
    assert comment_calls(outcome) == []


def test_each_path_input_has_a_comment_of_its_own(action, api: FakeGitHub, tmp_path: Path) -> None:
    workspace = tmp_path / "monorepo"
    copy_tree("broken/two_heads", workspace / "services" / "api")

    outcome = action(workspace, MIGCHECK_PATH="services/api/")

    [comment] = api.comments[42]
    assert comment["body"].startswith("<!-- migcheck:comment path=services/api -->\n")
    # paths in the report are the repository's, so that links and annotations land on the right file
    assert (
        "/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/services/api/migrations/versions/" in comment["body"]
    )
    [run] = api.check_runs.values()
    assert run["name"] == "migcheck (services/api)"
    assert (
        run["annotations"][0]["path"] == "services/api/migrations/versions/dddddddddddd_create_loan_table.py"
    )
    assert outcome.exit_code == 1

"""The sticky PR comment: created once on a failure, edited in place after, turned into a resolved note; one per
path and job, only ever the token's own, one even when two runs race."""

from __future__ import annotations

from pathlib import Path

from fake_api import FakeGitHub
from jobs import LEGACY_MARKER, MARKER, REPOSITORY, copy_tree

from migcheck.github.comment import identity

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

COMMENTS = f"/repos/{REPOSITORY}/issues/42/comments"
CHECK_RUNS = f"/repos/{REPOSITORY}/check-runs"
VIEWER = ("POST", "/graphql")  # whose token is it: asked before editing, never before a first comment


def comment_calls(outcome) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [c for c in outcome.calls() if "/issues/" in c[1] or c == VIEWER]


def edit(comment: dict) -> tuple[str, str]:  # type: ignore[type-arg]
    return ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{comment['id']}")


def test_a_first_failing_run_creates_one_comment(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken)

    assert outcome.exit_code == 1
    # listed again after creating: a concurrent run of this job may have created one too
    assert comment_calls(outcome) == [("GET", COMMENTS), ("POST", COMMENTS), ("GET", COMMENTS)]
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
    assert comment_calls(outcome) == [("GET", COMMENTS), VIEWER, edit(first)]
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
    assert comment_calls(outcome) == [("GET", COMMENTS), VIEWER, edit(comment)]
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
    assert comment_calls(outcome)[-1] == edit(ours)
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
    assert comment_calls(outcome) == [("GET", COMMENTS), ("POST", COMMENTS), ("GET", COMMENTS)]
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
    assert comment["body"].startswith("<!-- migcheck:comment path=services/api key=migcheck/")
    # paths in the report are the repository's, so that links and annotations land on the right file
    assert (
        "/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/services/api/migrations/versions/" in comment["body"]
    )
    [run] = api.check_runs.values()
    assert run["name"] == "migcheck (services/api)"
    assert (
        run["annotations"][0]["path"] == "services/api/migrations/versions/dddddddddddd_create_loan_table.py"
    )
    # and so are the paths the message and the hint quote, in the annotation and in the comment
    hinted = "in services/api/migrations/versions/dddddddddddd_create_loan_table.py:16 (and its"
    assert hinted in run["annotations"][0]["message"]
    assert hinted.replace("_", "\\_") in comment["body"]
    assert outcome.exit_code == 1


PG = "postgresql+psycopg://postgres:secret@127.0.0.1:5432/test"
MYSQL = "mysql+pymysql://root@127.0.0.1:3306/test"


def test_two_jobs_with_different_databases_keep_a_comment_each(
    action, api: FakeGitHub, broken: Path, clean: Path
) -> None:
    action(broken, MIGCHECK_DATABASE_URL=PG)
    action(broken, MIGCHECK_DATABASE_URL=MYSQL)
    postgres, mysql = api.comments[42]

    outcome = action(clean, MIGCHECK_DATABASE_URL=PG)  # the PostgreSQL job passes; the MySQL job has not run

    assert outcome.exit_code == 0
    assert [c["id"] for c in api.comments[42]] == [postgres["id"], mysql["id"]]
    assert "Resolved" in postgres["body"]
    assert "dddddddddddd" in mysql["body"] and "Resolved" not in mysql["body"]
    assert "key=migcheck/postgresql/" in postgres["body"].splitlines()[0]
    assert "key=migcheck/mysql/" in mysql["body"].splitlines()[0]
    assert "secret" not in postgres["body"]


def test_the_comment_key_input_names_the_comment(action, api: FakeGitHub, broken: Path) -> None:
    action(broken, MIGCHECK_COMMENT_KEY="postgres-16")
    action(broken, MIGCHECK_COMMENT_KEY="postgres-17")

    assert [c["body"].splitlines()[0] for c in api.comments[42]] == [
        "<!-- migcheck:comment path=. key=postgres-16 -->",
        "<!-- migcheck:comment path=. key=postgres-17 -->",
    ]


def test_a_comment_by_another_account_holding_the_marker_is_not_edited(
    action, api: FakeGitHub, broken: Path
) -> None:
    forged = api.add_comment(42, f"{MARKER}\nLooks fine to me, merge it!", login="mallory")

    outcome = action(broken)

    assert forged["body"] == f"{MARKER}\nLooks fine to me, merge it!"
    [_, ours] = api.comments[42]
    assert ours["user"]["login"] == "github-actions[bot]" and "dddddddddddd" in ours["body"]
    assert comment_calls(outcome) == [("GET", COMMENTS), VIEWER, ("POST", COMMENTS), ("GET", COMMENTS)]


def test_a_personal_token_edits_its_own_comment_and_not_the_bots(
    action, api: FakeGitHub, broken: Path
) -> None:
    api.login = "octocat"
    bots = api.add_comment(42, f"{MARKER}\nan earlier report", login="github-actions[bot]")
    mine = api.add_comment(42, f"{MARKER}\nan earlier report", login="octocat")

    action(broken)

    assert bots["body"].endswith("an earlier report")
    assert "dddddddddddd" in mine["body"]
    assert len(api.comments[42]) == 2


def test_without_knowing_whose_token_it_is_no_comment_is_edited(
    action, api: FakeGitHub, broken: Path
) -> None:
    ours = api.add_comment(42, f"{MARKER}\nan earlier report", login="github-actions[bot]")
    api.fault("POST", "/graphql", "forbidden")

    outcome = action(broken)

    assert outcome.exit_code == 1
    assert ours["body"].endswith("an earlier report")
    [warning] = outcome.warnings()
    assert "could not post the PR comment: 403" in warning


def test_a_race_with_an_older_twin_keeps_the_twin_with_this_runs_report(
    action, api: FakeGitHub, broken: Path
) -> None:
    api.fault("POST", "/issues/42/comments", "twin_before")  # the other run's comment lands first

    outcome = action(broken)

    [kept] = api.comments[42]
    created = next(r for r in outcome.requests if r.method == "POST" and r.path == COMMENTS)
    deleted = [r.path for r in outcome.requests if r.method == "DELETE"]
    assert len(deleted) == 1 and not deleted[0].endswith(f"/{kept['id']}")
    assert kept["body"] == created.body["body"]
    assert outcome.warnings() == []


def test_a_race_with_a_younger_twin_keeps_this_runs_comment(action, api: FakeGitHub, broken: Path) -> None:
    api.fault("POST", "/issues/42/comments", "twin_after")  # the other run's comment lands just after

    outcome = action(broken)

    [kept] = api.comments[42]
    [deleted] = [int(r.path.rsplit("/", 1)[1]) for r in outcome.requests if r.method == "DELETE"]
    assert deleted > kept["id"]  # the younger one goes
    assert comment_calls(outcome)[-1][0] == "DELETE"  # nothing to edit: the comment kept is this run's
    assert "dddddddddddd" in kept["body"]


def test_the_comment_of_an_earlier_migcheck_is_taken_over(action, api: FakeGitHub, clean: Path) -> None:
    old = api.add_comment(42, f"{LEGACY_MARKER}\n❌ an earlier failure", login="github-actions[bot]")

    outcome = action(clean)

    assert comment_calls(outcome) == [("GET", COMMENTS), VIEWER, edit(old)]
    assert old["body"].startswith(MARKER + "\n") and "Resolved" in old["body"]
    assert len(api.comments[42]) == 1


def test_the_default_key_ignores_the_credentials_and_the_base_commit() -> None:
    one = identity(
        "migcheck", {"MIGCHECK_DATABASE_URL": "postgresql://app:p@ss@db:5432/x", "MIGCHECK_BASE": "a"}
    )
    other = identity("migcheck", {"MIGCHECK_DATABASE_URL": "postgresql://ci:other@db:5432/x"})

    assert one == other
    assert one.startswith("migcheck/postgresql/")
    assert identity("migcheck", {"MIGCHECK_DATABASE_URL": "postgresql://ci@db:5432/y"}) != one

"""The merge result (`--base`, MC110-MC112), `migcheck fix` and `migcheck graph`, on real git repositories."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import add_revision, commit, copy_case, git, revision_source, working_directory

from migcheck.cli import main


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: aaaa -> bbbb -> cccc; the current branch `feature` starts at main."""
    root = copy_case("clean/linear", tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    return root


@pytest.fixture
def two_prs(repo: Path) -> Path:
    """feature adds dddd on cccc; meanwhile main merged eeee on cccc."""
    add_revision(repo, "dddddddddddd", "cccccccccccc", "age")
    commit(repo, "feature: age")
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "eeeeeeeeeeee", "cccccccccccc", "points")
    commit(repo, "main: points")
    git(repo, "checkout", "-q", "feature")
    return repo


def check(repo: Path, *args: str):
    """`migcheck check` run from `repo` (text reports show paths relative to the current directory)."""
    # these tests are about the merge result and the graph; the MC3xx lint of the revisions (all of them without
    # --base) is tested in tests/test_lintrun.py and tests/checks/
    with working_directory(repo):
        return CliRunner().invoke(
            main, ["check", ".", "--no-drift", "--ignore", "MC3", *args], catch_exceptions=False
        )


def test_two_prs_off_the_same_head_are_green_alone_and_mc110_against_main(two_prs: Path) -> None:
    alone = check(two_prs)
    merged = check(two_prs, "--base", "main")

    assert alone.exit_code == 0
    assert merged.exit_code == 1
    finding = merged.output.splitlines()[1]
    assert finding.startswith(
        "migrations/versions/dddddddddddd_age.py:12: MC110 error: after merge main will have 2 heads"
    )
    assert "'dddddddddddd' (yours" in finding and "'eeeeeeeeeeee' (merged since you branched" in finding
    assert (
        "set `down_revision = 'eeeeeeeeeeee'` in migrations/versions/dddddddddddd_age.py:12" in merged.output
    )
    assert "(new in this change)" in merged.output.splitlines()[0]


def test_fix_repoints_the_change_and_then_the_merge_check_is_clean(two_prs: Path) -> None:
    dry = CliRunner().invoke(main, ["fix", str(two_prs), "--base", "main"])
    unchanged = git(two_prs, "status", "--porcelain")
    wrote = CliRunner().invoke(main, ["fix", str(two_prs), "--base", "main", "--write"])

    assert dry.exit_code == 0 and unchanged == ""
    assert '-down_revision = "cccccccccccc"\n+down_revision = "eeeeeeeeeeee"' in dry.output
    assert "-Revises: cccccccccccc\n+Revises: eeeeeeeeeeee" in dry.output
    assert wrote.exit_code == 0 and "wrote 1 file(s)" in wrote.output
    assert check(two_prs, "--base", "main").exit_code == 0
    git(two_prs, "merge", "-q", "main", "-m", "merge main")
    after_merge = check(two_prs)
    assert after_merge.exit_code == 0, after_merge.output
    assert "1 head (dddddddddddd)" in after_merge.output


def test_a_pr_rebased_correctly_is_clean(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "eeeeeeeeeeee", "cccccccccccc", "points")
    commit(repo, "main: points")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    add_revision(repo, "dddddddddddd", "eeeeeeeeeeee", "age")
    commit(repo, "feature: age on top of points")

    assert check(repo, "--base", "main").exit_code == 0


def test_editing_a_revision_that_is_on_main_is_mc111_at_the_changed_line(repo: Path) -> None:
    old = next((repo / "migrations" / "versions").glob("bbbbbbbbbbbb_*.py"))
    text = old.read_text()
    old.write_text(text.replace('"email"', '"email_address"', 1))
    commit(repo, "edit an old revision")
    changed = next(i for i, line in enumerate(old.read_text().splitlines(), 1) if "email_address" in line)

    result = check(repo, "--base", "main")

    assert result.exit_code == 1
    assert (
        f"{old.relative_to(repo).as_posix()}:{changed}: MC111 error: the change edits revision 'bbbbbbbbbbbb'"
        in result.output
    )


def test_a_comment_only_edit_is_a_notice(repo: Path) -> None:
    old = next((repo / "migrations" / "versions").glob("bbbbbbbbbbbb_*.py"))
    old.write_text(old.read_text() + "\n# reviewed in 2024\n")
    commit(repo, "comment")

    result = check(repo, "--base", "main")

    assert result.exit_code == 0
    assert "MC111 notice" in result.output and "whitespace or comments only" in result.output


def test_deleting_a_revision_that_is_on_main_is_mc111(repo: Path) -> None:
    head = next((repo / "migrations" / "versions").glob("cccccccccccc_*.py"))
    head.unlink()
    commit(repo, "delete")

    result = check(repo, "--base", "main")

    assert "MC111 error: the change deletes revision 'cccccccccccc'" in result.output


def test_a_renamed_revision_file_is_not_a_change(repo: Path) -> None:
    old = next((repo / "migrations" / "versions").glob("cccccccccccc_*.py"))
    git(repo, "mv", str(old), str(old.with_name("0003_cccccccccccc_renamed.py")))
    commit(repo, "rename")

    assert check(repo, "--base", "main").output.startswith("ok:")


def test_a_new_revision_reusing_an_id_on_main_is_mc112(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "dddddddddddd", "cccccccccccc", "points")
    commit(repo, "main: points")
    git(repo, "checkout", "-q", "feature")
    add_revision(repo, "dddddddddddd", "cccccccccccc", "age")
    commit(repo, "feature: same id")

    result = check(repo, "--base", "main")

    assert (
        "MC112 error: new revision file migrations/versions/dddddddddddd_age.py reuses id 'dddddddddddd'"
        in result.output
    )


def test_a_base_branch_with_a_merge_revision(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "dddddddddddd", "cccccccccccc", "left")
    add_revision(repo, "eeeeeeeeeeee", "cccccccccccc", "right")
    merge = add_revision(repo, "ffffffffffff", "cccccccccccc", "merge")
    merge.write_text(
        merge.read_text().replace(
            'down_revision = "cccccccccccc"', 'down_revision = ("dddddddddddd", "eeeeeeeeeeee")'
        )
    )
    commit(repo, "main: branches merged")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "main")
    add_revision(repo, "999999999999", "ffffffffffff", "age")
    commit(repo, "feature on the merge")

    assert check(repo, "--base", "main").exit_code == 0


def test_a_base_that_is_not_in_a_shallow_clone_exits_2_saying_how_to_fetch_it(
    two_prs: Path, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{two_prs}", str(shallow)],
        check=True,
    )

    result = CliRunner().invoke(main, ["check", str(shallow), "--no-drift", "--base", "origin/main~1"])

    assert result.exit_code == 2
    assert "shallow clone" in result.output and "fetch-depth: 0" in result.output


def test_fix_with_merge_writes_a_merge_revision_from_the_projects_template(two_prs: Path) -> None:
    git(two_prs, "merge", "-q", "main", "-m", "merge main")
    assert check(two_prs).exit_code == 1

    result = CliRunner().invoke(main, ["fix", str(two_prs), "--merge", "--write"])

    assert result.exit_code == 0, result.output
    assert (
        "Revises: dddddddddddd, eeeeeeeeeeee" in result.output
        or "Revises: eeeeeeeeeeee, dddddddddddd" in result.output
    )
    assert check(two_prs).exit_code == 0


def test_fix_refuses_when_both_sides_are_on_the_base_branch(two_prs: Path) -> None:
    git(two_prs, "merge", "-q", "main", "-m", "merge main")
    commit(two_prs, "nothing") if git(two_prs, "status", "--porcelain") else None
    git(two_prs, "branch", "-f", "main", "HEAD")

    result = CliRunner().invoke(main, ["fix", str(two_prs), "--base", "main"])

    assert result.exit_code == 2
    assert "migcheck fix --merge" in result.output


def test_graph_marks_heads_new_revisions_and_branch_points(two_prs: Path) -> None:
    git(two_prs, "merge", "-q", "main", "-m", "merge main")
    text = CliRunner().invoke(main, ["graph", str(two_prs), "--base", "main~1"]).output
    mermaid = CliRunner().invoke(main, ["graph", str(two_prs), "--format", "mermaid"]).output
    dot = CliRunner().invoke(main, ["graph", str(two_prs), "--format", "dot"]).output

    assert "cccccccccccc -> dddddddddddd (head)" in text
    assert "bbbbbbbbbbbb -> cccccccccccc (branchpoint)" in text
    ids = dict(re.findall(r'^    (r\d+)\["(\w+)', mermaid, re.M))
    edges = {(ids[a], ids[b]) for a, b in re.findall(r"^    (r\d+) --> (r\d+)$", mermaid, re.M)}
    assert mermaid.startswith("flowchart BT") and ("cccccccccccc", "dddddddddddd") in edges
    assert dot.startswith("digraph revisions") and '"cccccccccccc" -> "eeeeeeeeeeee";' in dot


def test_a_base_that_starts_with_a_dash_is_refused_before_git_sees_it(repo: Path) -> None:
    result = check(repo, "--base=--output=/tmp/x")

    assert result.exit_code == 2
    assert "--base --output=/tmp/x: not a git ref (a ref never starts with '-')" in result.stderr


def _stale_header(path: Path, said: str) -> None:
    text = path.read_text()
    start = text.index("Revises: ")
    path.write_text(text[:start] + f"Revises: {said}" + text[text.index("\n", start) :])


def test_mc108_against_a_base_reports_only_the_changes_new_revisions(tmp_path: Path) -> None:
    root = copy_case("clean/linear", tmp_path / "repo")
    deployed = next((root / "migrations" / "versions").glob("bbbbbbbbbbbb_*.py"))
    _stale_header(deployed, "000000000000")  # merged years ago with a header nobody fixed
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    added = add_revision(root, "dddddddddddd", "cccccccccccc", "age")
    _stale_header(added, "bbbbbbbbbbbb")  # rebased by hand, header left behind
    commit(root, "feature: age")

    without = check(root, "--format", "json")
    against = check(root, "--base", "main", "--format", "json")

    assert sorted(f["revision"] for f in json.loads(without.output)["findings"]) == [
        "bbbbbbbbbbbb",
        "dddddddddddd",
    ]
    [finding] = json.loads(against.output)["findings"]
    assert (finding["rule"], finding["revision"], finding["line"]) == ("MC108", "dddddddddddd", 4)
    assert finding["path"] == "migrations/versions/dddddddddddd_age.py"


# --- one history per database (versions/postgresql/, versions/sqlite/) that share revision ids -------------


@pytest.fixture
def per_dialect(tmp_path: Path) -> Path:
    """main: clean/per_dialect_shared_ids (aaaa, bbbb, eeee in both subdirectories); `feature` starts there."""
    root = copy_case("clean/per_dialect_shared_ids", tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    return root


def add_to(repo: Path, subdirectory: str, rid: str, down: str) -> None:
    path = repo / "migrations" / "versions" / subdirectory / f"{rid}_rev.py"
    path.write_text(revision_source(rid, down), encoding="utf-8")


def test_the_same_change_added_to_each_database_is_clean_against_main(per_dialect: Path) -> None:
    add_to(per_dialect, "postgresql", "111111111111", "ffffffffffff")
    add_to(per_dialect, "sqlite", "111111111111", "eeeeeeeeeeee")
    commit(per_dialect, "feature: both databases")

    result = check(per_dialect, "--base", "main", "--format", "json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [(e["name"], e["new_revisions"]) for e in document["environments"]] == [
        ("migrations [postgresql]", ["111111111111"]),
        ("migrations [sqlite]", ["111111111111"]),
    ]
    assert [h["revision"] for h in document["heads"]] == ["111111111111", "111111111111"]


def test_deleting_one_databases_copy_of_a_shared_revision_is_mc111_in_its_history(per_dialect: Path) -> None:
    (per_dialect / "migrations" / "versions" / "sqlite" / "eeeeeeeeeeee_create_invoice.py").unlink()
    commit(per_dialect, "feature: drop the sqlite invoice revision")

    result = check(per_dialect, "--base", "main", "--format", "json")

    findings = json.loads(result.output)["findings"]
    assert [(f["rule"], f["environment"], f["path"]) for f in findings] == [
        ("MC111", "migrations [sqlite]", "migrations/versions/sqlite/eeeeeeeeeeee_create_invoice.py")
    ]


def test_two_prs_on_one_databases_head_are_mc110_in_that_history_and_fix_re_points(per_dialect: Path) -> None:
    add_to(per_dialect, "sqlite", "333333333333", "eeeeeeeeeeee")
    commit(per_dialect, "feature: sqlite change")
    git(per_dialect, "checkout", "-q", "main")
    add_to(per_dialect, "sqlite", "222222222222", "eeeeeeeeeeee")
    commit(per_dialect, "main: sqlite change")
    git(per_dialect, "checkout", "-q", "feature")

    result = check(per_dialect, "--base", "main")
    with working_directory(per_dialect):
        fixed = CliRunner().invoke(main, ["fix", ".", "--base", "main"])
        graph = CliRunner().invoke(main, ["graph", ".", "--base", "main"]).output

    assert result.exit_code == 1
    [finding] = [line for line in result.output.splitlines() if " MC" in line]
    assert finding.startswith(
        "migrations/versions/sqlite/333333333333_rev.py:16: MC110 error: after merge main"
    )
    assert finding.endswith("[migrations [sqlite]]")
    assert "+down_revision: Union[str, Sequence[str], None] = '222222222222'" in fixed.output.splitlines()
    assert "+++ b/migrations/versions/sqlite/333333333333_rev.py" in fixed.output
    assert "eeeeeeeeeeee -> 333333333333 (head) (new)" in graph
    assert graph.index("# migrations [postgresql]") < graph.index("# migrations [sqlite]")


def test_deleting_one_databases_whole_subdirectory_is_mc111_for_each_of_its_files(per_dialect: Path) -> None:
    git(per_dialect, "rm", "-rq", "migrations/versions/sqlite")
    commit(per_dialect, "feature: no more sqlite")

    result = check(per_dialect, "--base", "main", "--format", "json")

    findings = json.loads(result.output)["findings"]
    # postgresql/ still has aaaa, bbbb and eeee: neither an edit nor a reuse of an id main has in sqlite/
    assert sorted((f["rule"], f["environment"], f["revision"]) for f in findings) == [
        ("MC111", "migrations [sqlite]", "aaaaaaaaaaaa"),
        ("MC111", "migrations [sqlite]", "bbbbbbbbbbbb"),
        ("MC111", "migrations [sqlite]", "eeeeeeeeeeee"),
    ]

"""`--base auto` (`base = "auto"`, `MIGCHECK_BASE=auto`): on a developer's clone, the branch CI will compare
with, found from git (the upstream, else origin/HEAD), named in the verdict; nothing at all outside git.

Every repository is real: a bare `origin`, a clone of it, branches and fetches as a developer makes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import add_revision, commit, copy_case, git

from migcheck.cli import main
from migcheck.gitbase import choose_base
from migcheck.result import BaseBranch


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare remote whose main holds clean/linear (aaaa -> bbbb -> cccc)."""
    seed = copy_case("clean/linear", tmp_path / "seed")
    git(seed, "init", "-q", "-b", "main")
    commit(seed, "base")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


@pytest.fixture
def clone(tmp_path: Path, origin: Path) -> Path:
    """A developer's clone (origin/HEAD -> origin/main) on a new branch `feature-x` with no upstream."""
    root = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(root))
    git(root, "checkout", "-qb", "feature-x")
    return root


def check(root: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        main, ["check", str(root), "--no-drift", *args], env=env, catch_exceptions=False
    )


def verdict(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return check(root, *args, env=env).output.splitlines()[0]


def merged_elsewhere(tmp_path: Path, origin: Path) -> None:
    """Another pull request merges eeee on cccc into origin's main."""
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    add_revision(other, "eeeeeeeeeeee", "cccccccccccc", "points")
    commit(other, "points")
    git(other, "push", "-q", "origin", "main")


def test_the_upstream_of_the_current_branch_is_used_and_named(clone: Path) -> None:
    git(clone, "branch", "-q", "--set-upstream-to=origin/main")

    result = check(clone, "--base", "auto", "--format", "json")

    assert json.loads(result.output)["base"] == {
        "ref": "origin/main",
        "source": "upstream",
        "branch": "feature-x",
        "described": "origin/main, the upstream of feature-x",
    }
    assert verdict(clone, "--base", "auto") == (
        "ok: migrations: 3 revisions, 1 head (cccccccccccc), 1 base"
        " (base branch: origin/main, the upstream of feature-x)"
    )


def test_without_an_upstream_origin_head_is_used_and_named(clone: Path) -> None:
    assert verdict(clone, "--base", "auto").endswith("(base branch: origin/HEAD -> origin/main)")


def test_an_upstream_that_is_the_branchs_own_copy_is_passed_over_for_origin_head(clone: Path) -> None:
    git(clone, "push", "-q", "-u", "origin", "feature-x")  # the upstream is now origin/feature-x

    assert choose_base(clone, "auto") == BaseBranch("origin/main", "origin/HEAD")


def test_a_local_upstream_branch_is_used(clone: Path) -> None:
    git(clone, "branch", "-q", "develop", "origin/main")
    git(clone, "branch", "-q", "--set-upstream-to=develop")

    assert choose_base(clone, "auto") == BaseBranch("develop", "upstream", "feature-x")


def test_a_detached_head_has_no_upstream_so_origin_head_is_used(clone: Path) -> None:
    git(clone, "checkout", "-q", "--detach")

    assert choose_base(clone, "auto") == BaseBranch("origin/main", "origin/HEAD")


def test_on_main_itself_the_base_is_main_and_nothing_is_new(clone: Path) -> None:
    git(clone, "checkout", "-q", "main")  # tracks origin/main, its own copy, where HEAD is

    assert choose_base(clone, "auto") == BaseBranch("origin/main", "origin/HEAD")
    assert verdict(clone, "--base", "auto") == (
        "ok: migrations: 3 revisions, 1 head (cccccccccccc), 1 base (base branch: origin/HEAD -> origin/main)"
    )


def test_with_neither_there_is_no_base_and_nothing_is_said(clone: Path) -> None:
    git(clone, "remote", "set-head", "origin", "--delete")

    with_auto = check(clone, "--base", "auto")
    without = check(clone)

    assert choose_base(clone, "auto") is None
    assert (with_auto.exit_code, with_auto.output, with_auto.stderr) == (0, without.output, without.stderr)
    assert json.loads(check(clone, "--base", "auto", "--format", "json").output)["base"] is None


def test_outside_git_auto_is_silently_no_base(tmp_path: Path) -> None:
    root = copy_case("clean/linear", tmp_path / "plain")

    with_auto = check(root, "--base", "auto")
    without = check(root)

    assert choose_base(root, "auto") is None
    assert (with_auto.exit_code, with_auto.output, with_auto.stderr) == (0, without.output, without.stderr)


def test_without_git_installed_auto_is_silently_no_base(
    clone: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    assert choose_base(clone, "auto") is None


def test_a_named_base_is_taken_as_given_without_asking_git(tmp_path: Path) -> None:
    assert choose_base(tmp_path, "origin/release") == BaseBranch("origin/release")


def test_base_auto_in_pyproject_toml(clone: Path) -> None:
    (clone / "pyproject.toml").write_text('[tool.migcheck]\nbase = "auto"\n')

    assert verdict(clone).endswith("(base branch: origin/HEAD -> origin/main)")


def test_migcheck_base_auto_in_the_environment(clone: Path) -> None:
    assert verdict(clone, env={"MIGCHECK_BASE": "auto"}).endswith("(base branch: origin/HEAD -> origin/main)")


def test_a_named_base_is_not_repeated_in_the_verdict(clone: Path) -> None:
    assert "base branch" not in verdict(clone, "--base", "origin/main")
    assert json.loads(check(clone, "--base", "origin/main", "--format", "json").output)["base"] == {
        "ref": "origin/main",
        "source": "option",
        "branch": None,
        "described": "origin/main",
    }


def test_a_second_head_from_a_pr_merged_meanwhile_is_mc110_as_in_ci_once_fetched(
    clone: Path, origin: Path, tmp_path: Path
) -> None:
    add_revision(clone, "dddddddddddd", "cccccccccccc", "age")
    commit(clone, "feature: age")
    merged_elsewhere(tmp_path, origin)

    stale = check(clone, "--base", "auto")  # the clone has not seen eeee yet: origin/main is the old one
    git(clone, "fetch", "-q")
    fresh = check(clone, "--base", "auto")

    assert stale.exit_code == 0
    assert fresh.exit_code == 1
    assert fresh.output.splitlines()[0].endswith("(base branch: origin/HEAD -> origin/main)")
    assert (
        "migrations/versions/dddddddddddd_age.py:12: MC110 error: after merge origin/main will have 2 heads"
        in fresh.output
    )
    assert "`migcheck fix --base origin/main --write`" in fresh.output


def test_fix_with_base_auto_repoints_onto_the_upstream(clone: Path, origin: Path, tmp_path: Path) -> None:
    add_revision(clone, "dddddddddddd", "cccccccccccc", "age")
    commit(clone, "feature: age")
    merged_elsewhere(tmp_path, origin)
    git(clone, "fetch", "-q")
    git(clone, "branch", "-q", "--set-upstream-to=origin/main")

    result = CliRunner().invoke(main, ["fix", str(clone), "--base", "auto"])

    assert result.exit_code == 0, result.output
    assert '-down_revision = "cccccccccccc"\n+down_revision = "eeeeeeeeeeee"' in result.output


def test_graph_with_base_auto_marks_the_changes_revisions(clone: Path) -> None:
    add_revision(clone, "dddddddddddd", "cccccccccccc", "age")
    commit(clone, "feature: age")

    drawn = CliRunner().invoke(main, ["graph", str(clone), "--base", "auto"]).output.splitlines()

    assert [line.split(",")[0] for line in drawn if "(new)" in line] == [
        "cccccccccccc -> dddddddddddd (head) (new)"
    ]

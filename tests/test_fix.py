"""`migcheck fix` sees the environments, settings and histories `migcheck check` sees (`engine.load`).

Projects are made by `alembic init -t generic migrations`; the tests write the revision files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from helpers import add_revision, commit, copy_case, git, working_directory, write_revision

from migcheck.cli import main


def fix(root: Path, *args: str) -> Result:
    """`migcheck fix` run from `root` (its diff shows paths relative to the current directory)."""
    with working_directory(root):
        return CliRunner().invoke(main, ["fix", ".", *args], catch_exceptions=False)


def changed_files(diff: str) -> list[str]:
    return [line.removeprefix("+++ b/") for line in diff.splitlines() if line.startswith("+++ b/")]


def two_environments(alembic_project: Callable[[Path], Path], repo: Path) -> Path:
    """repo/one: a -> b (one head); repo/two: c -> d -> f and c -> e (two heads; e is the one to re-point)."""
    one = alembic_project(repo / "one")
    write_revision(one, "a", None)
    write_revision(one, "b", "a")
    two = alembic_project(repo / "two")
    write_revision(two, "c", None)
    write_revision(two, "d", "c")
    write_revision(two, "f", "d")
    write_revision(two, "e", "c")
    return repo


def test_fix_looks_only_at_the_environments_configured_in_pyproject(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    repo = two_environments(alembic_project, tmp_path / "repo")
    unconfigured = fix(repo)
    (repo / "pyproject.toml").write_text('[tool.migcheck]\nenvironments = ["one"]\n')

    result = fix(repo)

    assert changed_files(unconfigured.output) == ["two/migrations/versions/e_rev.py"]  # two has two heads
    assert result.exit_code == 0, result.output
    assert result.output == "nothing to fix: no history has more heads than intended\n"


def test_fix_accepts_the_heads_an_environment_is_configured_to_have(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    app = alembic_project(repo / "app")
    write_revision(app, "a", None)
    write_revision(app, "b", "a")
    write_revision(app, "d", "b")
    write_revision(app, "c", "a")
    unconfigured = fix(repo)
    (repo / "pyproject.toml").write_text(
        '[tool.migcheck]\nenvironments = [{path = "app", expected_heads = 2}]\n'
    )

    result = fix(repo)

    assert changed_files(unconfigured.output) == ["app/migrations/versions/c_rev.py"]
    assert result.exit_code == 0, result.output
    assert result.output == "nothing to fix: no history has more heads than intended\n"


def test_separate_histories_in_subdirectories_of_versions_are_nothing_to_fix(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    root = alembic_project(tmp_path / "app")
    write_revision(root, "a", None, under="postgresql")
    write_revision(root, "b", "a", under="postgresql")
    write_revision(root, "c", None, under="sqlite")
    write_revision(root, "d", "c", under="sqlite")

    result = fix(root)

    assert result.exit_code == 0, result.output
    assert result.output == "nothing to fix: no history has more heads than intended\n"


def test_two_heads_in_one_subdirectory_are_re_pointed_within_that_subdirectory(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    root = alembic_project(tmp_path / "app")
    write_revision(root, "a", None, under="postgresql")
    write_revision(root, "b", "a", under="postgresql")
    write_revision(root, "c", "b", under="postgresql")
    write_revision(root, "e", "a", under="postgresql")  # the shorter branch: re-pointed at c
    write_revision(root, "x", None, under="sqlite")
    write_revision(root, "y", "x", under="sqlite")

    result = fix(root)

    assert result.exit_code == 0, result.output
    assert changed_files(result.output) == ["migrations/versions/postgresql/e_rev.py"]
    assert "+down_revision: Union[str, Sequence[str], None] = 'c'" in result.output.splitlines()


def test_a_merge_revision_for_two_heads_in_one_subdirectory_goes_into_that_subdirectory(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    root = alembic_project(tmp_path / "app")
    write_revision(root, "a", None, under="postgresql")
    write_revision(root, "b", "a", under="postgresql")
    write_revision(root, "e", "a", under="postgresql")
    write_revision(root, "x", None, under="sqlite")
    write_revision(root, "y", "x", under="sqlite")

    result = fix(root, "--merge")

    assert result.exit_code == 0, result.output
    [merge] = changed_files(result.output)
    assert merge.startswith("migrations/versions/postgresql/"), merge


def _hinted_repoint(root: Path, *args: str) -> tuple[str, str]:
    """(file, new down_revision) that `migcheck check`'s hint says to edit."""
    with working_directory(root):
        checked = CliRunner().invoke(main, ["check", ".", "--no-drift", "--format", "text", *args])
    hints = [
        line.removeprefix("    fix: ") for line in checked.output.splitlines() if "`down_revision" in line
    ]
    assert len(hints) == 1, checked.output
    match = re.search(r"set `down_revision = '(\w+)'` in (\S+):\d+", hints[0])
    assert match is not None, hints[0]
    return match.group(2), match.group(1)


def _fixed_repoint(root: Path, *args: str) -> tuple[str, str]:
    """(file, new down_revision) that `migcheck fix` edits."""
    result = fix(root, *args)
    assert result.exit_code == 0, result.output
    [changed] = changed_files(result.output)
    [target] = re.findall(r"^\+down_revision\b.*= ['\"](\w+)['\"]$", result.output, re.MULTILINE)
    return changed, target


def test_fix_edits_the_revision_the_check_names_in_two_heads(tmp_path: Path) -> None:
    root = copy_case("broken/two_heads", tmp_path / "case")

    hinted = _hinted_repoint(root)

    assert hinted == ("migrations/versions/dddddddddddd_create_loan_table.py", "cccccccccccc")
    assert _fixed_repoint(root) == hinted


def test_with_base_check_and_fix_never_repoint_a_revision_the_base_branch_has(tmp_path: Path) -> None:
    """main: aaaa -> bbbb -> cccc; the branch adds 0000 on bbbb. Both sides are one revision long and
    cccc's file name sorts last, but cccc is on main: both commands move 0000 onto cccc."""
    root = copy_case("clean/linear", tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    add_revision(root, "000000000000", "bbbbbbbbbbbb", "age")
    commit(root, "feature: age")

    hinted = _hinted_repoint(root, "--base", "main")

    assert hinted == ("migrations/versions/000000000000_age.py", "cccccccccccc")
    assert _fixed_repoint(root, "--base", "main") == hinted

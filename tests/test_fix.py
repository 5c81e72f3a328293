"""`migcheck fix` sees the environments, settings and histories `migcheck check` sees (`engine.load`).

Projects are made by `alembic init -t generic migrations`; the tests write the revision files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from helpers import write_revision

from migcheck.cli import main


def fix(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["fix", str(root), *args], catch_exceptions=False)


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

"""Paths are shown relative to where the reader stands: the current directory for a person at a terminal (text,
`graph`, `fix`), the repository's root for GitHub and machines (sarif, github, markdown, json). The location and
the paths a message or hint quotes always agree.

The monorepo: `git init` at `repo/`, the project `broken/two_heads` in `repo/backend/`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import copy_case, git, working_directory, write_revision

from migcheck.cli import main
from migcheck.paths import relative, repository_root

LOAN = "dddddddddddd_create_loan_table.py"
BOOK = "cccccccccccc_add_book_published_on.py"
REPO_VERSIONS = "backend/migrations/versions/"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    copy_case("broken/two_heads", root / "backend")
    # these tests are about paths; the MC3xx lint of its revisions is tested in tests/test_lintrun.py and tests/checks/
    (root / "backend" / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC3"]\n')
    git(root, "init", "-q")
    return root


def invoke(cwd: Path, *args: str, workspace: str | None = None) -> Result:
    """migcheck run in `cwd`; GITHUB_WORKSPACE is `workspace` (unset when None, as outside GitHub Actions)."""
    with working_directory(cwd):
        return CliRunner().invoke(main, list(args), env={"GITHUB_WORKSPACE": workspace})


# (where the person stands, how PATH names backend/ from there, where the revision files are from there)
STANDS = [
    ("", "backend", "backend/migrations/versions/"),
    ("backend", ".", "migrations/versions/"),
    ("backend/migrations", "..", "versions/"),
]
WHERE = ["repo-root", "backend", "backend-migrations"]


@pytest.mark.parametrize(("stands", "path", "versions"), STANDS, ids=WHERE)
def test_text_paths_are_relative_to_the_current_directory(
    repo: Path, stands: str, path: str, versions: str
) -> None:
    result = invoke(repo / stands, "check", path, "--no-drift")

    finding, hint = result.output.splitlines()[1:3]
    assert result.exit_code == 1
    assert finding.startswith(
        f"{versions}{LOAN}:16: MC101 error: 2 unmerged heads: 'cccccccccccc' ({versions}{BOOK}:15)"
    )
    assert hint.endswith(
        f"set `down_revision = 'cccccccccccc'` in {versions}{LOAN}:16 (and its docstring's `Revises:` line)"
    )


@pytest.mark.parametrize(("stands", "path", "versions"), STANDS, ids=WHERE)
@pytest.mark.parametrize("workspace", [False, True], ids=["git", "GITHUB_WORKSPACE"])
def test_sarif_paths_are_relative_to_the_repository_root_wherever_it_runs(
    repo: Path, stands: str, path: str, versions: str, workspace: bool
) -> None:
    result = invoke(
        repo / stands,
        "check",
        path,
        "--no-drift",
        "--format",
        "sarif",
        workspace=str(repo) if workspace else None,
    )

    [found] = json.loads(result.output)["runs"][0]["results"]
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": REPO_VERSIONS + LOAN, "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 16}
    assert f"({REPO_VERSIONS}{BOOK}:15)" in found["message"]["text"]
    assert f"in {REPO_VERSIONS}{LOAN}:16 (and its" in found["message"]["text"]


@pytest.mark.parametrize(("stands", "path", "versions"), STANDS, ids=WHERE)
def test_github_annotations_name_the_file_from_the_repository_root(
    repo: Path, stands: str, path: str, versions: str
) -> None:
    result = invoke(repo / stands, "check", path, "--no-drift", "--format", "github")

    [command] = result.output.splitlines()
    assert command.startswith(f"::error file={REPO_VERSIONS}{LOAN},line=16,title=MC101 multiple-heads::")
    assert f"in {REPO_VERSIONS}{LOAN}:16 (and its" in command


def test_json_paths_are_relative_to_the_repository_root_and_say_so(repo: Path) -> None:
    result = invoke(repo / "backend" / "migrations", "check", "..", "--no-drift", "--format", "json")

    document = json.loads(result.output)
    assert Path(document["paths_from"]) == repo.resolve()
    assert document["root"] == "backend"
    assert document["findings"][0]["path"] == REPO_VERSIONS + LOAN
    assert [h["path"] for h in document["heads"]] == [REPO_VERSIONS + BOOK, REPO_VERSIONS + LOAN]


def test_markdown_paths_are_relative_to_the_repository_root(repo: Path) -> None:
    result = invoke(repo / "backend", "check", ".", "--no-drift", "--format", "markdown")

    # the location is Markdown text (it wraps at PR width), its underscores escaped
    assert f"· {REPO_VERSIONS}{LOAN}:16".replace("_", "\\_") in result.output


def test_without_git_the_checked_root_is_the_repository(tmp_path: Path) -> None:
    root = copy_case("broken/two_heads", tmp_path / "plain" / "backend")

    result = invoke(root / "migrations", "check", "..", "--no-drift", "--format", "github")

    assert result.output.startswith(f"::error file=migrations/versions/{LOAN},line=16,")


def test_a_workspace_that_does_not_hold_the_checked_root_is_not_its_repository(
    repo: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    assert repository_root(repo / "backend", {"GITHUB_WORKSPACE": str(elsewhere)}) == repo.resolve()
    assert repository_root(repo / "backend", {"GITHUB_WORKSPACE": str(repo)}) == repo.resolve()


@pytest.mark.parametrize(("stands", "path", "versions"), STANDS, ids=WHERE)
def test_graph_paths_are_relative_to_the_current_directory(
    repo: Path, stands: str, path: str, versions: str
) -> None:
    result = invoke(repo / stands, "graph", path)

    assert f"create loan table  {versions}{LOAN}:15" in result.output


@pytest.mark.parametrize(("stands", "path", "versions"), STANDS, ids=WHERE)
def test_fix_diff_names_the_file_from_the_current_directory(
    repo: Path, stands: str, path: str, versions: str
) -> None:
    dry = invoke(repo / stands, "fix", path)
    wrote = invoke(repo / stands, "fix", path, "--write")

    assert f"--- a/{versions}{LOAN}\n+++ b/{versions}{LOAN}\n" in dry.output
    assert wrote.exit_code == 0, wrote.output
    assert (
        "down_revision: Union[str, Sequence[str], None] = 'cccccccccccc'"
        in (repo / REPO_VERSIONS / LOAN).read_text()
    )


@pytest.mark.parametrize(("stands", "path", "versions"), STANDS, ids=WHERE)
def test_status_paths_are_relative_to_the_current_directory(
    repo: Path, stands: str, path: str, versions: str
) -> None:
    database = repo / "live.db"
    with sqlite3.connect(database) as db:
        db.execute("create table alembic_version (version_num varchar(32) not null)")
        db.execute("insert into alembic_version values ('aaaaaaaaaaaa')")
    db.close()

    result = invoke(repo / stands, "status", path, "--database-url", f"sqlite:///{database}")

    assert result.output.splitlines()[1].startswith(f"{versions}{BOOK}:15: MC401 error:")


def test_a_file_outside_the_current_directory_is_reached_with_dot_dot(tmp_path: Path) -> None:
    assert relative(tmp_path / "repo" / "a.py", tmp_path / "repo" / "sub") == "../a.py"
    assert relative(tmp_path / "repo" / "sub" / "a.py", tmp_path / "repo") == "sub/a.py"
    assert relative(tmp_path / "repo", tmp_path / "repo") == "."


def test_a_file_that_shares_only_the_filesystem_root_is_shown_absolute(tmp_path: Path) -> None:
    assert relative(Path("/nowhere-else/a.py"), tmp_path) == "/nowhere-else/a.py"


def test_a_path_already_shown_is_kept() -> None:
    assert relative("migrations/versions/a.py", Path("/somewhere")) == "migrations/versions/a.py"


def test_histories_split_by_subdirectory_stay_split_when_run_from_inside_one(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    """From versions/postgresql, the sqlite history's files are `../sqlite/...`: still a history of its own."""
    root = alembic_project(tmp_path / "app")
    write_revision(root, "a", None, under="postgresql")
    write_revision(root, "b", "a", under="postgresql")
    write_revision(root, "e", "a", under="postgresql")
    write_revision(root, "x", None, under="sqlite")
    write_revision(root, "y", "x", under="sqlite")
    inside = root / "migrations" / "versions" / "postgresql"

    result = invoke(inside, "check", "../../..", "--no-drift")
    fixed = invoke(inside, "fix", "../../..")

    assert result.output.splitlines()[1:3] == [
        "  migrations [postgresql]: 3 revisions, 2 heads (b, e), 1 base",
        "  migrations [sqlite]: 2 revisions, 1 head (y), 1 base",
    ]
    assert result.output.splitlines()[3].startswith("e_rev.py:")
    assert "--- a/e_rev.py\n+++ b/e_rev.py\n" in fixed.output

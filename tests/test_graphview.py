"""`migcheck graph` draws the environments `migcheck check` would check (`engine.load`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from helpers import copy_case, write_revision

from migcheck.cli import main


def test_graph_draws_only_the_environments_configured_in_pyproject(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    for name, rid in (("one", "a"), ("two", "b")):
        write_revision(alembic_project(repo / name), rid, None)
    (repo / "pyproject.toml").write_text('[tool.migcheck]\nenvironments = ["one"]\n')

    result = CliRunner().invoke(main, ["graph", str(repo)], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("# ")] == ["# one/migrations"]
    assert "b_rev.py" not in result.output


def test_graph_draws_each_history_of_an_environment_split_by_subdirectory_on_its_own(tmp_path: Path) -> None:
    root = copy_case("clean/per_dialect_shared_ids", tmp_path / "app")

    result = CliRunner().invoke(main, ["graph", str(root)], catch_exceptions=False)

    sections = {
        block.splitlines()[0]: block.splitlines()[1:] for block in result.output.strip().split("\n\n")
    }
    assert list(sections) == ["# migrations [postgresql]", "# migrations [sqlite]"]
    assert [line.split("  ")[0] for line in sections["# migrations [sqlite]"]] == [
        "bbbbbbbbbbbb -> eeeeeeeeeeee (head), create invoice",
        "aaaaaaaaaaaa -> bbbbbbbbbbbb, add account email",
        "<base> -> aaaaaaaaaaaa (base), create account",
    ]
    assert all("/postgresql/" in line for line in sections["# migrations [postgresql]"])
    assert len(sections["# migrations [postgresql]"]) == 5

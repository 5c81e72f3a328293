"""`migcheck graph` draws the environments `migcheck check` would check (`engine.load`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from helpers import write_revision

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

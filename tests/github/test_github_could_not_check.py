"""`migcheck github` when the drift check cannot run: exit 2, and the graph findings are still published."""

from __future__ import annotations

from pathlib import Path

from fake_api import FakeGitHub
from jobs import copy_tree

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

STRAY_HEAD = 'revision = "zzzzzzzzzzzz"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n'


def _two_heads_and_an_exiting_env_py(tmp_path: Path) -> Path:
    workspace = copy_tree("drift/blog_declarative", tmp_path / "pr")
    (workspace / "migrations" / "versions" / "zzzzzzzzzzzz_stray.py").write_text(STRAY_HEAD)
    env_py = workspace / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "from models import Base\n", "from models import Base\nimport sys; sys.exit(0)\n"
        )
    )
    return workspace


def test_a_sys_exit_in_env_py_is_exit_2_with_the_graph_findings_posted(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    workspace = _two_heads_and_an_exiting_env_py(tmp_path)

    outcome = action(workspace, MIGCHECK_DRIFT="true", MIGCHECK_COMMENT="always", GITHUB_ACTIONS="true")

    assert outcome.exit_code == 2
    assert outcome.outputs["result"] == "error"
    assert outcome.outputs["findings"] == "2"
    [comment] = api.comments[42]
    assert "migcheck could not check everything" in comment["body"]
    assert "env.py raised SystemExit(0)" in comment["body"] and "MC101" in comment["body"]
    assert "migcheck could not check everything" in outcome.summary and "MC101" in outcome.summary
    [run] = api.check_runs.values()
    assert run["conclusion"] == "failure"
    assert [a["title"] for a in run["annotations"]] == ["MC101 multiple-heads", "MC105 multiple-bases"]
    errors = [line for line in outcome.stdout.splitlines() if line.startswith("::error title=migcheck could")]
    assert len(errors) == 1 and "SystemExit(0)" in errors[0]
    assert "migcheck: error: migrations: env.py raised SystemExit(0)" in outcome.stderr

"""No text from the repository becomes a workflow command: whatever the action prints, on stdout and stderr.

Each case puts the same payload (a line break, then `::error`, `##[error]` and `::add-mask::` lines) where
`migcheck github` shows it: a configured value in the could-not-check message, a revision id in the findings,
the install command's output, an env.py error and an env.py print, Alembic's log of a revision's docstring.
The whole log is then read as GitHub's runner reads it, line by line, and must hold no command but migcheck's
own (`foreign_commands`): on stdout every line is checked even inside ::stop-commands:: frames, on stderr any
command at all is one too many.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_api import FakeGitHub
from jobs import TOKEN, commands, copy_tree, foreign_commands

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

PAYLOAD = "x\n::error title=INJECTED::pwned\n##[error]INJECTED\r::add-mask::hunter2\n  ::warning::INJECTED"
AS_PYTHON = repr(PAYLOAD)  # a Python string literal holding it


def _environments_in_pyproject(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    workspace = copy_tree("broken/two_heads", tmp_path / "pr")
    toml = PAYLOAD.replace("\n", "\\n").replace("\r", "\\r")
    (workspace / "pyproject.toml").write_text(f'[tool.migcheck]\nenvironments = ["{toml}"]\n')
    return workspace, {}


def _path_separator_in_alembic_ini(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    workspace = copy_tree("broken/two_heads", tmp_path / "pr")
    ini = workspace / "alembic.ini"
    continued = "\n    ".join(PAYLOAD.replace("\r", "\n").splitlines())  # an ini value's continuation lines
    text = ini.read_text().replace("path_separator = os", f"path_separator = {continued}")
    ini.write_text(
        text.replace("[alembic]\n", "[alembic]\nversion_locations = %(here)s/migrations/versions\n")
    )
    return workspace, {}


def _revision_id(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    workspace = copy_tree("broken/two_heads", tmp_path / "pr")
    (workspace / "migrations" / "versions" / "eeeeeeeeeeee_odd.py").write_text(
        f"revision = {AS_PYTHON}\ndown_revision = {AS_PYTHON}\n\n\ndef upgrade():\n    pass\n"
    )
    return workspace, {}


def _install_output(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    workspace = copy_tree("broken/two_heads", tmp_path / "pr")
    (workspace / "payload.txt").write_text(PAYLOAD)
    return workspace, {"MIGCHECK_INSTALL": "cat payload.txt; echo; cat payload.txt >&2"}


def _failing_install(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    workspace = copy_tree("broken/two_heads", tmp_path / "pr")
    (workspace / "payload.txt").write_text(PAYLOAD)
    return workspace, {"MIGCHECK_INSTALL": "cat payload.txt; exit 3"}


def _drift_tree(tmp_path: Path, change: Callable[[str], str]) -> tuple[Path, dict[str, Any]]:
    workspace = copy_tree("drift/blog_declarative", tmp_path / "pr")
    env_py = workspace / "migrations" / "env.py"
    env_py.write_text(change(env_py.read_text()))
    return workspace, {"MIGCHECK_DRIFT": "true"}


def _env_py_error(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    return _drift_tree(
        tmp_path, lambda s: s.replace("from models import Base\n", f"raise RuntimeError({AS_PYTHON})\n")
    )


def _env_py_prints(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    noise = (
        f"import sys, logging, warnings\nprint({AS_PYTHON})\nsys.stderr.write({AS_PYTHON})\n"
        f"warnings.warn({AS_PYTHON})\nlogging.getLogger('alembic').warning({AS_PYTHON})\n"
        f"print('::add-mask::', end='', flush=True); print('hunter2')\n"
    )
    return _drift_tree(
        tmp_path, lambda s: s.replace("from models import Base\n", f"from models import Base\n{noise}")
    )


def _docstring_in_alembics_log(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    workspace, env = _drift_tree(tmp_path, lambda s: s)
    [first] = sorted((workspace / "migrations" / "versions").glob("*.py"))[:1]
    first.write_text(f'"""{PAYLOAD}"""\n' + first.read_text().split('"""', 2)[2])
    return workspace, env


# case: (how to plant the payload, the exit code, whether the log shows it: the drift run shows what env.py
# logs and warns on stderr (its prints are dropped), so there the payload shows, escaped, never as a command)
CASES = {
    "environments in pyproject.toml": (_environments_in_pyproject, 2, True),
    "path_separator in alembic.ini": (_path_separator_in_alembic_ini, 2, True),
    "a revision id": (_revision_id, 1, True),
    "the install command's output": (_install_output, 1, True),
    "a failing install command": (_failing_install, 2, True),
    "an error raised in env.py": (_env_py_error, 2, True),
    "what env.py prints, logs and warns": (_env_py_prints, 1, True),
    "a docstring in Alembic's log": (_docstring_in_alembics_log, 1, False),
}


@pytest.mark.parametrize("case", CASES)
def test_repository_text_never_becomes_a_workflow_command(
    action, api: FakeGitHub, tmp_path: Path, case: str
) -> None:
    prepare, exit_code, shown = CASES[case]
    workspace, env = prepare(tmp_path)

    outcome = action(workspace, MIGCHECK_COMMENT="always", **env)

    assert outcome.exit_code == exit_code, outcome.stderr
    assert ("INJECTED" in outcome.stdout + outcome.stderr) == shown  # shown as text, if at all
    assert foreign_commands(outcome) == []
    assert TOKEN not in outcome.stdout + outcome.stderr


def test_the_could_not_check_message_keeps_its_lines_readable_on_stderr(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    workspace, _ = _environments_in_pyproject(tmp_path)

    outcome = action(workspace)

    assert outcome.exit_code == 2
    assert "migcheck: error: environments = [...]" in outcome.stderr
    # the runner would take `::error` at the start of a line; `%3A:error` it shows as it is
    assert "\n%3A:error title=INJECTED::pwned\n%23#[error]INJECTED\n%3A:add-mask::hunter2\n" in outcome.stderr
    [error] = [c for c in commands(outcome.stdout) if c.name == "error"]
    assert error.properties == {"title": "migcheck"} and "%0A::error title=INJECTED" in error.data

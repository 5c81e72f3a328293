"""What the project's code prints while migcheck runs it: stdout stays the report, log records of WARNING and up
reach stderr (once), INFO lines such as Alembic's "Context impl" never show, and the process's logging is left
as it was. Projects are generated with `alembic init -t generic`, whose alembic.ini logs Alembic at INFO.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import alembic.config  # noqa: F401 - as migcheck imports it before a run (its import adds a NullHandler)
from helpers import users_project

import migcheck

CHATTY = """\
import logging

logging.getLogger("alembic.env").warning("env.py warns the user")
logging.getLogger("alembic.env").info("env.py chatters")
print("env.py prints")
"""


def chatty_project(tmp_path: Path) -> Path:
    root = users_project(tmp_path)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_py.read_text() + "\n" + CHATTY)
    return root


def test_env_py_warnings_reach_stderr_once_and_info_lines_never_show(tmp_path) -> None:
    root = chatty_project(tmp_path)

    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["ok"] is True  # stdout is the report alone
    assert run.stderr.count("env.py warns the user") == 1  # env.py ran twice: migrate, then compare
    assert "INFO" not in run.stderr and "Context impl" not in run.stderr and "chatters" not in run.stderr
    assert "env.py prints" not in run.stdout + run.stderr


def test_a_check_leaves_the_process_logging_as_it_was(tmp_path) -> None:
    root = chatty_project(tmp_path)
    host = logging.getLogger("host.app")  # fileConfig's disable_existing_loggers would switch it off
    alembic = logging.getLogger("alembic")
    before = (list(logging.root.handlers), logging.root.level, alembic.level, alembic.handlers[:])

    result = migcheck.check(root)

    assert result.exit_code == 0, result.error
    assert (list(logging.root.handlers), logging.root.level, alembic.level, alembic.handlers[:]) == before
    assert not host.disabled
    assert logging.root.manager.disable == logging.NOTSET

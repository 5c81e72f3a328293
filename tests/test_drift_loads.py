"""How often the drift check executes each revision file: once per scratch database.

Alembic imports every revision file to build its revision map. Each file of the project below (written by the
real `alembic init -t generic`, with a branch and its merge) appends its revision id to a log file every time
it is executed, so the log counts the imports, whoever does them (Alembic's ScriptDirectory, migcheck's steps).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers import add_step_revision, users_project

import migcheck

COUNTER = """
with open({log!r}, "a", encoding="utf-8") as _log:
    _log.write(revision + "\\n")
"""


def _counted_project(tmp_path: Path) -> tuple[Path, Path]:
    """A clean project: a base, two branches off it and their merge, each file logging its own execution."""
    root = users_project(tmp_path)
    log = tmp_path / "loads.log"
    base = root / "migrations" / "versions" / "aaaaaaaaaaaa_step.py"
    base.write_text(
        base.read_text().replace("def downgrade():\n    pass", 'def downgrade():\n    op.drop_table("users")')
    )
    add_step_revision(root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", "pass")
    add_step_revision(root, "cccccccccccc", "aaaaaaaaaaaa", "pass")
    merge = add_step_revision(root, "dddddddddddd", "bbbbbbbbbbbb", "pass")
    merge.write_text(merge.read_text().replace("'bbbbbbbbbbbb'", "('bbbbbbbbbbbb', 'cccccccccccc')"))
    for path in (root / "migrations" / "versions").glob("*.py"):
        path.write_text(path.read_text() + COUNTER.format(log=str(log)))
    return root, log


def _loads(log: Path) -> Counter[str]:
    return Counter(log.read_text().split()) if log.exists() else Counter()


REVISIONS = ("aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc", "dddddddddddd")


def test_the_drift_check_executes_each_revision_file_exactly_once(
    tmp_path: Path, server_url: str | None
) -> None:
    root, log = _counted_project(tmp_path)

    result = migcheck.check(root, drift_only=True, database_url=server_url)

    assert result.error is None and result.findings == ()
    assert _loads(log) == Counter(dict.fromkeys(REVISIONS, 1))


def test_with_metadata_too_each_revision_file_is_executed_once(tmp_path: Path) -> None:
    # migcheck's own environment: env.py is run once for its options, then migcheck migrates and compares
    root, log = _counted_project(tmp_path)

    result = migcheck.check(root, drift_only=True, metadata="models:Base.metadata")

    assert result.error is None and result.findings == ()
    assert _loads(log) == Counter(dict.fromkeys(REVISIONS, 1))


def test_roundtrip_executes_each_revision_file_once_more_for_its_own_scratch_database(tmp_path: Path) -> None:
    # the stairway runs on a second scratch database with the project imported afresh (models register
    # tables on global MetaData objects); every upgrade and step back there shares that one import
    root, log = _counted_project(tmp_path)

    result = migcheck.check(root, drift_only=True, roundtrip=True)

    assert result.error is None and result.findings == ()
    assert _loads(log) == Counter(dict.fromkeys(REVISIONS, 2))


@pytest.mark.parametrize("roundtrip", [False, True], ids=["drift", "roundtrip"])
def test_the_whole_process_executes_each_revision_file_once_per_scratch_database(
    tmp_path: Path, roundtrip: bool
) -> None:
    root, log = _counted_project(tmp_path)
    flags = ["--roundtrip"] if roundtrip else []

    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", ".", "--drift-only", *flags],
        cwd=root,
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert _loads(log) == Counter(dict.fromkeys(REVISIONS, 2 if roundtrip else 1))

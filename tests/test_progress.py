"""Progress of the drift check on stderr: shown in place when stderr is a terminal, absent otherwise."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_case

from migcheck.config import load_settings
from migcheck.engine import run
from migcheck.progress import Progress, TerminalProgress


def _revision(rid: str, down: str, column: str) -> str:
    return (
        f'"""add {column}\n\nRevision ID: {rid}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision = {rid!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n    op.add_column('user', sa.Column({column!r}, sa.Integer()))\n\n\n"
        f"def downgrade():\n    op.drop_column('user', {column!r})\n"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The blog project with three revisions in a line (the models' `age` column is the last one's)."""
    root = copy_case("drift/blog_declarative", tmp_path / "blog")
    versions = root / "migrations" / "versions"
    (versions / "bbbbbbbbbbbb_points.py").write_text(_revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", "points"))
    (versions / "cccccccccccc_age.py").write_text(_revision("cccccccccccc", "bbbbbbbbbbbb", "age"))
    models = root / "models.py"
    models.write_text(models.read_text() + "    points = Column(Integer)\n")
    return root


def _run_on_a_terminal(*args: str) -> tuple[int, str, str]:
    """The CLI with stderr on a pseudo-terminal (stdout a pipe): exit code, stdout, what the terminal got."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "migcheck", "check", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = child.communicate(timeout=120)
    os.close(leader)
    return child.returncode, out.decode(), seen.decode()


def test_a_terminal_sees_each_revision_overwritten_in_place_then_erased(project: Path) -> None:
    code, out, terminal = _run_on_a_terminal(str(project), "--roundtrip")

    assert code == 0, out + terminal
    steps = [part.rstrip() for part in terminal.split("\r") if part.strip()]
    assert steps[:3] == [
        "migcheck: drift migrations: revision 1 of 3 (upgrade aaaaaaaaaaaa)",
        "migcheck: drift migrations: revision 2 of 3 (upgrade bbbbbbbbbbbb)",
        "migcheck: drift migrations: revision 3 of 3 (upgrade cccccccccccc)",
    ]
    assert "migcheck: roundtrip migrations: revision 2 of 3 (downgrade bbbbbbbbbbbb)" in steps
    assert steps[-1] == "migcheck: roundtrip migrations: revision 3 of 3 (upgrade cccccccccccc)"
    # the line is erased at the end: the terminal is left with nothing of it
    assert terminal.endswith("\r" + " " * len(steps[-1]) + "\r")
    assert out.startswith("ok: migrations: 3 revisions")


def test_nothing_extra_when_stderr_is_not_a_terminal(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(project), "--roundtrip"],
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""


def test_the_engine_reports_steps_to_the_callback_and_never_prints(project: Path, capsys) -> None:
    heard: list[Progress] = []

    result = run(load_settings(project), progress=heard.append)

    assert result.exit_code == 0
    assert [(p.phase, p.done, p.total, p.revision, p.downgrade) for p in heard] == [
        ("drift", 1, 3, "aaaaaaaaaaaa", False),
        ("drift", 2, 3, "bbbbbbbbbbbb", False),
        ("drift", 3, 3, "cccccccccccc", False),
    ]
    assert capsys.readouterr() == ("", "")


def test_a_graph_only_check_reports_no_progress(project: Path) -> None:
    heard: list[Progress] = []

    run(load_settings(project, {"drift": False}), progress=heard.append)

    assert heard == []


def test_the_terminal_line_is_cut_to_the_width_and_padded_over_a_longer_one() -> None:
    stream = io.StringIO()
    line = TerminalProgress(stream, width=60)

    line(Progress("a-very-long-environment-name", "drift", 1, 2, "aaaaaaaaaaaa"))
    line(Progress("e", "drift", 2, 2, "b"))
    line.close()

    first, second, erased, _ = stream.getvalue().split("\r")[1:]
    assert len(first) == 59 and first.endswith("…")
    assert second.startswith("migcheck: drift e: revision 2 of 2 (upgrade b)") and len(second) == 59
    assert erased == " " * len("migcheck: drift e: revision 2 of 2 (upgrade b)")


def test_quiet_keeps_the_terminal_free_of_progress(project: Path) -> None:
    code, out, terminal = _run_on_a_terminal(str(project), "--quiet")

    assert code == 0, out + terminal
    assert (out, terminal) == ("", "")


def test_verbose_ends_with_the_timing_line_after_the_progress_is_erased(project: Path) -> None:
    code, out, terminal = _run_on_a_terminal(str(project), "-v")

    assert code == 0, out + terminal
    assert "revision 3 of 3" in terminal
    assert out.splitlines()[-1].startswith("checked 3 revisions in ")
    assert " drift " in out.splitlines()[-1]

"""The exit-code contract, as a shell sees it: 0 clean, 1 findings, 2 could not check, 130/143 for Ctrl-C and
SIGTERM, and nothing else, ever; a message on stderr, never a traceback.

Each test runs the real command in a subprocess: signals, closed pipes and full disks only exist there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import make_tree

BLOG = Path(__file__).parent / "trees" / "drift" / "blog_declarative"
MIGCHECK = [sys.executable, "-m", "migcheck"]


def migcheck(*args: str, **popen: Any) -> subprocess.CompletedProcess[str]:
    popen.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [*MIGCHECK, *args], stderr=subprocess.PIPE, text=True, timeout=300, check=False, **popen
    )


def assert_clean_failure(run: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert run.returncode == code, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert "Aborted!" not in run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


# --- signals ------------------------------------------------------------------------------------------------


@pytest.fixture
def slow_models(tmp_path: Path) -> tuple[Path, Path]:
    """The blog project whose models module sleeps on import, after touching `started`: the drift check is
    running (a scratch database exists) when the test sends its signal."""
    project = shutil.copytree(BLOG, tmp_path / "blog", ignore=shutil.ignore_patterns("__pycache__"))
    started = tmp_path / "started"
    models = project / "models.py"
    models.write_text(
        f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(120)\n"
        + models.read_text()
    )
    return project, started


@pytest.mark.parametrize(
    ("sent", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "")],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_during_a_slow_drift_check_is_its_own_exit_code(
    slow_models: tuple[Path, Path], sent: signal.Signals, code: int, said: str
) -> None:
    project, started = slow_models

    def default_signals() -> None:  # a shell's background job may have SIGINT ignored; a terminal does not
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(
        [*MIGCHECK, "check", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_signals,
    )
    deadline = time.monotonic() + 120
    while not started.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), process.communicate()
    process.send_signal(sent)
    out, err = process.communicate(timeout=120)

    assert_clean_failure(subprocess.CompletedProcess(process.args, process.returncode, out, err), code, said)
    assert not out.startswith(("ok", "failed"))


# --- standard output that cannot be written -----------------------------------------------------------------


@pytest.fixture(scope="module")
def two_heads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tree(tmp_path_factory.mktemp("heads"), ("a", None), ("b", "a"), ("c", "a"))


COMMANDS: list[Callable[[Path], list[str]]] = [
    lambda p: ["check", str(p), "--no-drift"],
    lambda p: ["check", str(p), "--no-drift", "--format", "json"],
    lambda p: ["graph", str(p)],
    lambda p: ["fix", str(p)],
    lambda p: ["rules"],
    lambda p: ["--help"],
    lambda p: ["check", "--help"],
    lambda p: ["--version"],
]
IDS = ["check", "check-json", "graph", "fix", "rules", "help", "check-help", "version"]


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_closed_pipe_on_stdout_is_exit_2_with_a_message(
    two_heads: Path, command: Callable[[Path], list[str]]
) -> None:
    # `migcheck ... | head -c0`: the reader is gone before anything is written
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = migcheck(*command(two_heads), stdout=write_end)
    finally:
        os.close(write_end)

    assert_clean_failure(run, 2, "migcheck: error: cannot write", "Broken pipe")


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_full_disk_on_stdout_is_exit_2_with_a_message(
    two_heads: Path, command: Callable[[Path], list[str]]
) -> None:
    with open("/dev/full", "w") as full:
        run = migcheck(*command(two_heads), stdout=full)

    assert_clean_failure(run, 2, "migcheck: error: cannot write", "No space left on device")


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_closed_stdout_is_exit_2_with_a_message(
    two_heads: Path, command: Callable[[Path], list[str]]
) -> None:
    run = migcheck(*command(two_heads), stdout=None, pass_fds=(), preexec_fn=lambda: os.close(1))

    assert_clean_failure(run, 2, "migcheck: error: standard output is closed")


def test_a_report_written_with_o_still_needs_stdout_for_the_verdict(two_heads: Path, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        run = migcheck("check", str(two_heads), "--no-drift", "-o", str(tmp_path / "r.json"), stdout=full)

    assert_clean_failure(run, 2, "No space left on device")


# --- the GitHub event payload -------------------------------------------------------------------------------


@pytest.mark.parametrize("deep", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_a_deeply_nested_event_payload_is_exit_2_not_a_recursion_error(tmp_path: Path, deep: str) -> None:
    event = tmp_path / "event.json"
    event.write_text(deep)
    env = {
        **os.environ,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo-org/shop",
        "GITHUB_SHA": "a" * 40,
    }

    run = migcheck("github", env=env)

    assert_clean_failure(run, 2, str(event), "nested too deeply")
    assert "RecursionError" not in run.stdout + run.stderr

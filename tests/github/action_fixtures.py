"""Fixtures for `migcheck github`: the fake GitHub API on a thread, copies of test trees, and `action()`.

Test modules import them by name (this directory has no conftest.py: a second module named `conftest`
would shadow tests/conftest.py for the test modules that import helpers from it).

`action(workspace, event="pull_request", **env)` runs `migcheck github` through the real click entry point
with the environment a GitHub Actions job would have, and returns what a workflow would see: the exit code,
the log, the job summary and the step outputs, plus the requests the fake API received during that run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fake_api import FakeGitHub, serve
from jobs import REPOSITORY, TOKEN, Outcome, copy_tree, job_env, read_outputs

from migcheck.cli import main


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(token=TOKEN, repository=REPOSITORY)
    server, thread = serve(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert fake.violations == [], "requests GitHub would refuse"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return copy_tree("broken/two_heads", tmp_path / "broken")


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return copy_tree("clean/linear", tmp_path / "clean")


@pytest.fixture
def action(tmp_path: Path, api: FakeGitHub) -> Callable[..., Outcome]:
    """Run `migcheck github` in `workspace` for `event`; keyword arguments set (or, as None, unset) env vars."""

    def run(
        workspace: Path, event: str = "pull_request", event_path: Path | None = None, **env: Any
    ) -> Outcome:
        environ = job_env(tmp_path, workspace, api, event, event_path)
        environ.update(env)
        summary = Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
        output = Path(environ["GITHUB_OUTPUT"]) if environ.get("GITHUB_OUTPUT") else None
        for path in (summary, output):
            if path is not None and path.exists():
                path.unlink()  # each step has files of its own
        before = len(api.requests)
        result = CliRunner().invoke(main, ["github"], env=environ, catch_exceptions=False)
        return Outcome(
            exit_code=result.exit_code,
            stdout=result.stdout,
            stderr=result.stderr,
            summary=summary.read_text(encoding="utf-8") if summary and summary.exists() else "",
            outputs=read_outputs(output) if output else {},
            requests=api.requests[before:],
        )

    return run

"""What tests of `migcheck github` share: the job's constants, its environment, and what a run left behind."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_api import FakeGitHub, Request
from helpers import copy_case

TESTS = Path(__file__).resolve().parent.parent
EVENTS = TESTS / "data" / "events"
TOKEN = "ghs_fakeInstallationToken0123456789abcdef"
REPOSITORY = "octo-org/shop"
MERGE_SHA = "e4d2a5c8f0b1937a6c2d4e8f1a3b5c7d9e0f2a4b"  # GITHUB_SHA of a pull_request run: the merge commit
PR_HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
MARKER = "<!-- migcheck:comment path=. -->"


@dataclass
class Outcome:
    """What one run of `migcheck github` left behind."""

    exit_code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]
    requests: list[Request]

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]

    def warnings(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::warning")]

    def annotations(self) -> list[str]:
        return [
            line
            for line in self.stdout.splitlines()
            if line.startswith(("::error ", "::notice ", "::warning file"))
        ]


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for part in lines:
                if part == delimiter:
                    break
                body.append(part)
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def copy_tree(name: str, dest: Path) -> Path:
    """A copy of tests/trees/<name> as a job's workspace (a checkout of the repository)."""
    return copy_case(name, dest)


def job_env(
    tmp_path: Path, workspace: Path, api: FakeGitHub, event: str, event_path: Path | None
) -> dict[str, Any]:
    """The variables of a GitHub Actions job; every GITHUB_*/MIGCHECK_* of the test's own process unset."""
    env: dict[str, Any] = {k: None for k in os.environ if k.startswith(("GITHUB_", "MIGCHECK_", "RUNNER_"))}
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    sha = {
        "push": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "merge_group": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
    }
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME=event,
        GITHUB_EVENT_PATH=str(event_path or EVENTS / f"{event}.json"),
        GITHUB_REPOSITORY=REPOSITORY,
        GITHUB_SHA=sha.get(event, MERGE_SHA),
        GITHUB_API_URL=api.base_url,
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_RUN_ID="8123456789",
        GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "github_output"),
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_TEMP=str(runner_temp),
        MIGCHECK_GITHUB_TOKEN=TOKEN,
        MIGCHECK_DRIFT="false",
        # short enough for tests, long enough for a loaded machine
        MIGCHECK_GITHUB_BACKOFF="0.01",
        MIGCHECK_GITHUB_TIMEOUT="1",
        MIGCHECK_GITHUB_MAX_WAIT="3",
    )
    return env


def event_file(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of tests/data/events/<name>.json changed by `change` (a fork's PR, a missing key, ...)."""
    payload = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    change(payload)
    path = tmp_path / f"{name}-changed.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path

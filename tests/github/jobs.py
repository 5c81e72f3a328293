"""What tests of `migcheck github` share: the job's constants, its environment, and what a run left behind."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_api import FakeGitHub, Request
from helpers import copy_case

from migcheck.github.comment import identity, marker

TESTS = Path(__file__).resolve().parent.parent
EVENTS = TESTS / "data" / "events"
TOKEN = "ghs_fakeInstallationToken0123456789abcdef"
REPOSITORY = "octo-org/shop"
MERGE_SHA = "e4d2a5c8f0b1937a6c2d4e8f1a3b5c7d9e0f2a4b"  # GITHUB_SHA of a pull_request run: the merge commit
PR_HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
JOB = "migcheck"  # GITHUB_JOB
# these tests are about the action; the MC3xx lint of their trees' revisions is tested in tests/test_lintrun.py
# and tests/checks/, so each job ignores it (a test that sets MIGCHECK_IGNORE itself adds this to its list)
IGNORE = "MC3"
# the first line of this job's sticky comment: the path, and the job with the inputs job_env() gives it
MARKER = marker(".", identity(JOB, {"MIGCHECK_DRIFT": "false", "MIGCHECK_IGNORE": IGNORE}))
LEGACY_MARKER = "<!-- migcheck:comment path=. -->"  # what migcheck 0.1 wrote: the path alone


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


# What GitHub's runner skips before `::` (.NET's String.TrimStart) and where it ends a line (.NET's ReadLine).
_RUNNER_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_RUNNER_LINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Command:
    """One workflow command as the runner parses it: `::name key=value,...::data` (or the old `##[name]`)."""

    name: str
    properties: dict[str, str]
    data: str


def commands(log: str) -> list[Command]:
    """Every line of `log` that GitHub's runner could take as a workflow command, stop-commands or not."""
    found = []
    for line in _RUNNER_LINES.split(log):
        text = line.lstrip(_RUNNER_SPACE)
        if text.startswith("##["):
            found.append(Command("##[", {}, text))
        end = text.find("::", 2)
        if not text.startswith("::") or end < 0:
            continue
        head, data = text[2:end], text[end + 2 :]
        name, _, listed = head.partition(" ")
        pairs = (item.partition("=") for item in listed.split(",") if item)
        found.append(Command(name, {key: value for key, _, value in pairs}, data))
    return found


_OWN_TITLES = ("migcheck", "migcheck could not check")


def _own(command: Command) -> bool:
    """Whether `command` is one that `migcheck github` writes on purpose."""
    name, props = command.name, command.properties
    if name in ("error", "warning", "notice") and "file" in props:
        return re.fullmatch(r"MC\d{3} [a-z-]+", props.get("title", "")) is not None
    if name in ("error", "warning") and set(props) == {"title"}:
        return props["title"] in _OWN_TITLES
    if name == "group":
        return command.data.startswith("migcheck: ")
    if name == "stop-commands":
        return re.fullmatch(r"[0-9a-f]{32}", command.data) is not None
    return (name == "endgroup" and command.data == "") or (
        re.fullmatch(r"[0-9a-f]{32}", name) is not None and command.data == ""
    )


def foreign_commands(outcome: Outcome) -> list[Command]:
    """Workflow commands in the log that migcheck did not write on purpose: on stdout, any but its own shapes
    (read line by line, as if every ::stop-commands:: failed); on stderr, any at all."""
    return [c for c in commands(outcome.stdout) if not _own(c)] + commands(outcome.stderr)


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
    """The variables of a GitHub Actions job; those of the test's own process that a job sets (GITHUB_*,
    MIGCHECK_*, RUNNER_*, INPUT_*, ACTIONS_*, GH_*) unset."""
    own = ("GITHUB_", "MIGCHECK_", "RUNNER_", "INPUT_", "ACTIONS_", "GH_")
    env: dict[str, Any] = {k: None for k in os.environ if k.startswith(own)}
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
        GITHUB_JOB=JOB,
        GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "github_output"),
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_TEMP=str(runner_temp),
        MIGCHECK_GITHUB_TOKEN=TOKEN,
        MIGCHECK_DRIFT="false",
        MIGCHECK_IGNORE=IGNORE,
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

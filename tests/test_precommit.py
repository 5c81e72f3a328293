"""The README's two pre-commit setups, run with pre-commit itself on throwaway git repositories.

(a) `repo: local` hooks with `language: system`: the migcheck of the project's own virtualenv (here, the one
running the tests), which sees everything the project imports. (b) This repository as a remote hook
repository (`language: python`): pre-commit builds a virtualenv of its own from a commit of this tree, with
nothing of the project in it, so the drift hook needs the project's requirements in
`additional_dependencies`. The YAML is taken from the README as a user would paste it.
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
import yaml
from helpers import add_step_revision, copy_case, git, users_project

import migcheck

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")

ROOT = Path(__file__).resolve().parent.parent
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
# what pip says when the package index cannot be reached (no network, no mirror)
OFFLINE = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
)


def readme_configs() -> dict[str, dict[str, Any]]:
    """The README's pre-commit configurations, by their repo (`local` or the project's URL)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## pre-commit\n") :]
    section = section[: section.index("\n## ", 1)]
    configs = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)]
    return {config["repos"][0]["repo"]: config for config in configs}


def project_repo(root: Path, config: dict[str, Any]) -> Path:
    """`root` as a git repository with `config` as its .pre-commit-config.yaml, everything staged."""
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git(root, "init", "-q")
    stage(root)
    return root


def stage(root: Path) -> None:
    git(root, "add", "-A")


def pre_commit(root: Path, cache: Path, stage_name: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` at `stage_name`, with its cache under the test's tmp_path."""
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(cache),
        # a `language: system` hook runs the `migcheck` on PATH: the one of the tests' virtualenv
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "HOME": str(cache),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "run",
            "--all-files",
            "--hook-stage",
            stage_name,
            "--color",
            "never",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def verdicts(run: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """Each hook's name -> Passed / Failed / Skipped, from pre-commit's summary lines."""
    lines = re.findall(
        r"^(.+?)\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$", run.stdout, re.MULTILINE
    )
    return dict(lines)


GRAPH = "migcheck (Alembic revision graph)"
DRIFT = "migcheck drift (models vs migrations)"


def add_second_head(root: Path) -> None:
    for rid in ("bbbbbbbbbbbb", "cccccccccccc"):
        add_step_revision(root, rid, "aaaaaaaaaaaa", 'op.add_column("users", sa.Column("x", sa.Integer()))')
    stage(root)


# --- (a) local hooks, language: system ------------------------------------------------------------------------


def test_the_readme_shows_both_setups_with_a_rev_the_release_procedure_tags() -> None:
    configs = readme_configs()
    (remote,) = [repo for repo in configs if repo != "local"]
    assert set(configs) == {"local", remote}
    assert configs[remote]["repos"][0]["rev"] == f"v{migcheck.__version__}"  # docs/RELEASING.md tags it
    assert [hook["id"] for hook in configs[remote]["repos"][0]["hooks"]] == list(HOOKS)
    assert configs[remote]["repos"][0]["hooks"][1]["additional_dependencies"]


def test_the_local_hooks_run_what_the_published_hooks_run() -> None:
    local = {hook["id"]: hook for hook in readme_configs()["local"]["repos"][0]["hooks"]}
    assert set(local) == set(HOOKS)
    for hook_id, hook in local.items():
        assert hook["language"] == "system"
        published = HOOKS[hook_id]
        for key in ("name", "entry", "pass_filenames", "require_serial", "files", "always_run", "stages"):
            assert hook.get(key) == published.get(key), (hook_id, key)


def test_local_hooks_pass_on_a_clean_project_and_the_graph_hook_fails_on_two_heads(tmp_path: Path) -> None:
    root = project_repo(users_project(tmp_path), readme_configs()["local"])
    cache = tmp_path / "pre-commit-home"

    commit = pre_commit(root, cache, "pre-commit")
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert verdicts(commit) == {GRAPH: "Passed"}  # the drift hook waits for a push
    push = pre_commit(root, cache, "pre-push")
    assert push.returncode == 0, push.stdout + push.stderr
    assert verdicts(push) == {GRAPH: "Passed", DRIFT: "Passed"}

    add_second_head(root)
    commit = pre_commit(root, cache, "pre-commit")
    assert commit.returncode == 1, commit.stdout + commit.stderr
    assert verdicts(commit) == {GRAPH: "Failed"}
    assert "MC101" in commit.stdout and "2 unmerged heads" in commit.stdout


def test_the_local_drift_hook_sees_the_projects_models(tmp_path: Path) -> None:
    root = project_repo(users_project(tmp_path), readme_configs()["local"])
    models = root / "models.py"
    models.write_text(models.read_text() + "    age: Mapped[int] = mapped_column(Integer, nullable=True)\n")
    stage(root)

    push = pre_commit(root, tmp_path / "pre-commit-home", "pre-push")
    assert push.returncode == 1, push.stdout + push.stderr
    assert verdicts(push) == {GRAPH: "Passed", DRIFT: "Failed"}
    assert "MC201" in push.stdout and "age" in push.stdout


@pytest.mark.parametrize("under_pre_commit", [True, False])
def test_a_missing_module_under_pre_commit_says_how_to_set_the_hook_up(
    tmp_path: Path, under_pre_commit: bool
) -> None:
    root = users_project(tmp_path)
    models = root / "models.py"
    models.write_text("import not_installed_here  # noqa: F401\n" + models.read_text())
    env = {key: value for key, value in os.environ.items() if key != "PRE_COMMIT"}
    if under_pre_commit:
        env["PRE_COMMIT"] = "1"  # what pre-commit sets for its hooks
    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", "--drift-only"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "No module named 'not_installed_here'" in run.stderr
    hint = "pre-commit runs this hook in its own virtualenv: list the project's requirements in the hook's"
    assert (hint in run.stderr) is under_pre_commit, run.stderr


# --- (b) this repository as the hook repository, language: python ----------------------------------------------


def hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """A git repository holding this tree's package, as pre-commit clones it, and the commit to use as `rev:`."""
    repo = tmp_path / "hook-repo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copyfile(ROOT / name, repo / name)
    shutil.copytree(ROOT / "migcheck", repo / "migcheck", ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hooks")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def remote_config(repo: Path, rev: str, additional_dependencies: list[str] | None) -> dict[str, Any]:
    """The README's remote configuration, pointed at `repo`@`rev`, with these additional_dependencies."""
    (remote,) = [config for name, config in readme_configs().items() if name != "local"]
    entry = remote["repos"][0]
    entry["repo"], entry["rev"] = str(repo), rev
    drift = entry["hooks"][1]
    del drift["additional_dependencies"]
    if additional_dependencies is not None:
        drift["additional_dependencies"] = additional_dependencies
    return remote


def installed(run: subprocess.CompletedProcess[str], cache: Path) -> subprocess.CompletedProcess[str]:
    """`run`, unless pre-commit could not build the hook's virtualenv for want of the package index."""
    output = run.stdout + run.stderr
    log = cache / "pre-commit.log"
    if "An unexpected error has occurred" in output and any(sign in output for sign in OFFLINE):
        pytest.skip(f"pre-commit cannot install the hook offline: pip cannot reach the package index ({log})")
    return run


def test_the_remote_hooks_need_the_projects_requirements_as_additional_dependencies(tmp_path: Path) -> None:
    """A SQLModel project: pre-commit's own virtualenv has no sqlmodel until the drift hook lists it."""
    repo, rev = hook_repository(tmp_path)
    root = copy_case("drift/sqlmodel_app", tmp_path / "proj")
    models = root / "models.py"
    # the case's model has a column the migration lacks; without it the project is clean
    models.write_text(
        "".join(line for line in models.read_text().splitlines(True) if "secret_name" not in line)
    )
    cache = tmp_path / "pre-commit-home"

    project_repo(root, remote_config(repo, rev, None))
    bare = installed(pre_commit(root, cache, "pre-push"), cache)
    assert bare.returncode == 1, bare.stdout + bare.stderr
    assert verdicts(bare) == {GRAPH: "Passed", DRIFT: "Failed"}
    assert "exit code: 2" in bare.stdout and "No module named 'sqlmodel'" in bare.stdout
    assert "list the project's requirements in the hook's additional_dependencies" in bare.stdout

    (root / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump(remote_config(repo, rev, ["sqlmodel"]), sort_keys=False)
    )
    stage(root)
    ready = installed(pre_commit(root, cache, "pre-push"), cache)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert verdicts(ready) == {GRAPH: "Passed", DRIFT: "Passed"}

    add_step_revision(
        root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", 'op.add_column("hero", sa.Column("x", sa.Integer()))'
    )
    add_step_revision(
        root, "cccccccccccc", "aaaaaaaaaaaa", 'op.add_column("hero", sa.Column("y", sa.Integer()))'
    )
    stage(root)
    commit = installed(pre_commit(root, cache, "pre-commit"), cache)
    assert commit.returncode == 1, commit.stdout + commit.stderr
    assert verdicts(commit) == {GRAPH: "Failed"}
    assert "MC101" in commit.stdout

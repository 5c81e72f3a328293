"""Start-up: a command imports only what it uses, so a pre-commit hook's run is not spent loading the rest.

Each test runs the real command in a fresh interpreter (`python -m migcheck` through runpy, as `-m` does) and
reads `sys.modules` as the process exits; no test measures a time. `inspect` is not on the lists: click (8.5)
and Python 3.11's dataclasses import it themselves, whatever migcheck does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_case

# `python -m migcheck ARGS...`, then the names of the modules loaded, written to MODULES_FILE at exit
PROBE = """
import atexit, os, runpy, sys
atexit.register(lambda: open(os.environ["MODULES_FILE"], "w").write("\\n".join(sorted(sys.modules))))
sys.argv[0] = "migcheck"
runpy.run_module("migcheck", run_name="__main__", alter_sys=True)
"""
# Never needed by the static graph checks: the drift check's databases and runners, git (only with --base),
# the GitHub client, templates (only `fix --merge`), and the reporters of the other formats.
NOT_FOR_A_STATIC_CHECK = (
    "sqlalchemy",
    "alembic",
    "sqlglot",  # only for the raw SQL of op.execute(); none in this tree
    "github",
    "mako",
    "migcheck.scratch",
    "migcheck.migrate",
    "migcheck.models",
    "migcheck.driftrun",
    "migcheck.outcome",
    "migcheck.gitbase",
    "migcheck.github",
    "migcheck.report.json",
    "migcheck.report.sarif",
    "migcheck.report.markdown",
)
# All `--version` may load of migcheck: the package, the command line and what the command line is built from.
FOR_VERSION = {
    "migcheck",
    "migcheck.__main__",
    "migcheck.cli",
    "migcheck.boundary",
    "migcheck.output",
    "migcheck.masking",
    "migcheck.errors",
    "migcheck.report",
}


def imported(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m migcheck ARGS` and return the run and the names of every module loaded when it ended."""
    listing = cwd.parent / "modules.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGCHECK_")}
    env["MIGCHECK_CACHE_DIR"] = str(cwd.parent / "cache")  # the user's compile cache is not ours to write
    env["MODULES_FILE"] = str(listing)
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return run, set(listing.read_text(encoding="utf-8").split())


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_case("clean/linear", tmp_path / "linear")


def test_a_static_check_imports_no_database_git_github_or_other_reporter(project: Path) -> None:
    run, modules = imported(project, "check", "--no-drift")

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok:")
    assert {"migcheck.engine", "migcheck.checks.history", "migcheck.report.text"} <= modules  # it did check
    assert [name for name in NOT_FOR_A_STATIC_CHECK if loaded(modules, name)] == []


def test_another_format_loads_its_own_reporter_only(project: Path) -> None:
    run, modules = imported(project, "check", "--no-drift", "--format", "json")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "migcheck.report.json" in modules
    assert not {"migcheck.report.sarif", "migcheck.report.markdown"} & modules


def test_version_loads_the_command_line_alone(tmp_path: Path) -> None:
    run, modules = imported(tmp_path, "--version")

    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("migcheck, version ")
    assert {m for m in modules if m.split(".")[0] == "migcheck"} <= FOR_VERSION
    assert "migcheck.cli" in modules
    # the only third-party package it needs is click
    assert [name for name in ("sqlalchemy", "alembic", "github", "mako") if loaded(modules, name)] == []


def test_the_public_api_is_importable_from_the_package() -> None:
    import migcheck
    from migcheck import CheckResult, Finding, Location, MigcheckError, Severity, check
    from migcheck.errors import MigcheckError as Error
    from migcheck.findings import Finding as FindingType
    from migcheck.result import CheckResult as Result

    assert (CheckResult, Finding, MigcheckError) == (Result, FindingType, Error)
    assert Severity.ERROR.value == "error" and Location("a.py").line == 1 and callable(check)
    assert set(migcheck.__all__) <= set(dir(migcheck))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        migcheck.nothing  # noqa: B018 - the attribute access is the test

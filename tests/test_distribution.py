"""The package as users install it: the distribution name `alembic-migcheck` (`migcheck` on the package index
is an unrelated project), the version written in one place, the changelog, one project URL and one action
reference in every document, and a wheel built from this tree that carries all of it.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import migcheck
from migcheck.report import sarif

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "alembic-migcheck"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT_URL = PYPROJECT["project"]["urls"]["Homepage"]
# owner/name of the repository, which is also how a workflow refers to the action
ACTION_REPO = PROJECT_URL.removeprefix("https://github.com/")
MAJOR_TAG = "v" + migcheck.__version__.split(".")[0]


def documents() -> list[Path]:
    """Every file a user reads or copies an install line from."""
    return sorted(
        [
            ROOT / "README.md",
            ROOT / "SECURITY.md",
            ROOT / "Dockerfile",
            ROOT / "action.yml",
            ROOT / ".pre-commit-hooks.yaml",
            *(ROOT / "docs").rglob("*.md"),
            *(ROOT / "docs").rglob("*.yml"),
            *(ROOT / ".github").rglob("*.yml"),
            *(ROOT / "examples").rglob("*.md"),
        ]
    )


def sources() -> list[Path]:
    """migcheck's own modules: their messages tell users what to install."""
    return sorted((ROOT / "migcheck").rglob("*.py"))


PIP_INSTALL = re.compile(r"pip install ([^`\n;&|)]*)")


def installed_names(line_tail: str) -> list[str]:
    """The requirement-like words after `pip install`, without quotes, options and their values."""
    names, skip = [], False
    for word in line_tail.split("#")[0].split():  # a shell comment ends the command
        word = word.strip("'\"{}")
        if skip:
            skip = False
        elif word in {"-r", "-c", "--requirement", "--constraint", "-e", "--editable", "-t", "--target"}:
            skip = word not in {"-e", "--editable"}  # an editable's value is a requirement too
        elif word and not word.startswith("-"):
            names.append(word)
    return names


# what pip says when the package index cannot be reached (no network, no mirror)
OFFLINE = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
)


def offline(pip_output: str) -> bool:
    return any(sign in pip_output for sign in OFFLINE)


def test_the_distribution_is_alembic_migcheck_with_the_migcheck_command() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"migcheck": "migcheck.cli:main"}
    assert PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"] == ["migcheck*"]


def test_the_version_is_written_in_one_place() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "migcheck.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", migcheck.__version__)


def test_the_installed_metadata_carries_the_name_and_the_version() -> None:
    assert importlib.metadata.version(DISTRIBUTION) == migcheck.__version__
    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "--version"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"migcheck, version {migcheck.__version__}"


def test_every_install_line_names_alembic_migcheck_never_bare_migcheck() -> None:
    found: dict[str, list[str]] = {}
    for path in [*documents(), *sources()]:
        for match in PIP_INSTALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(str(path.relative_to(ROOT)), []).extend(installed_names(match.group(1)))
    bad = {
        where: names
        for where, names in found.items()
        if any(re.match(r"migcheck($|[\[=<>!~ ])", name) for name in names)
    }
    assert not bad, f"`pip install migcheck` installs another project; use {DISTRIBUTION}: {bad}"
    # the lines that install migcheck itself, where a user copies them from
    for where in (
        "README.md",
        "docs/workflows/sarif.yml",
        "migcheck/github/action.py",
        "migcheck/redirect.py",
    ):
        assert any(name.startswith(DISTRIBUTION) for name in found[where]), where


def test_the_readme_first_screen_names_alembic_migcheck_and_gives_exactly_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:30])
    assert "`alembic-migcheck`" in first_screen
    blocks = re.findall(r"```sh\n(.*?)```", first_screen, re.S)
    commands = [line for block in blocks for line in block.splitlines() if line and not line.startswith("#")]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/migcheck check examples/blog",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest",
    ]
    assert "pip install alembic-migcheck" in readme.split("## Install", 1)[1].split("\n## ", 1)[0]


def test_one_project_url_everywhere() -> None:
    assert PROJECT_URL.startswith("https://github.com/") and ACTION_REPO.count("/") == 1
    assert sarif.INFORMATION_URI == PROJECT_URL
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for label in ("url", "source"):
        assert f'org.opencontainers.image.{label}="{PROJECT_URL}"' in dockerfile
    for path in [*documents(), ROOT / "CHANGELOG.md", ROOT / "pyproject.toml"]:
        for url in re.findall(r"https://github\.com/[\w.<>-]+/migcheck\b", path.read_text(encoding="utf-8")):
            assert url == PROJECT_URL, path


def test_one_action_reference_everywhere() -> None:
    uses = {
        (str(path.relative_to(ROOT)), ref)
        for path in documents()
        # a real reference (`@v0`, `@v0.1.0`, `@main`), not the release procedure's `@vN` placeholder
        for ref in re.findall(
            r"uses:\s*([\w.<>-]+/migcheck@(?!vN\b)[\w.]+)", path.read_text(encoding="utf-8")
        )
    }
    assert uses, "the README and docs/workflows show the action"
    assert {ref for _, ref in uses} == {f"{ACTION_REPO}@{MAJOR_TAG}"}, uses


def test_the_changelog_has_an_entry_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = re.escape(migcheck.__version__)
    assert re.search(rf"^## \[{version}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE)
    assert f"[{migcheck.__version__}]: {PROJECT_URL}/releases/tag/v{migcheck.__version__}" in changelog
    assert "## [Unreleased]" in changelog.split(f"## [{migcheck.__version__}]")[0]


def test_the_release_procedure_tags_what_the_docs_name() -> None:
    releasing = (ROOT / "docs" / "RELEASING.md").read_text(encoding="utf-8")
    for step in ("git tag -a vX.Y.Z", f"git tag -f -a {MAJOR_TAG}", "python -m build", "twine upload"):
        assert step in releasing
    assert f"`{DISTRIBUTION}`" in releasing


def test_a_wheel_built_from_this_tree_is_alembic_migcheck(tmp_path: Path) -> None:
    """What the release uploads: the metadata's name, version and URL, the `migcheck` command, one package."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(ROOT / "migcheck", source / "migcheck", ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", "dist", "./src"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0 and offline(run.stderr):
        pytest.skip(f"pip cannot fetch the build backend (setuptools) from the package index: {run.stderr}")
    assert run.returncode == 0, run.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == f"alembic_migcheck-{migcheck.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"alembic_migcheck-{migcheck.__version__}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert metadata["Name"] == DISTRIBUTION and metadata["Version"] == migcheck.__version__
    assert f"Homepage, {PROJECT_URL}" in metadata.get_all("Project-URL")
    assert "migcheck = migcheck.cli:main" in entry_points
    assert {name.split("/")[0] for name in names} == {"migcheck", info}

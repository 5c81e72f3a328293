"""With `--base`, a revision file whose bytes are on the base branch skips the syntax check (it was checked
when it was merged); every file the change adds or edits still gets it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import add_revision, commit, copy_case, git, working_directory

from migcheck.cli import main
from migcheck.constants import ConstantResolver
from migcheck.gitbase import MergedBlobs, read_base

BROKEN_TAIL = "\n\ndef helper(:\n    pass\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: aaaa -> bbbb -> cccc, where bbbb was merged with a syntax error below its header."""
    root = copy_case("clean/linear", tmp_path / "repo")
    merged = next((root / "migrations" / "versions").glob("bbbbbbbbbbbb*.py"))
    merged.write_text(merged.read_text() + BROKEN_TAIL)
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    return root


def check(repo: Path, *args: str):
    """`migcheck check` run from `repo` (text reports show paths relative to the current directory)."""
    with working_directory(repo):
        return CliRunner().invoke(main, ["check", ".", "--no-drift", *args], catch_exceptions=False)


def mc107_files(output: str) -> list[str]:
    return sorted(line.split(":")[0] for line in output.splitlines() if " MC107 " in line)


def test_a_file_unchanged_since_the_base_skips_the_syntax_check(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("MIGCHECK_NO_CACHE", "1")
    assert mc107_files(check(repo).output) == ["migrations/versions/bbbbbbbbbbbb_add_email_to_account.py"]
    assert mc107_files(check(repo, "--base", "main").output) == []


def test_an_added_file_gets_the_full_syntax_check(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("MIGCHECK_NO_CACHE", "1")
    added = add_revision(repo, "dddddddddddd", "cccccccccccc", "age")
    added.write_text(added.read_text() + BROKEN_TAIL)

    assert mc107_files(check(repo, "--base", "main").output) == ["migrations/versions/dddddddddddd_age.py"]


def test_an_edited_file_gets_the_full_syntax_check_committed_or_not(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("MIGCHECK_NO_CACHE", "1")
    edited = next((repo / "migrations" / "versions").glob("cccccccccccc*.py"))
    edited.write_text(edited.read_text() + BROKEN_TAIL)
    expected = [f"migrations/versions/{edited.name}"]

    assert mc107_files(check(repo, "--base", "main").output) == expected  # not staged
    commit(repo, "edit")
    assert mc107_files(check(repo, "--base", "main").output) == expected


def test_the_base_knows_the_bytes_of_its_files_and_nothing_else(repo: Path) -> None:
    from migcheck.discover import discover

    env = discover(repo).environments[0]
    merged = read_base(repo, "main", env, ConstantResolver(repo)).merged
    files = sorted((repo / "migrations" / "versions").glob("*.py"))

    assert len(merged.ids) == len(files)
    assert all(merged(f.read_bytes()) for f in files)
    assert not merged(files[0].read_bytes() + b"\n")
    assert not MergedBlobs(frozenset())(files[0].read_bytes())

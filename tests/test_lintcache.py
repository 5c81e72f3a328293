"""The lint cache: a warm run takes each unchanged revision's MC3xx findings from it, a changed file is linted
again, and `--no-cache` reads and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import migcheck
from migcheck import opsread


@pytest.fixture
def project(tmp_path: Path, alembic_project, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", str(tmp_path / "cache"))
    root = alembic_project(tmp_path / "app")
    versions = root / "migrations" / "versions"
    (versions / "aaaaaaaaaaaa_drop.py").write_text(
        '"""drop\n\nRevision ID: aaaaaaaaaaaa\nRevises: \n"""\nfrom alembic import op\n\n'
        'revision = "aaaaaaaaaaaa"\ndown_revision = None\n\n\n'
        'def upgrade():\n    op.drop_column("orders", "legacy")\n\n\ndef downgrade():\n    pass\n'
    )
    return root


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths opsread parses (the real reader still runs)."""
    seen: list[str] = []
    real = opsread.read_operations

    def spy(data: bytes | str, path: str, dialect: str | None) -> opsread.RevisionOperations:
        seen.append(path)
        return real(data, path, dialect)

    monkeypatch.setattr("migcheck.lintrun.read_operations", spy)
    return seen


def _codes(root: Path, **settings: object) -> list[str]:
    return [f.rule for f in migcheck.check(root, drift=False, dialect="sqlite", **settings).findings]


def test_a_warm_run_reuses_the_findings_without_parsing(project: Path, reads: list[str]) -> None:
    cold = _codes(project)
    warm = _codes(project)

    assert cold == warm == ["MC302", "MC306"]
    assert len(reads) == 1


def test_a_changed_file_is_linted_again(project: Path, reads: list[str]) -> None:
    _codes(project)
    path = next((project / "migrations" / "versions").glob("aaaaaaaaaaaa_*.py"))
    path.write_text(
        path.read_text().replace("    pass\n", '    op.add_column("orders", sa.Column("legacy"))\n')
    )

    assert _codes(project) == ["MC302"]
    assert len(reads) == 2


def test_the_selection_is_applied_to_cached_findings(project: Path, reads: list[str]) -> None:
    _codes(project)

    assert _codes(project, select=["MC306"]) == ["MC306"]
    assert len(reads) == 1


def test_no_cache_reads_and_writes_nothing(project: Path, reads: list[str], tmp_path: Path) -> None:
    _codes(project, cache=False)
    _codes(project, cache=False)

    assert len(reads) == 2
    assert not list((tmp_path / "cache").glob("lint-*"))

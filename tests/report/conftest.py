"""Builders for the reporter tests: results made by hand, or from a private copy of a tests/trees case."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import migcheck
from migcheck.findings import Finding, Location, Severity
from migcheck.result import CheckResult, HistoryFacts, Point

TREES = Path(__file__).parent.parent / "trees"


def finding(
    rule: str = "MC101",
    severity: Severity = Severity.ERROR,
    message: str = "something is wrong",
    path: str = "migrations/versions/aaaaaaaaaaaa_rev.py",
    line: int = 16,
    hint: str = "fix it",
    end_line: int | None = None,
    revision: str | None = "aaaaaaaaaaaa",
) -> Finding:
    return Finding(rule, severity, message, Location(path, line, end_line), hint, revision, "migrations")


def history(
    heads: tuple[str, ...] = ("cccccccccccc",), edges: tuple[tuple[str, str], ...] = (), revisions: int = 3
) -> HistoryFacts:
    return HistoryFacts(
        environment="migrations",
        script_location="migrations",
        revision_count=revisions,
        heads=tuple(Point(h, f"migrations/versions/{h}_rev.py", 15) for h in heads),
        bases=(Point("aaaaaaaaaaaa", "migrations/versions/aaaaaaaaaaaa_rev.py", 15),),
        edges=edges,
    )


def result(*findings: Finding, histories: tuple[HistoryFacts, ...] | None = None) -> CheckResult:
    return CheckResult(root="/checkout/project", findings=findings, histories=histories or (history(),))


@pytest.fixture
def checked(tmp_path: Path) -> Callable[[str, str], CheckResult]:
    """`checked("broken", "two_heads")`: the result of checking a private copy of that tree (no drift check)."""

    def run(kind: str, name: str) -> CheckResult:
        target = tmp_path / name
        shutil.copytree(
            TREES / kind / name, target, ignore=shutil.ignore_patterns("expected.json", "__pycache__")
        )
        return migcheck.check(target, drift=False)

    return run

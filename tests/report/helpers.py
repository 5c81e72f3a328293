"""Builders for the reporter tests: findings, history facts and results made by hand."""

from __future__ import annotations

from migcheck.findings import Finding, Location, Severity
from migcheck.result import CheckResult, HistoryFacts, Point


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

"""Builders for the reporter tests: findings, history facts and results made by hand."""

from __future__ import annotations

from helpers import rev

from migcheck.findings import Finding, Location, Severity
from migcheck.graph import RevisionGraph
from migcheck.graphshape import COMMENT_DEPTH, COMMENT_LIMITS, select
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
    environment: str = "migrations",
) -> Finding:
    return Finding(rule, severity, message, Location(path, line, end_line), hint, revision, environment)


def history(
    heads: tuple[str, ...] = ("cccccccccccc",),
    edges: tuple[tuple[str, str], ...] = (),
    revisions: int = 3,
    environment: str = "migrations",
) -> HistoryFacts:
    """Facts of a history with these heads and (revision, down_revision) edges, drawn as the engine draws it
    for the PR comment."""
    ids = dict.fromkeys([*heads, *(r for edge in edges for r in edge)])
    graph = RevisionGraph(rev(r, tuple(d for c, d in edges if c == r) or None) for r in ids)
    return HistoryFacts(
        environment=environment,
        script_location="migrations",
        revision_count=revisions,
        heads=tuple(Point(h, f"migrations/versions/{h}_rev.py", 15) for h in heads),
        bases=(Point("aaaaaaaaaaaa", "migrations/versions/aaaaaaaaaaaa_rev.py", 15),),
        edges=edges,
        drawing=select(graph, COMMENT_DEPTH, limits=COMMENT_LIMITS),
    )


def result(*findings: Finding, histories: tuple[HistoryFacts, ...] | None = None) -> CheckResult:
    return CheckResult(root="/checkout/project", findings=findings, histories=histories or (history(),))

"""CheckResult: the findings of one run plus the facts every reporter shows (heads, bases, counts, timings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from migcheck.findings import Finding, Severity


@dataclass(frozen=True)
class Point:
    """A head or a base: the revision and where it is declared."""

    revision: str
    path: str
    line: int
    branch_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class DrawnNode:
    """A revision in a drawing of a history or, when `elided` > 0, one node standing for that many revisions
    left out of it (an elided run)."""

    key: str  # the revision id; for an elided run, a key that is no revision's id
    message: str = ""
    labels: tuple[str, ...] = ()  # a head's: its lineage's branch labels; any other revision's: its own
    marks: tuple[str, ...] = ()  # "head", "base", "mergepoint", "branchpoint"
    elided: int = 0


@dataclass(frozen=True)
class DrawnEdge:
    """`revision` revises (kind "down") or depends on (kind "depends") `target`; both are node keys."""

    revision: str
    target: str
    kind: str = "down"


@dataclass(frozen=True)
class Drawing:
    """The part of a history worth drawing, as plain data: nodes newest first, and their edges."""

    nodes: tuple[DrawnNode, ...] = ()
    edges: tuple[DrawnEdge, ...] = ()
    # what the size bounds left out and how to see it; empty when everything asked for is drawn
    left_out: str = ""


@dataclass(frozen=True)
class HistoryFacts:
    """What one history looks like: `environment` is its label in findings."""

    environment: str
    script_location: str
    revision_count: int
    heads: tuple[Point, ...]
    bases: tuple[Point, ...]
    merge_points: tuple[str, ...] = ()
    # (revision, down_revision) edges among the revisions `drawing` shows (the JSON report's `edges`)
    edges: tuple[tuple[str, str], ...] = ()
    # with --base: the revisions this change adds (not on the base branch)
    new_revisions: tuple[str, ...] = ()
    # the history near its heads, bounded for a PR comment (`graphshape.select`)
    drawing: Drawing = field(default_factory=Drawing)


@dataclass(frozen=True)
class CheckResult:
    """Everything a run found; reporters render it and never decide anything else."""

    root: str
    findings: tuple[Finding, ...]
    histories: tuple[HistoryFacts, ...]
    fail_on: Severity = Severity.ERROR
    notices: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # why part of the check could not run (the drift check of an environment, say); the findings of the
    # rest are still here, but a run that could not check everything never passes
    error: str | None = None

    @property
    def revision_count(self) -> int:
        return sum(h.revision_count for h in self.histories)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= self.fail_on.rank]

    @property
    def exit_code(self) -> int:
        """2 when part of the check could not run, else 1 when a finding is at or above `fail_on`, else 0."""
        if self.error is not None:
            return 2
        return 1 if self.failed else 0

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for f in self.findings if f.severity is s) for s in Severity}

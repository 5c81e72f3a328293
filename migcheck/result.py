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
class HistoryFacts:
    """What one history looks like: `environment` is its label in findings."""

    environment: str
    script_location: str
    revision_count: int
    heads: tuple[Point, ...]
    bases: tuple[Point, ...]
    merge_points: tuple[str, ...] = ()
    # (revision, down_revision) edges of the revisions near the heads: enough to draw how they diverged
    edges: tuple[tuple[str, str], ...] = ()
    # with --base: the revisions this change adds (not on the base branch)
    new_revisions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """Everything a run found; reporters render it and never decide anything else."""

    root: str
    findings: tuple[Finding, ...]
    histories: tuple[HistoryFacts, ...]
    fail_on: Severity = Severity.ERROR
    notices: tuple[str, ...] = ()
    # what the user should act on although the check passed: with `drift = "auto"`, a drift check that did not
    # run for a reason of the setup's (a package not installed, another dialect's SQL on SQLite), and what to set
    warnings: tuple[str, ...] = ()
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

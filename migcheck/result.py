"""CheckResult: the findings of one run plus the facts every reporter shows (heads, bases, counts, timings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migcheck.findings import Finding, Severity

if TYPE_CHECKING:  # built by drift runs only: a run without one never imports it
    from migcheck.outcome import CopyOnly, LockTrace


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
class BaseBranch:
    """The git ref a change was checked against (MC11x), and where it came from: `option` when named (`--base`,
    `base = ...`, the PR's base commit in the action); `upstream` or `origin/HEAD` when `base = "auto"` chose
    it, `branch` then being the current branch."""

    ref: str
    source: str = "option"
    branch: str | None = None

    @property
    def described(self) -> str:
        """How the verdict names it: `origin/main, the upstream of feature-x`, `origin/HEAD -> origin/main`."""
        if self.source == "upstream":
            return f"{self.ref}, the upstream of {self.branch}"
        if self.source == "origin/HEAD" and self.ref != "origin/HEAD":
            return f"origin/HEAD -> {self.ref}"
        return self.ref


@dataclass(frozen=True)
class Split:
    """Why one environment was checked as several histories: one per subdirectory of its version location."""

    environment: str
    subdirectories: tuple[str, ...]
    # ids declared in more than one subdirectory (the same change written once per database)
    shared_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class TracedRevision:
    """A revision whose upgrade was measured on PostgreSQL (`migcheck.locktrace`): the locks it took on, and
    the rewrites of, the relations that existed before it; none when it touched no existing relation."""

    environment: str
    revision: str
    path: str
    locks: tuple[LockTrace, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """Everything a run found; reporters render it and never decide anything else."""

    root: str
    findings: tuple[Finding, ...]
    histories: tuple[HistoryFacts, ...]
    # None: `--fail-on never`, nothing fails (a report-only rollout)
    fail_on: Severity | None = Severity.ERROR
    notices: tuple[str, ...] = ()
    # what the user should act on although the check passed: with `drift = "auto"`, a drift check that did not
    # run for a reason of the setup's (a package not installed, another dialect's SQL on SQLite), and what to set
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # why part of the check could not run (the drift check of an environment, say); the findings of the
    # rest are still here, but a run that could not check everything never passes
    error: str | None = None
    # the base branch the merge result was checked against (MC11x), when there was one
    base: BaseBranch | None = None
    # `--exit-zero`: findings never make the exit code 1 (2 still says the check could not run)
    exit_zero: bool = False
    splits: tuple[Split, ...] = ()
    # the directory every path in the result is relative to (`migcheck.paths`); "" means `root`
    paths_from: str = ""
    # MySQL/MariaDB drift runs with --base: each ALTER of a new revision and the best algorithm the server took
    copy_only: tuple[CopyOnly, ...] = ()
    # the revisions measured on PostgreSQL, in the order they ran
    traces: tuple[TracedRevision, ...] = ()

    @property
    def revision_count(self) -> int:
        return sum(h.revision_count for h in self.histories)

    @property
    def failed(self) -> list[Finding]:
        """The findings that make the exit code 1: none when the run only reports."""
        threshold = self.fail_on
        if threshold is None or self.exit_zero:
            return []
        return [f for f in self.findings if f.severity.rank >= threshold.rank]

    @property
    def report_only(self) -> bool:
        """No finding can fail this run (`--fail-on never` or `--exit-zero`)."""
        return self.fail_on is None or self.exit_zero

    @property
    def threshold(self) -> str:
        """The lowest severity that fails the run, or `never`."""
        return "never" if self.fail_on is None or self.exit_zero else self.fail_on.value

    @property
    def gate(self) -> str:
        """The option that decides the exit code, as the user would type it: `--fail-on error`, `--exit-zero`."""
        return "--exit-zero" if self.exit_zero else f"--fail-on {self.threshold}"

    @property
    def exit_code(self) -> int:
        """2 when part of the check could not run, else 1 when a finding is at or above `fail_on`, else 0."""
        if self.error is not None:
            return 2
        return 1 if self.failed else 0

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for f in self.findings if f.severity is s) for s in Severity}

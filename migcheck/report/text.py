"""Terminal report: a one-line verdict first, then each finding as `path:line: CODE severity: message` + fix."""

from __future__ import annotations

from migcheck.findings import Finding, Severity
from migcheck.report.github import defuse
from migcheck.report.printable import printable
from migcheck.result import CheckResult, HistoryFacts, Point, Split

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTICE: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _heads(heads: tuple[Point, ...], new: tuple[str, ...] = ()) -> str:
    named = ", ".join(
        p.revision
        + (f" [{', '.join(p.branch_labels)}]" if p.branch_labels else "")
        + (" (new in this change)" if p.revision in new else "")
        for p in heads
    )
    return f"{_plural(len(heads), 'head')} ({named})" if heads else "0 heads"


def _shape(h: HistoryFacts) -> str:
    shape = f"{_plural(h.revision_count, 'revision')}, {_heads(h.heads, h.new_revisions)}"
    shape += f", {_plural(len(h.bases), 'base')}"
    return shape + (f", {len(h.new_revisions)} new in this change" if h.new_revisions else "")


def split_clause(split: Split) -> str:
    """Why an environment became several histories, so that a user who meant one history sees it."""
    subdirs = ", ".join(f"{s}/" for s in split.subdirectories)
    shared = f"; {_plural(len(split.shared_ids), 'shared revision id')}" if split.shared_ids else ""
    return f"{split.environment} split by subdirectory: {subdirs} ({split.reason}{shared})"


def verdict(result: CheckResult) -> str:
    """The first line: `ok: ...` on a clean run, `could not check: <why>` when part of it could not run, else
    the counts of what was found."""
    counts = result.counts()
    found = ", ".join(_plural(n, s) for s, n in counts.items() if n)
    if len(result.histories) == 1:
        where = result.histories[0].environment + ": " + _shape(result.histories[0])
    else:
        where = f"{_plural(len(result.histories), 'history')} ({_plural(result.revision_count, 'revision')})"
        where = where.replace("historys", "histories")
    where += "".join(f"; {split_clause(s)}" for s in result.splits)
    if result.base is not None and result.base.source != "option":
        # `base = "auto"` chose it: say which branch, since it was not named on the command line
        where += f" (base branch: {result.base.described})"
    if result.error is not None:
        reason = (result.error.strip().splitlines() or ["unknown reason"])[0]
        return _shown(f"could not check: {reason}; {found or 'nothing'} found in {where}")
    if result.exit_code == 0:
        if found and result.report_only:
            return _shown(f"found: {found} in {where} (exit code 0: {result.gate})")
        tail = f" ({found} below {result.gate})" if found else ""
        return _shown(f"ok: {where}{tail}")
    return _shown(f"failed: {found} in {where}")


def _finding(f: Finding, color: bool, several: bool) -> str:
    env = f" [{f.environment}]" if several and f.environment else ""
    head = f"{f.location.path}:{f.location.line}: {f.rule} {_paint(f.severity.value, _COLORS[f.severity], color)}"
    return f"{head}: {f.message}{env}\n    fix: {f.hint}"


def render_findings(result: CheckResult, *, color: bool = False) -> str:
    """`--quiet`: the findings alone, nothing at all when there are none (as `ruff check -q`)."""
    several = len(result.histories) > 1
    return _shown("".join(_finding(f, color, several) + "\n" for f in result.findings))


def render(result: CheckResult, *, color: bool = False) -> str:
    lines = [verdict(result)]
    several = len(result.histories) > 1
    if several:
        lines += [f"  {h.environment}: {_shape(h)}" for h in result.histories]
    lines += [_finding(f, color, several) for f in result.findings]
    lines += [f"note: {n}" for n in result.notices]
    lines += [f"warning: {w}" for w in result.warnings]
    return _shown("\n".join(lines) + "\n")


def _shown(text: str) -> str:
    """Printable, and inert when a CI step prints it: repository text may start a line with `::error`."""
    return defuse(printable(text))

"""The MC3xx lint of one history: which revisions are in scope, in which dialect, and their findings.

The engine calls `lint()` once per history. Revisions are read statically (`migcheck.opsread`); a rule with
`dialects` runs only when the history's dialect is one of them. With the dialect unknown, those rules are
skipped and a note says how to name it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from migcheck import lintcache, lintscope
from migcheck.checks import REGISTRY
from migcheck.checks.operations import LintContext
from migcheck.config import Settings
from migcheck.discover import Environment
from migcheck.findings import Finding, Location, Severity
from migcheck.histories import History
from migcheck.lintcache import LintCache
from migcheck.operations import CREATE_TABLE, RENAME_TABLE, RevisionOperations
from migcheck.opsread import read_operations
from migcheck.result import TracedRevision
from migcheck.scripts import Revision


@dataclass
class Linted:
    """What the lint of one history found: its findings, the table each is about, notes for the run."""

    findings: list[Finding] = field(default_factory=list)
    # finding -> (revision id, table): what the PostgreSQL trace is matched against
    subjects: dict[Finding, tuple[str, str | None]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    # what could not be linted: the run then cannot say "ok" (exit 2), whatever else it found
    errors: list[str] = field(default_factory=list)
    scope: frozenset[str] = frozenset()
    # the scope is every revision (no base, no lint_since): not what the lock trace measures
    everything: bool = True
    dialect: str | None = None


def lint_codes(rules: Iterable[str]) -> list[str]:
    """The selected rules that read a LintContext, in code order."""
    return sorted(c for c in rules if REGISTRY[c].input is LintContext)


def lint(
    history: History,
    env: Environment,
    settings: Settings,
    shown_from: Path,
    rules: Iterable[str],
    others: Sequence[History] = (),
    cache: LintCache | None = None,
) -> Linted:
    """The MC3xx findings (named after `history`) of the revisions of `history` in scope; `others` are the run's other histories (a
    `lint_since` in one of them leaves this one out). `cache` keeps each file's findings between runs."""
    codes = lint_codes(rules)
    dialect, _source = lintscope.lint_dialect(settings, env)
    scope, phrase = lintscope.lint_scope(history, settings.lint_since, others=others)
    linted = Linted(scope=scope, everything=phrase == lintscope.ALL, dialect=dialect)
    if not codes or not scope:
        return linted
    selected = set(codes)
    # every lint rule of the dialect runs, so that what is cached does not depend on the selection
    runnable = [
        c for c in lint_codes(REGISTRY) if not REGISTRY[c].dialects or dialect in REGISTRY[c].dialects
    ]
    skipped = [c for c in codes if c not in runnable]
    graph = history.graph
    order = graph.upgrade_order(r for r in scope if r in graph.revisions)
    env_lock_timeout = _env_sets_lock_timeout(env)
    created_by: dict[str, frozenset[str]] = {}
    new = history.new or frozenset()
    for rid in order:
        revision = graph.revisions[rid]
        try:
            data = (shown_from / revision.path).read_bytes()
        except OSError as exc:
            linted.errors.append(
                f"{revision.path}: cannot read it for the MC3xx checks: {exc.strerror or exc}"
            )
            continue
        # tables created by the change's own earlier revisions are nobody's yet; only known with a base
        earlier = (
            frozenset().union(
                *(created_by.get(a, frozenset()) for a in graph.ancestors(rid, inclusive=False) if a in new)
            )
            if rid in new
            else frozenset()
        )
        entry_key = lintcache.key(data, revision.path, dialect, env_lock_timeout, earlier)
        cached = cache.get(entry_key) if cache is not None else None
        if cached is None:
            operations = read_operations(data, revision.path, dialect)
            context = LintContext(history, revision, operations, dialect, earlier, env_lock_timeout)
            found = tuple(
                _entry(finding, _table_at(operations, finding.location.line))
                for code in runnable
                for finding in REGISTRY[code].check(context)
            )
            cached = (tuple(sorted(_created(operations))), found)
            if cache is not None:
                cache.put(entry_key, cached)
        created, found = cached
        created_by[rid] = frozenset(created)
        for entry in found:
            if entry[0] in selected:
                finding, table = _finding(entry, revision, history.name)
                linted.findings.append(finding)
                linted.subjects[finding] = (rid, table)
    if skipped and dialect is None:
        linted.notices.append(
            f"{history.name}: migcheck could not tell the database dialect, so {_codes(skipped)} (rules for one"
            f' dialect) did not run ({phrase}); name it with `dialect = "postgresql"` in [tool.migcheck] or'
            " --dialect"
        )
    return linted


def _entry(finding: Finding, table: str | None) -> lintcache.Entry:
    loc = finding.location
    return (
        finding.rule,
        finding.severity.value,
        finding.message,
        loc.line,
        loc.end_line,
        finding.hint,
        finding.replacement,
        table,
    )


def _finding(entry: lintcache.Entry, revision: Revision, environment: str) -> tuple[Finding, str | None]:
    rule, severity, message, line, end_line, hint, replacement, table = entry
    location = Location(revision.path, line, end_line)
    finding = Finding(
        rule, Severity(severity), message, location, hint, revision.id, environment, replacement=replacement
    )
    return finding, table


def _codes(codes: Sequence[str]) -> str:
    """`MC310-MC319, MC350`: runs of consecutive codes written as ranges."""
    numbers = sorted(int(c[2:]) for c in codes)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"MC{r[0]}" if len(r) == 1 else f"MC{r[0]}-MC{r[-1]}" for r in runs)


def _created(operations: RevisionOperations) -> frozenset[str]:
    tables = set()
    for op in operations.upgrade.operations:
        if op.kind == CREATE_TABLE and op.table:
            tables.add(op.table)
        elif op.kind == RENAME_TABLE and op.name and op.table in tables:
            tables.add(op.name)
    return frozenset(tables)


def _table_at(operations: RevisionOperations, line: int) -> str | None:
    for op in (*operations.upgrade.operations, *operations.downgrade.operations):
        if op.line <= line <= (op.end_line or op.line):
            return op.table
    return None


def _env_sets_lock_timeout(env: Environment) -> bool:
    """Whether env.py sets a lock_timeout for every migration (SET lock_timeout, `-c lock_timeout=...`)."""
    try:
        text = (env.script_location / "env.py").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "lock_timeout" in text and not all(
        line.lstrip().startswith("#") for line in text.splitlines() if "lock_timeout" in line
    )


# static findings whose whole point is a table rewrite: a trace that measured none contradicts them
_REWRITE_RULES = frozenset({"MC310", "MC316"})
# static findings about one operation on one table: a measured lock on that table confirms them (MC350 folds in)
_OPERATION_RULES = frozenset(
    {"MC301", "MC302", "MC303", "MC304", "MC310", "MC311", "MC312", "MC314", "MC315", "MC316"}
)


def reconcile(
    findings: list[Finding],
    subjects: Mapping[Finding, tuple[str, str | None]],
    traced: Sequence[TracedRevision],
    notices: list[str],
) -> list[Finding]:
    """The static MC3xx findings checked against what the PostgreSQL trace measured for their revision.

    A rewrite rule (MC310 type change, MC316 volatile default) on a table the trace saw not rewritten is
    dropped, and a note counts them. A finding the trace confirms says what was measured, and the MC350
    finding for the same revision and table folds into it (one finding per problem)."""
    measured = {(r.revision, t.table): t for r in traced for t in r.locks if t.kind != "index"}
    traced_ids = {r.revision for r in traced}
    if not traced_ids:
        return findings
    kept: list[Finding] = []
    contradicted: list[str] = []
    folded: set[tuple[str, str]] = set()
    for finding in findings:
        subject = subjects.get(finding)
        if subject is None or subject[0] not in traced_ids or subject[1] is None:
            kept.append(finding)
            continue
        rid, table = subject[0], subject[1]
        trace = measured.get((rid, table))
        if finding.rule in _REWRITE_RULES and (trace is None or not trace.rewritten):
            contradicted.append(f"{finding.rule} at {finding.location.path}:{finding.location.line}")
            continue
        if finding.rule in _OPERATION_RULES and trace is not None and (trace.strongest or trace.rewritten):
            # a revision is charged with the locks it added: one its transaction already held is not repeated
            said = [f"took {trace.strongest} on '{table}'"] if trace.strongest else []
            said += [f"blocks {trace.blocks}"] if trace.blocks else []
            said += ["rewrote it"] if trace.rewritten else []
            finding = replace(
                finding, message=f"{finding.message} (measured on PostgreSQL: {', '.join(said)})"
            )
            folded.add((rid, table))
        kept.append(finding)
    kept = [f for f in kept if not (f.rule == "MC350" and _measured_subject(f, folded))]
    if contradicted:
        notices.append(
            f"{len(contradicted)} static finding(s) dropped because the PostgreSQL trace measured no table rewrite:"
            f" {', '.join(contradicted)}"
        )
    return kept


def _measured_subject(finding: Finding, folded: set[tuple[str, str]]) -> bool:
    return any(finding.revision == rid and (f"table '{table}'" in finding.message) for rid, table in folded)

"""The MC3xx lint of one history: which revisions are in scope, in which dialect, and their findings.

The engine calls `lint()` once per history. Revisions are read statically (`migcheck.opsread`); a rule with
`dialects` runs only when the history's dialect is one of them. With the dialect unknown, those rules are
skipped and a note says how to name it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from migcheck import lintscope
from migcheck.checks import REGISTRY
from migcheck.checks.operations import LintContext
from migcheck.config import Settings
from migcheck.discover import Environment
from migcheck.findings import Finding
from migcheck.histories import History
from migcheck.operations import CREATE_TABLE, RENAME_TABLE, RevisionOperations
from migcheck.opsread import read_operations

_DIALECT_NAMES = {"postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB", "sqlite": "SQLite"}


@dataclass
class Linted:
    """What the lint of one history found: its findings, the table each is about, notes for the run."""

    findings: list[Finding] = field(default_factory=list)
    # finding -> (revision id, table): what the PostgreSQL trace is matched against
    subjects: dict[Finding, tuple[str, str | None]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    scope: frozenset[str] = frozenset()
    # the scope is every revision (no base, no lint_since): not what the lock trace measures
    everything: bool = True
    dialect: str | None = None


def lint_codes(rules: Iterable[str]) -> list[str]:
    """The selected rules that read a LintContext, in code order."""
    return sorted(c for c in rules if REGISTRY[c].input is LintContext)


def lint(
    history: History, env: Environment, settings: Settings, shown_from: Path, rules: Iterable[str]
) -> Linted:
    """The MC3xx findings of the revisions of `history` in scope."""
    codes = lint_codes(rules)
    dialect, _source = lintscope.lint_dialect(settings, env)
    scope, phrase = lintscope.lint_scope(history, settings.lint_since)
    linted = Linted(scope=scope, everything=phrase == lintscope.ALL, dialect=dialect)
    if not codes or not scope:
        return linted
    runnable = [c for c in codes if not REGISTRY[c].dialects or dialect in REGISTRY[c].dialects]
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
            linted.notices.append(
                f"{revision.path}: cannot read it for the MC3xx checks: {exc.strerror or exc}"
            )
            continue
        operations = read_operations(data, revision.path, dialect)
        created_by[rid] = _created(operations)
        # tables created by the change's own earlier revisions are nobody's yet; only known with a base
        earlier = (
            frozenset().union(
                *(created_by.get(a, frozenset()) for a in graph.ancestors(rid, inclusive=False) if a in new)
            )
            if rid in new
            else frozenset()
        )
        context = LintContext(history, revision, operations, dialect, earlier, env_lock_timeout)
        for code in runnable:
            for finding in REGISTRY[code].check(context):
                linted.findings.append(finding)
                linted.subjects[finding] = (rid, _table_at(operations, finding.location.line))
    if skipped and dialect is None:
        names = ", ".join(skipped)
        linted.notices.append(
            f"{history.name}: migcheck could not tell the database dialect, so {names} (rules for one dialect)"
            f' did not run on {phrase}; name it with `dialect = "postgresql"` in [tool.migcheck] or --dialect'
        )
    return linted


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


def dialect_label(dialect: str | None) -> str:
    return _DIALECT_NAMES.get(dialect or "", "an unknown dialect")

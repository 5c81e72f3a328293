"""The rules, one module per family, and the one place that loads them all.

Each rule reads one kind of input, declared by its parameter's type: a `History` (MC10x, static graph
checks), a `MergeContext` (MC11x, the change against --base), a `DriftContext` (MC2xx, the scratch database),
a `LintContext` (MC3xx, one new revision's operations) or a `StatusContext` (MC4xx, a live database). The
engine hands each input to the selected rules that read it (`applicable`), so a rule is run by whichever
command produces its input, whatever its code. Import `REGISTRY` from here: importing this package is what
registers every rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from migcheck.checks import (
    destructive,
    downgrades,
    drift,
    history,
    locking,
    measured,
    merge,
    mysqlddl,
    mysqlmeasured,
    status,
    typechange,
)
from migcheck.checks.drift import DriftContext
from migcheck.checks.merge import MergeContext
from migcheck.checks.operations import LintContext
from migcheck.checks.status import StatusContext
from migcheck.findings import REGISTRY, Finding, Rule, resolve_rules
from migcheck.histories import History

# Every input a command produces; a rule reading anything else would never run.
INPUTS: tuple[type, ...] = (History, MergeContext, DriftContext, StatusContext, LintContext)
_unrouted = sorted(code for code, r in REGISTRY.items() if r.input not in INPUTS)
if _unrouted:
    raise TypeError(f"rules {', '.join(_unrouted)} read an input no command produces")

__all__ = [
    "INPUTS",
    "REGISTRY",
    "DriftContext",
    "History",
    "LintContext",
    "MergeContext",
    "Rule",
    "StatusContext",
    "applicable",
    "destructive",
    "downgrades",
    "drift",
    "history",
    "locking",
    "measured",
    "merge",
    "mysqlddl",
    "mysqlmeasured",
    "resolve_rules",
    "status",
    "typechange",
]


def applicable(codes: Iterable[str], subject: object) -> list[Finding]:
    """The findings of each rule in `codes` that reads `subject`'s type, in code order."""
    kind = type(subject)
    return [
        finding
        for code in sorted(codes)
        if REGISTRY[code].input is kind
        for finding in REGISTRY[code].check(subject)
    ]

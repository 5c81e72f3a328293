"""`migcheck rules [RULE]`: every rule's documentation, or one rule's, as text or JSON."""

from __future__ import annotations

import json
from typing import Any

from migcheck.checks import REGISTRY
from migcheck.errors import MigcheckError
from migcheck.findings import Rule

# How the docs spell each dialect a rule names (README's MC3xx table, the text header); MySQL covers MariaDB.
DIALECT_NAMES = {"postgresql": "PostgreSQL", "mysql": "MySQL", "sqlite": "SQLite"}


def find_rule(wanted: str) -> Rule:
    """The rule with this code (`MC101`, any case) or name (`multiple-heads`); an unknown one lists them all."""
    value = wanted.strip()
    for r in REGISTRY.values():
        if r.code == value.upper() or r.name == value.lower():
            return r
    known = ", ".join(f"{r.code} ({r.name})" for r in sorted(REGISTRY.values(), key=lambda r: r.code))
    raise MigcheckError(f"no rule {wanted!r}; known rules: {known}")


def dialects_label(r: Rule) -> str:
    """The dialects a rule applies to as the docs spell them (`PostgreSQL, MySQL`), or `all`."""
    return ", ".join(DIALECT_NAMES[d] for d in r.dialects) if r.dialects else "all"


def _doc(r: Rule) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "severity": r.severity.value,
        # the values --dialect takes; empty: the rule applies whatever the database
        "dialects": list(r.dialects),
        "summary": r.summary,
        "description": r.description,
    }


def _text(r: Rule) -> str:
    body = "\n".join(f"    {line}" if line else "" for line in r.description.splitlines())
    # the lint rules say which databases they judge: `MC312 ... (warning; PostgreSQL)`, `(warning; all dialects)`
    applies = f"; {dialects_label(r)}" if r.dialects else "; all dialects" if r.family == "MC3xx" else ""
    return f"{r.code} {r.name} ({r.severity.value}{applies})\n    {r.summary}\n\n{body}\n"


def render_rules(fmt: str, wanted: str | None = None) -> str:
    """All rules sorted by code (a JSON list), or the one `wanted` names (a JSON object)."""
    if wanted is not None:
        one = find_rule(wanted)
        return json.dumps(_doc(one), indent=2) + "\n" if fmt == "json" else _text(one)
    ordered = sorted(REGISTRY.values(), key=lambda r: r.code)
    if fmt == "json":
        return json.dumps([_doc(r) for r in ordered], indent=2) + "\n"
    return "".join(_text(r) + "\n" for r in ordered)

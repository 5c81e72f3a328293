"""`migcheck rules [RULE]`: every rule's documentation, or one rule's, as text or JSON."""

from __future__ import annotations

import json
from typing import Any

from migcheck.checks import REGISTRY
from migcheck.errors import MigcheckError
from migcheck.findings import Rule


def find_rule(wanted: str) -> Rule:
    """The rule with this code (`MC101`, any case) or name (`multiple-heads`); an unknown one lists them all."""
    value = wanted.strip()
    for r in REGISTRY.values():
        if r.code == value.upper() or r.name == value.lower():
            return r
    known = ", ".join(f"{r.code} ({r.name})" for r in sorted(REGISTRY.values(), key=lambda r: r.code))
    raise MigcheckError(f"no rule {wanted!r}; known rules: {known}")


def _doc(r: Rule) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "severity": r.severity.value,
        "summary": r.summary,
        "description": r.description,
    }


def _text(r: Rule) -> str:
    body = "\n".join(f"    {line}" if line else "" for line in r.description.splitlines())
    return f"{r.code} {r.name} ({r.severity.value})\n    {r.summary}\n\n{body}\n"


def render_rules(fmt: str, wanted: str | None = None) -> str:
    """All rules sorted by code (a JSON list), or the one `wanted` names (a JSON object)."""
    if wanted is not None:
        one = find_rule(wanted)
        return json.dumps(_doc(one), indent=2) + "\n" if fmt == "json" else _text(one)
    ordered = sorted(REGISTRY.values(), key=lambda r: r.code)
    if fmt == "json":
        return json.dumps([_doc(r) for r in ordered], indent=2) + "\n"
    return "".join(_text(r) + "\n" for r in ordered)

"""`findings.rule()`: a rule declares the one input it reads by annotating its one parameter.

Each test registers into an empty registry of its own, so the real rules stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from migcheck import findings
from migcheck.findings import Finding, Severity, rule
from migcheck.histories import History


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, findings.Rule]:
    empty: dict[str, findings.Rule] = {}
    monkeypatch.setattr(findings, "REGISTRY", empty)
    return empty


def test_a_rule_records_the_type_its_parameter_is_annotated_with(registry: dict[str, findings.Rule]) -> None:
    @rule(code="MC998", name="reads-a-history", severity=Severity.ERROR)
    def reads_a_history(history: History) -> Iterator[Finding]:
        """Reads a history."""
        yield from ()

    assert registry["MC998"].input is History


def test_a_rule_without_an_annotated_parameter_is_refused(registry: dict[str, findings.Rule]) -> None:
    def unannotated(subject) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
        """Reads something."""
        yield from ()

    with pytest.raises(ValueError, match="must annotate its argument with the input type it reads"):
        rule(code="MC998", name="reads-anything", severity=Severity.ERROR)(unannotated)
    assert registry == {}


def test_a_rule_taking_other_than_one_argument_is_refused(registry: dict[str, findings.Rule]) -> None:
    def two(history: History, extra: Any) -> Iterator[Finding]:
        """Reads two things."""
        yield from ()

    with pytest.raises(ValueError, match="must take one argument: the input it checks"):
        rule(code="MC998", name="reads-two-things", severity=Severity.ERROR)(two)
    assert registry == {}

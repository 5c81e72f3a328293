"""README's `### MC3xx: safe to deploy` table lists every registered MC3xx rule as the registry has it: code,
name, severity and dialects (spelled as `migcheck rules` spells them: PostgreSQL, MySQL, SQLite, or "all")."""

from __future__ import annotations

from pathlib import Path

from migcheck.checks import REGISTRY
from migcheck.report.rules import dialects_label

README = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "### MC3xx: safe to deploy"
COLUMNS = ["Code", "Name", "Severity", "Dialects", "What, and the safe alternative"]


def _table_rows() -> list[list[str]]:
    """The cells of the first table under the heading, header row included."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines.count(HEADING) == 1, f"README needs exactly one {HEADING!r} heading"
    rows: list[list[str]] = []
    for line in lines[lines.index(HEADING) + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break  # the table ended
    return rows


def test_the_mc3xx_table_has_the_dialects_column() -> None:
    header, separator, *_ = _table_rows()

    assert header == COLUMNS
    assert all(set(cell) <= {"-", ":"} for cell in separator)


def test_every_mc3xx_rule_has_a_row_that_agrees_with_the_registry() -> None:
    rows = {cells[0]: cells for cells in _table_rows()[2:]}
    registered = {code: rule for code, rule in REGISTRY.items() if rule.family == "MC3xx"}

    assert registered, "no MC3xx rule is registered"
    assert sorted(rows) == sorted(registered)
    for code, rule in registered.items():
        assert rows[code][1:4] == [rule.name, rule.severity.value, dialects_label(rule)], code
        assert rows[code][4], f"{code} has no description"

"""--statistics: findings per rule, most first, as ruff counts them; the timing line names every phase."""

from __future__ import annotations

from dataclasses import replace

from migcheck.findings import Severity
from migcheck.report.statistics import statistics, timing_line

from .helpers import finding, result


def test_rules_are_counted_most_first_then_by_code() -> None:
    found = result(
        finding("MC105", Severity.WARNING),
        finding("MC102"),
        finding("MC102", line=9),
        finding("MC101"),
    )

    assert (
        statistics(found)
        == "2  MC102  missing-down-revision\n1  MC101  multiple-heads\n1  MC105  multiple-bases\n"
    )


def test_counts_are_right_aligned_when_they_differ_in_width() -> None:
    found = result(*(finding("MC102", line=n) for n in range(1, 11)), finding("MC101"))

    assert statistics(found).splitlines() == ["10  MC102  missing-down-revision", " 1  MC101  multiple-heads"]


def test_no_findings_no_statistics() -> None:
    assert statistics(result()) == ""


def test_the_timing_line_lists_the_phases_in_the_order_they_run() -> None:
    timed = replace(result(), timings={"total": 1.5, "drift": 1.0, "read": 0.25, "discover": 0.25})

    line = timing_line(timed)

    assert line == "checked 3 revisions in 1.50s (discover 0.25s, read 0.25s, drift 1.00s)\n"

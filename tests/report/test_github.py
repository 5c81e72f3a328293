"""GitHub workflow commands: escaping as @actions/core does it, order, and GitHub's annotation limits."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from migcheck.findings import Severity
from migcheck.report import render
from migcheck.report.github import annotations, command, escape_data, escape_property
from migcheck.report.github import render as render_github

from .helpers import finding, result


def test_data_escapes_percent_cr_and_lf_only() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"


def test_percent_is_escaped_first_so_escapes_are_not_doubled_or_faked() -> None:
    assert escape_data("%0A") == "%250A"
    assert escape_property("%3A") == "%253A"


def test_one_finding_is_one_exact_command() -> None:
    f = finding(
        message="2 heads: a, b\n100%",
        path="migrations/versions/a:b,c.py",
        line=16,
        end_line=18,
        hint="run `alembic merge`",
    )

    assert command(f) == (
        "::error file=migrations/versions/a%3Ab%2Cc.py,line=16,endLine=18,title=MC101 multiple-heads"
        "::2 heads: a, b%0A100%25%0Afix: run `alembic merge`"
    )


def test_levels_follow_severities_and_end_line_is_left_out_when_unset() -> None:
    lines, left = annotations(
        result(finding("MC105", Severity.NOTICE), finding("MC108", Severity.WARNING), finding("MC101"))
    )

    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice"]
    assert left == 0
    assert all("endLine" not in line for line in lines)


def test_errors_come_first_then_warnings_then_notices_each_by_path_and_line() -> None:
    lines, _ = annotations(
        result(
            finding("MC105", Severity.NOTICE, path="a.py"),
            finding("MC108", Severity.WARNING, path="b.py", line=9),
            finding("MC108", Severity.WARNING, path="b.py", line=2),
            finding("MC101", path="z.py"),
            finding("MC102", path="c.py"),
        )
    )

    assert [line.split(",title=", 1)[0] for line in lines] == [
        "::error file=c.py,line=16",
        "::error file=z.py,line=16",
        "::warning file=b.py,line=2",
        "::warning file=b.py,line=9",
        "::notice file=a.py,line=16",
    ]


def _many(errors: int, warnings: int, notices: int):
    make = [
        *(finding("MC101", path=f"e{i:02}.py") for i in range(errors)),
        *(finding("MC108", Severity.WARNING, path=f"w{i:02}.py") for i in range(warnings)),
        *(finding("MC105", Severity.NOTICE, path=f"n{i:02}.py") for i in range(notices)),
    ]
    return result(*make)


def test_at_most_per_level_of_each_level_are_annotated() -> None:
    lines, left = annotations(_many(15, 3, 0))

    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 3
    assert "file=e09.py" in lines[9] and left == 5


def test_at_most_per_job_are_annotated_in_all() -> None:
    lines, left = annotations(_many(15, 15, 15), per_level=10, per_job=25)

    levels = [line.split(" ", 1)[0] for line in lines]
    assert levels == ["::error"] * 10 + ["::warning"] * 10 + ["::notice"] * 5
    assert left == 20


def test_render_ends_with_a_notice_counting_what_was_left_out() -> None:
    out = render_github(_many(12, 0, 0)).splitlines()

    assert len(out) == 11
    assert out[-1] == "::notice::2 more findings are not shown as annotations; see the job summary"


def test_the_closing_notice_keeps_a_slot_of_its_own() -> None:
    out = render_github(_many(10, 10, 12)).splitlines()

    notices = [line for line in out if line.startswith("::notice")]
    assert len(notices) == 10  # 9 findings and the closing notice: GitHub shows 10 notices per step
    assert notices[-1] == "::notice::3 more findings are not shown as annotations; see the job summary"


def test_render_has_no_closing_notice_when_everything_fits() -> None:
    assert render_github(_many(1, 0, 0)).count("::") == 2
    assert render_github(result()) == ""


def test_a_check_that_could_not_run_is_one_escaped_error_command_first() -> None:
    from dataclasses import replace

    failed = replace(result(finding()), error="env: drift check: 100% broken\nline two")

    first, second = render_github(failed).splitlines()

    assert first == "::error title=migcheck could not check::env: drift check: 100%25 broken%0Aline two"
    assert second.startswith("::error file=")
    assert annotations(failed)[0] == [second]  # the action reports the reason itself, once


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif"])
def test_no_other_report_holds_a_workflow_command_for_a_ci_step_to_run(fmt: str) -> None:
    """`migcheck check` in a workflow step prints its report where the runner reads commands."""
    payload = "x\n::error title=INJECTED::a\r  ::add-mask::b\n##[error]c"
    res = replace(
        result(finding(message=payload, hint=payload, path="::error::d.py")),
        error=payload,
        notices=(payload,),
    )

    report = render(res, fmt)

    lines = re.split(r"\r\n|\r|\n", report)
    assert [line for line in lines if line.lstrip().startswith(("::", "##["))] == []
    assert "INJECTED" in report

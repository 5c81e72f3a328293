"""The SARIF report: valid SARIF 2.1.0 that GitHub code scanning can upload."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import copy_case

from migcheck.checks import REGISTRY
from migcheck.cli import main
from migcheck.findings import Severity
from migcheck.report import REPORTERS
from migcheck.report.sarif import render

from .helpers import finding, result

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def sarif(res) -> dict:
    return json.loads(render(res))


@pytest.mark.parametrize(
    "kind,name", [("clean", "linear"), ("broken", "two_heads"), ("broken", "syntax_error")]
)
def test_a_checked_tree_gives_a_valid_sarif_log(checked, kind: str, name: str) -> None:
    doc = sarif(checked(kind, name))

    jsonschema.Draft7Validator(SCHEMA).validate(doc)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert bool(doc["runs"][0]["results"]) == (kind == "broken")


def test_every_severity_and_an_end_line_validate() -> None:
    doc = sarif(
        result(
            finding("MC101", end_line=20),
            finding("MC108", Severity.WARNING),
            finding("MC105", Severity.NOTICE, message="odd: `x` <y> @z\nnext", hint="h\n    op.x()"),
        )
    )

    jsonschema.Draft7Validator(SCHEMA).validate(doc)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 16,
        "endLine": 20,
    }


def test_notice_is_a_note_in_sarif() -> None:
    doc = sarif(
        result(
            finding("MC101"),
            finding("MC108", Severity.WARNING, line=1),
            finding("MC105", Severity.NOTICE, line=2),
        )
    )

    assert [r["level"] for r in doc["runs"][0]["results"]] == [
        "warning",
        "note",
        "error",
    ]  # in path/line order


def test_every_registered_rule_is_described_and_results_point_at_theirs() -> None:
    doc = sarif(result(finding("MC108", Severity.WARNING)))
    driver = doc["runs"][0]["tool"]["driver"]

    assert [r["id"] for r in driver["rules"]] == sorted(REGISTRY)
    assert driver["name"] == "migcheck" and driver["informationUri"] == "https://github.com/migcheck/migcheck"
    stale = next(r for r in driver["rules"] if r["id"] == "MC108")
    assert stale["name"] == "stale-docstring-header"
    assert stale["shortDescription"]["text"] == REGISTRY["MC108"].summary
    assert stale["fullDescription"]["markdown"] == REGISTRY["MC108"].description
    assert stale["defaultConfiguration"]["level"] == "warning"
    (res,) = doc["runs"][0]["results"]
    assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"] == "MC108"
    assert res["message"]["text"] == "something is wrong\nFix: fix it"


def test_paths_are_relative_forward_slash_uris_under_srcroot() -> None:
    doc = sarif(result(finding(path="migrations/versions/a b.py"), finding(path="./db\\versions\\c.py")))

    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in doc["runs"][0]["results"]]
    assert locations == [
        {"uri": "db/versions/c.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "migrations/versions/a%20b.py", "uriBaseId": "%SRCROOT%"},
    ]
    assert "/checkout/project" not in render(result(finding()))


def test_fingerprints_survive_line_moves_and_tell_findings_apart() -> None:
    def prints(*findings) -> list[str]:
        return [
            r["partialFingerprints"]["migcheckFinding/v1"]
            for r in sarif(result(*findings))["runs"][0]["results"]
        ]

    assert prints(finding(line=3)) == prints(finding(line=30))
    assert len(set(prints(finding(), finding(message="other"), finding("MC102")))) == 3


def test_the_output_is_deterministic(checked) -> None:
    res = checked("broken", "three_heads")

    assert render(res) == render(res)


def test_the_cli_writes_sarif_and_every_reporter_is_a_format_choice(tmp_path: Path) -> None:
    target = copy_case("broken/two_heads", tmp_path / "two_heads")
    run = CliRunner().invoke(main, ["check", str(target), "--no-drift", "--format", "sarif"], env={})

    assert run.exit_code == 1
    jsonschema.Draft7Validator(SCHEMA).validate(json.loads(run.output))
    assert set(REPORTERS) == {"text", "json", "markdown", "github", "sarif"}
    for fmt in REPORTERS:
        assert (
            CliRunner().invoke(main, ["check", str(target), "--no-drift", "--format", fmt], env={}).exit_code
            == 1
        )


def test_the_vendored_schema_rejects_what_code_scanning_would() -> None:
    doc = sarif(result(finding("MC105", Severity.NOTICE)))
    doc["runs"][0]["results"][0]["level"] = "notice"

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(doc)


def test_a_check_that_could_not_run_is_an_unsuccessful_invocation_with_its_reason() -> None:
    from dataclasses import replace

    failed = replace(result(finding()), error="migrations: env.py raised SystemExit(0)")

    doc = json.loads(render(failed))
    jsonschema.Draft7Validator(SCHEMA).validate(doc)

    [invocation] = doc["runs"][0]["invocations"]
    assert invocation == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": "migcheck could not check: migrations: env.py raised SystemExit(0)"},
            }
        ],
    }
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["MC101"]
    assert json.loads(render(result(finding())))["runs"][0]["invocations"] == [{"executionSuccessful": True}]

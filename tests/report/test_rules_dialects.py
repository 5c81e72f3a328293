"""`migcheck rules` and the SARIF rule metadata say which databases a rule judges (its `dialects`)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from migcheck.checks import REGISTRY
from migcheck.cli import main
from migcheck.findings import Rule, Severity
from migcheck.report.rules import dialects_label
from migcheck.report.sarif import render

from .helpers import finding, result

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def _check(ctx: object) -> list:
    return []


@pytest.fixture
def postgres_only(monkeypatch: pytest.MonkeyPatch) -> Rule:
    """A rule for PostgreSQL and MySQL only, registered for the length of one test."""
    rule = Rule(
        "MC399",
        "postgres-and-mysql-only",
        Severity.WARNING,
        "A rule for two databases.",
        "Why: it only happens there.",
        _check,
        object,
        ("postgresql", "mysql"),
    )
    monkeypatch.setitem(REGISTRY, rule.code, rule)
    return rule


def rules(*args: str) -> str:
    outcome = CliRunner().invoke(main, ["rules", *args])
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def test_a_rule_for_some_databases_names_them_in_its_header(postgres_only: Rule) -> None:
    assert rules("MC399").splitlines()[0] == "MC399 postgres-and-mysql-only (warning; PostgreSQL, MySQL)"


def test_a_lint_rule_for_every_database_says_all_dialects() -> None:
    assert rules("MC302").splitlines()[0] == "MC302 drop-column (warning; all dialects)"


def test_a_graph_rule_header_names_no_dialect() -> None:
    assert rules("MC101").splitlines()[0] == "MC101 multiple-heads (error)"


def test_the_listing_of_every_rule_shows_the_dialects_too(postgres_only: Rule) -> None:
    output = rules()

    assert "MC399 postgres-and-mysql-only (warning; PostgreSQL, MySQL)\n" in output
    assert "MC301 drop-table (warning; all dialects)\n" in output


def test_json_lists_the_dialects_as_dialect_names_empty_for_all(postgres_only: Rule) -> None:
    documents = {d["code"]: d for d in json.loads(rules("--format", "json"))}

    assert documents["MC399"]["dialects"] == ["postgresql", "mysql"]
    assert documents["MC301"]["dialects"] == []
    assert json.loads(rules("MC399", "--format", "json"))["dialects"] == ["postgresql", "mysql"]


def test_sarif_rule_properties_carry_the_dialects_and_validate(postgres_only: Rule) -> None:
    doc = json.loads(render(result(finding("MC101"))))
    described = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}

    jsonschema.Draft7Validator(SCHEMA).validate(doc)
    assert described["MC399"]["properties"] == {"dialects": ["postgresql", "mysql"]}
    assert "properties" not in described["MC301"]  # every database: nothing to narrow


@pytest.mark.parametrize(
    "dialects,label",
    [((), "all"), (("postgresql",), "PostgreSQL"), (("mysql", "sqlite"), "MySQL, SQLite")],
)
def test_dialects_label_spells_each_database_as_the_docs_do(dialects: tuple[str, ...], label: str) -> None:
    rule = Rule("MC398", "x", Severity.NOTICE, "s", "d", _check, object, dialects)

    assert dialects_label(rule) == label

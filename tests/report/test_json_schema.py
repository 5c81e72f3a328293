"""docs/report.schema.json describes what `--format json` really prints: every real report validates, and the
schema is closed, so a key added to the report fails here until the schema names it."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import TREES, commit, copy_case, git
from jsonschema import Draft202012Validator

from migcheck.cli import main

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def problems(document: dict[str, Any]) -> list[str]:
    """Each way `document` differs from the schema, naming the property the schema is missing, if that is it."""
    found = []
    for error in sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        if error.validator in ("additionalProperties", "unevaluatedProperties"):
            extra = sorted(set(error.instance) - _named_properties(error.schema))
            found += [f"{where}: property {name!r} is missing from {SCHEMA_PATH.name}" for name in extra]
        else:
            found.append(f"{where}: {error.message}")
    return found


def _named_properties(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        names |= _named_properties(SCHEMA["$defs"][ref.rpartition("/")[2]])
    return names


def report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, [*args, "--format", "json"], env={}, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_schema_itself_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_a_clean_project_validates(tmp_path: Path) -> None:
    document = report("check", str(copy_case("clean/merge_revision", tmp_path / "p")))

    assert document["ok"] is True
    assert problems(document) == []


def test_two_environments_validate(tmp_path: Path) -> None:
    document = report(
        "check", str(copy_case("clean/monorepo_two_environments", tmp_path / "p")), "--no-drift"
    )

    assert len(document["environments"]) == 2
    assert problems(document) == []


@pytest.mark.parametrize("case", sorted(p.name for p in (TREES / "broken").iterdir() if p.is_dir()))
def test_every_broken_case_validates(tmp_path: Path, case: str) -> None:
    document = report("check", str(copy_case(f"broken/{case}", tmp_path / case)), "--no-drift")

    assert document["findings"], "a broken case has findings"
    assert problems(document) == []


def test_a_drift_finding_validates(tmp_path: Path) -> None:
    document = report(
        "check", str(copy_case("drift/type_and_nullable_change", tmp_path / "p")), "--drift-only"
    )

    assert {f["rule"] for f in document["findings"]} == {"MC201"}
    assert problems(document) == []


def test_a_run_that_could_not_check_everything_validates(tmp_path: Path) -> None:
    project = copy_case("drift/blog_declarative", tmp_path / "p")
    env_py = project / "migrations" / "env.py"
    env_py.write_text("import sys\nsys.exit(0)\n" + env_py.read_text())

    document = report("check", str(project))

    assert document["exit_code"] == 2
    assert isinstance(document["error"], str)
    assert problems(document) == []


def test_a_report_only_run_validates_with_fail_on_never(tmp_path: Path) -> None:
    document = report(
        "check", str(copy_case("broken/two_heads", tmp_path / "p")), "--no-drift", "--exit-zero"
    )

    assert (document["ok"], document["exit_code"], document["fail_on"]) == (True, 0, "never")
    assert problems(document) == []


def test_a_run_against_a_base_branch_validates(tmp_path: Path) -> None:
    project = copy_case("clean/merge_revision", tmp_path / "p")
    git(project, "init", "-q", "-b", "main")
    commit(project, "base")

    document = report("check", str(project), "--base", "main", "--no-drift")

    assert document["base"]["ref"] == "main"
    assert problems(document) == []


def test_the_status_report_validates(tmp_path: Path) -> None:
    project = copy_case("clean/linear", tmp_path / "p")
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('bbbbbbbbbbbb')")
    db.close()

    document = report("status", str(project), "--database-url", f"sqlite:///{database}")

    assert [f["rule"] for f in document["findings"]] == ["MC401"]
    assert problems(document) == []


def test_the_python_m_entry_point_prints_the_same_document(tmp_path: Path) -> None:
    project = copy_case("broken/two_heads", tmp_path / "p")
    done = subprocess.run(
        [sys.executable, "-m", "migcheck", str(project), "--no-drift", "--format", "json"],
        capture_output=True,
        text=True,
    )

    assert done.returncode == 1, done.stderr
    assert problems(json.loads(done.stdout)) == []


# The places where the report is an object: a key the schema does not name there must fail validation.
CLOSED = [
    (),
    ("counts",),
    ("heads", 0),
    ("bases", 0),
    ("environments", 0),
    ("environments", 0, "heads", 0),
    ("environments", 0, "bases", 0),
    ("findings", 0),
]


@pytest.mark.parametrize("where", CLOSED, ids=lambda w: "/" + "/".join(map(str, w)))
def test_a_key_the_schema_does_not_name_fails_and_is_named(tmp_path: Path, where: tuple[Any, ...]) -> None:
    document = copy.deepcopy(_two_heads(tmp_path))
    target: Any = document
    for step in where:
        target = target[step]
    target["graph_nodes"] = []

    assert problems(document) == [
        f"/{'/'.join(map(str, where))}: property 'graph_nodes' is missing from report.schema.json"
    ]


def test_a_key_the_report_drops_fails_too(tmp_path: Path) -> None:
    document = _two_heads(tmp_path)
    del document["findings"][0]["hint"]

    assert problems(document) == ["/findings/0: 'hint' is a required property"]


def _two_heads(tmp_path: Path) -> dict[str, Any]:
    return report("check", str(copy_case("broken/two_heads", tmp_path / "p")), "--no-drift")

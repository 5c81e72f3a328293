"""The action's default `drift: auto` on ordinary projects: a package missing from the container, or migrations
written for PostgreSQL, are a warning that names the input to set, and the step's colour is the graph checks'.
Under the action every hint names its inputs, never a `migcheck check` flag."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fake_api import FakeGitHub
from helpers import add_step_revision, users_project
from jobs import Outcome

from migcheck.github.context import CHECK_FLAGS

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action, broken, clean

# every flag of `migcheck check` (and --no-drift): none may appear in what the action prints or publishes,
# except inside a command of another subcommand (`migcheck fix --base main --write`)
_FLAGS = re.compile(
    r"(?<![\w-])--(?:no-drift|" + "|".join(key.replace("_", "-") for _, key in CHECK_FLAGS) + r")(?![\w-])"
)
_OTHER_COMMANDS = re.compile(r"migcheck (?:fix|status|cleanup|graph|rules)\b[^;\n)`]*")


def _flags_named(outcome: Outcome, api: FakeGitHub) -> list[str]:
    published = [json.dumps(run) for run in api.check_runs.values()]
    published += [json.dumps(r.body) for r in outcome.requests if r.body]
    texts = [outcome.stdout, outcome.stderr, outcome.summary, *published]
    if outcome.outputs.get("report"):
        texts.append(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    return [m.group(0) for t in texts for m in _FLAGS.finditer(_OTHER_COMMANDS.sub("", t))]


def _postgresql_project(tmp_path: Path) -> Path:
    """`alembic init` configured for PostgreSQL, with a migration only PostgreSQL runs."""
    root = users_project(tmp_path)
    ini = root / "alembic.ini"
    ini.write_text(
        re.sub(
            r"(?m)^sqlalchemy\.url = .*$", "sqlalchemy.url = postgresql+psycopg://app@db/app", ini.read_text()
        )
    )
    add_step_revision(
        root, "bbbbbbbbbbbb", "aaaaaaaaaaaa", 'op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")'
    )
    return root


def test_by_default_a_postgresql_migration_is_a_warning_naming_database_url_and_a_service(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    root = _postgresql_project(tmp_path)

    outcome = action(root, MIGCHECK_DRIFT=None, MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 0 and outcome.outputs["result"] == "success"
    assert outcome.outputs["findings"] == "0"
    [warning] = outcome.warnings()
    assert "revision 'bbbbbbbbbbbb'" in warning and "is written for PostgreSQL" in warning
    assert "`database-url: postgresql+psycopg://postgres@postgres:5432/postgres`" in warning
    assert "services:%0A  postgres:%0A    image: postgres:16" in warning  # the example, line by line
    assert "or set `drift: false`" in warning
    assert "image: postgres:16" in outcome.summary  # the job summary shows it too
    report = json.loads(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    assert report["ok"] and len(report["warnings"]) == 1
    assert _flags_named(outcome, api) == []


def test_drift_true_keeps_the_migration_failure_red(action, api: FakeGitHub, tmp_path: Path) -> None:
    root = _postgresql_project(tmp_path)

    outcome = action(root, MIGCHECK_DRIFT="true", MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 1 and outcome.outputs["result"] == "failure"
    [run] = api.check_runs.values()
    [annotation] = run["annotations"]
    assert annotation["title"] == "MC202 migration-fails"
    # MC202's hint on SQLite, in the action's words
    assert (
        "the migration is written for PostgreSQL (the project is configured for PostgreSQL): check on that"
        " dialect with `database-url: postgresql+psycopg://USER@HOST:5432/postgres`"
    ) in annotation["message"]
    assert _flags_named(outcome, api) == []


def test_by_default_a_package_missing_from_the_container_is_a_warning_naming_install(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    root = users_project(tmp_path)
    models = root / "models.py"
    models.write_text("import flask_login_absent_for_the_test  # noqa: F401\n" + models.read_text())

    outcome = action(root, MIGCHECK_DRIFT=None, MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 0 and outcome.outputs["result"] == "success"
    [warning] = outcome.warnings()
    assert "the project imports 'flask_login_absent_for_the_test', which is not installed" in warning
    assert (
        "add it to the action's `install:` input (e.g. `install: pip install -r requirements.txt`)" in warning
    )
    assert "or set `drift: false`" in warning
    assert _flags_named(outcome, api) == []


def test_what_auto_does_not_excuse_still_could_not_check_in_the_actions_words(
    action, api: FakeGitHub, tmp_path: Path
) -> None:
    root = users_project(tmp_path)  # env.py imports a module of the project that is not there
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace("from models import Base", "from models.user import Base"))

    outcome = action(root, MIGCHECK_DRIFT=None, MIGCHECK_COMMENT="never")

    assert outcome.exit_code == 2 and outcome.outputs["result"] == "error"
    assert "No module named 'models.user'" in outcome.stdout
    assert "`drift: false` skips it" in outcome.stdout
    assert _flags_named(outcome, api) == []


def test_a_bad_metadata_input_is_named_as_the_input(action, api: FakeGitHub, tmp_path: Path) -> None:
    root = users_project(tmp_path)

    outcome = action(
        root, MIGCHECK_DRIFT="true", MIGCHECK_METADATA="models:Nothing", MIGCHECK_COMMENT="never"
    )

    assert outcome.exit_code == 2
    assert "`metadata: models:Nothing`: module 'models' has no attribute 'Nothing'" in outcome.stdout
    assert _flags_named(outcome, api) == []


def test_findings_below_fail_on_name_the_input(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_FAIL_ON="warning", MIGCHECK_SELECT="MC105", MIGCHECK_COMMENT="always")

    assert _flags_named(outcome, api) == []


def test_a_bad_boolean_or_comment_input_is_named_as_the_input(action, api: FakeGitHub, broken: Path) -> None:
    annotations = action(broken, MIGCHECK_ANNOTATIONS="maybe")
    comment = action(broken, MIGCHECK_COMMENT="sometimes")

    assert annotations.exit_code == comment.exit_code == 2
    assert "annotations: expected true or false, got 'maybe'" in annotations.stdout
    assert "comment: 'sometimes' is not one of on-failure, always, never" in comment.stdout
    assert "MIGCHECK_" not in annotations.stdout + comment.stdout


def test_a_failing_install_command_is_named_as_the_input(action, api: FakeGitHub, broken: Path) -> None:
    outcome = action(broken, MIGCHECK_INSTALL="exit 3")

    assert outcome.exit_code == 2 and outcome.outputs == {"result": "error"}
    assert "the action's `install` command 'exit 3' failed with exit code 3" in outcome.stdout
    assert "MIGCHECK_INSTALL" not in outcome.stdout

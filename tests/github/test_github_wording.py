"""Under the action, what migcheck says names the action's inputs: the messages the engine, the rules and the
reporters write with `migcheck check` flags, as `migcheck github` prints and publishes them."""

from __future__ import annotations

import click
import pytest

from migcheck.cli import check
from migcheck.github.context import CHECK_FLAGS, INPUTS
from migcheck.github.wording import as_inputs


@pytest.mark.parametrize(
    ("said", "as_the_action_says_it"),
    [
        # models.user_error, under every "could not check" of the project's code
        (
            "(the drift check runs your code; --no-drift skips it)",
            "(the drift check runs your code; `drift: false` skips it)",
        ),
        # migrate._ENV_HINT
        (
            "if env.py needs your application to run, pass --metadata module:attr (e.g. app:create_app)",
            "if env.py needs your application to run, set `metadata: module:attr` (e.g. app:create_app)",
        ),
        ("--metadata 'app:db' is a dict, not a MetaData", "`metadata: app:db` is a dict, not a MetaData"),
        (
            "--metadata names a Flask app, so its env.py ran",
            "the `metadata` input names a Flask app, so its env.py ran",
        ),
        # MC202's hint on SQLite
        (
            "or check on your real dialect with --database-url",
            "or check on your real dialect with the `database-url` input",
        ),
        (
            "pass --database-url postgresql+psycopg://USER@HOST:5432/postgres (a server where",
            "set `database-url: postgresql+psycopg://USER@HOST:5432/postgres` (a server where",
        ),
        # the verdicts of the text and Markdown reports
        ("ok: x (2 warnings below --fail-on error)", "ok: x (2 warnings below `fail-on: error`)"),
        ("(below `--fail-on warning`)", "(below `fail-on: warning`)"),
        # MC203's hint
        ("then check again with --roundtrip", "then check again with `roundtrip: true`"),
        # discover: flags the action has no input for are named as the variable to set in the step's env
        (
            "name one with -c/--alembic-config, --versions or a PATH inside it",
            "name one with the `alembic-config` input, the `MIGCHECK_VERSIONS` variable (in the step's `env:`)"
            " or a PATH inside it",
        ),
        (
            "-c/--alembic-config deploy/alembic.ini: no such file",
            "`alembic-config: deploy/alembic.ini`: no such file",
        ),
        ("--base main: no such commit", "the `base-ref` input main: no such commit"),
    ],
)
def test_a_flag_is_named_as_the_input(said: str, as_the_action_says_it: str) -> None:
    assert as_inputs(said) == as_the_action_says_it


@pytest.mark.parametrize(
    "kept",
    [
        # MC110's hint: a command the author runs in their own clone
        "or run `migcheck fix --base main --write`; or add a merge revision: `alembic merge heads`",
        # scratch.py: a command for whoever can reach the server
        "(or, once the server is reachable: migcheck cleanup --database-url 'postgresql://u@h/db' --yes x)",
        # fenced code (an autogenerate hint, a YAML example)
        "e.g.\n```yaml\noptions: >-\n  --health-cmd pg_isready --health-retries 10\n```\n",
        # SQL comments and Mermaid arrows are not flags
        "a --> b; x -- y",
    ],
)
def test_commands_of_other_subcommands_and_code_are_kept(kept: str) -> None:
    assert as_inputs(kept) == kept


def test_every_flag_of_check_that_the_action_reads_has_a_name_in_the_actions_words() -> None:
    by_variable = {p.envvar: p for p in check.params if isinstance(p, click.Option) and p.envvar}
    for variable, _ in CHECK_FLAGS:
        option = by_variable[variable]
        for flag in [f for f in (*option.opts, *option.secondary_opts) if f.startswith("--")]:
            named = as_inputs(f"see {flag}")
            assert "--" not in named, flag
            assert any(f"`{name}" in named for name in INPUTS) or f"`{variable}" in named, named


def test_translation_is_idempotent() -> None:
    said = "pass --database-url postgresql://u@h/db, or --no-drift; below `--fail-on error`"

    assert as_inputs(as_inputs(said)) == as_inputs(said)

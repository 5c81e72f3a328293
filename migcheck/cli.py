"""Command line: parses flags into Settings, hands them to the engine, writes the report, picks the exit code.

`migcheck [PATH]` is `migcheck check [PATH]`. Every flag also reads a MIGCHECK_* environment variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from migcheck import __version__, masking
from migcheck.boundary import DefaultGroup, echo, say
from migcheck.output import Look, emit, progress_line, report

if TYPE_CHECKING:
    from migcheck.config import Settings


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migcheck")
def main() -> None:
    """Check Alembic migration trees: multiple heads, missing revisions, cycles and more."""
    # read now: the tokens are taken out of the environment before any user code runs
    masking.add_environment_tokens()


def _format_choices() -> list[str]:
    from migcheck.report import REPORTERS

    return list(REPORTERS)


# Options that several commands share: one definition each, so their names, env vars and help agree.
_alembic_config = click.option(
    "-c",
    "--alembic-config",
    type=click.Path(path_type=Path),
    envvar="MIGCHECK_ALEMBIC_CONFIG",
    help="Use this alembic.ini instead of discovering environments.",
)
_report_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(_format_choices()),
    default="text",
    show_default=True,
    envvar="MIGCHECK_FORMAT",
    help="Report format.",
)
_quiet = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    envvar="MIGCHECK_QUIET",
    help="Print the findings only: nothing on success, no verdict, no notes, no progress.",
)
_verbose = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    envvar="MIGCHECK_VERBOSE",
    help="End with a line of the time each phase took.",
)
_statistics = click.option(
    "--statistics",
    is_flag=True,
    envvar="MIGCHECK_STATISTICS",
    help="End with the number of findings of each rule and the time taken.",
)
_color = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"], case_sensitive=False),
    default="auto",
    show_default=True,
    envvar="MIGCHECK_COLOR",
    help="Color the text report: auto is a terminal unless NO_COLOR is set; always overrides NO_COLOR.",
)
_versions = click.option(
    "--versions",
    multiple=True,
    type=click.Path(path_type=Path),
    envvar="MIGCHECK_VERSIONS",
    help="A version directory to check (repeatable); skips discovery.",
)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@_alembic_config
@_versions
@click.option(
    "--select",
    multiple=True,
    envvar="MIGCHECK_SELECT",
    help="Only these rules: codes, names or prefixes (MC1), comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, envvar="MIGCHECK_IGNORE", help="Skip these rules (codes or names).")
@click.option(
    "--severity",
    multiple=True,
    envvar="MIGCHECK_SEVERITY",
    metavar="RULE=SEVERITY",
    help="Give a rule's findings this severity (error, warning or notice) instead of its own, e.g."
    " MC302=error; RULE is a code, name or prefix (MC31). Repeatable or comma-separated.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "notice", "never"], case_sensitive=False),
    envvar="MIGCHECK_FAIL_ON",
    help="Lowest severity that makes the exit code 1 (never: report only).  [default: error]",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    default=None,
    envvar="MIGCHECK_EXIT_ZERO",
    help="Exit 0 even when there are findings (a report-only rollout); still 2 when migcheck could not check.",
)
@click.option(
    "--expected-heads",
    envvar="MIGCHECK_EXPECTED_HEADS",
    help="Number of heads, or head ids / branch labels, that are intended.",
)
@click.option(
    "--base",
    envvar="MIGCHECK_BASE",
    help="Git ref of the branch this change merges into (e.g. origin/main), or `auto` (the current branch's"
    " upstream, else origin/HEAD; none outside git): check the merge result (MC11x).",
)
@click.option(
    "--dialect",
    type=click.Choice(["sqlite", "postgresql", "mysql", "postgres", "mariadb"], case_sensitive=False),
    envvar="MIGCHECK_DIALECT",
    help="The database the migrations run on in production, for the MC3xx lint (mariadb: mysql).  [default:"
    " the dialect of --database-url, else of the environment's sqlalchemy.url]",
)
@click.option(
    "--lint-since",
    metavar="REVISION",
    envvar="MIGCHECK_LINT_SINCE",
    help="Without --base, the MC3xx lint looks only at the revisions newer than this one (its descendants).",
)
@click.option(
    "--database-url",
    envvar="MIGCHECK_DATABASE_URL",
    help="PostgreSQL or MySQL server for the drift check's scratch database (default: a temporary SQLite file).",
)
@click.option(
    "--metadata",
    envvar="MIGCHECK_METADATA",
    help="module:attr of the models (MetaData, declarative base, Flask-SQLAlchemy db, Flask app or factory);"
    " migcheck then runs the migrations itself instead of env.py.",
)
@click.option(
    "--python-path",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    envvar="MIGCHECK_PYTHON_PATH",
    help="Directory to import the project's modules from (repeatable; default: the project root).",
)
@click.option(
    "--drift/--no-drift",
    default=None,
    envvar="MIGCHECK_DRIFT",
    help="Compare the models with a scratch database built by the migrations.  [default: drift]",
)
@click.option(
    "--drift-only", is_flag=True, default=None, envvar="MIGCHECK_DRIFT_ONLY", help="Run only the drift check."
)
@click.option(
    "--roundtrip",
    is_flag=True,
    default=None,
    envvar="MIGCHECK_ROUNDTRIP",
    help="Also upgrade, downgrade and upgrade again each revision (MC203).",
)
@click.option(
    "--cache/--no-cache",
    default=None,
    envvar="MIGCHECK_CACHE",
    help="Reuse what each revision file read as last time, from the user's cache directory (MIGCHECK_CACHE_DIR);"
    " --no-cache reads and writes no cache (as MIGCHECK_NO_CACHE=1).  [default: cache]",
)
@_report_format
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="MIGCHECK_OUTPUT",
    help="Write the report to this file instead of standard output.",
)
@_quiet
@_verbose
@_statistics
@_color
@click.pass_context
def check(ctx: click.Context, path: Path, fmt: str, output: Path | None, **flags: Any) -> None:
    """Check the Alembic environments under PATH (default: the current directory)."""
    from migcheck.engine import run

    look = Look.pop(flags)
    shown = None if look.quiet else progress_line()
    try:
        result = run(_settings(path, ctx, flags, fmt), progress=shown)
    finally:
        if shown is not None:
            shown.close()
    report(result, fmt, output, look)
    if result.error is not None:
        # the report names the reason in its verdict; the whole message (the user's own traceback lines)
        # goes where every other "could not check" goes
        say(result.error)
    ctx.exit(result.exit_code)


def _settings(path: Path, ctx: click.Context, flags: dict[str, Any], fmt: str) -> Settings:
    """The run's settings, its paths shown as the `fmt` report's readers need them (`migcheck.paths`)."""
    from dataclasses import replace

    from migcheck.config import load_settings
    from migcheck.paths import paths_from

    settings = load_settings(path, _overrides(ctx, flags))
    return replace(settings, paths_from=paths_from(fmt, settings.root))


def _overrides(ctx: click.Context, flags: dict[str, Any]) -> dict[str, Any]:
    """The settings the user gave as flags or MIGCHECK_* variables (they override `[tool.migcheck]`)."""
    return {
        key: tuple(value) if isinstance(value, (list, tuple)) else value
        for key, value in flags.items()
        if ctx.get_parameter_source(key) not in (ParameterSource.DEFAULT, None)
    }


def _rule_words(incomplete: str) -> list[str]:
    from migcheck.checks import REGISTRY

    words = [w for r in sorted(REGISTRY.values(), key=lambda r: r.code) for w in (r.code, r.name)]
    return [w for w in words if w.lower().startswith(incomplete.lower())]


@main.command()
@click.argument("rule", required=False, shell_complete=lambda ctx, param, incomplete: _rule_words(incomplete))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(rule: str | None, fmt: str) -> None:
    """List every rule with its documentation, or show one RULE's (a code such as MC101, or a name)."""
    from migcheck.report.rules import render_rules

    emit(render_rules(fmt, rule), None)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@_alembic_config
@_versions
@click.option(
    "--base",
    envvar="MIGCHECK_BASE",
    help="Mark the revisions that are not on this git ref as new (`auto`: as for `check --base auto`).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "mermaid", "dot"]), default="text", show_default=True
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Revisions drawn below each head; the rest become '… N revisions' nodes (heads, bases, branch and"
    " merge points and depends_on links are always drawn). 0 draws every revision.",
)
@click.pass_context
def graph(ctx: click.Context, path: Path, fmt: str, depth: int, **flags: Any) -> None:
    """Draw the revision graph of each history (static: no revision file is imported)."""
    from migcheck.graphview import histories_to_draw, render_graph

    parts = []
    for name, graph_, new in histories_to_draw(_settings(path, ctx, flags, "text")):
        section = render_graph(graph_, fmt, new=new, depth=depth, title=name)
        if section.left_out:
            click.echo(f"migcheck graph: note: {name}: {section.left_out}", err=True)
        parts.append(section.text)
    emit("\n".join(parts), None)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@_alembic_config
@_versions
@click.option(
    "--base",
    envvar="MIGCHECK_BASE",
    help="Git ref the change merges into (or `auto`, as for `check`); its revisions are never edited.",
)
@click.option("--write", is_flag=True, help="Apply the fix (default: print the diff only).")
@click.option(
    "--merge",
    is_flag=True,
    help="Write a merge revision (like `alembic merge heads`) from the project's script.py.mako instead of"
    " re-pointing; no revision file is imported. A template that runs code is rendered only with --write.",
)
@click.pass_context
def fix(ctx: click.Context, path: Path, write: bool, merge: bool, **flags: Any) -> None:
    """Resolve two heads (MC101, or MC110 with --base): re-point the change's branch at the other head."""
    from migcheck.fix import apply, plan

    settings = _settings(path, ctx, flags, "text")
    edits = plan(settings, merge=merge, run_template=write)
    if not edits:
        echo("nothing to fix: no history has more heads than intended")
        return
    shown_from = settings.paths_from or settings.root
    for edit in edits:
        emit(edit.diff(shown_from), None)
        for note in edit.notes:
            emit(f"note: {note}\n", None)
    if write:
        apply(edits, shown_from)
        echo(f"wrote {len(edits)} file(s)")
    else:
        echo("(dry run: nothing written; run again with --write to apply)")


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option(
    "--database-url",
    envvar="MIGCHECK_DATABASE_URL",
    help="SQLAlchemy URL of the database to look at (read-only), e.g. postgresql+psycopg://user@host/db."
    "  [default: the sqlalchemy.url in the environment's alembic.ini, as `alembic current` reads it; only that"
    " configured URL is used: env.py is not run, so a URL it builds in code is not seen]",
)
@_alembic_config
@_versions
@click.option(
    "--version-table",
    default="alembic_version",
    show_default=True,
    envvar="MIGCHECK_VERSION_TABLE",
    help="Name of Alembic's version table (as given to context.configure in env.py).",
)
@click.option(
    "--version-table-schema",
    envvar="MIGCHECK_VERSION_TABLE_SCHEMA",
    help="Schema of the version table, when it is not the default schema.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="MIGCHECK_FORMAT",
    help="Report format.",
)
@_quiet
@_verbose
@_statistics
@_color
@click.pass_context
def status(
    ctx: click.Context,
    path: Path,
    database_url: str | None,
    version_table: str,
    version_table_schema: str | None,
    fmt: str,
    **flags: Any,
) -> None:
    """Compare a live database with the revisions under PATH, read-only (MC401 behind head, MC402 unknown)."""
    from migcheck.engine import status as compare_status

    look = Look.pop(flags)
    result = compare_status(
        _settings(path, ctx, flags, fmt),
        database_url or None,
        version_table=version_table,
        version_table_schema=version_table_schema or None,
    )
    report(result, fmt, None, look)
    ctx.exit(result.exit_code)


@main.command("github")
@click.pass_context
def github_command(ctx: click.Context) -> None:
    """Run the check in GitHub Actions: annotations, job summary, step outputs and one sticky PR comment.

    Takes no options: the job's GITHUB_* variables say what to check and where to report, and the action's
    inputs arrive as MIGCHECK_* variables (MIGCHECK_PATH, MIGCHECK_COMMENT, MIGCHECK_GITHUB_TOKEN, ... and
    the variable of every `check` flag). Exit code: the check's, or 2 when migcheck could not check.
    """
    from migcheck.github.action import run_action

    ctx.exit(run_action())


@main.command()
@click.argument("names", nargs=-1)
@click.option(
    "--database-url",
    required=True,
    envvar="MIGCHECK_DATABASE_URL",
    help="The PostgreSQL or MySQL/MariaDB server the checks ran on (as given to `check --database-url`).",
)
@click.option(
    "--older-than",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    help="Only scratch databases created at least this many minutes ago (0: any age, also unknown).",
)
@click.option("--yes", is_flag=True, help="Drop them (default: only list them).")
def cleanup(names: tuple[str, ...], database_url: str, older_than: float, yes: bool) -> None:
    """List the scratch databases (migcheck_ and 12 hex digits) that interrupted checks left on a server:
    older than --older-than minutes and used by no connection; drop them with --yes. NAMES: only these
    (any age). No other database is ever listed or dropped. Exit 2 when one could not be dropped."""
    from migcheck.cleanup import run_cleanup

    run_cleanup(database_url, names, older_than=older_than * 60, drop=yes, echo=echo)

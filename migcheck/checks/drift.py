"""MC2xx: the models against what the migrations really build, on a scratch database of the user's dialect."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from migcheck.findings import Finding, Location, Severity, rule
from migcheck.histories import History, display

if TYPE_CHECKING:  # only a drift run builds outcomes (and imports this module's dataclasses)
    from migcheck.outcome import Difference, DriftOutcome, Failure, RoundTrip

_DEF = {False: re.compile(r"^def upgrade\b", re.M), True: re.compile(r"^def downgrade\b", re.M)}


@dataclass(frozen=True)
class DriftContext:
    """What the drift check found for one environment, with what the rules need to place and word it."""

    history: History
    outcome: DriftOutcome
    paths_from: Path  # the directory the revisions' shown paths are relative to
    flask: bool = False
    roundtrip: RoundTrip | None = None


def _newest_head(ctx: DriftContext) -> Location:
    graph = ctx.history.graph
    heads = sorted((graph.revisions[h] for h in graph.heads()), key=lambda r: r.path)
    if not heads:
        return Location(ctx.history.name, 1)
    return Location(heads[-1].path, heads[-1].revision_line)


def _model_location(ctx: DriftContext, diff: Difference) -> Location:
    sources = ctx.outcome.sources
    for key in ((diff.table or "", diff.column), (diff.table or "", None)):
        if key in sources and (diff.column is None or key[1] is not None or diff.kind.startswith("remove")):
            file, line = sources[key]
            return Location(display(file, ctx.paths_from), line)
    return _newest_head(ctx)


@rule(code="MC201", name="ungenerated-model-change", severity=Severity.ERROR)
def ungenerated_model_change(ctx: DriftContext) -> Iterator[Finding]:
    """The models say something no migration creates: `alembic revision --autogenerate` would still write it.

    migcheck runs every migration up to the heads on a scratch database (SQLite by default, or your dialect
    with --database-url) and compares the result with the models, exactly as autogenerate does. A model
    change without its migration deploys code that expects a column or table the database doesn't have.

    Fix: generate the migration (`alembic revision --autogenerate -m "..."`, or `flask db migrate`), review
    it, and commit it with the model change. The hint shows the operation autogenerate would write.
    """
    command = "flask db migrate" if ctx.flask else "alembic revision --autogenerate"
    for diff in ctx.outcome.differences:
        code = "\n".join("        " + line for line in diff.code.splitlines())
        yield ungenerated_model_change.finding(
            diff.message,
            _model_location(ctx, diff),
            f'run `{command} -m "{_slug(diff)}"`; autogenerate writes:\n{code}',
        )


def _slug(diff: Difference) -> str:
    what = ".".join(p for p in (diff.table, diff.column) if p)
    return f"{diff.kind.replace('_', ' ')} {what}".strip()


@rule(code="MC202", name="migration-fails", severity=Severity.ERROR)
def migration_fails(ctx: DriftContext) -> Iterator[Finding]:
    """A migration fails when it runs on a fresh database.

    `alembic upgrade head` on a new database (a test run, a new environment, a developer's laptop) stops
    at this revision. The message is the step's first error, with its type: for a database error, the
    driver's exception type and the database's own first line (`UndefinedTable: relation "tag" does not
    exist`). On PostgreSQL, a migration that catches an error and goes on fails at its next statement with
    "current transaction is aborted"; the message is then the error it caught.

    Fix: correct the migration's `upgrade()`. On SQLite many ALTERs need batch mode
    (`with op.batch_alter_table(...)`, or `render_as_batch=True` in env.py); to check on your real dialect
    instead, pass `--database-url` of a PostgreSQL or MySQL server. When the SQL SQLite refused is another
    dialect's (`CREATE EXTENSION`, `ALTER COLUMN ... TYPE ... USING` in a project configured for PostgreSQL),
    the hint says so: the migration is fine, the scratch database is the wrong one (with `drift = "auto"`,
    the action's default, this is a warning instead).
    """
    failure = ctx.outcome.failure
    if failure is None:
        return
    location = _revision_location(ctx, failure)
    hint = "fix the migration so it runs on an empty database"
    from migcheck.driftauto import URL_EXAMPLES, dialect_name, foreign_sql  # a failed drift run only

    foreign = foreign_sql(ctx.outcome, _text(ctx, location.path))
    if foreign is not None:
        # not the migration's fault: SQLite is the wrong database to run it on
        dialect = foreign.dialect or ""
        hint = (
            f"the migration is written for {dialect_name(dialect) if dialect else 'another dialect'}"
            f" ({foreign.because}): check on that dialect with --database-url"
            f" {URL_EXAMPLES.get(dialect, 'URL')} (a server where migcheck may create a scratch database)"
        )
    elif ctx.outcome.dialect == "sqlite" and re.search(r"alter|not support|no support", failure.error, re.I):
        hint += (
            "; SQLite cannot ALTER most things: use `with op.batch_alter_table(...)` (render_as_batch=True in"
            " env.py), or check on your real dialect with --database-url"
        )
    if failure.file is not None:
        what = f"revision file {display(failure.file, ctx.paths_from)} cannot be imported"
    else:
        what = f"revision {failure.revision!r} fails on a fresh {ctx.outcome.dialect} database"
    yield migration_fails.finding(
        f"{what}: {failure.error}",
        location,
        hint,
        revision=failure.revision,
    )


@rule(code="MC203", name="roundtrip-not-clean", severity=Severity.ERROR)
def roundtrip_not_clean(ctx: DriftContext) -> Iterator[Finding]:
    """A revision's downgrade does not undo its upgrade (checked with --roundtrip).

    For each revision in order (bases first, every revision after its down_revisions and its depends_on)
    migcheck upgrades it, steps back exactly that revision, and upgrades it again (the "stairway" test): the
    schema and the heads after the step back must equal those before the upgrade. Merges, extra bases and
    labelled branches are stepped back too, one revision at a time, so a sibling branch is never undone with
    it. A broken downgrade is found at the worst moment: during a rollback in production. The stairway stops
    at the first revision that breaks; the revisions above it are checked once it is fixed.

    Fix: make `downgrade()` reverse every operation of `upgrade()`, in reverse order. If the revision is
    one-way on purpose, make `downgrade()` raise NotImplementedError (MC204) instead.
    """
    failure = ctx.roundtrip.broken if ctx.roundtrip is not None else None
    if failure is None:
        return
    yield roundtrip_not_clean.finding(
        f"revision {failure.revision!r} does not round-trip: {failure.error}",
        _revision_location(ctx, failure),
        "make downgrade() undo every operation of upgrade(); then check again with --roundtrip",
        revision=failure.revision,
    )


@rule(code="MC204", name="irreversible-revision", severity=Severity.WARNING)
def irreversible_revision(ctx: DriftContext) -> Iterator[Finding]:
    """A revision's downgrade raises NotImplementedError: it is one-way on purpose (checked with --roundtrip).

    Some migrations cannot be undone (dropping a column loses its data, a data migration merges rows), and
    saying so with `raise NotImplementedError` is honest. But `alembic downgrade` past this revision stops
    there, in a rollback when you need it most, so it should be a decision, not an accident. The stairway
    cannot step this revision back: it leaves it applied and goes on, stepping back each later revision
    alone, so their downgrades are still checked.

    Fix: if a downgrade is possible (even one that restores the schema without the lost data), write it.
    If the revision really is one-way, keep the `raise`, say why in its message, and plan rollbacks that
    stop above it (`alembic downgrade <this revision>`); ignore MC204 for it with
    `# migcheck: ignore[MC204]` on its `def downgrade` line.
    """
    if ctx.roundtrip is None:
        return
    for failure in ctx.roundtrip.irreversible:
        yield irreversible_revision.finding(
            f"revision {failure.revision!r} cannot be downgraded: its downgrade() raises NotImplementedError"
            + (f" ({reason})" if (reason := _reason(failure.error, "NotImplementedError")) else ""),
            _revision_location(ctx, failure),
            "write a downgrade() that undoes upgrade(), or keep it one-way on purpose and ignore MC204 for it",
            revision=failure.revision,
        )


def _reason(error: str, kind: str) -> str:
    """The exception's own words, without the type already named in the sentence."""
    return error.removeprefix(kind).removeprefix(":").strip()


def _text(ctx: DriftContext, path: str) -> str | None:
    try:
        return (ctx.paths_from / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _revision_location(ctx: DriftContext, failure: Failure) -> Location:
    if failure.file is not None:
        return Location(display(failure.file, ctx.paths_from), failure.line or 1)
    rev = ctx.history.graph.revisions.get(failure.revision or "")
    if rev is None:
        return _newest_head(ctx)
    try:
        text = (ctx.paths_from / rev.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return Location(rev.path, rev.revision_line)
    m = _DEF[failure.downgrade].search(text)
    return Location(rev.path, text.count("\n", 0, m.start()) + 1 if m else rev.revision_line)

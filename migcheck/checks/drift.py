"""MC2xx: the models against what the migrations really build, on a scratch database of the user's dialect."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migcheck.checks.history import History
from migcheck.errors import MigcheckError
from migcheck.findings import Finding, Location, Severity, rule
from migcheck.migrate import Difference, DriftOutcome, Failure
from migcheck.roundtrip import RoundTrip

_DEF = {False: re.compile(r"^def upgrade\b", re.M), True: re.compile(r"^def downgrade\b", re.M)}


@dataclass(frozen=True)
class DriftContext:
    """What the drift check found for one environment, with what the rules need to place and word it."""

    history: History
    outcome: DriftOutcome
    root: Path
    flask: bool = False
    roundtrip: RoundTrip | None = None


def _display(file: str, root: Path) -> str:
    prefix = os.path.join(root, "")
    return (file[len(prefix) :] if file.startswith(prefix) else file).replace(os.sep, "/")


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
            return Location(_display(file, ctx.root), line)
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
    at this revision. The message is the database's own first error line.

    Fix: correct the migration's `upgrade()`. On SQLite many ALTERs need batch mode
    (`with op.batch_alter_table(...)`, or `render_as_batch=True` in env.py); to check on your real dialect
    instead, pass `--database-url` of a PostgreSQL or MySQL server.
    """
    failure = ctx.outcome.failure
    if failure is None:
        return
    location = _revision_location(ctx, failure)
    hint = "fix the migration so it runs on an empty database"
    if ctx.outcome.dialect == "sqlite" and re.search(r"alter|not support|no support", failure.error, re.I):
        hint += (
            "; SQLite cannot ALTER most things: use `with op.batch_alter_table(...)` (render_as_batch=True in"
            " env.py), or check on your real dialect with --database-url"
        )
    if failure.file is not None:
        what = f"revision file {_display(failure.file, ctx.root)} cannot be imported"
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
        "make downgrade() undo every operation of upgrade(); then run `migcheck check --roundtrip` again",
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


def _revision_location(ctx: DriftContext, failure: Failure) -> Location:
    if failure.file is not None:
        return Location(_display(failure.file, ctx.root), failure.line or 1)
    rev = ctx.history.graph.revisions.get(failure.revision or "")
    if rev is None:
        return _newest_head(ctx)
    try:
        text = (ctx.root / rev.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return Location(rev.path, rev.revision_line)
    m = _DEF[failure.downgrade].search(text)
    return Location(rev.path, text.count("\n", 0, m.start()) + 1 if m else rev.revision_line)


def describe(ops: list[Any]) -> list[Difference]:
    """One `Difference` per autogenerate operation, in plain words, with the op code Alembic would render."""
    from alembic.operations import ops as alembic_ops

    found: list[Difference] = []
    for op in ops:
        if isinstance(op, alembic_ops.ModifyTableOps):
            for sub in op.ops:
                wrapper = alembic_ops.ModifyTableOps(op.table_name, [sub], schema=op.schema)
                found.append(_difference(sub, op.table_name, wrapper))
        else:
            found.append(_difference(op, getattr(op, "table_name", None), op))
    return found


def _difference(op: Any, table: str | None, wrapper: Any) -> Difference:
    from alembic.autogenerate import render_python_code
    from alembic.operations import ops as o

    code = render_python_code(o.UpgradeOps(ops=[wrapper]))
    code = "\n".join(
        line.strip() for line in code.splitlines() if line.strip() and not line.strip().startswith("#")
    )
    t = f"`{table}`"
    if isinstance(op, o.CreateTableOp):
        return Difference(
            "add_table", table, None, f"table {t} is in the models but no migration creates it", code
        )
    if isinstance(op, o.DropTableOp):
        return Difference(
            "remove_table",
            table,
            None,
            f"table {t} is created by the migrations but is not in the models",
            code,
        )
    if isinstance(op, o.AddColumnOp):
        name = op.column.name
        return Difference(
            "add_column",
            table,
            name,
            f"column `{table}.{name}` is in the models but no migration creates it",
            code,
        )
    if isinstance(op, o.DropColumnOp):
        name = op.column_name
        return Difference(
            "remove_column",
            table,
            name,
            f"column `{table}.{name}` is created by the migrations but is not in the models",
            code,
        )
    if isinstance(op, o.AlterColumnOp):
        return Difference("alter_column", table, op.column_name, _alter_message(op, table), code)
    kind, what, label = _constraint_words(op)
    where = (
        "in the models but no migration creates it"
        if kind.startswith("add")
        else "created by the migrations but not in the models"
    )
    return Difference(kind, table, None, f"{what} `{label}` on table {t} is {where}", code)


def _alter_message(op: Any, table: str | None) -> str:
    changes = []
    if op.modify_type is not None:
        changes.append(f"type is {op.existing_type} in the database, {op.modify_type} in the models")
    if op.modify_nullable is not None:
        models, database = ("nullable", "NOT NULL") if op.modify_nullable else ("NOT NULL", "nullable")
        changes.append(f"{models} in the models but {database} in the database")
    if op.modify_server_default is not False:
        changes.append("server default differs")
    if op.modify_comment is not False:
        changes.append("comment differs")
    if op.modify_name is not None:
        changes.append(f"renamed to {op.modify_name} in the models")
    return (
        f"column `{table}.{op.column_name}`: "
        + "; ".join(changes or ["differs"])
        + " (no migration changes it)"
    )


def _constraint_words(op: Any) -> tuple[str, str, str]:
    """(kind, what, name) of an index, constraint or comment operation, e.g. ("add_index", "index", "ix_a")."""
    name = type(op).__name__.removesuffix("Op")
    adding = name.startswith(("Create", "Add"))
    label = getattr(op, "index_name", None) or getattr(op, "constraint_name", None) or ""
    what = re.sub(
        r"(?<!^)(?=[A-Z])", " ", name.removeprefix("Create").removeprefix("Drop").removeprefix("Add")
    ).lower()
    return ("add_" if adding else "remove_") + what.replace(" ", "_"), what, label


def drift_context(
    env: Any, history: History, settings: Any, root: Path, notices: list[str]
) -> DriftContext | None:
    """Run the drift check of one environment on its own scratch database; None when it cannot run."""
    from migcheck.migrate import Runner
    from migcheck.roundtrip import stairway
    from migcheck.scratch import scratch_database

    python_path = tuple(settings.python_path) or (root,)
    cwd = env.config_file.parent if env.config_file is not None else root
    flask = env.source == "flask-migrate"

    @contextlib.contextmanager
    def scratch_runner() -> Iterator[Runner]:
        """A new scratch database with the project running on it; both gone afterwards."""
        server = settings.database_url
        with (
            scratch_database(server) as url,
            Runner(
                env, url, metadata=settings.metadata, python_path=python_path, cwd=cwd, server_url=server
            ) as runner,
        ):
            yield runner

    with scratch_runner() as runner:
        skipped = runner.check_env()
        if skipped:
            notices.append(f"drift check skipped: {skipped}")
            return None
        failure = runner.migrate("heads")
        notices += runner.redirect_notices()
        if failure is not None:
            return DriftContext(history, DriftOutcome(runner.dialect, failure=failure), root, flask)
        if runner.uses_env_py and not runner.uses_scratch():
            raise MigcheckError(
                f"{env.name}: env.py did not run the migrations on the scratch database migcheck gave it (it"
                " connected in a way migcheck cannot redirect?); pass --metadata module:attr so migcheck runs"
                " them itself"
            )
        ops, sources = runner.compare()
        outcome = DriftOutcome(runner.dialect, tuple(describe(ops)), sources=sources)
    roundtrip = None
    if settings.roundtrip:
        with scratch_runner() as runner:
            roundtrip = stairway(runner, history.graph)
    return DriftContext(history, outcome, root, flask, roundtrip)

"""What a migration step did: which step Alembic is running, and what an exception raised by it means (its
first line, the first database error behind a follow-on one, a lost connection, a deliberate one-way
downgrade, the revision file a traceback went through). Read by the Runner; SQLAlchemy and Alembic are
imported on use."""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from migcheck import progress
from migcheck.outcome import Failure


class StepTracker:
    """Which migration step is running: Alembic's MigrationContext is wrapped to record each step it runs.

    It also keeps the first database error of the step, caught by the migration or not: on PostgreSQL a
    migration that catches its own error (a try/except around op.execute) fails at its next statement with
    "current transaction is aborted", and the error to report is the first one.
    """

    def __init__(self) -> None:
        self.step: Any = None
        self.first_error: BaseException | None = None
        # a `locktrace.LockTracer` measuring the revisions to trace (PostgreSQL drift runs), else None
        self.tracer: Any = None

    @contextlib.contextmanager
    def installed(self) -> Iterator[StepTracker]:
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        original = MigrationContext.run_migrations
        tracker = self

        def run_migrations(ctx: Any, **kw: Any) -> None:
            steps = ctx._migrations_fn

            def tracked(heads: Any, context: Any) -> Iterator[Any]:
                for step in steps(heads, context):
                    tracker.step, tracker.first_error = step, None
                    script = getattr(step, "revision", None)
                    if script is not None:
                        progress.step(tracker, script.revision, getattr(step, "is_upgrade", True))
                    # Alembic runs (and commits) the step before it asks for the next: it is measured inside
                    undo = tracker.tracer.wrap(step, context) if tracker.tracer is not None else None
                    try:
                        yield step
                    finally:
                        if undo is not None:
                            undo()
                tracker.step = None

            ctx._migrations_fn = tracked
            try:
                original(ctx, **kw)
            finally:
                ctx._migrations_fn = steps

        MigrationContext.run_migrations = run_migrations  # type: ignore[method-assign,assignment]
        # every engine that may run a statement here is a scratch database's: the redirector refuses the others
        event.listen(Engine, "handle_error", self._database_error)
        self.step = self.first_error = None
        try:
            yield self
        finally:
            event.remove(Engine, "handle_error", self._database_error)
            MigrationContext.run_migrations = original  # type: ignore[method-assign]

    def _database_error(self, context: Any) -> None:
        if self.first_error is None and context.sqlalchemy_exception is not None:
            self.first_error = context.sqlalchemy_exception

    def failure(self, exc: BaseException) -> Failure | None:
        if self.step is None:
            return None
        script = getattr(self.step, "revision", None)
        revision = getattr(script, "revision", None)
        return Failure(
            revision,
            self.error_line(exc),
            downgrade=not getattr(self.step, "is_upgrade", True),
            statement=self.statement(exc),
        )

    def statement(self, exc: BaseException) -> str | None:
        """The SQL the database refused (of the error `error_line` names), when a database error failed the step."""
        for error in _chain(self._cause(exc), through_orig=False):
            statement = getattr(error, "statement", None)
            if isinstance(statement, str):
                return statement
        return None

    def _cause(self, exc: BaseException) -> BaseException:
        """`exc`, or the step's first database error when `exc` is only its follow-on."""
        first = self.first_error
        if first is None or first is exc or not aborted_transaction(exc) or aborted_transaction(first):
            return exc
        return first

    def error_line(self, exc: BaseException) -> str:
        """What `exc` says, or the step's first database error when `exc` is only its follow-on."""
        first = self._cause(exc)
        if first is exc:
            return first_error_line(exc)
        return (
            f'{first_error_line(first)}; the statements after it failed with "current transaction is aborted"'
        )


def first_error_line(exc: BaseException) -> str:
    """The exception's type and first line; for a DBAPI error, the driver's exception type and the database's
    own first line (e.g. "UndefinedTable: relation "x" does not exist")."""
    from sqlalchemy.exc import DBAPIError

    orig = getattr(exc, "orig", None)
    # str() of an AssertionError is often "" and of some errors only their argument ("[]"): keep the type
    inner = orig if isinstance(exc, DBAPIError) and isinstance(orig, BaseException) else exc
    lines = str(inner).strip().splitlines()
    return (f"{type(inner).__name__}: {lines[0]}" if lines else type(inner).__name__)[:300]


_ABORTED = "25P02"  # PostgreSQL's in_failed_sql_transaction


def aborted_transaction(exc: BaseException) -> bool:
    """Whether `exc` is PostgreSQL refusing a statement because an earlier one failed in the transaction."""
    return any(
        _ABORTED in (getattr(e, "sqlstate", None), getattr(e, "pgcode", None))
        or "current transaction is aborted" in str(e)
        for e in _chain(exc, through_orig=True)
    )


def lost_connection(exc: BaseException) -> bool:
    """Whether the scratch database's connection died (server shut down, backend killed): not the migration's
    fault. SQLAlchemy marks a DBAPI error that its dialect recognises as a disconnect; user code may wrap it."""
    from sqlalchemy.exc import DBAPIError

    return any(
        isinstance(e, DBAPIError) and e.connection_invalidated for e in _chain(exc, through_orig=False)
    )


def _chain(exc: BaseException, *, through_orig: bool) -> Iterator[BaseException]:
    """`exc` and the exceptions behind it (its cause, else its context; with `through_orig`, a DBAPIError's
    driver exception first), each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None) if through_orig else None
        current = orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)


def outermost_frame_in(exc: BaseException, locations: Sequence[Path]) -> str | None:
    """The first file of `exc`'s traceback (outermost first) inside one of `locations`, e.g. the revision file
    Alembic was importing when a module it imports raised."""
    prefixes = tuple(os.path.join(os.path.abspath(p), "") for p in locations)
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename).startswith(prefixes):
            return os.path.abspath(frame.filename)
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename).startswith(prefixes):
        return os.path.abspath(exc.filename)
    return None


def raised_by_downgrade(exc: BaseException, path: str) -> bool:
    """Whether `exc` was raised in the revision file's own downgrade(), not by an operation it called (on
    SQLite, Alembic raises NotImplementedError for an ALTER it cannot do, which is a real failure)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    last = frames[-1]
    return last.name == "downgrade" and os.path.realpath(last.filename) == os.path.realpath(path)

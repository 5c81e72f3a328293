"""What the project's code may print while migcheck runs it (env.py, revision files, models, app factories).

stdout is migcheck's report (`--format json` must stay parseable), so whatever that code prints there is
dropped. Its log records of level WARNING and above reach stderr; INFO and DEBUG are dropped (Alembic's
`INFO  [alembic.runtime.migration] Context impl ...`, which the stock alembic.ini turns on). env.py files
configure logging for the whole process (`logging.config.fileConfig`), so while a run is open the logging
setup it had before is saved, and restored afterwards: handlers env.py added write to a stderr that is only
open while the project's code runs, so they never print for migcheck's own work nor after the run. A line the
project's code writes again (env.py runs several times in one check) is shown once.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TextIO


class _Relay(io.TextIOBase):
    """A text stream that passes writes to `target` while `open` is set, and drops them otherwise.

    migcheck runs env.py several times (migrate, compare, each round-trip step) where `alembic upgrade` runs it
    once, so a record it logs each time is shown once: a whole line already written is not written again.
    """

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self.target = target
        self.open = False
        self._written: set[str] = set()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        if self.open:
            line = text.endswith("\n") and bool(text.strip())  # a log record (print() writes its "\n" apart)
            if not (line and text in self._written):
                self.target.write(text)
            if line:
                self._written.add(text)
        return len(text)

    def flush(self) -> None:
        if self.open:
            self.target.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", None) or "utf-8"


_LoggerState = tuple[int, list[logging.Handler], list[Any], bool, bool]


def _state(logger: logging.Logger) -> _LoggerState:
    return logger.level, list(logger.handlers), list(logger.filters), logger.propagate, logger.disabled


def _restore(logger: logging.Logger, state: _LoggerState | None, keep: set[int]) -> None:
    level, handlers, filters, propagate, disabled = state or (logging.NOTSET, [], [], True, False)
    for handler in logger.handlers:
        if id(handler) not in keep:
            handler.close()  # env.py's own (a file handler keeps its file open otherwise)
    logger.handlers[:] = handlers
    logger.filters[:] = filters
    logger.level, logger.propagate, logger.disabled = level, propagate, disabled


class UserOutput:
    """Open for one run (`session()`); each stretch of the project's code runs inside `running()`."""

    def __init__(self) -> None:
        self._relay: _Relay | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[UserOutput]:
        """Save the process's logging setup, drop INFO and DEBUG records, and restore both at the end."""
        manager = logging.root.manager
        loggers = {n: lg for n, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
        saved = {name: _state(logger) for name, logger in loggers.items()}
        saved_root, saved_disable = _state(logging.root), manager.disable
        keep = {id(h) for state in (saved_root, *saved.values()) for h in state[1]}
        self._relay = _Relay(sys.stderr)
        logging.disable(max(saved_disable, logging.INFO))
        try:
            yield self
        finally:
            self._relay.open = False
            self._relay = None
            for name, logger in list(manager.loggerDict.items()):
                if isinstance(logger, logging.Logger):
                    _restore(logger, saved.get(name), keep)
            _restore(logging.root, saved_root, keep)
            logging.disable(saved_disable)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Run the project's code: its stdout dropped, its stderr (log records of WARNING and up) shown."""
        if self._relay is None:
            with self.session():
                with self.running():
                    yield
            return
        relay = self._relay
        was_open, relay.open = relay.open, True
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(relay),  # type: ignore[type-var]
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                yield
        finally:
            relay.open = was_open

"""Progress of the drift check: which migration step runs now, passed from the migration runner to whoever listens.

The drift check and `--roundtrip` run every revision of a long history and take minutes. The runner reports each
step through `step()`; the engine turns that into `Progress` (revision n of N) for the callback the caller gave
it; the CLI draws it on a terminal with `TerminalProgress`. Nothing listens by default, and nothing here prints
unless the CLI asked for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Progress:
    """One migration step of the drift check: revision `done` of `total` of `environment`'s history."""

    environment: str
    phase: str  # "drift" (upgrade to the heads) or "roundtrip" (upgrade, downgrade, upgrade each revision)
    done: int
    total: int
    revision: str
    downgrade: bool = False

    def line(self) -> str:
        direction = "downgrade" if self.downgrade else "upgrade"
        return f"migcheck: {self.phase} {self.environment}: revision {self.done} of {self.total} ({direction} {self.revision})"


ProgressCallback = Callable[[Progress], None]
# (run, revision, upgrade): `run` is the object driving one scratch database, so a listener can tell runs apart
StepListener = Callable[[object, str, bool], None]

_listener: ContextVar[StepListener | None] = ContextVar("migcheck_step_listener", default=None)


@contextlib.contextmanager
def listening(listener: StepListener | None) -> Iterator[None]:
    """Send every migration step run inside this block to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def step(run: object, revision: str, upgrade: bool) -> None:
    """Called by the migration runner as each step starts."""
    listener = _listener.get()
    if listener is not None:
        listener(run, revision, upgrade)


class TerminalProgress:
    """One status line on a terminal, rewritten in place (`\\r`) and erased by `close()`."""

    def __init__(self, stream: TextIO, width: int = 80) -> None:
        # the stream is kept now: while migrations run, sys.stderr is redirected to keep env.py quiet
        self.stream, self.width, self.shown = stream, max(width - 1, 10), 0

    def __call__(self, progress: Progress) -> None:
        text = progress.line()
        if len(text) > self.width:
            text = text[: self.width - 1] + "…"
        # padding instead of an ANSI erase: works on every terminal, TERM=dumb included
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0

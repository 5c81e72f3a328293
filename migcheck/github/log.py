"""The job log of `migcheck github`: the one way it writes to stdout and stderr.

GitHub's runner reads every line a step prints, on stdout and on stderr, and takes a line that starts with
`::name` (or the older `##[name]`), after any leading white space, as a workflow command: `::add-mask::`,
`::error::`, `::stop-commands::`, ... Text from the repository (a path, a configured value, an error message,
what the install command or the project's own code prints) must never become one. So, while
`migcheck github` runs:

- `sys.stdout` and `sys.stderr` are `Guarded` streams: a line written to them that would read as a command is
  defused (its first character percent-encoded: `%3A:error ...`), whoever wrote it (migcheck, a library's
  warning, a `print` in env.py). Lines break where the runner breaks them, at CR as well as LF.
- `Log.command()` is the only way to write a workflow command; its message and properties are escaped as
  @actions/core escapes them, and the token is masked.
- Blocks of repository text on stdout (the report, the install command's output) are framed by
  `::stop-commands::<random>` ... `::<random>::` as well.

stderr is defused but never framed: the runner reads stdout and stderr on two threads and keeps one
stop-commands state for both, so a frame on one stream promises nothing about the other, while defusing each
line holds whatever order the runner reads them in. What a program writes to file descriptors 1 and 2
directly (not through `sys.stdout`) is not defused; the check's own phase is framed on stdout for that.
"""

from __future__ import annotations

import contextlib
import io
import sys
import uuid
from collections.abc import Iterator, Sequence
from typing import TextIO

from migcheck.github import mask
from migcheck.report.github import LINE_BREAK, defuse_line, escape_data, escape_property
from migcheck.report.printable import printable

_LONGEST_LINE = 64 * 1024  # a partial line longer than this is written out rather than held


class Guarded(io.TextIOBase):
    """A text stream over `inner` on which no line can be a workflow command unless `trusted()` wrote it.

    Complete lines are defused, masked and made printable, then written; a partial line waits for its end
    (or for `end_line()`), since its first characters are what make it a command.
    """

    def __init__(self, inner: TextIO, secrets: Sequence[str | None] = ()) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = tuple(s for s in secrets if s)
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self.inner, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.inner.fileno()

    def write(self, text: str) -> int:  # type: ignore[override]
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        pending = self._pending + text
        # a CR at the very end may be the first half of a CRLF
        held = "\r" if pending.endswith("\r") else ""
        *lines, rest = LINE_BREAK.split(pending[: len(pending) - len(held)])
        for line in lines:
            self._emit(line)
        self._pending = rest + held
        if len(self._pending) > _LONGEST_LINE:
            self.end_line()
        return len(text)

    def end_line(self) -> None:
        """Write a waiting partial line as a line of its own."""
        if self._pending:
            pending, self._pending = self._pending.rstrip("\r"), ""
            self._emit(pending)

    def trusted(self, line: str) -> None:
        """A workflow command of migcheck's own, on a line of its own (only `Log` calls this)."""
        if not line.startswith("::") or LINE_BREAK.search(line):
            raise ValueError(f"not one workflow command: {line[:80]!r}")
        self.end_line()
        self.inner.write(line + "\n")
        self.inner.flush()

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:  # the inner stream is not ours to close
        self.end_line()
        self.flush()

    def _emit(self, line: str) -> None:
        for secret in self.secrets:
            line = line.replace(secret, "***")
        self.inner.write(defuse_line(printable(line)) + "\n")


@contextlib.contextmanager
def guarded_output(secrets: Sequence[str | None] = ()) -> Iterator[tuple[Guarded, Guarded]]:
    """`sys.stdout` and `sys.stderr` as `Guarded` streams for the duration; the originals after."""
    saved = sys.stdout, sys.stderr
    out, err = Guarded(sys.stdout, secrets), Guarded(sys.stderr, secrets)
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        for stream in (out, err):
            with contextlib.suppress(Exception):
                stream.end_line()
                stream.flush()
        sys.stdout, sys.stderr = saved


class Log:
    """The job log: plain lines, workflow commands, and the ::warning:: lines that the job summary repeats."""

    def __init__(self, token: str | None, out: Guarded | None = None, err: Guarded | None = None) -> None:
        self.token = token
        self.out = out if out is not None else Guarded(sys.stdout, (token,))
        self.err = err if err is not None else Guarded(sys.stderr, (token,))
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def info(self, message: str) -> None:
        self._line(self.out, f"migcheck: {mask(message, self.token)}")

    def error(self, message: str) -> None:
        """A message on stderr, every line of it defused (it names files and values from the repository)."""
        self._line(self.err, f"migcheck: error: {mask(message, self.token)}")

    def warning(self, message: str) -> None:
        message = mask(message, self.token)
        self.warnings.append(message)
        self.command("warning", message, title="migcheck")

    def command(self, name: str, message: str = "", **properties: str) -> None:
        """The one way to write a workflow command: `::name key=value,...::message`, all of it escaped."""
        listed = ",".join(f"{k}={escape_property(mask(v, self.token))}" for k, v in properties.items())
        self.out.trusted(
            f"::{name}{' ' + listed if listed else ''}::{escape_data(mask(message, self.token))}"
        )

    def annotation(self, line: str) -> None:
        """A finding's `::error file=...::` line, as `migcheck.report.github` escaped it."""
        self.out.trusted(mask(line, self.token))

    def untrusted(self, text: str) -> None:
        """Text that came from the repository or a command: defused, and with workflow commands switched off."""
        with self.framed():
            self._line(self.out, mask(text, self.token).rstrip("\n"))

    @contextlib.contextmanager
    def framed(self) -> Iterator[None]:
        """Workflow commands off on stdout for the duration (`::stop-commands::`), on again after."""
        guard = uuid.uuid4().hex
        self.out.trusted(f"::stop-commands::{guard}")
        try:
            yield
        finally:
            self.out.end_line()
            self.out.trusted(f"::{guard}::")

    def _line(self, stream: Guarded, text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

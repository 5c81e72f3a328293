"""The command line's one error boundary and its one way to write: whatever stops a command becomes one
message on stderr and an exit code of the contract (0 clean, 1 findings, 2 could not check, 129/130/143 for
signals), never a traceback (MIGCHECK_DEBUG=1 shows one); a report that cannot be written is exit 2."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click

from migcheck import masking
from migcheck.errors import (
    EXIT_CANNOT_CHECK,
    EXIT_INTERRUPTED,
    MigcheckError,
    describe_failure,
    failure_exit_code,
)


class OutputError(MigcheckError):
    """Standard output cannot be written (closed, a pipe whose reader is gone, a full disk): the report reached
    nobody, so the run did not do its job."""


_EXIT_CODES = frozenset(
    {0, 1, EXIT_CANNOT_CHECK, 129, EXIT_INTERRUPTED, 143}
)  # the contract; anything else is 2
# A write error of these kinds from a stream migcheck writes to is the output's fault, not migcheck's.
_OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT})


class DefaultGroup(click.Group):
    """A group whose unknown first word (a path, an option) runs the `check` command.

    It is also the command line's one error boundary: whatever stops a command becomes one message on
    stderr and exit code 2 (130 for Ctrl-C), never a traceback (MIGCHECK_DEBUG=1 shows it).
    """

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's main, held to migcheck's exit codes: 0, 1 (findings), 2 (could not check), 130 (Ctrl-C).

        click alone answers Ctrl-C with "Aborted!" and 1, and a broken pipe with 1: both would read as
        "findings". A SIGTERM ends the process through its own handler (143) or as the signal itself.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        code: Any
        try:
            if sys.stdout is None:
                raise OutputError("standard output is closed: there is nowhere to write the result")
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:  # a bad option or argument (click's usage errors)
            _quietly(exc.show)
            code = EXIT_CANNOT_CHECK
        except click.Abort as exc:  # click's word for Ctrl-C (and end of input at a prompt)
            interrupted = isinstance(exc.__context__, KeyboardInterrupt)
            say("interrupted" if interrupted else "aborted")
            code = EXIT_INTERRUPTED if interrupted else EXIT_CANNOT_CHECK
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - raised while parsing: the same boundary
            code = _failed(exc)
        code = code if isinstance(code, int) else 0
        sys.exit(code if code in _EXIT_CODES else EXIT_CANNOT_CHECK)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            if not ctx.resilient_parsing:  # a real run, not shell completion
                if args:
                    self._not_a_command(ctx, args[0])
                args = ["check", *args]
            elif args:  # completing after a path: `check`'s options; with nothing typed yet: the commands
                args = ["check", *args]
        try:
            return super().parse_args(ctx, args)
        except OSError as exc:  # writing --help or --version; click itself would turn EPIPE into exit 1
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None

    def _not_a_command(self, ctx: click.Context, word: str) -> None:
        """`migcheck chek`: a bare word that is neither a command nor an existing path is a mistyped command
        (when it is close to one) or a mistake to name, not the path of a project that does not exist. A word
        that looks like a path (`db/`, `app.py`) is left to `check`, which says the path does not exist."""
        if word.startswith("-") or any(c in word for c in "/\\.\x00") or os.path.lexists(word):
            return
        import difflib  # only for a mistyped command: every run pays for what is imported at the top

        close = difflib.get_close_matches(word, sorted(self.commands), n=1, cutoff=0.6)
        if close:
            raise click.UsageError(f"no such command {word!r}; did you mean {close[0]!r}?", ctx)
        commands = ", ".join(sorted(self.commands))
        raise click.UsageError(f"{word!r} is neither a command ({commands}) nor an existing path", ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the boundary: no traceback
            raise click.exceptions.Exit(_failed(exc)) from None


def _failed(exc: BaseException) -> int:
    """Say on stderr what stopped migcheck (one message, no traceback) and return the exit code for it."""
    if isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRNOS:
        # the help text, the version or the action's log could not be written: the output's fault
        exc = OutputError(f"cannot write the output: {exc.strerror or exc}")
    if isinstance(exc, OutputError):
        _silence_stdout()
    elif os.environ.get("MIGCHECK_DEBUG") and not isinstance(exc, MigcheckError):
        import traceback

        _quietly(lambda: click.echo(masking.mask(traceback.format_exc()), err=True, nl=False))
    say(describe_failure(exc))
    return failure_exit_code(exc)


def say(message: str) -> None:
    """One "could not check" message on stderr, with every known secret masked."""
    _quietly(lambda: click.echo(f"migcheck: error: {masking.mask(message)}", err=True))


def _quietly(write: Any) -> None:
    """Write to stderr; if even stderr is gone, the exit code has to say it alone."""
    try:
        write()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """After a failed write, send the rest of standard output nowhere, so that the interpreter's last flush
    cannot fail again (and print a traceback) on the way out."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file (a test runner's buffer): nothing will be flushed to a descriptor
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def echo(message: str = "", *, nl: bool = True, color: bool | None = None) -> None:
    """Everything migcheck writes to standard output goes through here: a write that fails stops the run."""
    if sys.stdout is None:
        raise OutputError("standard output is closed: there is nowhere to write the result")
    try:
        click.echo(message, nl=nl, color=color)
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None

"""The one exception that means "migcheck could not check" (exit code 2)."""

from __future__ import annotations


class MigcheckError(Exception):
    """A problem that stops migcheck from checking at all.

    Its message is shown to the user as is, so it names the file or setting at fault and says what to do.
    """


class MissingPackage(MigcheckError):
    """The project's code (env.py, the models, a module they import) imports `module`, a top-level package that
    is not installed where migcheck runs: the drift check cannot run until it is (`drift = "auto"` makes this a
    warning)."""

    def __init__(self, message: str, module: str) -> None:
        super().__init__(message)
        self.module = module


class Terminated(SystemExit):
    """migcheck's own SIGTERM or SIGHUP (exit 143 or 129), raised so that `finally` blocks drop the scratch
    database.

    A SystemExit of its own type, so that code catching what the user's env.py or models raise (a stray
    `sys.exit()` among them) can tell it apart and let it stop the process.
    """


def stops_migcheck(exc: BaseException) -> bool:
    """Whether `exc` is the user stopping migcheck (Ctrl-C, SIGTERM), not something the checked code raised."""
    return isinstance(exc, (KeyboardInterrupt, Terminated))


# The exit codes every entry point uses besides the check's own 0 (clean) and 1 (findings).
EXIT_CANNOT_CHECK = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def describe_failure(exc: BaseException) -> str:
    """What to tell the user when `exc` stopped migcheck: a MigcheckError's own words (it names the file or
    setting at fault); anything else is a bug of migcheck's, named as one with the way to report it."""
    if isinstance(exc, MigcheckError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return (
        f"internal error: {type(exc).__name__}: {exc}\n"
        "please report it; set MIGCHECK_DEBUG=1 to see the traceback"
    )


def failure_exit_code(exc: BaseException) -> int:
    return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_CANNOT_CHECK

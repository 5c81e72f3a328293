"""The one exception that means "migcheck could not check" (exit code 2)."""

from __future__ import annotations


class MigcheckError(Exception):
    """A problem that stops migcheck from checking at all.

    Its message is shown to the user as is, so it names the file or setting at fault and says what to do.
    """


class Terminated(SystemExit):
    """migcheck's own SIGTERM, raised so that `finally` blocks drop the scratch database.

    A SystemExit of its own type, so that code catching what the user's env.py or models raise (a stray
    `sys.exit()` among them) can tell it apart and let it stop the process.
    """


def stops_migcheck(exc: BaseException) -> bool:
    """Whether `exc` is the user stopping migcheck (Ctrl-C, SIGTERM), not something the checked code raised."""
    return isinstance(exc, (KeyboardInterrupt, Terminated))

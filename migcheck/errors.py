"""The one exception that means "migcheck could not check" (exit code 2)."""

from __future__ import annotations


class MigcheckError(Exception):
    """A problem that stops migcheck from checking at all.

    Its message is shown to the user as is, so it names the file or setting at fault and says what to do.
    """

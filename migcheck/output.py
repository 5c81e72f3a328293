"""Where the CLI's report goes and how it looks: stdout or --output, --quiet, --statistics, -v, --color, and
the drift check's progress line on a terminal. The flags are parsed in cli.py; this module only writes."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from migcheck.boundary import echo
from migcheck.errors import MigcheckError

if TYPE_CHECKING:
    from migcheck.progress import TerminalProgress
    from migcheck.result import CheckResult


# the flags that choose how the report is shown; no Settings key (nor action input) stands behind them
LOOK_FLAGS = ("quiet", "verbose", "statistics", "color")


@dataclass(frozen=True)
class Look:
    """How the report is shown (not what is checked): the output flags that `check` and `status` share."""

    quiet: bool
    verbose: bool
    statistics: bool
    color: str

    @classmethod
    def pop(cls, flags: dict[str, Any]) -> Look:
        look = cls(*(flags.pop(name) for name in LOOK_FLAGS))
        if look.quiet and look.verbose:
            raise click.UsageError("--quiet and --verbose cannot be used together")
        return look


def report(result: CheckResult, fmt: str, output: Path | None, look: Look) -> None:
    """The report on stdout (or in --output), then what --statistics and -v add."""
    from migcheck.report import render
    from migcheck.report.statistics import statistics, timing_line
    from migcheck.report.text import render_findings, verdict

    color = output is None and fmt == "text" and color_wanted(look.color)
    if look.quiet and output is None and fmt == "text":
        emit(render_findings(result, color=color), None, color)
    else:
        emit(render(result, fmt, color=color), output, color)
    if output is not None and not look.quiet:
        echo(verdict(result))
    tail = (statistics(result) if look.statistics else "") + (
        timing_line(result) if look.statistics or look.verbose else ""
    )
    if tail and fmt != "text" and output is None:
        click.echo(tail, err=True, nl=False)  # stdout holds a document that must stay parseable
    elif tail:
        echo(tail, nl=False)


def progress_line() -> TerminalProgress | None:
    """Progress of a long drift check on stderr, only when a person is watching it."""
    stream = sys.stderr
    if stream is None or not stream.isatty():
        return None
    import shutil

    from migcheck.progress import TerminalProgress

    return TerminalProgress(stream, shutil.get_terminal_size().columns)


def emit(text: str, output: Path | None, color: bool = False) -> None:
    # Text from the repository may hold lone surrogates (undecodable file names, "\ud800" in a file):
    # escape them rather than fail while printing.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if output is None:
        echo(text, nl=False, color=color)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MigcheckError(f"--output {output}: {exc.strerror or exc}") from None


def color_wanted(choice: str = "auto") -> bool:
    """--color: an explicit `always` or `never` wins; `auto` follows no-color.org, then FORCE_COLOR, then
    whether stdout is a terminal."""
    choice = choice.lower()
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))

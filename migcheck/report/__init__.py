"""Reporters: pure `render(result, *, color=False, links=None) -> str` functions, chosen by name (`--format`).

`REPORTERS` maps each format's name to a loader of its renderer: the names build the `--format` choices at
start-up, and only the chosen reporter's module is imported (a text run never loads SARIF or Markdown).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migcheck.report.links import Links
    from migcheck.result import CheckResult

Renderer = Callable[..., str]


# One loader per format, each importing its reporter when called (plain imports, so that the layer test and
# `python -X importtime` see them).
def _text() -> Renderer:
    from migcheck.report.text import render

    return render


def _json() -> Renderer:
    from migcheck.report.json import render

    return render


def _markdown() -> Renderer:
    from migcheck.report.markdown import render

    return render


def _github() -> Renderer:
    from migcheck.report.github import render

    return render


def _sarif() -> Renderer:
    from migcheck.report.sarif import render

    return render


REPORTERS: dict[str, Callable[[], Renderer]] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
    "github": _github,
    "sarif": _sarif,
}


def render(result: CheckResult, fmt: str, *, color: bool = False, links: Links | None = None) -> str:
    renderer = REPORTERS[fmt]()
    return renderer(result, color=color, links=links) if fmt == "markdown" else renderer(result, color=color)


def __getattr__(name: str) -> object:
    # `from migcheck.report import Links`, without loading links.py for the runs that make no links
    if name == "Links":
        from migcheck.report.links import Links

        return Links
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Reporters: pure `render(result, *, color=False, links=None) -> str` functions, chosen by name (`--format`)."""

from __future__ import annotations

from collections.abc import Callable

from migcheck.report import github, json, markdown, sarif, text
from migcheck.report.links import Links
from migcheck.result import CheckResult

Renderer = Callable[..., str]
REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "markdown": markdown.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(result: CheckResult, fmt: str, *, color: bool = False, links: Links | None = None) -> str:
    renderer = REPORTERS[fmt]
    return renderer(result, color=color, links=links) if fmt == "markdown" else renderer(result, color=color)

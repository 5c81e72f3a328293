"""Reporters: pure `render(result, *, color=False, links=None) -> str` functions, chosen by name (`--format`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from migcheck.report import github, json, markdown, sarif, text
from migcheck.result import CheckResult


@dataclass(frozen=True)
class Links:
    """Where a report's file references point on GitHub (for Markdown in a PR comment or job summary)."""

    server_url: str  # e.g. https://github.com
    repository: str  # owner/name
    sha: str
    run_url: str | None = None

    def blob(self, path: str, line: int | None = None) -> str:
        anchor = f"#L{line}" if line else ""
        return f"{self.server_url.rstrip('/')}/{self.repository}/blob/{self.sha}/{quote(path)}{anchor}"


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

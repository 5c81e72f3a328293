"""Where a report's file references point on GitHub: the blob URL of a path and line at the checked commit."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from migcheck.report.printable import path_bytes


@dataclass(frozen=True)
class Links:
    """Where a report's file references point on GitHub (for Markdown in a PR comment or job summary)."""

    server_url: str  # e.g. https://github.com
    repository: str  # owner/name
    sha: str
    run_url: str | None = None

    def blob(self, path: str, line: int | None = None) -> str:
        anchor = f"#L{line}" if line else ""
        return f"{self.server_url.rstrip('/')}/{self.repository}/blob/{self.sha}/{quote(path_bytes(path))}{anchor}"

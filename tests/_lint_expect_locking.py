"""The findings a tests/trees/lint case expects, read from its `# expect: MC312[, MC317]` markers.

A private copy for the locking rules' tree tests until the shared `tests/lint_expect.py` is merged (the lead
unifies them): every `.py` file under a `versions/` directory of the project is read, and each marker names the
rules that must report a finding on its own line; lines without one must get no MC3xx finding.
"""

from __future__ import annotations

import re
from pathlib import Path

_EXPECT = re.compile(r"#\s*expect:\s*(MC\d{3}(?:\s*,\s*MC\d{3})*)")


def expected_findings(root: Path) -> set[tuple[str, int, str]]:
    """(path relative to `root`, line, rule) for every rule named by a marker in the project's revisions."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        if "versions" not in path.relative_to(root).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            marker = _EXPECT.search(line)
            if marker:
                for code in marker.group(1).split(","):
                    found.add((path.relative_to(root).as_posix(), number, code.strip()))
    return found

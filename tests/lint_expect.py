"""The findings a tests/trees/lint/ case expects, read from `# expect: MC302` markers on the lines of its
revision files (several: `# expect: MC312, MC317`). A line without a marker expects no MC3xx finding.

    assert found == expected_findings(root)   # {(path relative to root, line, rule), ...}
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"#\s*expect:\s*(MC\d{3}(?:\s*,\s*MC\d{3})*)\s*$")


def expected_findings(root: Path) -> set[tuple[str, int, str]]:
    """(posix path relative to `root`, line, rule code) of every marker in the .py files of any `versions/`
    directory under `root`."""
    expected: set[tuple[str, int, str]] = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if "versions" not in relative.parts[:-1]:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            marker = MARKER.search(line)
            if marker:
                expected |= {
                    (relative.as_posix(), number, code.strip()) for code in marker.group(1).split(",")
                }
    return expected

"""Run tests/test_env_templates.py and print the README's "Which env.py works" table from its results.

    .venv/bin/python tests/env_matrix.py            # runs the tests (a few minutes), prints the table
    .venv/bin/python tests/env_matrix.py a.xml b.xml # the table of earlier `--junitxml` runs (later ones win)

Every cell is a test outcome: ✅, or ❌ with migcheck's own message (skips say why).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).parent
MODULE = HERE / "test_env_templates.py"

ROWS = {
    "generic": "`alembic init -t generic`",
    "pyproject": "`alembic init -t pyproject`",
    "multidb": "`alembic init -t multidb` (two databases)",
    "async": "`alembic init -t async`",
    "pyproject_async": "`alembic init -t pyproject_async`",
    "cookbook-connection-sharing": "Alembic cookbook: sharing a connection",
    "cookbook-connection-sharing-asyncio": "Alembic cookbook: connection sharing with asyncio",
    "pytest-alembic": "pytest-alembic's env.py (`connection` attribute + `.connect()`)",
    "flask-metadata": "`flask db init`, `--metadata app:create_app`",
    "flask": "`flask db init`, no `--metadata`",
    "flask-multidb-metadata": "`flask db init --multidb`, `--metadata app:create_app`",
    "flask-multidb": "`flask db init --multidb`, no `--metadata`",
}
DIALECTS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MariaDB"}
DRIVER_NAMES = {
    "sqlite+aiosqlite": "aiosqlite",
    "postgresql+asyncpg": "asyncpg",
    "mysql+aiomysql": "aiomysql",
}
ASYNC_ROWS = {"async", "pyproject_async", "cookbook-connection-sharing-asyncio"}


def run(report: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", str(MODULE), "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=HERE.parent,
        check=False,
    )


def outcomes(*reports: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(row, dialect) -> [(driver, cell text)] from junit XML reports."""
    cells: dict[tuple[str, str], dict[str, str]] = {}
    cases = [case for report in reports for case in ET.parse(report).getroot().iter("testcase")]
    for case in cases:
        match = re.search(r"\[(.+)-(sqlite|postgresql|mysql)-([^-\]]+)\]$", case.get("name", ""))
        if not match:
            continue
        row, dialect, driver = match.groups()
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            message = (problem.get("message") or "").removeprefix("Failed: ").splitlines()[0]
            cell = "❌ " + message.replace("|", "\\|")[:220]
        elif skipped is not None:
            cell = "skipped: " + (skipped.get("message") or "").splitlines()[0][:120]
        else:
            cell = "✅"
        cells.setdefault((row, dialect), {})[driver] = cell
    return {key: list(by_driver.items()) for key, by_driver in cells.items()}


def table(cells: dict[tuple[str, str], list[tuple[str, str]]]) -> str:
    lines = ["| env.py | " + " | ".join(DIALECTS.values()) + " |", "|---|---|---|---|"]
    for row, label in ROWS.items():
        if not any((row, d) in cells for d in DIALECTS):
            continue
        parts = []
        for dialect in DIALECTS:
            results = cells.get((row, dialect), [])
            if row in ASYNC_ROWS:
                # one result per async driver: name the driver
                parts.append(
                    "<br>".join(
                        f"{DRIVER_NAMES.get(d, d.split('+')[-1] + ' (async)')}: {c}" for d, c in results
                    )
                )
            else:
                parts.append("<br>".join(c for _, c in results) or "not run")
        lines.append(f"| {label} | " + " | ".join(parts) + " |")
    return "\n".join(lines)


def main() -> None:
    reports = [Path(a) for a in sys.argv[1:]]
    if not reports:
        reports = [Path(tempfile.mkdtemp()) / "env_templates.xml"]
        run(reports[0])
    print(table(outcomes(*reports)))


if __name__ == "__main__":
    main()

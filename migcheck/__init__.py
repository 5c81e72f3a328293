"""migcheck: a checker for Alembic migration trees.

>>> import migcheck
>>> result = migcheck.check("path/to/project", fail_on="warning")
>>> result.exit_code, [f.rule for f in result.findings]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migcheck.errors import MigcheckError
    from migcheck.findings import Finding, Location, Severity
    from migcheck.result import CheckResult

__version__ = "0.1.0"
__all__ = ["CheckResult", "Finding", "Location", "MigcheckError", "Severity", "__version__", "check"]

# The public names load with their modules on first use: `python -m migcheck --version` (and every command,
# which imports this package first) should not pay for the findings and results it never builds.
_LAZY = {
    "CheckResult": "migcheck.result",
    "Finding": "migcheck.findings",
    "Location": "migcheck.findings",
    "MigcheckError": "migcheck.errors",
    "Severity": "migcheck.findings",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'migcheck' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def check(path: str | Path = ".", **settings: Any) -> CheckResult:
    """Check the Alembic project at `path`; keyword arguments are the `[tool.migcheck]` settings.

    Settings from the project's pyproject.toml apply first and keyword arguments override them:
    `select`, `ignore`, `fail_on` (a severity or "never"), `exit_zero`, `expected_heads`, `alembic_config`, `versions`, `environments`,
    `severity` ({"MC302": "error"}), `dialect`, `lint_since`.
    Raises MigcheckError when the project cannot be checked at all (no environment found, bad setting).
    When only the drift check of an environment cannot run (user code raised or exited, a lost connection),
    the result says why in `error` (its exit_code is then 2) and still holds every other finding.
    """
    from migcheck.config import load_settings
    from migcheck.engine import run

    return run(load_settings(Path(path), settings))

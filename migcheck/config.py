"""Settings: `[tool.migcheck]` in pyproject.toml, overridden by env vars and CLI flags (already merged by the CLI).

Precedence (DESIGN.md): CLI flag > MIGCHECK_* env var > [tool.migcheck] > default. Unknown keys and bad values
stop the run with a message naming the setting and the valid choices.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from migcheck.errors import MigcheckError
from migcheck.findings import Severity

ExpectedHeads = int | tuple[str, ...] | None
# `drift = "auto"` (the action's default): the drift check runs, but a project it cannot import for a missing
# package, or migrations in another dialect's SQL on the default SQLite scratch database, give a warning
# instead of "could not check" / MC202 (see migcheck/driftauto.py)
DRIFT_AUTO: Literal["auto"] = "auto"
Drift = bool | Literal["auto"]

# `base = "auto"`: the current branch's upstream or origin/HEAD, chosen from the clone (migcheck.gitbase)
BASE_AUTO = "auto"

# the databases the MC3xx lint knows (`dialect`); the other names users write for them
DIALECTS = ("sqlite", "postgresql", "mysql")
DIALECT_ALIASES = {"postgres": "postgresql", "mariadb": "mysql"}


@dataclass(frozen=True)
class EnvironmentSettings:
    """An environment named in `environments = [...]`, with the settings that differ for it."""

    path: str
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    expected_heads: ExpectedHeads = None


@dataclass(frozen=True)
class Settings:
    """Everything one run of migcheck needs to know; the CLI, the library API and the action all build one."""

    root: Path = Path(".")
    alembic_config: Path | None = None
    versions: tuple[Path, ...] = ()
    environments: tuple[EnvironmentSettings, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # None: `never`, no finding fails the run (a report-only rollout)
    fail_on: Severity | None = Severity.ERROR
    # findings never make the exit code 1 (ruff's and flake8's --exit-zero); 2 still means "could not check"
    exit_zero: bool = False
    expected_heads: ExpectedHeads = None
    # drift check (MC2xx): the models against a scratch database built by the migrations
    drift: Drift = True
    drift_only: bool = False
    roundtrip: bool = False
    database_url: str | None = None
    metadata: str | None = None
    python_path: tuple[Path, ...] = ()
    # a git ref of the branch the change will merge into (MC11x), or BASE_AUTO
    base: str | None = None
    # the directory the paths of findings and messages are shown relative to (`migcheck.paths`); None: the
    # checked root. Not a setting of its own: the CLI and the action choose it for the output they write
    paths_from: Path | None = None
    # reuse what each revision file read as last time (migcheck.readcache); False: read and write no cache
    cache: bool = True
    config_file: Path | None = field(default=None, compare=False)
    # set by `migcheck github`, never read from a setting: advice names the action's inputs, not CLI flags
    as_action: bool = False
    # how messages name `base` when it is a commit id (the action: the PR's base branch, e.g. `main`)
    base_label: str | None = None
    # the database the MC3xx lint judges the migrations for; None: found from the URLs (migcheck.lintscope)
    dialect: str | None = None
    # a revision id: without a base branch, MC3xx lint only the revisions newer than it (migcheck.lintscope)
    lint_since: str | None = None
    # rule (a code, name or family, as written; the engine resolves them to codes) -> the severity its findings
    # get instead of the rule's own
    severity: Mapping[str, Severity] = field(default_factory=dict, hash=False)


KEYS = (
    "alembic_config",
    "versions",
    "environments",
    "select",
    "ignore",
    "fail_on",
    "exit_zero",
    "expected_heads",
    "drift",
    "drift_only",
    "roundtrip",
    "database_url",
    "metadata",
    "python_path",
    "base",
    "cache",
    "dialect",
    "lint_since",
    "severity",
)
_ENV_KEYS = ("path", "select", "ignore", "expected_heads")


def find_pyproject(root: Path) -> Path | None:
    """The nearest pyproject.toml at or above `root`, not looking past the repository's top (.git)."""
    for directory in (root, *root.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def load_settings(root: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Settings for `root`: [tool.migcheck] from the nearest pyproject.toml, then `overrides` on top."""
    if "\x00" in str(root):
        raise MigcheckError(f"path {str(root)!r} contains a NUL byte, which no path can hold")
    try:
        root = root.resolve()
        if not root.exists():
            raise MigcheckError(f"path {str(root)!r} does not exist")
    except OSError as exc:  # a name too long for the file system, and the like
        raise MigcheckError(f"path {str(root)!r}: {exc.strerror or exc}") from None
    pyproject = find_pyproject(root if root.is_dir() else root.parent)
    values: dict[str, Any] = {}
    base = root
    if pyproject is not None:
        values = _read_table(pyproject)
        base = pyproject.parent
    settings = _apply(Settings(root=root, config_file=pyproject), values, base, str(pyproject or ""))
    extra = {k: v for k, v in (overrides or {}).items() if v is not None}
    return _apply(settings, extra, Path.cwd(), "option")


def _read_table(pyproject: Path) -> dict[str, Any]:
    # imported here: a project without a pyproject.toml never pays for the TOML parser
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MigcheckError(f"{pyproject}: cannot read it as TOML: {exc}") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise MigcheckError(f"{pyproject}: [tool] must be a table, got {tool!r}")
    table = tool.get("migcheck", {})
    if not isinstance(table, dict):
        raise MigcheckError(f"{pyproject}: [tool.migcheck] must be a table")
    return {k.replace("-", "_"): v for k, v in table.items()}


def _apply(settings: Settings, values: Mapping[str, Any], base: Path, source: str) -> Settings:
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        where = f"{source} [tool.migcheck]" if source != "option" else "check()"
        raise MigcheckError(f"{where}: unknown setting {unknown[0]!r}; valid settings: {', '.join(KEYS)}")
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        setting = f"{source}: {key}" if source != "option" else key.replace("_", "-")
        changes[key] = _convert(key, raw, base, setting)
    return replace(settings, **changes)


def _convert(key: str, raw: Any, base: Path, setting: str) -> Any:
    if key in ("select", "ignore"):
        return _names(raw, setting)
    if key == "fail_on":
        return parse_fail_on(raw, setting)
    if key == "expected_heads":
        return parse_expected_heads(raw, setting)
    if key == "alembic_config":
        return base / _text(raw, setting)
    if key in ("versions", "python_path"):
        return tuple(base / p for p in _names(raw, setting))
    if key == "drift" and isinstance(raw, str) and raw.strip().lower() == DRIFT_AUTO:
        return DRIFT_AUTO
    if key in ("drift", "drift_only", "roundtrip", "exit_zero", "cache"):
        return _flag(raw, setting, also=(DRIFT_AUTO,) if key == "drift" else ())
    if key in ("database_url", "metadata", "base", "lint_since"):
        return _text(raw, setting)
    if key == "dialect":
        return parse_dialect(raw, setting)
    if key == "severity":
        return parse_severity(raw, setting)
    if key == "environments":
        return tuple(
            _environment(item, setting) for item in (raw if isinstance(raw, (list, tuple)) else [raw])
        )
    raise AssertionError(key)  # pragma: no cover - KEYS and _convert are kept in step


def _flag(raw: Any, setting: str, also: tuple[str, ...] = ()) -> bool:
    if isinstance(raw, bool):
        return raw
    words = {
        "true": True,
        "yes": True,
        "1": True,
        "on": True,
        "false": False,
        "no": False,
        "0": False,
        "off": False,
    }
    if isinstance(raw, str) and raw.strip().lower() in words:
        return words[raw.strip().lower()]
    expected = f"true, false or {' or '.join(also)}" if also else "true or false"
    raise MigcheckError(f"{setting}: expected {expected}, got {raw!r}")


def _text(raw: Any, setting: str) -> str:
    if isinstance(raw, (str, Path)):
        return _no_nul(str(raw), setting)
    raise MigcheckError(f"{setting}: expected a string, got {raw!r}")


def _names(raw: Any, setting: str) -> tuple[str, ...]:
    """A list of names, or one string of comma/space-separated names (env vars, action inputs)."""
    if isinstance(raw, (str, Path)):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(v, (str, Path)) for v in raw):
        raise MigcheckError(f"{setting}: expected a list of strings, got {raw!r}")
    return tuple(name for v in raw for name in _no_nul(str(v), setting).replace(",", " ").split())


def _no_nul(value: str, setting: str) -> str:
    # a NUL byte ends a path at the system's door (ValueError deep inside os): say so here, naming the setting
    if "\x00" in value:
        raise MigcheckError(f"{setting}: {value!r} contains a NUL byte, which no path, name or URL can hold")
    return value


FAIL_ON_CHOICES = (*(s.value for s in Severity), "never")


def parse_fail_on(raw: Any, setting: str = "fail_on") -> Severity | None:
    """A severity, or `never` (None): no finding fails the run."""
    if raw is None or isinstance(raw, Severity):
        return raw
    word = _text(raw, setting).strip().lower()
    if word == "never":
        return None
    if word not in FAIL_ON_CHOICES:
        raise MigcheckError(f"{setting}: {raw!r} is not a severity; use one of {', '.join(FAIL_ON_CHOICES)}")
    return Severity(word)


def parse_dialect(raw: Any, setting: str = "dialect") -> str:
    """One of DIALECTS; `postgres` and `mariadb` name the same ones."""
    word = _text(raw, setting).strip().lower()
    word = DIALECT_ALIASES.get(word, word)
    if word not in DIALECTS:
        choices = ", ".join([*DIALECTS, *(f"{alias} (= {name})" for alias, name in DIALECT_ALIASES.items())])
        raise MigcheckError(f"{setting}: {raw!r} is not a dialect migcheck lints for; use one of {choices}")
    return word


_SPACED_EQUALS = re.compile(r"\s*=\s*")


def parse_severity(raw: Any, setting: str = "severity") -> dict[str, Severity]:
    """Rule -> severity: a table (`{ MC302 = "error", drop-table = "notice" }`) or `RULE=SEVERITY` words, one
    per flag or comma/space-separated (`MIGCHECK_SEVERITY="MC302=error,MC301=notice"`).

    The rules stay as written: which codes a name or family means is the rule registry's to say, which the
    engine resolves (`findings.resolve_rules`), as it does for `select` and `ignore`.
    """
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    else:
        if not isinstance(raw, (str, list, tuple)) or not all(isinstance(v, str) for v in raw):
            raise MigcheckError(
                f'{setting}: expected a table of rule = severity (severity = {{ MC302 = "error" }}) or'
                f" RULE=SEVERITY words, got {raw!r}"
            )
        words = _names(raw, setting)
        pairs = []
        # `MC302 = error` written with spaces is one word, as `MC302=error` is
        for word in _SPACED_EQUALS.sub("=", " ".join(words)).split():
            rule, equals, value = word.partition("=")
            if not equals or not rule.strip():
                raise MigcheckError(f"{setting}: expected RULE=SEVERITY (e.g. MC302=error), got {word!r}")
            pairs.append((rule, value))
    found: dict[str, Severity] = {}
    for rule, value in pairs:
        if not isinstance(rule, str) or not rule.strip():
            raise MigcheckError(f"{setting}: expected a rule code or name as the key, got {rule!r}")
        if not isinstance(value, str):
            raise MigcheckError(f"{setting}: {rule}: expected a severity (a string), got {value!r}")
        found[_no_nul(rule.strip(), setting)] = Severity.parse(
            _no_nul(value, setting), setting=f"{setting}: {rule}"
        )
    return found


def parse_expected_heads(raw: Any, setting: str = "expected_heads") -> ExpectedHeads:
    """A number of heads, or the heads' ids / branch labels."""
    if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
        if isinstance(raw, int) and raw < 1:
            raise MigcheckError(f"{setting}: must be at least 1, got {raw}")
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return parse_expected_heads(int(raw.strip()), setting)
    names = _names(raw, setting)
    if not names:
        raise MigcheckError(f"{setting}: expected a number of heads or a list of head ids / branch labels")
    return names


def _environment(item: Any, setting: str) -> EnvironmentSettings:
    if isinstance(item, str):
        return EnvironmentSettings(path=_text(item, setting))
    if not isinstance(item, dict) or "path" not in item:
        raise MigcheckError(f"{setting}: each entry is a path or a table with a `path` key, got {item!r}")
    item = {k.replace("-", "_"): v for k, v in item.items()}
    unknown = sorted(set(item) - set(_ENV_KEYS))
    if unknown:
        raise MigcheckError(
            f"{setting}: unknown key {unknown[0]!r} in an environment; valid keys: {', '.join(_ENV_KEYS)}"
        )
    return EnvironmentSettings(
        path=_text(item["path"], setting),
        select=_names(item["select"], setting) if "select" in item else None,
        ignore=_names(item["ignore"], setting) if "ignore" in item else None,
        expected_heads=parse_expected_heads(item.get("expected_heads"), setting),
    )

"""What the MC3xx lint looks at: the database dialect it judges the migrations for, and the revisions in scope.

Pure and static, as the rest of the graph checks: URLs are read by their scheme (SQLAlchemy is not imported),
the environment's `sqlalchemy.url` from its alembic.ini as `alembic_config` reads it, and no file is imported.

The dialect, first of: `dialect` (`--dialect`); the family of `database_url` (the scratch server the drift check
runs on, which a team points at the database it deploys to); the environment's configured `sqlalchemy.url`
(`alembic init`'s placeholder `driver://...` names none); for a Flask-Migrate environment, a string literal
assigned to `SQLALCHEMY_DATABASE_URI` in the application's modules. A source that names a database the lint
has no rules for (`mssql://`) ends the search with no dialect, rather than trusting a source further down.

The revisions, first of: with a base branch, exactly those the change adds (`History.new`); with `lint_since`,
the descendants of that revision (what was deployed after it); else all of them.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from migcheck.alembic_config import read_ini
from migcheck.config import DIALECT_ALIASES, DIALECTS, Settings
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.histories import History

# the phrases `lint_scope` says its scope with, for a caller to tell them apart
NEW = "new in this change"
ALL = "all revisions"

# `postgresql+psycopg://`, `mysql+pymysql://`, `sqlite:///`: the backend is the part before `+` (SQLAlchemy's
# own reading of a URL's drivername)
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)(?:\+[\w.-]*)?://")
# what `alembic init` writes as sqlalchemy.url: a placeholder naming no database
_PLACEHOLDER_BACKEND = "driver"

# Flask-SQLAlchemy's setting, assigned in a config module (`SQLALCHEMY_DATABASE_URI = "..."`), on the app's
# config (`app.config["SQLALCHEMY_DATABASE_URI"] = "..."`) or in a dict / keyword (`"...": "..."`, `...=`)
_FLASK_KEY = "SQLALCHEMY_DATABASE_URI"
_FLASK_ASSIGNED = re.compile(
    r"""["']?[ \t]*\]?[ \t]*(?:(?::[ \t]*[A-Za-z_][\w.\[\], |]*?)?[ \t]*=(?!=)|:)[ \t]*(?P<value>[^\n]*)"""
)
_STRING_URL = re.compile(r"""[rRuUfFbB]{0,2}["']\s*([A-Za-z][A-Za-z0-9_]*)(?:\+[\w.-]*)?://""")
# where an application's config module lives: the project directory and one level below it, never these
_NOT_THE_APP = frozenset(
    {"migrations", "tests", "test", "venv", ".venv", "node_modules", "build", "dist", "site-packages"}
)
_MAX_APP_FILES = 300
_MAX_APP_FILE_BYTES = 256 * 1024


def url_dialect(url: str) -> str | None:
    """The database family a URL's scheme names (`mariadb` is mysql, `postgres` postgresql), lower case; None
    when the text is no URL (`%(DB_URL)s`, an empty value) or `alembic init`'s placeholder."""
    m = _SCHEME.match(url)
    if m is None:
        return None
    backend = m.group(1).lower()
    if backend == _PLACEHOLDER_BACKEND:
        return None
    return DIALECT_ALIASES.get(backend, backend)


def lint_dialect(settings: Settings, env: Environment) -> tuple[str | None, str]:
    """The dialect the MC3xx lint judges `env`'s migrations for, and where it came from (for a note)."""
    if settings.dialect is not None:
        return settings.dialect, "--dialect"
    if settings.database_url:
        return _named(url_dialect(settings.database_url) or "", "the database URL")
    found = sqlalchemy_url(env)
    if found is not None:
        url, ini = found
        family = url_dialect(url)
        if family is not None:
            return _named(family, f"sqlalchemy.url in {ini.name}")
    if env.source == "flask-migrate":
        flask = _flask_dialect(env.script_location.parent)
        if flask is not None:
            family, module = flask
            return _named(family, f"{_FLASK_KEY} in {module}")
    return None, "no --dialect, --database-url or sqlalchemy.url names one"


def _named(family: str, source: str) -> tuple[str | None, str]:
    if family in DIALECTS:
        return family, source
    if not family:
        return None, f"{source} names no database"
    return None, f"{source} names {family}, a database the lint has no dialect rules for"


def sqlalchemy_url(env: Environment) -> tuple[str, Path] | None:
    """The environment's `sqlalchemy.url` as written in its alembic.ini (`%(here)s` interpolated), with that
    file; None when no alembic.ini configures one, or its value cannot be read without running code.

    Beside a `[tool.alembic]` environment the URL is still alembic.ini's: Alembic never reads it from TOML.
    """
    config = env.config_file
    if config is None:
        return None
    ini = config if config.suffix != ".toml" else config.parent / "alembic.ini"
    if not ini.is_file():
        return None
    try:
        value = read_ini(ini).get(env.ini_section, "sqlalchemy.url", fallback="")
    except (MigcheckError, configparser.Error):
        # unreadable, or `%(DB_URL)s` filled in by env.py: no dialect said here
        return None
    return (value.strip(), ini) if value.strip() else None


def _flask_dialect(project: Path) -> tuple[str, str] | None:
    """The dialect of the `SQLALCHEMY_DATABASE_URI` the application's modules assign, and the module's name.

    Only when every assignment found is a string literal naming the same database: a value read from the
    environment (`os.environ["DATABASE_URL"]`) beside a development default means production is elsewhere.
    """
    families: set[str] = set()
    module = ""
    for path in _app_modules(project):
        try:
            if os.path.getsize(path) > _MAX_APP_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for value in _flask_values(text):
            literal = _STRING_URL.match(value)
            if literal is None:
                return None  # read from the environment, a settings object, ...: not this module's to say
            backend = literal.group(1).lower()
            families.add(DIALECT_ALIASES.get(backend, backend))
            module = module or path.relative_to(project).as_posix()
    if len(families) != 1:
        return None
    return families.pop(), module


def _flask_values(text: str) -> Iterable[str]:
    """The text assigned to SQLALCHEMY_DATABASE_URI at each place the module assigns it."""
    start = text.find(_FLASK_KEY)
    while start >= 0:
        end = start + len(_FLASK_KEY)
        before = text[start - 1] if start else " "
        line = text[text.rfind("\n", 0, start) + 1 : start]
        if not (before.isalnum() or before == "_") and not line.lstrip().startswith("#"):
            m = _FLASK_ASSIGNED.match(text, end)
            if m is not None:
                yield m.group("value")
        start = text.find(_FLASK_KEY, end)


def _app_modules(project: Path) -> list[Path]:
    """The Python files in `project` and its direct subdirectories (a package's `config.py`), a bounded few."""
    found: list[Path] = []
    try:
        entries = sorted(os.scandir(project), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        if entry.name.startswith(".") or entry.name in _NOT_THE_APP:
            continue
        if entry.name.endswith(".py") and entry.is_file():
            found.append(Path(entry.path))
        elif entry.is_dir(follow_symlinks=False):
            try:
                inner = sorted(
                    e.path for e in os.scandir(entry.path) if e.name.endswith(".py") and e.is_file()
                )
            except OSError:
                continue
            found += map(Path, inner)
        if len(found) >= _MAX_APP_FILES:
            break
    return found[:_MAX_APP_FILES]


def lint_scope(
    history: History, lint_since: str | None, *, others: Sequence[History] = ()
) -> tuple[frozenset[str], str]:
    """The ids of the revisions of `history` the MC3xx lint looks at, and a phrase saying which.

    `others` are the run's other histories. A `lint_since` that names a revision of none of them stops the run
    (a typo would otherwise lint nothing, or everything, silently); one that is in another history only leaves
    this one out entirely: what is new here cannot be told from a revision of another history, and linting all
    of it would report every migration ever deployed.
    """
    if history.new is not None:
        return frozenset(history.new), NEW
    if lint_since is None:
        return frozenset(history.graph.revisions), ALL
    since = _resolve(history, lint_since)
    if since is None:
        holder = next((o for o in others if _resolve(o, lint_since) is not None), None)
        if holder is None:
            raise MigcheckError(_no_such_revision(lint_since, [history, *others]))
        return frozenset(), f"none: lint_since {lint_since} is in {holder.name}, not in this history"
    return frozenset(history.graph.descendants(since, inclusive=False)), f"newer than {since}"


def _resolve(history: History, name: str) -> str | None:
    """The revision `name` means in `history`: its id, or a prefix of exactly one id (as Alembic accepts)."""
    name = name.strip()
    revisions = history.graph.revisions
    if name in revisions:
        return name
    if len(name) < 4:  # Alembic's shortest accepted prefix
        return None
    matches = [rid for rid in revisions if rid.startswith(name)]
    if len(matches) > 1:
        raise MigcheckError(
            f"lint_since: {name!r} is the start of several revision ids in {history.name}"
            f" ({', '.join(sorted(matches)[:5])}); write the whole id"
        )
    return matches[0] if matches else None


def _no_such_revision(name: str, histories: Sequence[History]) -> str:
    described = "; ".join(f"{h.name}: {_heads(h)}" for h in histories)
    where = histories[0].name if len(histories) == 1 else "any history checked"
    return (
        f"lint_since: no revision {name!r} in {where}; name a revision the migrations have (the one last"
        f" deployed), e.g. a head ({described})"
    )


def _heads(history: History) -> str:
    heads = sorted(history.graph.heads())
    if not heads:
        return "no revisions"
    shown = ", ".join(heads[:5]) + (f" and {len(heads) - 5} more" if len(heads) > 5 else "")
    return f"head{'s' if len(heads) > 1 else ''} {shown}"

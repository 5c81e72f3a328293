"""`drift = "auto"` (the action's default): the two drift-check failures that are the setup's, not the project's.

Only these become a warning, and the graph checks' verdict then stands:
1. the project cannot be imported because a package it needs is not installed where migcheck runs
   (`MissingPackage`, or a revision file's `Failure.missing_package`);
2. a migration fails on the default SQLite scratch database with SQL of the dialect the project is written for.
Anything else fails as under `drift = true`: "could not check" (exit code 2), MC202, MC201. With a
`database_url` the scratch database is the project's own dialect, so `auto` is `true` there.

How "another dialect's SQL" is told, soundly rather than cleverly: the failure is in a migration step on SQLite,
its error is SQLite's own limit (its parser's `syntax error`, or Alembic's "No support for ... in SQLite"), and
something says the project is written for another dialect, first of:
- the dialect of a URL env.py asked for (and migcheck redirected), else of the environment's sqlalchemy.url:
  `sqlite` there means the failure is the migration's own, and nothing is excused;
- the failing revision file's own words: `from sqlalchemy.dialects import postgresql`, `postgresql_using=...`;
- the refused statement itself, when it holds a construct SQLite's grammar lacks (`_FOREIGN`: CREATE EXTENSION,
  ALTER COLUMN, `::` casts, ENGINE=, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migcheck.config import DRIFT_AUTO, Settings
from migcheck.errors import MissingPackage
from migcheck.outcome import DriftOutcome, Failure

KNOWN_DIALECTS = ("sqlite", "postgresql", "mysql", "mssql", "oracle")
_NAMES = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mssql": "SQL Server", "oracle": "Oracle"}
# a server where the drift check may create its scratch database, as `--database-url` takes it
URL_EXAMPLES = {
    "postgresql": "postgresql+psycopg://USER@HOST:5432/postgres",
    "mysql": "mysql+pymysql://USER@HOST:3306/",
}
# the same as the action's input, with a job service of that name (a container action reaches it by its name);
# with no password, which migcheck would mask in every message, example or not
_SERVICES = {
    "postgresql": (
        "postgresql+psycopg://postgres@postgres:5432/postgres",
        "services:\n"
        "  postgres:\n"
        "    image: postgres:16\n"
        "    env:\n"
        "      POSTGRES_HOST_AUTH_METHOD: trust\n"
        "    options: >-\n"
        "      --health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10",
    ),
    "mysql": (
        "mysql+pymysql://root@mysql:3306/mysql",
        "services:\n"
        "  mysql:\n"
        "    image: mysql:8\n"
        "    env:\n"
        '      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"\n'
        "    options: >-\n"
        '      --health-cmd "mysqladmin ping" --health-interval 5s --health-timeout 5s --health-retries 10',
    ),
}
# SQLite's parser: `near "EXTENSION": syntax error`, `incomplete input`; Alembic's SQLite implementation:
# "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode feature ..."
_SQLITE_LIMIT = re.compile(r"syntax error|incomplete input|\bno support for\b.*\bsqlite\b", re.I | re.S)
# Statements SQLite's grammar has no form of, with the dialect they are written for (None: several have them).
# Anchored at the statement's start where they name a statement, so that an identifier (a table called `grant`)
# is never taken for one.
_FOREIGN: tuple[tuple[re.Pattern[str], str | None, str], ...] = tuple(
    (re.compile(pattern, re.I | re.S), dialect, label)
    for pattern, dialect, label in (
        (r"\A\s*CREATE\s+EXTENSION\b", "postgresql", "CREATE EXTENSION"),
        (r"\A\s*(?:CREATE|ALTER|DROP)\s+TYPE\b", "postgresql", "CREATE/ALTER/DROP TYPE"),
        (
            r"\A\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|POLICY|RULE)\b",
            "postgresql",
            "CREATE FUNCTION/PROCEDURE/POLICY/RULE",
        ),
        (
            r"\A\s*ALTER\s+TABLE\b.*\bALTER\s+COLUMN\b.*\bTYPE\b.*\bUSING\b",
            "postgresql",
            "ALTER COLUMN ... TYPE ... USING",
        ),
        (r"\A\s*(?:CREATE|DROP)\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b", "postgresql", "INDEX CONCURRENTLY"),
        (r"\A\s*DO\b", "postgresql", "DO blocks"),
        (r"\A\s*SET\s+search_path\b", "postgresql", "search_path"),
        (r"\bROW\s+LEVEL\s+SECURITY\b", "postgresql", "ROW LEVEL SECURITY"),
        (r"::\s*[a-z_]", "postgresql", "'::' casts"),
        (r"\)\s*ENGINE\s*=", "mysql", "ENGINE="),
        (r"\bAUTO_INCREMENT\b", "mysql", "AUTO_INCREMENT"),
        (r"\A\s*ALTER\s+TABLE\b.*\b(?:MODIFY|CHANGE)\s+COLUMN\b", "mysql", "MODIFY/CHANGE COLUMN"),
        (r"\A\s*ALTER\s+TABLE\b.*\bALTER\s+COLUMN\b", None, "ALTER COLUMN"),
        (r"\A\s*ALTER\s+TABLE\b.*\b(?:ADD|DROP)\s+CONSTRAINT\b", None, "ADD/DROP CONSTRAINT"),
        (r"\A\s*CREATE\s+(?:SCHEMA|SEQUENCE)\b", None, "CREATE SCHEMA/SEQUENCE"),
        (r"\A\s*COMMENT\s+ON\b", None, "COMMENT ON"),
        (r"\A\s*(?:GRANT|REVOKE)\b", None, "GRANT/REVOKE"),
    )
)
_DIALECT_WORDS = "|".join(d for d in KNOWN_DIALECTS if d != "sqlite")
# a revision file written for one dialect: it imports its types, or passes its keyword arguments
_REVISION_DIALECT = re.compile(
    rf"\bsqlalchemy\.dialects\s+import\s+({_DIALECT_WORDS})\b|\bsqlalchemy\.dialects\.({_DIALECT_WORDS})\b"
    rf"|\b({_DIALECT_WORDS})_[a-z_]+\s*="
)


def lenient(settings: Settings) -> bool:
    """Whether the two failures above are warnings: `drift = "auto"` on the default SQLite scratch database."""
    return settings.drift == DRIFT_AUTO and not settings.database_url


@dataclass(frozen=True)
class Foreign:
    """Why a failure on SQLite is taken for another dialect's SQL."""

    dialect: str | None  # None: a construct several dialects have, none SQLite
    because: str


def foreign_sql(outcome: DriftOutcome, revision_text: str | None) -> Foreign | None:
    """Why `outcome.failure` is another dialect's SQL that SQLite cannot run, or None when it is not (then it
    is the migration's own failure)."""
    failure = outcome.failure
    if (
        failure is None
        or outcome.dialect != "sqlite"
        or failure.revision is None
        or failure.file is not None
        or not _SQLITE_LIMIT.search(failure.error)
    ):
        return None
    if outcome.target == "sqlite":
        return None  # the project runs on SQLite: the migration must too
    if outcome.target in KNOWN_DIALECTS:
        return Foreign(outcome.target, f"the project is configured for {dialect_name(outcome.target)}")
    found = _REVISION_DIALECT.search(revision_text or "")
    if found is not None:
        dialect = next(g for g in found.groups() if g)
        return Foreign(
            dialect, f"the revision is written for {dialect_name(dialect)} ({found.group(0).strip()})"
        )
    if failure.statement is not None and "syntax error" in failure.error.lower():
        for pattern, dialect, label in _FOREIGN:
            if pattern.search(failure.statement):
                return Foreign(dialect, f"SQLite has no {label}")
    return None


def foreign_sql_warning(
    environment: str, failure: Failure, where: str, foreign: Foreign, settings: Settings
) -> str:
    """The warning for a migration in another dialect's SQL: what failed, and exactly what to set."""
    name = dialect_name(foreign.dialect) if foreign.dialect else "another dialect"
    head = (
        f"{environment}: the graph checks ran, the drift check did not: revision {failure.revision!r} ({where})"
        f" is written for {name}, and the default SQLite scratch database cannot run it ({failure.error};"
        f" {foreign.because});"
    )
    service = _SERVICES.get(foreign.dialect or "")
    if settings.as_action and service is not None:
        url, services = service
        return (
            f"{head} to check the migrations on {name}, set the action's input `database-url: {url}` and give the"
            f" job a {name} service (the action reaches it by its name):\n```yaml\n{services}\n```\n"
            "or set `drift: false`"
        )
    if settings.as_action:
        return (
            f"{head} to check the migrations on the project's dialect, set the action's input `database-url:` to"
            " a server of it (a job service, which the action reaches by its name), or set `drift: false`"
        )
    if foreign.dialect in URL_EXAMPLES:
        server = f"--database-url {URL_EXAMPLES[foreign.dialect]} (a {name} server"
    else:
        server = "--database-url with the URL of a server of the project's dialect ("
    return (
        f"{head} to check the migrations, pass {server} where migcheck may create a scratch database), or skip"
        " the drift check with --no-drift"
    )


def missing_package_warning(environment: str, module: str, what: str, settings: Settings) -> str:
    """The warning for a project that imports a package not installed where migcheck runs."""
    head = (
        f"{environment}: the graph checks ran, the drift check did not: the project imports {module!r}, which is"
        f" not installed ({what});"
    )
    if settings.as_action:
        return (
            f"{head} add it to the action's `install:` input (e.g. `install: pip install -r requirements.txt`),"
            " or set `drift: false`"
        )
    return (
        f"{head} install the project's requirements where migcheck runs (e.g. `pip install -r requirements.txt`),"
        " or skip the drift check with --no-drift"
    )


def described(error: MissingPackage, environment: str) -> str:
    """The first line of a MissingPackage error, without the environment it starts with."""
    first = (str(error).splitlines() or [""])[0]
    return first.removeprefix(f"{environment}: ")


def dialect_name(dialect: str) -> str:
    """A dialect as people write it: PostgreSQL, MySQL."""
    return _NAMES.get(dialect, dialect)

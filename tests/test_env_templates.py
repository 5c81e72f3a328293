"""Acceptance: the drift check works on the env.py files real projects have, on SQLite, PostgreSQL and MariaDB.

Every project is generated at test time by the real tools (`alembic init -t <template>`, `flask db init`), or
is a generated env.py edited as the Alembic cookbook / pytest-alembic documentation say (tests/env_recipes.py).
Then the test does what a user does: writes models.py, points env.py's `target_metadata` at it, points the
configured URL at a database of the dialect under test, generates the first migration with the tool's own CLI,
adds a column to the model, and runs `migcheck check`: exit 1 with one MC201 at the new column's line, then
exit 0 once the tool's autogenerate wrote that migration. migcheck must never touch the configured database and
must leave no scratch database behind.

`python tests/env_matrix.py` runs this module and prints the README's "Which env.py works" table.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import new_scratch_databases, scratch_databases
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

from tests import env_recipes

# --- the projects -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One way a project's env.py comes to be."""

    name: str
    tool: str  # "alembic" (init -t template) or "flask" (flask db init)
    template: str = "generic"
    recipe: str | None = None
    is_async: bool = False
    multidb: bool = False
    metadata_flag: bool = False  # run migcheck with --metadata app:create_app


def _alembic_templates() -> set[str]:
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "list_templates"], capture_output=True, text=True, check=True
    )
    return {m.group(1) for m in re.finditer(r"^(\w+) - ", run.stdout, re.M)}


_TEMPLATES = _alembic_templates()
_WANTED = [
    Kind("generic", "alembic", "generic"),
    Kind("pyproject", "alembic", "pyproject"),
    Kind("multidb", "alembic", "multidb", multidb=True),
    Kind("async", "alembic", "async", is_async=True),
    Kind("pyproject_async", "alembic", "pyproject_async", is_async=True),
    Kind("cookbook-connection-sharing", "alembic", recipe="cookbook-connection-sharing"),
    Kind(
        "cookbook-connection-sharing-asyncio",
        "alembic",
        "async",
        recipe="cookbook-connection-sharing-asyncio",
        is_async=True,
    ),
    Kind("pytest-alembic", "alembic", recipe="pytest-alembic"),
    Kind("flask", "flask", metadata_flag=True),
    Kind("flask", "flask"),
    Kind("flask-multidb", "flask", multidb=True, metadata_flag=True),
    Kind("flask-multidb", "flask", multidb=True),
]
KINDS = [k for k in _WANTED if k.tool != "alembic" or k.template in _TEMPLATES]

# dialect -> drivers a project of that dialect is configured with (sync projects, async projects)
SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}
ASYNC_DRIVERS = {
    "sqlite": ["sqlite+aiosqlite"],
    "postgresql": ["postgresql+asyncpg", "postgresql+psycopg"],
    "mysql": ["mysql+aiomysql"],
}


SERVER_FIXTURE = {"postgresql": "pg_url", "mysql": "mysql_url"}


def _cases() -> Iterator[pytest.param]:
    for kind in KINDS:
        for dialect in ("sqlite", "postgresql", "mysql"):
            for driver in ASYNC_DRIVERS[dialect] if kind.is_async else [SYNC_DRIVERS[dialect]]:
                flag = "-metadata" if kind.metadata_flag else ""
                yield pytest.param(kind, dialect, driver, id=f"{kind.name}{flag}-{dialect}-{driver}")


MODELS = """\
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""

# the multidb template's second engine has its own models
MODELS_MULTIDB_EXTRA = """

class AuditBase(DeclarativeBase):
    pass


class Event(AuditBase):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
"""

FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))
"""

FLASK_MODELS_MULTIDB_EXTRA = """

class Event(db.Model):
    __bind_key__ = "audit"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20))
"""

FLASK_APP = """\
from flask import Flask
from flask_migrate import Migrate

from models import db


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = {url!r}
    app.config["SQLALCHEMY_BINDS"] = {binds!r}
    db.init_app(app)
    Migrate(app, db)
    return app
"""

# the user's edit: one new column on the model
NEW_COLUMN = {
    "alembic": "    email: Mapped[str | None] = mapped_column(String(100), nullable=True)\n",
    "flask": "    email = db.Column(db.String(100), nullable=True)\n",
}
NAME_COLUMN = {
    "alembic": "    name: Mapped[str] = mapped_column(String(50))\n",
    "flask": "    name = db.Column(db.String(50))\n",
}

# the tools' own commands: `alembic upgrade heads` / `flask db upgrade head`, `alembic revision --autogenerate` /
# `flask db migrate`
UPGRADE = {"alembic": "heads", "flask": "head"}
AUTOGENERATE = {"alembic": ["revision", "--autogenerate"], "flask": ["migrate"]}

_ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
for _name in ("DATABASE_URL", "FLASK_APP", "MIGCHECK_DATABASE_URL", "MIGCHECK_METADATA"):
    _ENV.pop(_name, None)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_ENV)


def _tool(project: Path, kind: Kind, *args: str) -> None:
    """The project's own migration CLI: `alembic ...`, or `flask db ...` for Flask-Migrate projects."""
    command = ["-m", "alembic"] if kind.tool == "alembic" else ["-m", "flask", "--app", "app", "db"]
    run = _run([sys.executable, *command, *args], project)
    assert run.returncode == 0, f"{' '.join(command[1:])} {' '.join(args)} failed:\n{run.stderr}"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Kind], Path]:
    """Each template generated once per session by its tool; tests copy the result."""
    cache = tmp_path_factory.mktemp("templates")
    made: dict[str, Path] = {}

    def get(kind: Kind) -> Path:
        key = f"{kind.tool}-{kind.template}-{kind.multidb}"
        if key not in made:
            where = cache / key
            where.mkdir()
            if kind.tool == "alembic":
                _tool(where, kind, "init", "-t", kind.template, "migrations")
            else:
                # `flask db init` only needs an app with Flask-Migrate; it does not connect to the database
                (where / "models.py").write_text(FLASK_MODELS)
                (where / "app.py").write_text(FLASK_APP.format(url="sqlite://", binds={}))
                _tool(where, kind, "init", *(["--multidb"] if kind.multidb else []))
                (where / "models.py").unlink()
                (where / "app.py").unlink()
            made[key] = where
        return made[key]

    return get


# --- the databases the projects are configured with ------------------------------------------------------


@dataclass(frozen=True)
class UserDatabase:
    """A database a project's configuration names: the user's own, which migcheck must leave alone."""

    url: str  # as the project configures it (possibly an async driver)
    sync_url: str  # the same database through a sync driver, for the test's own look


def _sync_driver(driver: str) -> str:
    return {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql+psycopg"}.get(
        driver, "mysql+pymysql" if driver.startswith("mysql") else driver
    )


@contextlib.contextmanager
def _user_database(tmp_path: Path, server_url: str | None, driver: str, label: str) -> Iterator[UserDatabase]:
    if server_url is None:
        file = tmp_path / f"{label}.db"
        yield UserDatabase(f"{driver}:///{file}", f"sqlite:///{file}")
        return
    name = f"mcuser_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(server_url).set(database=name)
    try:
        yield UserDatabase(
            url.set(drivername=driver).render_as_string(hide_password=False),
            url.set(drivername=_sync_driver(driver)).render_as_string(hide_password=False),
        )
    finally:
        force = " WITH (FORCE)" if admin.dialect.name == "postgresql" else ""
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()


def _versions(database: UserDatabase) -> set[str]:
    engine = create_engine(database.sync_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return set()
            return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


# --- the user's steps -------------------------------------------------------------------------------------


def _write_project(root: Path, kind: Kind, databases: list[UserDatabase]) -> Path:
    """models.py, the `target_metadata` edit and the configured URL(s), as a user writes them."""
    if kind.tool == "flask":
        models = FLASK_MODELS + (FLASK_MODELS_MULTIDB_EXTRA if kind.multidb else "")
        binds = {"audit": databases[1].url} if kind.multidb else {}
        (root / "app.py").write_text(FLASK_APP.format(url=databases[0].url, binds=binds))
    else:
        models = MODELS + (MODELS_MULTIDB_EXTRA if kind.multidb else "")
        env_py = root / "migrations" / "env.py"
        source = env_py.read_text()
        if kind.recipe:
            source = env_recipes.apply(env_recipes.RECIPES[kind.recipe], source)
        if kind.multidb:
            edited = source.replace(
                "target_metadata = {}\n",
                "from models import AuditBase, Base\n"
                'target_metadata = {"engine1": Base.metadata, "engine2": AuditBase.metadata}\n',
                1,
            )
        else:
            edited = source.replace(
                "target_metadata = None\n", "from models import Base\ntarget_metadata = Base.metadata\n", 1
            )
        assert edited != source, "the generated env.py has no target_metadata line to edit"
        env_py.write_text(edited)
        ini = root / "alembic.ini"
        urls = iter(databases)
        lines = [
            f"sqlalchemy.url = {next(urls).url}" if line.startswith("sqlalchemy.url = ") else line
            for line in ini.read_text().splitlines()
        ]
        ini.write_text("\n".join(lines) + "\n")
    (root / "models.py").write_text(models)
    return root / "models.py"


def _add_column(models: Path, kind: Kind) -> int:
    """Add the new column after `name`; return its line number."""
    source = models.read_text()
    at = source.index(NAME_COLUMN[kind.tool]) + len(NAME_COLUMN[kind.tool])
    models.write_text(source[:at] + NEW_COLUMN[kind.tool] + source[at:])
    return source[:at].count("\n") + 1


def _migcheck(project: Path, kind: Kind, database_url: str | None) -> tuple[int, list[dict], str]:
    args = [sys.executable, "-m", "migcheck", "check", ".", "--format", "json"]
    # this test is about env.py templates and drift; the MC3xx lint of the autogenerated revisions (MC317 on
    # PostgreSQL) is tested in tests/test_lintrun.py and tests/checks/
    args += ["--ignore", "MC3"]
    if database_url:
        args += ["--database-url", database_url]
    if kind.metadata_flag:
        args += ["--metadata", "app:create_app"]
    run = _run(args, project)
    findings = json.loads(run.stdout)["findings"] if run.returncode in (0, 1) and run.stdout else []
    return run.returncode, findings, run.stderr.strip()


def _verdict(code: int, findings: list[dict], stderr: str) -> str:
    """One line for the failure message (and the README's table): what migcheck said."""
    if code == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        # migcheck's own verdict, not a library warning printed before it
        errors = [line for line in lines if line.startswith("migcheck: error")] or lines
        return f"exit 2: {errors[0] if errors else '(no message)'}"
    summary = ", ".join(f"{f['rule']} {f['path']}:{f['line']}" for f in findings) or "no findings"
    return f"exit {code}: {summary}"


# --- the test ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "dialect", "driver"), list(_cases()))
def test_new_column_is_reported_until_its_migration_is_generated(
    kind: Kind, dialect: str, driver: str, generated: Callable[[Kind], Path], tmp_path: Path, request
) -> None:
    server_url = None if dialect == "sqlite" else request.getfixturevalue(SERVER_FIXTURE[dialect])
    # migcheck is given the server the way the project reaches it: with the project's driver
    database_url = (
        None
        if server_url is None
        else make_url(server_url).set(drivername=driver).render_as_string(hide_password=False)
    )
    project = Path(shutil.copytree(generated(kind), tmp_path / "project"))
    before = scratch_databases(server_url)
    with contextlib.ExitStack() as stack:
        databases = [
            stack.enter_context(_user_database(tmp_path, server_url, driver, label))
            for label in (["main", "audit"] if kind.multidb else ["main"])
        ]
        models = _write_project(project, kind, databases)
        _tool(project, kind, "upgrade", UPGRADE[kind.tool])
        _tool(project, kind, *AUTOGENERATE[kind.tool], "-m", "first")
        _tool(project, kind, "upgrade", UPGRADE[kind.tool])
        first = _versions(databases[0])
        assert first, "the tool's upgrade did not stamp the configured database"

        line = _add_column(models, kind)
        code, findings, stderr = _migcheck(project, kind, database_url)
        expected = [("MC201", "models.py", line)]
        if (code, [(f["rule"], f["path"], f["line"]) for f in findings]) != (1, expected):
            pytest.fail(
                f"new column: {_verdict(code, findings, stderr)} (expected exit 1: MC201 models.py:{line})"
            )
        assert "user.email" in findings[0]["message"]

        _tool(project, kind, *AUTOGENERATE[kind.tool], "-m", "email")
        code, findings, stderr = _migcheck(project, kind, database_url)
        if code != 0 or findings:
            pytest.fail(f"after autogenerate: {_verdict(code, findings, stderr)} (expected exit 0)")

        # the configured database is the user's: migcheck ran everything on scratch databases
        assert _versions(databases[0]) == first
    assert new_scratch_databases(server_url, before) == set()


# --- Flask-SQLAlchemy 2.x (Flask<2.3, SQLAlchemy 1.4), in a venv of its own ------------------------------

FSA2_PINS = ["flask<2.3", "werkzeug<2.3", "sqlalchemy<2.0", "flask-sqlalchemy==2.5.1", "flask-migrate>=4.0"]


@pytest.fixture(scope="session")
def fsa2_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with migcheck installed from this checkout next to Flask-SQLAlchemy 2.5.1."""
    venv = tmp_path_factory.mktemp("fsa2") / "venv"
    python = venv / "bin" / "python"
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", str(Path(__file__).parent.parent), *FSA2_PINS],
    ]
    for step in steps:
        run = subprocess.run(step, capture_output=True, text=True)
        if run.returncode != 0:
            reason = (
                f"cannot build a Flask-SQLAlchemy 2.x venv: {(run.stderr.strip().splitlines() or ['?'])[-1]}"
            )
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(reason)
            pytest.skip(reason)
    return python


def test_flask_sqlalchemy_2_app_factory_is_checked_through_metadata(
    fsa2_python: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "models.py").write_text(FLASK_MODELS)
    (project / "app.py").write_text(FLASK_APP.format(url=f"sqlite:///{tmp_path / 'app.db'}", binds={}))

    def flask_db(*args: str) -> None:
        run = _run([str(fsa2_python), "-m", "flask", "--app", "app", "db", *args], project)
        assert run.returncode == 0, run.stderr

    def migcheck() -> tuple[int, list[dict], str]:
        args = ["-m", "migcheck", "check", ".", "--format", "json", "--metadata", "app:create_app"]
        run = _run([str(fsa2_python), *args], project)
        findings = json.loads(run.stdout)["findings"] if run.returncode in (0, 1) and run.stdout else []
        return run.returncode, findings, run.stderr.strip()

    flask_db("init")
    flask_db("migrate", "-m", "first")
    line = _add_column(project / "models.py", Kind("flask", "flask"))

    code, findings, stderr = migcheck()
    if (code, [(f["rule"], f["path"], f["line"]) for f in findings]) != (1, [("MC201", "models.py", line)]):
        pytest.fail(
            f"new column: {_verdict(code, findings, stderr)} (expected exit 1: MC201 models.py:{line})"
        )

    flask_db("upgrade")
    flask_db("migrate", "-m", "email")
    code, findings, stderr = migcheck()
    if code != 0 or findings:
        pytest.fail(f"after flask db migrate: {_verdict(code, findings, stderr)} (expected exit 0)")

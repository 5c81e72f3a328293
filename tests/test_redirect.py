"""The drift check never touches a database it did not create, whatever env.py asks for.

Projects are generated with `alembic init` (the real templates) and edited the way a user edits them; the
"real" database the project points at is created here on the real server, given a table of its own, and its
catalog is compared before and after migcheck ran.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import new_scratch_databases, scratch_databases
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests import env_recipes

MODELS = """\
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""
MODEL_LINE = 9  # the line of `class User`, where a missing table is reported


def _init(tmp_path: Path, template: str = "generic") -> Path:
    root = tmp_path / f"proj_{template}"
    root.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", template, "migrations"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    (root / "models.py").write_text(MODELS)
    env_py = root / "migrations" / "env.py"
    source = env_py.read_text()
    assert "target_metadata = None" in source
    env_py.write_text(
        source.replace("target_metadata = None", "from models import Base\ntarget_metadata = Base.metadata")
    )
    return root


def _edit_env(root: Path, old: str, new: str) -> None:
    env_py = root / "migrations" / "env.py"
    source = env_py.read_text()
    assert old in source, old
    env_py.write_text(source.replace(old, new, 1))


def _migcheck(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture(params=["postgresql", "mysql"])
def real_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database on the real server that stands for somebody's data: created here, with a table, dropped after."""
    server = str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url"))
    name = f"mc_keep_{secrets.token_hex(4)}"
    admin = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(server).set(database=name)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE precious (id INTEGER PRIMARY KEY, note VARCHAR(20))"))
        conn.execute(text("INSERT INTO precious VALUES (1, 'keep me')"))
    engine.dispose()
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def _catalog(url: str) -> dict[str, object]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            tables = {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}
            rows = conn.execute(text("SELECT id, note FROM precious")).all()
        return {"tables": tables, "rows": [tuple(r) for r in rows]}
    finally:
        engine.dispose()


def _server_of(url: str) -> str:
    return make_url(url).set(database=None).render_as_string(hide_password=False)


def test_env_py_reading_database_url_never_touches_that_database(tmp_path, real_database) -> None:
    root = _init(tmp_path)
    _edit_env(
        root,
        "config = context.config\n",
        'config = context.config\nimport os\nconfig.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n',
    )
    before = _catalog(real_database)

    run = _migcheck(root, env={"DATABASE_URL": real_database})

    assert _catalog(real_database) == before
    assert run.returncode == 1, run.stderr
    assert f"models.py:{MODEL_LINE}: MC201" in run.stdout
    family = "postgresql" if real_database.startswith("postgresql") else "mysql"
    assert "redirected it to its sqlite scratch database" in run.stdout
    assert f"pass --database-url {family}" in run.stdout


def test_on_the_servers_dialect_it_says_it_redirected_and_leaves_no_scratch_database(
    tmp_path, real_database
) -> None:
    root = _init(tmp_path)
    _edit_env(
        root,
        "config = context.config\n",
        "config = context.config\nimport os\n",
    )
    # the FastAPI template's shape: the URL comes from settings, set in the configuration dictionary
    _edit_env(
        root,
        "config.get_section(config.config_ini_section, {}),",
        'dict(config.get_section(config.config_ini_section, {}), **{"sqlalchemy.url": os.environ["DATABASE_URL"]}),',
    )
    server = _server_of(real_database)
    leftovers = scratch_databases(server)
    before = _catalog(real_database)

    run = _migcheck(root, "--database-url", server, env={"DATABASE_URL": real_database})

    assert _catalog(real_database) == before
    assert run.returncode == 1, run.stderr
    assert f"models.py:{MODEL_LINE}: MC201" in run.stdout
    assert "redirected it to its" in run.stdout
    password_free = make_url(real_database).render_as_string(hide_password=True)
    assert password_free.split("@")[-1] in run.stdout
    assert new_scratch_databases(server, leftovers) == set()


def test_an_engine_made_before_migcheck_ran_is_refused_before_any_statement(tmp_path, real_database) -> None:
    root = _init(tmp_path)
    (root / "appdb.py").write_text(
        "import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ['DATABASE_URL'])\n"
    )
    _edit_env(
        root,
        "    connectable = engine_from_config(",
        "    from appdb import engine as connectable\n    _unused = dict(",
    )
    before = _catalog(real_database)
    # a library user's process imported the app (and made its engine) before calling migcheck
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(root)!r})
        import appdb
        from migcheck.cli import main
        main(["check", {str(root)!r}])
        """
    )

    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": real_database},
        timeout=300,
    )

    assert _catalog(real_database) == before
    assert run.returncode == 2, run.stdout + run.stderr
    assert "refuses every connection but its own scratch database" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("recipe", ["pytest-alembic", "cookbook-connection-sharing"])
def test_the_offered_connection_works_as_engine_and_as_connection(tmp_path, recipe) -> None:
    """pytest-alembic's env.py calls .connect() on it; the cookbook's passes it to context.configure."""
    root = _init(tmp_path)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(env_recipes.apply(env_recipes.RECIPES[recipe], env_py.read_text()))

    run = _migcheck(root)

    assert run.returncode == 1, run.stderr
    assert f"models.py:{MODEL_LINE}: MC201" in run.stdout
    assert "note:" not in run.stdout  # env.py used what migcheck offered: nothing was redirected


def test_an_environment_found_without_an_ini_still_gets_one_for_fileconfig(tmp_path) -> None:
    root = _init(tmp_path)
    (root / "alembic.ini").unlink()

    run = _migcheck(root)

    assert run.returncode == 1, run.stderr
    assert f"models.py:{MODEL_LINE}: MC201" in run.stdout


MULTIDB_MODELS = """\
from sqlalchemy import Column, Integer, MetaData, String, Table

accounts = MetaData()
events = MetaData()
Table("account", accounts, Column("id", Integer, primary_key=True))
Table("event", events, Column("id", Integer, primary_key=True), Column("kind", String(20)))
"""


def test_a_multidb_environment_gets_one_scratch_database_per_engine(tmp_path, server_url) -> None:
    root = tmp_path / "multidb"
    root.mkdir()
    init = subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", "multidb", "migrations"],
        cwd=root,
        capture_output=True,
    )
    assert init.returncode == 0
    (root / "tables.py").write_text(MULTIDB_MODELS)
    _edit_env(
        root,
        "target_metadata = {}",
        'import tables\ntarget_metadata = {"engine1": tables.accounts, "engine2": tables.events}',
    )
    leftovers = scratch_databases(server_url)

    run = _migcheck(root, *(["--database-url", server_url] if server_url else []))

    assert run.returncode == 1, run.stderr
    assert "tables.py:5: MC201 error: table `account`" in run.stdout
    assert "tables.py:6: MC201 error: table `event`" in run.stdout
    assert run.stdout.count("redirected it to its") == 2  # engine1 and engine2 of the ini
    if server_url:
        assert new_scratch_databases(server_url, leftovers) == set()


def test_with_metadata_given_a_refused_connection_does_not_suggest_metadata(tmp_path, real_database) -> None:
    root = _init(tmp_path)
    (root / "appdb.py").write_text(
        "import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ['DATABASE_URL'])\n"
    )
    # models that reflect a table at import, through the app's engine made before migcheck ran
    (root / "reflected.py").write_text(
        "import sqlalchemy as sa\nfrom appdb import engine\nfrom models import Base\n\n"
        'precious = sa.Table("precious", Base.metadata, autoload_with=engine)\n'
    )
    before = _catalog(real_database)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(root)!r})
        import appdb
        from migcheck.cli import main
        main(["check", {str(root)!r}, "--metadata", "reflected:precious.metadata"])
        """
    )

    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": real_database},
        timeout=300,
    )

    assert _catalog(real_database) == before
    assert run.returncode == 2, run.stdout + run.stderr
    assert "refuses every connection but its own scratch database" in run.stderr
    assert "pass --metadata" not in run.stderr

"""Fixtures shared by every test; the helpers they build on live in tests/helpers.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import MYSQL_URL_DEFAULT, PG_URL_DEFAULT, Spec, make_tree, reachable_server


@pytest.fixture(autouse=True, scope="session")
def _session_compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """migcheck remembers which revision files compiled; in tests, in a directory of the session's own (also
    for the subprocesses it starts), never in the user's home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIGCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("migcheck-cache")))
        yield


@pytest.fixture
def tree(tmp_path: Path) -> Callable[..., Path]:
    """`tree(("a", None), ("b", "a"))` writes a project under tmp_path and returns its root."""

    def build(*specs: Spec) -> Path:
        return make_tree(tmp_path, *specs)

    return build


# --- database servers (PostgreSQL, MySQL/MariaDB) for the scratch-database tests --------------------------


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A PostgreSQL server (MIGCHECK_TEST_PG_URL); its database is only the one to connect to."""
    return reachable_server("MIGCHECK_TEST_PG_URL", PG_URL_DEFAULT, "PostgreSQL")


@pytest.fixture(scope="session")
def mysql_url() -> str:
    """A MySQL/MariaDB server (MIGCHECK_TEST_MYSQL_URL); its database is only the one to connect to."""
    return reachable_server("MIGCHECK_TEST_MYSQL_URL", MYSQL_URL_DEFAULT, "MySQL/MariaDB")


@pytest.fixture(params=["sqlite", "postgresql", "mysql"], ids=["sqlite", "postgresql", "mysql"])
def server_url(request: pytest.FixtureRequest) -> str | None:
    """Each dialect in turn: None for SQLite, else the server URL to make scratch databases on."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url"))


# --- projects written by Alembic itself --------------------------------------------------------------------


@pytest.fixture(scope="session")
def _alembic_generic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project written by the real `alembic init -t generic migrations`; `alembic_project` copies it."""
    root = tmp_path_factory.mktemp("alembic_generic")
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", "generic", "migrations"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return root


@pytest.fixture
def alembic_project(_alembic_generic: Path) -> Callable[[Path], Path]:
    """`alembic_project(where)`: a fresh `alembic init -t generic migrations` project at `where` (its root).

    The generated alembic.ini names its script location as `%(here)s/migrations`, so a copy is the same
    project as one generated in place; `helpers.write_revision` adds revision files to it.
    """

    def make(where: Path) -> Path:
        shutil.copytree(_alembic_generic, where)
        return where

    return make

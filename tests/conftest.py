"""Shared test helpers: tiny Alembic projects written from specs, and graphs built from in-memory specs.

A spec is `(id, down)` or `(id, down, {"branch_labels": ..., "depends_on": ...})`, where `down` is None, one
id, or a tuple of ids, exactly what a revision file would assign to `down_revision`:

    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "zzz"))
    graph = make_graph(("a", None), ("b", "a"), ("c", ("a", "b")))
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from migcheck.graph import RevisionGraph
from migcheck.scripts import Revision

Down = str | tuple[str, ...] | None
Spec = tuple[str, Down] | tuple[str, Down, Mapping[str, Any]]

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
path_separator = os
sqlalchemy.url = sqlite://

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = """\
# env.py: these trees have no models, so migcheck's drift check skips them; graph tests only read the files.
from alembic import context  # noqa: F401

target_metadata = None
"""

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''

REVISION_PY = '''\
"""{message}

Revision ID: {revision}
Revises: {revises}
Create Date: 2024-03-11 14:02:31.507733

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {revision!r}
down_revision: Union[str, Sequence[str], None] = {down_revision!r}
branch_labels: Union[str, Sequence[str], None] = {branch_labels!r}
depends_on: Union[str, Sequence[str], None] = {depends_on!r}


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
'''

# Line numbers of the four assignments in REVISION_PY (the tests of the reader rely on them).
REVISION_LINE, DOWN_REVISION_LINE, BRANCH_LABELS_LINE, DEPENDS_ON_LINE = 15, 16, 17, 18


def _parts(spec: Spec) -> tuple[str, Down, Mapping[str, Any]]:
    if len(spec) == 2:
        rid, down = spec  # type: ignore[misc]
        return rid, down, {}
    rid, down, extra = spec  # type: ignore[misc]
    unknown = set(extra) - {"branch_labels", "depends_on"}
    assert not unknown, f"unknown spec keys {unknown}"
    return rid, down, extra


def revision_source(rid: str, down: Down, branch_labels: Any = None, depends_on: Any = None) -> str:
    """A revision file in the shape of Alembic 1.20's own template (annotated assignments)."""
    revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
    return REVISION_PY.format(
        message=f"revision {rid}",
        revision=rid,
        revises=revises,
        down_revision=down,
        branch_labels=branch_labels,
        depends_on=depends_on,
    )


def make_project(base: Path) -> Path:
    """An Alembic project with an empty versions/ directory, in a fresh directory under `base`."""
    root = base / "project"
    n = 1
    while root.exists():
        n += 1
        root = base / f"project{n}"
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(ALEMBIC_INI, encoding="utf-8")
    (root / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    (root / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO, encoding="utf-8")
    return root


def versions_dir(root: Path) -> Path:
    return root / "migrations" / "versions"


def make_tree(base: Path, *specs: Spec) -> Path:
    """Write a tiny Alembic project with one `<id>_rev.py` file per spec; return the project root."""
    root = make_project(base)
    for spec in specs:
        rid, down, extra = _parts(spec)
        source = revision_source(rid, down, extra.get("branch_labels"), extra.get("depends_on"))
        (versions_dir(root) / f"{rid}_rev.py").write_text(source, encoding="utf-8")
    return root


def write_revision_file(root: Path, name: str, source: str | bytes) -> Path:
    """Put a file with exactly this content into the project's versions/ directory."""
    path = versions_dir(root) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def make_revision(spec: Spec, path: str | None = None) -> Revision:
    """A Revision built directly, as the reader would return it for that spec."""
    rid, down, extra = _parts(spec)
    return Revision(
        id=rid,
        path=path or f"migrations/versions/{rid}_rev.py",
        down_revisions=_as_tuple(down),
        depends_on=_as_tuple(extra.get("depends_on")),
        branch_labels=_as_tuple(extra.get("branch_labels")),
    )


def make_graph(*specs: Spec) -> RevisionGraph:
    """A RevisionGraph from in-memory specs; no files involved."""
    return RevisionGraph(make_revision(spec) for spec in specs)


@pytest.fixture
def tree(tmp_path: Path) -> Callable[..., Path]:
    """`tree(("a", None), ("b", "a"))` writes a project under tmp_path and returns its root."""

    def build(*specs: Spec) -> Path:
        return make_tree(tmp_path, *specs)

    return build


@pytest.fixture(autouse=True, scope="session")
def _session_compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """migcheck remembers which revision files compiled; in tests, in a directory of the session's own (also
    for the subprocesses it starts), never in the user's home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIGCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("migcheck-cache")))
        yield


# --- database servers (PostgreSQL, MySQL/MariaDB) for the scratch-database tests --------------------------

PG_URL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MYSQL_URL_DEFAULT = "mysql+pymysql://root@127.0.0.1:3306/test"


def _reachable_server(env_var: str, default: str, label: str) -> str:
    """The server URL from `env_var`; skip when it is not reachable, except on CI where that is a failure."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from migcheck.scratch import mask_url

    url = os.environ.get(env_var) or default
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        message = f"{label} not reachable at {mask_url(url)}: {reason} (set {env_var})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A PostgreSQL server (MIGCHECK_TEST_PG_URL); its database is only the one to connect to."""
    return _reachable_server("MIGCHECK_TEST_PG_URL", PG_URL_DEFAULT, "PostgreSQL")


@pytest.fixture(scope="session")
def mysql_url() -> str:
    """A MySQL/MariaDB server (MIGCHECK_TEST_MYSQL_URL); its database is only the one to connect to."""
    return _reachable_server("MIGCHECK_TEST_MYSQL_URL", MYSQL_URL_DEFAULT, "MySQL/MariaDB")


@pytest.fixture(params=["sqlite", "postgresql", "mysql"], ids=["sqlite", "postgresql", "mysql"])
def server_url(request: pytest.FixtureRequest) -> str | None:
    """Each dialect in turn: None for SQLite, else the server URL to make scratch databases on."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url"))

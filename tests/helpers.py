"""What tests share besides fixtures: copies of the tests/trees cases, tiny Alembic projects written from specs,
revisions and histories built in memory, git repositories, and the database servers.

A spec is `(id, down)` or `(id, down, {"branch_labels": ..., "depends_on": ...})`, where `down` is None, one
id, or a tuple of ids, exactly what a revision file would assign to `down_revision`:

    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "zzz"))
    graph = make_graph(("a", None), ("b", "a"), ("c", ("a", "b")))

Rules are specified on inputs built in memory, with keywords instead of specs:

    multiple_heads.check(history(rev("a"), rev("b", down="a"), rev("c", down="a")))

Imported as `from helpers import ...` (tests/ is on sys.path through its rootdir conftest.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from migcheck.config import ExpectedHeads
from migcheck.graph import RevisionGraph
from migcheck.histories import History
from migcheck.scripts import Revision, Unreadable

Down = str | tuple[str, ...] | None
Spec = tuple[str, Down] | tuple[str, Down, Mapping[str, Any]]

# --- the tests/trees cases ----------------------------------------------------------------------------------

TREES = Path(__file__).parent / "trees"
# env.py and script.py.mako as `alembic init -t generic` writes them, for every case that has none of its own
STOCK = TREES / "_stock"
STOCK_FILES = ("env.py", "script.py.mako")


def add_stock_files(root: Path) -> Path:
    """Put the stock env.py and script.py.mako into each script location under `root` that lacks its own.

    A script location is the directory holding a `versions/` directory (not one nested in another versions/).
    """
    for versions in sorted(root.rglob("versions")):
        inner = versions.relative_to(root).parts[:-1]
        if not versions.is_dir() or "versions" in inner or "__pycache__" in inner:
            continue
        for name in STOCK_FILES:
            target = versions.parent / name
            if not target.exists():
                shutil.copyfile(STOCK / name, target)
    return root


def copy_case(case: str | Path, dest: Path) -> Path:
    """A private copy of a case (`"clean/linear"`, or its path under tests/trees) at `dest`, ready to check.

    The golden expected.json and caches stay behind; the stock files are added where the case has none. Every
    test that uses a case goes through here, so nothing a run writes lands in the repository.
    """
    source = case if isinstance(case, Path) else TREES / case
    shutil.copytree(
        source, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.json", "__pycache__")
    )
    return add_stock_files(dest)


# --- tiny Alembic projects written from specs ---------------------------------------------------------------

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
    shutil.copyfile(STOCK / "script.py.mako", root / "migrations" / "script.py.mako")
    return root


def versions_dir(root: Path) -> Path:
    return root / "migrations" / "versions"


def write_revision(root: Path, rid: str, down: Down, *, under: str = "") -> Path:
    """Write revision `rid` revising `down` as `<rid>_rev.py` in migrations/versions/ (or its `under` subdirectory)."""
    path = versions_dir(root) / under / f"{rid}_rev.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(revision_source(rid, down), encoding="utf-8")
    return path


def make_tree(base: Path, *specs: Spec) -> Path:
    """Write a tiny Alembic project with one `<id>_rev.py` file per spec; return the project root."""
    root = make_project(base)
    for spec in specs:
        rid, down, extra = _parts(spec)
        source = revision_source(rid, down, extra.get("branch_labels"), extra.get("depends_on"))
        (versions_dir(root) / f"{rid}_rev.py").write_text(source, encoding="utf-8")
    return root


# --- revisions, graphs and histories built in memory ------------------------------------------------------


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def rev_path(rid: str) -> str:
    """Where `rev()` and `make_tree()` put revision `rid`'s file, relative to the project root."""
    return f"migrations/versions/{rid}_rev.py"


DOWN_REVISION_AROUND = ("down_revision: Union[str, Sequence[str], None] = '", "'")


def rev(
    rid: str,
    down: Down = None,
    *,
    path: str | None = None,
    labels: str | Iterable[str] | None = None,
    depends: str | Iterable[str] | None = None,
    **fields: Any,
) -> Revision:
    """A Revision as the reader returns it for a file written from REVISION_PY (so with its line numbers).

    `path` defaults to `migrations/versions/<id>_rev.py`; other `Revision` fields (doc_revision, ...) pass
    through as keywords.
    """
    lines = {
        "revision_line": REVISION_LINE,
        "down_revision_line": DOWN_REVISION_LINE,
        "branch_labels_line": BRANCH_LABELS_LINE,
        "depends_on_line": DEPENDS_ON_LINE,
    }
    return Revision(
        **{
            "id": rid,
            "path": path or rev_path(rid),
            "down_revisions": _as_tuple(down),
            "branch_labels": _as_tuple(labels),
            "depends_on": _as_tuple(depends),
            # REVISION_PY's one-line `down_revision = '<id>'`, as the reader keeps it for a fix to edit
            "down_revision_around": DOWN_REVISION_AROUND if isinstance(down, str) else None,
            **lines,
            **fields,
        }
    )


def history(
    *revisions: Revision,
    name: str = "migrations",
    unreadable: Iterable[Unreadable] = (),
    expected_heads: ExpectedHeads = None,
    external: Iterable[str] = (),
    new: Iterable[str] | None = None,
) -> History:
    """One History of these revisions, as `split_histories` makes it for an environment (`external` and `new`
    as the engine sets them when there is a base branch)."""
    return History(
        name,
        RevisionGraph(revisions),
        tuple(unreadable),
        expected_heads,
        frozenset(external),
        frozenset(new) if new is not None else None,
    )


def make_revision(spec: Spec, path: str | None = None) -> Revision:
    """A Revision built directly from a spec, as the reader would return it for that spec's file."""
    rid, down, extra = _parts(spec)
    return rev(rid, down, path=path, labels=extra.get("branch_labels"), depends=extra.get("depends_on"))


def make_graph(*specs: Spec) -> RevisionGraph:
    """A RevisionGraph from in-memory specs; no files involved."""
    return RevisionGraph(make_revision(spec) for spec in specs)


# --- git repositories ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[Path]:
    """The body runs in `path` (text reports show paths relative to the current directory), then back."""
    before = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(before)


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` as a fixed author, with nothing from the user's own git configuration."""
    run = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "HOME": str(repo),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def add_revision(repo: Path, rid: str, parent: str, name: str) -> Path:
    """A revision adding the column `name` to clean/linear's `account` table, on top of `parent`."""
    path = repo / "migrations" / "versions" / f"{rid}_{name}.py"
    path.write_text(
        f'"""{name}\n\nRevision ID: {rid}\nRevises: {parent}\nCreate Date: 2024-04-01 00:00:00\n\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f'revision = "{rid}"\ndown_revision = "{parent}"\nbranch_labels = None\ndepends_on = None\n\n\n'
        f'def upgrade():\n    op.add_column("account", sa.Column("{name}", sa.Integer()))\n\n\n'
        f'def downgrade():\n    op.drop_column("account", "{name}")\n'
    )
    return path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


# --- database servers (PostgreSQL, MySQL/MariaDB) for the scratch-database tests --------------------------

PG_URL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MYSQL_URL_DEFAULT = "mysql+pymysql://root@127.0.0.1:3306/test"


def reachable_server(env_var: str, default: str, label: str) -> str:
    """The server URL from `env_var`; skip when it is not reachable, except on CI where that is a failure."""
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


# --- scratch databases other runs leave for a moment ---------------------------------------------------------

SCRATCH_NAME = re.compile(r"^migcheck_[0-9a-f]{12}$")


def scratch_databases(server_url: str | None) -> set[str]:
    """The scratch databases (`migcheck_` + 12 hex digits) on that server now; none for SQLite."""
    from migcheck.scratch import list_scratch_databases

    if server_url is None:
        return set()
    return {name for name in list_scratch_databases(server_url) if SCRATCH_NAME.match(name)}


def new_scratch_databases(server_url: str | None, before: set[str], grace: float = 90.0) -> set[str]:
    """Scratch databases that appeared since `before` and are still there after `grace` seconds.

    Other test runs (other engineers' sessions) share these servers and create and drop their own scratch
    databases all the time; theirs go away when their run ends, one this test's run left behind never does.
    """
    left = scratch_databases(server_url) - before
    deadline = time.monotonic() + grace
    while left and time.monotonic() < deadline:
        time.sleep(1.0)
        left &= scratch_databases(server_url)
    return left


# --- a project made by `alembic init -t generic`, with a users model ----------------------------------------

USERS_MODELS = """\
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""
BASE_UPGRADE = """\
op.create_table(
    "users",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)
"""


def users_project(tmp_path: Path) -> Path:
    """`alembic init -t generic migrations`, env.py pointed at the models, and a first revision `aaaaaaaaaaaa`."""
    root = tmp_path / "proj"
    root.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", "generic", "migrations"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    (root / "models.py").write_text(USERS_MODELS)
    env_py = root / "migrations" / "env.py"
    source = env_py.read_text()
    assert "target_metadata = None" in source
    env_py.write_text(
        source.replace("target_metadata = None", "from models import Base\ntarget_metadata = Base.metadata")
    )
    add_step_revision(root, "aaaaaaaaaaaa", None, BASE_UPGRADE)
    return root


def add_step_revision(root: Path, rid: str, down: str | None, upgrade: str, imports: str = "") -> Path:
    """A revision file `<rid>_<name>.py` whose upgrade() body is `upgrade` (dedented source)."""
    body = textwrap.indent(textwrap.dedent(upgrade).strip("\n"), "    ")
    path = root / "migrations" / "versions" / f"{rid}_step.py"
    path.write_text(
        f'"""step {rid}\n\nRevision ID: {rid}\nRevises: {down or ""}\n"""\nfrom alembic import op\n'
        f"import sqlalchemy as sa\n{imports}\n\nrevision = {rid!r}\ndown_revision = {down!r}\n"
        f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
    )
    return path

"""A tiny drift project whose second migration writes the name of the database it runs in to a file, then
sleeps: how the tests learn which scratch database a `migcheck check` subprocess created (its output shows a
placeholder), and keep it busy long enough to kill it, cut its connection or run eight at once.

    project = recording_project(tmp_path / "one", sleep=30)
    child = start_check(project, server_url)
    name = recorded_name(project, child)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from migcheck.scratch import dialect_of

BLOG = Path(__file__).parent / "trees" / "drift" / "blog_declarative"

RECORDING_REVISION = '''\
"""records the database it runs in

Revision ID: rrrrrrrrrrrr
Revises: aaaaaaaaaaaa
"""
import os
import time

import sqlalchemy as sa
from alembic import op

revision = "rrrrrrrrrrrr"
down_revision = "aaaaaaaaaaaa"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    name = bind.execute(sa.text("SELECT current_database()" if postgresql else "SELECT DATABASE()")).scalar()
    with open(__file__ + ".part", "w") as out:
        out.write(name)
    os.replace(__file__ + ".part", __file__ + ".name")
    if {sleep}:
        if postgresql and bind.dialect.server_version_info >= (14,):
            # the server notices within a second that the client went away, instead of after the sleep
            bind.execute(sa.text("SET client_connection_check_interval = 1000"))
        if postgresql:
            bind.execute(sa.text("SELECT pg_sleep({sleep})"))
        else:
            time.sleep({sleep})


def downgrade():
    pass
'''


def recording_project(where: Path, sleep: int = 0) -> Path:
    """A copy of the blog_declarative drift case with the recording revision on top (one MC201 remains)."""
    project = Path(shutil.copytree(BLOG, where))
    revision = project / "migrations" / "versions" / "rrrrrrrrrrrr_record.py"
    revision.write_text(RECORDING_REVISION.format(sleep=sleep))
    return project


def _name_file(project: Path) -> Path:
    return project / "migrations" / "versions" / "rrrrrrrrrrrr_record.py.name"


def start_check(project: Path, server_url: str, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "migcheck", "check", str(project), "--database-url", server_url, *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def recorded_name(project: Path, child: subprocess.Popen[str] | None = None, timeout: float = 60) -> str:
    """The scratch database's name, once the recording migration has run."""
    marker = _name_file(project)
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if child is not None and child.poll() is not None:
            raise AssertionError(f"the check ended before the migration ran: {child.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("the recording migration did not run in time")
        time.sleep(0.05)
    return marker.read_text()


def connections(server_url: str, name: str) -> int:
    if dialect_of(server_url) == "postgresql":
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = :name"
    else:
        query = "SELECT COUNT(*) FROM information_schema.processlist WHERE db = :name"
    engine = create_engine(server_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(query), {"name": name}).scalar_one())
    finally:
        engine.dispose()


def wait_until_unused(server_url: str, name: str, timeout: float = 30) -> None:
    """The killed check's server sessions end once the server notices that their client is gone."""
    deadline = time.monotonic() + timeout
    while connections(server_url, name):
        assert time.monotonic() < deadline, f"{name} is still in use"
        time.sleep(0.1)

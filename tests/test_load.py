"""Load and faults on the real servers: eight drift checks at once, and a connection cut in the middle of one.

Each check runs as its own `migcheck check` process on a copy of a small project whose second migration writes
the name of its scratch database to a file (tests/recording.py): the tests assert on those names only, since
other test runs may share the servers. The figures (how long eight checks take) are in benchmarks/, not here.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from recording import recorded_name, recording_project, start_check, wait_until_unused
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from migcheck.scratch import NAME, list_scratch_databases

CHECKS = 8


@pytest.fixture(params=["postgresql", "mariadb"])
def server(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url"))


def test_eight_drift_checks_at_once_each_get_their_own_scratch_database(server: str, tmp_path: Path) -> None:
    projects = [recording_project(tmp_path / f"project{n}") for n in range(CHECKS)]

    # this test is about concurrent scratch databases; the MC3xx lint of the recording revision (MC306, MC308) is
    # tested in tests/test_lintrun.py and tests/checks/
    children = [start_check(project, server, "--format", "json", "--ignore", "MC3") for project in projects]
    outputs = [child.communicate(timeout=300) for child in children]

    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 1, err  # the project's one finding: the model's user.age column
        [finding] = json.loads(out)["findings"]
        assert (finding["rule"], finding["path"], finding["line"]) == ("MC201", "models.py", 12)
    names = [recorded_name(project, timeout=0) for project in projects]
    assert len(set(names)) == CHECKS and all(NAME.fullmatch(name) for name in names)
    assert set(names) & set(list_scratch_databases(server)) == set()


# --- a connection cut in the middle of a migration ---------------------------------------------------------------


class Proxy:
    """A TCP proxy on 127.0.0.1 in front of a server; `cut()` closes every connection through it, `close()` also
    stops accepting new ones (the server is then unreachable through it)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.accepting = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.accepting:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def connections(self) -> int:
        with self.lock:
            return len(self.sockets) // 2

    def cut(self) -> None:
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def close(self) -> None:
        self.accepting = False
        try:  # wakes the thread blocked in accept(); close() alone would leave the socket listening
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.cut()
        self.thread.join(timeout=5)


@pytest.fixture
def proxy(pg_url: str) -> Iterator[Proxy]:
    url = make_url(pg_url)
    through = Proxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield through
    finally:
        through.close()


def _through(pg_url: str, proxy: Proxy) -> str:
    return make_url(pg_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def _sleeping_in(pg_url: str, name: str, timeout: float = 30) -> None:
    """Wait until the migration's pg_sleep runs in the scratch database (seen directly, not through the proxy)."""
    engine = create_engine(pg_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as conn:
                query = (
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND query LIKE '%pg_sleep%'"
                )
                if conn.execute(text(query), {"name": name}).scalar_one():
                    return
            assert time.monotonic() < deadline, "the migration never reached pg_sleep"
            time.sleep(0.05)
    finally:
        engine.dispose()


def _cut_mid_migration(pg_url: str, proxy: Proxy, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    project = recording_project(tmp_path / "cut", sleep=30)
    child = start_check(project, _through(pg_url, proxy))
    name = recorded_name(project, child)
    _sleeping_in(pg_url, name)
    return child, name


def test_a_connection_cut_mid_migration_is_exit_2_and_the_scratch_database_is_dropped(
    pg_url: str, proxy: Proxy, tmp_path: Path
) -> None:
    child, name = _cut_mid_migration(pg_url, proxy, tmp_path)

    proxy.cut()  # the server stays reachable through the proxy: the drop at the end gets through
    _, err = child.communicate(timeout=60)

    assert child.returncode == 2, err
    assert "lost the connection to the scratch database while running revision rrrrrrrrrrrr" in err
    assert "Traceback" not in err
    assert name not in list_scratch_databases(pg_url)


def test_a_server_gone_at_the_end_names_the_scratch_database_for_cleanup(
    pg_url: str, proxy: Proxy, tmp_path: Path
) -> None:
    child, name = _cut_mid_migration(pg_url, proxy, tmp_path)

    proxy.close()  # the server is unreachable through the proxy from now on: the drop cannot happen
    _, err = child.communicate(timeout=120)

    assert child.returncode == 2, err
    assert f"could not drop scratch database {name}" in err
    assert "migcheck cleanup --database-url '" in err and f"@127.0.0.1:{proxy.port}/" in err
    assert f"--yes {name})" in err
    assert name in list_scratch_databases(pg_url)

    # the user runs the command the warning gave, once the server is reachable (here: directly)
    wait_until_unused(pg_url, name)
    cleanup = subprocess.run(
        [sys.executable, "-m", "migcheck", "cleanup", "--database-url", pg_url, "--yes", name],
        capture_output=True,
        text=True,
    )

    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert f"{name}  created" in cleanup.stdout and cleanup.stdout.rstrip().endswith("dropped")
    assert name not in list_scratch_databases(pg_url)

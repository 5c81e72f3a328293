"""Time the drift check side by side with `alembic upgrade heads && alembic check` and pytest-alembic.

    python benchmarks/bench_drift.py --counts 100 1000 --runs 3 --pg URL --mysql URL [--baseline DIR]

For each generator (`project`: benchmarks/generate_tree.py's sequential ids; `random`: its --random-ids trees
with realistic bodies), each size and each dialect (SQLite always; PostgreSQL and MariaDB/MySQL when a server
URL is given), every run times, one after the other, whole processes of:
- `migcheck check . --drift-only`, which creates, migrates, compares and drops its own scratch database;
- `alembic upgrade heads && alembic check` on a fresh scratch database made for the run (its creation and
  drop are not timed);
- pytest-alembic's `test_model_definitions_match_ddl` (`pytest` on a test module that imports it, with an
  `alembic_engine` on a fresh scratch database, likewise untimed), when pytest-alembic is installed;
- with --baseline DIR, `migcheck` imported from DIR (e.g. `git archive main | tar -x -C DIR`), to compare
  before and after a change in the same run.
It prints a Markdown table of medians over --runs: wall time and CPU time (user + system of the child
processes, steadier than wall time on a busy machine), and the ratios migcheck / other tool. Every process
runs with PYTHONDONTWRITEBYTECODE=1, so no run is helped by bytecode a previous one wrote.
The scratch databases are made by migcheck's own `scratch_database` (named `migcheck_<hex>`, always dropped):
nothing else on the server is touched.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_tree import generate  # noqa: E402

from migcheck.scratch import scratch_database  # noqa: E402

PYTEST_ALEMBIC_MODULE = """\
import os

import pytest
from pytest_alembic.tests import test_model_definitions_match_ddl  # noqa: F401
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool


@pytest.fixture
def alembic_engine():
    engine = create_engine(os.environ["BENCH_DATABASE_URL"], poolclass=NullPool)
    yield engine
    engine.dispose()
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    commands: list[list[str]], cwd: Path, env: dict[str, str], ok: tuple[int, ...]
) -> tuple[float, float]:
    """Wall and CPU time of the commands run one after the other; each must exit with a code in `ok`."""
    cpu, start = children_cpu(), time.perf_counter()
    for command in commands:
        run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        if run.returncode not in ok:
            raise SystemExit(f"{' '.join(command)} exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    return time.perf_counter() - start, children_cpu() - cpu


def alembic_ini_for(project: Path, url: str) -> Path:
    ini = project / "alembic.ini"
    lines = [line for line in ini.read_text().splitlines() if not line.startswith("sqlalchemy.url")]
    lines.insert(lines.index("[alembic]") + 1, "sqlalchemy.url = " + url.replace("%", "%%"))
    target = project / "bench.ini"
    target.write_text("\n".join(lines) + "\n")
    return target


Tool = Callable[[Path, str | None, dict[str, str]], tuple[float, float]]


def migcheck_tool(pythonpath: str | None) -> Tool:
    def run(root: Path, server: str | None, env: dict[str, str]) -> tuple[float, float]:
        extra = ["--database-url", server] if server else []
        if pythonpath:
            env = {**env, "PYTHONPATH": pythonpath}
        command = [sys.executable, "-m", "migcheck", "check", ".", "--drift-only", *extra]
        return timed([command], root, env, ok=(0,))

    return run


def alembic_tool(root: Path, server: str | None, env: dict[str, str]) -> tuple[float, float]:
    with scratch_database(server) as url:
        ini = str(alembic_ini_for(root, url))
        alembic = [sys.executable, "-m", "alembic", "-c", ini]
        return timed([[*alembic, "upgrade", "heads"], [*alembic, "check"]], root, env, ok=(0,))


def pytest_alembic_tool(root: Path, server: str | None, env: dict[str, str]) -> tuple[float, float]:
    test = root / "test_bench_pytest_alembic.py"
    test.write_text(PYTEST_ALEMBIC_MODULE)
    with scratch_database(server) as url:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test.name]
        return timed([command], root, {**env, "BENCH_DATABASE_URL": url}, ok=(0,))


@contextmanager
def tree(generator: str, count: int) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench_drift_") as tmp:
        root = Path(tmp) / "project"
        generate(count, root, random_ids=generator == "random")
        yield root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--generators", nargs="+", choices=["project", "random"], default=["project", "random"]
    )
    parser.add_argument("--pg", help="PostgreSQL server URL to make scratch databases on")
    parser.add_argument("--mysql", help="MySQL/MariaDB server URL to make scratch databases on")
    parser.add_argument("--dialects", nargs="+", default=["sqlite", "postgresql", "mysql"])
    parser.add_argument("--baseline", type=Path, help="a source tree of migcheck to time as well (before)")
    parser.add_argument("--project", type=Path, help="time this project instead of generated trees")
    args = parser.parse_args()
    servers = {"sqlite": None, "postgresql": args.pg, "mysql": args.mysql}
    tools: dict[str, Tool] = {"migcheck": migcheck_tool(None)}
    if args.baseline:
        tools["migcheck (baseline)"] = migcheck_tool(str(args.baseline.resolve()))
    tools["alembic upgrade+check"] = alembic_tool
    if importlib.util.find_spec("pytest_alembic"):
        tools["pytest-alembic"] = pytest_alembic_tool
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    print(
        f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True
    )
    others = [name for name in tools if name != "migcheck"]
    head = " | ".join(f"vs {name} (wall / CPU)" for name in others)
    rows = [
        "| tree | revisions | dialect | " + " | ".join(f"{n} wall / CPU s" for n in tools) + f" | {head} |",
        "|" + "---|" * (3 + 2 * len(tools) - 1),
    ]
    cases = [("project", 0)] if args.project else [(g, c) for g in args.generators for c in args.counts]
    for generator, count in cases:
        if args.project:
            tmp = tempfile.TemporaryDirectory(prefix="bench_drift_")
            root = Path(tmp.name) / "project"
            shutil.copytree(args.project, root)
            context: Callable[[], object] = tmp.cleanup
            label, size = args.project.name, "-"
        else:
            holder = tree(generator, count)
            root = holder.__enter__()
            context = lambda h=holder: h.__exit__(None, None, None)  # noqa: E731
            label, size = generator, str(count)
        try:
            for dialect in args.dialects:
                server = servers[dialect]
                if dialect != "sqlite" and not server:
                    continue
                times: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
                for _ in range(args.runs):
                    for name, tool in tools.items():  # side by side: one of each per run
                        times[name].append(tool(root, server, env))
                wall = {n: statistics.median(t[0] for t in ts) for n, ts in times.items()}
                cpu = {n: statistics.median(t[1] for t in ts) for n, ts in times.items()}
                cells = [f"{wall[n]:.2f} / {cpu[n]:.2f}" for n in tools]
                ratios = [
                    f"{wall['migcheck'] / wall[n]:.2f} / {cpu['migcheck'] / cpu[n]:.2f}" for n in others
                ]
                rows.append(f"| {label} | {size} | {dialect} | " + " | ".join(cells + ratios) + " |")
                print(rows[-1], flush=True)
        finally:
            context()
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"\nmedians of {args.runs} runs; ratio < 1 means migcheck is faster\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

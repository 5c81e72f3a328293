"""Time the drift check against `alembic upgrade head && alembic check`, per dialect.

    python benchmarks/bench_drift.py --count 200 --runs 3 [--pg URL] [--mysql URL] [--project DIR]

For each dialect (SQLite always; PostgreSQL and MySQL when their server URL is given) it reports the best and
median wall time of `migcheck check --drift-only` (which creates, migrates, compares and drops its own scratch
database) and of `alembic upgrade head && alembic check` run on a fresh database made for each run (the
database's creation is not timed for alembic). --project checks an existing project (e.g. the seed example,
tests/trees/drift/blog_declarative); otherwise a tree of --count revisions is generated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_tree import generate  # noqa: E402

from migcheck.scratch import scratch_database  # noqa: E402


def timed(commands: list[list[str]], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    """Wall time of the commands run one after the other; each must exit with a code in `ok`."""
    start = time.perf_counter()
    for command in commands:
        run = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        if run.returncode not in ok:
            raise SystemExit(f"{' '.join(command)} exited {run.returncode}")
    return time.perf_counter() - start


def alembic_ini_for(project: Path, url: str) -> Path:
    ini = project / "alembic.ini"
    lines = [line for line in ini.read_text().splitlines() if not line.startswith("sqlalchemy.url")]
    lines.insert(lines.index("[alembic]") + 1, "sqlalchemy.url = " + url.replace("%", "%%"))
    target = project / "bench.ini"
    target.write_text("\n".join(lines) + "\n")
    return target


def report(name: str, times: list[float]) -> str:
    return f"{name}: best {min(times):.2f} s, median {statistics.median(times):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg")
    parser.add_argument("--mysql")
    parser.add_argument("--project", type=Path)
    args = parser.parse_args()
    servers = {"sqlite": None, "postgresql": args.pg, "mysql": args.mysql}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        if args.project:
            shutil.copytree(args.project, root)
        else:
            generate(args.count, root)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        for dialect, server in servers.items():
            if dialect != "sqlite" and not server:
                continue
            extra = ["--database-url", server] if server else []
            check = [sys.executable, "-m", "migcheck", "check", ".", "--drift-only", *extra]
            # exit 1 (drift found) is a complete run too, e.g. on the seed example as shipped
            ours = [timed([check], root, env, ok=(0, 1)) for _ in range(args.runs)]
            theirs = []
            for _ in range(args.runs):
                with scratch_database(server) as url:
                    ini = str(alembic_ini_for(root, url))
                    alembic = [sys.executable, "-m", "alembic", "-c", ini]
                    steps = [[*alembic, "upgrade", "heads"], [*alembic, "check"]]
                    theirs.append(timed(steps, root, env, ok=(0, 255, 1)))
            print(
                f"{dialect:10} {report('migcheck drift', ours)} | {report('alembic upgrade+check', theirs)}"
            )


if __name__ == "__main__":
    main()

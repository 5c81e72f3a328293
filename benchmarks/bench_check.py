"""Time `migcheck check --no-drift` (and, for comparison, `alembic heads`) on a generated tree.

    python benchmarks/bench_check.py --count 10000 --runs 5 [--alembic]

Generates the tree in a temporary directory with generate_tree.py, then reports the best and median wall time
of each command over --runs runs (each a fresh process, as in a pre-commit hook).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_tree import generate  # noqa: E402


def wall_times(command: list[str], cwd: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--alembic", action="store_true", help="also time `alembic heads` (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(args.count, root)
        # the graph checks alone: what a pre-commit hook runs (bench_drift.py times the drift check)
        commands = {"migcheck check": [sys.executable, "-m", "migcheck", "check", ".", "--no-drift"]}
        if args.alembic:
            commands["alembic heads"] = [sys.executable, "-m", "alembic", "heads"]
        for name, command in commands.items():
            times = wall_times(command, root, args.runs)
            print(
                f"{name:15} {args.count} revisions: best {min(times):.3f} s, median {statistics.median(times):.3f} s"
            )


if __name__ == "__main__":
    main()

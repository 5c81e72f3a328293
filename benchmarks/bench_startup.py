"""Time migcheck's start-up: `migcheck --version` and `check --no-drift` on a small tree, against `python -c pass`.

    python benchmarks/bench_startup.py --count 100 --runs 20 [--against DIR]

Each command is a fresh process (as in a pre-commit hook); the commands take turns, run by run, so that a busy
machine slows them alike. Prints the median wall time and the median CPU time (user + system, which load on
the machine disturbs less) of each. `--against DIR` also times the migcheck package found in DIR (for example
an exported copy of main: `git archive main migcheck | tar -x -C DIR`) side by side.

Bytecode is written and used (PYTHONDONTWRITEBYTECODE is dropped), as in an installed migcheck (pip compiles
it at install time): without it every run would also compile each of migcheck's modules from source.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate_tree import generate  # noqa: E402


def one_run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = 0  # reaped above: keep Popen from waiting again
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--against", type=Path, help="a directory holding another migcheck package to compare"
    )
    args = parser.parse_args()
    python = sys.executable
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        generate(args.count, root)
        # a compile cache of this tree alone (warmed by the first run): the user's own, shared with every
        # other project checked on the machine, would time the loading of their entries too
        base["MIGCHECK_CACHE_DIR"] = str(Path(tmp) / "cache")
        variants = {"": base}
        if args.against:
            variants[" (against)"] = {**base, "PYTHONPATH": str(args.against.resolve())}
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], base)
        }
        for suffix, env in variants.items():
            commands[f"migcheck --version{suffix}"] = ([python, "-m", "migcheck", "--version"], env)
            commands[f"check --no-drift{suffix}"] = ([python, "-m", "migcheck", "check", "--no-drift"], env)
        # one warm-up each: the bytecode of migcheck and of the tree's caches is written once, not timed
        for command, env in commands.values():
            one_run(command, root, env)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, env) in commands.items():
                results[name].append(one_run(command, root, env))
        print(f"{args.count} revisions, {args.runs} runs each, load average {os.getloadavg()[0]:.2f}")
        print(f"{'command':32} {'wall median':>12} {'wall best':>10} {'cpu median':>11}")
        for name, runs in results.items():
            walls = [w for w, _ in runs]
            cpus = [c for _, c in runs]
            print(
                f"{name:32} {statistics.median(walls):11.3f}s {min(walls):9.3f}s {statistics.median(cpus):10.3f}s"
            )


if __name__ == "__main__":
    main()

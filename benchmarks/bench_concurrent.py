"""Run N drift checks at once against one server and report the wall time and each check's peak memory.

    python benchmarks/bench_concurrent.py --checks 8 [--pg URL] [--mysql URL] [--project DIR]

Each check is its own `migcheck check --database-url URL` process on its own copy of the project (default: the
seed example tests/trees/drift/blog_declarative, which has one MC201 finding, so exit code 1 is success). First
one check runs alone, then N at once; the script fails when a check exits with anything but 0 or 1, and prints
the scratch databases left on the server afterwards whose names none of the runs had before (there should be
none; other users of the server may create their own meanwhile).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migcheck.scratch import list_scratch_databases

SEED = Path(__file__).resolve().parent.parent / "tests" / "trees" / "drift" / "blog_declarative"


def run_at_once(projects: list[Path], url: str) -> tuple[float, list[tuple[int, float]]]:
    """Wall time of all checks, and each one's (exit code, peak RSS in MB)."""
    start = time.perf_counter()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "migcheck", "check", str(p), "--database-url", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in projects
    ]
    results = []
    for child in children:
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        results.append((child.returncode, usage.ru_maxrss / 1024))
    return time.perf_counter() - start, results


def bench(label: str, url: str, checks: int, project: Path, work: Path) -> None:
    copies = [Path(shutil.copytree(project, work / f"{label}{n}")) for n in range(checks)]
    before = set(list_scratch_databases(url))
    alone, [(code, rss)] = run_at_once(copies[:1], url)
    wall, results = run_at_once(copies, url)
    left = sorted(set(list_scratch_databases(url)) - before)
    codes = sorted({c for c, _ in results} | {code})
    if set(codes) - {0, 1}:
        raise SystemExit(f"{label}: a check exited with {codes}")
    peak = max(r for _, r in results)
    print(
        f"{label}: 1 check {alone:.2f} s ({rss:.0f} MB); {checks} at once {wall:.2f} s, exit codes {codes},"
        f" peak {peak:.0f} MB per check; scratch databases left: {left or 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=8)
    parser.add_argument("--pg")
    parser.add_argument("--mysql")
    parser.add_argument("--project", type=Path, default=SEED)
    args = parser.parse_args()
    servers = [(name, url) for name, url in (("postgresql", args.pg), ("mysql", args.mysql)) if url]
    if not servers:
        parser.error("give --pg URL and/or --mysql URL")
    with tempfile.TemporaryDirectory(prefix="migcheck-bench-") as work:
        for name, url in servers:
            bench(name, url, args.checks, args.project, Path(work))


if __name__ == "__main__":
    main()

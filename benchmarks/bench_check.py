"""Time `migcheck check --no-drift` against `alembic heads` and Alembic's ScriptDirectory, side by side.

    python benchmarks/bench_check.py [--counts 100,1000,10000] [--big] [--runs 5] [--json]
        [--generators project,realistic] [--measures ...]

For every generator and revision count it writes a tree in a temporary directory (generate_tree.py's
`project` trees, generate_realistic.py's `realistic` ones with random ids and varied bodies, or `chain`: the
realistic tree as one linear chain), then times whole processes, each measure once per round, the rounds
repeated --runs times so that a change in the machine's load hits every measure alike:

- migcheck cold: `migcheck check . --no-drift` with an empty cache (a fresh MIGCHECK_CACHE_DIR and
  XDG_CACHE_HOME, no `.migcheck_cache/` in the project); migcheck warm: the same command again, same cache;
  migcheck no-cache: MIGCHECK_NO_CACHE=1.
- alembic heads: no bytecode of the revision files (their `__pycache__` moved away, PYTHONDONTWRITEBYTECODE=1);
  alembic heads (.pyc): with the bytecode a previous run wrote.
- ScriptDirectory: `ScriptDirectory.from_config(Config("alembic.ini")).get_heads()` in one process, no
  bytecode: the whole process, and the call alone (timed inside the process, after the imports).

Each measure records wall time, CPU time (user + system of the child) and peak RSS (the child's ru_maxrss),
and the report gives their medians and the ratios alembic / migcheck (the median of each round's ratio). The
first round also checks that every command succeeds and that Alembic finds the generator's one head.
The files sit in the OS page cache in every run (reading them cold from disk is not measured).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import generate_realistic  # noqa: E402
import generate_tree  # noqa: E402
from bench_table import (  # noqa: E402
    GENERATORS,
    INNER,
    MEASURES,
    RATIOS,
    Row,
    Sample,
    markdown,
    medians,
    no_nan,
    ratio,
    render,
)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRIPT_DIRECTORY = """
import json, time
start = time.perf_counter()
from alembic.config import Config
from alembic.script import ScriptDirectory
imported, cpu = time.perf_counter(), time.process_time()
heads = ScriptDirectory.from_config(Config("alembic.ini")).get_heads()
wall, cpu = time.perf_counter() - imported, time.process_time() - cpu
print(json.dumps({"heads": sorted(heads), "seconds": wall, "cpu": cpu}))
"""


def tool(name: str) -> list[str]:
    """The console script installed beside this Python (what a hook runs), else `python -m`."""
    script = BIN / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[Sample, int, str]:
    """Run one process; its wall time, CPU time and peak RSS from wait4(), its exit code and stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    sample = Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024)
    return sample, process.returncode, text


class Bench:
    """One generated tree and the way to run each measure on it."""

    def __init__(self, root: Path, scratch: Path, head: str) -> None:
        self.root, self.scratch, self.head = root, scratch, head
        self.pycache = root / "migrations" / "versions" / "__pycache__"
        self.stash = scratch / "pycache-stash"
        self.cache: Path | None = None
        base = {k: v for k, v in os.environ.items() if not k.startswith(("MIGCHECK_", "PYTHON"))}
        self.env = {**base, "PYTHONHASHSEED": "0"}

    def fresh_cache(self) -> dict[str, str]:
        shutil.rmtree(self.root / ".migcheck_cache", ignore_errors=True)
        self.cache = Path(tempfile.mkdtemp(prefix="cache-", dir=self.scratch))
        return {**self.env, "MIGCHECK_CACHE_DIR": str(self.cache), "XDG_CACHE_HOME": str(self.cache / "xdg")}

    def prepare(self, measure: str) -> tuple[list[str], dict[str, str], Callable[[], None]]:
        """The command and environment of a measure, and what restores the tree after it."""
        check = [*tool("migcheck"), "check", ".", "--no-drift"]
        nothing: Callable[[], None] = lambda: None  # noqa: E731
        if measure == "migcheck cold":
            return check, self.fresh_cache(), nothing
        if measure == "migcheck warm":
            # the second run with the cache the cold run of this round left (a round runs cold first)
            assert self.cache is not None
            env = {
                **self.env,
                "MIGCHECK_CACHE_DIR": str(self.cache),
                "XDG_CACHE_HOME": str(self.cache / "xdg"),
            }
            return check, env, nothing
        if measure == "migcheck no-cache":
            return check, {**self.fresh_cache(), "MIGCHECK_NO_CACHE": "1"}, nothing
        if measure == "alembic heads (.pyc)":
            return [*tool("alembic"), "heads"], self.env, nothing
        # no bytecode: move the revision files' bytecode aside (kept for the .pyc measure) and write none
        if self.pycache.exists():
            self.pycache.rename(self.stash)

        def restore() -> None:
            shutil.rmtree(self.pycache, ignore_errors=True)
            if self.stash.exists():
                self.stash.rename(self.pycache)

        env = {**self.env, "PYTHONDONTWRITEBYTECODE": "1"}
        if measure == "alembic heads":
            return [*tool("alembic"), "heads"], env, restore
        return [sys.executable, "-c", SCRIPT_DIRECTORY], env, restore

    def measure(self, measure: str, verify: bool) -> Sample:
        command, env, restore = self.prepare(measure)
        try:
            sample, code, out = run(command, self.root, env)
        finally:
            restore()
        if code != 0:
            raise SystemExit(f"{measure} exited {code} in {self.root}:\n{out[-2000:]}")
        if measure == "ScriptDirectory":
            answer = json.loads(out.strip().splitlines()[-1])
            sample.inner, sample.inner_cpu = answer["seconds"], answer["cpu"]
            heads = answer["heads"]
        elif measure.startswith("alembic"):
            heads = [line.split()[0] for line in out.splitlines() if line.endswith("(head)")]
        else:
            heads = [self.head]  # exit 0: one head, no finding
        if verify and heads != [self.head]:
            raise SystemExit(f"{measure}: heads {heads}, the generator wrote one head {self.head}")
        return sample

    def prime(self) -> None:
        """Write the bytecode of the revision files once, as a first `alembic heads` would."""
        _, code, out = run([*tool("alembic"), "heads"], self.root, self.env)
        if code != 0:
            raise SystemExit(f"alembic heads exited {code}:\n{out[-2000:]}")


def generate(generator: str, count: int, root: Path) -> str:
    """Write the tree; return its one head."""
    if generator == "project":
        generate_tree.generate(count, root)
        return f"{count - 1:012x}" if count > 1 else "0" * 12
    return generate_realistic.generate(count, root, merge_every=0 if generator == "chain" else 50)


def bench(generator: str, count: int, runs: int, measures: list[str], progress: bool) -> Row:
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        root, scratch = Path(tmp) / "tree", Path(tmp) / "scratch"
        scratch.mkdir()
        head = generate(generator, count, root)
        files = sum(1 for _ in (root / "migrations" / "versions").glob("*.py"))
        row = Row(generator, count, files, {m: [] for m in measures})
        b = Bench(root, scratch, head)
        if "alembic heads (.pyc)" in measures:
            b.prime()
        for round_ in range(runs):
            for measure in measures:
                if measure == "migcheck warm" and "migcheck cold" not in measures:
                    b.measure("migcheck cold", verify=False)  # the warm run needs a cold one before it
                sample = b.measure(measure, verify=round_ == 0)
                row.samples[measure].append(sample)
                if progress:
                    print(
                        f"  {generator} {count} round {round_ + 1}/{runs} {measure}: {sample.wall:.3f} s",
                        file=sys.stderr,
                    )
        return row


def machine(repo: Path) -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def output(command: list[str]) -> str:
        try:
            return subprocess.run(
                command, cwd=repo, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return ""

    dirty = output(["git", "status", "--porcelain", "--untracked-files=no"])
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "alembic": metadata.version("alembic"),
        "migcheck": metadata.version("alembic-migcheck") if _installed("alembic-migcheck") else "?",
        "commit": output(["git", "rev-parse", "--short", "HEAD"])
        + (" (with uncommitted changes)" if dirty else ""),
        "uptime_start": output(["uptime"]),
    }


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,1000,10000", help="revision counts, comma-separated")
    parser.add_argument("--big", action="store_true", help="add 50,000 revisions to --counts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generators", default="project,realistic", help=f"from {', '.join(GENERATORS)}")
    parser.add_argument(
        "--measures", default=",".join(MEASURES), help=f"comma-separated, from: {', '.join(MEASURES)}"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output instead of Markdown")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--render",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="print the Markdown of earlier --json outputs; run nothing",
    )
    args = parser.parse_args(argv)
    if args.render:
        print(render(args.render))
        return
    counts = sorted({int(c.replace("_", "")) for c in args.counts.split(",") if c.strip()})
    if args.big and 50000 not in counts:
        counts.append(50000)
    generators = [g.strip() for g in args.generators.split(",") if g.strip()]
    measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    for name, known in (("generator", GENERATORS), ("measure", MEASURES)):
        unknown = [v for v in (generators if name == "generator" else measures) if v not in known]
        if unknown:
            parser.error(f"unknown {name} {', '.join(unknown)}; choose from {', '.join(known)}")
    if args.runs < 1 or not counts or min(counts) < 1:
        parser.error("--runs and every count must be at least 1")
    measures = [m for m in MEASURES if m in measures]  # cold before warm: the warm run reuses its cache
    info = machine(REPO)
    rows = [bench(g, c, args.runs, measures, not args.quiet) for g in generators for c in counts]
    info["uptime_end"] = subprocess.run(
        ["uptime"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if args.json:
        document = {
            "machine": info,
            "runs": args.runs,
            "rows": [
                {
                    **{k: v for k, v in asdict(r).items() if k != "samples"},
                    "samples": {m: [asdict(s) for s in ss] for m, ss in r.samples.items()},
                    "medians": {m: asdict(s) for m in [*measures, INNER] if (s := medians(r, m))},
                    "ratios": {f"{s} / {f}": ratio(r, s, f) for s, f in RATIOS},
                    "cpu_ratios": {f"{s} / {f}": ratio(r, s, f, cpu=True) for s, f in RATIOS},
                }
                for r in rows
            ],
        }
        print(json.dumps(no_nan(document), indent=2, allow_nan=False))
    else:
        print(markdown(rows, info, args.runs))


if __name__ == "__main__":
    main()

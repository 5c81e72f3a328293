"""The tables of bench_check.py: samples, medians, ratios alembic / migcheck, Markdown.

Kept apart from the runner so that `bench_check.py --render run.json` and the tests read saved runs with the
same code that prints a live one.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

GENERATORS = ("project", "realistic", "chain")
MEASURES = (
    "migcheck cold",
    "migcheck warm",
    "migcheck no-cache",
    "alembic heads",
    "alembic heads (.pyc)",
    "ScriptDirectory",
)
# the call alone, timed inside the ScriptDirectory process; reported beside the measures
INNER = "get_heads() in-process"
RATIOS = (
    ("alembic heads", "migcheck cold"),
    ("alembic heads (.pyc)", "migcheck cold"),
    ("alembic heads", "migcheck warm"),
    ("alembic heads (.pyc)", "migcheck warm"),
    (INNER, "migcheck cold"),
)


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    inner: float | None = None  # ScriptDirectory: the call alone, wall and CPU
    inner_cpu: float | None = None


@dataclass
class Row:
    generator: str
    revisions: int
    files: int
    samples: dict[str, list[Sample]] = field(default_factory=dict)


def medians(row: Row, measure: str) -> Sample | None:
    """The medians of a measure; for the in-process call, of its time alone (no CPU or RSS of its own)."""
    samples = row.samples.get("ScriptDirectory" if measure == INNER else measure)
    if measure == INNER:
        if not samples:
            return None
        inner = statistics.median(s.inner or 0.0 for s in samples)
        inner_cpu = statistics.median(s.inner_cpu or 0.0 for s in samples)
        return Sample(wall=inner, cpu=inner_cpu, rss_mb=float("nan"))
    if not samples:
        return None
    return Sample(
        wall=statistics.median(s.wall for s in samples),
        cpu=statistics.median(s.cpu for s in samples),
        rss_mb=statistics.median(s.rss_mb for s in samples),
    )


def ratio(row: Row, slow: str, fast: str, cpu: bool = False) -> float | None:
    """The median over rounds of slow / fast (wall or CPU), each round's pair measured side by side."""
    slow_samples = row.samples.get("ScriptDirectory" if slow == INNER else slow)
    fast_samples = row.samples.get(fast)
    if not slow_samples or not fast_samples:
        return None

    def value(sample: Sample, inner: bool) -> float:
        if inner:
            return (sample.inner_cpu if cpu else sample.inner) or 0.0
        return sample.cpu if cpu else sample.wall

    pairs = zip(slow_samples, fast_samples, strict=True)
    return statistics.median(value(s, slow == INNER) / value(f, False) for s, f in pairs)


def no_nan(value: object) -> object:
    """JSON has no NaN: a value that does not apply is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_nan(v) for v in value]
    return value


def fmt(value: float | None, unit: str = "") -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    if unit == "x":
        return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"
    if unit == "MB":
        return f"{value:.0f}"
    return f"{value:.3f}"


def markdown(rows: list[Row], info: dict[str, object], runs: int) -> str:
    measures = [m for m in MEASURES if any(r.samples.get(m) for r in rows)]
    timed = [*measures, INNER] if "ScriptDirectory" in measures else measures
    lines = [
        f"Machine: {info['nproc']} CPUs, {info['cpu']}; Python {info['python']}, alembic {info['alembic']}, "
        f"migcheck {info['migcheck']} at commit {info['commit']}.",
        f"Load: start `{info['uptime_start']}`; end `{info.get('uptime_end', '')}`.",
        f"Medians over {runs} run(s); whole processes unless noted.",
        "",
        "Wall time (s):",
        "",
        "| tree | revisions | " + " | ".join(timed) + " |",
        "|---|--:|" + "--:|" * len(timed),
    ]
    for r in rows:
        cells = [fmt(m.wall if (m := medians(r, name)) else None) for name in timed]
        lines.append(f"| {r.generator} | {r.revisions:,} | " + " | ".join(cells) + " |")
    ratios = [(s, f) for s, f in RATIOS if s in timed and f in measures]
    for kind in ("wall", "CPU") if ratios else ():
        lines += [
            "",
            f"Ratios alembic / migcheck ({kind} time; the median of each round's ratio):",
            "",
            "| tree | revisions | " + " | ".join(f"{s} / {f}" for s, f in ratios) + " |",
            "|---|--:|" + "--:|" * len(ratios),
        ]
        for r in rows:
            cells = [fmt(ratio(r, s, f, cpu=kind == "CPU"), "x") for s, f in ratios]
            lines.append(f"| {r.generator} | {r.revisions:,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "CPU time (s, user + system) and peak RSS (MB):",
        "",
        "| tree | revisions | " + " | ".join(f"{m} CPU | RSS" for m in measures) + " |",
        "|---|--:|" + "--:|--:|" * len(measures),
    ]
    for r in rows:
        cells = []
        for name in measures:
            m = medians(r, name)
            cells += [fmt(m.cpu if m else None), fmt(m.rss_mb if m else None, "MB")]
        lines.append(f"| {r.generator} | {r.revisions:,} | " + " | ".join(cells) + " |")
    linear = linearity(rows, measures)
    if linear:
        lines += ["", "Time per revision at the largest count / at 10,000 (1.00 = linear; wall and CPU):", ""]
        lines += [f"- {text}" for text in linear]
    return "\n".join(lines) + "\n"


def linearity(rows: list[Row], measures: list[str]) -> list[str]:
    out = []
    for generator in GENERATORS:
        mine = {r.revisions: r for r in rows if r.generator == generator}
        big = max(mine, default=0)
        if 10000 not in mine or big <= 10000:
            continue
        for name in measures:
            small, large = medians(mine[10000], name), medians(mine[big], name)
            if small and large:
                per = (large.wall / big) / (small.wall / 10000)
                per_cpu = (large.cpu / big) / (small.cpu / 10000)
                out.append(f"{generator}, {name}: {big:,} vs 10,000: {per:.2f} wall, {per_cpu:.2f} CPU")
    return out


def render(files: list[Path]) -> str:
    """The Markdown of saved --json outputs, one section each."""
    sections = []
    for file in files:
        document = json.loads(file.read_text())
        rows = [
            Row(
                r["generator"],
                r["revisions"],
                r["files"],
                {m: [Sample(**s) for s in samples] for m, samples in r["samples"].items()},
            )
            for r in document["rows"]
        ]
        sections.append(markdown(rows, document["machine"], document["runs"]))
    return "\n".join(sections)

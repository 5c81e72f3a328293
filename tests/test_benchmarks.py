"""Smoke test of the check benchmark runner (benchmarks/bench_check.py): it runs, on tiny trees of both
generators, every measure, and reports a row per tree. It asserts no time: benchmarks are not tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_oracle import isolated_imports

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import bench_check  # noqa: E402
import generate_realistic  # noqa: E402


def test_runner_reports_every_measure_for_both_generators(tmp_path: Path) -> None:
    runner = [sys.executable, str(BENCHMARKS / "bench_check.py"), "--counts", "10", "--runs", "1", "--quiet"]
    run = subprocess.run([*runner, "--json"], capture_output=True, text=True, check=False, timeout=600)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["machine"]["nproc"] >= 1 and document["machine"]["alembic"]
    rows = {(r["generator"], r["revisions"]): r for r in document["rows"]}
    assert set(rows) == {("project", 10), ("realistic", 10)}
    for row in rows.values():
        assert row["files"] == 10
        assert set(row["samples"]) == set(bench_check.MEASURES)
        assert all(len(samples) == 1 and samples[0]["rss_mb"] > 0 for samples in row["samples"].values())
        assert row["samples"]["ScriptDirectory"][0]["inner"] is not None
        assert all(value is not None and value > 0 for value in row["ratios"].values())
    saved = tmp_path / "run.json"
    saved.write_text(run.stdout)
    table = bench_check.render([saved])
    wall = table.split("Wall time (s):")[1].split("Ratios")[0]
    assert "| project | 10 |" in wall and "| realistic | 10 |" in wall
    assert "alembic heads / migcheck cold" in table


def test_runner_refuses_an_unknown_measure() -> None:
    with pytest.raises(SystemExit) as exit:
        bench_check.main(["--measures", "alembic upgrade"])
    assert exit.value.code == 2


@pytest.mark.parametrize("merge_every", [0, 5])
def test_realistic_trees_are_seeded_and_alembic_sees_the_one_head(tmp_path: Path, merge_every: int) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    heads = [generate_realistic.generate(30, tmp_path / n, merge_every=merge_every) for n in ("a", "b")]
    files = [sorted(p.name for p in (tmp_path / n / "migrations" / "versions").iterdir()) for n in ("a", "b")]
    assert heads[0] == heads[1] and files[0] == files[1] and len(files[0]) == 30
    with isolated_imports(tmp_path / "a"):
        script = ScriptDirectory.from_config(Config("alembic.ini"))
        assert script.get_heads() == [heads[0]]
        merges = [r for r in script.walk_revisions() if r.is_merge_point]
    assert bool(merges) == bool(merge_every)

"""Reading on several processes gives exactly what one process gives, in the same order; a worker that fails
costs only time; what the workers compiled is remembered in the compile cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migcheck import fanout
from migcheck.constants import ConstantResolver
from migcheck.scripts import Unreadable, read_revision
from migcheck.syntaxcache import CompileCache

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")


def files(tmp_path: Path, count: int) -> list[Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        path = tmp_path / f"{i:04d}_r.py"
        body = "def upgrade(:\n" if i % 97 == 5 else "def upgrade():\n    pass\n"
        path.write_text(f'"""r{i}"""\nrevision = "r{i}"\ndown_revision = "r{i - 1}"\n\n\n{body}')
        made.append(path)
    return made


def test_more_files_than_the_threshold_are_read_on_two_processes_with_one_process_s_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    paths = files(tmp_path, fanout.MIN_FILES + 3)
    resolver = ConstantResolver(tmp_path)

    def read(path: Path) -> object:
        return read_revision(path, path.name, resolver)

    answers = []
    collect = fanout._collect

    def recording(*args: object) -> object:
        answers.append(collect(*args))  # type: ignore[arg-type]
        return answers[-1]

    monkeypatch.setattr(fanout, "_collect", recording)
    assert fanout.jobs_for(len(paths)) == 2
    shared = fanout.read_all(paths, read)
    assert len(answers) == 1 and answers[0] is not None  # the worker did answer: nothing was read twice
    monkeypatch.setenv("MIGCHECK_JOBS", "1")
    assert fanout.jobs_for(len(paths)) == 1
    alone = fanout.read_all(paths, read)

    assert shared == alone
    assert [getattr(r, "id", None) or r.revision for r in shared] == [f"r{i}" for i in range(len(paths))]  # type: ignore[union-attr]
    assert sum(isinstance(r, Unreadable) for r in shared) == len(
        [i for i in range(len(paths)) if i % 97 == 5]
    )


def test_a_worker_that_dies_is_replaced_by_the_parent_reading_its_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    parent = os.getpid()

    def read(i: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # the worker dies without an answer
        return i * i

    assert fanout.read_all(range(1000), read) == [i * i for i in range(1000)]


def test_what_the_workers_compiled_is_saved_in_the_compile_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    paths = files(tmp_path / "versions", fanout.MIN_FILES + 3)
    resolver = ConstantResolver(tmp_path)
    cache_path = tmp_path / "cache" / "compiled.txt"
    compiled = CompileCache(cache_path)
    fanout.read_all(paths, lambda p: read_revision(p, p.name, resolver, compiled), compiled)
    compiled.save()

    digests = [line for line in cache_path.read_text().splitlines() if not line.startswith("#")]
    compiling = len([i for i in range(len(paths)) if i % 97 != 5])
    assert len(set(digests)) == compiling

"""Reading many revision files on every core: the syntax check (one `compile` per file, Alembic's import needs
it) is most of an uncached run, so past a few hundred files the work is shared with forked worker processes.

Each worker reads a contiguous share of the files exactly as the parent would (same reader, same resolver, a
copy of the compile cache as it was at the fork) and sends its results back through a pipe; the parent reads
the first share meanwhile. A worker that fails in any way (an exception, a signal, a short answer) costs only
time: the parent reads that share itself, so the results never depend on how many processes ran.
`MIGCHECK_JOBS=1` keeps everything in one process (and `MIGCHECK_JOBS=N` caps the processes at N).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import TypeVar

from migcheck.syntaxcache import CompileCache

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many files a fork's start-up (about 2 ms, plus sending the results back) is not worth it.
MIN_FILES = 500


def jobs_for(count: int) -> int:
    """How many processes read `count` files: one per usable core, none beyond one below MIN_FILES."""
    if count < MIN_FILES or not hasattr(os, "fork"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    wanted = os.environ.get("MIGCHECK_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        cores = min(cores, int(wanted))
    return max(1, min(cores, count // (MIN_FILES // 2)))


def read_all(
    items: Sequence[Item], read: Callable[[Item], Result], compiled: CompileCache | None = None
) -> list[Result]:
    """`[read(item) for item in items]`, shared among `jobs_for(len(items))` processes.

    What the workers compiled is remembered in `compiled`, as if the parent had compiled it.
    """
    jobs = jobs_for(len(items))
    if jobs < 2:
        return [read(item) for item in items]
    share = -(-len(items) // jobs)
    children: list[tuple[int, int, int]] = []  # (pid, read end of its pipe, index of its first item)
    try:
        for start in range(share, len(items), share):
            children.append(_fork(items[start : start + share], read, compiled, start))
        results = [read(item) for item in items[:share]]
        while children:
            pid, fd, start = children.pop(0)
            part = items[start : start + share]
            answer: tuple[list[Result], list[str], bool] | None = _collect(pid, fd, len(part))
            if answer is None:
                results += [read(item) for item in part]
                continue
            results += answer[0]
            if compiled is not None:
                compiled.adopt(answer[1], answer[2])
        return results
    finally:
        for pid, fd, _ in children:  # the parent failed or was interrupted: stop the workers left
            os.close(fd)
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass


def _fork(
    part: Sequence[Item], read: Callable[[Item], Result], compiled: CompileCache | None, start: int
) -> tuple[int, int, int]:
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller's code
        status = 1
        try:
            os.close(readable)
            before = compiled.mark() if compiled is not None else 0
            results = [read(item) for item in part]
            learned = compiled.learned_since(before) if compiled is not None else ([], False)
            answer = (results, *learned)
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writable, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writable)
    return pid, readable, start


def _collect(pid: int, fd: int, count: int) -> tuple[list[Result], list[str], bool] | None:
    """A worker's results and the digests it compiled, or None when it did not answer in full."""
    try:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        answer = pickle.loads(data)  # noqa: S301 - our own forked child wrote it, through a private pipe
    except Exception:  # noqa: BLE001 - a worker's broken answer is re-read by the parent
        return None
    return answer if len(answer[0]) == count else None

"""The read results cache: a warm run reuses what each revision file read as, and is never wrong after an edit
(even one that keeps size and mtime), a checkout, a replaced file, an edited constant module, a clock skew, a
corrupt cache or concurrent runs; `--no-cache` reads and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import git, make_tree, versions_dir

import migcheck
from migcheck import readcache
from migcheck.cli import main
from migcheck.config import Settings
from migcheck.engine import load
from migcheck.lintcache import LintCache
from migcheck.readcache import ReadCache, cache_path

HOUR_NS = 3600 * 10**9


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", str(directory))
    monkeypatch.delenv("MIGCHECK_NO_CACHE", raising=False)
    return directory


def rules(root: Path) -> list[str]:
    return sorted(f.rule for f in migcheck.check(root, drift=False).findings)


def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the next runs parse (instead of taking from the cache)."""
    files: list[str] = []
    real = readcache.read_revision

    def spy(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        files.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readcache, "read_revision", spy)
    return files


def edit_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    status = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns


def test_a_warm_run_parses_no_file_and_finds_the_same(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    first = rules(root)
    files = parsed(monkeypatch)

    assert rules(root) == first == ["MC101"]
    assert files == []


def test_an_edit_that_keeps_size_and_mtime_is_seen(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    assert rules(root) == []

    edit_keeping_size_and_mtime(versions_dir(root) / "b_rev.py", "= 'a'", "= 'x'")

    assert "MC102" in rules(root)


def test_the_racy_rule_alone_catches_an_edit_stat_cannot_see(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a file system whose stat shows only size and mtime (no ctime, no inode): a file changed within the
    # timestamp granularity of its recording is compared by content, as git does with racily clean entries
    monkeypatch.setattr(readcache, "_key", lambda s: readcache._PACKED.pack(s.st_size, s.st_mtime_ns, 0, 0))
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    assert rules(root) == []

    edit_keeping_size_and_mtime(versions_dir(root) / "b_rev.py", "= 'a'", "= 'x'")

    assert "MC102" in rules(root)


def test_a_file_whose_stat_is_unchanged_and_old_is_taken_from_the_cache(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the other side of the racy rule: a file last changed well before its recording is trusted on its stat
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    real_time = time.time_ns
    monkeypatch.setattr(readcache.time, "time_ns", lambda: real_time() + HOUR_NS)
    assert rules(root) == []
    hashed: list[str] = []
    real_hash = readcache._hash
    monkeypatch.setattr(
        readcache, "_hash", lambda path, *a, **k: hashed.append(path) or real_hash(path, *a, **k)
    )
    files = parsed(monkeypatch)

    assert rules(root) == []
    assert files == [] and hashed == []


def test_a_checkout_that_changes_a_file_is_seen(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tree")
    git(root, "checkout", "-q", "-b", "feature")
    edit_keeping_size_and_mtime(versions_dir(root) / "b_rev.py", "= 'a'", "= 'x'")
    git(root, "commit", "-q", "-am", "dangling")
    assert "MC102" in rules(root)

    git(root, "checkout", "-q", "main")
    assert rules(root) == []
    git(root, "checkout", "-q", "feature")
    assert "MC102" in rules(root)


def test_a_file_replaced_by_one_with_an_older_mtime_is_seen(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    target = versions_dir(root) / "b_rev.py"
    assert rules(root) == []

    replacement = tmp_path / "b_rev.py"
    replacement.write_text(target.read_text(encoding="utf-8").replace("= 'a'", "= 'x'"), encoding="utf-8")
    old = target.stat().st_mtime_ns - 24 * HOUR_NS
    os.utime(replacement, ns=(old, old))
    os.replace(replacement, target)

    assert "MC102" in rules(root)


def test_a_file_with_an_mtime_in_the_future_is_compared_by_content(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    target = versions_dir(root) / "b_rev.py"
    future = time.time_ns() + 24 * HOUR_NS
    os.utime(target, ns=(future, future))
    assert rules(root) == []

    edit_keeping_size_and_mtime(target, "= 'a'", "= 'x'")

    assert "MC102" in rules(root)


def test_after_the_clock_went_back_every_file_is_compared_by_content(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readcache, "_key", lambda s: readcache._PACKED.pack(s.st_size, s.st_mtime_ns, 0, 0))
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    real_time = time.time_ns
    monkeypatch.setattr(readcache.time, "time_ns", lambda: real_time() + 24 * HOUR_NS)
    assert rules(root) == []  # recorded as if a day later: by the stamps, nothing looks racy

    monkeypatch.setattr(readcache.time, "time_ns", real_time)  # the clock is set back a day
    edit_keeping_size_and_mtime(versions_dir(root) / "b_rev.py", "= 'a'", "= 'x'")

    assert "MC102" in rules(root)


def labels_of(root: Path) -> tuple[str, ...]:
    (environment,) = load(Settings(root=root), with_base=False).environments
    (b,) = [r for r in environment.revisions if r.id == "b"]
    return b.branch_labels


def test_an_edited_constant_module_changes_the_branch_label(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    target = versions_dir(root) / "b_rev.py"
    source = target.read_text(encoding="utf-8").replace(
        "branch_labels: Union[str, Sequence[str], None] = None", "branch_labels = (labels.EXPAND,)"
    )
    target.write_text("import labels\n" + source, encoding="utf-8")
    module = root / "labels.py"
    module.write_text('EXPAND = "expand"\n', encoding="utf-8")
    assert labels_of(root) == ("expand",)

    edit_keeping_size_and_mtime(module, '"expand"', '"contra"')
    assert labels_of(root) == ("contra",)

    module.unlink()
    assert labels_of(root) == ()  # unresolved now: the name is looked for again, not remembered

    (root / "labels").mkdir()
    (root / "labels" / "__init__.py").write_text('EXPAND = "pkg"\n', encoding="utf-8")
    assert labels_of(root) == ("pkg",)  # a module that appears where none was found before is seen


def test_a_syntax_error_introduced_after_caching_is_reported(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    assert rules(root) == []

    with (versions_dir(root) / "b_rev.py").open("a", encoding="utf-8") as fh:
        fh.write("\ndef broken(:\n    pass\n")

    assert rules(root) == ["MC107"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-40] + bytes(b ^ 0xFF for b in data[-40:]),  # corrupt
        lambda data: b"",
        lambda data: b"\x00garbage" * 100,
    ],
    ids=["truncated", "corrupt", "empty", "foreign"],
)
def test_a_spoilt_cache_is_ignored_and_replaced(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil
) -> None:  # type: ignore[no-untyped-def]
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    assert rules(root) == []
    stored = cache_path(root.resolve())
    assert stored is not None
    stored.write_bytes(spoil(stored.read_bytes()))
    edit_keeping_size_and_mtime(versions_dir(root) / "b_rev.py", "= 'a'", "= 'x'")
    files = parsed(monkeypatch)

    assert "MC102" in rules(root)
    assert sorted(files) == ["a_rev.py", "b_rev.py"]  # nothing taken from the spoilt cache
    assert ReadCache.open(root.resolve())._entries  # and a sound one written in its place


@pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown the cache file"
)
def test_a_cache_file_another_user_owns_is_never_read_from_the_default_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIGCHECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    rules(root)
    stored = cache_path(root.resolve())
    assert stored is not None
    os.chown(stored, 12345, 12345)
    files = parsed(monkeypatch)

    rules(root)
    assert sorted(files) == ["a_rev.py", "b_rev.py"]


def test_no_cache_reads_nothing_and_writes_nothing(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    rules(root)
    before = {p.name: p.read_bytes() for p in cache_dir.iterdir()}
    assert len(before) == 3  # the read results, the compile cache and the lint results (migcheck.lintcache)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("read the cache despite --no-cache")

    monkeypatch.setattr(ReadCache, "_load", refuse)
    monkeypatch.setattr(LintCache, "_load", refuse)
    monkeypatch.setattr(readcache.CompileCache, "_load", lambda self: set())
    files = parsed(monkeypatch)
    (versions_dir(root) / "c_rev.py").write_text(
        (versions_dir(root) / "b_rev.py").read_text(encoding="utf-8").replace("'b'", "'c'"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", "--no-drift", "--no-cache", str(root)])

    assert result.exit_code == 1, result.output  # b and c: two heads
    assert sorted(files) == ["a_rev.py", "b_rev.py", "c_rev.py"]
    assert {p.name: p.read_bytes() for p in cache_dir.iterdir()} == before


def test_the_environment_variable_turns_the_cache_off(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIGCHECK_NO_CACHE", "1")
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    rules(root)

    assert not cache_dir.exists()


def test_concurrent_runs_never_leave_a_corrupt_cache(cache_dir: Path, tmp_path: Path) -> None:
    roots = [
        make_tree(tmp_path, *[(f"r{i:03d}", f"r{i - 1:03d}" if i else None) for i in range(60)])
        for _ in range(2)
    ]
    command = [sys.executable, "-m", "migcheck", "check", "--no-drift"]
    for _ in range(3):
        # every process writes its whole cache file (the first run of each root learns everything), at once
        for path in cache_dir.glob("reads-*"):
            path.unlink()
        runs = [
            subprocess.Popen([*command, str(r)], stdout=subprocess.DEVNULL) for r in roots for _ in range(3)
        ]
        assert [p.wait() for p in runs] == [0] * len(runs)
        for root in roots:
            assert len(ReadCache.open(root.resolve())._entries) == 60
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".")]  # no temporary file left behind


@pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown the cache file"
)
def test_a_chosen_cache_directory_is_shared_with_the_ci_step_that_saves_and_restores_it(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # actions/cache saves and restores as the runner's user; the action's container runs as root
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    rules(root)
    stored = cache_path(root.resolve())
    assert stored is not None and stored.stat().st_mode & 0o777 == 0o644
    os.chown(stored, 12345, 12345)
    files = parsed(monkeypatch)

    assert rules(root) == []
    assert files == []


def test_an_entry_of_another_shape_is_not_used(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    rules(root)
    cache = ReadCache.open(root.resolve())
    for file in cache._entries:
        cache._entries[file] = ("b", None)
    cache._changed = True
    cache.save()
    files = parsed(monkeypatch)

    assert rules(root) == []
    assert sorted(files) == ["a_rev.py", "b_rev.py"]

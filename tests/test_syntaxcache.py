"""The compile check's cache: what compiled once is not compiled again while its bytes are the same, and no
cache (stale, corrupt, unwritable or off) ever hides a file that does not compile."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import make_tree, versions_dir

import migcheck
from migcheck import syntaxcache
from migcheck.lintcache import LintCache
from migcheck.readcache import cache_path
from migcheck.syntaxcache import CompileCache, cache_file

GOOD = b"revision = 'b'\ndown_revision = 'a'\n\n\ndef upgrade():\n    pass\n"
BAD = b"revision = 'b'\ndown_revision = 'a'\n\n\ndef upgrade(:)\n    pass\n"  # as long as GOOD


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", str(directory))
    monkeypatch.delenv("MIGCHECK_NO_CACHE", raising=False)
    return directory


def refuse_to_compile(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Make every compile the cache attempts fail loudly; returns what it was asked to compile."""
    asked: list[bytes] = []

    def spy(source: bytes, *args: object, **kwargs: object) -> None:
        asked.append(source)
        raise AssertionError("compiled although the cache knew the file")

    monkeypatch.setattr(syntaxcache, "compile", spy, raising=False)
    return asked


def rules(root: Path) -> list[str]:
    return [f.rule for f in migcheck.check(root, drift=False).findings]


def test_a_file_that_compiled_is_not_compiled_again_while_its_bytes_are_the_same(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = CompileCache(cache_file())
    assert first.error(GOOD, "b_rev.py") is None
    first.save()
    asked = refuse_to_compile(monkeypatch)

    assert CompileCache(cache_file()).error(GOOD, "b_rev.py") is None
    assert asked == []


def test_a_file_edited_to_the_same_size_and_time_is_compiled_again(cache_dir: Path, tmp_path: Path) -> None:
    # a cache keyed on (path, size, mtime) would miss this edit; the key is the content
    root = make_tree(tmp_path, ("a", None))
    path = versions_dir(root) / "b_rev.py"
    path.write_bytes(GOOD)
    assert rules(root) == []
    stat = path.stat()

    path.write_bytes(BAD)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert rules(root) == ["MC107"]


def test_a_file_that_does_not_compile_is_never_remembered(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None))
    (versions_dir(root) / "b_rev.py").write_bytes(BAD)

    assert rules(root) == ["MC107"]
    assert rules(root) == ["MC107"]
    remembered = cache_file().read_text().splitlines()[1:]  # type: ignore[union-attr]
    assert len(remembered) == 1  # a_rev.py only


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff garbage \x80\n" * 100, b"0123456789abcdef\nnot a digest\n" + b"f" * 31, b""],
    ids=["binary", "truncated-lines", "empty"],
)
def test_a_corrupt_cache_is_ignored_and_replaced(cache_dir: Path, tmp_path: Path, content: bytes) -> None:
    root = make_tree(tmp_path, ("a", None))
    (versions_dir(root) / "b_rev.py").write_bytes(BAD)
    cache_dir.mkdir()
    cache_file().write_bytes(content)  # type: ignore[union-attr]

    assert rules(root) == ["MC107"]
    lines = cache_file().read_text().splitlines()  # type: ignore[union-attr]
    assert lines[0].startswith("# migcheck") and len(lines) == 2


def test_the_cache_is_replaced_whole_and_leaves_no_temporary_file(cache_dir: Path, tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    rules(root)

    names = sorted(p.name for p in cache_dir.iterdir())
    # this cache, the read results cache (migcheck.readcache) and the lint results (migcheck.lintcache), each
    # whole, no temporary file left
    lint = LintCache.open(root.resolve()).path
    assert lint is not None
    assert names == sorted([cache_file().name, cache_path(root.resolve()).name, lint.name])  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "unusable",
    [lambda d: d.parent / "a-file" / "cache", lambda d: Path("/proc/self/migcheck-cache")],
    ids=["below-a-regular-file", "read-only-filesystem"],
)
def test_a_cache_directory_that_cannot_be_written_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unusable: Callable[[Path], Path]
) -> None:
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", str(unusable(tmp_path / "cache")))
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    (versions_dir(root) / "c_rev.py").write_bytes(BAD.replace(b"'b'", b"'c'").replace(b"'a'", b"'b'"))

    assert rules(root) == ["MC107"]


def test_migcheck_no_cache_turns_it_off(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIGCHECK_NO_CACHE", "1")

    assert rules(make_tree(tmp_path, ("a", None))) == []
    assert cache_file() is None and not cache_dir.exists()


def test_each_python_version_has_a_cache_of_its_own(cache_dir: Path) -> None:
    import sys

    name = cache_file().name  # type: ignore[union-attr]

    assert f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}" in name


def test_the_cache_keeps_the_files_of_the_latest_run_first_up_to_its_bound(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(syntaxcache, "MAX_ENTRIES", 3)
    older = CompileCache(cache_file())
    for n in range(3):
        older.error(GOOD + b"#%d\n" % n, "old.py")
    older.save()
    latest = CompileCache(cache_file())
    latest.error(GOOD + b"#new\n", "new.py")
    latest.save()
    asked = refuse_to_compile(monkeypatch)

    known = CompileCache(cache_file())
    assert known.error(GOOD + b"#new\n", "new.py") is None
    assert known.error(GOOD + b"#0\n", "old.py") is None and known.error(GOOD + b"#1\n", "old.py") is None
    assert asked == []
    assert len(cache_file().read_text().splitlines()) == 1 + 3  # type: ignore[union-attr]

"""The results cache: what each revision file read as (its `Revision` or `Unreadable`), kept between runs.

A warm run stats each file and takes its value from the cache instead of parsing and compiling it again.

Where: one file per checked root in migcheck's cache directory (`$MIGCHECK_CACHE_DIR`, else
`$XDG_CACHE_HOME/migcheck`, else `~/.cache/migcheck`), the user's own: nothing to ignore in git, nothing another
user of a shared checkout can write, and CI picks the path with `MIGCHECK_CACHE_DIR`. `--no-cache` (or
`MIGCHECK_NO_CACHE=1`) reads and writes nothing.

The key of an entry: the file's path (and the path findings show); its size, mtime_ns, ctime_ns and inode when
it was read; the SHA-256 of the bytes read; and the same for every module its value was resolved through
(`constants`: `branch_labels = cli.EXPAND`), including the files looked for in vain. The whole cache is keyed on
migcheck's version (and the reader's own sources) and on the exact Python (the syntax check is version-bound).

Git's "racy git" rule: a file changed within the timestamp granularity of its read can look unchanged to stat.
So an entry is trusted on its stat only when the file's mtime and ctime are older than the moment the entry was
recorded by more than the granularity; otherwise, when the stat differs at all (a checkout, a cache restored in
CI), or when the clock has gone back since the cache was written, the file's content hash decides. A file whose
content hash matches is not parsed again, so a fresh checkout with a restored cache only reads and hashes.

Safety: written whole to a temporary file and renamed into place (concurrent runs: the last writer wins, never a
mix); carries an identity and a SHA-256 of its payload, so a truncated, corrupt or foreign file is ignored, never
trusted; in the default directory only a file owned by the current user is read (a directory named in
`MIGCHECK_CACHE_DIR` is the user's choice: CI restores it as another user); it is marshal data of plain tuples (marshal cannot build
objects that run code on load, as pickle can), turned back into `Revision`/`Unreadable` field by field.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import stat
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from migcheck.constants import ConstantResolver, FileState
from migcheck.scripts import MAX_REVISION_BYTES, Revision, Unreadable, read_revision
from migcheck.syntaxcache import CompileCache, cache_file, cache_file_for, read_all, read_sealed, write_sealed

# (display path, stat key, SHA-256 of the bytes, racy, the constant modules consulted, kind, encoded value)
Entry = tuple[Any, ...]

FORMAT = 2
_MAGIC = b"migcheck read results\n"
# the coarsest common timestamp granularity (FAT's 2 s); a stat closer than this to the recording is not trusted
GRANULARITY_NS = 2_000_000_000
MAX_ENTRIES = 200_000
_MAX_BYTES = 256 * 1024 * 1024
_MAX_MODULE_BYTES = 1024 * 1024 + 1  # as many bytes as constants hashes of a module
_REVISION_FIELDS = tuple(f.name for f in fields(Revision))
_UNREADABLE_FIELDS = tuple(f.name for f in fields(Unreadable))
_PACKED = struct.Struct("<qqqQ")  # size, mtime_ns, ctime_ns, inode: compared as one bytes object


def _identity(root: Path) -> str:
    """What every entry's value also depends on: the reader's code and the Python that compiled the files."""
    import migcheck

    here = Path(__file__).parent
    sources = []
    for name in ("readcache.py", "scripts.py", "constants.py"):
        try:
            status = os.stat(here / name)
            sources.append(f"{name}:{status.st_size}:{status.st_mtime_ns}")
        except OSError:
            sources.append(f"{name}:?")
    return "\x00".join(
        [
            str(FORMAT),
            migcheck.__version__,
            sys.implementation.name,
            sys.version,
            str(root),
            ",".join(sources),
            ",".join(_REVISION_FIELDS),
            ",".join(_UNREADABLE_FIELDS),
        ]
    )


def cache_path(root: Path) -> Path | None:
    """The cache file of `root`, or None when caching is off or there is no cache directory."""
    return cache_file_for(root, "reads")


class ReadCache:
    """Reads revision files, reusing what each read as last time while its key holds."""

    def __init__(self, path: Path | None, root: Path, compiled: CompileCache | None = None) -> None:
        self.path = path
        self.root = root
        self.compiled = compiled if compiled is not None else CompileCache(None)
        self.started = time.time_ns()
        self._identity = _identity(root) if path is not None else ""
        self._entries: dict[str, tuple[Any, ...]] = {}
        self._touched: set[str] = set()
        self._holds: dict[tuple[str, bytes | None, bytes | None, bool], bool] = {}
        self._doubt = False
        self._latest = 0  # the latest run start any entry was recorded in
        self._changed = False
        if path is not None:
            self._load(path)

    @classmethod
    def open(cls, root: Path, *, enabled: bool = True) -> ReadCache:
        """The cache of `root`; a disabled one (`--no-cache`) reads and writes nothing, the compile cache included."""
        if not enabled:
            return cls(None, root)
        return cls(cache_path(root), root, CompileCache(cache_file()))

    def lookup(self, file: str, display: str) -> Revision | Unreadable | None:
        """What `file` read as last time, when its key still holds; None: it must be read."""
        if self.path is None:
            return None
        entry = self._entries.get(file)
        if entry is None:
            return None
        try:
            value = self._reuse(file, display, entry)
        except (TypeError, ValueError):  # an entry of another shape: read the file instead
            value = None
        if value is not None:
            self._touched.add(file)
        return value

    def remember(self, file: str, entry: Entry | None) -> None:
        """Keep `entry` (from `fresh`, maybe computed by a forked worker) for the next run."""
        if entry is not None:
            self._entries[file] = entry
            self._touched.add(file)
            self._changed = True

    def _reuse(self, file: str, display: str, entry: tuple[Any, ...]) -> Revision | Unreadable | None:
        shown, key, digest, racy, dependencies, kind, values = entry
        if shown != display or (dependencies and not all(self._holds_still(*d) for d in dependencies)):
            return None
        try:
            status = os.stat(file)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        if racy or self._doubt or _key(status) != key:
            hashed = _hash(file, MAX_REVISION_BYTES)
            if hashed is None or hashed[0] != digest:
                return None
            # the content is the one the value came from: recorded anew, as of this run
            status = hashed[1]
            self._entries[file] = (
                shown,
                _key(status),
                digest,
                self._racy(status),
                dependencies,
                kind,
                values,
            )
            self._changed = True
        return _decode(kind, values)

    def fresh(
        self,
        file: str,
        display: str,
        resolver: ConstantResolver,
        merged: Callable[[bytes], bool] | None = None,
    ) -> tuple[Revision | Unreadable, Entry | None]:
        """Read `file` anew, with the entry that remembers it (None: not to be remembered). The cache itself is
        not changed, so a forked worker can run this and hand the entry back (`remember`)."""
        if self.path is None:
            return read_revision(file, display, resolver, self.compiled, merged=merged), None
        seen: list[tuple[bytes, os.stat_result]] = []
        resolver.consulted = []
        item = read_revision(
            file, display, resolver, self.compiled, lambda data, status: seen.append((data, status)), merged
        )
        consulted = set(resolver.consulted)
        if not seen or consulted & resolver.unstable:
            return item, None
        data, status = seen[0]
        if merged is not None and merged(data):
            return item, None  # read without its syntax check (the base branch has it): not proof it compiles
        dependencies = tuple(sorted(self._dependency(p, resolver.states.get(p)) for p in consulted))
        kind, values = _encode(item)
        entry = (
            display,
            _key(status),
            hashlib.sha256(data).digest(),
            self._racy(status),
            dependencies,
            kind,
            values,
        )
        return item, entry

    def _racy(self, status: os.stat_result) -> bool:
        """Git's racy-clean rule: a file changed this close to the run's start may change again unseen by stat."""
        return max(status.st_mtime_ns, status.st_ctime_ns) + GRANULARITY_NS >= self.started

    def _dependency(self, path: Path, state: FileState) -> tuple[str, bytes | None, bytes | None, bool]:
        """(path, stat key, content hash, racy) of a module looked for; both None when there was no file."""
        if state is None:
            return str(path), None, None, False
        size, mtime, ctime, inode, digest = state
        racy = max(mtime, ctime) + GRANULARITY_NS >= self.started
        return str(path), _PACKED.pack(size, mtime, ctime, inode), digest, racy

    def _holds_still(self, path: str, key: bytes | None, digest: bytes | None, racy: bool) -> bool:
        """Whether a module a value was resolved through is as it was (looked at once per run)."""
        memo = (path, key, digest, racy)
        held = self._holds.get(memo)
        if held is None:
            held = self._holds[memo] = self._module_holds(path, key, digest, racy)
        return held

    def _module_holds(self, path: str, key: bytes | None, digest: bytes | None, racy: bool) -> bool:
        try:
            status = os.stat(path)
        except OSError:
            return key is None
        if key is None or not stat.S_ISREG(status.st_mode):
            return key is None and not stat.S_ISREG(status.st_mode)
        if _key(status) == key and not racy and not self._doubt:
            return True
        hashed = _hash(path, _MAX_MODULE_BYTES, whole=False)
        return hashed is not None and hashed[0] == digest

    def _load(self, path: Path) -> None:
        payload = read_sealed(path, _MAGIC, _MAX_BYTES)
        if payload is None:
            return
        collecting = gc.isenabled()
        gc.disable()  # some 200,000 objects, none in a cycle: the collector would only slow the load down
        try:
            identity, latest, entries = marshal.loads(payload)
        except Exception:  # noqa: BLE001 - whatever a damaged file makes marshal raise, it is not used
            return
        finally:
            if collecting:
                gc.enable()
        if identity != self._identity or not isinstance(entries, dict) or not isinstance(latest, int):
            return
        self._entries = entries
        self._latest = latest
        # the clock went back since the cache was written: no stat comparison can be trusted this run
        self._doubt = self.started + GRANULARITY_NS < latest

    def save(self) -> None:
        """Write the cache when this run learnt something, atomically; a cache that cannot be written is not kept."""
        if self.path is None or not self._changed:
            self.compiled.save()
            return
        entries = self._entries
        if len(entries) > MAX_ENTRIES:  # the files of this run first, then what other runs left
            kept = [f for f in entries if f in self._touched] + [f for f in entries if f not in self._touched]
            entries = {f: entries[f] for f in kept[:MAX_ENTRIES]}
        latest = max(self.started, self._latest)
        payload = marshal.dumps((self._identity, latest, entries))
        write_sealed(self.path, _MAGIC, payload, ".reads-")
        self._changed = False
        self.compiled.save()


def _hash(path: str, limit: int, *, whole: bool = True) -> tuple[bytes, os.stat_result] | None:
    """SHA-256 of a regular file's bytes (the first `limit` of them unless `whole`) and its status, or None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or (whole and status.st_size > limit):
            return None
        data = read_all(fd, min(status.st_size, limit))
        return hashlib.sha256(data[:limit]).digest(), status
    except OSError:
        return None
    finally:
        os.close(fd)


def _key(status: os.stat_result) -> bytes:
    return _PACKED.pack(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _encode(item: Revision | Unreadable) -> tuple[int, tuple[Any, ...]]:
    if isinstance(item, Revision):
        return 0, _revision_values(item)
    declared = _revision_values(item.declared) if item.declared is not None else None
    return 1, (*(getattr(item, n) for n in _UNREADABLE_FIELDS[:-1]), declared)


def _revision_values(revision: Revision) -> tuple[Any, ...]:
    # ids interned: marshal then writes each once and refers back to it (a parent's id, the docstring's copy)
    values = {n: getattr(revision, n) for n in _REVISION_FIELDS}
    values["suppressions"] = dict(revision.suppressions)
    for name in ("id", "doc_revision"):
        if isinstance(values[name], str):
            values[name] = sys.intern(values[name])
    for name in ("down_revisions", "depends_on", "doc_revises"):
        if values[name] is not None:
            values[name] = tuple(sys.intern(v) for v in values[name])
    return tuple(values.values())


def _decode(kind: Any, values: Any) -> Revision | Unreadable | None:
    """The value back from its tuple; None for anything that is not one this version wrote."""
    try:
        if kind == 0:
            return _revision(values)
        if kind == 1:
            path, line, reason, hint, revision, declared = values
            return Unreadable(
                path, line, reason, hint, revision, _revision(declared) if declared is not None else None
            )
    except (TypeError, ValueError):
        pass
    return None


# Revision keeps its fields in slots: each slot's own descriptor sets it, past the frozen class's __setattr__
_SLOT_SETTERS = tuple(getattr(Revision, name).__set__ for name in _REVISION_FIELDS)


def _revision(values: tuple[Any, ...]) -> Revision:
    # a frozen dataclass's __init__ sets each field through object.__setattr__: 3x slower for 10,000 revisions
    revision: Revision = object.__new__(Revision)
    for set_field, value in zip(_SLOT_SETTERS, values, strict=True):
        set_field(revision, value)
    return revision

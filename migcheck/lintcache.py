"""The lint cache: the MC3xx findings of each revision file, kept between runs, keyed on the file's bytes.

Without a base branch or `lint_since`, every revision is linted, and reading 10,000 revision files' operations
(and parsing their raw SQL with sqlglot) takes seconds; a warm run only reads and hashes the files and takes
their findings from here. A key is the SHA-256 of the file's bytes with its shown path, the dialect, whether
env.py sets a lock_timeout and the tables the change created before it; the whole cache is keyed on migcheck's
version, the lint's own sources and sqlglot's version, so a change of a rule never reuses a stale answer.

Stored like the read cache (`migcheck.readcache`), through the same sealed-file helpers of `migcheck.syntaxcache`:
marshal data of plain tuples (marshal builds no objects that run code), written atomically, with a SHA-256 of the
payload; in the default directory only a file owned by the current user is read. `--no-cache` reads and writes nothing.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from migcheck.syntaxcache import cache_file_for, read_sealed, write_sealed

FORMAT = 1
_MAGIC = b"migcheck lint results\n"
MAX_ENTRIES = 200_000
_MAX_BYTES = 256 * 1024 * 1024
# the modules whose code decides a revision's lint findings
_SOURCES = ("operations.py", "opsread.py", "sqlops.py", "sqltree.py", "sqlsplit.py", "lintcache.py", "checks")

# one finding: (rule, severity, message, line, end_line, hint, replacement, table)
Entry = tuple[Any, ...]


def _identity() -> str:
    import migcheck

    here = Path(__file__).parent
    parts = [str(FORMAT), migcheck.__version__, sys.version]
    for name in _SOURCES:
        paths = sorted((here / name).glob("*.py")) if (here / name).is_dir() else [here / name]
        for path in paths:
            try:
                status = os.stat(path)
                parts.append(f"{path.name}:{status.st_size}:{status.st_mtime_ns}")
            except OSError:
                parts.append(f"{path.name}:?")
    try:
        from importlib.metadata import version

        parts.append(version("sqlglot"))
    except Exception:  # noqa: BLE001 - any failure to tell the version: a key that never matches a stale one
        parts.append("sqlglot:?")
    return "\x00".join(parts)


def key(data: bytes, path: str, dialect: str | None, lock_timeout: bool, created: frozenset[str]) -> bytes:
    """The key of one revision file's findings: its bytes and everything else they depend on."""
    digest = hashlib.sha256(data)
    text = "\x00".join([path, dialect or "", str(lock_timeout), *sorted(created)])
    # a file name that is not UTF-8 holds a lone surrogate: surrogateescape gives back its real bytes
    digest.update(text.encode("utf-8", "surrogateescape"))
    return digest.digest()


class LintCache:
    """The findings each revision file gave last time, by `key`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[bytes, tuple[Entry, ...]] = {}
        self._used: set[bytes] = set()
        self._changed = False
        self._identity = ""
        self._loaded = path is None

    def _ready(self) -> None:
        """Read the cache on first use: a run that lints nothing (no MC3xx rule selected, no revision in scope)
        pays neither for the identity (the lint's sources, sqlglot's version) nor for the file."""
        if not self._loaded and self.path is not None:
            self._loaded = True
            self._identity = _identity()
            self._load(self.path)

    @classmethod
    def open(cls, root: Path, *, enabled: bool = True) -> LintCache:
        """The lint cache of `root`; a disabled one reads and writes nothing."""
        if not enabled:
            return cls(None)
        return cls(cache_file_for(root, "lint"))

    def get(self, entry_key: bytes) -> tuple[Entry, ...] | None:
        self._ready()
        found = self._entries.get(entry_key)
        if found is not None:
            self._used.add(entry_key)
        return found

    def put(self, entry_key: bytes, entries: tuple[Entry, ...]) -> None:
        if self.path is None:
            return
        self._ready()
        self._entries[entry_key] = entries
        self._used.add(entry_key)
        self._changed = True

    def _load(self, path: Path) -> None:
        payload = read_sealed(path, _MAGIC, _MAX_BYTES)
        if payload is None:
            return
        try:
            identity, entries = marshal.loads(payload)
        except Exception:  # noqa: BLE001 - whatever a damaged file makes marshal raise, it is not used
            return
        if identity != self._identity or not isinstance(entries, dict):
            return
        self._entries = entries

    def save(self) -> None:
        """Write what this run used and learnt (entries of files no longer linted are dropped)."""
        if self.path is None or not (self._changed or len(self._used) < len(self._entries)):
            return
        kept = {k: self._entries[k] for k in self._used if k in self._entries}
        if len(kept) > MAX_ENTRIES:
            kept = dict(list(kept.items())[:MAX_ENTRIES])
        payload = marshal.dumps((self._identity, kept))
        write_sealed(self.path, _MAGIC, payload, ".lint-")
        self._changed = False

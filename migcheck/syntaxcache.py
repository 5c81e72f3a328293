"""Whether a revision file compiles, as Alembic's import of it needs; what compiled once is remembered by content.

Alembic imports every revision file, so one that does not compile breaks every Alembic command (MC107), wherever
the error is. Compiling all of them costs about as much as the rest of the graph checks together, so the digest
of each file that compiled is kept in the user's cache directory, one file per Python version (syntax is
version-dependent): `$MIGCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/migcheck`, else `~/.cache/migcheck`;
`MIGCHECK_NO_CACHE=1` turns it off.

Only successes are stored, keyed on the SHA-256 of the file's exact bytes: a stale, foreign, truncated or corrupt
cache can at worst cost a compile, never hide an error. Writes go to a temporary file renamed into place, so
concurrent runs never see a half-written cache; a cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
import warnings
from pathlib import Path

_DIGEST = re.compile(r"[0-9a-f]{32}")
_HEADER = "# migcheck: SHA-256 (first 128 bits) of revision files that compiled under this Python\n"
MAX_ENTRIES = 200_000  # ~6.6 MB: every revision of a few very large projects, then the oldest are forgotten
_MAX_BYTES = 8 * 1024 * 1024


def cache_directory() -> Path | None:
    """migcheck's cache directory (also `readcache`'s), or None when caching is off or there is no home."""
    if os.environ.get("MIGCHECK_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None
    configured = os.environ.get("MIGCHECK_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        return (Path(xdg) if xdg else Path.home() / ".cache") / "migcheck"
    except RuntimeError:  # no home directory to be found
        return None


def cache_file() -> Path | None:
    """Where this Python's compile results are kept, or None when caching is off or there is no home."""
    directory = cache_directory()
    if directory is None:
        return None
    version = f"{sys.implementation.name}-{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    return directory / f"compiled-{version}.txt"


class CompileCache:
    """Compiles revision files (never runs them), skipping those whose exact bytes compiled before."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: set[str] | None = None
        self._order: list[str] = []  # as read: the most recently used first
        self._used: list[str] = []
        self._new = False

    def error(self, data: bytes, filename: str) -> BaseException | None:
        """The exception compiling `data` raises (SyntaxError and its kin), or None when it compiles."""
        digest = hashlib.sha256(data).hexdigest()[:32]
        if digest in self._load():
            self._used.append(digest)
            return None
        try:
            with warnings.catch_warnings():
                # invalid escapes and the like warn at compile time; Alembic's import would not print them here
                warnings.simplefilter("ignore")
                compile(data, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
            return exc
        self._used.append(digest)
        self._new = True
        return None

    def learned_since(self, mark: int) -> tuple[list[str], bool]:
        """What this cache learnt since `mark()` returned `mark`: the digests used and whether any is new (a forked
        worker hands them to the parent's cache through `adopt`, so that the next run skips its files too)."""
        return self._used[mark:], self._new

    def adopt(self, digests: list[str], new: bool) -> None:
        """Take in what a forked worker's copy of this cache learnt (`learned_since`)."""
        self._used.extend(digests)
        self._new = self._new or new

    def mark(self) -> int:
        """Where `learned_since` starts counting."""
        return len(self._used)

    def _load(self) -> set[str]:
        if self._known is None:
            self._known = set()
            if self.path is not None:
                try:
                    if self.path.stat().st_size <= _MAX_BYTES:
                        text = self.path.read_text(encoding="ascii", errors="replace")
                        self._order = list(
                            dict.fromkeys(line for line in text.splitlines() if _DIGEST.fullmatch(line))
                        )
                        self._known = set(self._order)
                except OSError:
                    pass  # no cache yet, or one that cannot be read: compile everything
        return self._known

    def save(self) -> None:
        """Remember what compiled, atomically; a cache that cannot be written is silently not kept."""
        if self.path is None or not self._new:
            return
        kept = list(dict.fromkeys(self._used))
        used = set(kept)
        kept += [d for d in self._order if d not in used]
        data = (_HEADER + "".join(f"{d}\n" for d in kept[:MAX_ENTRIES])).encode("ascii")
        write_atomically(self.path, data, ".compiled-")
        self._new = False


def cache_file_for(root: Path, kind: str) -> Path | None:
    """The cache file of `kind` (`reads`, `lint`) for the checked `root`, or None when caching is off."""
    directory = cache_directory()
    if directory is None:
        return None
    tag = hashlib.sha256(f"{root}\x00{sys.version}".encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return directory / f"{kind}-{tag}.marshal"


def chosen_directory() -> bool:
    """Whether the cache directory was named in MIGCHECK_CACHE_DIR (rather than the user's own default)."""
    return bool(os.environ.get("MIGCHECK_CACHE_DIR", "").strip())


def read_sealed(path: Path, magic: bytes, max_bytes: int) -> bytes | None:
    """The payload of a cache file written by `write_sealed`, or None when it is missing, not a regular file,
    too large, another user's (in the default, per-user directory), truncated, corrupt or not of this `magic`."""
    try:
        # non-blocking: a FIFO planted where the cache should be must not hang the run
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        # in the default, per-user directory only the user's own file counts; a directory named in
        # MIGCHECK_CACHE_DIR was chosen, and in CI its files are restored by another user than the action's
        mine = chosen_directory() or not hasattr(os, "getuid") or status.st_uid == os.getuid()
        if not stat.S_ISREG(status.st_mode) or not mine or status.st_size > max_bytes:
            return None  # another user's file, or not a file: never trusted
        blob = read_all(fd, status.st_size)
    except OSError:
        return None
    finally:
        os.close(fd)
    start = len(magic) + 32
    if not blob.startswith(magic) or hashlib.sha256(blob[start:]).digest() != blob[len(magic) : start]:
        return None  # truncated, corrupt or not ours
    return blob[start:]


def write_sealed(path: Path, magic: bytes, payload: bytes, prefix: str) -> bool:
    """Write `payload` behind `magic` and its SHA-256, atomically (what `read_sealed` checks)."""
    data = magic + hashlib.sha256(payload).digest() + payload
    return write_atomically(path, data, prefix, shared=chosen_directory())


def read_all(fd: int, size: int) -> bytes:
    """Up to `size` + 1 bytes of `fd` (one more than expected tells a file that grew while it was read)."""
    data = os.read(fd, size + 1)
    while len(data) <= size:
        more = os.read(fd, size + 1 - len(data))
        if not more:
            break
        data += more
    return data


def write_atomically(path: Path, data: bytes, prefix: str, *, shared: bool = False) -> bool:
    """Write `data` to a temporary file beside `path`, then rename it into place: a concurrent run reads the old
    file or the new one, never half of one. False when it cannot be written (the cache is then simply not kept).
    `shared`: readable by other users (a CI cache saved by another account)."""
    import tempfile  # only a run that learnt something writes: a warm run never loads it

    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o755 if shared else 0o700)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=prefix, suffix=".tmp", delete=False
        ) as fh:
            temporary = fh.name
            fh.write(data)
        if shared:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        temporary = None
        return True
    except OSError:
        return False
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass

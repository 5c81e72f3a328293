"""Writing what `migcheck fix` planned: only onto the bytes it planned from, atomically, keeping the file's mode.

A file is written to a temporary file in its own directory and renamed over the original, so a crash or a
full disk leaves either the old file or the new one, never half of each. A symlink's target is edited, the
link kept. A new file never replaces one that appeared meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from migcheck.errors import MigcheckError


def read_bytes(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MigcheckError(f"{shown}: cannot read the file: {exc.strerror or exc}") from None


def ensure_unchanged(path: Path, before: bytes | None, shown: str) -> None:
    """MigcheckError unless `path` still holds `before` (None: still does not exist) and can be written."""
    if before is None:
        if os.path.lexists(path):
            raise MigcheckError(
                f"{shown}: a file of this name appeared since migcheck planned it; nothing written"
            )
        return
    now = read_bytes(path, shown)
    if now != before:
        raise MigcheckError(
            f"{shown}: the file changed since migcheck read it; nothing written: run `migcheck fix` again"
        )
    mode = os.stat(path).st_mode
    # The write bits, not os.access: root may write anything, but a read-only file says "do not edit me".
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise MigcheckError(
            f"{shown}: the file is read-only; nothing written: make it writable (chmod u+w) and run again,"
            " or apply the diff by hand"
        )


def write_atomically(path: Path, data: bytes, shown: str, *, new: bool) -> None:
    """Replace `path` (or create it, when `new`) with `data` in one rename."""
    target = Path(os.path.realpath(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = _new_file_mode() if new else stat.S_IMODE(os.stat(target).st_mode)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".migcheck")
    except OSError as exc:
        raise MigcheckError(f"{shown}: cannot write in {target.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if new:
            _link_new(tmp, target)
        else:
            os.replace(tmp, target)
    except OSError as exc:
        raise MigcheckError(
            f"{shown}: cannot write the file: {exc.strerror or exc}; it is unchanged"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _link_new(tmp: str, target: Path) -> None:
    """Put the finished file at `target` unless something is there already (a hard link fails if so)."""
    try:
        os.link(tmp, target)
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            raise MigcheckError(
                f"{target}: a file of this name appeared meanwhile; nothing written"
            ) from None
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A filesystem without hard links: check, then rename (a narrow race, on such filesystems only).
        if os.path.lexists(target):
            raise MigcheckError(
                f"{target}: a file of this name appeared meanwhile; nothing written"
            ) from None
        os.replace(tmp, target)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask

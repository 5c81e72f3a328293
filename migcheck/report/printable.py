"""Text from the repository that is not valid Unicode, made printable for every reporter.

A file name with a byte that is not UTF-8 (say 0xff) reaches migcheck as a str holding a lone surrogate
(Python's `surrogateescape`: `\\udcff`), and so does a `\\ud800` escape read from a file. No encoder takes a lone
surrogate, so every report would fail while being written or sent. Reporters show such a character as the
byte it stands for (`\\xff`) or its code point (`\\ud800`); links and SARIF URIs percent-encode the real bytes.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    # 0xdc80-0xdcff is how surrogateescape carries an undecodable byte: show the byte itself
    return f"\\x{point - 0xDC00:02x}" if 0xDC80 <= point <= 0xDCFF else f"\\u{point:04x}"


def printable(text: str) -> str:
    """`text` with every lone surrogate written out as `\\xNN` (an undecodable byte) or `\\uNNNN`."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def printable_data(data: Any) -> Any:
    """A JSON-like document (dicts, lists, strings) with every string made `printable`."""
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, dict):
        return {printable_data(key): printable_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [printable_data(item) for item in data]
    return data


def path_bytes(path: str) -> bytes:
    """The bytes of a file name as the file system has them (for percent-encoding into a URL)."""
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file system gave us: keep it distinct all the same
        return path.encode("utf-8", "surrogatepass")

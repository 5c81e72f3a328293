"""A Python file's bytes, edited in place: positions from `ast` mapped onto the bytes, so that a replacement
changes exactly one span and every other byte (line endings, a BOM, text in the encoding a PEP 263 cookie
declares) stays as it was.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
from dataclasses import dataclass

from migcheck.errors import MigcheckError

# Python's own line ends: the tokenizer reads a lone CR as one too (form feed and the Unicode ones it does not).
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SourceFile:
    """A file's bytes, its declared encoding and its text; `shown` is the path used in messages."""

    shown: str
    data: bytes
    codec: str  # the encoding of the bytes after the BOM
    bom: bytes
    text: str
    line_starts: tuple[int, ...]  # character offset of each line in `text`

    @classmethod
    def decode(cls, data: bytes, shown: str) -> SourceFile:
        """Decode as Python does (BOM, coding cookie, else UTF-8); MigcheckError naming the file if it cannot."""
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise MigcheckError(
                f"{shown}: {exc.msg}; migcheck edits only files whose encoding Python can read"
            ) from None
        bom = codecs.BOM_UTF8 if encoding == "utf-8-sig" else b""
        codec = "utf-8" if bom else encoding
        try:
            text = data[len(bom) :].decode(codec)
        except UnicodeDecodeError as exc:
            at = len(bom) + exc.start
            line = data.count(b"\n", 0, at) + 1
            raise MigcheckError(
                f"{shown}:{line}: byte {data[at]:#04x} is not valid {codec}, the file's encoding"
                f" ({'declared by its coding cookie' if codec != 'utf-8' else 'no coding cookie: UTF-8'});"
                " Python cannot import it either: fix the byte or declare the encoding"
                " (`# -*- coding: latin-1 -*-`), then run `migcheck fix` again"
            ) from None
        starts = (0, *(m.end() for m in _LINE_END.finditer(text)))
        return cls(shown, data, codec, bom, text, starts)

    @property
    def encoding(self) -> str:
        """The codec that decodes the whole file, BOM included."""
        return "utf-8-sig" if self.bom else self.codec

    def parse(self) -> ast.Module:
        try:
            return ast.parse(self.data)
        except SyntaxError as exc:
            raise MigcheckError(
                f"{self.shown}:{exc.lineno or 1}: not valid Python ({exc.msg}); fix it before `migcheck fix`"
            ) from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise MigcheckError(
                f"{self.shown}: not valid Python ({exc}); restore it from version control"
            ) from None

    def offset(self, lineno: int, col_offset: int) -> int:
        """The character offset in `text` of an ast position (its column counts UTF-8 bytes of the line)."""
        start = self.line_starts[lineno - 1]
        end = self.line_starts[lineno] if lineno < len(self.line_starts) else len(self.text)
        return start + len(self.text[start:end].encode("utf-8")[:col_offset].decode("utf-8"))

    def span(self, node: ast.expr) -> tuple[int, int]:
        """The characters of `text` that `node` was parsed from."""
        assert node.end_lineno is not None and node.end_col_offset is not None
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def line(self, lineno: int) -> tuple[int, int]:
        """Start and end (before its line end) of line `lineno` in `text`."""
        start = self.line_starts[lineno - 1]
        end = self.line_starts[lineno] if lineno < len(self.line_starts) else len(self.text)
        return start, len(self.text[start:end].rstrip("\r\n")) + start

    def replaced(self, spans: list[tuple[int, int, str]]) -> bytes:
        """The file's bytes with each (start, end) span of `text` replaced, and nothing else changed."""
        data, expected = self.data, self.text
        for start, end, new in sorted(spans, reverse=True):
            begin = len(self.bom) + len(self.text[:start].encode(self.codec))
            stop = begin + len(self.text[start:end].encode(self.codec))
            try:
                encoded = new.encode(self.codec)
            except UnicodeEncodeError:
                raise MigcheckError(
                    f"{self.shown}: {new!r} cannot be written in the file's encoding ({self.codec})"
                ) from None
            data = data[:begin] + encoded + data[stop:]
            expected = expected[:start] + new + expected[end:]
        # Splicing bytes keeps everything else; this proves the splice landed where the text says it should
        # (a stateful codec could disagree).
        if not data.startswith(self.bom) or data[len(self.bom) :].decode(self.codec, "replace") != expected:
            raise MigcheckError(
                f"{self.shown}: migcheck cannot edit this file's encoding ({self.codec}) byte-exactly; edit it by hand"
            )
        return data

"""Reporters: pure `render(result, color=False) -> str` functions, chosen by name (`--format`)."""

from __future__ import annotations

from collections.abc import Callable

from migcheck.report import json, text
from migcheck.result import CheckResult

Renderer = Callable[..., str]
REPORTERS: dict[str, Renderer] = {"text": text.render, "json": json.render}


def render(result: CheckResult, fmt: str, *, color: bool = False) -> str:
    return REPORTERS[fmt](result, color=color)

"""SECURITY.md names a test for each promise: every test it names exists (read statically from tests/)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `tests/x.py::name`, and `::name` for another test of the file named just before it
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def _tests_named(document: str) -> list[tuple[str, str]]:
    named, current = [], ""
    for path, name in REFERENCE.findall(document):
        current = path or current
        named.append((current, name))
    return named


def test_every_test_security_md_names_exists() -> None:
    named = _tests_named((ROOT / "SECURITY.md").read_text(encoding="utf-8"))

    missing = []
    for path, name in named:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        if name not in functions:
            missing.append(f"{path}::{name}")

    assert len(named) >= 20
    assert missing == []

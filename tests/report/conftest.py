"""Fixtures for the reporter tests; the hand-made builders live in tests/report/helpers.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import copy_case

import migcheck
from migcheck.result import CheckResult


@pytest.fixture
def checked(tmp_path: Path) -> Callable[[str, str], CheckResult]:
    """`checked("broken", "two_heads")`: the result of checking a private copy of that tree (no drift check)."""

    def run(kind: str, name: str) -> CheckResult:
        return migcheck.check(copy_case(f"{kind}/{name}", tmp_path / name), drift=False)

    return run

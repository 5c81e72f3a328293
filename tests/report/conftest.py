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
    """`checked("broken", "two_heads")`: the result of checking a private copy of that tree (no drift check,
    no MC3xx lint)."""

    def run(kind: str, name: str) -> CheckResult:
        # these tests are about the reports; the MC3xx lint of the trees' revisions is tested in
        # tests/test_lintrun.py and tests/checks/
        return migcheck.check(copy_case(f"{kind}/{name}", tmp_path / name), drift=False, ignore=["MC3"])

    return run

"""Whole-project cases: every tree under tests/trees/{clean,broken}/ is checked through the public API.

A clean tree has no finding. A broken tree's findings equal its golden `expected.json` (regenerate after a
deliberate wording change with `MIGCHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_trees.py`). Adding a
case means adding files, not code; a case without env.py or script.py.mako of its own is checked with the
stock ones (tests/trees/_stock/).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import TREES, copy_case

import migcheck
from migcheck.report.json import finding_dict

# These trees show graph cases; the MC3xx lint of their operations is not what they are about (its own trees are
# tests/trees/lint/<case>/, checked by tests/checks/test_*_trees.py)
GRAPH_ONLY = {"ignore": ["MC3"]}

CLEAN = sorted(p for p in (TREES / "clean").iterdir() if p.is_dir())
BROKEN = sorted(p for p in (TREES / "broken").iterdir() if p.is_dir())


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@pytest.fixture
def copy_of(tmp_path: Path):
    """A private copy of a tree (with the stock env.py and script.py.mako), so nothing a run might write lands
    in the repository."""

    def copy(case: Path) -> Path:
        return copy_case(case, tmp_path / case.name)

    return copy


@pytest.mark.parametrize("case", CLEAN, ids=_ids(CLEAN))
def test_clean_tree_has_no_findings(case: Path, copy_of) -> None:
    result = migcheck.check(copy_of(case), drift=False, **GRAPH_ONLY)

    assert [finding_dict(f) for f in result.findings] == []
    assert result.exit_code == 0
    assert result.revision_count > 0


@pytest.mark.parametrize("case", BROKEN, ids=_ids(BROKEN))
def test_broken_tree_matches_its_golden_findings(case: Path, copy_of) -> None:
    found = [finding_dict(f) for f in migcheck.check(copy_of(case), drift=False, **GRAPH_ONLY).findings]
    golden = case / "expected.json"
    if os.environ.get("MIGCHECK_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(found, indent=2) + "\n")

    assert found == json.loads(golden.read_text())
    assert found, "a broken tree must have at least one finding"
    assert all(f["path"] and f["line"] >= 1 and f["hint"] for f in found)


# Alembic itself is the oracle for "broken": whatever makes Alembic fail (or warn) when it loads the tree and
# looks for its head, migcheck must report as an error with a location.
_ALEMBIC_LOADS = textwrap.dedent(
    """
    import sys, warnings
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    warnings.simplefilter("error")
    script = ScriptDirectory.from_config(Config(sys.argv[1]))
    script.get_current_head()
    list(script.walk_revisions())
    """
)


def _alembic_fails(ini: Path) -> bool:
    run = subprocess.run(
        [sys.executable, "-c", _ALEMBIC_LOADS, str(ini)],
        cwd=ini.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return run.returncode != 0


@pytest.mark.parametrize("case", BROKEN, ids=_ids(BROKEN))
def test_what_alembic_fails_on_is_an_error_with_a_location(case: Path, copy_of) -> None:
    tree = copy_of(case)
    ini = tree / "alembic.ini"
    if not ini.is_file():
        pytest.skip("no top-level alembic.ini to hand to Alembic")
    result = migcheck.check(tree, drift=False, **GRAPH_ONLY)
    errors = [f for f in result.findings if f.severity is migcheck.Severity.ERROR]

    if _alembic_fails(ini):
        assert errors and all(f.location.path.endswith(".py") and f.location.line >= 1 for f in errors)
    else:
        assert not errors, "migcheck reports an error where Alembic loads the tree and finds one head"


def test_no_revision_file_is_executed(copy_of) -> None:
    tree = copy_of(TREES / "clean" / "executes_marker")

    result = migcheck.check(tree)

    assert result.exit_code == 0
    assert not [p for p in tree.rglob("*") if "imported" in p.name.lower() or "marker" in p.name.lower()]
    # the same files do write the marker when imported, so the absence above means something
    _alembic_fails(tree / "alembic.ini")
    assert [p for p in tree.rglob("*") if "imported" in p.name.lower() or "marker" in p.name.lower()]

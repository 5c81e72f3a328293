"""Alembic as the oracle: migcheck's heads and bases are the ones Alembic's ScriptDirectory computes.

Alembic imports every revision file (and, with `prepend_sys_path`, the application's packages), so the clean
trees are copied to a temporary directory and loaded in a subprocess; generated trees import nothing but
alembic and sqlalchemy and are loaded in-process, with sys.path and sys.modules restored afterwards.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers import copy_case, make_tree, revision_source, versions_dir
from hypothesis import given, settings
from hypothesis import strategies as st

import migcheck

CLEAN = Path(__file__).parent / "trees" / "clean"

# Loads each requested Config in the case's copy and prints heads/bases per script directory, as JSON.
ORACLE = r"""
import json, os, sys
from alembic.config import Config
from alembic.script import ScriptDirectory

out = []
for item in json.loads(sys.argv[1]):
    os.chdir(item["cwd"])
    config = Config(item["ini"]) if item["ini"] else Config()
    for key, value in item["options"].items():
        config.set_main_option(key, value)
    script = ScriptDirectory.from_config(config)
    out.append({"dir": os.path.realpath(script.dir), "heads": script.get_heads(), "bases": script.get_bases()})
print(json.dumps(out))
"""


def _ini_has_script_location(ini: Path) -> bool:
    parser = configparser.ConfigParser(defaults={"here": str(ini.parent)})
    parser.read(ini, encoding="utf-8")
    return parser.has_option("alembic", "script_location")


def _per_dialect_versions(ini: Path) -> list[Path]:
    """The subdirectories of versions/ the application hands Alembic one at a time (app/migrate.py sets
    version_locations per database) when the ini names none and versions/ itself holds no revision file."""
    parser = configparser.ConfigParser(defaults={"here": str(ini.parent)})
    parser.read(ini, encoding="utf-8")
    if parser.has_option("alembic", "version_locations") or not parser.has_option(
        "alembic", "script_location"
    ):
        return []
    versions = (ini.parent / parser.get("alembic", "script_location")) / "versions"
    if not versions.is_dir() or any(versions.glob("*.py")):
        return []
    return per_subdirectory(versions)


def per_subdirectory(versions: Path) -> list[Path]:
    return sorted(p for p in versions.iterdir() if p.is_dir() and any(p.glob("*.py")))


def alembic_configs(case: Path) -> list[dict[str, Any]]:
    """How the application hands each of its environments to Alembic, read from the case's layout."""
    configs = []
    for ini in sorted(case.rglob("alembic.ini")):
        options = {}
        if not _ini_has_script_location(ini):
            # Flask-Migrate: the ini sits in the script directory, which is passed in code
            options["script_location"] = str(ini.parent)
        locations = _per_dialect_versions(ini)
        configs += [
            {"cwd": str(ini.parent), "ini": str(ini), "options": {**options, "version_locations": str(where)}}
            for where in locations
        ] or [{"cwd": str(ini.parent), "ini": str(ini), "options": options}]
    if configs:
        return configs
    # No ini: the application builds Config() in code, one per version directory (db/migrate.py)
    for env_py in sorted(case.rglob("env.py")):
        for location in per_subdirectory(env_py.parent / "versions"):
            options = {"script_location": str(env_py.parent), "version_locations": str(location)}
            configs.append({"cwd": str(case), "ini": None, "options": options})
    return configs


def alembic_view(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", ORACLE, json.dumps(configs)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_script_location(views: list[tuple[str, list[str], list[str]]]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for directory, heads, bases in views:
        grouped.setdefault(directory, []).append((sorted(heads), sorted(bases)))
    return {k: sorted(v) for k, v in grouped.items()}


CASES = sorted(p.name for p in CLEAN.iterdir() if p.is_dir()) if CLEAN.is_dir() else []


@pytest.mark.parametrize("case", CASES)
def test_clean_tree_heads_and_bases_are_alembics(case: str, tmp_path: Path) -> None:
    root = tmp_path / case
    # a copy: Alembic runs module-level code of revision files (executes_marker writes files)
    copy_case(CLEAN / case, root)
    configs = alembic_configs(root)
    if not configs:
        pytest.skip(f"{case}: no alembic.ini and no env.py + versions/<dir> layout to build a Config from")
    real_root = root.resolve()

    expected = [(os.path.relpath(v["dir"], real_root), v["heads"], v["bases"]) for v in alembic_view(configs)]
    result = migcheck.check(root, drift=False)
    actual = [
        (h.script_location, [p.revision for p in h.heads], [p.revision for p in h.bases])
        for h in result.histories
    ]

    assert by_script_location(actual) == by_script_location(expected)


def test_the_clean_trees_named_in_the_brief_are_all_checked() -> None:
    needed = {
        "linear",
        "merge_revision",
        "labelled_branches",
        "annotated_assignments",
        "multiple_version_locations",
        "nested_release_dirs",
        "non_hex_ids",
        "blog",
        "branch_label_constant",
    }
    assert needed <= set(CASES)
    assert all((CLEAN / case / "alembic.ini").is_file() for case in needed)


# --- one history per database, sharing revision ids -------------------------------------------------------

PER_DIALECT = [
    "clean/per_dialect_shared_ids",
    "clean/separate_histories_per_database",
    "broken/per_dialect_two_heads",
]


@pytest.mark.parametrize("case", PER_DIALECT)
def test_each_subdirectory_has_the_heads_and_bases_alembic_finds_there(case: str, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path / "case")
    (env_py,) = root.rglob("env.py")
    subdirectories = per_subdirectory(env_py.parent / "versions")
    # Alembic pointed at one subdirectory only, as the application does for each database
    configs = [
        {
            "cwd": str(root),
            "ini": None,
            "options": {"script_location": str(env_py.parent), "version_locations": str(location)},
        }
        for location in subdirectories
    ]
    expected = {
        f"{location.name}": (sorted(view["heads"]), sorted(view["bases"]))
        for location, view in zip(subdirectories, alembic_view(configs), strict=True)
    }

    result = migcheck.check(root, drift=False)
    actual = {
        h.environment.rsplit("[", 1)[-1].rstrip("]"): (
            sorted(p.revision for p in h.heads),
            sorted(p.revision for p in h.bases),
        )
        for h in result.histories
    }

    assert len(expected) >= 2
    assert actual == expected
    assert [s.subdirectories for s in result.splits] == [tuple(expected)]


def _alembic_on(root: Path, location: Path) -> subprocess.CompletedProcess[str]:
    """ORACLE run on one version directory of a case without alembic.ini (stderr holds Alembic's warnings)."""
    options = {"script_location": str(location.parent.parent), "version_locations": str(location)}
    return subprocess.run(
        [sys.executable, "-c", ORACLE, json.dumps([{"cwd": str(root), "ini": None, "options": options}])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_duplicate_id_within_one_subdirectory_is_reported_in_that_history_only(tmp_path: Path) -> None:
    root = copy_case("broken/per_dialect_duplicate_id", tmp_path / "case")
    (env_py,) = root.rglob("env.py")
    versions = env_py.parent / "versions"

    result = migcheck.check(root, drift=False)

    # Alembic handed sqlite/ warns of the duplicate; handed postgresql/, it sees none
    assert "bbbbbbbbbbbb is present more than once" in _alembic_on(root, versions / "sqlite").stderr
    assert "more than once" not in _alembic_on(root, versions / "postgresql").stderr
    assert {(f.rule, f.environment) for f in result.findings} == {("MC103", "migrations [sqlite]")}
    assert [s.subdirectories for s in result.splits] == [("postgresql", "sqlite")]


def test_a_subdirectory_naming_a_revision_of_another_is_not_its_own_history(tmp_path: Path) -> None:
    root = copy_case("broken/per_dialect_cross_reference", tmp_path / "case")
    (env_py,) = root.rglob("env.py")
    loads = _alembic_on(root, env_py.parent / "versions" / "sqlite")

    result = migcheck.check(root, drift=False)

    assert loads.returncode != 0 and "ffffffffffff" in loads.stderr  # Alembic refuses sqlite/ on its own
    assert [h.environment for h in result.histories] == ["migrations"] and not result.splits
    assert result.exit_code == 1
    assert any("names 'ffffffffffff', which is only in postgresql/" in n for n in result.notices)


# --- generated trees --------------------------------------------------------------------------------------


@contextmanager
def isolated_imports(cwd: Path) -> Iterator[None]:
    """Alembic imports revision files; leave sys.path, sys.modules and the working directory as they were."""
    saved_path, saved_modules, saved_cwd = list(sys.path), set(sys.modules), os.getcwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(cwd)):
                del sys.modules[name]


def alembic_heads_and_bases(root: Path) -> tuple[set[str], set[str]]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    with isolated_imports(root), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "File ... loaded twice! ignoring."
        script = ScriptDirectory.from_config(Config(str(root / "alembic.ini")))
        return set(script.get_heads()), set(script.get_bases())


def migcheck_heads_and_bases(root: Path) -> tuple[set[str], set[str]]:
    (history,) = migcheck.check(root).histories
    return {p.revision for p in history.heads}, {p.revision for p in history.bases}


@st.composite
def valid_dags(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """Specs of a tree Alembic accepts: every reference points at an earlier revision or its label."""
    ids = draw(
        st.lists(
            st.text("0123456789abcdef_", min_size=1, max_size=12).filter(lambda s: s.strip("_")),
            min_size=1,
            max_size=9,
            unique=True,
        )
    )
    specs: list[tuple[Any, ...]] = []
    labels: list[str] = []
    for i, rid in enumerate(ids):
        earlier = ids[:i]
        kind = draw(st.sampled_from(["base", "one", "merge"])) if earlier else "base"
        down: Any = None
        if kind == "one" or (kind == "merge" and len(earlier) < 2):
            parent = draw(st.sampled_from(earlier))
            down = draw(st.sampled_from([parent, (parent,)]))
        elif kind == "merge":
            down = tuple(draw(st.lists(st.sampled_from(earlier), min_size=2, max_size=3, unique=True)))
        extra: dict[str, Any] = {}
        if earlier and draw(st.integers(0, 3)) == 0:
            # an earlier revision, by id or by one of the labels declared so far
            extra["depends_on"] = draw(st.sampled_from(earlier + labels))
        if draw(st.integers(0, 3)) == 0:
            label = f"L{i}"
            extra["branch_labels"] = draw(st.sampled_from([label, (label,)]))
            labels.append(label)
        specs.append((rid, down, extra))
    return specs


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(specs=valid_dags())
def test_generated_tree_heads_and_bases_are_alembics(scratch: Path, specs: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as base:
        root = make_tree(Path(base), *specs)
        alembic_heads, alembic_bases = alembic_heads_and_bases(root)

        result = migcheck.check(root)

    (history,) = result.histories
    assert {p.revision for p in history.heads} == alembic_heads
    assert {p.revision for p in history.bases} == alembic_bases
    # a tree Alembic loads has no broken references, cycles, duplicates or unreadable files
    assert {f.rule for f in result.findings} <= {"MC101", "MC105"}


def test_the_in_process_oracle_leaves_no_trace(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    path, modules, cwd = list(sys.path), set(sys.modules), os.getcwd()

    assert alembic_heads_and_bases(root) == ({"b"}, {"a"})
    assert (sys.path, os.getcwd()) == (path, cwd)
    assert not [
        m for m in set(sys.modules) - modules if str(root) in (getattr(sys.modules[m], "__file__", "") or "")
    ]


# --- layouts where Alembic skips files ----------------------------------------------------------------------


def _recursive(root: Path) -> None:
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nrecursive_version_locations = true\n"))


def test_files_alembic_does_not_load_are_not_revisions(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    versions = versions_dir(root)
    (versions / "__init__.py").write_text(revision_source("x", "b"))
    (versions / ".#b_rev.py").write_text(revision_source("b", "zzz"))
    (versions / "notes.txt").write_text(revision_source("y", "b"))
    (versions / "stale.pyc").write_bytes(b"not bytecode")
    (versions / "x.py").mkdir()

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root) == ({"b"}, {"a"})
    assert migcheck.check(root).findings == ()


def test_a_legacy_hex_file_name_is_the_id_as_for_alembic(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None))
    (versions_dir(root) / "1975ea83b712.py").write_text("down_revision = 'a'\n\ndef upgrade():\n    pass\n")

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root) == ({"1975ea83b712"}, {"a"})


def test_nested_directories_are_read_when_recursive_as_by_alembic(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None))
    _recursive(root)
    (versions_dir(root) / "2024" / "q1").mkdir(parents=True)
    (versions_dir(root) / "2024" / "b_rev.py").write_text(revision_source("b", "a"))
    (versions_dir(root) / "2024" / "q1" / "c_rev.py").write_text(revision_source("c", "b"))

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root) == ({"c"}, {"a"})


def test_a_symlinked_directory_is_not_descended_as_by_alembic(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    _recursive(root)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "c_rev.py").write_text(revision_source("c", "b"))
    os.symlink(elsewhere, versions_dir(root) / "shared")

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root)


def test_a_symlink_to_a_revision_file_is_one_revision_as_for_alembic(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    os.symlink("b_rev.py", versions_dir(root) / "link_rev.py")

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root)
    assert [f.rule for f in migcheck.check(root).findings] == []


# --- trees Alembic refuses to load are never clean ------------------------------------------------------


def alembic_refuses(root: Path) -> bool:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        alembic_heads_and_bases(root)
    except (CommandError, RevisionError, KeyError, SyntaxError):
        return True
    return False


@pytest.mark.parametrize(
    "specs",
    [
        pytest.param([("a", "a")], id="self-loop"),
        pytest.param([("a", "b"), ("b", "a")], id="cycle"),
        pytest.param([("a", None, {"depends_on": "b"}), ("b", "a")], id="depends-on-cycle"),
        pytest.param([("a", None), ("b", "zzz")], id="missing-down-revision"),
        pytest.param([("a", None), ("b", "")], id="empty-down-revision"),
        pytest.param([("a", None, {"depends_on": "zzz"})], id="missing-depends-on"),
        pytest.param(
            [("a", None), ("b", "a", {"branch_labels": "x"}), ("c", "a", {"branch_labels": "x"})],
            id="branch-label-used-twice",
        ),
        pytest.param(
            [("a", None), ("b", "a", {"branch_labels": "a"})],
            id="branch-label-is-a-revision-id",
        ),
        pytest.param(
            [("a", None), ("b-1", "a")],
            id="dash-in-revision-id",
        ),
        pytest.param(
            [("a", None), ("b@x", "a")],
            id="at-sign-in-revision-id",
        ),
    ],
)
def test_a_tree_alembic_cannot_load_fails_the_check(tmp_path: Path, specs: list[tuple[Any, ...]]) -> None:
    root = make_tree(tmp_path, *specs)

    assert alembic_refuses(root)
    assert migcheck.check(root).exit_code == 1


# --- the whole file counts, as Alembic imports it -----------------------------------------------------------


def test_a_down_revision_reassigned_below_the_first_def_gives_alembics_heads(tmp_path: Path) -> None:
    # on its face "c" revises "a", beside "b": two heads; the module's final value makes one chain
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    path = versions_dir(root) / "c_rev.py"
    path.write_text(path.read_text() + "\n\ndown_revision = 'b'\n")

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root) == ({"c"}, {"a"})
    assert migcheck.check(root, drift=False).exit_code == 0


def test_a_down_revision_reassigned_below_the_first_def_to_a_fork_is_two_heads_as_for_alembic(
    tmp_path: Path,
) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "b"))
    path = versions_dir(root) / "c_rev.py"
    path.write_text(path.read_text() + "\n\ndown_revision = 'a'\n")

    assert migcheck_heads_and_bases(root) == alembic_heads_and_bases(root) == ({"b", "c"}, {"a"})
    # and MC108: the docstring's `Revises: b` now disagrees with the variable
    assert sorted(f.rule for f in migcheck.check(root, drift=False).findings) == ["MC101", "MC108"]


@pytest.mark.parametrize(
    "tail",
    ["\n\ndef helper(:\n    pass\n", "\n\nreturn None\n", "\n<<<<<<< HEAD\n"],
    ids=["syntax-error", "return-outside-function", "conflict-marker"],
)
def test_a_file_alembic_cannot_compile_below_its_header_fails_the_graph_checks(
    tmp_path: Path, tail: str
) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    path = versions_dir(root) / "b_rev.py"
    path.write_text(path.read_text() + tail)

    assert alembic_refuses(root)
    result = migcheck.check(root, drift=False)
    assert (result.exit_code, [f.rule for f in result.findings]) == (1, ["MC107"])
    assert result.findings[0].revision == "b"

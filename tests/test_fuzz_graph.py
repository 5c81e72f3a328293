"""Fuzz: revision graphs of every shape, broken ones included, written as real revision files and loaded by both
Alembic's ScriptDirectory and migcheck.

- When Alembic loads the tree and walks it, migcheck's heads and bases are Alembic's (duplicate ids aside:
  Alembic keeps one of the files at random, migcheck reports MC103).
- When Alembic refuses the tree (a missing down_revision variable or revision, a cycle, a dangling depends_on,
  a label used twice or naming a revision...), migcheck reports an MC10x error for it: never a clean pass.

Bounded for CI (max_examples below); `python benchmarks/fuzz_graph.py --examples 2000` runs the same property
for longer and prints what it found.
"""

from __future__ import annotations

import signal
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import make_project, revision_source, versions_dir
from hypothesis import given, settings
from hypothesis import strategies as st
from test_oracle import isolated_imports

import migcheck

IDS = ["a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8"]
# how each revision's down_revision is drawn: mostly sound shapes, some breakage
KINDS = ["base"] * 2 + ["chain"] * 14 + ["merge"] * 3 + ["anywhere", "missing"]
MISSING = "zz9"  # never declared
# rules that mean "Alembic cannot load or run this tree"
LOAD_ERRORS = {"MC102", "MC103", "MC104", "MC106", "MC107", "MC109"}


@dataclass(frozen=True)
class Spec:
    """One revision file: what it assigns, and whether it lacks `down_revision` altogether."""

    rid: str
    down: Any
    depends_on: Any = None
    branch_labels: Any = None
    no_down_revision: bool = False

    def source(self) -> str:
        text = revision_source(self.rid, self.down, self.branch_labels, self.depends_on)
        if self.no_down_revision:
            text = "\n".join(line for line in text.splitlines() if not line.startswith("down_revision"))
        return text


def _one_or_tuple(draw: st.DrawFn, names: list[str]) -> Any:
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    return chosen[0] if len(chosen) == 1 and draw(st.booleans()) else tuple(chosen)


@st.composite
def revision_dags(draw: st.DrawFn) -> list[Spec]:
    """Trees mostly of sound shape (bases, chains, merges, depends_on, labels), with breakage mixed in:
    references to later revisions (cycles), to missing ones, duplicate ids, reused or id-like labels, and a
    file without `down_revision`."""
    count = draw(st.integers(1, 7))
    ids = draw(
        st.lists(st.sampled_from(IDS), min_size=count, max_size=count, unique=draw(st.integers(0, 3)) > 0)
    )
    specs: list[Spec] = []
    labels: list[str] = []
    for i, rid in enumerate(ids):
        earlier = ids[:i]
        kind = draw(st.sampled_from(KINDS))
        if kind == "base" or not earlier and kind in ("chain", "merge"):
            down: Any = None
        elif kind == "chain":
            down = draw(st.sampled_from(earlier))
        elif kind == "merge":
            down = _one_or_tuple(draw, earlier)
        elif kind == "anywhere":  # also later revisions and itself: cycles
            down = _one_or_tuple(draw, IDS)
        else:
            down = draw(st.sampled_from([MISSING, (MISSING,), ""]))
        depends_on = None
        if draw(st.integers(0, 4)) == 0:
            sound = [*earlier, *labels] or [MISSING]
            depends_on = _one_or_tuple(draw, sound if draw(st.integers(0, 3)) else [*IDS, MISSING])
        branch_labels = None
        if draw(st.integers(0, 4)) == 0:
            fresh = draw(st.integers(0, 3))  # else reused, or a revision id
            label = f"L{i}" if fresh else draw(st.sampled_from([f"L{i}", *labels, *IDS]))
            labels.append(label)
            branch_labels = draw(st.sampled_from([label, (label,)]))
        no_down = draw(st.integers(0, 30)) == 0
        specs.append(Spec(rid, down, depends_on, branch_labels, no_down))
    return specs


def write_tree(base: Path, specs: list[Spec]) -> Path:
    root = make_project(base)
    for n, spec in enumerate(specs):
        (versions_dir(root) / f"{spec.rid}_{n}_rev.py").write_text(spec.source(), encoding="utf-8")
    return root


class _Hung(Exception):
    pass


@contextmanager
def _at_most(seconds: float) -> Iterator[None]:
    """Raise _Hung when the block runs longer: some cycles through depends_on make Alembic 1.20's
    walk_revisions() loop for ever (as `alembic upgrade` would); that is a refusal too."""

    def expired(signum: int, frame: object) -> None:
        raise _Hung(f"still walking the revisions after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def alembic_view(root: Path) -> tuple[set[str], set[str]] | str:
    """Alembic's heads and bases, after loading every file and walking the whole tree; or why it refused."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    with isolated_imports(root), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Revision x is present more than once"
        try:
            with _at_most(5):
                script = ScriptDirectory.from_config(Config(str(root / "alembic.ini")))
                heads, bases = set(script.get_heads()), set(script.get_bases())
                list(script.walk_revisions("base", "heads"))
        except Exception as exc:  # noqa: BLE001 - any refusal counts, whatever Alembic raised
            return f"{type(exc).__name__}: {exc}"
    return heads, bases


def compare(base: Path, specs: list[Spec]) -> tuple[set[str], set[str]] | str:
    """The property, for one generated tree (raises AssertionError with what differs); returns Alembic's view."""
    with tempfile.TemporaryDirectory(dir=base) as where:
        root = write_tree(Path(where), specs)
        alembic = alembic_view(root)
        result = migcheck.check(root, drift=False)
    errors = {f.rule for f in result.findings if f.severity.value == "error"}
    readable = [s.rid for s in specs if not s.no_down_revision]  # the others are MC107
    duplicates = len(set(readable)) < len(readable)
    if duplicates:
        assert "MC103" in errors, (specs, errors)
    if isinstance(alembic, str):
        assert errors & LOAD_ERRORS, (
            f"Alembic refused ({alembic}) but migcheck found {sorted(errors)}: {specs}"
        )
        return alembic
    if duplicates:
        return alembic  # Alembic kept one of the duplicate files, which one is up to the file system's order
    facts = result.histories
    heads = {p.revision for h in facts for p in h.heads}
    bases = {p.revision for h in facts for p in h.bases}
    assert (heads, bases) == alembic, f"migcheck {heads, bases} != Alembic {alembic}: {specs}"
    # Alembic 1.20 misses a cycle through a merge revision: it loads the tree and runs a revision before its
    # own down_revision; migcheck's MC104 is right then, and only then
    expected = {"MC104"} if has_cycle(specs) else set()
    assert errors & LOAD_ERRORS == expected, f"Alembic loaded it, migcheck found {sorted(errors)}: {specs}"
    return alembic


def has_cycle(specs: list[Spec]) -> bool:
    """Whether the revisions' down_revision / depends_on references go round (an oracle of its own)."""
    labels = {}
    for spec in specs:
        for label in (
            (spec.branch_labels,) if isinstance(spec.branch_labels, str) else spec.branch_labels or ()
        ):
            labels[label] = spec.rid
    edges: dict[str, set[str]] = {}
    for spec in specs:
        refs = [spec.down, spec.depends_on]
        names = [n for ref in refs for n in ((ref,) if isinstance(ref, str) else ref or ())]
        edges[spec.rid] = {labels.get(n, n) for n in names if n} & {s.rid for s in specs}
    done: set[str] = set()

    def cycles_from(node: str, path: set[str]) -> bool:
        if node in path:
            return True
        if node in done:
            return False
        found = any(cycles_from(n, path | {node}) for n in edges[node])
        done.add(node)
        return found

    return any(cycles_from(rid, set()) for rid in edges)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=80, deadline=None, database=None, derandomize=True)
@given(specs=revision_dags())
def test_any_revision_graph_is_read_as_alembic_reads_it(scratch: Path, specs: list[Spec]) -> None:
    compare(scratch, specs)


def test_a_cycle_through_a_merge_that_alembic_runs_out_of_order_is_a_cycle_error(scratch: Path) -> None:
    # found by benchmarks/fuzz_graph.py: Alembic 1.20 loads this tree, and `alembic upgrade heads` runs d4
    # before b2, its own down_revision
    specs = [
        Spec("a1", None),
        Spec("b2", ("a1", "d4")),
        Spec("d4", "b2"),
        Spec("f6", "b2", branch_labels="L5"),
    ]
    with tempfile.TemporaryDirectory(dir=scratch) as where:
        root = write_tree(Path(where), specs)
        said = alembic_view(root)
        result = migcheck.check(root, drift=False)

    assert said == ({"f6"}, {"a1"})
    assert [f.rule for f in result.findings if f.severity.value == "error"] == ["MC104"]
    assert has_cycle(specs)


def test_a_depends_on_cycle_that_alembic_walks_for_ever_is_a_cycle_error(scratch: Path) -> None:
    # found by benchmarks/fuzz_graph.py: Alembic 1.20 lists the heads, then loops in walk_revisions()
    specs = [
        Spec("f6", None, branch_labels="L0"),
        Spec("c3", None, depends_on=("a1",)),
        Spec("b2", None),
        Spec("d4", None),
        Spec("a1", "f6", depends_on=("d4", "c3")),
        Spec("e5", ("f6", "c3", "b2")),
        Spec("g7", "f6", depends_on=("e5", "a1")),
    ]
    with tempfile.TemporaryDirectory(dir=scratch) as where:
        root = write_tree(Path(where), specs)
        said = alembic_view(root)
        result = migcheck.check(root, drift=False)

    assert isinstance(said, str) and said.startswith("_Hung")
    assert "MC104" in {f.rule for f in result.findings}


def test_the_generator_makes_every_kind_of_breakage() -> None:
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(specs=revision_dags())
    def collect(specs: list[Spec]) -> None:
        rids = [s.rid for s in specs]
        if len(set(rids)) < len(rids):
            seen.add("duplicate")
        for s in specs:
            downs = s.down if isinstance(s.down, tuple) else (s.down,)
            seen.update({"missing"} if MISSING in downs else set())
            seen.update({"merge"} if isinstance(s.down, tuple) and len(s.down) > 1 else set())
            seen.update({"no down_revision"} if s.no_down_revision else set())
            seen.update({"depends_on"} if s.depends_on else set())
            seen.update({"label"} if s.branch_labels else set())
            seen.update({"self"} if s.rid in downs else set())
        if sum(1 for s in specs if s.down is None) > 1:
            seen.add("several bases")

    collect()
    assert seen == {
        "duplicate",
        "missing",
        "merge",
        "no down_revision",
        "depends_on",
        "label",
        "self",
        "several bases",
    }

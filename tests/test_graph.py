"""RevisionGraph, built from in-memory specs: the shape of a history and its defects, as data."""

from __future__ import annotations

import sys
from dataclasses import replace

from helpers import make_graph, make_revision

from migcheck.graph import Dangling, RevisionGraph

# --- heads, bases, merge points ----------------------------------------------------------------------


def test_a_linear_chain_has_one_head_and_one_base() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "b"))

    assert graph.heads() == ["c"]
    assert graph.bases() == ["a"]
    assert len(graph) == 3


def test_an_empty_graph_has_no_heads_and_no_bases() -> None:
    graph = make_graph()

    assert (graph.heads(), graph.bases(), graph.cycles(), graph.components()) == ([], [], [], [])


def test_a_single_base_revision_is_both_head_and_base() -> None:
    graph = make_graph(("a", None))

    assert graph.heads() == ["a"]
    assert graph.bases() == ["a"]


def test_two_revisions_on_the_same_parent_are_two_heads_in_file_order() -> None:
    graph = make_graph(("a", None), ("c", "a"), ("b", "a"))

    assert graph.heads() == ["c", "b"]
    assert graph.branch_points() == ["a"]


def test_a_merge_revision_joins_two_heads_into_one() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c")))

    assert graph.heads() == ["d"]
    assert graph.merge_points() == ["d"]
    assert graph.parents("d") == ["b", "c"]


def test_a_revision_with_one_parent_is_not_a_merge_point() -> None:
    graph = make_graph(("a", None), ("b", "a"))

    assert graph.merge_points() == []
    assert graph.branch_points() == []


def test_a_parent_named_twice_in_down_revision_is_not_a_branch_point() -> None:
    graph = make_graph(("a", None), ("b", ("a", "a")))

    assert graph.branch_points() == []
    assert graph.children["a"] == ["b"]


def test_several_bases_are_listed_in_file_order() -> None:
    graph = make_graph(("b", None), ("a", None), ("c", ("a", "b")))

    assert graph.bases() == ["b", "a"]
    assert graph.heads() == ["c"]


def test_depends_on_does_not_make_its_target_stop_being_a_head() -> None:
    # Alembic: only down_revision edges decide heads; depends_on is an ordering constraint.
    graph = make_graph(("a", None), ("b", "a"), ("c", "a", {"depends_on": "b"}))

    assert graph.heads() == ["b", "c"]
    assert graph.dependents["b"] == ["c"]


def test_a_revision_whose_parent_is_missing_is_not_a_base() -> None:
    graph = make_graph(("a", None), ("b", "zzz"))

    assert graph.bases() == ["a"]
    assert graph.heads() == ["a", "b"]


# --- ancestry ----------------------------------------------------------------------------------------


def test_ancestors_follow_down_revision_and_include_the_revision_itself_by_default() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "b"), ("x", None))

    assert graph.ancestors("c") == {"a", "b", "c"}
    assert graph.ancestors("c", inclusive=False) == {"a", "b"}


def test_ancestors_of_a_merge_include_both_branches() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c")), ("e", "a"))

    assert graph.ancestors("d") == {"a", "b", "c", "d"}


def test_ancestors_do_not_follow_depends_on() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "a", {"depends_on": "b"}))

    assert graph.ancestors("c") == {"a", "c"}


def test_ancestors_stop_at_a_missing_parent() -> None:
    graph = make_graph(("b", "zzz"), ("c", "b"))

    assert graph.ancestors("c") == {"b", "c"}


def test_descendants_are_every_revision_built_on_top() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c")), ("x", None))

    assert graph.descendants("a") == {"a", "b", "c", "d"}
    assert graph.descendants("b", inclusive=False) == {"d"}
    assert graph.descendants("d", inclusive=False) == set()


def test_lineage_labels_are_the_labels_of_a_revision_and_its_ancestors() -> None:
    graph = make_graph(
        ("a", None),
        ("b", "a", {"branch_labels": ("expand",)}),
        ("c", "b"),
        ("d", "a", {"branch_labels": "contract"}),
    )

    assert graph.lineage_labels("c") == {"expand"}
    assert graph.lineage_labels("d") == {"contract"}
    assert graph.lineage_labels("a") == set()


def test_an_unresolved_branch_label_still_counts_as_a_label_of_its_own() -> None:
    unresolved = replace(make_revision(("b", "a")), unknown_labels=True)
    graph = RevisionGraph([make_revision(("a", None)), unresolved, make_revision(("c", "b"))])

    assert len(graph.lineage_labels("c")) == 1
    assert graph.lineage_labels("a") == set()


def test_fork_point_of_two_heads_is_their_nearest_common_ancestor() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "b"), ("d", "b"), ("e", "d"))

    assert graph.fork_points(["c", "e"]) == ["b"]


def test_heads_of_unrelated_histories_have_no_fork_point() -> None:
    graph = make_graph(("a", None), ("b", None))

    assert graph.fork_points(["a", "b"]) == []


def test_depends_on_resolves_a_branch_label_to_the_revision_carrying_it() -> None:
    graph = make_graph(("a", None, {"branch_labels": ("core",)}), ("b", None, {"depends_on": "core"}))

    assert graph.resolve("core") == "a"
    assert graph.resolve("a") == "a"
    assert graph.resolve("nope") is None
    assert graph.dangling == []
    assert graph.dependents["a"] == ["b"]


def test_components_are_separate_histories() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("x", None), ("y", "x"))

    assert sorted(map(sorted, graph.components())) == [["a", "b"], ["x", "y"]]


def test_depends_on_links_two_histories_into_one_component() -> None:
    graph = make_graph(("a", None), ("x", None, {"depends_on": "a"}))

    assert sorted(map(sorted, graph.components())) == [["a", "x"]]


# --- cycles ------------------------------------------------------------------------------------------


def test_an_acyclic_graph_has_no_cycles() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c"), {"depends_on": "a"}))

    assert graph.cycles() == []


def test_a_revision_that_revises_itself_is_a_cycle() -> None:
    graph = make_graph(("a", None), ("b", "b"))

    assert graph.cycles() == [["b", "b"]]


def test_a_revision_that_depends_on_itself_is_a_cycle() -> None:
    graph = make_graph(("a", None, {"depends_on": "a"}))

    assert graph.cycles() == [["a", "a"]]


def test_a_cycle_lists_its_members_in_order_of_the_references_from_the_smallest_id() -> None:
    # a revises c, c revises b, b revises a
    graph = make_graph(("b", "a"), ("c", "b"), ("a", "c"))

    assert graph.cycles() == [["a", "c", "b", "a"]]


def test_a_cycle_through_depends_on_is_a_cycle() -> None:
    # b depends on c, which revises b
    graph = make_graph(("a", None), ("b", "a", {"depends_on": "c"}), ("c", "b"))

    assert graph.cycles() == [["b", "c", "b"]]


def test_a_cycle_through_a_branch_label_in_depends_on_is_a_cycle() -> None:
    graph = make_graph(("a", None, {"depends_on": "feature"}), ("b", "a", {"branch_labels": ("feature",)}))

    assert graph.cycles() == [["a", "b", "a"]]


def test_each_separate_cycle_is_listed_once() -> None:
    graph = make_graph(("a", "b"), ("b", "a"), ("x", "z"), ("y", "x"), ("z", "y"), ("ok", None))

    assert sorted(graph.cycles()) == [["a", "b", "a"], ["x", "z", "y", "x"]]


def test_revisions_hanging_off_a_cycle_are_not_part_of_it() -> None:
    graph = make_graph(("a", "b"), ("b", "a"), ("c", "a"), ("d", "c"))

    assert graph.cycles() == [["a", "b", "a"]]


# --- size: iterative walks, never the recursion limit -------------------------------------------------

N = 10_000


def _chain(n: int) -> list[tuple[str, str | None]]:
    return [(f"r{i:05d}", f"r{i - 1:05d}" if i else None) for i in range(n)]


def test_a_10000_revision_chain_has_one_head_one_base_and_no_cycle() -> None:
    assert N > sys.getrecursionlimit()
    graph = make_graph(*_chain(N))

    assert graph.heads() == [f"r{N - 1:05d}"]
    assert graph.bases() == ["r00000"]
    assert graph.cycles() == []
    assert len(graph.components()) == 1


def test_ancestors_of_the_head_of_a_10000_revision_chain_are_all_revisions() -> None:
    graph = make_graph(*_chain(N))

    assert len(graph.ancestors(f"r{N - 1:05d}")) == N
    assert graph.lineage_labels(f"r{N - 1:05d}") == set()


def test_descendants_of_the_base_of_a_10000_deep_chain_are_all_revisions() -> None:
    graph = make_graph(*_chain(N))

    assert len(graph.descendants("r00000")) == N
    assert len(graph.descendants("r00000", inclusive=False)) == N - 1


def test_fork_point_of_two_long_branches_is_found() -> None:
    trunk = _chain(N // 2)
    left = [(f"l{i:05d}", f"l{i - 1:05d}" if i else trunk[-1][0]) for i in range(N // 4)]
    right = [(f"x{i:05d}", f"x{i - 1:05d}" if i else trunk[-1][0]) for i in range(N // 4)]
    graph = make_graph(*trunk, *left, *right)

    assert graph.fork_points([left[-1][0], right[-1][0]]) == [trunk[-1][0]]


def test_a_10000_revision_cycle_is_found_without_recursion() -> None:
    specs = [(f"r{i:05d}", f"r{(i - 1) % N:05d}") for i in range(N)]
    graph = make_graph(*specs)

    cycles = graph.cycles()

    assert len(cycles) == 1
    assert cycles[0][0] == cycles[0][-1] == "r00000"
    assert cycles[0][1] == f"r{N - 1:05d}"
    assert len(cycles[0]) == N + 1
    assert graph.heads() == [] and graph.bases() == []


# --- duplicates and dangling references, as data ------------------------------------------------------


def test_a_duplicate_id_keeps_the_later_file_as_alembic_does() -> None:
    first = make_revision(("b", "a"), path="versions/b_first.py")
    later = make_revision(("b", None), path="versions/b_later.py")
    graph = RevisionGraph([make_revision(("a", None)), first, later])

    assert graph.revisions["b"] is later
    assert graph.duplicates == {"b": [first, later]}
    # the later file says b is a base, so nothing builds on a any more
    assert graph.bases() == ["a", "b"]
    assert graph.heads() == ["a", "b"]
    assert len(graph) == 2
    assert len(graph.all) == 3


def test_a_graph_without_repeated_ids_has_no_duplicates() -> None:
    assert make_graph(("a", None), ("b", "a")).duplicates == {}


def test_a_missing_down_revision_is_dangling_data_not_an_exception() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("c", "zzz"))

    assert graph.dangling == [Dangling(graph.revisions["c"], "zzz", "down_revision")]


def test_a_missing_parent_of_a_merge_is_dangling_while_the_other_parent_is_kept() -> None:
    graph = make_graph(("a", None), ("m", ("a", "gone")))

    assert [(d.revision.id, d.target, d.kind) for d in graph.dangling] == [("m", "gone", "down_revision")]
    assert graph.parents("m") == ["a"]
    assert graph.heads() == ["m"]


def test_a_missing_depends_on_target_is_dangling_with_its_kind() -> None:
    graph = make_graph(("a", None), ("b", "a", {"depends_on": ("a", "nowhere")}))

    assert [(d.revision.id, d.target, d.kind) for d in graph.dangling] == [("b", "nowhere", "depends_on")]


def test_upgrade_order_follows_down_revisions_and_depends_on_with_ties_by_id() -> None:
    diamond = make_graph(("d", ("c", "b")), ("c", "a"), ("b", "a"), ("a", None))
    depends = make_graph(
        ("a", None),
        ("m", "a", {"branch_labels": ("left",)}),
        ("b", "a"),
        ("b2", "b", {"depends_on": ("m",)}),
        ("b3", "b", {"depends_on": ("left",)}),  # a label names the revision that carries it
    )

    assert diamond.upgrade_order() == ["a", "b", "c", "d"]
    assert depends.upgrade_order() == ["a", "b", "m", "b2", "b3"]


def test_upgrade_order_of_a_subset_keeps_cycle_members_last() -> None:
    graph = make_graph(("a", None), ("b", "a"), ("x", "y"), ("y", "x"))

    assert graph.upgrade_order({"b", "x", "y"}) == ["b", "x", "y"]

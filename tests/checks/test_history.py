"""MC101-MC109, the rules of the graph itself, specified on histories built in memory (no files).

Each revision is `rev(id, down, ...)`, a Revision as the reader returns it for a file written from Alembic's
template (`revision` on line 15, `down_revision` 16, `branch_labels` 17, `depends_on` 18), and a history is
`history(*revisions)`, the way Alembic's own tests build a `RevisionMap(lambda: [...])`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers import history, rev, rev_path, revision_source

from migcheck.checks import REGISTRY
from migcheck.checks.history import (
    branch_label_conflict,
    duplicate_revision_id,
    missing_dependency,
    missing_down_revision,
    multiple_bases,
    multiple_heads,
    revision_cycle,
    stale_docstring_header,
    unreadable_revision,
)
from migcheck.constants import ConstantResolver
from migcheck.findings import Finding, Location, Severity
from migcheck.histories import History
from migcheck.scripts import Unreadable, read_source


def test_an_in_memory_revision_is_what_the_reader_reads_from_its_templates_file(tmp_path: Path) -> None:
    text = revision_source("b", "a", "feature", "c").encode()

    read = read_source(text, str(tmp_path / "b_rev.py"), rev_path("b"), ConstantResolver(tmp_path))

    header = {"doc_revision": None, "doc_revision_line": None, "doc_revises": None, "doc_revises_line": None}
    assert replace(read, message=None, **header) == rev("b", "a", labels="feature", depends="c")


def test_every_graph_rule_reads_a_history() -> None:
    codes = {f"MC10{n}" for n in range(1, 10)}

    assert {code: REGISTRY[code].input for code in codes} == dict.fromkeys(codes, History)


# --- MC101 multiple heads -------------------------------------------------------------------------------------


def test_mc101_two_heads_off_one_parent_are_one_finding_at_the_shorter_branchs_down_revision() -> None:
    [finding] = multiple_heads.check(history(rev("a"), rev("b", "a"), rev("c", "a")))

    assert (finding.rule, finding.severity, finding.revision) == ("MC101", Severity.ERROR, "c")
    assert finding.location == Location(rev_path("c"), 16)
    assert finding.message == (
        f"2 unmerged heads: 'b' ({rev_path('b')}:15), 'c' ({rev_path('c')}:15); they diverged after 'a'"
    )
    assert finding.hint.startswith("run `alembic merge -m \"merge heads\" b c`, or set `down_revision = 'b'`")
    assert f"in {rev_path('c')}:16 (and its docstring's `Revises:` line)" in finding.hint
    assert finding.replacement == "down_revision: Union[str, Sequence[str], None] = 'b'"  # the whole line


def test_mc101_the_shorter_branch_is_the_one_blamed() -> None:
    # b -> d is the longer side; c, alone on its branch, is most likely the change under review
    [finding] = multiple_heads.check(history(rev("a"), rev("b", "a"), rev("d", "b"), rev("c", "a")))

    assert finding.revision == "c"
    assert "set `down_revision = 'd'`" in finding.hint


def test_mc101_a_linear_history_has_no_finding() -> None:
    assert list(multiple_heads.check(history(rev("a"), rev("b", "a"), rev("c", "b")))) == []


def test_mc101_heads_joined_by_a_merge_revision_are_one_head() -> None:
    merged = history(rev("a"), rev("b", "a"), rev("c", "a"), rev("m", ("b", "c")))

    assert list(multiple_heads.check(merged)) == []


def test_mc101_three_heads_are_merged_not_repointed() -> None:
    [finding] = multiple_heads.check(history(rev("a"), rev("b", "a"), rev("c", "a"), rev("d", "a")))

    assert finding.message.startswith("3 unmerged heads:")
    assert finding.hint == 'run `alembic merge -m "merge heads" b c d`'
    assert finding.location == Location(rev_path(finding.revision or ""), 15)


def test_mc101_heads_of_unrelated_bases_share_no_ancestor() -> None:
    [finding] = multiple_heads.check(history(rev("a"), rev("b", "a"), rev("x")))

    assert finding.message.endswith("; they share no ancestor")


def test_mc101_heads_whose_lineages_carry_their_own_branch_labels_are_intended() -> None:
    named = history(rev("a"), rev("e", "a", labels="expand"), rev("c", "a", labels="contract"))

    assert list(multiple_heads.check(named)) == []


def test_mc101_one_labelled_branch_beside_the_trunk_is_intended() -> None:
    assert list(multiple_heads.check(history(rev("a"), rev("b", "a"), rev("f", "a", labels="feature")))) == []


def test_mc101_a_branch_label_both_heads_inherit_makes_neither_intended() -> None:
    shared = history(rev("a", labels="core"), rev("b", "a"), rev("c", "a"))

    assert [f.rule for f in multiple_heads.check(shared)] == ["MC101"]


def test_mc101_a_branch_label_migcheck_cannot_resolve_still_names_its_branch() -> None:
    unresolved = history(rev("a"), rev("b", "a"), rev("f", "a", unknown_labels=True))

    assert list(multiple_heads.check(unresolved)) == []


def test_mc101_expected_heads_as_a_number_allows_that_many() -> None:
    revisions = (rev("a"), rev("b", "a"), rev("c", "a"))

    assert list(multiple_heads.check(history(*revisions, expected_heads=2))) == []
    [finding] = multiple_heads.check(history(*revisions, expected_heads=1))
    assert "unmerged heads (expected_heads = 1):" in finding.message
    # with expected heads, a second head may be intended: only the merge is suggested
    assert finding.hint == 'run `alembic merge -m "merge heads" b c`'
    assert finding.location == Location(rev_path("c"), 15)


def test_mc101_expected_heads_may_name_the_heads_or_branch_labels_on_their_lineage() -> None:
    revisions = (rev("a"), rev("e", "a", labels="expand"), rev("c", "a", labels="contract"))

    assert list(multiple_heads.check(history(*revisions, expected_heads=("e", "c")))) == []
    assert list(multiple_heads.check(history(*revisions, expected_heads=("expand", "contract")))) == []


def test_mc101_expected_heads_overrule_branch_labels() -> None:
    revisions = (rev("a"), rev("e", "a", labels="expand"), rev("c", "a", labels="contract"))

    [finding] = multiple_heads.check(history(*revisions, expected_heads=("expand",)))

    assert "(expected_heads = ('expand',))" in finding.message


def test_mc101_a_head_cut_off_by_a_missing_down_revision_is_left_to_mc102() -> None:
    orphaned = history(rev("a"), rev("b", "a"), rev("x", "gone"), rev("y", "x"))

    assert list(multiple_heads.check(orphaned)) == []
    assert [f.revision for f in missing_down_revision.check(orphaned)] == ["x"]


# --- MC102 missing down_revision ------------------------------------------------------------------------------


def test_mc102_a_down_revision_naming_nothing_is_an_error_at_its_line() -> None:
    [finding] = missing_down_revision.check(history(rev("a"), rev("b", "zzz")))

    assert (finding.rule, finding.severity, finding.revision) == ("MC102", Severity.ERROR, "b")
    assert finding.location == Location(rev_path("b"), 16)
    assert finding.message == (
        "down_revision of 'b' names 'zzz', which is not a revision in this tree"
        " (Alembic: Can't locate revision identified by 'zzz')"
    )
    assert finding.hint == (
        "restore the revision 'zzz' (deleted or never committed?), or point down_revision at the revision"
        " this one really follows"
    )
    assert finding.replacement is None  # no id to write: the hint says what to find out


def test_mc102_existing_parents_are_no_finding() -> None:
    assert list(missing_down_revision.check(history(rev("a"), rev("b", "a"), rev("m", ("a", "b"))))) == []


def test_mc102_a_shortened_id_is_written_in_full_in_the_hint() -> None:
    [finding] = missing_down_revision.check(history(rev("aaaaaaaaaaaa"), rev("b", "aaaa")))

    assert finding.hint == "'aaaa' is a shortened id; write it in full: down_revision = 'aaaaaaaaaaaa'"
    assert finding.replacement == "down_revision: Union[str, Sequence[str], None] = 'aaaaaaaaaaaa'"


def test_mc102_a_typo_names_the_closest_id_and_its_file() -> None:
    [finding] = missing_down_revision.check(history(rev("aaaaaaaaaaaa"), rev("b", "aaaaaaaaaaab")))

    assert finding.hint == (
        f"did you mean 'aaaaaaaaaaaa' ({rev_path('aaaaaaaaaaaa')})? set down_revision = 'aaaaaaaaaaaa'"
    )


def test_mc102_the_hint_names_the_current_head_when_there_is_one() -> None:
    [finding] = missing_down_revision.check(history(rev("a"), rev("m", ("a", "gone"))))

    assert finding.hint.endswith("this one really follows; the current head is 'm'.")


def test_mc102_a_parent_on_the_base_branch_is_not_missing() -> None:
    # with --base, the parent merged on main since the branch started resolves once the change merges
    assert list(missing_down_revision.check(history(rev("b", "a"), external={"a"}))) == []


# --- MC103 duplicate revision id ------------------------------------------------------------------------------


def test_mc103_each_file_declaring_an_id_twice_is_a_finding_naming_the_other() -> None:
    copy = "migrations/versions/b_copy.py"
    findings = list(duplicate_revision_id.check(history(rev("a"), rev("b", "a"), rev("b", "a", path=copy))))

    assert [(f.rule, f.severity, f.revision, f.location) for f in findings] == [
        ("MC103", Severity.ERROR, "b", Location(rev_path("b"), 15)),
        ("MC103", Severity.ERROR, "b", Location(copy, 15)),
    ]
    assert findings[0].message == (
        f"revision id 'b' is also declared in {copy}:15; Alembic silently uses only one of these files"
    )
    assert f"also declared in {rev_path('b')}:15" in findings[1].message
    assert findings[0].hint.startswith("give the newer file a fresh id (e.g. `python -c")


def test_mc103_distinct_ids_are_no_finding() -> None:
    assert list(duplicate_revision_id.check(history(rev("a"), rev("b", "a")))) == []


# --- MC104 cycle ------------------------------------------------------------------------------------------------


def test_mc104_a_down_revision_cycle_is_one_finding_at_its_first_files_down_revision() -> None:
    [finding] = revision_cycle.check(history(rev("a", "b"), rev("b", "a")))

    assert (finding.rule, finding.severity, finding.revision) == ("MC104", Severity.ERROR, "a")
    assert finding.location == Location(rev_path("a"), 16)
    assert finding.message == "2 revisions form a cycle: 'a' -> 'b' -> 'a'; Alembic cannot load this tree"
    assert finding.hint == (
        f"set the down_revision of the first of them ('a' in {rev_path('a')}:16) to the revision it really"
        " follows, or to None if it is the first revision"
    )


def test_mc104_a_revision_revising_itself_is_a_cycle() -> None:
    [finding] = revision_cycle.check(history(rev("a", "a")))

    assert "form a cycle: 'a' -> 'a'" in finding.message


def test_mc104_depends_on_edges_close_cycles_too() -> None:
    [finding] = revision_cycle.check(history(rev("a"), rev("b", "a", depends="c"), rev("c", "b")))

    assert "'b' -> 'c' -> 'b'" in finding.message


def test_mc104_a_long_cycle_is_shortened_in_the_message() -> None:
    ids = [f"r{n:02}" for n in range(12)]
    ring = [rev(rid, ids[n - 1]) for n, rid in enumerate(ids)]

    [finding] = revision_cycle.check(history(*ring))

    # in upgrade order: each revision after the one it revises
    assert finding.message == (
        "12 revisions form a cycle: 'r00' -> 'r01' -> 'r02' -> 'r03' -> ... 7 more ... -> 'r11' -> 'r00';"
        " Alembic cannot load this tree"
    )


def test_mc104_a_history_without_cycles_has_no_finding() -> None:
    acyclic = history(rev("a"), rev("b", "a"), rev("c", "a", depends="b"), rev("m", ("b", "c")))

    assert list(revision_cycle.check(acyclic)) == []


# --- MC105 multiple bases ---------------------------------------------------------------------------------------


def test_mc105_a_stray_base_is_a_warning_and_the_longest_history_is_the_trunk() -> None:
    [finding] = multiple_bases.check(history(rev("a"), rev("b", "a"), rev("x")))

    assert (finding.rule, finding.severity, finding.revision) == ("MC105", Severity.WARNING, "x")
    assert finding.location == Location(rev_path("x"), 16)
    assert finding.message == (
        f"'x' has down_revision = None, so this history has 2 unlabelled bases: 'a' ({rev_path('a')}:15),"
        f" 'x' ({rev_path('x')}:15)"
    )
    assert finding.hint == (
        f"set down_revision in {rev_path('x')}:16 to the revision it follows, or make it a named branch:"
        " branch_labels = ('<name>',)"
    )


def test_mc105_every_base_but_the_trunk_is_reported() -> None:
    findings = multiple_bases.check(history(rev("a"), rev("b", "a"), rev("x"), rev("y")))

    assert [f.revision for f in findings] == ["x", "y"]


def test_mc105_one_base_is_no_finding() -> None:
    assert list(multiple_bases.check(history(rev("a"), rev("b", "a")))) == []


def test_mc105_a_base_with_branch_labels_starts_a_named_branch() -> None:
    assert list(multiple_bases.check(history(rev("a"), rev("b", "a"), rev("x", labels="plugin")))) == []


def test_mc105_a_base_with_labels_migcheck_cannot_resolve_is_still_named() -> None:
    assert list(multiple_bases.check(history(rev("a"), rev("x", unknown_labels=True)))) == []


# --- MC106 missing dependency -----------------------------------------------------------------------------------


def test_mc106_depends_on_naming_nothing_is_an_error_at_its_line() -> None:
    [finding] = missing_dependency.check(history(rev("a"), rev("b", "a", depends="zzz")))

    assert (finding.rule, finding.severity, finding.revision) == ("MC106", Severity.ERROR, "b")
    assert finding.location == Location(rev_path("b"), 18)
    assert finding.message == (
        "depends_on of 'b' names 'zzz', which is neither a revision nor a branch label in this tree"
    )
    assert finding.hint.startswith(
        "restore the revision 'zzz' (deleted or never committed?), or point depends_on"
    )


def test_mc106_depends_on_a_revision_or_a_branch_label_is_no_finding() -> None:
    revisions = (rev("a", labels="core"), rev("b", "a"), rev("c", "b", depends=("a", "core")))

    assert list(missing_dependency.check(history(*revisions))) == []


def test_mc106_a_misspelt_branch_label_is_suggested_as_a_label() -> None:
    [finding] = missing_dependency.check(history(rev("a", labels="billing"), rev("b", "a", depends="biling")))

    assert finding.hint == "did you mean 'billing' (a branch label)? set depends_on = 'billing'"


def test_mc106_without_a_depends_on_line_it_is_placed_at_the_revision_line() -> None:
    [finding] = missing_dependency.check(
        history(rev("a"), rev("b", "a", depends="zzz", depends_on_line=None))
    )

    assert finding.location == Location(rev_path("b"), 15)


def test_mc106_a_dependency_on_the_base_branch_is_not_missing() -> None:
    assert list(missing_dependency.check(history(rev("b", depends="a"), external={"a"}))) == []


def test_mc106_a_missing_down_revision_is_not_a_missing_dependency() -> None:
    assert list(missing_dependency.check(history(rev("a"), rev("b", "zzz")))) == []


# --- MC107 unreadable revision ---------------------------------------------------------------------------------


def test_mc107_each_unreadable_file_is_an_error_carrying_the_readers_words() -> None:
    broken = Unreadable(
        rev_path("b"), 7, "the file is not valid Python: invalid syntax (line 7)", "fix the syntax", "b"
    )

    [finding] = unreadable_revision.check(history(rev("a"), unreadable=[broken]))

    assert finding == Finding(
        "MC107",
        Severity.ERROR,
        "the file is not valid Python: invalid syntax (line 7)",
        Location(rev_path("b"), 7),
        "fix the syntax",
        "b",
    )


def test_mc107_a_history_whose_files_all_read_has_no_finding() -> None:
    assert list(unreadable_revision.check(history(rev("a")))) == []


# --- MC108 stale docstring header ------------------------------------------------------------------------------


def test_mc108_a_stale_revision_id_line_is_a_warning_at_that_line() -> None:
    [finding] = stale_docstring_header.check(history(rev("a", doc_revision="zzz", doc_revision_line=3)))

    assert (finding.rule, finding.severity, finding.revision) == ("MC108", Severity.WARNING, "a")
    assert finding.location == Location(rev_path("a"), 3)
    assert finding.message == "docstring says 'Revision ID: zzz' but revision = 'a' (line 15)"
    assert finding.hint == "change the docstring line to `Revision ID: a`"


def test_mc108_a_stale_revises_line_names_the_real_down_revision() -> None:
    stale = rev("b", "a", doc_revises=("old",), doc_revises_line=4)

    [finding] = stale_docstring_header.check(history(rev("a"), stale))

    assert finding.location == Location(rev_path("b"), 4)
    assert finding.message == "docstring says 'Revises: old' but down_revision = 'a' (line 16)"
    assert finding.hint == "change the docstring line to `Revises: a`"


def test_mc108_a_base_whose_header_names_a_parent_is_stale() -> None:
    [finding] = stale_docstring_header.check(history(rev("a", doc_revises=("x",), doc_revises_line=4)))

    assert "but down_revision = None" in finding.message


def test_mc108_an_empty_revises_line_over_a_parent_is_stale() -> None:
    stale = rev("b", "a", doc_revises=(), doc_revises_line=4)

    [finding] = stale_docstring_header.check(history(rev("a"), stale))

    assert finding.message.startswith("docstring says 'Revises: (nothing)'")


def test_mc108_both_header_lines_stale_are_two_findings() -> None:
    stale = rev("b", "a", doc_revision="c", doc_revision_line=3, doc_revises=("x",), doc_revises_line=4)

    assert [f.location.line for f in stale_docstring_header.check(history(rev("a"), stale))] == [3, 4]


def test_mc108_a_header_that_matches_is_no_finding() -> None:
    fine = rev(
        "m", ("a", "b"), doc_revision="m", doc_revision_line=3, doc_revises=("b", "a"), doc_revises_line=4
    )

    assert list(stale_docstring_header.check(history(rev("a"), rev("b"), fine))) == []


def test_mc108_a_file_without_header_lines_is_no_finding() -> None:
    assert list(stale_docstring_header.check(history(rev("a"), rev("b", "a")))) == []


def test_mc108_with_a_base_only_the_changes_new_revisions_are_checked() -> None:
    deployed = rev("b", "a", doc_revises=("old",), doc_revises_line=4)
    added = rev("c", "b", doc_revises=("a",), doc_revises_line=4)

    findings = list(stale_docstring_header.check(history(rev("a"), deployed, added, new={"c"})))

    assert [f.revision for f in findings] == ["c"]


def test_mc108_with_a_base_and_nothing_new_is_silent() -> None:
    deployed = rev("b", "a", doc_revision="zzz", doc_revision_line=3)

    assert list(stale_docstring_header.check(history(rev("a"), deployed, new=()))) == []


def test_mc108_without_a_base_checks_every_revision() -> None:
    first = rev("b", "a", doc_revises=("old",), doc_revises_line=4)
    second = rev("c", "b", doc_revises=("a",), doc_revises_line=4)

    findings = list(stale_docstring_header.check(history(rev("a"), first, second)))

    assert sorted(f.revision for f in findings) == ["b", "c"]


# --- MC109 branch label conflict ------------------------------------------------------------------------------


def test_mc109_a_label_used_twice_is_an_error_on_the_second_revision() -> None:
    [finding] = branch_label_conflict.check(history(rev("a", labels="x"), rev("b", "a", labels="x")))

    assert (finding.rule, finding.severity, finding.revision) == ("MC109", Severity.ERROR, "b")
    assert finding.location == Location(rev_path("b"), 17)
    assert finding.message == (
        f"branch label 'x' of 'b' is already used by revision 'a' ({rev_path('a')}:15); Alembic refuses to load"
        " the tree"
    )
    assert finding.hint == f"remove 'x' from branch_labels in {rev_path('b')}:17, or rename it"


def test_mc109_a_label_that_is_a_revision_id_is_a_conflict() -> None:
    [finding] = branch_label_conflict.check(history(rev("a"), rev("b", "a", labels="a")))

    assert f"branch label 'a' of 'b' is also the id of a revision ({rev_path('a')}:15)" in finding.message


def test_mc109_a_label_equal_to_its_own_revisions_id_names_no_other_file() -> None:
    [finding] = branch_label_conflict.check(history(rev("a", labels="a")))

    assert (
        finding.message
        == "branch label 'a' of 'a' is also the id of a revision; Alembic refuses to load the tree"
    )


def test_mc109_distinct_labels_are_no_finding() -> None:
    labelled = history(rev("a", labels=("core", "shared")), rev("b", "a", labels="feature"))

    assert list(branch_label_conflict.check(labelled)) == []

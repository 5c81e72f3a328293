"""MC110-MC112, the change against its base branch, specified on a MergeContext built in memory.

The base branch is a `BaseTree` of two `Snapshot`s (its tip, and the fork point where the change began) made
of in-memory revisions; the working tree is a `history(...)`. MC111 and MC112 compare file texts: the base's
come with its snapshot, the working tree's are files under tmp_path (the checked root).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from helpers import history, rev, rev_path, revision_source

from migcheck.checks import REGISTRY
from migcheck.checks.merge import (
    MergeContext,
    edits_merged_revision,
    heads_after_merge,
    reuses_base_revision_id,
)
from migcheck.config import ExpectedHeads
from migcheck.findings import Location, Severity
from migcheck.gitbase import BaseTree, Snapshot
from migcheck.scripts import Revision

MAIN = (rev("a"), rev("b", "a"), rev("c", "b"))


def source(rid: str, down: str | None) -> bytes:
    return revision_source(rid, down).encode()


def context(
    root: Path,
    working: Iterable[Revision],
    tip: Iterable[Revision],
    fork: Iterable[Revision] | None = None,
    *,
    texts: Mapping[str, bytes] | None = None,
    expected_heads: ExpectedHeads = None,
) -> MergeContext:
    """The working tree's history against main; the fork point is main's tip unless given."""
    tip_snapshot = Snapshot("1" * 40, tuple(tip), dict(texts or {}))
    fork_snapshot = tip_snapshot if fork is None else Snapshot("2" * 40, tuple(fork), dict(texts or {}))
    return MergeContext(
        history(*working, expected_heads=expected_heads), BaseTree("main", tip_snapshot, fork_snapshot), root
    )


def write(root: Path, relative: str, text: bytes) -> None:
    file = root / relative
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(text)


def checked_out(root: Path, *revisions: Revision) -> dict[str, bytes]:
    """Each revision's file as the template writes it, on disk under `root`; returns the texts by path."""
    texts = {r.path: source(r.id, r.down_revisions[0] if r.down_revisions else None) for r in revisions}
    for relative, text in texts.items():
        write(root, relative, text)
    return texts


def test_every_merge_rule_reads_a_merge_context() -> None:
    assert {REGISTRY[code].input for code in ("MC110", "MC111", "MC112")} == {MergeContext}


# --- MC110 heads after merge ------------------------------------------------------------------------------------


def test_mc110_a_change_on_a_parent_main_has_built_on_since_leaves_two_heads(tmp_path: Path) -> None:
    mine = context(tmp_path, [*MAIN, rev("d", "c")], tip=[*MAIN, rev("e", "c")])

    [finding] = heads_after_merge.check(mine)

    assert (finding.rule, finding.severity, finding.revision) == ("MC110", Severity.ERROR, "d")
    assert finding.location == Location(rev_path("d"), 16)
    assert finding.message == (
        f"after merge main will have 2 heads: 'd' (yours, {rev_path('d')}:15),"
        f" 'e' (merged since you branched, {rev_path('e')}:15)"
    )
    assert finding.hint == (
        f"set `down_revision = 'e'` in {rev_path('d')}:16 (and `Revises:` in its docstring), or run"
        ' `migcheck fix --base main --write`; or add a merge revision: `alembic merge -m "merge heads" e d`'
    )
    assert finding.replacement == "down_revision: Union[str, Sequence[str], None] = 'e'"


def test_mc110_several_new_revisions_are_repointed_at_the_first_of_them(tmp_path: Path) -> None:
    mine = context(tmp_path, [*MAIN, rev("d", "c"), rev("f", "d")], tip=[*MAIN, rev("e", "c")])

    [finding] = heads_after_merge.check(mine)

    assert finding.revision == "f"
    assert finding.location == Location(rev_path("d"), 16)
    assert f"set `down_revision = 'e'` in {rev_path('d')}:16" in finding.hint


def test_mc110_a_change_rebased_on_mains_head_is_no_finding(tmp_path: Path) -> None:
    rebased = context(tmp_path, [*MAIN, rev("e", "c"), rev("d", "e")], tip=[*MAIN, rev("e", "c")])

    assert list(heads_after_merge.check(rebased)) == []


def test_mc110_a_change_with_no_new_revision_is_no_finding(tmp_path: Path) -> None:
    assert list(heads_after_merge.check(context(tmp_path, MAIN, tip=[*MAIN, rev("e", "c")]))) == []


def test_mc110_heads_the_change_has_by_itself_are_left_to_mc101(tmp_path: Path) -> None:
    two_heads = context(tmp_path, [*MAIN, rev("d", "c"), rev("f", "c")], tip=[*MAIN, rev("e", "c")])

    assert list(heads_after_merge.check(two_heads)) == []


def test_mc110_heads_expected_heads_allows_are_no_finding(tmp_path: Path) -> None:
    allowed = context(tmp_path, [*MAIN, rev("d", "c")], tip=[*MAIN, rev("e", "c")], expected_heads=2)

    assert list(heads_after_merge.check(allowed)) == []


def test_mc110_a_new_labelled_branch_is_intended(tmp_path: Path) -> None:
    named = context(tmp_path, [*MAIN, rev("d", "c", labels="feature")], tip=[*MAIN, rev("e", "c")])

    assert list(heads_after_merge.check(named)) == []


# --- MC111 edits a merged revision ------------------------------------------------------------------------------


def test_mc111_editing_a_revision_main_has_is_an_error_at_the_first_changed_line(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    edited = texts[rev_path("b")].replace(b"    pass\n", b"    op.drop_table('user')\n", 1)
    write(tmp_path, rev_path("b"), edited)

    [finding] = edits_merged_revision.check(context(tmp_path, MAIN, tip=MAIN, texts=texts))

    assert (finding.rule, finding.severity, finding.revision) == ("MC111", Severity.ERROR, "b")
    assert finding.location == Location(rev_path("b"), 23)  # upgrade()'s body
    assert finding.message == (
        "the change edits revision 'b', which exists on main; databases that ran it will not run it again"
    )
    assert finding.hint == (
        f"revert the edit (`git checkout main -- {rev_path('b')}`) and make the change in a new revision"
        ' (`alembic revision -m "..."`)'
    )


def test_mc111_a_comment_or_whitespace_edit_is_a_notice(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    write(
        tmp_path,
        rev_path("b"),
        texts[rev_path("b")].replace(b"    pass\n", b"    # nothing to do\n\n    pass\n", 1),
    )

    [finding] = edits_merged_revision.check(context(tmp_path, MAIN, tip=MAIN, texts=texts))

    assert (finding.rule, finding.severity) == ("MC111", Severity.NOTICE)
    assert (
        finding.message == "the change edits revision 'b', which exists on main (whitespace or comments only)"
    )


def test_mc111_deleting_a_revision_main_has_is_an_error_at_its_old_place(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    (tmp_path / rev_path("c")).unlink()

    [finding] = edits_merged_revision.check(context(tmp_path, MAIN[:2], tip=MAIN, texts=texts))

    assert (finding.rule, finding.severity, finding.revision) == ("MC111", Severity.ERROR, "c")
    assert finding.location == Location(rev_path("c"), 15)
    assert finding.message == f"the change deletes revision 'c' ({rev_path('c')}), which exists on main"
    assert finding.hint.startswith(f"restore it (`git checkout main -- {rev_path('c')}`)")


def test_mc111_unchanged_revisions_are_no_finding(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)

    assert list(edits_merged_revision.check(context(tmp_path, MAIN, tip=MAIN, texts=texts))) == []


def test_mc111_a_file_that_is_there_but_unreadable_is_left_to_mc107(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    write(tmp_path, rev_path("c"), b"<<<<<<< HEAD\n")

    assert list(edits_merged_revision.check(context(tmp_path, MAIN[:2], tip=MAIN, texts=texts))) == []


def test_mc111_a_renamed_revision_file_is_not_an_edit(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    moved = rev("c", "b", path="migrations/versions/0003_c.py")
    write(tmp_path, moved.path, texts[rev_path("c")] + b"# moved\n")

    assert (
        list(edits_merged_revision.check(context(tmp_path, [*MAIN[:2], moved], tip=MAIN, texts=texts))) == []
    )


def test_mc111_a_revision_main_removed_since_the_fork_is_not_the_changes_doing(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    (tmp_path / rev_path("c")).unlink()

    removed_on_main = context(tmp_path, MAIN[:2], tip=MAIN[:2], fork=MAIN, texts=texts)

    assert list(edits_merged_revision.check(removed_on_main)) == []


def test_mc111_revisions_merged_on_main_since_the_fork_are_not_the_changes_to_keep(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    merged_since = context(tmp_path, MAIN, tip=[*MAIN, rev("e", "c")], fork=MAIN, texts=texts)

    assert list(edits_merged_revision.check(merged_since)) == []


# --- MC112 reuses a base revision id ----------------------------------------------------------------------------


def test_mc112_a_new_file_reusing_an_id_main_has_is_an_error_at_its_revision_line(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    copy = rev("c", "b", path="migrations/versions/d_copy.py")
    write(tmp_path, copy.path, texts[rev_path("c")].replace(b"    pass\n", b"    op.drop_table('user')\n", 1))

    [finding] = reuses_base_revision_id.check(context(tmp_path, [*MAIN, copy], tip=MAIN, texts=texts))

    assert (finding.rule, finding.severity, finding.revision) == ("MC112", Severity.ERROR, "c")
    assert finding.location == Location(copy.path, 15)
    assert (
        finding.message
        == f"new revision file {copy.path} reuses id 'c', which main already has in {rev_path('c')}"
    )
    assert finding.hint.startswith("give it a fresh id (e.g. `python -c")


def test_mc112_a_file_renamed_with_only_comments_changed_is_the_same_revision(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN)
    moved = rev("c", "b", path="migrations/versions/0003_c.py")
    write(tmp_path, moved.path, texts[rev_path("c")] + b"# renamed to sort by number\n")

    assert (
        list(reuses_base_revision_id.check(context(tmp_path, [*MAIN[:2], moved], tip=MAIN, texts=texts)))
        == []
    )


def test_mc112_revisions_in_their_files_on_main_are_no_finding(tmp_path: Path) -> None:
    texts = checked_out(tmp_path, *MAIN, rev("d", "c"))

    assert (
        list(reuses_base_revision_id.check(context(tmp_path, [*MAIN, rev("d", "c")], tip=MAIN, texts=texts)))
        == []
    )

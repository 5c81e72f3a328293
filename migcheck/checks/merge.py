"""MC11x: the change against its base branch (`--base REF`): what main will look like once this PR merges."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from migcheck.checks.words import FRESH_ID, at, quoted, repointed
from migcheck.findings import Finding, Location, Severity, rule
from migcheck.graph import RevisionGraph
from migcheck.histories import History, live_heads, repoint, unintended_heads
from migcheck.scripts import Revision

if TYPE_CHECKING:  # git is only run with --base: a run without it never imports gitbase
    from migcheck.gitbase import BaseTree


@dataclass(frozen=True)
class MergeContext:
    """The working tree's history of one environment and the same environment at the base commit."""

    history: History
    base: BaseTree
    paths_from: Path  # the directory the revisions' shown paths are relative to
    _texts: dict[str, bytes] = field(default_factory=dict, compare=False)

    @property
    def base_ids(self) -> dict[str, Revision]:
        return {r.id: r for r in self.base.revisions}

    def new_ids(self) -> list[str]:
        base = self.base_ids
        return [rid for rid in self.history.graph.revisions if rid not in base]

    def text(self, path: str) -> bytes | None:
        if path not in self._texts:
            try:
                self._texts[path] = (self.paths_from / path).read_bytes()
            except OSError:
                return None
        return self._texts[path]


@rule(code="MC110", name="heads-after-merge", severity=Severity.ERROR)
def heads_after_merge(ctx: MergeContext) -> Iterator[Finding]:
    """Once merged, the change leaves the base branch with more than one head.

    The change's new revisions build on a revision that is no longer the head of the base branch: another
    pull request added its own revision on the same parent and merged first. Each PR is green alone; after
    both merge, every `alembic upgrade head` fails with "Multiple head revisions are present".

    Fix: re-point the first new revision's `down_revision` (and its docstring's `Revises:`) at the base
    branch's current head (`migcheck fix --base <ref> --write` does it), or add a merge revision
    (`alembic merge heads`).
    """
    graph = ctx.history.graph
    new = set(ctx.new_ids())
    if not new or len(unintended_heads(graph, live_heads(graph), ctx.history.expected_heads)) > 1:
        return  # nothing new, or MC101 already reports the change's own heads
    merged = {r.id: r for r in ctx.base.revisions} | dict(graph.revisions)
    after = RevisionGraph(merged.values())
    heads = unintended_heads(after, after.heads(), ctx.history.expected_heads)
    yours = [h for h in heads if h in new]
    theirs = [h for h in heads if h not in new]
    if len(heads) < 2 or not yours or not theirs:
        return
    listed = ", ".join(
        [f"{quoted(h)} (yours, {at(after.revisions[h])})" for h in yours]
        + [f"{quoted(h)} (merged since you branched, {at(after.revisions[h])})" for h in theirs]
    )
    merge = f'alembic merge -m "merge heads" {" ".join(heads)}'
    # the same choice `migcheck fix --base` makes: only the change's own revisions ever move
    moved = repoint(after, heads, ctx.base_ids)
    if moved is not None:
        first = moved.revision
        where = at(first, first.down_revision_line)
        hint = (
            f"set `down_revision = '{moved.target}'` in {where} (and `Revises:` in its docstring), or run"
            f" `migcheck fix --base {ctx.base.ref} --write`; or add a merge revision: `{merge}`"
        )
        location = Location(first.path, first.down_revision_line)
        replacement = repointed(first, moved.target)
    else:
        head = after.revisions[yours[0]]
        hint, location = f"run `{merge}`", Location(head.path, head.revision_line)
        replacement = None
    yield heads_after_merge.finding(
        f"after merge {ctx.base.ref} will have {len(heads)} heads: {listed}",
        location,
        hint,
        revision=yours[0],
        replacement=replacement,
    )


@rule(code="MC111", name="edits-merged-revision", severity=Severity.ERROR)
def edits_merged_revision(ctx: MergeContext) -> Iterator[Finding]:
    """The change edits or deletes a revision that already exists on the base branch.

    A revision on the base branch may already have run in production; editing it changes nothing there
    (Alembic will not run it again) but makes every new database differ from the old ones, and deleting it
    breaks every database stamped with it ("Can't locate revision identified by ..."). Whitespace- or
    comment-only edits are reported as a notice.

    Fix: revert the edit and put the change in a new revision (`alembic revision -m "..."`).
    """
    graph = ctx.history.graph
    on_base = ctx.base_ids
    for old in ctx.base.fork.revisions:
        rid = old.id
        if rid not in on_base:
            continue  # removed from the base branch since the fork: not this change's doing
        current = graph.revisions.get(rid)
        if current is None:
            if ctx.text(old.path) is None:  # the file is gone, not merely unreadable now
                yield edits_merged_revision.finding(
                    f"the change deletes revision {quoted(rid)} ({old.path}), which exists on {ctx.base.ref}",
                    Location(old.path, old.revision_line),
                    f"restore it (`git checkout {ctx.base.ref} -- {old.path}`); undo its effect in a new revision",
                    revision=rid,
                )
            continue
        if current.path != old.path:
            continue  # a rename, or MC112's new revision reusing the id
        before, after = ctx.base.fork.texts.get(old.path), ctx.text(current.path)
        if before is None or after is None or before == after:
            continue
        line = _first_changed_line(before, after)
        cosmetic = _tokens(before) == _tokens(after)
        finding = edits_merged_revision.finding(
            f"the change edits revision {quoted(rid)}, which exists on {ctx.base.ref}"
            + (
                " (whitespace or comments only)"
                if cosmetic
                else "; databases that ran it will not run it again"
            ),
            Location(current.path, line),
            f"revert the edit (`git checkout {ctx.base.ref} -- {current.path}`) and make the change in a new"
            ' revision (`alembic revision -m "..."`)',
            revision=rid,
        )
        yield finding if not cosmetic else _as_notice(finding)


@rule(code="MC112", name="reuses-base-revision-id", severity=Severity.ERROR)
def reuses_base_revision_id(ctx: MergeContext) -> Iterator[Finding]:
    """A new revision file uses an id that a different revision already has on the base branch.

    After the merge two files declare the same id; Alembic silently uses one of them and the other
    migration never runs (see MC103). It happens when a revision file is copied, or two branches pick the
    same hand-written id.

    Fix: give the new revision a fresh id and update the `down_revision` of the revisions that follow it.
    """
    for rid, old in ctx.base_ids.items():
        current = ctx.history.graph.revisions.get(rid)
        if current is None or current.path == old.path:
            continue
        before, after = ctx.base.tip.texts.get(old.path), ctx.text(current.path)
        if before is not None and after is not None and _tokens(before) == _tokens(after):
            continue  # the same revision, renamed
        yield reuses_base_revision_id.finding(
            f"new revision file {current.path} reuses id {quoted(rid)}, which {ctx.base.ref} already has in {old.path}",
            Location(current.path, current.revision_line),
            "give it a fresh id " + FRESH_ID,
            revision=rid,
        )


def _as_notice(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, severity=Severity.NOTICE)


def _first_changed_line(before: bytes, after: bytes) -> int:
    import difflib  # here, not at the top: only an edited base revision needs it

    old = before.decode("utf-8", "replace").splitlines()
    new = after.decode("utf-8", "replace").splitlines()
    for tag, _, _, j1, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            return j1 + 1
    return 1


def _tokens(source: bytes) -> list[tuple[int, str]] | bytes:
    """The code's tokens without comments and layout; the raw bytes when it does not tokenize."""
    skip = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
    }
    try:
        return [
            (t.type, t.string) for t in tokenize.tokenize(io.BytesIO(source).readline) if t.type not in skip
        ]
    except (tokenize.TokenError, SyntaxError):
        return source

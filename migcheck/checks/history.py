"""MC1xx: defects of the revision graph itself, found from the static reading of the revision files."""

from __future__ import annotations

from collections.abc import Iterator

from migcheck.checks.words import FRESH_ID, at, quoted, repointed
from migcheck.findings import Finding, Location, Severity, rule
from migcheck.graph import Dangling, RevisionGraph
from migcheck.histories import History, live_heads, repoint, unintended_heads
from migcheck.scripts import Revision


@rule(code="MC101", name="multiple-heads", severity=Severity.ERROR)
def multiple_heads(history: History) -> Iterator[Finding]:
    """More than one head: two branches of the history that nobody merged.

    Alembic refuses `alembic upgrade head` ("Multiple head revisions are present"), so every deploy fails.
    It usually happens when two pull requests each add a revision on top of the same head. Heads that are
    intended are fine: when each head's lineage carries its own `branch_labels` (named branches, such as an
    expand/contract scheme), or when `expected_heads` in `[tool.migcheck]` says so.

    Fix: merge the heads with `alembic merge -m "merge heads" <head1> <head2>`, or, when one side is a short
    branch nobody depends on, re-point its first revision's `down_revision` at the other head. The hint names
    the side to re-point, the one `migcheck fix` edits: the shorter side (with --base, one with no revision of
    the base branch); on a tie, the side whose head's file name sorts last.
    """
    graph = history.graph
    heads = live_heads(graph)
    if len(heads) < 2:
        return  # one head is never two unmerged ones; spares a walk of the whole history for its labels
    unintended = unintended_heads(graph, heads, history.expected_heads)
    if len(unintended) < 2:
        return
    forks = graph.fork_points(unintended)
    listed = ", ".join(f"{quoted(h)} ({at(graph.revisions[h])})" for h in unintended)
    diverged = (
        f"; they diverged after {', '.join(map(quoted, forks))}" if forks else "; they share no ancestor"
    )
    merge = f'alembic merge -m "merge heads" {" ".join(unintended)}'
    # the same choice `migcheck fix` makes, so that the hint and the fix name the same edit
    moved = repoint(graph, unintended, history.on_base) if history.expected_heads is None else None
    if moved is not None:
        first = moved.revision
        hint = (
            f"run `{merge}`, or set `down_revision = '{moved.target}'` in {at(first, first.down_revision_line)}"
            " (and its docstring's `Revises:` line)"
        )
        location = Location(first.path, first.down_revision_line)
        short = next(h for h in unintended if h != moved.target)
        replacement = repointed(first, moved.target)
    else:
        exclusive = {
            h: graph.ancestors(h) - set().union(*(graph.ancestors(o) for o in heads if o != h)) for h in heads
        }
        # the shortest branch is the one most likely added by the change under review
        short = min(unintended, key=lambda h: (len(exclusive[h]), [-ord(c) for c in graph.revisions[h].path]))
        hint = f"run `{merge}`"
        location = Location(graph.revisions[short].path, graph.revisions[short].revision_line)
        replacement = None
    expected = f" (expected_heads = {history.expected_heads!r})" if history.expected_heads is not None else ""
    yield multiple_heads.finding(
        f"{len(unintended)} unmerged heads{expected}: {listed}{diverged}",
        location,
        hint,
        revision=short,
        replacement=replacement,
    )


@rule(code="MC102", name="missing-down-revision", severity=Severity.ERROR)
def missing_down_revision(history: History) -> Iterator[Finding]:
    """`down_revision` names a revision that does not exist in the tree.

    Alembic fails with "Can't locate revision identified by ..." on every command. Typical causes: a typo or a
    shortened id, a revision deleted or renamed on another branch, or a parent that was never committed.

    Fix: point `down_revision` at the revision this one really follows (`alembic heads` shows the current
    head); the hint names the closest existing id when there is one.
    """
    graph = history.graph
    for ref in _missing(history, "down_revision"):
        rev = ref.revision
        yield missing_down_revision.finding(
            f"down_revision of {quoted(rev.id)} names {quoted(ref.target)}, which is not a revision in this tree"
            f" (Alembic: Can't locate revision identified by {quoted(ref.target)})",
            Location(rev.path, rev.down_revision_line),
            _closest_hint(graph, ref.target, "down_revision", list(graph.revisions)),
            revision=rev.id,
            replacement=_closest_line(rev, ref.target, list(graph.revisions)),
        )


@rule(code="MC106", name="missing-dependency", severity=Severity.ERROR)
def missing_dependency(history: History) -> Iterator[Finding]:
    """`depends_on` names a revision or branch label that does not exist in the tree.

    Alembic fails to build its revision map ("Can't locate revision identified by ...") as soon as any command
    runs. The dependency was usually renamed, deleted, or lives in another environment.

    Fix: name an existing revision id or branch label in `depends_on`, or remove the dependency.
    """
    graph = history.graph
    for ref in _missing(history, "depends_on"):
        rev = ref.revision
        yield missing_dependency.finding(
            f"depends_on of {quoted(rev.id)} names {quoted(ref.target)}, which is neither a revision nor a branch label"
            " in this tree",
            Location(rev.path, rev.depends_on_line or rev.revision_line),
            _closest_hint(graph, ref.target, "depends_on", [*graph.revisions, *graph.labels]),
            revision=rev.id,
        )


def _missing(history: History, kind: str) -> Iterator[Dangling]:
    """References of one kind to revisions that are nowhere: not in the tree, nor on the base branch."""
    return (ref for ref in history.graph.dangling if ref.kind == kind and ref.target not in history.external)


def _closest(target: str, candidates: list[str]) -> str | None:
    """The id `target` most likely meant: the one it shortens, else a close spelling."""
    prefixed = [c for c in candidates if c.startswith(target)]
    if len(prefixed) == 1:
        return prefixed[0]
    import difflib  # here, not at the top: only a dangling reference needs it

    close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def _closest_line(rev: Revision, target: str, candidates: list[str]) -> str | None:
    meant = _closest(target, candidates)
    return repointed(rev, meant) if meant is not None and len(rev.down_revisions) == 1 else None


def _closest_hint(graph: RevisionGraph, target: str, field: str, candidates: list[str]) -> str:
    meant = _closest(target, candidates)
    if meant is not None and meant.startswith(target):
        return f"{quoted(target)} is a shortened id; write it in full: {field} = {quoted(meant)}"
    if meant is not None:
        where = f" ({graph.revisions[meant].path})" if meant in graph.revisions else " (a branch label)"
        return f"did you mean {quoted(meant)}{where}? set {field} = {quoted(meant)}"
    heads = graph.heads()
    head = f" the current head is {quoted(heads[0])}." if len(heads) == 1 else ""
    return (
        f"restore the revision {quoted(target)} (deleted or never committed?), or point {field} at the revision"
        f" this one really follows;{head}"
    ).rstrip(";")


@rule(code="MC103", name="duplicate-revision-id", severity=Severity.ERROR)
def duplicate_revision_id(history: History) -> Iterator[Finding]:
    """Two revision files declare the same revision id.

    Alembic only warns ("Revision ... is present more than once") and silently uses one of the files, so the
    other file's migration never runs. This happens when a revision file is copied to start a new one.

    Fix: give the newer file a fresh id (`alembic revision` generates one) and update any `down_revision`
    that should point at it.
    """
    for rid, revs in history.graph.duplicates.items():
        for rev in revs:
            others = ", ".join(at(o) for o in revs if o is not rev)
            yield duplicate_revision_id.finding(
                f"revision id {quoted(rid)} is also declared in {others}; Alembic silently uses only one of these files",
                Location(rev.path, rev.revision_line),
                "give the newer file a fresh id " + FRESH_ID,
                revision=rid,
            )


@rule(code="MC104", name="revision-cycle", severity=Severity.ERROR)
def revision_cycle(history: History) -> Iterator[Finding]:
    """The revisions form a cycle through `down_revision` (or `depends_on`).

    Alembic refuses to load such a tree (CycleDetected / DependencyCycleDetected). It usually comes from a
    hand edit that pointed an old revision's `down_revision` at a newer one.

    Fix: the revision that should come first must not revise (or depend on) the ones after it: set its
    `down_revision` to the revision it really follows, or `None` for the first revision.
    """
    graph = history.graph
    for cycle in graph.cycles():
        order = list(reversed(cycle))  # upgrade order: each revision revises the one before it
        first = min((graph.revisions[r] for r in cycle), key=lambda r: (r.path, r.revision_line))
        shown = order if len(order) <= 8 else [*order[:4], f"... {len(order) - 6} more ...", *order[-2:]]
        yield revision_cycle.finding(
            f"{len(cycle) - 1} revisions form a cycle: {' -> '.join(quoted(r) if not r.startswith('.') else r for r in shown)}"
            "; Alembic cannot load this tree",
            Location(first.path, first.down_revision_line),
            f"set the down_revision of the first of them ({quoted(first.id)} in {at(first, first.down_revision_line)})"
            " to the revision it really follows, or to None if it is the first revision",
            revision=first.id,
        )


@rule(code="MC105", name="multiple-bases", severity=Severity.WARNING)
def multiple_bases(history: History) -> Iterator[Finding]:
    """More than one unlabelled base: several revisions have `down_revision = None`.

    Each base starts a separate history in the same version table; unless it is a deliberate named branch
    (`alembic revision --head=base --branch-label=NAME`), it is a revision that lost its parent, and
    `alembic upgrade head` may run histories in an order nobody planned.

    Fix: set the stray base's `down_revision` to the revision it follows, or give it `branch_labels`.
    """
    graph = history.graph
    unlabelled = [b for b in graph.bases() if not graph.revisions[b].branch_labels]
    unlabelled = [b for b in unlabelled if not graph.revisions[b].unknown_labels]
    if len(unlabelled) < 2:
        return
    trunk = max(unlabelled, key=lambda b: (len(graph.descendants(b)), -unlabelled.index(b)))
    listed = ", ".join(f"{quoted(b)} ({at(graph.revisions[b])})" for b in unlabelled)
    for base in unlabelled:
        if base == trunk:
            continue
        rev = graph.revisions[base]
        yield multiple_bases.finding(
            f"{quoted(base)} has down_revision = None, so this history has {len(unlabelled)} unlabelled bases: {listed}",
            Location(rev.path, rev.down_revision_line),
            f"set down_revision in {at(rev, rev.down_revision_line)} to the revision it follows, or make it a"
            f" named branch: branch_labels = ('<name>',)",
            revision=base,
        )


@rule(code="MC107", name="unreadable-revision", severity=Severity.ERROR)
def unreadable_revision(history: History) -> Iterator[Finding]:
    """A file in a version directory cannot be read as a revision.

    It does not compile (a syntax error anywhere in it, `upgrade()` included), has no `revision` id, or
    declares `revision` / `down_revision` (or `branch_labels` / `depends_on`) in a way that cannot be read
    without running code: computed, or rebound inside an `if` / `try` / loop, by an import, `+=`, `del` or
    `globals()`. Alembic imports every file of the version directories, so such a file breaks every Alembic
    command (or, for values only running the file tells, hides the graph from review).

    Fix: repair the syntax (often leftover merge-conflict markers) and assign each identifier once, at module
    level, as a literal.
    """
    for item in history.unreadable:
        yield unreadable_revision.finding(
            item.reason, Location(item.path, item.line), item.hint, revision=item.revision
        )


@rule(code="MC108", name="stale-docstring-header", severity=Severity.WARNING)
def stale_docstring_header(history: History) -> Iterator[Finding]:
    """The docstring header ("Revision ID:", "Revises:") disagrees with the variables.

    Alembic reads only the variables, but people read the header: after a hand rebase it often still names
    the old parent, which misleads reviewers and tools that parse headers. With a base branch (`--base`,
    `base = "auto"`, the action on a pull request) only the change's new revisions are checked: those already
    on the base branch are deployed history that nobody should edit (MC111 reports edits to them). Without
    one, every revision is. A quoted or bracketed header (`Revises: 'a', 'b'`, Alembic's old merge template)
    names the same revisions as the bare ids.

    Fix: update the docstring line to match the variable.
    """
    for rev in history.graph.all:
        if history.new is not None and rev.id not in history.new:
            continue
        if rev.doc_revision is not None and rev.doc_revision != rev.id:
            yield stale_docstring_header.finding(
                f"docstring says 'Revision ID: {rev.doc_revision}' but revision = {quoted(rev.id)}"
                f" (line {rev.revision_line})",
                Location(rev.path, rev.doc_revision_line or 1),
                f"change the docstring line to `Revision ID: {rev.id}`",
                revision=rev.id,
            )
        if (
            rev.doc_revises is not None
            and rev.doc_revises != rev.down_revisions  # the same tuple, the usual case: no sets to build
            and set(rev.doc_revises) != set(rev.down_revisions)
        ):
            said = ", ".join(rev.doc_revises) or "(nothing)"
            actual = ", ".join(rev.down_revisions)
            yield stale_docstring_header.finding(
                f"docstring says 'Revises: {said}' but down_revision = "
                f"{', '.join(map(quoted, rev.down_revisions)) or 'None'} (line {rev.down_revision_line})",
                Location(rev.path, rev.doc_revises_line or 1),
                f"change the docstring line to `Revises: {actual}`",
                revision=rev.id,
            )


@rule(code="MC109", name="branch-label-conflict", severity=Severity.ERROR)
def branch_label_conflict(history: History) -> Iterator[Finding]:
    """A branch label is used by two revisions, or is the id of a revision.

    Alembic refuses to load the tree ("Branch name ... already used by revision ..."), because labels and
    revision ids share one namespace (`alembic upgrade <label>@head`). It usually comes from copying a
    revision file that starts a named branch.

    Fix: keep the label on the first revision of its branch only, and choose labels that are not revision ids.
    """
    graph = history.graph
    for label, rev, other in graph.label_conflicts:
        what = (
            "is also the id of a revision"
            if label == other
            else f"is already used by revision {quoted(other)}"
        )
        where = graph.revisions[other] if other in graph.revisions else None
        yield branch_label_conflict.finding(
            f"branch label {quoted(label)} of {quoted(rev.id)} {what}"
            + (f" ({at(where)})" if where is not None and where is not rev else "")
            + "; Alembic refuses to load the tree",
            Location(rev.path, rev.branch_labels_line or rev.revision_line),
            f"remove {quoted(label)} from branch_labels in {at(rev, rev.branch_labels_line)}, or rename it",
            revision=rev.id,
        )

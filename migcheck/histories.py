"""The front half of every command: an environment's revision files read statically and cut into histories.

One layer below the engine: `check`, `status`, `fix` and `graph` all read environments through here (the
engine's `load()`), so they agree on which files form which history, on the per-environment settings and on
the paths they show.
"""

from __future__ import annotations

import gc
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from migcheck.config import EnvironmentSettings, ExpectedHeads
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.fanout import read_all
from migcheck.graph import RevisionGraph
from migcheck.graphshape import COMMENT_DEPTH, COMMENT_LIMITS, select
from migcheck.paths import relative
from migcheck.readcache import ReadCache
from migcheck.result import Drawing, HistoryFacts, Point, Split
from migcheck.scripts import Revision, Unreadable, iter_revision_files

if TYPE_CHECKING:  # git is only run with --base: a run without it never imports gitbase
    from migcheck.gitbase import BaseTree


@dataclass(frozen=True)
class History:
    """One history to check: a graph, the files that could not be read, and what the user expects of it."""

    name: str
    graph: RevisionGraph
    unreadable: tuple[Unreadable, ...] = ()
    expected_heads: ExpectedHeads = None
    # with --base: revisions the base branch has; references to them resolve once the change is merged
    external: frozenset[str] = frozenset()
    # with --base: the ids of the revisions this change adds (not on the base branch); None without a base
    new: frozenset[str] | None = None
    # the subdirectory of the version location holding this history, when the environment splits by them
    subdirectory: str | None = None
    # with --base: every revision the base branch has (never re-pointed: it may have run in production)
    on_base: frozenset[str] = frozenset()


def live_heads(graph: RevisionGraph) -> list[str]:
    """Heads, less those cut off by a missing down_revision (MC102 reports those, not MC101)."""
    orphaned = {d.revision.id for d in graph.dangling if d.kind == "down_revision"}
    if not orphaned:
        return graph.heads()  # no walk needed: nothing is cut off
    return [h for h in graph.heads() if not orphaned & graph.ancestors(h)]


def unintended_heads(graph: RevisionGraph, heads: list[str], expected: ExpectedHeads) -> list[str]:
    """The heads nobody meant to have: all of `heads` when there are more than `expected` allows, else none.

    With no `expected`, a head whose lineage carries a branch label of its own is intended (named branches).
    """
    if isinstance(expected, int):
        return heads if len(heads) > expected else []
    if expected is not None:
        # a name may be a head's id or a branch label on its lineage (as in `alembic upgrade expand@head`)
        allowed = [h for h in heads if h in expected or graph.lineage_labels(h) & set(expected)]
        return heads if len(heads) > 1 and (len(allowed) < len(heads) or len(heads) > len(expected)) else []
    lineage = {h: graph.lineage_labels(h) for h in heads}
    own = {h: lineage[h] - set().union(*(lineage[o] for o in heads if o != h)) for h in heads}
    return [h for h in heads if not own[h]]


def branch_start(graph: RevisionGraph, branch: set[str]) -> Revision | None:
    """The first revision of `branch` when it is a plain linear run that nothing else builds on."""
    starts = [r for r in branch if not any(p in branch for p in graph.parents(r))]
    if len(starts) != 1:
        return None
    for rid in branch:
        rev = graph.revisions[rid]
        outside = [c for c in graph.children[rid] + graph.dependents[rid] if c not in branch]
        if len(rev.down_revisions) != 1 or outside:
            return None
    return graph.revisions[starts[0]]


@dataclass(frozen=True)
class Repoint:
    """How to resolve two heads by re-pointing: set `revision`'s down_revision to `target` (the other head)."""

    revision: Revision
    target: str
    branch: frozenset[str]  # the revisions that move on top of `target`


def repoint(graph: RevisionGraph, heads: Sequence[str], protected: Iterable[str] = ()) -> Repoint | None:
    """The re-pointing that resolves two heads, or None when neither side can be moved (then merge instead).

    A side can be moved when its own revisions (those the other head does not have) are a plain linear run
    that nothing else builds on and none of them is `protected` (on the base branch: they may have run in
    production). Of two such sides, the shorter moves: it is the one most likely added by the change under
    review; on a tie, the side whose head's file name sorts last (the newer, under a date-prefixed
    `file_template`), then the greater head id. `migcheck check` (MC101, MC110) names this edit in its hint
    and `migcheck fix` makes it, so the two always agree.
    """
    if len(heads) != 2:
        return None
    fixed = frozenset(protected)
    options = []
    for mine, other in ((heads[0], heads[1]), (heads[1], heads[0])):
        branch = frozenset(graph.ancestors(mine) - graph.ancestors(other))
        first = branch_start(graph, set(branch))
        if first is not None and not branch & fixed:
            options.append(Repoint(first, other, branch))
    if not options:
        return None

    shortest = min(len(option.branch) for option in options)

    def newness(option: Repoint) -> tuple[str, str]:
        head = heads[1] if option.target == heads[0] else heads[0]
        return PurePosixPath(graph.revisions[head].path).name, head

    return max((option for option in options if len(option.branch) == shortest), key=newness)


def display(path: str | Path, shown_from: Path) -> str:
    """The path shown in findings and messages: relative to the run's `shown_from` (`Loaded.paths_from`)."""
    return relative(path, shown_from)


def read_environment(
    env: Environment,
    shown_from: Path,
    resolver: ConstantResolver,
    notices: list[str],
    cache: ReadCache | None = None,
    merged: Callable[[bytes], bool] | None = None,
) -> tuple[list[Revision], list[Unreadable]]:
    """Every revision file of `env`, read statically; what cannot be read comes back as `Unreadable`.

    Each `Revision.path` is shown relative to `shown_from`. `cache` remembers what each file read as between
    runs (default: the user's cache, unless MIGCHECK_NO_CACHE); the files it does not know are read over the
    cores (`fanout`). A file `merged` recognizes (the same bytes as a file of the base branch) skips the
    syntax check.
    """
    revisions: list[Revision] = []
    unreadable: list[Unreadable] = []
    for location in env.version_locations:
        if not os.path.lexists(location):
            notices.append(
                f"{env.name}: version location {display(location, shown_from)} does not exist; nothing read there"
            )
        elif not location.is_dir():
            raise _unusable(env, location, shown_from, _not_a_directory(location))
    # Parsing allocates many short-lived AST nodes that hold no cycles; the cyclic GC only slows that down.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    reads = cache if cache is not None else ReadCache.open(shown_from)
    prefix = os.path.join(shown_from, "")
    try:
        files = list(
            iter_revision_files(env.version_locations, recursive=env.recursive, sourceless=env.sourceless)
        )
        # display(file, shown_from), without redoing its join for each of 10,000 files
        cut = len(prefix)
        shown = [
            (f[cut:].replace(os.sep, "/") if os.sep != "/" else f[cut:])
            if f.startswith(prefix)
            else display(f, shown_from)
            for f in files
        ]
        items: list[Revision | Unreadable | None] = [
            reads.lookup(f, d) for f, d in zip(files, shown, strict=True)
        ]
        missing = [i for i, item in enumerate(items) if item is None]
        fresh = read_all(
            [(files[i], shown[i]) for i in missing],
            lambda one: reads.fresh(one[0], one[1], resolver, merged),
            reads.compiled,
        )
        for i, (read, entry) in zip(missing, fresh, strict=True):
            reads.remember(files[i], entry)
            items[i] = read
        for item in items:
            assert item is not None
            if isinstance(item, Revision):
                revisions.append(item)
            else:
                unreadable.append(item)
                if item.declared is not None:
                    revisions.append(item.declared)
    except OSError as exc:
        where = Path(os.fsdecode(exc.filename)) if exc.filename is not None else env.version_locations[0]
        raise _unusable(env, where, shown_from, f"cannot be listed: {exc.strerror or exc}") from None
    finally:
        if gc_was_enabled:
            gc.enable()
    reads.save()
    return revisions, unreadable


def _not_a_directory(location: Path) -> str:
    if location.is_symlink() and not location.exists():
        return f"is a symbolic link to {os.readlink(location)!r}, which does not exist"
    return "is not a directory"


def _unusable(env: Environment, path: Path, shown_from: Path, problem: str) -> MigcheckError:
    """An environment whose revision files cannot all be listed cannot be checked: Alembic would silently skip
    them, and a check that read nothing must not say ok."""
    return MigcheckError(
        f"{env.name}: version location {display(path, shown_from)} {problem}; migcheck cannot list the revision"
        " files there, so it cannot check this environment (fix the path in the configuration, or the"
        " directory's permissions)"
    )


def split_histories(
    env: Environment,
    shown_from: Path,
    revisions: Iterable[Revision],
    unreadable: Iterable[Unreadable] = (),
    expected: ExpectedHeads = None,
    notices: list[str] | None = None,
) -> list[History]:
    """One history per environment, or one per subdirectory when each subdirectory is a history of its own.

    `shown_from`: the directory the revisions' paths are relative to.

    A note goes to `notices` when subdirectories that share revision ids are checked as one history anyway.
    """
    revisions, unreadable = list(revisions), tuple(unreadable)
    if env.split_histories:
        groups = _split_by_subdirectory(env, shown_from, revisions, notices if notices is not None else [])
        if groups is not None:
            stray = {u.path: _subdir_of(env, shown_from, u.path) for u in unreadable}
            # an unreadable file in a subdirectory of its own still needs a history to be reported in
            for sub in sorted(set(stray.values()) - set(groups)):
                groups[sub] = []
            return [
                History(
                    _history_name(env, sub),
                    RevisionGraph(revs),
                    tuple(u for u in unreadable if stray[u.path] == sub),
                    expected,
                    subdirectory=sub,
                )
                for sub, revs in groups.items()
            ]
    return [History(env.name, RevisionGraph(revisions), unreadable, expected)]


def _history_name(env: Environment, sub: str) -> str:
    return f"{env.name} [{sub}]" if sub else env.name


def _subdir_of(env: Environment, shown_from: Path, shown: str) -> str:
    # normalised: a path shown from inside a version location starts with `../`
    path = Path(os.path.normpath(shown if Path(shown).is_absolute() else shown_from / shown))
    for location in env.version_locations:
        try:
            parts = path.relative_to(location).parts
        except ValueError:
            continue
        return parts[0] if len(parts) > 1 else ""
    return ""


def _split_by_subdirectory(
    env: Environment, shown_from: Path, revisions: list[Revision], notices: list[str]
) -> dict[str, list[Revision]] | None:
    """Histories kept in separate subdirectories (versions/postgresql/, versions/sqlite/), each closed under
    down_revision/depends_on: every reference that resolves anywhere resolves inside its own subdirectory.

    The same id may then live in several subdirectories (the same change written once per database, each
    directory handed to Alembic on its own). A reference to an id that exists nowhere does not join
    subdirectories: it is MC102/MC106 in its own history.
    """
    groups: dict[str, list[Revision]] = defaultdict(list)
    for rev in revisions:
        groups[_subdir_of(env, shown_from, rev.path)].append(rev)
    if len(groups) < 2 or "" in groups:
        return None
    ids = {sub: {rev.id for rev in revs} for sub, revs in groups.items()}
    names = {
        sub: ids[sub] | {label for rev in revs for label in rev.branch_labels} for sub, revs in groups.items()
    }
    anywhere = set().union(*names.values())
    for sub, revs in sorted(groups.items()):
        for rev in revs:
            outside = [d for d in rev.down_revisions if d not in ids[sub] and d in anywhere]
            outside += [d for d in rev.depends_on if d not in names[sub] and d in anywhere]
            if outside:
                _note_not_split(env, groups, ids, rev, outside[0], notices)
                return None
    return dict(sorted(groups.items()))


def _note_not_split(
    env: Environment,
    groups: dict[str, list[Revision]],
    ids: dict[str, set[str]],
    rev: Revision,
    link: str,
    notices: list[str],
) -> None:
    """Subdirectories that share ids look like one history per database: say why they were not split."""
    shared = [rid for rid, n in Counter(rid for sub_ids in ids.values() for rid in sub_ids).items() if n > 1]
    if not shared:
        return  # release directories (versions/2023/, versions/2024/) that build on each other: one history
    owners = ", ".join(
        f"{sub}/"
        for sub in sorted(groups)
        if link in ids[sub] or any(link in r.branch_labels for r in groups[sub])
    )
    notices.append(
        f"{env.name}: {', '.join(f'{sub}/' for sub in sorted(groups))} share {len(shared)} revision"
        f" {'id' if len(shared) == 1 else 'ids'} but"
        f" are checked as one history: {rev.path}:{rev.revision_line} names {link!r}, which is only in {owners}"
        " (each subdirectory is its own history only when every down_revision/depends_on resolves inside it)"
    )


def describe_split(env: Environment, split: Iterable[History]) -> Split | None:
    """Why `env` is checked as several histories (for the verdict), or None when it is one."""
    parts = [h for h in split if h.subdirectory is not None]
    if len(parts) < 2:
        return None
    counts = Counter(rid for h in parts for rid in h.graph.revisions)
    return Split(
        environment=env.name,
        subdirectories=tuple(h.subdirectory for h in parts if h.subdirectory),
        shared_ids=tuple(sorted(rid for rid, n in counts.items() if n > 1)),
        reason="each closed under down_revision/depends_on",
    )


def pair_with_base(
    env: Environment, root: Path, split: Iterable[History], base: BaseTree
) -> tuple[tuple[History, BaseTree], ...]:
    """Each history with the base branch's part of it: all of the base when the environment is one history,
    else the base's revisions in the same subdirectory.

    When either side splits by subdirectory, both are compared subdirectory by subdirectory: a shared id
    then never pairs one database's file with another's. A subdirectory only the base has comes back as an
    empty history, so that deleting it is still seen (MC111)."""
    split = list(split)
    if not split:
        return ()
    if split[0].subdirectory is None:
        if (
            not env.split_histories
            or _split_by_subdirectory(env, root, list(base.fork.revisions), []) is None
        ):
            return ((split[0], base),)
        # the change joins or removes subdirectories the base branch keeps apart: compare each on its own
        whole = split[0]
        groups: dict[str, list[Revision]] = defaultdict(list)
        for rev in whole.graph.all:
            groups[_subdir_of(env, root, rev.path)].append(rev)
        split = [
            History(
                _history_name(env, sub),
                RevisionGraph(revs),
                tuple(u for u in whole.unreadable if _subdir_of(env, root, u.path) == sub),
                whole.expected_heads,
                subdirectory=sub,
            )
            for sub, revs in sorted(groups.items())
        ]
    paired = {h.subdirectory: (h, base.within(_in_subdir(env, root, h.subdirectory))) for h in split}
    for rev in base.fork.revisions:
        sub = _subdir_of(env, root, rev.path)
        if sub not in paired:
            empty = History(
                _history_name(env, sub), RevisionGraph(()), (), split[0].expected_heads, subdirectory=sub
            )
            paired[sub] = (empty, base.within(_in_subdir(env, root, sub)))
    return tuple(paired[sub] for sub in sorted(paired, key=lambda s: s or ""))


def _in_subdir(env: Environment, root: Path, sub: str | None) -> Callable[[str], bool]:
    return lambda shown: _subdir_of(env, root, shown) == sub


def merged_revisions(history: History, base: BaseTree) -> tuple[Revision, ...]:
    """The revisions the history will hold once the change merges: the base's, with this branch's version of
    each revision it also has."""
    return tuple({**{r.id: r for r in base.revisions}, **{r.id: r for r in history.graph.all}}.values())


def overrides_for(
    env: Environment, root: Path, configured: Iterable[EnvironmentSettings]
) -> EnvironmentSettings | None:
    """The `environments = [...]` entry of `[tool.migcheck]` that names `env`, if any."""
    names = {env.name}
    if env.config_file is not None:
        names |= {display(env.config_file, root), display(env.config_file.parent, root)}
    for item in configured:
        if item.path.strip("/").removeprefix("./") in names:
            return item
    return None


def facts(
    history: History,
    env: Environment,
    shown_from: Path,
    merged: RevisionGraph | None = None,
    *,
    draw: bool = True,
) -> HistoryFacts:
    """The history's shape; with --base, its heads are those of the merge result (what main will have).

    `draw`: also select the drawing of it near its heads (for the PR comment, and the JSON report's `edges`).
    Selecting is a walk of the whole history per try (a tenth of a second at 10,000 revisions), so the check
    draws only a history with findings of its own: no report shows a drawing of a sound one.
    """
    graph = history.graph
    after = merged if merged is not None else graph

    def point(where: RevisionGraph, rid: str, labels: tuple[str, ...]) -> Point:
        rev = where.revisions[rid]
        return Point(rid, rev.path, rev.revision_line, labels)

    def head_labels(rid: str) -> tuple[str, ...]:
        return tuple(sorted(label for label in after.lineage_labels(rid) if not label.startswith("<")))

    drawing = select(after, COMMENT_DEPTH, limits=COMMENT_LIMITS) if draw else Drawing()
    drawn = after.revisions
    return HistoryFacts(
        environment=history.name,
        script_location=display(env.script_location, shown_from),
        revision_count=len(graph),
        heads=tuple(point(after, h, head_labels(h)) for h in after.heads()),
        bases=tuple(point(graph, b, graph.revisions[b].branch_labels) for b in graph.bases()),
        merge_points=tuple(graph.merge_points()),
        # the JSON report's `edges`: the down_revision edges between revisions the drawing shows
        edges=tuple(
            (e.revision, e.target)
            for e in drawing.edges
            if e.kind == "down" and e.revision in drawn and e.target in drawn
        ),
        drawing=drawing,
    )

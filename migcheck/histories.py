"""The front half of every command: an environment's revision files read statically and cut into histories.

One layer below the engine: `check`, `status`, `fix` and `graph` all read environments through here (the
engine's `load()`), so they agree on which files form which history, on the per-environment settings and on
the paths they show.
"""

from __future__ import annotations

import gc
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from migcheck.config import EnvironmentSettings, ExpectedHeads
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.graph import RevisionGraph
from migcheck.paths import relative
from migcheck.result import HistoryFacts, Point
from migcheck.scripts import Revision, Unreadable, iter_revision_files, read_revision
from migcheck.syntaxcache import CompileCache, cache_file


@dataclass(frozen=True)
class History:
    """One history to check: a graph, the files that could not be read, and what the user expects of it."""

    name: str
    graph: RevisionGraph
    unreadable: tuple[Unreadable, ...] = ()
    expected_heads: ExpectedHeads = None
    # with --base: revisions the base branch has; references to them resolve once the change is merged
    external: frozenset[str] = frozenset()
    # with --base: every revision the base branch has (never re-pointed: it may have run in production)
    on_base: frozenset[str] = frozenset()


def live_heads(graph: RevisionGraph) -> list[str]:
    """Heads, less those cut off by a missing down_revision (MC102 reports those, not MC101)."""
    orphaned = {d.revision.id for d in graph.dangling if d.kind == "down_revision"}
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
    env: Environment, shown_from: Path, resolver: ConstantResolver, notices: list[str]
) -> tuple[list[Revision], list[Unreadable]]:
    """Every revision file of `env`, read statically; what cannot be read comes back as `Unreadable`.

    Each `Revision.path` is shown relative to `shown_from`."""
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
    compiled = CompileCache(cache_file())
    try:
        for file in iter_revision_files(
            env.version_locations, recursive=env.recursive, sourceless=env.sourceless
        ):
            item = read_revision(file, display(file, shown_from), resolver, compiled)
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
    compiled.save()
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
) -> list[History]:
    """One history per environment, or one per subdirectory when disconnected histories live apart.

    `shown_from`: the directory the revisions' paths are relative to."""
    revisions, unreadable = list(revisions), tuple(unreadable)
    if env.split_histories:
        groups = _split_by_subdirectory(env, shown_from, revisions)
        if groups is not None:
            stray = {u.path: _subdir_of(env, shown_from, u.path) for u in unreadable}
            # an unreadable file in a subdirectory of its own still needs a history to be reported in
            for sub in sorted(set(stray.values()) - set(groups)):
                groups[sub] = []
            return [
                History(
                    f"{env.name} [{sub}]" if sub else env.name,
                    RevisionGraph(revs),
                    tuple(u for u in unreadable if stray[u.path] == sub),
                    expected,
                )
                for sub, revs in groups.items()
            ]
    return [History(env.name, RevisionGraph(revisions), unreadable, expected)]


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
    env: Environment, shown_from: Path, revisions: list[Revision]
) -> dict[str, list[Revision]] | None:
    """Histories kept in separate subdirectories (versions/postgresql/, versions/sqlite/) with no link between them."""
    groups: dict[str, list[Revision]] = defaultdict(list)
    for rev in revisions:
        groups[_subdir_of(env, shown_from, rev.path)].append(rev)
    if len(groups) < 2 or "" in groups:
        return None
    owner = {rev.id: sub for sub, revs in groups.items() for rev in revs}
    for sub, revs in groups.items():
        for rev in revs:
            links = (*rev.down_revisions, *rev.depends_on)
            if any(owner.get(link, sub) != sub for link in links):
                return None
    return dict(sorted(groups.items()))


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
    history: History, env: Environment, shown_from: Path, merged: RevisionGraph | None = None
) -> HistoryFacts:
    """The history's shape; with --base, its heads are those of the merge result (what main will have)."""
    graph = history.graph
    after = merged if merged is not None else graph

    def point(where: RevisionGraph, rid: str, labels: tuple[str, ...]) -> Point:
        rev = where.revisions[rid]
        return Point(rid, rev.path, rev.revision_line, labels)

    def head_labels(rid: str) -> tuple[str, ...]:
        return tuple(sorted(label for label in after.lineage_labels(rid) if not label.startswith("<")))

    return HistoryFacts(
        environment=history.name,
        script_location=display(env.script_location, shown_from),
        revision_count=len(graph),
        heads=tuple(point(after, h, head_labels(h)) for h in after.heads()),
        bases=tuple(point(graph, b, graph.revisions[b].branch_labels) for b in graph.bases()),
        merge_points=tuple(graph.merge_points()),
        edges=_near_heads(after),
    )


def _near_heads(graph: RevisionGraph, depth: int = 4, limit: int = 60) -> tuple[tuple[str, str], ...]:
    """Edges among the revisions at most `depth` steps below a head (and their fork points), at most `limit`."""
    keep = graph.near_heads(depth)
    ordered = [rid for rid in graph.revisions if rid in keep][-limit:]
    chosen = set(ordered)
    return tuple((rid, down) for rid in ordered for down in graph.parents(rid) if down in chosen)

"""The front half of every command: an environment's revision files read statically and cut into histories.

One layer below the engine: `check`, `status`, `fix` and `graph` all read environments through here (the
engine's `load()`), so they agree on which files form which history, on the per-environment settings and on
the paths they show.
"""

from __future__ import annotations

import gc
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from migcheck.config import EnvironmentSettings, ExpectedHeads
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.graph import RevisionGraph
from migcheck.graphshape import COMMENT_DEPTH, COMMENT_LIMITS, select
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


def display(path: str | Path, root: Path) -> str:
    """The path shown in findings: relative to the checked root, with forward slashes."""
    path, prefix = os.fspath(path), os.path.join(root, "")
    shown = path[len(prefix) :] if path.startswith(prefix) else path
    return shown.replace(os.sep, "/")


def read_environment(
    env: Environment, root: Path, resolver: ConstantResolver, notices: list[str]
) -> tuple[list[Revision], list[Unreadable]]:
    """Every revision file of `env`, read statically; what cannot be read comes back as `Unreadable`."""
    revisions: list[Revision] = []
    unreadable: list[Unreadable] = []
    for location in env.version_locations:
        if not os.path.lexists(location):
            notices.append(
                f"{env.name}: version location {display(location, root)} does not exist; nothing read there"
            )
        elif not location.is_dir():
            raise _unusable(env, location, root, _not_a_directory(location))
    # Parsing allocates many short-lived AST nodes that hold no cycles; the cyclic GC only slows that down.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    compiled = CompileCache(cache_file())
    try:
        for file in iter_revision_files(
            env.version_locations, recursive=env.recursive, sourceless=env.sourceless
        ):
            item = read_revision(file, display(file, root), resolver, compiled)
            if isinstance(item, Revision):
                revisions.append(item)
            else:
                unreadable.append(item)
                if item.declared is not None:
                    revisions.append(item.declared)
    except OSError as exc:
        where = Path(os.fsdecode(exc.filename)) if exc.filename is not None else env.version_locations[0]
        raise _unusable(env, where, root, f"cannot be listed: {exc.strerror or exc}") from None
    finally:
        if gc_was_enabled:
            gc.enable()
    compiled.save()
    return revisions, unreadable


def _not_a_directory(location: Path) -> str:
    if location.is_symlink() and not location.exists():
        return f"is a symbolic link to {os.readlink(location)!r}, which does not exist"
    return "is not a directory"


def _unusable(env: Environment, path: Path, root: Path, problem: str) -> MigcheckError:
    """An environment whose revision files cannot all be listed cannot be checked: Alembic would silently skip
    them, and a check that read nothing must not say ok."""
    return MigcheckError(
        f"{env.name}: version location {display(path, root)} {problem}; migcheck cannot list the revision"
        " files there, so it cannot check this environment (fix the path in the configuration, or the"
        " directory's permissions)"
    )


def split_histories(
    env: Environment,
    root: Path,
    revisions: Iterable[Revision],
    unreadable: Iterable[Unreadable] = (),
    expected: ExpectedHeads = None,
) -> list[History]:
    """One history per environment, or one per subdirectory when disconnected histories live apart."""
    revisions, unreadable = list(revisions), tuple(unreadable)
    if env.split_histories:
        groups = _split_by_subdirectory(env, root, revisions)
        if groups is not None:
            stray = {u.path: _subdir_of(env, root, u.path) for u in unreadable}
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


def _subdir_of(env: Environment, root: Path, shown: str) -> str:
    path = Path(shown) if Path(shown).is_absolute() else root / shown
    for location in env.version_locations:
        try:
            parts = path.relative_to(location).parts
        except ValueError:
            continue
        return parts[0] if len(parts) > 1 else ""
    return ""


def _split_by_subdirectory(
    env: Environment, root: Path, revisions: list[Revision]
) -> dict[str, list[Revision]] | None:
    """Histories kept in separate subdirectories (versions/postgresql/, versions/sqlite/) with no link between them."""
    groups: dict[str, list[Revision]] = defaultdict(list)
    for rev in revisions:
        groups[_subdir_of(env, root, rev.path)].append(rev)
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
    history: History, env: Environment, root: Path, merged: RevisionGraph | None = None
) -> HistoryFacts:
    """The history's shape; with --base, its heads are those of the merge result (what main will have)."""
    graph = history.graph
    after = merged if merged is not None else graph

    def point(where: RevisionGraph, rid: str, labels: tuple[str, ...]) -> Point:
        rev = where.revisions[rid]
        return Point(rid, rev.path, rev.revision_line, labels)

    def head_labels(rid: str) -> tuple[str, ...]:
        return tuple(sorted(label for label in after.lineage_labels(rid) if not label.startswith("<")))

    drawing = select(after, COMMENT_DEPTH, limits=COMMENT_LIMITS)
    drawn = after.revisions
    return HistoryFacts(
        environment=history.name,
        script_location=display(env.script_location, root),
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

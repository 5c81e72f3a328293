"""The front half of every command: an environment's revision files read statically and cut into histories.

One layer below the engine: `check`, `status`, `fix` and `graph` all read environments through here (the
engine's `load()`), so they agree on which files form which history, on the per-environment settings and on
the paths they show.
"""

from __future__ import annotations

import gc
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from migcheck.config import EnvironmentSettings, ExpectedHeads
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.fanout import read_all
from migcheck.gitbase import BaseTree
from migcheck.graph import RevisionGraph
from migcheck.result import HistoryFacts, Point, Split
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
    # with --base: the ids of the revisions this change adds (not on the base branch); None without a base
    new: frozenset[str] | None = None
    # the subdirectory of the version location holding this history, when the environment splits by them
    subdirectory: str | None = None


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
    env: Environment,
    root: Path,
    resolver: ConstantResolver,
    notices: list[str],
    merged: Callable[[bytes], bool] | None = None,
) -> tuple[list[Revision], list[Unreadable]]:
    """Every revision file of `env`, read statically; what cannot be read comes back as `Unreadable`.

    A file `merged` recognizes (the same bytes as a file of the base branch) skips the syntax check.
    """
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
        files = list(
            iter_revision_files(env.version_locations, recursive=env.recursive, sourceless=env.sourceless)
        )
        items = read_all(
            files, lambda file: read_revision(file, display(file, root), resolver, compiled, merged), compiled
        )
        for item in items:
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
    notices: list[str] | None = None,
) -> list[History]:
    """One history per environment, or one per subdirectory when each subdirectory is a history of its own.

    A note goes to `notices` when subdirectories that share revision ids are checked as one history anyway.
    """
    revisions, unreadable = list(revisions), tuple(unreadable)
    if env.split_histories:
        groups = _split_by_subdirectory(env, root, revisions, notices if notices is not None else [])
        if groups is not None:
            stray = {u.path: _subdir_of(env, root, u.path) for u in unreadable}
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
    env: Environment, root: Path, revisions: list[Revision], notices: list[str]
) -> dict[str, list[Revision]] | None:
    """Histories kept in separate subdirectories (versions/postgresql/, versions/sqlite/), each closed under
    down_revision/depends_on: every reference that resolves anywhere resolves inside its own subdirectory.

    The same id may then live in several subdirectories (the same change written once per database, each
    directory handed to Alembic on its own). A reference to an id that exists nowhere does not join
    subdirectories: it is MC102/MC106 in its own history.
    """
    groups: dict[str, list[Revision]] = defaultdict(list)
    for rev in revisions:
        groups[_subdir_of(env, root, rev.path)].append(rev)
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

    return HistoryFacts(
        environment=history.name,
        script_location=display(env.script_location, root),
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

"""RevisionGraph: heads, bases, merge points, ancestry and the graph's defects, as data. Pure: no I/O.

Every walk is iterative and visits each revision once, so a 10,000-revision chain costs linear time and no
recursion. Semantics follow Alembic's RevisionMap: only `down_revision` edges decide heads; `depends_on`
edges count for cycles and ordering; when an id is declared twice the later file wins, as in Alembic.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from migcheck.scripts import Revision


@dataclass(frozen=True)
class Dangling:
    """A reference to a revision (or, for depends_on, a branch label) that is not in the tree."""

    revision: Revision
    target: str
    kind: str  # "down_revision" or "depends_on"


class RevisionGraph:
    """The revision graph of one history."""

    def __init__(self, revisions: Iterable[Revision]) -> None:
        self.all: tuple[Revision, ...] = tuple(revisions)
        self.revisions: dict[str, Revision] = {}
        seen: dict[str, list[Revision]] = defaultdict(list)
        for rev in self.all:
            seen[rev.id].append(rev)
            self.revisions[rev.id] = rev
        self.duplicates: dict[str, list[Revision]] = {k: v for k, v in seen.items() if len(v) > 1}
        self.labels: dict[str, str] = {}
        # (label, revision declaring it, revision or label owner it collides with), as Alembic refuses them
        self.label_conflicts: list[tuple[str, Revision, str]] = []
        # whether any revision carries a label at all: when none does, no lineage needs walking for them
        self.labelled = False
        for rev in self.revisions.values():
            if rev.branch_labels or rev.unknown_labels:
                self.labelled = True
            for label in rev.branch_labels:
                if label in self.revisions:
                    self.label_conflicts.append((label, rev, label))
                elif label in self.labels and self.labels[label] != rev.id:
                    self.label_conflicts.append((label, rev, self.labels[label]))
                else:
                    self.labels.setdefault(label, rev.id)
        self.children: dict[str, list[str]] = defaultdict(list)
        self.dependents: dict[str, list[str]] = defaultdict(list)
        self.dangling: list[Dangling] = []
        for rev in self.revisions.values():
            for down in dict.fromkeys(rev.down_revisions):
                if down in self.revisions:
                    self.children[down].append(rev.id)
                else:
                    self.dangling.append(Dangling(rev, down, "down_revision"))
            for dep in rev.depends_on:
                target = self.resolve(dep)
                if target is None:
                    self.dangling.append(Dangling(rev, dep, "depends_on"))
                else:
                    self.dependents[target].append(rev.id)

    def __len__(self) -> int:
        return len(self.revisions)

    def resolve(self, name: str) -> str | None:
        """A revision id for an id or a branch label (what depends_on may name)."""
        if name in self.revisions:
            return name
        return self.labels.get(name)

    def heads(self) -> list[str]:
        return [rid for rid in self.revisions if not self.children.get(rid)]

    def bases(self) -> list[str]:
        return [rid for rid, rev in self.revisions.items() if rev.is_base]

    def merge_points(self) -> list[str]:
        return [rid for rid, rev in self.revisions.items() if len(rev.down_revisions) > 1]

    def branch_points(self) -> list[str]:
        return [rid for rid in self.revisions if len(self.children.get(rid, ())) > 1]

    def parents(self, rid: str) -> list[str]:
        return [d for d in self.revisions[rid].down_revisions if d in self.revisions]

    def upgrade_order(self, only: Iterable[str] | None = None) -> list[str]:
        """Revisions (all, or those in `only`) in the order `alembic upgrade` runs them: each after its
        down_revisions and what it depends_on, ties by id for stable output. Members of a cycle never become
        ready: they come last, sorted (MC104 reports the cycle)."""
        chosen = set(self.revisions) if only is None else set(only)
        needs: dict[str, set[str]] = {}
        for rid in chosen:
            rev = self.revisions.get(rid)
            resolved = (self.resolve(d) for d in (rev.depends_on if rev is not None else ()))
            deps = {d for d in resolved if d is not None}
            needs[rid] = ({*self.parents(rid)} | deps) & chosen - {rid}
        waiting = {rid: len(n) for rid, n in needs.items()}
        unlocks: dict[str, list[str]] = defaultdict(list)
        for rid, n in needs.items():
            for need in n:
                unlocks[need].append(rid)
        ready = [rid for rid, n in waiting.items() if n == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            rid = heapq.heappop(ready)
            order.append(rid)
            for later in unlocks[rid]:
                waiting[later] -= 1
                if waiting[later] == 0:
                    heapq.heappush(ready, later)
        return order + sorted(chosen - set(order))

    def ancestors(self, rid: str, *, inclusive: bool = True) -> set[str]:
        """Every revision `rid` descends from through down_revision (itself too when inclusive)."""
        return self._walk([rid], self.parents, inclusive)

    def descendants(self, rid: str, *, inclusive: bool = True) -> set[str]:
        return self._walk([rid], lambda r: self.children.get(r, []), inclusive)

    def _walk(self, start: Sequence[str], step, inclusive: bool) -> set[str]:  # type: ignore[no-untyped-def]
        seen: set[str] = set()
        stack = [n for s in start for n in ([s] if inclusive else step(s))]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(step(node))
        return seen

    def lineage_labels(self, rid: str) -> set[str]:
        """Branch labels carried by `rid` and its ancestors; an unresolved label counts as its own label."""
        labels: set[str] = set()
        if not self.labelled:
            return labels
        for node in self.ancestors(rid):
            rev = self.revisions[node]
            labels.update(rev.branch_labels)
            if rev.unknown_labels:
                labels.add(f"<unresolved label of {node}>")
        return labels

    def fork_points(self, heads: Sequence[str]) -> list[str]:
        """The nearest revisions that every head descends from (usually one)."""
        common: set[str] | None = None
        for head in heads:
            common = self.ancestors(head) if common is None else common & self.ancestors(head)
        if not common:
            return []
        # nearest: common ancestors none of whose children is also a common ancestor
        return [
            rid
            for rid in self.revisions
            if rid in common and not any(c in common for c in self.children[rid])
        ]

    def cycles(self) -> list[list[str]]:
        """Each cycle (down_revision and depends_on edges), its members in order of the references."""

        def edges(rid: str) -> list[str]:
            rev = self.revisions[rid]
            if not rev.depends_on:
                return [d for d in rev.down_revisions if d in self.revisions]
            deps = [self.resolve(d) for d in rev.depends_on]
            return [d for d in (*rev.down_revisions, *deps) if d is not None and d in self.revisions]

        # Peel off (Kahn) every revision no remaining one references: what is left is the cycles and what they
        # reference. An acyclic tree, the usual case, ends here after one cheap pass instead of Tarjan's walk.
        references = {rid: edges(rid) for rid in self.revisions}
        pending = dict.fromkeys(self.revisions, 0)
        for targets in references.values():
            for target in targets:
                pending[target] += 1
        free = [rid for rid, count in pending.items() if count == 0]
        while free:
            for target in references[free.pop()]:
                pending[target] -= 1
                if pending[target] == 0:
                    free.append(target)
        left = [rid for rid, count in pending.items() if count]
        found = []
        for component in _strongly_connected(left, references.__getitem__):
            if len(component) > 1 or component[0] in references[component[0]]:
                found.append(_cycle_order(component, references.__getitem__))
        return found

    def components(self) -> list[set[str]]:
        """Weakly connected groups of revisions (separate histories when nothing links them)."""
        parent = {rid: rid for rid in self.revisions}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for rid, rev in self.revisions.items():
            for other in (*rev.down_revisions, *(self.resolve(d) for d in rev.depends_on)):
                if other is not None and other in parent:
                    parent[find(other)] = find(rid)
        groups: dict[str, set[str]] = defaultdict(set)
        for rid in self.revisions:
            groups[find(rid)].add(rid)
        return list(groups.values())


def _strongly_connected(nodes: list[str], edges) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Tarjan's algorithm, iterative, so deep chains never hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges(nxt))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _cycle_order(component: list[str], edges) -> list[str]:  # type: ignore[no-untyped-def]
    """Members of a strongly connected component as one walk from its first member back to it."""
    members = set(component)
    start = min(component)
    order = [start]
    seen = {start}
    node = start
    while True:
        nxt = next((n for n in edges(node) if n in members and n not in seen), None)
        if nxt is None:
            break
        order.append(nxt)
        seen.add(nxt)
        node = nxt
    return order + [start]

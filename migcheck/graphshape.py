"""The part of a revision graph worth drawing, and its Mermaid drawing: one selection for `migcheck graph` and
the PR comment.

A 300-revision history drawn whole is a 36,000-pixel chain, and Mermaid refuses a document over 500 edges or
50,000 characters. So `select` keeps what matters: every head (with its branch labels), where the heads
diverged, the bases, branch and merge points and both ends of each depends_on, and the last N revisions below
each head; each connected run of the rest becomes one "… 37 revisions" node with the edges passing through
it. Given limits, it shrinks N, then keeps fewer of the structural points, then fewer heads, each as little as
needed for the Mermaid document to fit, and says what it left out.

Pure: a RevisionGraph in, plain data (`result.Drawing`) out; `mermaid()` turns that into a document.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from migcheck.graph import RevisionGraph
from migcheck.result import Drawing, DrawnEdge, DrawnNode

DEFAULT_DEPTH = 10  # revisions drawn below each head by `migcheck graph`
SHORT_ID = 12  # characters of a revision id shown in a node (Alembic's own ids are 12 hex digits)
_MAX_TEXT = 80  # characters of a node's text: a long docstring line must not widen the whole drawing


@dataclass(frozen=True)
class Limits:
    """The most a Mermaid document may hold: Mermaid's defaults are `maxEdges` 500 and `maxTextSize` 50,000."""

    edges: int = 500
    chars: int = 50_000


MERMAID_DEFAULTS = Limits()
# Each diagram in the PR comment: up to three share the comment's 65,536 characters with the findings.
COMMENT_DEPTH, COMMENT_LIMITS = 4, Limits(edges=60, chars=6_000)


@dataclass(frozen=True)
class _Plan:
    tail: int | None  # revisions kept below each head; None: all
    structure: int | None  # structural points kept, nearest the heads first; None: all
    heads: int | None  # heads kept; None: all


def select(graph: RevisionGraph, depth: int = DEFAULT_DEPTH, *, limits: Limits | None = None) -> Drawing:
    """What to draw of `graph`: `depth` revisions below each head (0: every revision), the rest elided.

    With `limits`, the Mermaid document of the result (`mermaid`) stays within them: the selection shrinks
    until it does, and `Drawing.left_out` says what was left out and how to see it.
    """
    shape = _Shape(graph)
    wanted = None if depth <= 0 else depth

    def draw(plan: _Plan) -> Drawing:
        left_out = _left_out(plan, wanted, len(shape.structure), len(shape.heads), limits)
        return replace(shape.draw(plan), left_out=left_out)

    if limits is None:
        return draw(_Plan(wanted, None, None))
    drawing = draw(_Plan(wanted, None, None))
    if _fits(drawing, limits):
        return drawing
    # the longest tail that fits; then the structural points nearest the heads, as many as fit; then as many
    # heads as fit (bisecting each: the more of it, the larger the drawing)
    longest = len(shape.order) if wanted is None else wanted - 1
    found = _most(lambda n: draw(_Plan(n, None, None)), 0, longest, limits)
    if found is None:
        found = _most(lambda n: draw(_Plan(0, n, None)), 0, len(shape.structure) - 1, limits)
    if found is None:
        found = _most(lambda n: draw(_Plan(0, 0, n)), 1, len(shape.heads) - 1, limits)
    # one head and nothing else always fits: every elided group is one node next to it
    return found if found is not None else draw(_Plan(0, 0, 1))


def _most(draw: Callable[[int], Drawing], low: int, high: int, limits: Limits) -> Drawing | None:
    """The drawing for the largest n in [low, high] that fits, or None when not even `low` does."""
    best = None
    while low <= high:
        middle = (low + high) // 2
        drawing = draw(middle)
        if _fits(drawing, limits):
            low, best = middle + 1, drawing
        else:
            high = middle - 1
    return best


def newest_first(graph: RevisionGraph) -> list[str]:
    """Heads first, every revision before the ones it revises (a reversed topological order); revisions on a
    cycle come last, in file order."""
    waiting = {rid: len(set(graph.children.get(rid, ()))) for rid in graph.revisions}
    ready = deque(rid for rid, n in waiting.items() if n == 0)
    order: list[str] = []
    while ready:
        rid = ready.popleft()
        order.append(rid)
        for parent in dict.fromkeys(graph.parents(rid)):
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    placed = set(order)
    return order + [rid for rid in graph.revisions if rid not in placed]


class _Shape:
    """What every selection of one graph shares, computed once: `select` may draw a dozen of them."""

    def __init__(self, graph: RevisionGraph) -> None:
        self.graph = graph
        self.order = newest_first(graph)
        self.parents = {rid: list(dict.fromkeys(graph.parents(rid))) for rid in self.order}
        self.depends = {
            rid: [t for t in dict.fromkeys(map(graph.resolve, rev.depends_on)) if t is not None]
            for rid, rev in graph.revisions.items()
        }
        # the longest history first: when not every head fits, the main line's head is the one kept
        generation: dict[str, int] = {}
        for rid in reversed(self.order):
            generation[rid] = 1 + max((generation.get(p, 0) for p in self.parents[rid]), default=0)
        position = {rid: i for i, rid in enumerate(self.order)}
        heads = [rid for rid in self.order if not graph.children.get(rid)]
        self.heads = sorted(heads, key=lambda h: (-generation[h], position[h]))
        self.reach = self._head_masks()
        self.structure = self._structure(position)
        self.labels = self._head_labels()
        self._nodes: dict[str, DrawnNode] = {}

    def draw(self, plan: _Plan) -> Drawing:
        chosen = self.heads if plan.heads is None else self.heads[: plan.heads]
        keep = set(chosen) | self._divergence(len(chosen))
        keep |= set(self.structure if plan.structure is None else self.structure[: plan.structure])
        keep |= set(self.order) if plan.tail is None else set(self._distances(chosen, plan.tail))
        return self._elide(keep)

    def _head_masks(self) -> dict[str, int]:
        """For each revision, the heads above it as bits of an int (one pass, children before parents): head
        i is bit i, so the first n heads are the mask 2**n - 1."""
        mask = dict.fromkeys(self.order, 0)
        for bit, head in enumerate(self.heads):
            mask[head] |= 1 << bit
        for rid in self.order:
            for parent in self.parents[rid]:
                mask[parent] |= mask[rid]
        return mask

    def _divergence(self, chosen: int) -> set[str]:
        """Where the first `chosen` heads diverged: revisions whose children lead to different sets of them."""
        if chosen < 2:
            return set()
        wanted = (1 << chosen) - 1
        found = set()
        for rid, children in self.graph.children.items():
            if len(children) > 1 and len({self.reach[c] & wanted for c in children} - {0}) > 1:
                found.add(rid)
        return found

    def _structure(self, position: dict[str, int]) -> list[str]:
        """Bases, branch and merge points and both ends of each depends_on, nearest a head first."""
        graph = self.graph
        points: set[str] = set(graph.bases()) | set(graph.branch_points()) | set(graph.merge_points())
        for rid, targets in self.depends.items():
            if targets:
                points |= {*targets, rid}
        points -= set(self.heads)
        distance = self._distances(self.heads)
        return sorted(points, key=lambda rid: (distance.get(rid, len(position)), position[rid]))

    def _distances(self, heads: Sequence[str], limit: int | None = None) -> dict[str, int]:
        """Steps down from the nearest of `heads` (breadth first over down_revisions), up to `limit`."""
        distance = dict.fromkeys(heads, 0)
        queue = deque(heads)
        while queue:
            rid = queue.popleft()
            if limit is not None and distance[rid] >= limit:
                continue
            for parent in self.parents[rid]:
                if parent not in distance:
                    distance[parent] = distance[rid] + 1
                    queue.append(parent)
        return distance

    def _head_labels(self) -> dict[str, tuple[str, ...]]:
        """Each head's branch labels and its lineage's (what `alembic upgrade <label>@head` reaches it by), in
        one pass from the bases up: `RevisionGraph.lineage_labels` would walk the history once per head."""
        lineage: dict[str, frozenset[str]] = {}
        for rid in reversed(self.order):
            inherited = [lineage.get(p, frozenset()) for p in self.parents[rid]]
            own = frozenset(self.graph.revisions[rid].branch_labels)
            # a revision that adds nothing shares its parent's set: memory stays linear in a long chain
            single = len(inherited) == 1 and own <= inherited[0]
            lineage[rid] = inherited[0] if single else own.union(*inherited)
        return {h: tuple(sorted(lineage[h])) for h in self.heads}

    def _elide(self, keep: set[str]) -> Drawing:
        """The kept revisions, each connected group of the others as one elided node, and the edges between."""
        group = {rid: rid for rid in self.order if rid not in keep}

        def find(rid: str) -> str:
            while group[rid] != rid:
                group[rid] = group[group[rid]]
                rid = group[rid]
            return rid

        for rid in group:
            for parent in self.parents[rid]:
                if parent in group:
                    group[find(parent)] = find(rid)
        root = {rid: find(rid) for rid in group}
        members: dict[str, int] = {}
        for top in root.values():
            members[top] = members.get(top, 0) + 1
        # a node standing for one revision may as well be that revision
        keep = keep | {rid for rid, top in root.items() if members[top] == 1}
        key = {rid: rid for rid in keep}
        named: dict[str, str] = {}
        nodes = []
        for rid in self.order:
            if rid in keep:
                nodes.append(self._node(rid))
                continue
            top = root[rid]
            if top not in named:
                name = f"…{len(named) + 1}"
                while name in self.graph.revisions:  # a key that is no revision's id
                    name = "…" + name
                named[top] = name
                nodes.append(DrawnNode(name, elided=members[top]))
            key[rid] = named[top]
        edges: dict[DrawnEdge, None] = {}
        for rid in self.order:
            for target in self.parents[rid]:
                if key[target] != key[rid]:
                    edges[DrawnEdge(key[rid], key[target])] = None
            # depends_on only between revisions drawn: "depends on something among … 37 revisions" says little
            if rid in keep:
                for target in self.depends[rid]:
                    if target in keep and target != rid:
                        edges[DrawnEdge(rid, target, "depends")] = None
        return Drawing(tuple(nodes), tuple(edges))

    def _node(self, rid: str) -> DrawnNode:
        if rid not in self._nodes:
            graph, rev = self.graph, self.graph.revisions[rid]
            head = not graph.children.get(rid)
            marks = [
                mark
                for mark, applies in (
                    ("head", head),
                    ("base", rev.is_base),
                    ("mergepoint", len(rev.down_revisions) > 1),
                    ("branchpoint", len(set(graph.children.get(rid, ()))) > 1),
                )
                if applies
            ]
            labels = self.labels[rid] if head else rev.branch_labels
            self._nodes[rid] = DrawnNode(rid, rev.message or "", labels, tuple(marks))
        return self._nodes[rid]


def _fits(drawing: Drawing, limits: Limits) -> bool:
    # room for what `mermaid()` may add after the selection: a title, the note, the `new` class line
    spare = 600 + 8 * len(drawing.nodes)
    return len(drawing.edges) <= limits.edges and len(mermaid(drawing)) + spare <= limits.chars


def _left_out(plan: _Plan, wanted: int | None, structure: int, heads: int, limits: Limits | None) -> str:
    if limits is None or plan == _Plan(wanted, None, None):
        return ""
    drawn = [f"the last {plan.tail} revisions below each head" if plan.tail else "no revision below a head"]
    if plan.structure is not None:
        drawn.append(f"{plan.structure} of {structure} bases, branch, merge and depends_on points")
    if plan.heads is not None:
        drawn.append(f"{plan.heads} of {heads} heads")
    return (
        f"drawn: {', '.join(drawn)}, to stay within {limits.edges:,} edges and {limits.chars:,} characters"
        + (" (Mermaid's limits)" if limits == MERMAID_DEFAULTS else "")
        + "; `migcheck graph --depth 0 --format text` (or `--format dot`) shows every revision"
    )


def node_text(node: DrawnNode) -> str:
    """A node's text: the short id, a head's branch labels and the message; or how many revisions it stands for."""
    if node.elided:
        return f"… {node.elided:,} revision{'s' if node.elided != 1 else ''}"
    text = node.key[:SHORT_ID] + (f" ({', '.join(node.labels)})" if node.labels else "")
    text += f": {node.message}" if node.message else ""
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


# `%` too: Mermaid finds a `%%{init: ...}%%` directive anywhere in the document, even inside a label
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    ";": "#59;",
    "%": "#37;",
}
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: it cannot close the quotes, start markup or break the line."""
    return "".join(_ENTITIES.get(c, c) for c in _UNPRINTABLE.sub(" ", text))


def _comment(text: str) -> str:
    """A `%%` comment's text: one line, and never a directive."""
    return _UNPRINTABLE.sub(" ", text).replace("%", " ")[:300]


def mermaid(drawing: Drawing, *, new: Collection[str] = (), title: str = "") -> str:
    """A Mermaid flowchart, oldest at the bottom: down_revision edges solid, depends_on edges dashed, heads
    highlighted, elided runs grey, `new` revisions outlined. Node ids are generated (`r0`, `r1`, ...), so no
    revision id ever becomes Mermaid syntax."""
    ids = {node.key: f"r{i}" for i, node in enumerate(drawing.nodes)}
    lines = ["flowchart BT"]
    lines += [f"    %% {_comment(note)}" for note in (title, drawing.left_out) if note]
    lines += [f'    {ids[n.key]}["{mermaid_text(node_text(n))}"]' for n in drawing.nodes]
    arrows = {"down": "-->", "depends": "-.->"}
    lines += [f"    {ids[e.target]} {arrows[e.kind]} {ids[e.revision]}" for e in drawing.edges]
    styles = {
        "head": ("fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#1f2328", lambda n: "head" in n.marks),
        "elided": ("fill:#f6f8fa,stroke:#8c959f,stroke-dasharray:3 3,color:#59636e", lambda n: n.elided > 0),
        "new": ("stroke:#0969da,stroke-width:3px", lambda n: n.key in new and not n.elided),
    }
    for name, (style, member) in styles.items():
        chosen = [ids[n.key] for n in drawing.nodes if member(n)]
        if chosen:
            lines += [f"    classDef {name} {style}", f"    class {','.join(chosen)} {name}"]
    return "\n".join(lines) + "\n"

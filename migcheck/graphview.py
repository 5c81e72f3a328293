"""`migcheck graph`: the revision graph as text (like `alembic history --verbose`, but static), Mermaid or dot.

Heads, bases, merge points, branch points and branch labels are marked; with --base, so are the revisions the
change adds. Pure: a RevisionGraph in, a string out.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from migcheck.graph import RevisionGraph

if TYPE_CHECKING:
    from migcheck.config import Settings

FORMATS = ("text", "mermaid", "dot")


def render_graph(
    graph: RevisionGraph, fmt: str, *, new: Collection[str] = (), only: Collection[str] = ()
) -> str:
    """`only`, when given, limits the drawing to those revisions (e.g. the neighbourhood of the heads)."""
    order = [r for r in _newest_first(graph) if not only or r in only]
    return {"text": _text, "mermaid": _mermaid, "dot": _dot}[fmt](graph, order, set(new))


def _newest_first(graph: RevisionGraph) -> list[str]:
    """Heads first, every revision before the ones it revises (a reversed topological order)."""
    waiting = {rid: len(set(graph.children.get(rid, []))) for rid in graph.revisions}
    ready = [rid for rid, n in waiting.items() if n == 0]
    order: list[str] = []
    while ready:
        rid = ready.pop(0)
        order.append(rid)
        for parent in dict.fromkeys(graph.parents(rid)):
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    return order + [r for r in graph.revisions if r not in set(order)]  # cycles, drawn anyway


def _marks(graph: RevisionGraph, rid: str, new: set[str]) -> list[str]:
    rev = graph.revisions[rid]
    marks = []
    if not graph.children.get(rid):
        marks.append("head")
    if rev.is_base:
        marks.append("base")
    if len(rev.down_revisions) > 1:
        marks.append("mergepoint")
    if len(set(graph.children.get(rid, []))) > 1:
        marks.append("branchpoint")
    if rid in new:
        marks.append("new")
    return marks


def _text(graph: RevisionGraph, order: list[str], new: set[str]) -> str:
    lines = []
    for rid in order:
        rev = graph.revisions[rid]
        down = ", ".join(rev.down_revisions) or "<base>"
        marks = "".join(f" ({m})" for m in _marks(graph, rid, new))
        labels = f" [{', '.join(rev.branch_labels)}]" if rev.branch_labels else ""
        message = f", {rev.message}" if rev.message else ""
        lines.append(f"{down} -> {rid}{marks}{labels}{message}  {rev.path}:{rev.revision_line}")
    return "\n".join(lines) + "\n"


def _node(rid: str) -> str:
    return "r_" + re.sub(r"\W", "_", rid)


def _label(text: str) -> str:
    return re.sub(r'["<>\[\]{}|`]', "", text)[:60]


def _mermaid(graph: RevisionGraph, order: list[str], new: set[str]) -> str:
    shown = set(order)
    lines = ["flowchart BT"]
    for rid in order:
        rev = graph.revisions[rid]
        text = _label(rid + (f": {rev.message}" if rev.message else ""))
        marks = _marks(graph, rid, new)
        css = ":::new" if "new" in marks else ":::head" if "head" in marks else ""
        lines.append(f'    {_node(rid)}["{text}"]{css}')
    for rid in order:
        for parent in dict.fromkeys(graph.parents(rid)):
            if parent in shown:
                lines.append(f"    {_node(parent)} --> {_node(rid)}")
    lines.append("    classDef head fill:#fde2e1,stroke:#d1242f")
    lines.append("    classDef new fill:#ddf4ff,stroke:#0969da,stroke-width:2px")
    return "\n".join(lines) + "\n"


def _dot(graph: RevisionGraph, order: list[str], new: set[str]) -> str:
    shown = set(order)
    lines = ["digraph revisions {", "  rankdir=BT;", "  node [shape=box, fontname=monospace];"]
    for rid in order:
        rev = graph.revisions[rid]
        marks = _marks(graph, rid, new)
        label = _label(rid + (f"\\n{rev.message}" if rev.message else "")).replace('"', "")
        style = ', style=filled, fillcolor="#ddf4ff"' if "new" in marks else ""
        style += ", penwidth=2" if "head" in marks else ""
        lines.append(f'  "{rid}" [label="{label}"{style}];')
    for rid in order:
        for parent in dict.fromkeys(graph.parents(rid)):
            if parent in shown:
                lines.append(f'  "{parent}" -> "{rid}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def revision_graphs(settings: Settings) -> list[tuple[str, RevisionGraph, set[str]]]:
    """(history name, its graph, the revisions new relative to --base) for each history `migcheck check` would
    check (`engine.load`): one per environment, or one per subdirectory when an environment splits by them."""
    from migcheck.engine import load

    graphs = []
    for loaded in load(settings).environments:
        on_base = {part.name: {r.id for r in base.revisions} for part, base in loaded.against_base}
        for history in loaded.histories:
            base_ids = on_base.get(history.name)
            new = (
                {rid for rid in history.graph.revisions if rid not in base_ids}
                if base_ids is not None
                else set()
            )
            graphs.append((history.name, history.graph, new))
    return graphs

"""`migcheck graph`: the revision graph of each history as text (like `alembic history --verbose`, but static),
Mermaid or dot.

Heads (with their branch labels), bases, merge points, branch points, depends_on links and, with --base, the
revisions the change adds are marked. What is drawn is `graphshape.select`: the last `depth` revisions below
each head and every point where the shape changes, the rest as "… N revisions" nodes; a Mermaid document
also stays within Mermaid's default limits. Pure but for `histories_to_draw`: a RevisionGraph in, a string out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migcheck.graph import RevisionGraph
from migcheck.graphshape import DEFAULT_DEPTH, MERMAID_DEFAULTS, mermaid, node_text, select
from migcheck.result import Drawing

if TYPE_CHECKING:
    from migcheck.config import Settings

FORMATS = ("text", "mermaid", "dot")


@dataclass(frozen=True)
class Section:
    """One history's drawing, and what its bounds left out (for stderr), if anything."""

    text: str
    left_out: str


def render_graph(
    graph: RevisionGraph,
    fmt: str,
    *,
    new: Collection[str] = (),
    depth: int = DEFAULT_DEPTH,
    title: str = "",
) -> Section:
    """`depth` revisions below each head (0: all). Only Mermaid has size limits; text and dot draw what is
    asked."""
    drawing = select(graph, depth, limits=MERMAID_DEFAULTS if fmt == "mermaid" else None)
    if fmt == "mermaid":
        return Section(
            mermaid(drawing, new=new, title=f"history: {title}" if title else ""), drawing.left_out
        )
    return Section({"text": _text, "dot": _dot}[fmt](graph, drawing, set(new), title), drawing.left_out)


def _text(graph: RevisionGraph, drawing: Drawing, new: set[str], title: str) -> str:
    lines = [f"# {title}"] if title else []
    for node in drawing.nodes:
        if node.elided:
            lines.append(f"{node_text(node)} (--depth 0 shows them)")
            continue
        rev = graph.revisions[node.key]
        down = ", ".join(rev.down_revisions) or "<base>"
        marks = "".join(f" ({m})" for m in (*node.marks, *(["new"] if node.key in new else [])))
        labels = f" [{', '.join(node.labels)}]" if node.labels else ""
        message = f", {rev.message}" if rev.message else ""
        depends = f"; depends on: {', '.join(rev.depends_on)}" if rev.depends_on else ""
        lines.append(f"{down} -> {node.key}{marks}{labels}{message}{depends}  {rev.path}:{rev.revision_line}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A dot string: backslashes and quotes escaped, line breaks as spaces."""
    text = " ".join(text.splitlines()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _dot(graph: RevisionGraph, drawing: Drawing, new: set[str], title: str) -> str:
    lines = ["digraph revisions {", "  rankdir=BT;", "  node [shape=box, fontname=monospace];"]
    if title:
        lines.append(f"  label={_quoted(title)}; labelloc=t;")
    for node in drawing.nodes:
        style = ""
        if node.elided:
            style = ", style=dashed"
        elif node.key in new:
            style = ', style=filled, fillcolor="#ddf4ff"'
        style += ", penwidth=2" if "head" in node.marks else ""
        lines.append(f"  {_quoted(node.key)} [label={_quoted(node_text(node))}{style}];")
    for edge in drawing.edges:
        dashed = " [style=dashed]" if edge.kind == "depends" else ""
        lines.append(f"  {_quoted(edge.target)} -> {_quoted(edge.revision)}{dashed};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def histories_to_draw(settings: Settings) -> list[tuple[str, RevisionGraph, set[str]]]:
    """(history name, its graph, the revisions new relative to --base) for each history `migcheck check`
    would check (`engine.load`): one per environment, or per subdirectory when histories live apart."""
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

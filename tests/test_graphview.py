"""`migcheck graph`: the histories `migcheck check` would check (`engine.load`), drawn bounded: heads with their
branch labels, depends_on dashed, elided runs as one node, and never a Mermaid document over Mermaid's limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import copy_case, make_graph, make_tree, rev, versions_dir, working_directory, write_revision
from test_oracle import alembic_heads_and_bases

from migcheck.cli import main
from migcheck.graph import RevisionGraph
from migcheck.graphshape import MERMAID_DEFAULTS, mermaid, node_text, select
from migcheck.graphview import render_graph


def test_graph_draws_only_the_environments_configured_in_pyproject(
    alembic_project: Callable[[Path], Path], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    for name, rid in (("one", "a"), ("two", "b")):
        write_revision(alembic_project(repo / name), rid, None)
    (repo / "pyproject.toml").write_text('[tool.migcheck]\nenvironments = ["one"]\n')

    result = CliRunner().invoke(main, ["graph", str(repo)], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("# ")] == ["# one/migrations"]
    assert "b_rev.py" not in result.output


def test_graph_draws_each_history_of_an_environment_split_by_subdirectory_on_its_own(tmp_path: Path) -> None:
    root = copy_case("clean/per_dialect_shared_ids", tmp_path / "app")

    result = CliRunner().invoke(main, ["graph", str(root)], catch_exceptions=False)

    sections = {
        block.splitlines()[0]: block.splitlines()[1:] for block in result.output.strip().split("\n\n")
    }
    assert list(sections) == ["# migrations [postgresql]", "# migrations [sqlite]"]
    assert [line.split("  ")[0] for line in sections["# migrations [sqlite]"]] == [
        "bbbbbbbbbbbb -> eeeeeeeeeeee (head), create invoice",
        "aaaaaaaaaaaa -> bbbbbbbbbbbb, add account email",
        "<base> -> aaaaaaaaaaaa (base), create account",
    ]
    assert all("/postgresql/" in line for line in sections["# migrations [postgresql]"])
    assert len(sections["# migrations [postgresql]"]) == 5


# --- what is drawn (graphshape.select) and how ----------------------------------------------------------------

MERMAID_LINE = re.compile(
    r"flowchart BT"
    r"|    %% [^%\n]*"
    r'|    r\d+\["(?:[^"%;<>`#\n]|#\w+;)*"\]'
    r"|    r\d+ (?:-->|-\.->) r\d+"
    r"|    classDef (?:head|elided|new) [\w:#,.\- ]+"
    r"|    class r\d+(?:,r\d+)* (?:head|elided|new)"
)


def graph_cli(path: str, *args: str) -> tuple[str, str]:
    """`migcheck graph` run from the project (text output shows paths relative to the current directory)."""
    with working_directory(Path(path)):
        result = CliRunner().invoke(main, ["graph", ".", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def parse_mermaid(doc: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """(node id -> text, [(from text, arrow, to text)]), after checking every line is conservative Mermaid."""
    for line in doc.splitlines():
        assert MERMAID_LINE.fullmatch(line), line
    nodes = dict(re.findall(r'^    (r\d+)\["([^"]*)"\]$', doc, re.M))
    edges = re.findall(r"^    (r\d+) (-->|-\.->) (r\d+)$", doc, re.M)
    return nodes, [(nodes[a], arrow, nodes[b]) for a, arrow, b in edges]


def short(text: str) -> str:
    return text.split(":")[0].split(" (")[0]


def within_mermaid_limits(doc: str) -> bool:
    return len(re.findall(r" (?:-->|-\.->) ", doc)) <= 500 and len(doc) <= 50_000


def chain(n: int, prefix: str = "r", base: str | None = None) -> list[tuple[str, str | None]]:
    ids = [f"{prefix}{i:05d}" for i in range(n)]
    return [(rid, base if i == 0 else ids[i - 1]) for i, rid in enumerate(ids)]


def test_depends_on_edges_are_drawn_dashed_in_every_format(tmp_path: Path) -> None:
    tree = copy_case("clean/depends_on_edges", tmp_path / "case")
    mermaid, _ = graph_cli(str(tree), "--format", "mermaid")
    dot, _ = graph_cli(str(tree), "--format", "dot")
    text, _ = graph_cli(str(tree))

    _, edges = parse_mermaid(mermaid)
    dashed = {(short(a), short(b)) for a, arrow, b in edges if arrow == "-.->"}
    # depends_on points from what is needed to what needs it, as down_revision edges do; a label resolves
    assert dashed == {
        ("bbbbbbbbbbbb", "dddddddddddd"),
        ("cccccccccccc", "eeeeeeeeeeee"),
        ("dddddddddddd", "ffffffffffff"),  # depends_on = 'reporting', the label dddddddddddd declares
        ("ffffffffffff", "111111111111"),
        ("aaaaaaaaaaaa", "111111111111"),
    }
    assert ("cccccccccccc", "ffffffffffff") in {
        (short(a), short(b)) for a, arrow, b in edges if arrow == "-->"
    }
    assert '"dddddddddddd" -> "ffffffffffff" [style=dashed];' in dot
    assert '"cccccccccccc" -> "ffffffffffff";' in dot
    assert "add order report link; depends on: reporting  migrations/versions/ffffffffffff" in text


def test_heads_carry_their_own_and_their_lineage_branch_labels(tmp_path: Path) -> None:
    tree = copy_case("clean/expand_contract", tmp_path / "case")
    mermaid, _ = graph_cli(str(tree), "--format", "mermaid")
    text, _ = graph_cli(str(tree))

    nodes, _ = parse_mermaid(mermaid)
    heads = re.search(r"^    class (\S+) head$", mermaid, re.M)
    assert heads is not None
    assert sorted(nodes[n] for n in heads.group(1).split(",")) == [
        "111111111111 (expand, expand_2024_06): index invoice currency",
        "333333333333 (contract, contract_2024_06): make invoice currency required",
    ]
    assert "ffffffffffff -> 111111111111 (head) [expand, expand_2024_06], index invoice currency" in text
    assert "cccccccccccc -> dddddddddddd [expand], add account display_name" in text


@pytest.mark.parametrize("case", ["depends_on_edges", "expand_contract"])
def test_the_heads_and_bases_drawn_are_alembics(case: str, tmp_path: Path) -> None:
    tree = copy_case(f"clean/{case}", tmp_path / case)
    nodes, _ = parse_mermaid(graph_cli(str(tree), "--format", "mermaid")[0])
    dot, _ = graph_cli(str(tree), "--format", "dot")
    text, _ = graph_cli(str(tree))

    heads = {line.split(" -> ")[1].split()[0] for line in text.splitlines() if " (head)" in line}
    bases = {line.split(" -> ")[1].split()[0] for line in text.splitlines() if " (base)" in line}
    assert (heads, bases) == alembic_heads_and_bases(tree)
    assert {h for h in heads if f'"{h}" [label="{h} (' in dot and "penwidth=2" in dot} == heads
    assert len(nodes) == len(list(versions_dir(tree).glob("*.py")))  # small: nothing elided


def test_a_long_run_becomes_one_ellipsis_node_with_its_count() -> None:
    graph = make_graph(*chain(300))

    drawing = select(graph, 10)

    assert [n.key for n in drawing.nodes if not n.elided][:11] == [f"r{i:05d}" for i in range(299, 288, -1)]
    elided = [n for n in drawing.nodes if n.elided]
    assert [(node_text(n), n.key) for n in elided] == [("… 288 revisions", "…1")]
    assert drawing.nodes[-1].key == "r00000" and "base" in drawing.nodes[-1].marks
    keys = [(e.revision, e.target) for e in drawing.edges]
    assert ("r00289", "…1") in keys and ("…1", "r00000") in keys  # the chain passes through it
    assert len(drawing.edges) == 12


def test_the_fork_point_is_drawn_however_far_below_the_heads_it_is() -> None:
    trunk = chain(100)
    left = chain(60, "L", "r00099")
    right = chain(40, "R", "r00099")
    graph = make_graph(*trunk, *left, *right)

    drawing = select(graph, 5)
    keys = [n.key for n in drawing.nodes]

    assert "r00099" in keys and "branchpoint" in drawing.nodes[keys.index("r00099")].marks
    # between each head's tail and the fork point, one ellipsis each
    assert sorted(n.elided for n in drawing.nodes if n.elided) == [34, 54, 98]
    assert len(drawing.edges) == len(drawing.nodes) - 1  # still a tree


def test_depth_0_draws_every_revision(tmp_path: Path) -> None:
    specs = chain(300)
    root = make_tree(tmp_path, *specs, ("side", "r00100"), ("side2", "side", {"branch_labels": "side"}))
    text, _ = graph_cli(str(root), "--depth", "0")
    mermaid, _ = graph_cli(str(root), "--depth", "0", "--format", "mermaid")
    default, _ = graph_cli(str(root))

    assert len([line for line in text.splitlines() if " -> " in line]) == 302
    assert "…" not in text and "…" not in mermaid
    nodes, edges = parse_mermaid(mermaid)
    assert len(nodes) == 302 and len(edges) == 301
    assert len(default.splitlines()) < 40 and "revisions (--depth 0 shows them)" in default


def test_the_last_n_revisions_below_each_head_follow_depth(tmp_path: Path) -> None:
    root = make_tree(tmp_path, *chain(50))

    text, _ = graph_cli(str(root), "--depth", "3")

    drawn = [re.match(r"\S+ -> (\w+)", line) for line in text.splitlines()[1:5]]
    assert [m.group(1) for m in drawn if m] == ["r00049", "r00048", "r00047", "r00046"]
    assert "… 45 revisions (--depth 0 shows them)" in text


def _many_branches(n: int) -> list[tuple[Any, ...]]:
    """A trunk with a two-revision side branch every 10th revision, merged back every 20th: many heads, forks
    and merges; and a depends_on every 7th."""
    specs: list[tuple[Any, ...]] = [("t00000", None)]
    for i in range(1, n):
        down: Any = f"t{i - 1:05d}"
        extra = {"depends_on": f"t{i - 5:05d}"} if i % 7 == 0 and i > 5 else {}
        if i % 10 == 0:
            specs.append((f"s{i:05d}", down))
            specs.append((f"x{i:05d}", f"s{i:05d}"))
            if i % 20 == 0:
                down = (down, f"x{i - 10:05d}")
        specs.append((f"t{i:05d}", down, extra))
    return specs


@pytest.mark.parametrize("size", [1_000, 10_000])
@pytest.mark.parametrize("shape", ["chain", "branches"])
@pytest.mark.parametrize("depth", [0, 10])
def test_a_mermaid_document_never_exceeds_mermaids_default_limits(size: int, shape: str, depth: int) -> None:
    graph = make_graph(*(chain(size) if shape == "chain" else _many_branches(size)))

    doc = render_graph(graph, "mermaid", depth=depth, title="migrations").text

    assert within_mermaid_limits(doc)
    nodes, edges = parse_mermaid(doc)
    drawn = {short(t) for t in nodes.values()}
    assert f"{'r' if shape == 'chain' else 't'}{size - 1:05d}" in drawn  # the main line's head, always
    if shape == "branches":
        assert len(graph.heads()) > 40


def test_what_the_limits_leave_out_is_said_in_the_document_and_on_stderr(tmp_path: Path) -> None:
    root = make_tree(tmp_path, *chain(1_000))

    mermaid, stderr = graph_cli(str(root), "--depth", "0", "--format", "mermaid")
    text, quiet = graph_cli(str(root), "--depth", "0")

    assert within_mermaid_limits(mermaid)
    note = re.search(r"^    %% (drawn: .*)$", mermaid, re.M)
    assert note is not None
    tail = re.match(
        r"drawn: the last (\d+) revisions below each head, to stay within 500 edges", note.group(1)
    )
    assert tail is not None and 400 < int(tail.group(1)) < 500  # as many as fit, not a fixed fallback
    assert "`migcheck graph --depth 0 --format text`" in note.group(1)
    assert stderr == f"migcheck graph: note: migrations: {note.group(1)}\n"
    assert len(text.splitlines()) == 1_001 and quiet == ""  # text has no limit: all of it


def test_many_heads_shrink_to_fewer_heads_and_still_fit() -> None:
    # 2,000 heads straight off one base: even the heads alone are over 500 edges
    graph = make_graph(("base", None), *((f"h{i:05d}", "base") for i in range(2_000)))

    drawing = select(graph, 10, limits=MERMAID_DEFAULTS)
    doc = mermaid(drawing)

    assert within_mermaid_limits(doc)
    assert "of 2000 heads" in drawing.left_out
    kept = [n for n in drawing.nodes if "head" in n.marks]
    elided = sum(n.elided for n in drawing.nodes)
    assert len(kept) + elided + (1 if "base" in {k.key for k in drawing.nodes} else 0) == 2_001


def test_mermaid_text_is_escaped_and_node_ids_are_generated() -> None:
    evil = 'x"]; click r0 "javascript:alert(1)'
    graph = RevisionGraph(
        [
            rev("end", None, message="%%{init: {'theme': 'dark'}}%% <b>bold</b> #1; `code`"),
            rev(evil, "end", message=f"line one\nline two {evil}"),
        ]
    )

    doc = render_graph(graph, "mermaid", title="db %%{init}%%\nx").text

    nodes, edges = parse_mermaid(doc)
    assert "%%{" not in doc and "<b>" not in doc and "\nx" not in doc
    assert sorted(nodes) == ["r0", "r1"]
    assert any("javascript" in t for t in nodes.values())
    assert len(edges) == 1


def test_each_history_is_drawn_in_a_section_of_its_own(tmp_path: Path) -> None:
    tree = copy_case("clean/separate_histories_per_database", tmp_path / "case")

    text, _ = graph_cli(str(tree))
    mermaid, _ = graph_cli(str(tree), "--format", "mermaid")

    titles = [line for line in text.splitlines() if line.startswith("# ")]
    assert len(titles) >= 2 and all("[" in t for t in titles)
    assert mermaid.count("flowchart BT") == len(titles)
    assert [t[2:] for t in titles] == re.findall(r"^    %% history: (.*)$", mermaid, re.M)


def test_the_json_reports_edges_are_the_down_revision_edges_the_pr_diagram_draws(tmp_path: Path) -> None:
    import migcheck
    from migcheck.report.json import document

    root = make_tree(tmp_path, *chain(30), ("side", "r00010"))
    result = migcheck.check(root, drift=False)
    (facts,) = result.histories
    (env,) = document(result)["environments"]

    drawn = {n.key for n in facts.drawing.nodes if not n.elided}
    assert env["edges"] == [list(e) for e in facts.edges]
    assert ["r00029", "r00028"] in env["edges"] and ["side", "r00010"] in env["edges"]
    assert all(a in drawn and b in drawn for a, b in env["edges"])
    assert any(n.elided for n in facts.drawing.nodes)  # the rest is elided, not listed

"""The Markdown report: the sticky PR comment and the job summary."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from migcheck.findings import Severity
from migcheck.outcome import LockTrace
from migcheck.report import Links, render
from migcheck.report.markdown import MAX_COMMENT, resolved_note
from migcheck.report.markdown import render as markdown
from migcheck.result import TracedRevision

from .helpers import finding, history, result

LINKS = Links(
    "https://github.com", "octo-org/library", "0" * 40, "https://github.com/octo-org/library/actions/runs/7"
)


HEADING = re.compile(r"^(?:🛑|⚠️|ℹ️) \*\*(error|warning|notice)\*\* · `(MC\d+)` [a-z-]+ · (.*)$", re.M)


def blocks(text: str) -> list[str]:
    """Each finding's block: from its heading line to the next heading (or the end of the findings)."""
    starts = [m.start() for m in HEADING.finditer(text)]
    return [
        text[a:b].split("\n\n**History of", 1)[0].split("\n\n<details>", 1)[0].split("\n\n**… and", 1)[0]
        for a, b in pairwise([*starts, len(text)])
    ]


def message(block: str) -> str:
    return block.split("\n\n")[1]


def test_the_verdict_says_why_an_environment_is_several_histories(checked) -> None:
    text = markdown(checked("clean", "per_dialect_shared_ids"))

    assert text.splitlines()[0] == (
        "✅ **migcheck: no problems** in 2 histories — 8 revisions; migrations split by subdirectory:"
        " postgresql/, sqlite/ (each closed under down\\_revision/depends\\_on; 3 shared revision ids)"
    )


def test_the_verdict_comes_first(checked) -> None:
    text = markdown(checked("broken", "two_heads"))

    assert text.splitlines()[0] == "❌ **migcheck: 1 error** in `migrations` — 4 revisions, 2 heads"


def test_one_block_per_finding_most_important_first() -> None:
    text = markdown(
        result(
            finding("MC108", Severity.WARNING, path="a.py"),
            finding("MC101", Severity.ERROR, path="z.py"),
            finding("MC105", Severity.NOTICE, path="b.py"),
        )
    )

    assert [m.group(1, 2) for m in HEADING.finditer(text)] == [
        ("error", "MC101"),
        ("warning", "MC108"),
        ("notice", "MC105"),
    ]
    assert [message(b) for b in blocks(text)] == ["something is wrong"] * 3
    assert "| Rule |" not in text  # no table: a table's unbreakable cells scroll sideways at PR width


def test_locations_link_to_the_file_at_the_commit_when_links_are_given() -> None:
    text = markdown(result(finding(path="migrations/versions/a b.py", line=16)), links=LINKS)

    blob = "https://github.com/octo-org/library/blob/" + "0" * 40 + "/migrations/versions/a%20b.py#L16"
    # link text, not a code span: GitHub's CSS wraps a long path in normal text
    assert HEADING.search(text).group(3) == f"[migrations/versions/a b.py:16]({blob})"
    assert "[workflow run](https://github.com/octo-org/library/actions/runs/7)" in text


def test_locations_are_plain_path_and_line_without_links() -> None:
    text = markdown(result(finding(path="migrations/versions/x.py", line=9)))

    assert HEADING.search(text).group(3) == "migrations/versions/x.py:9"
    assert "](" not in text


def test_the_render_dispatcher_passes_links_to_markdown() -> None:
    assert "/blob/" in render(result(finding()), "markdown", links=LINKS)


def mermaid_of(text: str) -> str:
    return text.split("```mermaid\n", 1)[1].split("```", 1)[0]


def test_two_heads_draws_the_history_with_both_heads_highlighted(checked) -> None:
    graph = mermaid_of(markdown(checked("broken", "two_heads")))

    nodes = {n: text.split(":")[0] for n, text in re.findall(r'^\s+(r\d+)\["([^"]*)"\]$', graph, re.M)}
    assert graph.startswith("flowchart BT\n")
    assert "classDef head " in graph
    highlighted = re.search(r"^\s+class (\S+) head$", graph, re.M)
    assert highlighted is not None
    assert sorted(nodes[n] for n in highlighted.group(1).split(",")) == ["cccccccccccc", "dddddddddddd"]
    edges = {(nodes[a], nodes[b]) for a, b in re.findall(r"^\s+(r\d+) --> (r\d+)$", graph, re.M)}
    assert ("bbbbbbbbbbbb", "cccccccccccc") in edges and ("bbbbbbbbbbbb", "dddddddddddd") in edges


def test_mermaid_node_ids_are_generated_and_labels_cannot_close_their_quotes() -> None:
    from helpers import rev

    from migcheck.graph import RevisionGraph
    from migcheck.graphshape import COMMENT_DEPTH, COMMENT_LIMITS, select

    evil = 'x"] --> y; click r0 "javascript:alert(1)'
    revisions = [rev("b", None), rev(evil, "b", message=evil), rev("c", "b", message="%%{init: {}}%%\nx")]
    drawing = select(RevisionGraph(revisions), COMMENT_DEPTH, limits=COMMENT_LIMITS)
    graph = mermaid_of(markdown(result(finding(), histories=(replace(history(), drawing=drawing),))))

    assert "javascript" in graph  # the text survives, as a label only
    assert "%%{" not in graph  # no directive smuggled in through a message
    for line in graph.splitlines()[1:]:
        assert re.fullmatch(
            r'\s+(r\d+\["[^"]*"\]|r\d+ --> r\d+|classDef head \S+|class [r\d,]+ head)', line
        ), line


def test_only_a_history_with_graph_findings_is_drawn() -> None:
    two = history(
        heads=("cccccccccccc", "dddddddddddd"), edges=(("cccccccccccc", "b"), ("dddddddddddd", "b"))
    )

    assert "mermaid" not in markdown(result(histories=(two,)))  # two heads, but nothing wrong with them
    assert "mermaid" not in markdown(result(finding(rule="MC201"), histories=(two,)))  # a drift finding
    assert "mermaid" in markdown(result(finding(rule="MC110"), histories=(two,)))


def test_at_most_three_histories_are_drawn_and_the_rest_are_counted() -> None:
    names = [f"db{i}" for i in range(5)]
    hs = tuple(history(heads=("c", "d"), edges=(("c", "b"), ("d", "b")), environment=n) for n in names)
    text = markdown(result(*(finding(environment=n) for n in names), histories=hs))

    assert text.count("```mermaid") == 3
    assert [f"`{n}`" in text.split("```mermaid")[0] + text for n in names[:3]] == [True] * 3
    assert "+2 more histories with findings: run `migcheck graph` to draw them." in text


def test_a_drawn_history_shows_labels_depends_on_and_where_the_heads_diverged() -> None:
    from helpers import rev

    from migcheck.graph import RevisionGraph
    from migcheck.graphshape import COMMENT_DEPTH, COMMENT_LIMITS, select

    trunk = [
        rev("base0", None),
        *(rev(f"t{i:03d}", "base0" if i == 0 else f"t{i - 1:03d}") for i in range(40)),
    ]
    branches = [rev("e0", "t039", labels="expand"), rev("c0", "t039", labels="contract", depends="expand")]
    graph = RevisionGraph([*trunk, *branches])
    h = replace(history(), drawing=select(graph, COMMENT_DEPTH, limits=COMMENT_LIMITS))
    graph_text = mermaid_of(markdown(result(finding(), histories=(h,))))

    assert '["e0 (expand)"]' in graph_text
    assert '["c0 (contract)"]' in graph_text
    assert re.search(r"^\s+r\d+ -\.-> r\d+$", graph_text, re.M)  # depends_on, dashed
    assert '["t039"]' in graph_text  # the fork point
    assert "… " in graph_text and " revisions" in graph_text  # the trunk below, elided


def test_a_thousand_revision_history_with_many_heads_keeps_the_comment_bounded() -> None:
    from helpers import rev

    from migcheck.graph import RevisionGraph
    from migcheck.graphshape import COMMENT_DEPTH, COMMENT_LIMITS, select

    revisions = [rev("r0000", None)]
    for i in range(1, 1000):  # a trunk with a side branch of three every tenth revision: 100 heads
        down = f"r{i - 1:04d}" if i % 10 else f"r{i - 10:04d}"
        revisions.append(rev(f"r{i:04d}", down))
    graph = RevisionGraph(revisions)
    h = replace(history(revisions=1000), drawing=select(graph, COMMENT_DEPTH, limits=COMMENT_LIMITS))
    many = [finding(message=f"problem {i}") for i in range(200)]
    text = markdown(result(*many, histories=(h, replace(h, environment="other"))))

    assert len(graph.heads()) > 50
    assert len(text) <= MAX_COMMENT
    drawing = mermaid_of(text)
    assert len(re.findall(r" (?:-->|-\.->) ", drawing)) <= COMMENT_LIMITS.edges
    assert len(drawing) <= COMMENT_LIMITS.chars
    assert "Not all of it fits here: `migcheck graph` draws more." in text


def test_a_clean_history_with_one_head_gets_no_diagram() -> None:
    assert "mermaid" not in markdown(result(histories=(history(edges=(("cccccccccccc", "bbbbbbbbbbbb"),)),)))


def test_a_clean_result_is_the_verdict_and_folded_details(checked) -> None:
    text = markdown(checked("clean", "linear"))

    verdict, details = text.split("\n\n", 1)
    assert verdict == "✅ **migcheck: no problems** in `migrations` — 3 revisions, 1 head"
    assert details.startswith("<details>\n<summary>Details: 1 environment</summary>")
    assert details.endswith("</details>\n\n<sub>migcheck 0.1.0</sub>\n")
    assert not HEADING.search(text) and "mermaid" not in text and "About these rules" not in text
    assert len(text) < 800


def test_findings_below_fail_on_pass_with_their_counts() -> None:
    text = markdown(result(finding("MC108", Severity.WARNING)))

    assert text.startswith("✅ **migcheck: 1 warning** (below `--fail-on error`) in `migrations`")


def test_a_report_only_run_says_which_option_let_the_errors_pass() -> None:
    exit_zero = markdown(replace(result(finding()), exit_zero=True))
    never = markdown(replace(result(finding()), fail_on=None))

    assert exit_zero.startswith("✅ **migcheck: 1 error** (reported only: `--exit-zero`) in `migrations`")
    assert never.startswith("✅ **migcheck: 1 error** (reported only: `--fail-on never`) in `migrations`")


def test_repository_text_cannot_inject_html_or_mention_anyone() -> None:
    message_ = "a | b <script>alert(1)</script> @octocat `x|y` ``` & #12\nsecond line | @team"
    text = markdown(result(finding(message=message_, hint="ping @octocat <b>now</b>", path="m|<i>.py")))

    (block,) = blocks(text)
    assert "<script" not in text and "<b>" not in text and "<i>" not in text
    assert not re.search(r"@(octocat|team)", text)
    assert not re.search(r"(?<![&\w:])#\d", text)  # `#12` would cross-reference issue 12
    assert "<br>second line" in message(block)  # one paragraph: the block stays one finding


def test_backticks_in_messages_stay_code_without_breaking_out() -> None:
    text = markdown(result(finding(message="set `down_revision = 'a'` and `` ` `` here `")))

    said = message(blocks(text)[0])
    assert "`down_revision = 'a'`" in said and "`` ` ``" in said
    assert said.endswith("\\`")  # the unpaired backtick is escaped, it opens no code span


def test_multi_line_hints_put_their_code_in_a_fenced_block_and_commands_in_their_own() -> None:
    hint = 'run `alembic revision --autogenerate -m "add column"`; autogenerate writes:\n        op.add_column("t")'
    text = markdown(result(finding("MC201", hint=hint)))

    fix = blocks(text)[0].split("\n\n", 2)[2]
    assert fix == (
        '**Fix:** run `alembic revision --autogenerate -m "add column"`; autogenerate writes:\n\n'
        '```python\nop.add_column("t")\n```\n\n'
        '```shell\nalembic revision --autogenerate -m "add column"\n```'
    )


def test_a_one_line_edit_shows_the_whole_line_as_python_after_the_command(checked) -> None:
    text = markdown(checked("broken", "two_heads"))

    fix = blocks(text)[0].split("\n\n", 2)[2]
    assert fix.startswith('**Fix:** run `alembic merge -m "merge heads" cccccccccccc dddddddddddd`, or set')
    # a conversation comment shows a ```suggestion fence as plain code: the line is shown as Python instead
    assert fix.endswith(
        '```shell\nalembic merge -m "merge heads" cccccccccccc dddddddddddd\n```\n\n'
        "```python\ndown_revision: Union[str, Sequence[str], None] = 'cccccccccccc'\n```"
    )


def test_a_fence_in_a_hint_cannot_close_the_code_block() -> None:
    text = markdown(result(finding(hint="do this:\n```\n@octocat\n```")))

    assert "````python\n```\n@octocat\n```\n````" in text


def test_the_rules_that_fired_are_documented_in_details() -> None:
    text = markdown(result(finding("MC101"), finding("MC108", Severity.WARNING)))
    details = text.split("<summary>About these rules</summary>", 1)[1]

    assert "#### `MC101` multiple-heads" in details and "#### `MC108` stale-docstring-header" in details
    assert "More than one head" in details and "Alembic refuses `alembic upgrade head`" in details
    assert "MC102" not in details


def test_facts_notes_and_skipped_checks_are_folded_after_the_findings() -> None:
    from dataclasses import replace

    two = (history(), replace(history(heads=("eeeeeeeeeeee", "ffffffffffff")), environment="billing"))
    notes = ("drift check skipped for billing: fix the revision graph errors first", "second note")
    text = markdown(replace(result(finding(), histories=two), notices=notes))

    details = text.split("<details>\n<summary>Details: 2 environments, 2 notes</summary>\n\n", 1)[1]
    assert text.index(blocks(text)[0]) < text.index("<details>")  # the findings come first
    assert details.startswith(
        "- `migrations`: 3 revisions; head `cccccccccccc` (migrations/versions/cccccccccccc\\_rev.py:15);"
        " base `aaaaaaaaaaaa` (migrations/versions/aaaaaaaaaaaa\\_rev.py:15)\n"
        "- `billing`: 3 revisions; heads `eeeeeeeeeeee` (migrations/versions/eeeeeeeeeeee\\_rev.py:15),"
        " `ffffffffffff` (migrations/versions/ffffffffffff\\_rev.py:15); base"
    )
    assert (
        "**Notes**\n\n- drift check skipped for billing: fix the revision graph errors first\n- second note"
        in details
    )
    assert "\n> " not in text  # no quote per note above the findings


def test_a_history_with_many_heads_lists_the_first_few() -> None:
    heads = tuple(f"{i:012x}" for i in range(12))
    text = markdown(result(histories=(history(heads=heads),)))

    assert "`000000000004` (migrations/versions/000000000004\\_rev.py:15) and 7 more; base" in text


def test_a_huge_result_stays_under_the_comment_limit_and_says_what_was_left_out() -> None:
    many = [
        finding(
            ["MC105", "MC108", "MC101"][i % 3],
            [Severity.NOTICE, Severity.WARNING, Severity.ERROR][i % 3],
            message=f"finding {i:04} " + "x" * 400,
            path=f"migrations/versions/{i:04}_rev.py",
            hint="fix it " + "y" * 200,
        )
        for i in range(3000)
    ]
    text = markdown(result(*many), links=LINKS)

    assert len(text) <= MAX_COMMENT
    shown = [m.group(1) for m in HEADING.finditer(text)]
    left = re.search(r"\*\*… and ([\d,]+) more findings\*\* \(([^)]*)\)", text)
    assert left is not None and len(shown) + int(left.group(1).replace(",", "")) == 3000
    assert 0 < len(shown) < 1000
    assert set(shown) == {"error"}  # errors first: 1,000 of them do not all fit
    assert left.group(2).endswith("1,000 warnings, 1,000 notices")
    assert "the job log and the JSON report" in text
    assert "<details>" not in text and "mermaid" not in text
    assert (
        text.splitlines()[0]
        == "❌ **migcheck: 1,000 errors, 1,000 warnings, 1,000 notices** in `migrations` — 3 revisions, 1 head"
    )


def test_the_size_limit_drops_diagrams_then_rule_docs_then_facts_then_findings() -> None:
    h = history(heads=("cccccccccccc", "dddddddddddd"), edges=(("cccccccccccc", "b"), ("dddddddddddd", "b")))
    checked = result(finding(), finding(path="z.py"), histories=(h,))
    full = markdown(checked)
    assert (
        full.index("\n🛑")
        < full.index("```mermaid")
        < full.index("<summary>Details")
        < full.index("About these")
    )

    def parts(limit: int) -> tuple[bool, bool, bool, int]:
        text = markdown(checked, limit=limit)
        assert len(text) <= limit
        return "mermaid" in text, "About these rules" in text, "<summary>Details" in text, len(blocks(text))

    no_diagram = (
        len(full) - len(full.split("**History of", 1)[1].split("<details>", 1)[0]) - len("**History of")
    )
    assert parts(len(full)) == (True, True, True, 2)
    assert parts(len(full) - 1) == (False, True, True, 2)
    no_docs = (
        markdown(checked, limit=no_diagram).split("<details>\n<summary>About", 1)[0]
        + "<sub>migcheck 0.1.0</sub>\n"
    )
    assert parts(len(no_docs)) == (False, False, True, 2)
    assert parts(len(no_docs) - 1) == (False, False, False, 2)
    no_facts = markdown(checked, limit=len(no_docs) - 1)
    cut = markdown(checked, limit=len(no_facts) - 1)  # then the findings, the least important first
    kept = len(blocks(cut))
    assert kept < 2 and f"**… and {2 - kept} more finding" in cut


def test_the_resolved_note_replaces_a_fixed_failure(checked) -> None:
    text = resolved_note(checked("clean", "linear"), LINKS)

    assert text.startswith(
        "✅ **Resolved:** migcheck finds no problems in `migrations` — 3 revisions, 1 head"
    )
    assert "actions/runs/7" in text


def test_a_check_that_could_not_run_says_why_above_the_findings() -> None:
    from dataclasses import replace

    failed = replace(
        result(finding()), error="migrations: env.py raised SystemExit(0)\n  File 'env.py', line 3"
    )

    body = markdown(failed)

    verdict, why = body.split("\n\n")[:2]
    assert verdict.startswith("⛔ **migcheck could not check everything** (1 error found)")
    assert why == "**Why:**"
    assert "```text\nmigrations: env.py raised SystemExit(0)\n  File 'env.py', line 3\n```" in body
    assert body.index("```text") < body.index("`MC101` multiple-heads")
    assert resolved_note(failed) == body  # never "Resolved" while part of the check could not run


def test_a_drift_check_auto_did_not_run_is_a_warning_after_the_verdict_with_its_example_fenced() -> None:
    said = (
        "migrations: the graph checks ran, the drift check did not: set the action's input"
        " `database-url: postgresql+psycopg://postgres@postgres:5432/postgres` and give the job a service:\n"
        "```yaml\nservices:\n  postgres:\n    image: postgres:16\n```\nor set `drift: false`"
    )
    text = markdown(replace(result(), warnings=(said,)))

    verdict_line, warning = text.split("\n\n", 2)[:2]
    assert verdict_line.startswith("✅ **migcheck: no problems**")
    assert warning.startswith("⚠️ **warning:** migrations: the graph checks ran, the drift check did not")
    assert "```yaml\nservices:\n  postgres:\n    image: postgres:16\n```" in text
    assert "or set `drift: false`" in text


def _traced(*locks: LockTrace, rid: str = "bbbbbbbbbbbb") -> TracedRevision:
    return TracedRevision("migrations", rid, f"migrations/versions/{rid}_rev.py", locks)


def test_measured_locks_that_block_nothing_are_one_line_in_their_fold() -> None:
    update = LockTrace("bbbbbbbbbbbb", "orders", "table", "orders", ("ACCESS SHARE", "ROW EXCLUSIVE"))
    checked = replace(result(), traces=(_traced(update), _traced(rid="cccccccccccc")))
    text = markdown(checked)
    assert (
        "<details>\n<summary>Locks measured on PostgreSQL (2 revisions)</summary>\n\n"
        "No lock stronger than ROW EXCLUSIVE on existing tables, and no table rewritten: reads and writes go on."
        "\n\n</details>"
    ) in text
    assert "| Revision |" not in text


def test_measured_locks_link_each_revision_file_and_name_what_an_index_belongs_to() -> None:
    table = LockTrace("bbbbbbbbbbbb", "orders", "table", "orders", ("SHARE", "ACCESS EXCLUSIVE"), True)
    index = LockTrace("bbbbbbbbbbbb", "ix_orders_note", "index", "orders", ("ACCESS EXCLUSIVE",), True)
    text = markdown(replace(result(), traces=(_traced(table, index),)), links=LINKS)
    link = f"https://github.com/octo-org/library/blob/{'0' * 40}/migrations/versions/bbbbbbbbbbbb_rev.py#L1"
    assert (
        f"`bbbbbbbbbbbb` ([migrations/versions/bbbbbbbbbbbb\\_rev.py]({link})):\n\n"
        "| Table | Lock | Blocks | Rewritten |\n| --- | --- | --- | --- |\n"
        "| `orders` | ACCESS EXCLUSIVE | reads and writes | yes |\n"
        "| `ix_orders_note` (index of `orders`) | ACCESS EXCLUSIVE | reads and writes | yes |"
    ) in text


def test_without_traces_there_is_no_lock_fold() -> None:
    assert "Locks measured" not in markdown(result(finding()))


def test_the_size_limit_drops_the_lock_fold_after_the_diagrams_and_before_the_rule_docs() -> None:
    h = history(heads=("cccccccccccc", "dddddddddddd"), edges=(("cccccccccccc", "b"), ("dddddddddddd", "b")))
    lock = LockTrace("cccccccccccc", "orders", "table", "orders", ("ACCESS EXCLUSIVE",))
    checked = replace(result(finding(), histories=(h,)), traces=(_traced(lock, rid="cccccccccccc"),))
    full = markdown(checked)
    assert full.index("```mermaid") < full.index("Locks measured") < full.index("<summary>Details")
    without_diagram = markdown(checked, limit=len(full) - 1)
    assert "mermaid" not in without_diagram and "Locks measured" in without_diagram
    cut = markdown(checked, limit=len(without_diagram) - 1)
    assert "Locks measured" not in cut and "About these rules" in cut

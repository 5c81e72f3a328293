"""Markdown report: the sticky PR comment and the job summary (verdict, findings, fixes, graph, rule docs).

Everything that comes from the checked repository (paths, revision ids, messages, hints) is escaped so that
it cannot break the Markdown, inject HTML or @-mention anyone; the whole comment stays under GitHub's limit.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from migcheck import __version__, graphshape
from migcheck.checks import REGISTRY
from migcheck.findings import Finding, Rule, Severity
from migcheck.report.github import defuse
from migcheck.report.printable import printable
from migcheck.report.text import split_clause
from migcheck.result import CheckResult, HistoryFacts, Point, TracedRevision

if TYPE_CHECKING:
    from migcheck.report.links import Links

MAX_COMMENT = 65536  # GitHub rejects issue and PR comments longer than this many characters
_MAX_MESSAGE, _MAX_HINT = 1_000, 3_000  # one runaway finding must not crowd out all the others
_ICONS = {Severity.ERROR: "🛑", Severity.WARNING: "⚠️", Severity.NOTICE: "ℹ️"}

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")  # CommonMark: closed by a run of equal length
_MARKUP = re.compile(r"([\\`*_\[\]~])")
_COMMAND = re.compile(r"(alembic|flask db|migcheck|python3? -m alembic) ")
_MAX_POINTS = 5  # heads or bases listed per history; a tree of many named branches lists the rest as a count
_ZWSP = "\u200b"  # after `@` and before issue numbers: GitHub then neither mentions nor cross-references


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str) -> str:
    """Repository text as inert Markdown: no markup, no HTML, no table breaks, no mentions."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKUP.sub(r"\\\1", text).replace("@", "@" + _ZWSP)
    return re.sub(r"#(?=\d)", "#" + _ZWSP, text).replace("|", "&#124;")


def code(text: str) -> str:
    """A code span that holds `text` literally, whatever backticks it contains."""
    text = " ".join(text.splitlines())
    if not text.strip():
        return _plain(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    # CommonMark strips one space from each end of a span that has both, and a backtick next to the fence joins it
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inline(text: str) -> str:
    """A message or hint: its `code spans` stay code, the rest is escaped, newlines become `<br>`."""
    parts, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        content = m.group(2)
        if len(content) > 2 and content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        parts += [_plain(text[pos : m.start()]), code(content)]
        pos = m.end()
    parts.append(_plain(text[pos:]))
    return "<br>".join("".join(parts).splitlines())


def _fenced(body: str, lang: str = "") -> str:
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    lines = [fence + lang, *body.splitlines(), fence]
    return "\n".join(lines)


def _importance(f: Finding) -> tuple[int, str, int, str, str]:
    return (-f.severity.rank, f.location.path, f.location.line, f.rule, f.message)


def _counts(findings: Sequence[Finding]) -> str:
    return ", ".join(
        _plural(n, s.value) for s in Severity if (n := sum(1 for f in findings if f.severity is s))
    )


def _shape(h: HistoryFacts) -> str:
    return f"{_plural(h.revision_count, 'revision')}, {_plural(len(h.heads), 'head')}"


def _where(result: CheckResult) -> str:
    splits = "".join(f"; {inline(split_clause(s))}" for s in result.splits)
    if len(result.histories) == 1:
        h = result.histories[0]
        return f"in {code(h.environment)} — {_shape(h)}{splits}"
    return f"in {len(result.histories)} histories — {_plural(result.revision_count, 'revision')}{splits}"


def verdict(result: CheckResult) -> str:
    """The first line: ✅ or ❌ (⛔ when part of the check could not run), what was found, and the shape of the
    history."""
    if result.error is not None:
        found = _counts(result.findings) if result.findings else "nothing"
        return f"⛔ **migcheck could not check everything** ({found} found) {_where(result)}"
    if not result.findings:
        return f"✅ **migcheck: no problems** {_where(result)}"
    if result.exit_code == 0:
        below = f" (reported only: `{result.gate}`)" if result.report_only else f" (below `{result.gate}`)"
        return f"✅ **migcheck: {_counts(result.findings)}**{below} {_where(result)}"
    return f"❌ **migcheck: {_counts(result.findings)}** {_where(result)}"


def _summary(result: CheckResult) -> list[str]:
    lines = [verdict(result)]
    if result.error is not None:
        # the reason holds the user's own traceback lines: a code block keeps them readable and inert
        lines.append("**Why:**\n\n" + _fenced(_clip(result.error.strip(), _MAX_HINT), "text"))
    lines += [_warning(w) for w in result.warnings]
    return lines


def _warning(text: str) -> str:
    """A check that did not run although nothing failed (`drift = "auto"`): what to set, its example fenced."""
    pieces = _clip(text, _MAX_HINT).split("```")
    shown = []
    for i, piece in enumerate(pieces):
        if i % 2:  # inside a fence: its first line names the language
            lang, _, body = piece.partition("\n")
            shown.append(_fenced(body.strip("\n"), lang.strip()))
        elif piece.strip():
            shown.append(inline(" ".join(piece.split())))
    return "⚠️ **warning:** " + "\n\n".join(shown)


def _footer(links: Links | None) -> str:
    run = f" · [workflow run]({_url(links.run_url)})" if links and links.run_url else ""
    return f"<sub>migcheck {__version__}{run}</sub>"


def _url(url: str) -> str:
    return re.sub(r"[\s()<>|`]", lambda m: f"%{ord(m.group()):02X}", url)


def _spot(path: str, line: int, links: Links | None) -> str:
    """`path:line` as link text, not a code span: normal text wraps at the width of a PR conversation."""
    text = _plain(f"{path}:{line}")
    return f"[{text}]({_url(links.blob(path, line))})" if links is not None else text


def _heading(f: Finding, rules: dict[str, Rule], links: Links | None, several: bool) -> str:
    rule = rules.get(f.rule)
    name = f"`{f.rule}` {rule.name}" if rule else code(f.rule)
    env = f" · in {code(f.environment)}" if several and f.environment else ""
    spot = _spot(f.location.path, f.location.line, links)
    return f"{_ICONS[f.severity]} **{f.severity.value}** · {name} · {spot}{env}"


def _commands(prose: str) -> list[str]:
    """The commands a hint names in code spans (`alembic merge ...`): each gets a block that copies whole."""
    found = (m.group(2).strip() for m in _CODE_SPAN.finditer(prose))
    return [c for c in found if _COMMAND.match(c) and "\n" not in c]


def _fix(f: Finding) -> str:
    """The hint: its first line is prose, its commands and any further lines (autogenerate ops) code blocks."""
    prose, _, rest = _clip(f.hint, _MAX_HINT).partition("\n")
    body = textwrap.dedent(rest).strip("\n")
    code_after = [_fenced(body, "python")] if body.strip() else []
    blocks = [_fenced(c, "shell") for c in _commands(prose)]
    if f.replacement is not None:
        # a GitHub `suggestion` applies only in a review comment on the diff; in a conversation comment such a
        # fence is a plain code block, so the edited line is shown as the Python it is
        blocks.append(_fenced(f.replacement, "python"))
    # "autogenerate writes:" introduces the code that follows the prose: it comes right after it
    ordered = [*code_after, *blocks] if prose.rstrip().endswith(":") else [*blocks, *code_after]
    return "\n\n".join([f"**Fix:** {inline(prose)}", *ordered])


def _block(f: Finding, rules: dict[str, Rule], links: Links | None, several: bool) -> str:
    """One finding: severity, rule and linked place on one line; the message; the fix."""
    message = inline(_clip(f.message, _MAX_MESSAGE))
    return f"{_heading(f, rules, links, several)}\n\n{message}\n\n{_fix(f)}"


def _points(label: str, points: Sequence[Point], links: Links | None) -> str:
    shown = [f"{code(p.revision)} ({_spot(p.path, p.line, links)})" for p in points[:_MAX_POINTS]]
    more = len(points) - len(shown)
    return f"{label} " + ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _facts(result: CheckResult, links: Links | None) -> str:
    """Per-history facts, notes and skipped checks, folded: a reviewer reads the findings first."""
    if not result.histories and not result.notices:
        return ""
    counted = [_plural(len(result.histories), "environment")] if result.histories else []
    counted += [_plural(len(result.notices), "note")] if result.notices else []
    items = []
    for h in result.histories:
        heads = _points("head" if len(h.heads) == 1 else "heads", h.heads, links) if h.heads else "no head"
        bases = _points("base" if len(h.bases) == 1 else "bases", h.bases, links) if h.bases else "no base"
        items.append(f"- {code(h.environment)}: {_plural(h.revision_count, 'revision')}; {heads}; {bases}")
    notes = [f"- {inline(n)}" for n in result.notices]
    body = "\n".join(items) + ("\n\n**Notes**\n\n" + "\n".join(notes) if notes else "")
    return f"<details>\n<summary>Details: {', '.join(counted)}</summary>\n\n{body.strip()}\n\n</details>"


_MAX_DIAGRAMS = 3  # each is bounded (graphshape.COMMENT_LIMITS); a few histories are enough to show the shape
_GRAPH_RULES = ("MC10", "MC11")  # the findings about a history's shape, which a drawing helps to fix


def diagram(h: HistoryFacts) -> str:
    """A Mermaid drawing of the history near its heads (`HistoryFacts.drawing`), oldest at the bottom: heads
    highlighted with their branch labels, depends_on dashed, elided runs as one grey node each."""
    return _fenced(graphshape.mermaid(h.drawing, new=h.new_revisions), "mermaid")


def _diagrams(result: CheckResult) -> list[str]:
    """A drawing of each history with graph findings, at most `_MAX_DIAGRAMS` of them."""
    several = len(result.histories) > 1
    wanted = [
        h
        for h in result.histories
        if h.drawing.nodes
        and any(
            f.rule.startswith(_GRAPH_RULES) and (not several or f.environment == h.environment)
            for f in result.findings
        )
    ]
    drawn = []
    for h in wanted[:_MAX_DIAGRAMS]:
        marked = ["heads highlighted"]
        if any(e.kind == "depends" for e in h.drawing.edges):
            marked.append("depends_on dashed")
        if h.new_revisions:
            marked.append("this change's revisions outlined in blue")
        title = f"**History of {code(h.environment)}** ({', '.join(marked)})"
        # the drawing's own `%%` note is invisible once rendered
        cut = "\n\nNot all of it fits here: `migcheck graph` draws more." if h.drawing.left_out else ""
        drawn.append(f"{title}\n\n{diagram(h)}{cut}")
    if len(wanted) > _MAX_DIAGRAMS:
        more = len(wanted) - _MAX_DIAGRAMS
        histories = "history" if more == 1 else "histories"
        drawn[-1] += f"\n\n+{more} more {histories} with findings: run `migcheck graph` to draw them."
    return drawn


_MAX_LOCK_ROWS = 60  # rows of the measured lock tables; the JSON report (`traces`) has them all


def _locks(result: CheckResult, links: Links | None) -> str:
    """The locks measured on PostgreSQL (`result.traces`), folded: a table per revision of the locks it took on
    existing tables, or one line when none of them blocks reads or writes and nothing was rewritten."""
    if not result.traces:
        return ""
    from migcheck.outcome import strongest  # only a PostgreSQL drift run has traces, and has imported it

    traced = result.traces
    summary = f"Locks measured on PostgreSQL ({_plural(len(traced), 'revision')})"
    locks = [t for r in traced for t in r.locks if t.modes or t.rewritten]
    if not any(t.blocks or t.rewritten for t in locks):
        seen = strongest(tuple(t.strongest for t in locks))
        body = (
            f"No lock stronger than {seen} on existing tables, and no table rewritten: reads and writes go on."
            if seen
            else "No lock on existing tables, and no table rewritten: reads and writes go on."
        )
        return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"
    several = len({r.environment for r in traced}) > 1
    tables, rows = [], 0
    for r in traced:
        if rows >= _MAX_LOCK_ROWS:
            break
        tables.append(_lock_table(r, links, several))
        rows += max(1, sum(1 for t in r.locks if t.modes or t.rewritten))
    left = len(traced) - len(tables)
    if left:
        tables.append(f"+{_plural(left, 'more revision')}: the JSON report (`traces`) lists them all.")
    legend = (
        "Measured inside each revision's transaction on the scratch database; only tables that existed before"
        " the change. Locks taken inside `autocommit_block()` (CREATE INDEX CONCURRENTLY) are released at once"
        " and not shown."
    )
    body = "\n\n".join([legend, *tables])
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _lock_table(traced: TracedRevision, links: Links | None, several: bool) -> str:
    where = _plain(traced.path)
    if links is not None and traced.path:
        where = f"[{where}]({_url(links.blob(traced.path, 1))})"
    revision = f"{code(traced.revision)} ({where})" if traced.path else code(traced.revision)
    if several:
        revision += f" in {code(traced.environment)}"
    # the revision and its file above its table, not in a column: a long file name would widen every row
    rows = [f"{revision}:", "", "| Table | Lock | Blocks | Rewritten |", "| --- | --- | --- | --- |"]
    shown = [t for t in traced.locks if t.modes or t.rewritten]
    for t in shown:
        table = code(t.relation) if t.kind != "index" else f"{code(t.relation)} (index of {code(t.table)})"
        rows.append(
            f"| {table} | {t.strongest or '—'} | {t.blocks or 'no reads or writes'} | {'yes' if t.rewritten else ''} |"
        )
    if not shown:
        rows.append("| no lock on an existing table | | | |")
    return "\n".join(rows)


def _unwrap(doc: str) -> str:
    """Join hard-wrapped lines: GitHub comments render each newline as a line break."""
    paragraphs = (" ".join(line.strip() for line in p.splitlines()) for p in re.split(r"\n\s*\n", doc))
    return "\n\n".join(paragraphs)


def _rule_docs(result: CheckResult, rules: dict[str, Rule]) -> str:
    fired = sorted({f.rule for f in result.findings} & set(rules))
    if not fired:
        return ""
    docs = [
        f"#### `{c}` {rules[c].name}\n\n**{rules[c].summary}**\n\n{_unwrap(rules[c].description)}"
        for c in fired
    ]
    return "<details>\n<summary>About these rules</summary>\n\n" + "\n\n".join(docs) + "\n\n</details>"


def _cell_code(text: str) -> str:
    """A code span in a table cell: GitHub ends the cell at a `|` even inside a code span, unless escaped."""
    return code(text).replace("|", "\\|")


def online_ddl(result: CheckResult) -> str:
    """A folded table of what MySQL/MariaDB accepted for each ALTER of the new revisions (MC351's measurements)."""
    if not result.copy_only:
        return ""
    servers = sorted({c.server for c in result.copy_only if c.server})
    rows = [
        f"| {code(c.revision)} | {_plain(c.table)} | {_cell_code(_clip(c.statement, 200))} | {_plain(c.best)} |"
        for c in result.copy_only
    ]
    return (
        f"<details>\n<summary>Online DDL measured on {_plain(', '.join(servers) or 'MySQL')}</summary>\n\n"
        "Each ALTER of the new revisions, tried on an empty copy of its table; the best algorithm the server"
        " accepted (COPY blocks writes while the table is copied).\n\n"
        "| Revision | Table | Statement | Best algorithm |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n\n</details>"
    )


def _compose(result: CheckResult, links: Links | None, shown: int, extras: Sequence[str]) -> str:
    ordered = sorted(result.findings, key=_importance)
    several = len(result.histories) > 1
    parts = _summary(result)
    parts += [_block(f, REGISTRY, links, several) for f in ordered[:shown]]
    left = ordered[shown:]
    if left:
        parts.append(
            f"**… and {_plural(len(left), 'more finding')}** ({_counts(left)}), left out to keep this comment"
            " within GitHub's size limit: the job log and the JSON report (the action's `report` output) list"
            " them all."
        )
    parts += [e for e in extras if e]
    parts.append(_footer(links))
    # printable and inert here, so that the size limits below measure what is sent (an undecodable byte is
    # `\xff`; a line of an error that starts with `::error` is `%3A:error`, should a CI step print it)
    return defuse(printable("\n\n".join(parts) + "\n"))


def render(
    result: CheckResult, *, color: bool = False, links: Links | None = None, limit: int = MAX_COMMENT
) -> str:
    """The comment body; under `limit` characters (pass less when the poster adds a marker of its own).

    The verdict, then one block per finding (most important first), the diagrams, the locks measured on
    PostgreSQL and the folded details. When that is too long the diagrams go first, then the locks, then the
    rule docs, then the facts; then findings from the end.
    """
    total = len(result.findings)
    drawings, facts, docs = _diagrams(result), _facts(result, links), _rule_docs(result, REGISTRY)
    measured, locks = online_ddl(result), _locks(result, links)
    for extras in (
        [*drawings, locks, facts, measured, docs],
        [locks, facts, measured, docs],
        [facts, measured, docs],
        [facts, measured],
        [facts],
        [],
    ):
        text = _compose(result, links, total, extras)
        if len(text) <= limit:
            return text
    lo, hi = 0, total  # the most findings that fit: they are ordered most important first
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(_compose(result, links, mid, [])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    text = _compose(result, links, lo, [])
    return text if len(text) <= limit else text[: limit - 2] + "…\n"


def resolved_note(result: CheckResult, links: Links | None = None) -> str:
    """The comment that replaces an earlier failure once the run passes (a failing run gets `render`)."""
    if result.exit_code != 0:
        return render(result, links=links)
    below = "reported only:" if result.report_only else "below"
    rest = f"; {_counts(result.findings)} {below} `{result.gate}`" if result.findings else ""
    return defuse(
        printable(
            f"✅ **Resolved:** migcheck finds no problems {_where(result)}{rest}.\n\n{_footer(links)}\n"
        )
    )

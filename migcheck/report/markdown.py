"""Markdown report: the sticky PR comment and the job summary (verdict, findings, fixes, graph, rule docs).

Everything that comes from the checked repository (paths, revision ids, messages, hints) is escaped so that
it cannot break the table, inject HTML or @-mention anyone; the whole comment stays under GitHub's limit.
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
from migcheck.result import CheckResult, HistoryFacts

if TYPE_CHECKING:
    from migcheck.report.links import Links

MAX_COMMENT = 65536  # GitHub rejects issue and PR comments longer than this many characters
_MAX_MESSAGE, _MAX_HINT = 1_000, 3_000  # one runaway finding must not crowd out all the others
_ICONS = {Severity.ERROR: "🛑", Severity.WARNING: "⚠️", Severity.NOTICE: "ℹ️"}

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")  # CommonMark: closed by a run of equal length
_MARKUP = re.compile(r"([\\`*_\[\]~])")
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


def code(text: str, *, cell: bool = False) -> str:
    """A code span that holds `text` literally, whatever backticks it contains."""
    text = " ".join(text.splitlines())
    if not text.strip() or (cell and "|" in text):  # a pipe splits a table row even inside a code span
        return _plain(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    # CommonMark strips one space from each end of a span that has both, and a backtick next to the fence joins it
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inline(text: str, *, cell: bool = False) -> str:
    """A message or hint: its `code spans` stay code, the rest is escaped, newlines become `<br>`."""
    parts, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        content = m.group(2)
        if len(content) > 2 and content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        parts += [_plain(text[pos : m.start()]), code(content, cell=cell)]
        pos = m.end()
    parts.append(_plain(text[pos:]))
    return "<br>".join("".join(parts).splitlines())


def _fenced(body: str, lang: str = "", indent: str = "") -> str:
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    lines = [fence + lang, *body.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in lines)


def _importance(f: Finding) -> tuple[int, str, int, str, str]:
    return (-f.severity.rank, f.location.path, f.location.line, f.rule, f.message)


def _counts(findings: Sequence[Finding]) -> str:
    return ", ".join(
        _plural(n, s.value) for s in Severity if (n := sum(1 for f in findings if f.severity is s))
    )


def _shape(h: HistoryFacts) -> str:
    return f"{_plural(h.revision_count, 'revision')}, {_plural(len(h.heads), 'head')}"


def _where(result: CheckResult) -> str:
    if len(result.histories) == 1:
        h = result.histories[0]
        return f"in {code(h.environment)} — {_shape(h)}"
    return f"in {len(result.histories)} histories — {_plural(result.revision_count, 'revision')}"


def verdict(result: CheckResult) -> str:
    """The first line: ✅ or ❌ (⛔ when part of the check could not run), what was found, and the shape of the
    history."""
    if result.error is not None:
        found = _counts(result.findings) if result.findings else "nothing"
        return f"⛔ **migcheck could not check everything** ({found} found) {_where(result)}"
    if not result.findings:
        return f"✅ **migcheck: no problems** {_where(result)}"
    if result.exit_code == 0:
        below = f" (below `--fail-on {result.fail_on.value}`)"
        return f"✅ **migcheck: {_counts(result.findings)}**{below} {_where(result)}"
    return f"❌ **migcheck: {_counts(result.findings)}** {_where(result)}"


def _summary(result: CheckResult) -> list[str]:
    lines = [verdict(result)]
    if result.error is not None:
        # the reason holds the user's own traceback lines: a code block keeps them readable and inert
        lines.append("**Why:**\n\n" + _fenced(_clip(result.error.strip(), _MAX_HINT), "text"))
    if len(result.histories) > 1:
        lines.append("\n".join(f"- {code(h.environment)}: {_shape(h)}" for h in result.histories))
    lines += [f"> **Note:** {inline(n)}" for n in result.notices]
    return lines


def _footer(links: Links | None) -> str:
    run = f" · [workflow run]({_url(links.run_url)})" if links and links.run_url else ""
    return f"<sub>migcheck {__version__}{run}</sub>"


def _url(url: str) -> str:
    return re.sub(r"[\s()<>|`]", lambda m: f"%{ord(m.group()):02X}", url)


def _where_found(f: Finding, links: Links | None, several: bool) -> str:
    spot = code(f"{f.location.path}:{f.location.line}", cell=True)
    if links is not None:
        spot = f"[{spot}]({_url(links.blob(f.location.path, f.location.line))})"
    return spot + (f" ({code(f.environment, cell=True)})" if several and f.environment else "")


def _row(f: Finding, rules: dict[str, Rule], links: Links | None, several: bool) -> str:
    rule = rules.get(f.rule)
    name = f"`{f.rule}` {rule.name}" if rule else code(f.rule, cell=True)
    message = inline(_clip(f.message, _MAX_MESSAGE), cell=True)
    severity = f"{_ICONS[f.severity]} {f.severity.value}"
    return f"| {name} | {severity} | {_where_found(f, links, several)} | {message} |"


def _fix(f: Finding, links: Links | None, several: bool) -> str:
    """The hint as a bullet: its first line is prose, any further lines are code (e.g. autogenerate ops)."""
    prose, _, rest = _clip(f.hint, _MAX_HINT).partition("\n")
    item = f"- {code(f.rule)} {_where_found(f, links, several)}: {inline(prose)}"
    body = textwrap.dedent(rest).strip("\n")
    return item + ("\n\n" + _fenced(body, "python", indent="  ") if body.strip() else "")


def _table(shown: Sequence[Finding], rules: dict[str, Rule], links: Links | None, several: bool) -> str:
    head = "| Rule | Severity | Location | Message |\n| --- | --- | --- | --- |"
    return "\n".join([head, *(_row(f, rules, links, several) for f in shown)])


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


def _unwrap(doc: str) -> str:
    """Join hard-wrapped lines: GitHub comments render each newline as a line break."""
    paragraphs = (" ".join(line.strip() for line in p.splitlines()) for p in re.split(r"\n\s*\n", doc))
    return "\n\n".join(paragraphs)


def _details(result: CheckResult, rules: dict[str, Rule]) -> str:
    fired = sorted({f.rule for f in result.findings} & set(rules))
    if not fired:
        return ""
    docs = [
        f"#### `{c}` {rules[c].name}\n\n**{rules[c].summary}**\n\n{_unwrap(rules[c].description)}"
        for c in fired
    ]
    return "<details>\n<summary>About these rules</summary>\n\n" + "\n\n".join(docs) + "\n\n</details>"


def _compose(result: CheckResult, links: Links | None, shown: int, extras: Sequence[str]) -> str:
    ordered = sorted(result.findings, key=_importance)
    rules = REGISTRY
    several = len(result.histories) > 1
    parts = _summary(result)
    if ordered:
        parts.append(_table(ordered[:shown], rules, links, several))
        left = ordered[shown:]
        if left:
            parts.append(
                f"**{_plural(len(left), 'more finding')} not shown here** ({_counts(left)}) to keep this"
                " comment within GitHub's size limit; the job log and `migcheck check` list them all."
            )
        if shown:
            parts.append("**How to fix**\n\n" + "\n".join(_fix(f, links, several) for f in ordered[:shown]))
    parts += [e for e in extras if e]
    parts.append(_footer(links))
    # printable and inert here, so that the size limits below measure what is sent (an undecodable byte is
    # `\xff`; a line of an error that starts with `::error` is `%3A:error`, should a CI step print it)
    return defuse(printable("\n\n".join(parts) + "\n"))


def render(
    result: CheckResult, *, color: bool = False, links: Links | None = None, limit: int = MAX_COMMENT
) -> str:
    """The comment body; under `limit` characters (pass less when the poster adds a marker of its own)."""
    total = len(result.findings)
    details = _details(result, REGISTRY)
    drawings = _diagrams(result)
    for extras in ([*drawings, details], drawings, []):  # rule docs go first, then the graph, then rows
        text = _compose(result, links, total, extras)
        if len(text) <= limit:
            return text
    lo, hi = 0, total  # the most findings that fit: the table is ordered most important first
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
    rest = f"; {_counts(result.findings)} below `--fail-on {result.fail_on.value}`" if result.findings else ""
    return defuse(
        printable(
            f"✅ **Resolved:** migcheck finds no problems {_where(result)}{rest}.\n\n{_footer(links)}\n"
        )
    )

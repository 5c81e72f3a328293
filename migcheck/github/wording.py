"""What migcheck says, in the action's words: every `migcheck check` flag a message names becomes the action's
input (`--no-drift` -> `drift: false`, `--database-url URL` -> `database-url: URL`), or the MIGCHECK_* variable
when the action has no input for it.

The engine, the rules and the reporters speak of flags, as the command line takes them; `migcheck github`
passes everything it prints, publishes or writes through `for_action()` / `as_inputs()`, so that a hint written
anywhere (today or later) names what a workflow can set. Commands of other subcommands (`migcheck fix --base
main --write`) are left alone: the user runs them on their own machine. So is fenced code.
"""

from __future__ import annotations

import re
from dataclasses import replace

from migcheck.github.context import CHECK_FLAGS, INPUTS, input_name
from migcheck.result import CheckResult

# the check flags that take no value: the input is set to true (false for the --no- form)
_SWITCHES = ("drift", "drift_only", "roundtrip")
# what may follow a flag as its value, by Settings key; anything else stays text ("--base needs git")
_PLACEHOLDER = r"[A-Z][A-Z_]*\b|<[a-z-]+>"
_RULE_SEVERITY = r"(?:MC\d+|[a-z][a-z0-9-]*)=(?:error|warning|notice)"
_VALUES = {
    "database_url": rf"[a-z][\w+]*://[^\s`'\"),;]+|'[a-z][\w+]*://[^']*'|{_PLACEHOLDER}",
    "metadata": rf"'[\w.]+:[\w.()]+'|[\w.]+:[\w.()]*\w\)?|{_PLACEHOLDER}",
    "fail_on": r"(?:error|warning|notice|never)\b",
    "alembic_config": rf"'[^'\s]+'|[\w./-]+\.(?:ini|toml)\b|{_PLACEHOLDER}",
    "versions": rf"'[^'\s]+'|[\w.-]*/[\w./-]*|{_PLACEHOLDER}",
    "python_path": rf"'[^'\s]+'|[\w.-]*/[\w./-]*|{_PLACEHOLDER}",
    "dialect": rf"(?:sqlite|postgresql|postgres|mysql|mariadb)\b|{_PLACEHOLDER}",
    # a revision id as Alembic writes them (12 hex digits), or one in quotes
    "lint_since": rf"'[^'\s]+'|[0-9a-f]{{12}}\b|{_PLACEHOLDER}",
    "severity": rf"(?:{_RULE_SEVERITY})(?:,(?:{_RULE_SEVERITY}))*\b|{_PLACEHOLDER}",
}
_FLAG_OF = {"--" + key.replace("_", "-"): (variable, key) for variable, key in CHECK_FLAGS}
_FLAG = re.compile(
    r"(?P<verb>\bpass )?(?<![\w-])(?:-c/)?(?P<flag>--(?:no-)?(?:"
    + "|".join(sorted((re.escape(f[2:]) for f in _FLAG_OF), key=len, reverse=True))
    + r"))(?![\w-])"
)
# fenced code, a code span, or a command of another subcommand: kept as written
_KEPT = re.compile(r"```.*?```|`[^`\n]*`|\bmigcheck (?:fix|status|cleanup|graph|rules)\b[^;\n)]*", re.S)


def as_inputs(text: str) -> str:
    """`text` with each `migcheck check` flag named as the action's input (or MIGCHECK_* variable)."""
    parts, last = [], 0
    for kept in _KEPT.finditer(text):
        parts.append(_plain(text[last : kept.start()]))
        parts.append(_span(kept.group(0)))
        last = kept.end()
    parts.append(_plain(text[last:]))
    return "".join(parts)


def for_action(result: CheckResult) -> CheckResult:
    """`result` with every message, hint, notice, warning and error in the action's words."""
    return replace(
        result,
        findings=tuple(
            replace(f, message=as_inputs(f.message), hint=as_inputs(f.hint)) for f in result.findings
        ),
        notices=tuple(as_inputs(n) for n in result.notices),
        warnings=tuple(as_inputs(w) for w in result.warnings),
        error=as_inputs(result.error) if result.error is not None else None,
    )


def _span(span: str) -> str:
    """A kept span as is, unless it is a code span holding one flag and its value (`--fail-on error`)."""
    if not span.startswith("`") or span.startswith("```"):
        return span
    inner = span[1:-1]
    match = _FLAG.match(inner)
    if match is None or match.group("verb"):
        return span
    named, end = _translated(inner, match)
    return named if end == len(inner) else span


def _plain(text: str) -> str:
    out, last = [], 0
    for match in _FLAG.finditer(text):
        named, end = _translated(text, match)
        out += [text[last : match.start()], named]
        last = end
    out.append(text[last:])
    return "".join(out)


def _translated(text: str, match: re.Match[str]) -> tuple[str, int]:
    """The action's name for the flag `match` found in `text` (with its value, when one follows), and where
    the text it replaces ends."""
    flag = match.group("flag")
    negated = flag.startswith("--no-")
    variable, key = _FLAG_OF["--" + flag[len("--no-") if negated else 2 :]]
    end, value = match.end(), None
    if key in _VALUES:
        found = re.compile(r"[ =](" + _VALUES[key] + ")").match(text, end)
        if found is not None:
            value, end = found.group(1).strip("'"), found.end()
    return _named(variable, key, negated, value, verb=match.group("verb") is not None), end


def _named(variable: str, key: str, negated: bool, value: str | None, *, verb: bool) -> str:
    name = input_name(variable)
    is_input = name in INPUTS
    if key in _SWITCHES:
        value = "false" if negated else "true"
    set_ = "set " if verb else ""
    if value is not None:
        where = "" if is_input else " (in the step's `env:`)"
        return f"{set_}`{name}: {value}`{where}"
    return f"{set_}the `{name}` input" if is_input else f"{set_}the `{name}` variable (in the step's `env:`)"

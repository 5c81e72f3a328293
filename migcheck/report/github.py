"""GitHub Actions workflow commands: one `::error file=...,line=...::message` annotation per finding.

GitHub shows at most 10 errors, 10 warnings and 10 notices per step and 50 annotations per job and drops the
rest silently, so the most important findings go first and a closing notice says how many were left out.
Escaping follows @actions/core (`toolkit/packages/core/src/command.ts`).

No `from __future__ import annotations` here: it would bind the name of the public `annotations()` function
to a compiler feature (mypy: no-redef), and every annotation below evaluates fine on Python 3.10.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

from migcheck.checks import REGISTRY
from migcheck.findings import Finding, Severity
from migcheck.report.printable import printable
from migcheck.result import CheckResult

PER_LEVEL, PER_JOB = 10, 50


def escape_data(text: str) -> str:
    """A command's message: `%`, CR and LF are the only characters that could end or fake a command.

    Lone surrogates (an undecodable byte in a file name) are written out first: no encoder takes them.
    """
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`): also `:` and `,`, which end the value or the property list."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # where the runner (.NET's ReadLine) ends a line


def _ignored(char: str) -> bool:
    """Characters the runner may skip before `::` (.NET's TrimStart takes white space; be wider than it)."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def defuse_line(line: str) -> str:
    """One line (no line break in it) that no runner reads as a workflow command, and otherwise unchanged."""
    start = 0
    while start < len(line) and _ignored(line[start]):
        start += 1
    rest = line[start:]
    if rest.startswith("::"):
        return line[:start] + "%3A" + rest[1:]
    if rest.startswith("##["):
        return line[:start] + "%23" + rest[1:]
    return line


def defuse(text: str) -> str:
    """Text (a report) of which no line is a workflow command when a CI step prints it; lines end in LF."""
    return "\n".join(defuse_line(line) for line in LINE_BREAK.split(text))


def _importance(f: Finding) -> tuple[int, str, int, str, str]:
    return (-f.severity.rank, f.location.path, f.location.line, f.rule, f.message)


def command(finding: Finding, *, environment: bool = False) -> str:
    """The workflow command for one finding; `environment` names its history (when there are several)."""
    rule = REGISTRY.get(finding.rule)
    props = {"file": finding.location.path, "line": str(finding.location.line)}
    if finding.location.end_line is not None:
        props["endLine"] = str(finding.location.end_line)
    props["title"] = f"{finding.rule} {rule.name}" if rule else finding.rule
    where = f" [{finding.environment}]" if environment and finding.environment else ""
    message = f"{finding.message}{where}\nfix: {finding.hint}"
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{finding.severity.value} {listed}::{escape_data(message)}"


def _pick(result: CheckResult, caps: Mapping[Severity, int], per_job: int) -> tuple[list[str], int]:
    shown: list[Finding] = []
    taken: Counter[Severity] = Counter()
    for f in sorted(result.findings, key=_importance):
        if len(shown) < per_job and taken[f.severity] < caps[f.severity]:
            shown.append(f)
            taken[f.severity] += 1
    several = len(result.histories) > 1
    return [command(f, environment=several) for f in shown], len(result.findings) - len(shown)


def annotations(
    result: CheckResult, *, per_level: int = PER_LEVEL, per_job: int = PER_JOB
) -> tuple[list[str], int]:
    """The commands, errors then warnings then notices (each by path and line), within GitHub's limits.

    Returns the lines and how many findings did not fit.
    """
    return _pick(result, dict.fromkeys(Severity, per_level), per_job)


def cannot_check(result: CheckResult) -> str | None:
    """The `::error` command saying that part of the check could not run, or None when all of it ran."""
    if result.error is None:
        return None
    return f"::error title={escape_property('migcheck could not check')}::{escape_data(result.error)}"


def render(result: CheckResult, *, color: bool = False) -> str:
    error = cannot_check(result)
    return (error + "\n" if error else "") + _findings(result)


def _findings(result: CheckResult) -> str:
    lines, left = annotations(result)
    if left:
        # the closing notice is an annotation too: keep a notice slot and a job slot for it
        caps = {**dict.fromkeys(Severity, PER_LEVEL), Severity.NOTICE: PER_LEVEL - 1}
        lines, left = _pick(result, caps, PER_JOB - 1)
        more = "1 more finding is" if left == 1 else f"{left} more findings are"
        lines.append(f"::notice::{more} not shown as annotations; see the job summary")
    return "".join(line + "\n" for line in lines)

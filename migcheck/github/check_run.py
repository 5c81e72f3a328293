"""A `migcheck` check run carrying every finding as an annotation (workflow commands show at most 10 per level).

The run is created in progress, then updated with the annotations in batches of 50 (GitHub's limit per
request; each update appends), the last update completing it with the conclusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from migcheck.checks import REGISTRY
from migcheck.findings import Finding, Severity
from migcheck.github import ApiError, call
from migcheck.report.printable import printable

if TYPE_CHECKING:
    from github import Github

BATCH = 50
MAX_SUMMARY = 65_535
MAX_MESSAGE = 65_535
_LEVELS = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.NOTICE: "notice"}


@dataclass(frozen=True)
class Published:
    """How far publishing got: `count` findings are on the check run; `error` says why it stopped."""

    count: int
    error: ApiError | None = None
    created: bool = True


def annotation(finding: Finding) -> dict[str, Any]:
    line = max(1, finding.location.line)
    rule = REGISTRY.get(finding.rule)
    return {
        "path": printable(finding.location.path),
        "start_line": line,
        "end_line": max(line, finding.location.end_line or line),
        "annotation_level": _LEVELS[finding.severity],
        "title": f"{finding.rule} {rule.name}" if rule else finding.rule,
        "message": printable(f"{finding.message}\nfix: {finding.hint}")[:MAX_MESSAGE],
    }


def publish(
    client: Github,
    repository: str,
    *,
    name: str,
    sha: str,
    findings: Sequence[Finding],
    title: str,
    summary: str,
    success: bool,
    details_url: str | None,
    token: str | None,
) -> Published:
    """Create the check run and put every finding on it; never raises an API failure, returns it."""
    repo = client.get_repo(repository)
    extra: dict[str, Any] = {"details_url": details_url} if details_url else {}
    try:
        # a timed-out create may have made the run; a second one would only sit beside it, so retry it too
        run = call(
            lambda: repo.create_check_run(name=name, head_sha=sha, status="in_progress", **extra), token=token
        )
    except ApiError as exc:
        return Published(0, exc, created=False)
    output = {"title": printable(title)[:255], "summary": _fit(printable(summary))}
    conclusion = "success" if success else "failure"
    batches = [findings[i : i + BATCH] for i in range(0, len(findings), BATCH)] or [()]
    done = 0
    for index, batch in enumerate(batches):
        finish: dict[str, Any] = {}
        if index == len(batches) - 1:
            finish = {"conclusion": conclusion, "completed_at": datetime.now(timezone.utc)}
        notes = [annotation(f) for f in batch]
        try:
            # annotations are appended: a batch repeated after a timeout would show twice
            call(
                partial(run.edit, output={**output, "annotations": notes}, **finish),
                token=token,
                retry_timeouts=False,
            )
        except ApiError as exc:
            # left in progress, the run would spin on the PR for ever: complete it with what it has
            note = f"**{len(findings) - done} findings could not be attached here; the job summary lists them all.**"
            try:
                call(
                    partial(
                        run.edit,
                        output={"title": output["title"], "summary": _fit(f"{note}\n\n{summary}")},
                        conclusion=conclusion,
                        completed_at=datetime.now(timezone.utc),
                    ),
                    token=token,
                )
            except ApiError:
                pass  # the first error is the one worth reporting
            return Published(done, exc)
        done += len(batch)
    return Published(done)


def _fit(summary: str) -> str:
    if len(summary) <= MAX_SUMMARY:
        return summary
    tail = "\n\n… (cut to fit; the job summary has the whole report)\n"
    return summary[: MAX_SUMMARY - len(tail)] + tail

"""The sticky PR comment: one per checked path, found by a hidden marker, created once and edited after.

`on-failure` creates it only when the check fails, and turns an existing one into a "resolved" note once the
check passes; `always` keeps it up to date in every run; `never` leaves the PR alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migcheck.github import call

if TYPE_CHECKING:
    from github import Github
    from github.Issue import Issue
    from github.IssueComment import IssueComment

# GitHub refuses a comment body longer than this many characters
MAX_BODY = 65_536
_CUT = "\n\n… (cut to fit a GitHub comment; the job summary has the whole report)\n"


def marker(path: str) -> str:
    """The hidden first line that identifies this path's comment among all the PR's comments."""
    return f"<!-- migcheck:comment path={path.replace('--', '-&#45;')} -->"


def body(mark: str, text: str, limit: int = MAX_BODY) -> str:
    full = f"{mark}\n{text}"
    if len(full) <= limit:
        return full
    return full[: limit - len(_CUT)].rstrip() + _CUT


def wanted(mode: str, failed: bool) -> bool:
    """Whether this run may create the comment (an existing one is always kept current, unless `never`)."""
    return mode == "always" or (mode == "on-failure" and failed)


def update(
    client: Github,
    repository: str,
    number: int,
    *,
    mark: str,
    report: str,
    resolved: str,
    failed: bool,
    mode: str,
    token: str | None,
) -> str:
    """Create or edit the comment; returns what was done: created, updated, resolved or nothing."""
    if mode == "never":
        return "nothing"
    issue = client.get_repo(repository).get_issue(number)
    text = report if wanted(mode, failed) else resolved

    def attempt() -> str:
        # The whole find-then-write is what is retried: if a create timed out but GitHub made the comment,
        # the next attempt finds it and edits it instead of adding a second one.
        existing = find(issue, mark)
        if existing is not None:
            existing.edit(body(mark, text))
            return "updated" if wanted(mode, failed) else "resolved"
        if not wanted(mode, failed):
            return "nothing"
        issue.create_comment(body(mark, text))
        return "created"

    return call(attempt, token=token)


def find(issue: Issue, mark: str) -> IssueComment | None:
    """The first comment holding the marker; PyGithub pages through the comments by their Link headers."""
    for comment in issue.get_comments():
        if mark in (comment.body or ""):
            return comment
    return None

"""The sticky PR comment: one per checked path and job, found by a hidden marker, created once and edited after.

`on-failure` creates it only when the check fails, and turns an existing one into a "resolved" note once the
check passes; `always` keeps it up to date in every run; `never` leaves the PR alone.

Which comment is this job's: the one whose first line is this job's marker (`path` and `comment-key`) and
whose author is the token's own account (asked once: GraphQL's `viewer`, which answers for a personal token and
for an app's installation token alike, `github-actions[bot]` for the job's GITHUB_TOKEN). A comment anybody
else wrote is never edited, whatever it holds. Two runs of one job at the same time may each create the
comment: after creating, a run lists the comments again and keeps the oldest of its own, deleting the others.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from migcheck.github import ApiError, call

if TYPE_CHECKING:
    from github import Github
    from github.Issue import Issue
    from github.IssueComment import IssueComment

# GitHub refuses a comment body longer than this many characters
MAX_BODY = 65_536
_CUT = "\n\n… (cut to fit a GitHub comment; the job summary has the whole report)\n"
_VIEWER = "query { viewer { login } }"
# inputs that do not make another check: the PR's base commit moves with every push to the base branch
_NOT_IDENTITY = ("MIGCHECK_BASE",)


def identity(job: str | None, inputs: Mapping[str, str]) -> str:
    """The default `comment-key`: `<job>/<dialect>/<hash of the check's inputs>`, e.g. `migcheck/postgresql/1a2b3c4d`.

    Two jobs that check the same path against different databases, or with different rules, keep a comment each;
    re-runs of one job keep theirs. The legs of a matrix share the job id and often every input: give them
    `comment-key: ${{ matrix.<name> }}`. The database URL enters the hash without its user and password.
    """
    url = inputs.get("MIGCHECK_DATABASE_URL", "")
    scheme = url.partition(":")[0] if ":" in url else ""
    dialect = scheme.partition("+")[0].lower() or "sqlite"
    shown = {k: v for k, v in inputs.items() if k not in _NOT_IDENTITY}
    if url:
        shown["MIGCHECK_DATABASE_URL"] = re.sub(r"(?<=://)[^/]*@", "", url)  # up to the last @ of the netloc
    digest = hashlib.sha256(json.dumps(shown, sort_keys=True).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{job or 'job'}/{dialect}/{digest[:8]}"


def _attribute(value: str) -> str:
    """A value that cannot end the HTML comment or the line it is in."""
    value = re.sub(r"\s+", " ", value).strip().replace(" ", "%20").replace(">", "%3E")
    return value.replace("--", "-&#45;")


def marker(path: str, key: str = "") -> str:
    """The hidden first line that identifies this path's (and job's) comment among all the PR's comments."""
    keyed = f" key={_attribute(key)}" if key else ""
    return f"<!-- migcheck:comment path={_attribute(path)}{keyed} -->"


def body(mark: str, text: str, limit: int = MAX_BODY) -> str:
    full = f"{mark}\n{text}"
    if len(full) <= limit:
        return full
    return full[: limit - len(_CUT)].rstrip() + _CUT


def wanted(mode: str, failed: bool) -> bool:
    """Whether this run may create the comment (an existing one is always kept current, unless `never`)."""
    return mode == "always" or (mode == "on-failure" and failed)


def whoami(client: Github) -> str:
    """The login of the token's account; comments it wrote carry this login (`github-actions[bot]`, ...)."""
    _, data = client.requester.graphql_query(_VIEWER, {})
    login = ((data.get("data") or {}).get("viewer") or {}).get("login")
    if not isinstance(login, str) or not login:
        raise ApiError("GitHub's GraphQL API did not say which account the token belongs to")
    return login


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
    legacy: str | None = None,
) -> str:
    """Create or edit the comment; returns what was done: created, updated, resolved or nothing.

    `legacy` is the marker an earlier migcheck wrote (path only): such a comment of ours is taken over (its
    marker rewritten) when this job has none yet, so that upgrading does not leave a stale report behind.
    """
    if mode == "never":
        return "nothing"
    issue = client.get_repo(repository).get_issue(number)
    text = body(mark, report if wanted(mode, failed) else resolved)
    me: list[str] = []

    def login() -> str:
        if not me:  # once per run
            me.append(whoami(client))
        return me[0]

    def attempt() -> IssueComment | str:
        # The whole find-then-write is what is retried: if a create timed out but GitHub made the comment,
        # the next attempt finds it and edits it instead of adding a second one.
        comments = list(issue.get_comments())
        ours = _by(login, [c for c in comments if _first_line(c) == mark])
        if not ours and legacy:
            ours = _by(login, [c for c in comments if _first_line(c) == legacy])
        if ours:
            keep = min(ours, key=lambda c: c.id)
            keep.edit(text)
            _delete(c for c in ours if c.id != keep.id)
            return "updated" if wanted(mode, failed) else "resolved"
        if not wanted(mode, failed):
            return "nothing"
        return issue.create_comment(text)

    done = call(attempt, token=token)
    if isinstance(done, str):
        return done
    call(lambda: _converge(issue, mark, done, text), token=token)
    return "created"


def _converge(issue: Issue, mark: str, created: IssueComment, text: str) -> None:
    """After creating: if a concurrent run of this job created one too, keep the oldest, delete the rest."""
    mine = _author(created)
    ours = [c for c in issue.get_comments() if _first_line(c) == mark and _author(c) == mine]
    if len(ours) <= 1:
        return
    keep = min(ours, key=lambda c: c.id)
    _delete(c for c in ours if c.id != keep.id)
    if keep.id != created.id:
        keep.edit(text)  # this run's report, in the comment that stays


def _by(login: Callable[[], str], comments: list[IssueComment]) -> list[IssueComment]:
    """The comments the token's account wrote (its login asked only when there is one to tell apart)."""
    return [c for c in comments if _author(c) == login()] if comments else []


def _delete(comments: Iterable[IssueComment]) -> None:
    from github import GithubException

    for comment in comments:
        try:
            comment.delete()
        except GithubException as exc:
            if exc.status != 404:  # gone already: the other run deleted it
                raise


def _first_line(comment: IssueComment) -> str:
    return (comment.body or "").split("\n", 1)[0].strip()


def _author(comment: IssueComment) -> str | None:
    user = comment.user
    return user.login if user is not None else None

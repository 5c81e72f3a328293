"""`migcheck github`: the check inside GitHub Actions, plus its GitHub API client and the one retry policy.

context.py reads the run's facts, action.py is the entrypoint, checks.py publishes a check run with the
findings as annotations, comment.py keeps one sticky PR comment. Every API call goes through `call()`, so a
5xx, a timeout or a rate limit is retried a bounded number of times with short sleeps, and a failure ends as
an `ApiError` whose text is safe to print (the token masked). PyGithub is imported only when a token is
given, so the rest of the action works without it.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from migcheck import __version__, masking

if TYPE_CHECKING:
    from github import Github

T = TypeVar("T")


# Bounded by design: a PR comment is not worth holding up a CI job. Each time can be shrunk (tests) or
# stretched through its environment variable, read when it is used.
ATTEMPTS = 3
TIMEOUT = 10  # whole seconds per request: MIGCHECK_GITHUB_TIMEOUT
BACKOFF = 1.0  # first retry's sleep, doubled after; also the pace of writes: MIGCHECK_GITHUB_BACKOFF
MAX_WAIT = 30.0  # longest rate-limit wait honoured before giving up: MIGCHECK_GITHUB_MAX_WAIT


def seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name) or default))
    except ValueError:
        return default


def timeout() -> int:
    return max(1, math.ceil(seconds("MIGCHECK_GITHUB_TIMEOUT", TIMEOUT)))


def backoff() -> float:
    return seconds("MIGCHECK_GITHUB_BACKOFF", BACKOFF)


class ApiError(Exception):
    """A GitHub API call that failed for good; `str()` is safe to print and `status` is the HTTP status.

    `refused` is a 403 that is not a rate limit: the token may not do this (a fork's read-only token, a
    job without `checks: write`), and asking again will not change that.
    """

    def __init__(self, message: str, status: int | None = None, *, refused: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.refused = refused


def mask(text: str, token: str | None) -> str:
    """`text` with the token, and every secret migcheck knows of (`migcheck.masking`), replaced by ***."""
    text = masking.mask(text)
    return text.replace(token, "***") if token else text


def connect(api_url: str, token: str) -> Github:
    """A PyGithub client whose own retries are off, so that `call()`'s bounded policy is the only one."""
    import github

    return github.Github(
        base_url=api_url,
        auth=github.Auth.Token(token),
        timeout=timeout(),
        retry=None,
        per_page=100,
        user_agent=f"migcheck/{__version__}",
        # GitHub asks integrators to pace writes (about 1 s apart) to stay clear of secondary rate limits
        seconds_between_requests=backoff() / 4 or None,
        seconds_between_writes=backoff() or None,
        # no GET before each write: the repository and the PR are addressed by name and number
        lazy=True,
    )


def call(action: Callable[[], T], *, token: str | None, retry_timeouts: bool = True) -> T:
    """`action()`, retried on 5xx, timeouts (when safe to repeat) and rate limits; else `ApiError`.

    A write whose repetition would duplicate something (an annotation batch) passes `retry_timeouts=False`:
    after a timeout nobody knows whether GitHub applied it.
    """
    import requests
    from github import GithubException

    for attempt in range(1, ATTEMPTS + 1):
        try:
            return action()
        except GithubException as exc:
            limit = _rate_limit_wait(exc)
            wait = _backoff(attempt) if exc.status >= 500 else limit
            if limit is not None and limit > seconds("MIGCHECK_GITHUB_MAX_WAIT", MAX_WAIT):
                wait = None  # not worth holding up the job for
            refused = exc.status == 403 and limit is None
            error = ApiError(mask(describe(exc), token), exc.status, refused=refused)
        except requests.exceptions.Timeout:
            wait = _backoff(attempt) if retry_timeouts else None
            error = ApiError(f"no answer within {timeout()} s")
        except requests.exceptions.ConnectionError as exc:
            wait = _backoff(attempt)
            error = ApiError(mask(f"cannot connect to the GitHub API: {_reason(exc)}", token))
        if wait is None or attempt == ATTEMPTS:
            raise error from None
        time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def describe(exc: Exception) -> str:
    """`403 Resource not accessible by integration`: the status and GitHub's message, nothing else."""
    status = getattr(exc, "status", None)
    data = getattr(exc, "data", None)
    message = data.get("message") if isinstance(data, dict) else None
    if not message:
        message = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(
            status or 0, str(data or "")[:200].strip() or type(exc).__name__
        )
    return f"{status} {message}" if status else str(message)


def _rate_limit_wait(exc: Exception) -> float | None:
    """Seconds GitHub asks to wait when `exc` is a (primary or secondary) rate limit, else None."""
    status = getattr(exc, "status", 0) or 0
    if status not in (403, 429):
        return None
    headers = {k.lower(): v for k, v in (getattr(exc, "headers", None) or {}).items()}
    message = str(getattr(exc, "data", "") or "").lower()
    if "retry-after" in headers:
        return max(0.0, _number(headers["retry-after"]))
    if headers.get("x-ratelimit-remaining") == "0":
        return max(0.0, _number(headers.get("x-ratelimit-reset")) - time.time())
    if "rate limit" in message or status == 429:
        return 60.0  # GitHub: with no header to go by, wait at least a minute
    return None


def _backoff(attempt: int) -> float:
    return float(backoff() * 2 ** (attempt - 1))


def _number(value: str | None) -> float:
    try:
        return float(value or "")
    except ValueError:
        return float("inf")


def _reason(exc: Exception) -> str:
    # requests' message repeats the pool and the URL; the OS error inside it says what happened
    found = re.search(r"\[Errno[^\]]*\][^'\")]*", str(exc))
    return found.group(0).strip() if found else type(exc).__name__

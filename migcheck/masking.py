"""Secrets (database passwords, tokens) never leave migcheck: the one masking step for everything it emits.

An exception can quote a secret in any shape: a driver echoes the URL it was given, env.py prints the scratch
database's URL, a migration puts a connection string in its error, a resolver names the "host" that an
unencoded `@` cut out of a password. So secrets are masked by value, not by where they appear: once migcheck
knows a value is secret (`add_url` for a database URL, `add_token`), `mask()` replaces it with `***` in any
text. The engine applies it to every string of a finished CheckResult (`mask_result`), the command line and
the action to every "could not check" message; URLs with credentials anywhere in a text are masked too.

Values shorter than `MIN_SECRET` characters, and a password equal to its user name, are masked only where
they stand in a URL: masking two-letter fragments everywhere would garble every message and hide nothing.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, unquote

MASK = "***"
MIN_SECRET = 4
# Where a token may live in a job's environment: the action's input (also as the runner passes it,
# INPUT_GITHUB-TOKEN), GitHub's own, the gh CLI's, and the runner's own services (caches, artifacts, OIDC).
# Every one is masked in what migcheck emits, and `migcheck github` removes every one before user code runs.
TOKEN_VARIABLES = (
    "MIGCHECK_GITHUB_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "INPUT_GITHUB_TOKEN",
    "INPUT_GITHUB-TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)
_SECRET_QUERY = re.compile(r"([?&](?:password|passwd|pwd|sslpassword)=)([^&#\s'\"]*)", re.IGNORECASE)
# scheme://user:password@ in running text; the password runs to the last "@" before a blank or a quote, so
# an unencoded "@" inside it does not end it early
_URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^\s:/@'\"]*:)[^\s'\"]*@", re.IGNORECASE)
# what URL parsers (and drivers after them) cut a password at
_CUTS = re.compile(r"[@:/?#]")

_known: set[str] = set()
_ordered: tuple[str, ...] = ()
_lock = threading.Lock()

T = TypeVar("T")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***; works on text SQLAlchemy cannot parse, too."""
    url = _SECRET_QUERY.sub(rf"\1{MASK}", url)
    scheme, sep, rest = url.partition("://")
    # The last "@" ends the credentials: an unencoded "@" inside a password must not leak what follows it.
    userinfo, at, hostpart = (rest if sep else url).rpartition("@")
    if not at:
        return url
    if not sep:
        return f"{MASK}@{hostpart}"
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}://{user}{':' + MASK if colon else ''}@{hostpart}"


def url_secrets(url: str) -> set[str]:
    """Every form of the password in `url` that a message may quote: as written, URL-decoded, encoded, and
    the pieces a parser makes of it when it holds an unencoded `@` (or `:`, `/`, `?`, `#`)."""
    passwords = [m.group(2) for m in _SECRET_QUERY.finditer(url)]
    scheme, sep, rest = url.partition("://")
    userinfo, at, _ = (rest if sep else url).rpartition("@")
    user = ""
    if at:
        user, colon, password = userinfo.partition(":")
        if colon:
            passwords.append(password)
    forms: set[str] = set()
    for password in filter(None, passwords):
        for form in (password, unquote(password)):
            forms |= {form, quote(form, safe=""), quote_plus(form), *_CUTS.split(form)}
    return {f for f in forms if len(f) >= MIN_SECRET and f not in (user, unquote(user))}


def add_url(url: str | None) -> None:
    """From now on, mask the password of this database URL in everything migcheck emits."""
    if url:
        _add(url_secrets(url))


def add_token(token: str | None) -> None:
    """From now on, mask this token (and its URL-encoded form) in everything migcheck emits."""
    if token and len(token.strip()) >= MIN_SECRET:
        _add({token.strip(), quote(token.strip(), safe="")})


def add_environment_tokens(environ: Mapping[str, str] | None = None) -> None:
    """Mask the tokens of the job's environment (read now: they may be removed before user code runs)."""
    environ = os.environ if environ is None else environ
    for name in TOKEN_VARIABLES:
        add_token(environ.get(name))


def _add(secrets: Iterable[str]) -> None:
    global _ordered
    with _lock:
        new = set(secrets) - _known
        if new:
            _known.update(new)
            # longest first, so that a secret is masked whole before a piece of it is
            _ordered = tuple(sorted(_known, key=lambda s: (-len(s), s)))


def forget() -> None:
    """Forget every secret (for tests)."""
    global _ordered
    with _lock:
        _known.clear()
        _ordered = ()


def mask(text: str) -> str:
    """`text` with every known secret, and the password of any URL in it, replaced by ***."""
    if not isinstance(text, str) or not text:
        return text
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    if "://" in text:
        text = _URL_CREDENTIALS.sub(rf"\1{MASK}@", text)
    if "=" in text:
        text = _SECRET_QUERY.sub(rf"\1{MASK}", text)
    return text


def mask_result(result: T) -> T:
    """Every string in `result` (a CheckResult, or any frozen dataclass of strings, tuples and dataclasses)
    masked: messages, hints, notices, the error, even paths."""
    return _masked(result)  # type: ignore[no-any-return]


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, tuple):
        return tuple(_masked(v) for v in value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _masked(getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value

"""The vocabulary every check and reporter shares: severities, locations, findings and the rule registry."""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from migcheck.errors import MigcheckError


class Severity(str, enum.Enum):
    """GitHub's annotation levels; SARIF calls `notice` a `note`."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "notice": 1}[self.value]

    @classmethod
    def parse(cls, value: str, *, setting: str = "fail-on") -> Severity:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise MigcheckError(f"{setting}: {value!r} is not a severity; use one of {choices}") from None


@dataclass(frozen=True)
class Location:
    """A place in a file; `path` is posix and relative to the run's `paths_from` (by default the checked root)."""

    path: str
    line: int = 1
    end_line: int | None = None


@dataclass(frozen=True)
class Finding:
    """One problem: what is wrong (one sentence), where, and how to fix it."""

    rule: str
    severity: Severity
    message: str
    location: Location
    hint: str
    revision: str | None = None
    environment: str | None = None
    # when the fix is a one-line edit of the finding's own line: that line as it should read
    replacement: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.location.path, self.location.line, self.rule, self.message)


@dataclass(frozen=True)
class Rule:
    """A registered check: its code, name, default severity and documentation (the function's docstring)."""

    code: str
    name: str
    severity: Severity
    summary: str
    description: str
    check: Callable[..., Iterable[Finding]] = field(compare=False, repr=False)
    # the type of the one argument the check takes: what the engine routes to it
    input: type = field(default=object, compare=False, repr=False)
    # the database dialects the rule applies to (sqlite, postgresql, mysql); empty: every dialect
    dialects: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return self.code[:3] + "xx"

    def finding(
        self, message: str, location: Location, hint: str, revision: str | None = None, **extra: Any
    ) -> Finding:
        """Build a finding of this rule at its default severity."""
        return Finding(self.code, self.severity, message, location, hint, revision, **extra)


# Filled as rule modules are imported; read it through `migcheck.checks`, which imports them all.
REGISTRY: dict[str, Rule] = {}
_CODE = re.compile(r"^MC[1-9]\d\d$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def rule(
    *, code: str, name: str, severity: Severity, dialects: tuple[str, ...] = ()
) -> Callable[[Callable[..., Iterable[Finding]]], Rule]:
    """Register a check function as a rule; its docstring's first line is the summary, the rest its docs.

    `dialects` names the databases the rule applies to (empty: all); the MC3xx rules say it, and the engine
    routes them by it.
    """

    def register(func: Callable[..., Iterable[Finding]]) -> Rule:
        if not _CODE.match(code):
            raise ValueError(f"rule code {code!r} is not of the form MC123")
        if not _NAME.match(name):
            raise ValueError(f"rule name {name!r} is not kebab-case")
        if code in REGISTRY or any(r.name == name for r in REGISTRY.values()):
            raise ValueError(f"rule {code} {name} is registered twice")
        doc = inspect.cleandoc(func.__doc__ or "")
        if not doc:
            raise ValueError(f"rule {code} has no docstring: its docstring is its documentation")
        summary, _, description = doc.partition("\n")
        unknown = sorted(set(dialects) - {"sqlite", "postgresql", "mysql"})
        if unknown:
            raise ValueError(f"rule {code} names unknown dialects {unknown}")
        registered = Rule(
            code, name, severity, summary.strip(), description.strip(), func, _input_of(func), tuple(dialects)
        )
        REGISTRY[code] = registered
        return registered

    return register


def _input_of(func: Callable[..., Iterable[Finding]]) -> type:
    """The annotated type of a check's only parameter (flake8 classifies its plugins by their parameters)."""
    code = func.__code__
    if code.co_argcount != 1:
        raise ValueError(f"rule {func.__name__} must take one argument: the input it checks")
    annotation = func.__annotations__.get(code.co_varnames[0])
    if isinstance(annotation, str):  # postponed annotations: resolve the name where the rule is defined
        annotation = eval(annotation, func.__globals__)  # noqa: S307 - the rule module's own annotation
    if not isinstance(annotation, type):
        raise ValueError(f"rule {func.__name__} must annotate its argument with the input type it reads")
    return annotation


def resolve_rules(values: Iterable[str], *, setting: str) -> frozenset[str]:
    """Turn rule codes, names or families (`MC1`, `MC10`, `MC101`, `multiple-heads`) into codes.

    An unknown value stops the run with the list of known rules, so a typo never silently disables a check.
    """
    codes: set[str] = set()
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        upper = value.upper()
        matched = {c for c in REGISTRY if c.startswith(upper)} if upper.startswith("MC") else set()
        matched |= {r.code for r in REGISTRY.values() if r.name == value.lower()}
        if upper == "ALL":
            matched = set(REGISTRY)
        if not matched:
            known = ", ".join(f"{r.code} ({r.name})" for r in sorted(REGISTRY.values(), key=lambda r: r.code))
            raise MigcheckError(f"{setting}: unknown rule {value!r}; known rules: {known}")
        codes |= matched
    return frozenset(codes)

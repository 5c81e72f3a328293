"""The pipeline: Settings -> discover -> read statically -> graph checks -> CheckResult. Never prints."""

from __future__ import annotations

import gc
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import migcheck.checks.base  # noqa: F401 - registers MC11x rules (run with --base)
import migcheck.checks.drift  # noqa: F401 - registers MC2xx rules (cheap: sqlalchemy loads only when drift runs)
import migcheck.checks.history  # noqa: F401 - registers MC1xx rules
import migcheck.checks.status  # noqa: F401 - registers MC4xx rules (run by `migcheck status`)
from migcheck.checks.history import History
from migcheck.config import EnvironmentSettings, Settings
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment, discover
from migcheck.errors import MigcheckError
from migcheck.findings import REGISTRY, Finding, resolve_rules
from migcheck.graph import RevisionGraph
from migcheck.progress import Progress, ProgressCallback, StepListener, listening
from migcheck.result import CheckResult, HistoryFacts, Point
from migcheck.scripts import Revision, Unreadable, iter_revision_files, read_revision


def run(settings: Settings, progress: ProgressCallback | None = None) -> CheckResult:
    """Check every environment under `settings.root`; raise MigcheckError when that is impossible.

    When the drift check of an environment cannot run, the result says why in `error` (exit code 2) and
    still holds every graph finding, and the other environments are still checked. `progress` hears of
    each migration step the drift check runs.
    """
    started = time.perf_counter()
    root = settings.root.resolve()
    selected = _rule_set(settings.select, settings.ignore, "")
    found = discover(
        root,
        alembic_config=settings.alembic_config,
        versions=settings.versions,
        environments=[e.path for e in settings.environments],
    )
    timings = {"discover": time.perf_counter() - started}
    resolver = ConstantResolver(root)
    findings: list[Finding] = []
    facts: list[HistoryFacts] = []
    notices = list(found.notices)
    errors: list[str] = []
    read_time = check_time = drift_time = 0.0
    for env in found.environments:
        t0 = time.perf_counter()
        revisions, unreadable = _read_environment(env, root, resolver, notices)
        t1 = time.perf_counter()
        overrides = _overrides(env, root, settings.environments)
        rules = selected
        if overrides and (overrides.select is not None or overrides.ignore is not None):
            rules = _rule_set(
                overrides.select if overrides.select is not None else settings.select,
                overrides.ignore if overrides.ignore is not None else settings.ignore,
                f" (environment {overrides.path})",
            )
        expected = (
            overrides.expected_heads if overrides and overrides.expected_heads else settings.expected_heads
        )
        suppressed = {r.path: r.suppressions for r in revisions if r.suppressions}
        graph_rules = [] if settings.drift_only else sorted(c for c in rules if c.startswith("MC10"))
        env_findings: list[Finding] = []
        new: frozenset[str] = frozenset()
        external: frozenset[str] = frozenset()
        merged: RevisionGraph | None = None
        if settings.base and not settings.drift_only:
            base_findings, new, external, merged = _against_base(
                env, root, resolver, settings, revisions, unreadable, expected, rules
            )
            env_findings += base_findings
        histories = _histories(env, root, revisions, unreadable, expected)
        for history in histories:
            history = replace(history, external=external)
            for code in graph_rules:
                env_findings += [replace(f, environment=history.name) for f in REGISTRY[code].check(history)]
            facts.append(
                replace(
                    _facts(history, env, root, merged if len(histories) == 1 else None),
                    new_revisions=tuple(r for r in history.graph.revisions if r in new),
                )
            )
        check_time += time.perf_counter() - t1
        drift_rules = sorted(c for c in rules if c.startswith("MC2"))
        if (settings.drift or settings.drift_only) and drift_rules:
            t2 = time.perf_counter()
            whole = History(env.name, RevisionGraph(revisions), tuple(unreadable), expected)
            try:
                with listening(_progress_of(whole, progress)):
                    env_findings += _drift(env, whole, settings, root, notices, drift_rules)
            except MigcheckError as exc:
                errors.append(_cannot_drift(env, str(exc)))
            except Exception as exc:  # noqa: BLE001 - a bug of migcheck's must not hide the graph findings
                if os.environ.get("MIGCHECK_DEBUG"):
                    raise
                errors.append(
                    _cannot_drift(env, f"internal error: {type(exc).__name__}: {exc}")
                    + "\n(please report it; MIGCHECK_DEBUG=1 shows the traceback)"
                )
            finally:
                drift_time += time.perf_counter() - t2
        findings += [f for f in env_findings if not _is_suppressed(f, suppressed)]
        read_time += t1 - t0
    timings.update(read=read_time, check=check_time, drift=drift_time, total=time.perf_counter() - started)
    return CheckResult(
        root=str(root),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        histories=tuple(facts),
        fail_on=settings.fail_on,
        notices=tuple(notices),
        timings=timings,
        error="\n".join(errors) or None,
    )


def _against_base(
    env: Environment,
    root: Path,
    resolver: ConstantResolver,
    settings: Settings,
    revisions: list[Revision],
    unreadable: list[Unreadable],
    expected: int | tuple[str, ...] | None,
    rules: frozenset[str],
) -> tuple[list[Finding], frozenset[str], frozenset[str], RevisionGraph]:
    """MC11x: this environment's revisions against the same environment at `settings.base`; also which
    revisions are new in the change, and which exist only on the base branch."""
    from migcheck.checks.base import BaseContext
    from migcheck.gitbase import read_base

    base = read_base(root, settings.base or "", env, resolver)
    context = BaseContext(
        History(env.name, RevisionGraph(revisions), tuple(unreadable), expected), base, root
    )
    codes = sorted(c for c in rules if c.startswith("MC11"))
    found = [replace(f, environment=env.name) for code in codes for f in REGISTRY[code].check(context)]
    on_base = {r.id for r in base.revisions}
    merged = RevisionGraph({**{r.id: r for r in base.revisions}, **{r.id: r for r in revisions}}.values())
    return found, frozenset(context.new_ids()), frozenset(on_base - {r.id for r in revisions}), merged


def _drift(
    env: Environment, history: History, settings: Settings, root: Path, notices: list[str], codes: list[str]
) -> list[Finding]:
    """MC2xx for one environment, unless its revision graph is too broken to run the migrations."""
    if history.unreadable or history.graph.dangling or history.graph.cycles() or history.graph.duplicates:
        notices.append(f"drift check skipped for {env.name}: fix the revision graph errors first")
        return []
    from migcheck.checks.drift import drift_context

    context = drift_context(env, history, settings, root, notices)
    if context is None:
        return []
    return [
        replace(
            f,
            environment=env.name,
            message=without_scratch_names(f.message),
            hint=without_scratch_names(f.hint),
        )
        for code in codes
        for f in REGISTRY[code].check(context)
    ]


# The scratch database's name (`migcheck_` + 12 hex digits) or the temporary SQLite file changes on every run:
# in a message it would make every SARIF fingerprint and every sticky PR comment differ from the last run's.
_SCRATCH_NAMES = re.compile(
    r"(?:sqlite:/+)?[^\s'\"`()]*migcheck_[a-z0-9_]{8}[/\\]migcheck\.db|migcheck_[0-9a-f]{12}(?![0-9a-z_])"
)
SCRATCH_PLACEHOLDER = "<scratch database>"


def without_scratch_names(text: str) -> str:
    """`text` with each scratch database name or temporary SQLite path replaced by a stable placeholder."""
    return _SCRATCH_NAMES.sub(SCRATCH_PLACEHOLDER, text)


def _cannot_drift(env: Environment, message: str) -> str:
    message = without_scratch_names(message)
    return message if message.startswith(f"{env.name}:") else f"{env.name}: drift check: {message}"


def _progress_of(history: History, callback: ProgressCallback | None) -> StepListener | None:
    """Migration steps as "revision n of N": n counts the distinct revisions upgraded on the current scratch
    database, so the drift run and the round trip (a second scratch database, a second runner) each count up."""
    if callback is None:
        return None
    total = len(history.graph)
    runs: list[object] = []
    upgraded: set[str] = set()

    def on_step(run: object, revision: str, upgrade: bool) -> None:
        if run not in runs:
            runs.append(run)
            upgraded.clear()
        if upgrade:
            upgraded.add(revision)
        phase = "drift" if len(runs) == 1 else "roundtrip"
        done = max(len(upgraded), 1)
        callback(Progress(history.name, phase, done, total, revision, downgrade=not upgrade))

    return on_step


def _rule_set(select: Iterable[str], ignore: Iterable[str], where: str) -> frozenset[str]:
    chosen = resolve_rules(select, setting=f"select{where}") or frozenset(REGISTRY)
    return chosen - resolve_rules(ignore, setting=f"ignore{where}")


def _display(path: str | Path, root: Path) -> str:
    """The path shown in findings: relative to the checked root, with forward slashes."""
    path, prefix = os.fspath(path), os.path.join(root, "")
    shown = path[len(prefix) :] if path.startswith(prefix) else path
    return shown.replace(os.sep, "/")


def _read_environment(
    env: Environment, root: Path, resolver: ConstantResolver, notices: list[str]
) -> tuple[list[Revision], list[Unreadable]]:
    revisions: list[Revision] = []
    unreadable: list[Unreadable] = []
    for location in env.version_locations:
        if not location.is_dir():
            notices.append(
                f"{env.name}: version location {_display(location, root)} does not exist; nothing read there"
            )
    # Parsing allocates many short-lived AST nodes that hold no cycles; the cyclic GC only slows that down.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for file in iter_revision_files(
            env.version_locations, recursive=env.recursive, sourceless=env.sourceless
        ):
            item = read_revision(file, _display(file, root), resolver)
            if isinstance(item, Revision):
                revisions.append(item)
            else:
                unreadable.append(item)
    finally:
        if gc_was_enabled:
            gc.enable()
    return revisions, unreadable


def _histories(
    env: Environment,
    root: Path,
    revisions: list[Revision],
    unreadable: list[Unreadable],
    expected: int | tuple[str, ...] | None,
) -> list[History]:
    """One history per environment, or one per subdirectory when disconnected histories live apart."""
    if env.split_histories:
        groups = _split_by_subdirectory(env, root, revisions)
        if groups is not None:
            stray = {u.path: _subdir_of(env, root, u.path) for u in unreadable}
            # an unreadable file in a subdirectory of its own still needs a history to be reported in
            for sub in sorted(set(stray.values()) - set(groups)):
                groups[sub] = []
            return [
                History(
                    f"{env.name} [{sub}]" if sub else env.name,
                    RevisionGraph(revs),
                    tuple(u for u in unreadable if stray[u.path] == sub),
                    expected,
                )
                for sub, revs in groups.items()
            ]
    return [History(env.name, RevisionGraph(revisions), tuple(unreadable), expected)]


def _subdir_of(env: Environment, root: Path, display: str) -> str:
    path = Path(display) if Path(display).is_absolute() else root / display
    for location in env.version_locations:
        try:
            parts = path.relative_to(location).parts
        except ValueError:
            continue
        return parts[0] if len(parts) > 1 else ""
    return ""


def _split_by_subdirectory(
    env: Environment, root: Path, revisions: list[Revision]
) -> dict[str, list[Revision]] | None:
    """Histories kept in separate subdirectories (versions/postgresql/, versions/sqlite/) with no link between them."""
    groups: dict[str, list[Revision]] = defaultdict(list)
    for rev in revisions:
        groups[_subdir_of(env, root, rev.path)].append(rev)
    if len(groups) < 2 or "" in groups:
        return None
    owner = {rev.id: sub for sub, revs in groups.items() for rev in revs}
    for sub, revs in groups.items():
        for rev in revs:
            links = (*rev.down_revisions, *rev.depends_on)
            if any(owner.get(link, sub) != sub for link in links):
                return None
    return dict(sorted(groups.items()))


def _overrides(
    env: Environment, root: Path, configured: Iterable[EnvironmentSettings]
) -> EnvironmentSettings | None:
    names = {env.name}
    if env.config_file is not None:
        names |= {_display(env.config_file, root), _display(env.config_file.parent, root)}
    for item in configured:
        if item.path.strip("/").removeprefix("./") in names:
            return item
    return None


def _is_suppressed(finding: Finding, suppressed: Mapping[str, Mapping[int, frozenset[str]]]) -> bool:
    codes = suppressed.get(finding.location.path, {}).get(finding.location.line)
    if codes is None:
        return False
    return not codes or finding.rule in codes or REGISTRY[finding.rule].name.upper() in codes


def _facts(
    history: History, env: Environment, root: Path, merged: RevisionGraph | None = None
) -> HistoryFacts:
    """The history's shape; with --base, its heads are those of the merge result (what main will have)."""
    graph = history.graph
    after = merged if merged is not None else graph

    def point(where: RevisionGraph, rid: str, labels: tuple[str, ...]) -> Point:
        rev = where.revisions[rid]
        return Point(rid, rev.path, rev.revision_line, labels)

    def head_labels(rid: str) -> tuple[str, ...]:
        return tuple(sorted(label for label in after.lineage_labels(rid) if not label.startswith("<")))

    return HistoryFacts(
        environment=history.name,
        script_location=_display(env.script_location, root),
        revision_count=len(graph),
        heads=tuple(point(after, h, head_labels(h)) for h in after.heads()),
        bases=tuple(point(graph, b, graph.revisions[b].branch_labels) for b in graph.bases()),
        merge_points=tuple(graph.merge_points()),
        edges=_near_heads(after),
    )


def _near_heads(graph: RevisionGraph, depth: int = 4, limit: int = 60) -> tuple[tuple[str, str], ...]:
    """Edges among the revisions at most `depth` steps below a head (and their fork points), at most `limit`."""
    keep = graph.near_heads(depth)
    ordered = [rid for rid in graph.revisions if rid in keep][-limit:]
    chosen = set(ordered)
    return tuple((rid, down) for rid in ordered for down in graph.parents(rid) if down in chosen)

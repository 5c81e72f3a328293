"""The pipeline. `load()` is the one front half every command shares (discover, read statically, cut into
histories, per-environment settings, the base branch); `run()` checks what it loaded, `status()` compares it
with a live database. Rules are routed by the input they read (`migcheck.checks.applicable`). Never prints.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from migcheck import histories, lintrun, masking
from migcheck.checks import REGISTRY, DriftContext, MergeContext, StatusContext, applicable, resolve_rules
from migcheck.config import ExpectedHeads, Settings
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment, discover
from migcheck.errors import MigcheckError, MissingPackage, describe_failure
from migcheck.findings import Finding, Severity
from migcheck.graph import RevisionGraph
from migcheck.histories import History
from migcheck.lintcache import LintCache
from migcheck.progress import Progress, ProgressCallback, StepListener, listening
from migcheck.readcache import ReadCache
from migcheck.result import BaseBranch, CheckResult, HistoryFacts, Split, TracedRevision
from migcheck.scripts import FILE_WIDE, Revision, Unreadable

if TYPE_CHECKING:
    from migcheck.gitbase import BaseTree
    from migcheck.outcome import CopyOnly, DriftOutcome


@dataclass(frozen=True)
class LoadedEnvironment:
    """One environment as every command sees it: its revisions, its histories and the settings that apply."""

    env: Environment
    revisions: tuple[Revision, ...]
    unreadable: tuple[Unreadable, ...]
    histories: tuple[History, ...]
    rules: frozenset[str]  # the selected rule codes (`select`/`ignore`, per environment where configured)
    expected_heads: ExpectedHeads
    # display path -> line -> the codes a `# migcheck: ignore[...]` comment there silences (empty: all)
    suppressions: Mapping[str, Mapping[int, frozenset[str]]] = field(default_factory=dict)
    base: BaseTree | None = None  # the same environment at --base, when one was given
    # with --base: each history with the base branch's part of it (`histories.pair_with_base`)
    against_base: tuple[tuple[History, BaseTree], ...] = ()
    # rule code -> the severity `severity` gives its findings instead of the rule's own
    severity: Mapping[str, Severity] = field(default_factory=dict)

    @property
    def whole(self) -> History:
        """All of the environment's revisions as one history: what Alembic loads when handed the whole version
        location, as the drift run does (histories split by subdirectory that share ids never get that far)."""
        return History(self.env.name, RevisionGraph(self.revisions), self.unreadable, self.expected_heads)

    def kept(self, findings: Iterable[Finding]) -> list[Finding]:
        """`findings` less those silenced by a `# migcheck: ignore[...]` comment on their line or an
        `ignore-file[...]` one in their file, each at the severity `severity` gives its rule (what `fail_on` is
        then judged against)."""
        return [
            _with_severity(f, self.severity) for f in findings if not _is_suppressed(f, self.suppressions)
        ]


@dataclass(frozen=True)
class Loaded:
    """What `load()` found under the checked root."""

    root: Path
    environments: tuple[LoadedEnvironment, ...]
    notices: tuple[str, ...]
    timings: dict[str, float]
    # the directory every shown path (Revision.path, locations, messages) is relative to: settings.paths_from,
    # else the checked root
    paths_from: Path
    base: BaseBranch | None = None  # the base branch every environment was also read at


def load(settings: Settings, *, with_base: bool = True) -> Loaded:
    """Discover and read every environment under `settings.root`; raise MigcheckError when that is impossible.

    With `with_base` and a `settings.base`, each environment is also read at that git ref (`auto`: the one
    `gitbase.choose_base` finds, or none).
    """
    started = time.perf_counter()
    root = settings.root.resolve()
    shown_from = (settings.paths_from or root).resolve()
    selected = _rule_set(settings.select, settings.ignore, "")
    severity = resolve_severity(settings.severity)
    found = discover(
        root,
        alembic_config=settings.alembic_config,
        versions=settings.versions,
        environments=[e.path for e in settings.environments],
    )
    discovered = time.perf_counter()
    resolver = ConstantResolver(root)
    cache = ReadCache.open(root, enabled=settings.cache)
    notices = list(found.notices)
    loaded = []
    chosen = None
    if with_base and settings.base:
        from migcheck.gitbase import choose_base

        chosen = choose_base(root, settings.base)
    for env in found.environments:
        base = None
        if chosen is not None:
            from migcheck.gitbase import read_base

            # read first: the files whose bytes the base branch has skip the syntax check (`base.merged`)
            base = read_base(root, chosen.ref, env, resolver, shown_from)
            if settings.base_label:
                base = replace(base, ref=settings.base_label)
        revisions, unreadable = histories.read_environment(
            env, shown_from, resolver, notices, cache, base.merged if base is not None else None
        )
        overrides = histories.overrides_for(env, root, settings.environments)
        rules, expected = selected, settings.expected_heads
        if overrides is not None:
            if overrides.select is not None or overrides.ignore is not None:
                rules = _rule_set(
                    overrides.select if overrides.select is not None else settings.select,
                    overrides.ignore if overrides.ignore is not None else settings.ignore,
                    f" (environment {overrides.path})",
                )
            expected = overrides.expected_heads or expected
        split = histories.split_histories(env, shown_from, revisions, unreadable, expected, notices)
        loaded.append(
            LoadedEnvironment(
                env,
                tuple(revisions),
                tuple(unreadable),
                tuple(split),
                rules,
                expected,
                {r.path: r.suppressions for r in revisions if r.suppressions},
                base,
                histories.pair_with_base(env, shown_from, split, base) if base is not None else (),
                severity,
            )
        )
    timings = {"discover": discovered - started, "read": time.perf_counter() - discovered}
    if chosen is not None and settings.base_label:
        chosen = replace(chosen, ref=settings.base_label)  # the action's base branch by name, not its commit
    return Loaded(root, tuple(loaded), tuple(notices), timings, shown_from, chosen)


def run(settings: Settings, progress: ProgressCallback | None = None) -> CheckResult:
    """Check every environment under `settings.root`; raise MigcheckError when that is impossible.

    When the drift check of an environment cannot run, the result says why in `error` (exit code 2) and
    still holds every graph finding, and the other environments are still checked. `progress` hears of
    each migration step the drift check runs.
    """
    started = time.perf_counter()
    masking.add_url(settings.database_url)
    masking.add_environment_tokens()
    with _masked_errors():
        return masking.mask_result(_run(settings, started, progress))


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The graph checks allocate many objects and no reference cycles; the cyclic collector, scanning the
    10,000 revisions of a large tree again and again, only slows them down (about 15% of a warm run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(settings: Settings, started: float, progress: ProgressCallback | None) -> CheckResult:
    with _without_cyclic_gc():
        project = load(settings, with_base=not settings.drift_only)
    root, shown_from = project.root, project.paths_from
    findings: list[Finding] = []
    facts: list[HistoryFacts] = []
    splits: list[Split] = []
    notices = list(project.notices)
    warnings: list[str] = []
    errors: list[str] = []
    copy_only: list[CopyOnly] = []
    traced: list[TracedRevision] = []
    # each MC3xx finding's (revision, table): what the PostgreSQL trace confirms or contradicts
    lint_subjects: dict[Finding, tuple[str, str | None]] = {}
    lint_cache = LintCache.open(root, enabled=settings.cache)
    check_time = drift_time = 0.0
    for loaded in project.environments:
        t1 = time.perf_counter()
        env, rules = loaded.env, loaded.rules
        graph_rules = frozenset() if settings.drift_only else rules
        env_findings: list[Finding] = []
        # the revisions the drift run measures (MC350, MC351): the lint's scope, unless that is every revision
        trace: frozenset[str] | None = None
        # with --base, per history: (its new revisions, the base's revisions it lacks, the base's ids, the merge
        # result)
        after: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str], RevisionGraph | None]] = {}
        with _without_cyclic_gc():
            for part, base in loaded.against_base:
                context = MergeContext(part, base, shown_from)
                env_findings += _named(applicable(graph_rules, context), part.name)
                on_base = frozenset(r.id for r in base.revisions)
                external = on_base - set(part.graph.revisions)
                merged = RevisionGraph(histories.merged_revisions(part, base))
                after[part.name] = (frozenset(context.new_ids()), external, on_base, merged)
            for history in loaded.histories:
                nothing = frozenset[str]()
                new, external, on_base, merged_graph = after.get(
                    history.name, (nothing, nothing, nothing, None)
                )
                history = replace(
                    history, external=external, on_base=on_base, new=new if loaded.base is not None else None
                )
                env_findings += _named(applicable(graph_rules, history), history.name)
                # drawn for the reports only when this history has findings (MC10x, and MC11x found above)
                drawn = any(f.environment == history.name for f in env_findings)
                others = [h for e in project.environments for h in e.histories if h.name != history.name]
                linted = lintrun.lint(history, env, settings, shown_from, graph_rules, others, lint_cache)
                env_findings += linted.findings
                notices += linted.notices
                errors += linted.errors
                lint_subjects.update(linted.subjects)
                if not linted.everything and linted.scope:
                    trace = linted.scope | (trace or frozenset())
                shape = histories.facts(history, env, shown_from, merged_graph, draw=drawn)
                facts.append(
                    replace(shape, new_revisions=tuple(r for r in history.graph.revisions if r in new))
                )
            split = histories.describe_split(env, loaded.histories)
            if split is not None:
                splits.append(split)
        check_time += time.perf_counter() - t1
        if settings.drift or settings.drift_only:
            t2 = time.perf_counter()
            try:
                with listening(_progress_of(loaded.whole, progress)):
                    before = len(traced)
                    env_findings += _drift(
                        loaded, settings, project, notices, warnings, trace, traced, copy_only
                    )
                    env_findings = lintrun.reconcile(env_findings, lint_subjects, traced[before:], notices)
            except MissingPackage as exc:
                from migcheck import driftauto  # only a drift run that failed to import needs it

                if not driftauto.lenient(settings):
                    errors.append(_cannot_drift(env, str(exc)))
                else:
                    what = driftauto.described(exc, env.name)
                    warnings.append(driftauto.missing_package_warning(env.name, exc.module, what, settings))
            except MigcheckError as exc:
                errors.append(_cannot_drift(env, str(exc)))
            except Exception as exc:  # noqa: BLE001 - a bug of migcheck's must not hide the graph findings
                if os.environ.get("MIGCHECK_DEBUG"):
                    raise
                errors.append(_cannot_drift(env, describe_failure(exc)))
            finally:
                drift_time += time.perf_counter() - t2
        findings += loaded.kept(env_findings)
    lint_cache.save()
    timings = {**project.timings, "check": check_time, "drift": drift_time}
    return CheckResult(
        root=str(root),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        histories=tuple(facts),
        paths_from=str(shown_from),
        fail_on=settings.fail_on,
        exit_zero=settings.exit_zero,
        notices=tuple(notices),
        warnings=tuple(without_scratch_names(w) for w in warnings),
        timings={**timings, "total": time.perf_counter() - started},
        error="\n".join(errors) or None,
        base=project.base,
        splits=tuple(splits),
        copy_only=tuple(copy_only),
        traces=tuple(traced),
    )


def _named(findings: Iterable[Finding], environment: str) -> list[Finding]:
    return [replace(f, environment=environment) for f in findings]


def _drift(
    loaded: LoadedEnvironment,
    settings: Settings,
    project: Loaded,
    notices: list[str],
    warnings: list[str],
    trace: frozenset[str] | None,
    traced: list[TracedRevision],
    copy_only: list[CopyOnly],
) -> list[Finding]:
    """MC2xx (and MC350, MC351) for one environment, unless its revision graph is too broken to run the
    migrations; under `drift = "auto"`, a failure that is the setup's, not the project's, is a warning instead
    (driftauto). The revisions in `trace` are measured as they run: on PostgreSQL their locks and rewrites
    (added to `traced`), on MySQL/MariaDB the algorithm each ALTER can use (added to `copy_only`)."""
    env, history = loaded.env, loaded.whole
    if not any(REGISTRY[code].input is DriftContext for code in loaded.rules):
        return []
    split = histories.describe_split(env, loaded.histories)
    if split is not None and split.shared_ids:
        # Alembic is handed one subdirectory at a time; all of them on one database is no run the app makes
        where = histories.display(env.version_locations[0], project.paths_from)
        notices.append(
            f"drift check skipped for {env.name}: its histories ({', '.join(f'{s}/' for s in split.subdirectories)})"
            f" share revision ids, so they cannot run on one database; check one at a time with --versions {where}/<subdirectory> --metadata module:attr"
        )
        return []
    if history.unreadable or history.graph.dangling or history.graph.cycles() or history.graph.duplicates:
        notices.append(f"drift check skipped for {env.name}: fix the revision graph errors first")
        return []
    from migcheck.driftrun import run_drift

    ran = run_drift(env, history.graph, settings, project.root, notices, trace=trace)
    if ran is None:
        return []
    outcome, roundtrip = ran
    for rid in outcome.traced:
        revision = history.graph.revisions.get(rid)
        locks = tuple(t for t in outcome.traces if t.revision == rid)
        traced.append(TracedRevision(env.name, rid, revision.path if revision else "", locks))
    copy_only += [
        replace(
            c,
            environment=env.name,
            best=without_scratch_names(c.best),
            refused=without_scratch_names(c.refused),
        )
        for c in outcome.copy_only
    ]
    excused = _excused(env.name, outcome, history, project.paths_from, settings)
    if excused is not None:
        warnings.append(excused)
        return []
    context = DriftContext(history, outcome, project.paths_from, env.source == "flask-migrate", roundtrip)
    return [
        replace(
            f,
            environment=env.name,
            message=without_scratch_names(f.message),
            hint=without_scratch_names(f.hint),
        )
        for f in applicable(loaded.rules, context)
    ]


def _excused(
    environment: str, outcome: DriftOutcome, history: History, root: Path, settings: Settings
) -> str | None:
    """The warning `drift = "auto"` gives instead of MC202, when the failure is the setup's (driftauto)."""
    from migcheck import driftauto

    failure = outcome.failure
    if failure is None or not driftauto.lenient(settings):
        return None
    if failure.missing_package is not None and failure.file is not None:
        what = f"revision file {histories.display(failure.file, root)} raised {failure.error}"
        return driftauto.missing_package_warning(environment, failure.missing_package, what, settings)
    revision = history.graph.revisions.get(failure.revision or "")
    text = None
    if revision is not None:
        try:
            text = (root / revision.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            pass
    foreign = driftauto.foreign_sql(outcome, text)
    if foreign is None:
        return None
    where = revision.path if revision is not None else environment
    return driftauto.foreign_sql_warning(environment, failure, where, foreign, settings)


def status(
    settings: Settings,
    database_url: str | None,
    *,
    version_table: str | None = None,
    version_table_schema: str | None = None,
) -> CheckResult:
    """Compare the database at `database_url` with the one history under `settings.root`; never writes.

    Without `database_url`, the environment's configured `sqlalchemy.url` is used (as `alembic current` reads
    it from alembic.ini; what env.py might do in code instead is not run).
    """
    masking.add_url(database_url)
    masking.add_environment_tokens()
    with _masked_errors():
        return masking.mask_result(
            _status(settings, database_url, version_table, version_table_schema, time.perf_counter())
        )


def _status(
    settings: Settings,
    database_url: str | None,
    version_table: str | None,
    version_table_schema: str | None,
    started: float,
) -> CheckResult:
    from migcheck.livedb import DEFAULT_VERSION_TABLE, configured_url, read_database
    from migcheck.masking import mask_url

    version_table = version_table or DEFAULT_VERSION_TABLE
    project = load(settings, with_base=False)
    if len(project.environments) != 1:
        names = ", ".join(loaded.env.name for loaded in project.environments)
        raise MigcheckError(
            f"status compares one history with the database, but {len(project.environments)} environments were"
            f" found ({names}); name one with -c/--alembic-config, --versions or a PATH inside it"
        )
    loaded = project.environments[0]
    env, root, shown_from = loaded.env, project.root, project.paths_from
    if len(loaded.histories) != 1:
        names = ", ".join(h.name for h in loaded.histories)
        raise MigcheckError(
            f"{env.name} holds {len(loaded.histories)} separate histories ({names}); point --versions at the"
            " directory of the one this database follows"
        )
    history = loaded.histories[0]
    source = ""
    if database_url is None:
        database_url, ini, section = configured_url(env)
        source = f" (sqlalchemy.url in {histories.display(ini, shown_from)} [{section}])"
    read_started = time.perf_counter()
    try:
        state = read_database(database_url, version_table, version_table_schema)
    except MigcheckError as exc:
        if not source:
            raise
        raise MigcheckError(f"{exc}{source}; pass --database-url to look at another database") from None
    table = f"{version_table_schema}.{version_table}" if version_table_schema else version_table
    context = StatusContext(
        history=history,
        database_revisions=state.revisions,
        has_version_table=state.has_version_table,
        has_other_tables=state.has_other_tables,
        version_table=table,
        versions_path=histories.display(env.version_locations[0], shown_from)
        if env.version_locations
        else env.name,
    )
    findings = loaded.kept(_named(applicable(loaded.rules, context), history.name))
    notices = [*project.notices, f"database {mask_url(database_url)}{source}: {state.describe(table)}"]
    finished = time.perf_counter()
    return CheckResult(
        root=str(root),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        histories=(histories.facts(history, env, shown_from),),
        paths_from=str(shown_from),
        fail_on=settings.fail_on,
        exit_zero=settings.exit_zero,
        notices=tuple(notices),
        timings={
            "read": read_started - started,
            "database": finished - read_started,
            "total": finished - started,
        },
    )


@contextmanager
def _masked_errors() -> Iterator[None]:
    """A MigcheckError leaves the engine with every known secret masked, whatever it quotes."""
    try:
        yield
    except MigcheckError as exc:
        raise MigcheckError(masking.mask(str(exc))) from None


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


def resolve_severity(severity: Mapping[str, Severity]) -> dict[str, Severity]:
    """`severity` (rules as written: codes, names, families) by rule code. A family's severity gives way to a
    narrower one's (`{ MC3 = "warning", MC302 = "error" }`: MC302 is an error), whatever their order."""
    resolved = [(resolve_rules([rule], setting="severity"), level) for rule, level in severity.items()]
    by_code: dict[str, Severity] = {}
    for codes, level in sorted(resolved, key=lambda item: -len(item[0])):  # broadest first; stable
        by_code.update(dict.fromkeys(codes, level))
    return by_code


def _with_severity(finding: Finding, severity: Mapping[str, Severity]) -> Finding:
    level = severity.get(finding.rule)
    return finding if level is None or level is finding.severity else replace(finding, severity=level)


def _is_suppressed(finding: Finding, suppressed: Mapping[str, Mapping[int, frozenset[str]]]) -> bool:
    in_file = suppressed.get(finding.location.path)
    if not in_file:
        return False
    return any(
        codes is not None
        and (not codes or finding.rule in codes or REGISTRY[finding.rule].name.upper() in codes)
        for codes in (in_file.get(finding.location.line), in_file.get(FILE_WIDE))
    )

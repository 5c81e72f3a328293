"""The drift run of one environment: its migrations on a scratch database, then autogenerate's comparison with
the models, and with --roundtrip the stairway on a second scratch database. What comes back is data
(`DriftOutcome`, `RoundTrip`) for the MC2xx rules; the scratch databases are always dropped."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from migcheck.config import Settings
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.graph import RevisionGraph
from migcheck.outcome import DriftOutcome, RoundTrip

if TYPE_CHECKING:
    from migcheck.migrate import Runner


def run_drift(
    env: Environment,
    graph: RevisionGraph,
    settings: Settings,
    root: Path,
    notices: list[str],
    trace: frozenset[str] | None = None,
) -> tuple[DriftOutcome, RoundTrip | None] | None:
    """Run the drift check of `env` on its own scratch database; None when it was skipped (said in `notices`).

    `trace`: the revisions to measure while they run: on PostgreSQL their locks and rewrites (`locktrace`), on
    MySQL/MariaDB the algorithm each ALTER can use (`mysqlprobe`)."""
    from migcheck.autodiff import describe
    from migcheck.migrate import Runner
    from migcheck.roundtrip import stairway
    from migcheck.scratch import scratch_database

    python_path = tuple(settings.python_path) or (root,)
    cwd = env.config_file.parent if env.config_file is not None else root

    @contextlib.contextmanager
    def scratch_runner(trace: frozenset[str] | None = None) -> Iterator[Runner]:
        """A new scratch database with the project running on it; both gone afterwards."""
        server = settings.database_url
        with (
            scratch_database(server) as url,
            Runner(
                env,
                url,
                metadata=settings.metadata,
                python_path=python_path,
                cwd=cwd,
                server_url=server,
                trace=trace,
            ) as runner,
        ):
            yield runner

    with scratch_runner(trace) as runner:
        skipped = runner.check_env()
        if skipped:
            notices.append(f"drift check skipped: {skipped}")
            return None
        failure = runner.migrate("heads")
        notices += runner.redirect_notices()
        # what was measured before a failing revision is still true of the revisions before it
        tracer = runner.tracer
        traces, traced = (tuple(tracer.traces), tuple(tracer.traced)) if tracer is not None else ((), ())
        if failure is not None:
            notices += runner.notices
            outcome = DriftOutcome(
                runner.dialect,
                failure=failure,
                target=runner.target_dialect(),
                copy_only=runner.copy_only(),
                traces=traces,
                traced=traced,
            )
            return outcome, None
        if runner.uses_env_py and not runner.uses_scratch():
            advice = (
                "--metadata names a Flask app, so its env.py ran: name the models instead (e.g. app:db)"
                if settings.metadata
                else "pass --metadata module:attr"
            )
            raise MigcheckError(
                f"{env.name}: env.py did not run the migrations on the scratch database migcheck gave it (it"
                f" connected in a way migcheck cannot redirect?); {advice} so migcheck runs them itself"
            )
        ops, sources = runner.compare()
        notices += runner.notices
        outcome = DriftOutcome(
            runner.dialect,
            tuple(describe(ops, runner.rendering())),
            sources=sources,
            copy_only=runner.copy_only(),
            traces=traces,
            traced=traced,
        )
    roundtrip = None
    if settings.roundtrip:
        with scratch_runner() as runner:
            roundtrip = stairway(runner, graph)
    return outcome, roundtrip

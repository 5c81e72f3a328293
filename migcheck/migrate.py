"""Run an environment's migrations on a scratch database and compare the result with the models.

Two ways to run them: the project's own env.py through Alembic's commands (as `alembic check` does), with
migcheck's scratch database offered as `sqlalchemy.url` and as `config.attributes["connection"]`; or, with
`--metadata module:attr`, migcheck's own environment around the imported models. Either way the comparison is
Alembic's autogenerate, and what comes back is data (`Difference`, `Failure`), never printed here.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.models import SourceLine, load_metadata, project_context, source_lines, user_error

_ENV_HINT = "if env.py needs your application to run, pass --metadata module:attr (e.g. app:create_app)"
_NO_METADATA = re.compile(r"^\s*target_metadata\s*(?::[^=]*)?=\s*None\s*$", re.M)
# env.py files that choose their own database would make migcheck migrate somebody's real data
_OWN_URL = re.compile(r"set_main_option\(\s*['\"]sqlalchemy\.url['\"]|create_engine\(\s*['\"]")


@dataclass(frozen=True)
class Difference:
    """One operation `alembic revision --autogenerate` would still write."""

    kind: str
    table: str | None
    column: str | None
    message: str
    code: str


@dataclass(frozen=True)
class Failure:
    """A migration step that failed on the scratch database (or broke its round trip)."""

    revision: str | None
    error: str
    downgrade: bool = False
    # set when the failure is in a revision file itself (it does not import), not in a migration step
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class DriftOutcome:
    dialect: str
    differences: tuple[Difference, ...] = ()
    failure: Failure | None = None
    skipped: str | None = None
    sources: dict[tuple[str, str | None], SourceLine] = field(default_factory=dict)


class _Tracker:
    """Which migration step is running: Alembic's MigrationContext is wrapped to record each step it runs."""

    def __init__(self) -> None:
        self.step: Any = None

    @contextlib.contextmanager
    def installed(self) -> Iterator[_Tracker]:
        from alembic.runtime.migration import MigrationContext

        original = MigrationContext.run_migrations
        tracker = self

        def run_migrations(ctx: Any, **kw: Any) -> None:
            steps = ctx._migrations_fn

            def tracked(heads: Any, context: Any) -> Iterator[Any]:
                for step in steps(heads, context):
                    tracker.step = step
                    yield step
                tracker.step = None

            ctx._migrations_fn = tracked
            try:
                original(ctx, **kw)
            finally:
                ctx._migrations_fn = steps

        MigrationContext.run_migrations = run_migrations  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            MigrationContext.run_migrations = original  # type: ignore[method-assign]

    def failure(self, exc: BaseException) -> Failure | None:
        if self.step is None:
            return None
        script = getattr(self.step, "revision", None)
        revision = getattr(script, "revision", None)
        return Failure(revision, first_error_line(exc), downgrade=not getattr(self.step, "is_upgrade", True))


def first_error_line(exc: BaseException) -> str:
    """The database's own first line for a DBAPI error, else the exception's first line."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """env.py files configure logging and print; a clean migcheck run prints only its verdict."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


class Runner:
    """One environment on one scratch database, driven either by env.py or by `--metadata`."""

    def __init__(
        self, env: Environment, url: str, *, metadata: str | None, python_path: Sequence[Path], cwd: Path
    ) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.env, self.url, self.metadata_spec, self.cwd = env, url, metadata, cwd
        self.roots = tuple(python_path)
        self.engine = create_engine(url, poolclass=NullPool)
        self.dialect = self.engine.dialect.name
        self.config = self._config()
        self.tracker = _Tracker()
        self.metadata: Any = None

    def _config(self) -> Any:
        from alembic.config import Config

        env, file = self.env, self.env.config_file
        if file is not None and file.suffix == ".ini":
            config = Config(str(file), ini_section=env.ini_section)
        elif file is not None and file.suffix == ".toml":
            config = Config(toml_file=str(file))
        else:
            config = Config()
        # the locations migcheck read statically, so Alembic runs exactly the revisions that were checked
        config.set_main_option("script_location", str(env.script_location))
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(str(p) for p in env.version_locations))
        config.set_main_option("recursive_version_locations", "true" if env.recursive else "false")
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def __enter__(self) -> Runner:
        # one import of the project for the whole check: models register tables on global MetaData objects
        # (SQLModel), which a second import in the same run would define twice
        self._project = project_context(self.cwd, self.roots)
        self._project.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()
        self._project.__exit__(None, None, None)

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        with _quiet(), self.tracker.installed():
            yield

    def check_env(self) -> str | None:
        """Why env.py cannot drive the drift check, or None when it can."""
        if self.metadata_spec:
            return None
        env_py = self.env.script_location / "env.py"
        if not env_py.is_file():
            return f"{self.env.name}: no env.py to run the migrations with; pass --metadata module:attr"
        text = env_py.read_text(encoding="utf-8", errors="replace")
        if _NO_METADATA.search(text):
            return f"{self.env.name}: env.py sets target_metadata = None, so there are no models to compare"
        if _OWN_URL.search(text):
            raise MigcheckError(
                f"{env_py}: env.py chooses its own database URL, so migcheck cannot point it at a scratch"
                " database; pass --metadata module:attr (e.g. app:create_app or myapp.models:Base)"
            )
        return None

    def migrate(self, target: str, *, downgrade: bool = False) -> Failure | None:
        """Upgrade (or downgrade) the scratch database to `target`; a failing migration comes back as data."""
        try:
            with self._running():
                if self.metadata_spec:
                    self._own_environment(target, downgrade)
                else:
                    from alembic import command

                    with self.engine.begin() as connection:
                        self.config.attributes["connection"] = connection
                        (command.downgrade if downgrade else command.upgrade)(self.config, target)
        except MigcheckError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's migration or env.py failed
            failure = self.tracker.failure(exc) or self._broken_revision_file(exc)
            if failure is None:
                raise user_error(exc, f"{self.env.name}: env.py", self.roots, _ENV_HINT) from None
            return failure
        finally:
            self.config.attributes.pop("connection", None)
        return None

    def _broken_revision_file(self, exc: BaseException) -> Failure | None:
        """A revision file that fails to import (a syntax error below its header, say) is the file's fault."""
        file = getattr(exc, "filename", None) if isinstance(exc, SyntaxError) else None
        if file is None:
            frames = traceback.extract_tb(exc.__traceback__)
            file, line = (frames[-1].filename, frames[-1].lineno) if frames else (None, None)
        else:
            line = getattr(exc, "lineno", None)
        locations = tuple(str(p) for p in self.env.version_locations)
        if not file or not os.path.abspath(file).startswith(locations):
            return None
        return Failure(
            None, f"{type(exc).__name__}: {first_error_line(exc)}", file=os.path.abspath(file), line=line
        )

    def _own_environment(self, target: str, downgrade: bool) -> None:
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        if self.metadata is None:
            self.metadata = load_metadata(self.metadata_spec or "", self.roots)
        script = ScriptDirectory.from_config(self.config)
        steps: Callable[[Any, Any], Any] = (
            (lambda rev, _: script._downgrade_revs(target, rev))
            if downgrade
            else (lambda rev, _: script._upgrade_revs(target, rev))
        )
        with self.engine.begin() as connection, EnvironmentContext(self.config, script, fn=steps) as context:
            context.configure(
                connection=connection,
                target_metadata=self.metadata,
                render_as_batch=self.dialect == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()

    def compare(self) -> tuple[list[Any], dict[tuple[str, str | None], SourceLine]]:
        """The operations autogenerate would write, and where the models declare each table and column."""
        with self._running():
            ops = self._compare_own() if self.metadata_spec else self._compare_env()
            # while the project's modules are still imported, so their classes' source can be found
            sources = source_lines(self.metadata, self.roots) if self.metadata is not None else {}
        return ops, sources

    def _compare_own(self) -> list[Any]:
        from alembic.autogenerate import produce_migrations
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            script = produce_migrations(context, self.metadata)
            return list(script.upgrade_ops.ops) if script.upgrade_ops is not None else []

    def _compare_env(self) -> list[Any]:
        from alembic import autogenerate
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self.config)
        args = dict(message=None, autogenerate=True, sql=False, head="head", splice=False)
        args |= dict(branch_label=None, version_path=None, rev_id=None, depends_on=None)
        revision_context = autogenerate.RevisionContext(self.config, script, args)
        captured: dict[str, Any] = {}

        def capture(context: Any, rev: Any, directives: list[Any]) -> None:
            # runs before env.py's own process_revision_directives, which may empty the list
            captured["ops"] = [op for d in directives for ops in d.upgrade_ops_list for op in ops.ops]
            self.metadata = context.opts.get("target_metadata")

        revision_context.process_revision_directives = capture

        def retrieve(rev: Any, context: Any) -> list[Any]:
            revision_context.run_autogenerate(rev, context)
            return []

        try:
            with self.engine.begin() as connection:
                self.config.attributes["connection"] = connection
                with EnvironmentContext(
                    self.config,
                    script,
                    fn=retrieve,
                    as_sql=False,
                    template_args=revision_context.template_args,
                    revision_context=revision_context,
                ):
                    script.run_env()
        except Exception as exc:  # noqa: BLE001
            raise user_error(
                exc, f"{self.env.name}: env.py (comparing with the models)", self.roots, _ENV_HINT
            ) from None
        finally:
            self.config.attributes.pop("connection", None)
        return list(captured.get("ops", []))

    def uses_scratch(self) -> bool:
        """Whether the migrations really ran on the scratch database (env.py might have gone elsewhere)."""
        from sqlalchemy import inspect

        version_table = self.config.get_main_option("version_table") or "alembic_version"
        with self.engine.connect() as connection:
            return bool(inspect(connection).get_table_names()) or inspect(connection).has_table(version_table)

    def step_back(self, rid: str) -> Failure | None:
        """Downgrade exactly revision `rid`, a current head of the scratch database, and nothing else.

        `alembic downgrade <down_revision>` would also undo every sibling branch that is not an ancestor of
        that target, and `<rid>@-1` cannot walk down from a merge ("Ambiguous walk"). So Alembic is handed the
        single downgrade `RevisionStep` of `rid`, through the same env.py (or --metadata) path as `migrate`;
        Alembic's own HeadMaintainer then moves the version table, which for a merge restores the parent heads
        that are not ancestors of another head (and for a depends_on, the dependency's head). Sound because
        `rid` must be a head: nothing applied descends from it or depends on it. A downgrade that raises
        NotImplementedError itself comes back as `Irreversible`.
        """
        from alembic.runtime.migration import MigrationStep
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self.config)
        revision = script.get_revision(rid)
        if revision is None:
            raise MigcheckError(f"{self.env.name}: Alembic does not know revision {rid!r}")

        def one_step(heads: Any, _context: Any) -> list[Any]:
            if rid not in heads:
                raise MigcheckError(
                    f"{self.env.name}: cannot step back revision {rid!r} alone: the scratch database is at"
                    f" {', '.join(heads) or 'base'} (did env.py run its own migrations?)"
                )
            return [MigrationStep.downgrade_from_script(script.revision_map, revision)]

        try:
            with self._running():
                self._run_steps(script, one_step, f"{rid}@-1")
        except MigcheckError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's migration or env.py failed
            if isinstance(exc, NotImplementedError) and _raised_by_downgrade(exc, revision.path):
                return Irreversible(rid, first_error_line(exc), downgrade=True)
            failure = self.tracker.failure(exc) or self._broken_revision_file(exc)
            if failure is None:
                raise user_error(exc, f"{self.env.name}: env.py", self.roots, _ENV_HINT) from None
            return failure
        finally:
            self.config.attributes.pop("connection", None)
        return None

    def _run_steps(self, script: Any, steps: Callable[[Any, Any], Any], destination: str) -> None:
        """Run the migration steps `steps(heads, context)` returns, as `alembic downgrade` runs its own."""
        from alembic.runtime.environment import EnvironmentContext

        if self.metadata_spec:
            if self.metadata is None:
                self.metadata = load_metadata(self.metadata_spec, self.roots)
            with (
                self.engine.begin() as connection,
                EnvironmentContext(self.config, script, fn=steps) as context,
            ):
                context.configure(
                    connection=connection,
                    target_metadata=self.metadata,
                    render_as_batch=self.dialect == "sqlite",
                    compare_type=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
            return
        with self.engine.begin() as connection:
            self.config.attributes["connection"] = connection
            # destination_rev is what env.py sees as context.get_revision_argument()
            with EnvironmentContext(self.config, script, fn=steps, destination_rev=destination):
                script.run_env()


def snapshot(runner: Runner) -> dict[str, Any]:
    """The scratch database's schema as plain data (tables, columns, keys, indexes), for round-trip checks."""
    from sqlalchemy import inspect

    version_table = runner.config.get_main_option("version_table") or "alembic_version"
    schema: dict[str, Any] = {}
    with runner.engine.connect() as connection:
        inspector = inspect(connection)
        for table in sorted(inspector.get_table_names()):
            if table == version_table:
                continue
            schema[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                "primary_key": inspector.get_pk_constraint(table).get("constrained_columns"),
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (ix["name"] or "", tuple(ix["column_names"])) for ix in inspector.get_indexes(table)
                ),
            }
    return schema


@dataclass(frozen=True)
class Irreversible(Failure):
    """A downgrade() that raises NotImplementedError itself: the revision is deliberately one-way."""


def _raised_by_downgrade(exc: BaseException, path: str) -> bool:
    """Whether `exc` was raised in the revision file's own downgrade(), not by an operation it called (on
    SQLite, Alembic raises NotImplementedError for an ALTER it cannot do, which is a real failure)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    last = frames[-1]
    return last.name == "downgrade" and os.path.realpath(last.filename) == os.path.realpath(path)

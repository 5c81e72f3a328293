"""Run an environment's migrations on a scratch database and compare the result with the models.

Two ways to run them: the project's own env.py through Alembic's commands (as `alembic check` does), with
migcheck's scratch database offered as `sqlalchemy.url` and as `config.attributes["connection"]`; or, with
`--metadata module:attr`, migcheck's own environment around the imported models. Either way the comparison is
Alembic's autogenerate, and what comes back is data (`Difference`, `Failure`), never printed here.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from migcheck.discover import Environment
from migcheck.driftauto import KNOWN_DIALECTS, URL_EXAMPLES
from migcheck.envoptions import Configured, Recorder, default_options, model_schemas, static_keywords
from migcheck.errors import MigcheckError, stops_migcheck
from migcheck.locktrace import LockTracer
from migcheck.models import (
    SourceLine,
    load_flask_app,
    load_metadata,
    missing_package,
    project_context,
    source_lines,
    user_error,
)
from migcheck.mysqlprobe import AlgorithmProbe
from migcheck.outcome import CopyOnly, Failure, Irreversible
from migcheck.redirect import EngineRedirector, async_url, family_of
from migcheck.steps import (
    StepTracker,
    first_error_line,
    lost_connection,
    outermost_frame_in,
    raised_by_downgrade,
)
from migcheck.userio import UserOutput

_ENV_HINT = "if env.py needs your application to run, pass --metadata module:attr (e.g. app:create_app)"
_IMPORT_HINT = (
    "Alembic imports every revision file to run the migrations: what a revision file imports must import"
    " where migcheck runs too (set the environment variables and settings it reads)"
)
_NO_METADATA = re.compile(r"^\s*target_metadata\s*(?::[^=]*)?=\s*None\s*$", re.M)
# env.py files written for an async engine (alembic init -t async, FastAPI-style projects)
_ASYNC_ENV = re.compile(r"\b(?:async_engine_from_config|create_async_engine|AsyncEngine)\b")
# Flask-Migrate's env.py files read the app's engine and models through Flask's current_app
_FLASK_ENV = re.compile(r"\bcurrent_app\b")
_LOGGING_INI = """\
# written by migcheck for an environment without an alembic.ini, so env.py's fileConfig() has one to read
[alembic]

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _unreadable(path: Path) -> str | None:
    """Why the file at `path` cannot be read, or None when it can."""
    if path.is_symlink() and not path.exists():
        return f"it is a symbolic link to {os.readlink(path)!r}, which does not exist"
    if path.is_dir():
        return "it is a directory, not a file"
    try:
        with open(path, "rb"):
            return None
    except OSError as exc:
        return str(exc.strerror or exc)


def _nearest_ini(start: Path, stop: Path) -> Path | None:
    """The alembic.ini closest above `start` (an environment's script location), not looking above `stop`."""
    for directory in (start, *start.parents):
        candidate = directory / "alembic.ini"
        if candidate.is_file():
            return candidate
        if directory == stop or stop not in directory.parents:
            return None
    return None


def _configured_url(config: Any) -> str | None:
    try:
        return config.get_main_option("sqlalchemy.url")  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - an ini value with a bad %-interpolation
        return None


_SHARED: type | None = None


def _shared_connection_class() -> type:
    """A Connection that env.py may also use as an Engine: connect() lends it, close() keeps it open."""
    global _SHARED
    if _SHARED is None:
        from sqlalchemy.engine import Connection

        class SharedConnection(Connection):
            _migcheck_keep = True

            def connect(self, *args: Any, **kwargs: Any) -> SharedConnection:  # type: ignore[override]
                return self

            def close(self) -> None:
                if not self._migcheck_keep:
                    super().close()

        _SHARED = SharedConnection
    return _SHARED


class Runner:
    """One environment on one scratch database, driven either by env.py or by `--metadata`.

    While a Runner is open, the project's code runs inside `project_context` (its modules importable, undone
    afterwards) and under an `EngineRedirector`: every engine that code creates is built on a scratch database,
    and any other connection is refused before a statement is sent.
    """

    def __init__(
        self,
        env: Environment,
        url: str,
        *,
        metadata: str | None,
        python_path: Sequence[Path],
        cwd: Path,
        server_url: str | None = None,
        trace: frozenset[str] | None = None,
    ) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.env, self.url, self.metadata_spec, self.cwd = env, url, metadata, cwd
        self.roots = tuple(python_path)
        self._stack = contextlib.ExitStack()
        self.redirector = EngineRedirector(url, server_url, self._stack, suggest_metadata=not metadata)
        self.engine = self.redirector.approve(create_engine(url, poolclass=NullPool))
        self.dialect = self.engine.dialect.name
        self.env_py = env.script_location / "env.py"
        self.env_text = _read(self.env_py)
        self.configured_url: str | None = (
            None  # the project's own sqlalchemy.url, before migcheck offers its own
        )
        self.config = self._config()
        self.tracker = StepTracker()
        # the revisions whose ALTERs are probed for their online-DDL algorithm on MySQL/MariaDB (mysqlprobe)
        self.probe = (
            AlgorithmProbe(self.tracker, trace, str(self.engine.url.database))
            if trace and self.dialect in ("mysql", "mariadb")
            else None
        )
        self.output = UserOutput()
        self.recorder = Recorder(roots=(cwd, *self.roots, env.script_location, *env.version_locations))
        self.metadata: Any = None
        self.app: Any = None
        self._app_loaded = False
        # --metadata: the configure() options of migcheck's own environment, and the connection state to match
        self._own: tuple[dict[str, Any], Configured | None] | None = None
        self._script: Any = None
        self.notices: list[str] = []
        # on PostgreSQL, the locks and rewrites of the revisions in `trace` (MC350); nothing elsewhere
        self.tracer: LockTracer | None = None
        if trace and self.dialect == "postgresql":
            self.tracer = self.tracker.tracer = LockTracer(trace, self.notices)

    @property
    def script(self) -> Any:
        """The environment's Alembic ScriptDirectory, one for the Runner's whole life: its revision map imports
        every revision file, so each file is imported once per scratch database, not once per Alembic command
        (a new ScriptDirectory per upgrade and step back imported all N files N times over with --roundtrip)."""
        if self._script is None:
            from alembic.script import ScriptDirectory

            self._script = ScriptDirectory.from_config(self.config)
        return self._script

    @property
    def uses_env_py(self) -> bool:
        """env.py drives the run, unless --metadata was given (and names no Flask app a Flask env.py needs)."""
        if not self.metadata_spec:
            return True
        return self._flask_env and self._load_app() is not None

    @property
    def _flask_env(self) -> bool:
        return _FLASK_ENV.search(self.env_text) is not None

    def _load_app(self) -> Any:
        if not self._app_loaded:
            self._app_loaded = True
            with self.output.running():
                self.app = load_flask_app(self.metadata_spec, self.roots)
        return self.app

    def _config(self) -> Any:
        from alembic.config import Config

        env, file = self.env, self.env.config_file
        if file is not None and file.suffix == ".ini":
            config = Config(str(file), ini_section=env.ini_section)
        elif file is not None and file.suffix == ".toml":
            ini = _nearest_ini(env.script_location, file.parent)
            config = Config(str(ini) if ini else self._logging_ini(), toml_file=str(file))
        else:
            # found by scanning: env.py still calls fileConfig(config.config_file_name), so it gets an ini,
            # the environment's own when there is one nearby, else a minimal one with logging sections
            ini = _nearest_ini(env.script_location, self.cwd)
            config = Config(str(ini) if ini else self._logging_ini())
        # the locations migcheck read statically, so Alembic runs exactly the revisions that were checked
        config.set_main_option("script_location", str(env.script_location))
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(str(p) for p in env.version_locations))
        config.set_main_option("recursive_version_locations", "true" if env.recursive else "false")
        offered = self.url
        if _ASYNC_ENV.search(self.env_text):
            # an async env.py builds its engine from this URL; hand it the async driver it expects
            offered = async_url(self.url, _configured_url(config))
        self.configured_url = _configured_url(config)
        config.set_main_option("sqlalchemy.url", offered.replace("%", "%%"))
        return config

    def _logging_ini(self) -> str:
        directory = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="migcheck_ini_"))
        path = os.path.join(directory, "alembic.ini")
        with open(path, "w", encoding="utf-8") as file:
            file.write(_LOGGING_INI)
        return path

    def __enter__(self) -> Runner:
        # one import of the project for the whole check: models register tables on global MetaData objects
        # (SQLModel), which a second import in the same run would define twice
        try:
            self._stack.enter_context(self.output.session())
            self._stack.enter_context(project_context(self.cwd, self.roots))
            self._stack.enter_context(self.redirector.installed())
            self._stack.enter_context(self.recorder.installed())
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._stack.close()  # the guard goes first, then extra scratch databases, then the project
        finally:
            self.engine.dispose()

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        app = self._flask_app() if self._flask_env and self.uses_env_py else None
        probing = self.probe.installed() if self.probe is not None else contextlib.nullcontext()
        with self.output.running(), self.tracker.installed(), probing:
            if app is not None:
                with app.app_context():
                    yield
            else:
                yield
        if self.redirector.refused:
            raise MigcheckError(self.redirector.refused[0])

    def _flask_app(self) -> Any:
        """The Flask app a Flask-Migrate env.py needs (`current_app`): --metadata's, else found as `flask` finds it."""
        if self._load_app() is None:
            raise MigcheckError(
                f"{self.env_py}: env.py uses Flask's current_app, and migcheck found no Flask app to run it in;"
                " pass --metadata module:attr naming your app or its factory (e.g. app:create_app), or set FLASK_APP"
            )
        return self.app

    @contextlib.contextmanager
    def _offered_connection(self) -> Iterator[Any]:
        """A connection on the scratch database for `config.attributes["connection"]`, committed at the end.

        It is a Connection (Alembic's cookbook passes it to context.configure) that also answers connect() with
        itself and ignores close() (pytest-alembic's env.py calls `connectable.connect()` on it)."""
        connection = self.engine.connect()
        connection.__class__ = _shared_connection_class()
        try:
            # Not begun here: env.py's context.begin_transaction() then owns the transaction, as it does on
            # its own engine, so autocommit_block() and transaction_per_migration work; what an env.py that
            # never begins one leaves in the autobegun transaction is committed at the end.
            self.config.attributes["connection"] = connection
            yield connection
            if connection.in_transaction():
                connection.commit()
        finally:
            self.config.attributes.pop("connection", None)
            connection._migcheck_keep = False
            connection.close()

    def check_env(self) -> str | None:
        """Why env.py cannot drive the drift check, or None when it can."""
        if self.metadata_spec:
            return None
        if not os.path.lexists(self.env_py):
            return f"{self.env.name}: no env.py to run the migrations with; pass --metadata module:attr"
        problem = _unreadable(self.env_py)
        if problem is not None:
            # it is there but Alembic could not run it either: no reason to skip the check quietly
            raise MigcheckError(f"{self.env_py}: cannot read env.py: {problem}")
        if _NO_METADATA.search(self.env_text):
            return f"{self.env.name}: env.py sets target_metadata = None, so there are no models to compare"
        return None

    def migrate(self, target: str, *, downgrade: bool = False) -> Failure | None:
        """Upgrade (or downgrade) the scratch database to `target`; a failing migration comes back as data."""
        try:
            with self._running():
                if not self.uses_env_py:
                    self._own_environment(target, downgrade)
                else:
                    with self._offered_connection():
                        self._command(target, downgrade)
        except MigcheckError:
            raise
        except BaseException as exc:  # noqa: BLE001 - the user's migration or env.py failed
            return self._failure(exc)
        finally:
            self.config.attributes.pop("connection", None)
        return None

    def _command(self, target: str, downgrade: bool) -> None:
        """`alembic upgrade|downgrade <target>` as Alembic's `command` module runs it, on `self.script`."""
        from alembic.runtime.environment import EnvironmentContext

        script = self.script

        def steps(rev: Any, _context: Any) -> Any:
            return script._downgrade_revs(target, rev) if downgrade else script._upgrade_revs(target, rev)

        with EnvironmentContext(self.config, script, fn=steps, destination_rev=target):
            script.run_env()

    def _failure(self, exc: BaseException) -> Failure:
        """What an exception raised while migrating means: a failing migration step or revision file comes back
        as data; Ctrl-C / SIGTERM, a lost connection, env.py's own errors and sys.exit() stop the check."""
        if stops_migcheck(exc):
            raise exc
        step = self.tracker.failure(exc)
        if lost_connection(exc):
            where = f" while running revision {step.revision}" if step and step.revision else ""
            raise MigcheckError(
                f"{self.env.name}: lost the connection to the scratch database{where}:"
                f" {first_error_line(exc)}; the database server closed it, so nothing was checked"
                " from there on"
            ) from None
        # sys.exit() in env.py, a revision file or a migration is no failing migration: it ends the run
        failure = (step or self._broken_revision_file(exc)) if isinstance(exc, Exception) else None
        if failure is None:
            raise self._user_error(exc, step.revision if step else None) from None
        return failure

    def _user_error(self, exc: BaseException, revision: str | None, during: str = "") -> MigcheckError:
        """The project's code stopped the check: say where (a revision, a revision file Alembic was importing,
        env.py) with the project's own frames only, and suggest --metadata only where it would help."""
        roots = (*self.roots, self.env.script_location, *self.env.version_locations)
        imported = outermost_frame_in(exc, self.env.version_locations)
        if revision:
            return user_error(exc, f"{self.env.name}: revision {revision}", roots)
        if imported is not None:
            return user_error(
                exc,
                f"{self.env.name}: revision file {os.path.basename(imported)}",
                roots,
                _IMPORT_HINT,
                imported,
            )
        if self.uses_env_py:
            hint = "" if self.metadata_spec else _ENV_HINT
            return user_error(exc, f"{self.env.name}: env.py{during}", roots, hint)
        return user_error(exc, f"{self.env.name}: running the migrations with --metadata{during}", roots)

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
            None,
            first_error_line(exc),
            file=os.path.abspath(file),
            line=line,
            missing_package=missing_package(exc, (self.cwd, *self.roots, *self.env.version_locations)),
        )

    def _own_environment(self, target: str, downgrade: bool) -> None:
        script = self.script
        steps: Callable[[Any, Any], Any] = (
            (lambda rev, _: script._downgrade_revs(target, rev))
            if downgrade
            else (lambda rev, _: script._upgrade_revs(target, rev))
        )
        self._run_own(script, steps)

    def _run_own(self, script: Any, steps: Callable[[Any, Any], Any]) -> None:
        """Run `steps` in migcheck's own environment, with the project's configure() options (--metadata)."""
        from alembic.runtime.environment import EnvironmentContext

        options, state = self._own_options()
        with (
            self._own_connection(state) as connection,
            EnvironmentContext(self.config, script, fn=steps) as context,
        ):
            context.configure(connection=connection, target_metadata=self.metadata, **options)
            with context.begin_transaction():
                context.run_migrations()

    def _own_options(self) -> tuple[dict[str, Any], Configured | None]:
        """The options of migcheck's own environment and the models it compares (`self.metadata`): env.py's own,
        taken from one run of env.py with no migration steps; migcheck's defaults when env.py cannot run."""
        if self._own is not None:
            return self._own
        spec = self.metadata_spec or ""
        calls, error = self._read_env_py()
        if calls:
            first = calls[0]
            if len(calls) > 1:
                self.notices.append(
                    f"{self.env.name}: env.py calls context.configure() {len(calls)} times (one database each);"
                    " with --metadata migcheck runs one database, with the options of the first call"
                )
            given = load_metadata(spec, self.roots)
            models = first.target_metadata
            self.metadata = given if models is None else models
            if models is not None and not _same_models(given, models):
                self.notices.append(
                    f"{self.env.name}: --metadata {spec} names other models than env.py's target_metadata;"
                    " the comparison uses env.py's, as `alembic check` does (--metadata's models are used"
                    " when env.py cannot run or sets none)"
                )
            self._own = (first.project_options, first)
            return self._own
        self.metadata = load_metadata(spec, self.roots)
        options = default_options(self.metadata, self.dialect)
        unused = static_keywords(self.env_text)
        if unused:
            self.notices.append(
                f"{self.env.name}: --metadata: migcheck could not run env.py to take its options ({error}),"
                f" so these options of its context.configure() call are not honoured: {', '.join(unused)};"
                f" the migrations and the comparison use migcheck's defaults ({_described(options, self.metadata)})"
            )
        self._own = (options, None)
        return self._own

    def _read_env_py(self) -> tuple[list[Configured], str]:
        """env.py's configure() calls, from one run of it on the scratch database with no migration steps
        (nothing is migrated, and the version table is not created); or why it could not be run."""
        from alembic.runtime.environment import EnvironmentContext

        if not self.env_py.is_file():
            return [], "there is no env.py"
        script = self.script
        start, refused = len(self.recorder.calls), len(self.redirector.refused)
        error = "env.py did not call context.configure()"
        self.recorder.probing = True
        try:
            with (
                self._offered_connection(),
                EnvironmentContext(self.config, script, fn=lambda _rev, _ctx: [], dont_mutate=True),
            ):
                script.run_env()
        except BaseException as exc:  # noqa: BLE001 - whatever env.py raises, sys.exit() included
            if stops_migcheck(exc):
                raise
            text = str(exc).splitlines()[0] if isinstance(exc, MigcheckError) else first_error_line(exc)
            error = f"env.py raised {text}"
        finally:
            self.recorder.probing = False
            self.config.attributes.pop("connection", None)
            # a connection env.py tried elsewhere was refused before anything was sent: env.py could not run
            del self.redirector.refused[refused:]
        calls = self.recorder.calls[start:]
        return calls, error

    @contextlib.contextmanager
    def _own_connection(self, state: Configured | None) -> Iterator[Any]:
        """A connection on the scratch database in the state env.py's own had (isolation level, PostgreSQL
        search_path, default schema). Alembic's begin_transaction() owns the transaction, as in env.py, so
        transaction_per_migration and autocommit blocks work; what is left in one is committed at the end."""
        with self.engine.connect() as connection:
            if state is not None:
                if state.isolation_level:
                    connection.execution_options(isolation_level=state.isolation_level)
                if state.search_path and self.dialect == "postgresql":
                    current = connection.exec_driver_sql("SHOW search_path").scalar()
                    if current != state.search_path:
                        connection.exec_driver_sql(f"SET search_path TO {state.search_path}")
                    if connection.in_transaction():
                        connection.commit()
                if state.default_schema and state.default_schema != connection.dialect.default_schema_name:
                    # env.py set it on its dialect (Alembic's schema-per-tenant recipe); this engine is ours alone
                    connection.dialect.default_schema_name = state.default_schema
            yield connection
            if connection.in_transaction():
                connection.commit()

    def compare(self) -> tuple[list[Any], dict[tuple[str, str | None], SourceLine]]:
        """The operations autogenerate would write, and where the models declare each table and column."""
        with self._running():
            ops = self._compare_env() if self.uses_env_py else self._compare_own()
            # while the project's modules are still imported, so their classes' source can be found; only
            # differences are located (reading the models' source is a second of a large project's run)
            sources = source_lines(self.metadata, self.roots) if self.metadata is not None and ops else {}
        return ops, sources

    def _compare_own(self) -> list[Any]:
        from alembic.autogenerate import produce_migrations
        from alembic.runtime.migration import MigrationContext

        options, state = self._own_options()
        with self._own_connection(state) as connection:
            context = MigrationContext.configure(
                connection, opts={**options, "target_metadata": self.metadata}
            )
            script = produce_migrations(context, self.metadata)
            return list(script.upgrade_ops.ops) if script.upgrade_ops is not None else []

    def _compare_env(self) -> list[Any]:
        from alembic import autogenerate
        from alembic.runtime.environment import EnvironmentContext

        script = self.script
        args = dict(message=None, autogenerate=True, sql=False, head="head", splice=False)
        args |= dict(branch_label=None, version_path=None, rev_id=None, depends_on=None)
        revision_context = autogenerate.RevisionContext(self.config, script, args)
        captured: dict[str, Any] = {}
        seen: list[Any] = []

        def capture(context: Any, rev: Any, directives: list[Any]) -> None:
            # runs before env.py's own process_revision_directives, which may empty the list
            captured["ops"] = [op for d in directives for ops in d.upgrade_ops_list for op in ops.ops]
            # a multi-database env.py configures once per engine, each with its own models
            found = context.opts.get("target_metadata")
            for metadata in found if isinstance(found, (list, tuple)) else [found]:
                if metadata is not None and all(metadata is not m for m in seen):
                    seen.append(metadata)
            self.metadata = seen

        revision_context.process_revision_directives = capture

        def retrieve(rev: Any, context: Any) -> list[Any]:
            revision_context.run_autogenerate(rev, context)
            return []

        try:
            with self._offered_connection():
                with EnvironmentContext(
                    self.config,
                    script,
                    fn=retrieve,
                    as_sql=False,
                    template_args=revision_context.template_args,
                    revision_context=revision_context,
                ):
                    script.run_env()
        except MigcheckError:
            raise
        except BaseException as exc:  # noqa: BLE001 - a sys.exit() in env.py included
            if stops_migcheck(exc):
                raise
            if lost_connection(exc):
                raise MigcheckError(
                    f"{self.env.name}: lost the connection to the scratch database while comparing with the"
                    f" models: {first_error_line(exc)}"
                ) from None
            raise self._user_error(exc, None, " (comparing with the models)") from None
        finally:
            self.config.attributes.pop("connection", None)
        return list(captured.get("ops", []))

    def copy_only(self) -> tuple[CopyOnly, ...]:
        """The ALTERs of the traced revisions probed so far (MySQL/MariaDB only; none elsewhere)."""
        return tuple(self.probe.results) if self.probe is not None else ()

    def redirect_notices(self) -> list[str]:
        """What the project's code asked for and got instead, once per URL; a hint when the dialect differs."""
        notes = []
        for r in self.redirector.redirects:
            note = (
                f"{self.env.name}: env.py asked for {r.asked} ({r.function}); migcheck redirected it to its"
                f" {self.dialect} scratch database"
            )
            if r.family is not None and r.family != self.dialect and r.family in KNOWN_DIALECTS:
                example = URL_EXAMPLES.get(r.family, f"{r.family}://USER@HOST/")
                note += (
                    f"; your project uses {r.family}: to check on {r.family}, pass --database-url {example}"
                    " (a server where migcheck may create a scratch database)"
                )
            notes.append(note)
        return notes

    def target_dialect(self) -> str | None:
        """The dialect the project is configured for: of a URL env.py asked for (and was redirected from), else
        of its sqlalchemy.url; None when neither names a dialect migcheck knows (Alembic's `driver://`)."""
        families = [r.family for r in self.redirector.redirects]
        for family in (*families, family_of(self.configured_url) if self.configured_url else None):
            if family in KNOWN_DIALECTS:
                return family
        return None

    def version_table(self) -> tuple[str, str | None]:
        """The version table and its schema: as env.py's configure() names them, else Alembic's default."""
        name, schema = self.recorder.version_table()
        return name or self.config.get_main_option("version_table") or "alembic_version", schema

    def uses_scratch(self) -> bool:
        """Whether the migrations really ran on the scratch database (env.py might have gone elsewhere)."""
        from sqlalchemy import inspect

        version_table, schema = self.version_table()
        with self.engine.connect() as connection:
            inspector = inspect(connection)
            if inspector.get_table_names() or inspector.has_table(version_table, schema=schema):
                return True
            if self.dialect != "postgresql":  # on MySQL the other schemas are other databases of the server
                return False
            # a schema of the scratch database chosen through search_path (one schema per tenant)
            schemas = [
                s for s in inspector.get_schema_names() if not s.startswith(("pg_", "information_schema"))
            ]
            return any(inspector.get_table_names(schema=s) for s in schemas)

    def rendering(self) -> dict[str, Any]:
        """env.py's rendering options (render_item, module prefixes), so a hint's code is what it would write."""
        return self.recorder.rendering()

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

        script = self.script
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
        except BaseException as exc:  # noqa: BLE001 - the user's migration or env.py failed
            if isinstance(exc, NotImplementedError) and raised_by_downgrade(exc, revision.path):
                return Irreversible(rid, first_error_line(exc), downgrade=True)
            return self._failure(exc)
        finally:
            self.config.attributes.pop("connection", None)
        return None

    def _run_steps(self, script: Any, steps: Callable[[Any, Any], Any], destination: str) -> None:
        """Run the migration steps `steps(heads, context)` returns, as `alembic downgrade` runs its own."""
        from alembic.runtime.environment import EnvironmentContext

        if not self.uses_env_py:
            self._run_own(script, steps)
            return
        with self._offered_connection():
            # destination_rev is what env.py sees as context.get_revision_argument()
            with EnvironmentContext(self.config, script, fn=steps, destination_rev=destination):
                script.run_env()


def _same_models(given: Any, models: Any) -> bool:
    """Whether --metadata's MetaData is env.py's target_metadata (itself, or a list holding only it)."""
    return given is models or (isinstance(models, (list, tuple)) and len(models) == 1 and models[0] is given)


def _described(options: dict[str, Any], metadata: Any) -> str:
    """migcheck's default options in words, for the notice that says env.py's were not honoured."""
    words = ["compare_type=True"]
    if options.get("render_as_batch"):
        words.append("render_as_batch=True")
    if options.get("include_schemas"):
        schemas = ", ".join(sorted(model_schemas(metadata)))
        words.append(f"include_schemas=True for the models' schemas ({schemas}) and the default one")
    return ", ".join(words)


def snapshot(runner: Runner) -> dict[str, Any]:
    """The scratch database's schema as plain data (tables, columns, keys, indexes), for round-trip checks."""
    from sqlalchemy import inspect

    version_table, version_schema = runner.version_table()
    schema: dict[str, Any] = {}
    with runner.engine.connect() as connection:
        inspector = inspect(connection)
        for table in sorted(inspector.get_table_names()):
            if table == version_table and version_schema is None:
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

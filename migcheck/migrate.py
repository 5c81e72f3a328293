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
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from migcheck import progress
from migcheck.discover import Environment
from migcheck.errors import MigcheckError, stops_migcheck
from migcheck.models import (
    SourceLine,
    load_flask_app,
    load_metadata,
    project_context,
    source_lines,
    user_error,
)
from migcheck.outcome import Failure, Irreversible
from migcheck.redirect import EngineRedirector, async_url

_ENV_HINT = "if env.py needs your application to run, pass --metadata module:attr (e.g. app:create_app)"
_NO_METADATA = re.compile(r"^\s*target_metadata\s*(?::[^=]*)?=\s*None\s*$", re.M)
# env.py files written for an async engine (alembic init -t async, FastAPI-style projects)
_ASYNC_ENV = re.compile(r"\b(?:async_engine_from_config|create_async_engine|AsyncEngine)\b")
# Flask-Migrate's env.py files read the app's engine and models through Flask's current_app
_FLASK_ENV = re.compile(r"\bcurrent_app\b")
_KNOWN_DIALECTS = ("sqlite", "postgresql", "mysql", "mssql", "oracle")
_URL_EXAMPLE = {
    "postgresql": "postgresql+psycopg://USER@HOST:5432/postgres",
    "mysql": "mysql+pymysql://USER@HOST:3306/",
}
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
                    script = getattr(step, "revision", None)
                    if script is not None:
                        progress.step(tracker, script.revision, getattr(step, "is_upgrade", True))
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
    """The database's own first line for a DBAPI error, else the exception's type and first line."""
    from sqlalchemy.exc import DBAPIError

    orig = getattr(exc, "orig", None)
    if isinstance(exc, DBAPIError) and orig is not None:
        text = str(orig).strip()
        return (text.splitlines() or [type(orig).__name__])[0][:300]
    # str() of an AssertionError is often "" and of some errors only their argument ("[]"): keep the type
    inner = orig if isinstance(orig, BaseException) else exc
    lines = str(inner).strip().splitlines()
    return (f"{type(inner).__name__}: {lines[0]}" if lines else type(inner).__name__)[:300]


def _lost_connection(exc: BaseException) -> bool:
    """Whether the scratch database's connection died (server shut down, backend killed): not the migration's
    fault. SQLAlchemy marks a DBAPI error that its dialect recognises as a disconnect; user code may wrap it."""
    from sqlalchemy.exc import DBAPIError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


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
    ) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.env, self.url, self.metadata_spec, self.cwd = env, url, metadata, cwd
        self.roots = tuple(python_path)
        self._stack = contextlib.ExitStack()
        self.redirector = EngineRedirector(url, server_url, self._stack)
        self.engine = self.redirector.approve(create_engine(url, poolclass=NullPool))
        self.dialect = self.engine.dialect.name
        self.env_py = env.script_location / "env.py"
        self.env_text = _read(self.env_py)
        self.config = self._config()
        self.tracker = _Tracker()
        self.metadata: Any = None
        self.app: Any = None
        self._app_loaded = False

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
            with _quiet():
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
            self._stack.enter_context(project_context(self.cwd, self.roots))
            self._stack.enter_context(self.redirector.installed())
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
        with _quiet(), self.tracker.installed():
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
                    from alembic import command

                    with self._offered_connection():
                        (command.downgrade if downgrade else command.upgrade)(self.config, target)
        except MigcheckError:
            raise
        except BaseException as exc:  # noqa: BLE001 - the user's migration or env.py failed
            return self._failure(exc)
        finally:
            self.config.attributes.pop("connection", None)
        return None

    def _failure(self, exc: BaseException) -> Failure:
        """What an exception raised while migrating means: a failing migration step or revision file comes back
        as data; Ctrl-C / SIGTERM, a lost connection, env.py's own errors and sys.exit() stop the check."""
        if stops_migcheck(exc):
            raise exc
        step = self.tracker.failure(exc)
        if _lost_connection(exc):
            where = f" while running revision {step.revision}" if step and step.revision else ""
            raise MigcheckError(
                f"{self.env.name}: lost the connection to the scratch database{where}:"
                f" {first_error_line(exc)}; the database server closed it, so nothing was checked"
                " from there on"
            ) from None
        # sys.exit() in env.py, a revision file or a migration is no failing migration: it ends the run
        failure = (step or self._broken_revision_file(exc)) if isinstance(exc, Exception) else None
        if failure is None:
            roots = (*self.roots, self.env.script_location, *self.env.version_locations)
            frames = traceback.extract_tb(exc.__traceback__)
            last = os.path.abspath(frames[-1].filename) if frames else ""
            if step and step.revision:
                what = f"revision {step.revision}"
            elif last.startswith(tuple(str(p) for p in self.env.version_locations)):
                what = f"revision file {os.path.basename(last)}"  # while Alembic imported it
            else:
                what = "env.py"
            raise user_error(exc, f"{self.env.name}: {what}", roots, _ENV_HINT) from None
        return failure

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
        return Failure(None, first_error_line(exc), file=os.path.abspath(file), line=line)

    def _own_environment(self, target: str, downgrade: bool) -> None:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self.config)
        steps: Callable[[Any, Any], Any] = (
            (lambda rev, _: script._downgrade_revs(target, rev))
            if downgrade
            else (lambda rev, _: script._upgrade_revs(target, rev))
        )
        self._run_own(script, steps)

    def _run_own(self, script: Any, steps: Callable[[Any, Any], Any]) -> None:
        """Run `steps` with migcheck's own environment around the --metadata models (no env.py)."""
        from alembic.runtime.environment import EnvironmentContext

        if self.metadata is None:
            self.metadata = load_metadata(self.metadata_spec or "", self.roots)
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
            ops = self._compare_env() if self.uses_env_py else self._compare_own()
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
            if _lost_connection(exc):
                raise MigcheckError(
                    f"{self.env.name}: lost the connection to the scratch database while comparing with the"
                    f" models: {first_error_line(exc)}"
                ) from None
            roots = (*self.roots, self.env.script_location)
            raise user_error(
                exc, f"{self.env.name}: env.py (comparing with the models)", roots, _ENV_HINT
            ) from None
        finally:
            self.config.attributes.pop("connection", None)
        return list(captured.get("ops", []))

    def redirect_notices(self) -> list[str]:
        """What the project's code asked for and got instead, once per URL; a hint when the dialect differs."""
        notes = []
        for r in self.redirector.redirects:
            note = (
                f"{self.env.name}: env.py asked for {r.asked} ({r.function}); migcheck redirected it to its"
                f" {self.dialect} scratch database"
            )
            if r.family is not None and r.family != self.dialect and r.family in _KNOWN_DIALECTS:
                example = _URL_EXAMPLE.get(r.family, f"{r.family}://USER@HOST/")
                note += (
                    f"; your project uses {r.family}: to check on {r.family}, pass --database-url {example}"
                    " (a server where migcheck may create a scratch database)"
                )
            notes.append(note)
        return notes

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
        except BaseException as exc:  # noqa: BLE001 - the user's migration or env.py failed
            if isinstance(exc, NotImplementedError) and _raised_by_downgrade(exc, revision.path):
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


def _raised_by_downgrade(exc: BaseException, path: str) -> bool:
    """Whether `exc` was raised in the revision file's own downgrade(), not by an operation it called (on
    SQLite, Alembic raises NotImplementedError for an ALTER it cannot do, which is a real failure)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    last = frames[-1]
    return last.name == "downgrade" and os.path.realpath(last.filename) == os.path.realpath(path)

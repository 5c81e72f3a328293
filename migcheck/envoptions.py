"""What a project's env.py passes to Alembic's `context.configure(...)`, so that migcheck's own environment
(`--metadata`) runs the migrations and compares the models with the project's options, not its own.

`Recorder` wraps `EnvironmentContext.configure` while a Runner is open and keeps each call's keywords and the
state of the connection it was given (isolation level, PostgreSQL `search_path`, default schema). The Runner
runs env.py once on the scratch database with no migration steps to fill it; when env.py cannot run,
`static_keywords` reads which options its `configure(...)` calls pass, so that a notice names exactly the
ones that were not honoured. The Recorder also keeps custom comparators registered by env.py from piling up:
env.py is executed anew on every run, and each run registers its `@comparators.dispatch_for` functions again.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# keywords migcheck sets itself: where to connect, which models, what to run, how a revision file is written;
# env.py's process_revision_directives is not applied in either mode (it may empty or rewrite the ops that
# autogenerate found, and the drift check reports what autogenerate finds)
OWNED = frozenset(
    {
        "connection",
        "url",
        "dialect_name",
        "dialect_opts",
        "target_metadata",
        "as_sql",
        "fn",
        "output_buffer",
        "starting_rev",
        "destination_rev",
        "tag",
        "template_args",
        "literal_binds",
        "process_revision_directives",
        "upgrade_token",
        "downgrade_token",
        "revision_context",
    }
)
# configure() keywords that only change how autogenerate renders an operation (the hint's code)
RENDERING = ("render_item", "user_module_prefix", "alembic_module_prefix", "sqlalchemy_module_prefix")


@dataclass(frozen=True)
class Configured:
    """One `context.configure(...)` call of env.py: its keywords and the state of the connection it passed."""

    options: dict[str, Any]
    isolation_level: str | None = None
    search_path: str | None = None
    default_schema: str | None = None

    @property
    def project_options(self) -> dict[str, Any]:
        """The options migcheck's own environment takes over: all but those migcheck sets itself."""
        return {k: v for k, v in self.options.items() if k not in OWNED}

    @property
    def target_metadata(self) -> Any:
        return self.options.get("target_metadata")


@dataclass
class Recorder:
    """Records every `EnvironmentContext.configure` call while installed (env.py's and migcheck's own)."""

    roots: Sequence[Path] = ()
    calls: list[Configured] = field(default_factory=list)
    # while env.py runs only to be read (no migration steps), the connection's search_path is read as well
    probing: bool = False

    @contextlib.contextmanager
    def installed(self) -> Iterator[Recorder]:
        from alembic.runtime.environment import EnvironmentContext

        original = EnvironmentContext.configure
        signature = inspect.signature(original)
        recorder = self
        registered_before = _registered()

        def configure(ctx: Any, *args: Any, **kw: Any) -> None:
            original(ctx, *args, **kw)
            bound = signature.bind(ctx, *args, **kw).arguments
            options = {k: v for k, v in bound.items() if k not in ("self", "kw")} | bound.get("kw", {})
            recorder.calls.append(recorder._configured(options))
            # env.py has registered its comparators by now (at import); one of each is enough
            _dedupe_comparators()

        EnvironmentContext.configure = configure  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            EnvironmentContext.configure = original  # type: ignore[method-assign]
            _forget_project_comparators(self.roots, registered_before)

    def _configured(self, given: dict[str, Any]) -> Configured:
        """The call's keywords, and the state of its connection (read now; the connection is not kept)."""
        connection = given.get("connection")
        options = {k: v for k, v in given.items() if k != "connection"}
        if connection is None or not hasattr(connection, "get_execution_options"):
            return Configured(options)
        dialect = connection.dialect
        # connection.execution_options(isolation_level=...) or engine.execution_options(...), else
        # create_engine(isolation_level=...), which SQLAlchemy applies on each new DBAPI connection
        level = connection.get_execution_options().get("isolation_level") or getattr(
            dialect, "_on_connect_isolation_level", None
        )
        search_path = None
        if self.probing and dialect.name == "postgresql":
            with contextlib.suppress(Exception):
                search_path = connection.exec_driver_sql("SHOW search_path").scalar()
        return Configured(options, level, search_path, getattr(dialect, "default_schema_name", None))

    def version_table(self) -> tuple[str | None, str | None]:
        """(version_table, version_table_schema) of the last configure() call that named them."""
        for call in reversed(self.calls):
            if "version_table" in call.options or "version_table_schema" in call.options:
                return call.options.get("version_table"), call.options.get("version_table_schema")
        return None, None

    def rendering(self) -> dict[str, Any]:
        """The last configure() call's rendering options (render_item, module prefixes), for the hints."""
        if not self.calls:
            return {}
        options = self.calls[-1].options
        return {k: options[k] for k in RENDERING if options.get(k) is not None}


def static_keywords(source: str) -> list[str]:
    """The keywords env.py's `configure(...)` calls pass, read from its source (it is not run), but those
    migcheck sets itself; `**name` for a spread dictionary. In order of appearance, each once; then an
    isolation level env.py sets on its engine or connection (`isolation_level="AUTOCOMMIT"`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found: list[tuple[int, int, str]] = []
    levels: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "configure":
            for keyword in node.keywords:
                name = keyword.arg if keyword.arg is not None else f"**{ast.unparse(keyword.value)}"
                found.append((keyword.lineno, keyword.col_offset, name))
        else:
            levels += [ast.unparse(k.value) for k in node.keywords if k.arg == "isolation_level"]
    names: list[str] = []
    for _, _, name in sorted(found):
        if name not in OWNED and name not in names:
            names.append(name)
    if levels:
        names.append(f"isolation_level={levels[0]} (on its connection)")
    return names


def default_options(metadata: Any, dialect: str) -> dict[str, Any]:
    """migcheck's own options, for when env.py's are not known: Alembic's compare_type, batch mode on SQLite,
    and, when the models name schemas, include_schemas limited to those schemas and the default one."""
    options: dict[str, Any] = {"compare_type": True, "render_as_batch": dialect == "sqlite"}
    schemas = model_schemas(metadata)
    if schemas:
        options["include_schemas"] = True
        options["include_name"] = _only_schemas(schemas)
    return options


def model_schemas(metadata: Any) -> frozenset[str]:
    """The schemas the models' tables name (`Table(..., schema=...)`, `__table_args__ = {"schema": ...}`)."""
    found: set[str] = set()
    for one in metadata if isinstance(metadata, (list, tuple)) else [metadata]:
        for table in getattr(one, "tables", {}).values():
            if table.schema is not None:
                found.add(table.schema)
    return frozenset(found)


def _only_schemas(schemas: frozenset[str]) -> Callable[[str | None, str, dict[str, Any]], bool]:
    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        # the default schema comes as None; other schemas of the database are none of the models' business
        return type_ != "schema" or name is None or name in schemas

    return include_name


def _comparator_registry() -> Any:
    from alembic.autogenerate import comparators

    return getattr(comparators, "_registry", None)


def _code_key(fn: Any) -> tuple[str, int, str] | None:
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    return code.co_filename, code.co_firstlineno, getattr(code, "co_qualname", code.co_name)


def _registered() -> list[Any]:
    """The comparator functions on Alembic's global registry now (kept alive, compared by identity)."""
    registry = _comparator_registry()
    if not isinstance(registry, dict):
        return []
    return [fn for entries in registry.values() for fn, _subgroup in entries]


def _dedupe_comparators() -> None:
    """Keep one registration per comparator function's source: the newest (env.py's current run), where the
    first one was. Alembic's global registry is a private structure; if it changed shape, nothing is done."""
    registry = _comparator_registry()
    if not isinstance(registry, dict):
        return
    with contextlib.suppress(Exception):
        for key, entries in registry.items():
            newest: dict[Any, Any] = {}
            for fn, subgroup in entries:
                code = _code_key(fn)
                if code is not None:
                    newest[(code, subgroup)] = (fn, subgroup)
            kept, seen = [], set()
            for fn, subgroup in entries:
                code = _code_key(fn)
                if code is None:
                    kept.append((fn, subgroup))
                elif (code, subgroup) not in seen:
                    seen.add((code, subgroup))
                    kept.append(newest[(code, subgroup)])
            registry[key] = kept


def _forget_project_comparators(roots: Sequence[Path], before: list[Any]) -> None:
    """Take the comparators the project's own files registered during the check off Alembic's global registry:
    the project's modules are forgotten after a check, and the next check in this process imports (and
    registers) them anew. Installed plugins (alembic_utils) stay: their modules stay imported, so they would
    not register again; so do the comparators that were there before the check."""
    registry = _comparator_registry()
    prefixes = tuple(str(r) for r in roots)
    if not isinstance(registry, dict) or not prefixes:
        return
    with contextlib.suppress(Exception):
        for key, entries in registry.items():
            registry[key] = [
                (fn, sub)
                for fn, sub in entries
                if any(fn is old for old in before) or not _project_file(fn, prefixes)
            ]


def _project_file(fn: Any, prefixes: tuple[str, ...]) -> bool:
    code = _code_key(fn)
    if code is None:
        return False
    file = os.path.abspath(code[0])
    return file.startswith(prefixes) and not any(d in file for d in ("site-packages", "dist-packages"))

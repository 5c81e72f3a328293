"""The user's models: import them for the drift check, and find the source line that declares a table or column.

This is one of the two places where migcheck runs the user's code (the other is env.py), so everything here
runs inside `project_context`, which puts the project on sys.path and takes its modules out again afterwards.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import inspect
import os
import sys
import textwrap
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from migcheck.errors import MigcheckError, MissingPackage, stops_migcheck

SourceLine = tuple[str, int]  # absolute file, line


@contextlib.contextmanager
def project_context(cwd: Path, python_path: Sequence[Path]) -> Iterator[None]:
    """Run with the project importable and as the working directory; restore sys.path, cwd and modules after."""
    saved_path, saved_cwd, saved_modules = list(sys.path), os.getcwd(), set(sys.modules)
    sys.path[:0] = [str(p) for p in python_path]
    os.chdir(cwd)
    _forget_relative_finders()
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        _forget_relative_finders()
        roots = tuple(str(p) for p in (cwd, *python_path))
        for name in set(sys.modules) - saved_modules:
            # the project's modules go, so a second check in this process imports them afresh
            file = getattr(sys.modules[name], "__file__", None) or ""
            installed = "site-packages" in file or "dist-packages" in file or name.split(".")[0] == "migcheck"
            if file.startswith(roots) and not installed:
                del sys.modules[name]


def _forget_relative_finders() -> None:
    # A finder for a relative sys.path entry (".", as alembic's prepend_sys_path adds) is cached with the
    # directory that was current when it was made; after a chdir it would import another project's modules.
    for key in [k for k in sys.path_importer_cache if not os.path.isabs(k)]:
        del sys.path_importer_cache[key]


# pre-commit sets PRE_COMMIT=1 for its hooks; a remote hook's virtualenv holds migcheck and nothing of the project
_PRE_COMMIT_HINT = (
    "pre-commit runs this hook in its own virtualenv: list the project's requirements in the hook's"
    " additional_dependencies, or run the project's own migcheck from a `repo: local` hook with"
    " `language: system`"
)


def user_error(
    exc: BaseException, what: str, roots: Sequence[Path], hint: str = "", from_file: str | None = None
) -> MigcheckError:
    """An exception raised by the user's code, as a message with the user's own traceback lines only: frames in
    the project's files (`roots`), never migcheck's, Alembic's, SQLAlchemy's or an installed package's; from
    the first frame in `from_file` on, when given (the revision file Alembic was importing)."""
    prefixes = tuple(os.path.join(os.path.abspath(r), "") for r in roots)
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if os.path.abspath(f.filename).startswith(prefixes) and not _machinery(f.filename)
    ]
    if from_file is not None:
        starts = [i for i, f in enumerate(frames) if os.path.abspath(f.filename) == from_file]
        frames = frames[starts[0] :] if starts else frames
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append(traceback.FrameSummary(exc.filename, exc.lineno or 0, "<module>", line=exc.text or ""))
    lines = [
        f"  File {f.filename!r}, line {f.lineno}, in {f.name}\n    {(f.line or '').strip()}" for f in frames
    ]
    detail = "\n".join(lines)
    if isinstance(exc, ModuleNotFoundError) and os.environ.get("PRE_COMMIT") == "1":
        hint = _PRE_COMMIT_HINT + (f"; {hint}" if hint else "")
    message = f"{what} raised {_described(exc)}\n{detail}".rstrip() + (
        f"\n({hint + '; ' if hint else ''}the drift check runs your code; --no-drift skips it)"
    )
    missing = missing_package(exc, roots)
    return MigcheckError(message) if missing is None else MissingPackage(message, missing)


def missing_package(exc: BaseException, roots: Sequence[Path]) -> str | None:
    """The top-level package `exc` says is not installed: `exc` is a ModuleNotFoundError (or an ImportError
    raised `from` one, as packages do to say what to install) for a module whose top-level package neither
    imports here nor lies in the project (`roots`, or a directory one level below one, such as `src/`).

    None for anything else: the project's own module that is not on the path, a submodule that an installed
    package lacks (another version), or any other error, which the drift check must not excuse.
    Called while the project is on sys.path, so that its own packages are found too."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while isinstance(current, ImportError) and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ModuleNotFoundError) and current.name:
            top = current.name.partition(".")[0]
            return None if _importable(top) or _in_project(top, roots) else top
        current = current.__cause__ or current.__context__
    return None


def _importable(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return True  # there is something by that name, if a broken one: not a package to install


def _in_project(name: str, roots: Sequence[Path]) -> bool:
    for root in roots:
        for directory in (root, *_subdirectories(root)):
            if (directory / name).is_dir() or (directory / f"{name}.py").is_file():
                return True
    return False


def _subdirectories(root: Path) -> list[Path]:
    try:
        return [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


def _machinery(file: str) -> bool:
    """Whether `file` is migcheck's, Alembic's, SQLAlchemy's or an installed package's (a virtualenv inside
    the project, an editable install under its root): never the user's frame."""
    if file.startswith("<") or any(d in file for d in ("site-packages", "dist-packages")):
        return True  # "<frozen os>", "<string>": the standard library's frozen modules, exec'd code
    path = os.path.abspath(file)
    for name in ("migcheck", "alembic", "sqlalchemy"):
        module = sys.modules.get(name)
        where = getattr(module, "__file__", None)
        if where and path.startswith(os.path.join(os.path.dirname(os.path.abspath(where)), "")):
            return True
    return False


def _described(exc: BaseException) -> str:
    # str(SystemExit()) is "" and str(SystemExit(0)) is "0": neither says that the code called sys.exit()
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r}), a sys.exit() call that would have ended the check"
    return f"{type(exc).__name__}: {exc}"


def load_metadata(spec: str, roots: Sequence[Path]) -> Any:
    """`module:attr` -> a MetaData: a MetaData, a declarative base, SQLModel, a Flask-SQLAlchemy `db`, a Flask
    app, or a zero-argument factory returning one of these."""
    target = _resolve(spec, roots)
    metadata = _as_metadata(target)
    if metadata is None and callable(target):
        try:
            metadata = _as_metadata(target())
        except BaseException as exc:  # noqa: BLE001 - an app factory that calls sys.exit() included
            if stops_migcheck(exc) or isinstance(exc, MigcheckError):
                raise
            raise user_error(exc, f"--metadata: calling {spec}()", roots) from None
    if metadata is None:
        raise MigcheckError(
            f"--metadata {spec!r} is a {type(target).__name__}, not a MetaData, a declarative base, SQLModel,"
            " a Flask-SQLAlchemy db, a Flask app or a factory returning one"
        )
    return metadata


def _resolve(spec: str, roots: Sequence[Path]) -> Any:
    """The object `module:attr` names, imported as the user's code."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise MigcheckError(f"--metadata {spec!r}: expected module:attribute, e.g. myapp.models:Base")
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # noqa: BLE001 - a sys.exit() in the user's module is theirs too
        if stops_migcheck(exc) or isinstance(exc, MigcheckError):
            raise
        raise user_error(exc, f"--metadata: importing {module_name!r}", roots) from None
    target: Any = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise MigcheckError(f"--metadata {spec!r}: module {module_name!r} has no attribute {part!r}")
        target = getattr(target, part)
    return target


def _is_flask_app(obj: Any) -> bool:
    return callable(getattr(obj, "app_context", None)) and isinstance(getattr(obj, "extensions", None), dict)


def load_flask_app(spec: str | None, roots: Sequence[Path]) -> Any:
    """The Flask app a Flask-Migrate env.py runs in: the one --metadata names (an app, or a factory returning
    one), else the one `flask` itself would find (FLASK_APP, app.py, wsgi.py); None when there is none."""
    if spec:
        target = _resolve(spec, roots)
        if _is_flask_app(target):
            return target
        if callable(target) and not hasattr(target, "metadata"):
            try:
                made = target()
            except BaseException as exc:  # noqa: BLE001
                if stops_migcheck(exc) or isinstance(exc, MigcheckError):
                    raise
                raise user_error(exc, f"--metadata: calling {spec}()", roots) from None
            return made if _is_flask_app(made) else None
        return None
    try:
        from flask.cli import NoAppException, ScriptInfo
    except ImportError:
        return None
    try:
        return ScriptInfo().load_app()
    except NoAppException:
        return None
    except BaseException as exc:  # noqa: BLE001
        if stops_migcheck(exc) or isinstance(exc, MigcheckError):
            raise
        raise user_error(exc, "loading the Flask app (FLASK_APP, app.py or wsgi.py)", roots) from None


def _as_metadata(obj: Any) -> Any:
    from sqlalchemy import MetaData

    if isinstance(obj, MetaData):
        return obj
    extensions = getattr(obj, "extensions", None)
    if isinstance(extensions, dict) and "sqlalchemy" in extensions:  # a Flask app
        obj = extensions["sqlalchemy"]
        # Flask-SQLAlchemy 2.x registers a state object there, not the extension; the extension is its .db
        obj = getattr(obj, "db", obj)
    metadata = getattr(obj, "metadata", None)
    return metadata if isinstance(metadata, MetaData) else None


def source_lines(metadata: Any, roots: Sequence[Path]) -> dict[tuple[str, str | None], SourceLine]:
    """(table, column or None) -> where the models declare it, from the mapped classes' source, else from
    `Table("name", ...)` calls in the project's modules. `metadata` is one MetaData or a list of them. A table
    in a schema is keyed `schema.table`, as autodiff names it."""
    found: dict[tuple[str, str | None], SourceLine] = {}
    for one in metadata if isinstance(metadata, (list, tuple)) else [metadata]:
        with contextlib.suppress(Exception):  # private registry API: a miss only costs a location
            _from_mappers(one, found)
    prefixes = tuple(str(r) for r in roots)
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None) or ""
        if file.endswith(".py") and file.startswith(prefixes):
            _from_table_calls(file, found)
    return found


def _from_mappers(metadata: Any, found: dict[tuple[str, str | None], SourceLine]) -> None:
    from sqlalchemy.orm import mapperlib

    for registry in list(mapperlib._all_registries()):
        for mapper in list(registry.mappers):
            table = mapper.local_table
            if getattr(table, "metadata", None) is not metadata or not hasattr(table, "name"):
                continue
            cls = mapper.class_
            try:
                lines, start = inspect.getsourcelines(cls)
                file = inspect.getsourcefile(cls) or ""
            except (OSError, TypeError):
                continue
            body = ast.parse(textwrap.dedent("".join(lines))).body[0]
            name = str(getattr(table, "fullname", table.name))  # schema.table for a table in a schema
            found.setdefault((name, None), (file, start))
            assigned = _assignment_lines(body)
            for column in table.columns:
                try:
                    key = mapper.get_property_by_column(column).key
                except Exception:  # noqa: BLE001 - unmapped column
                    key = column.key
                if key in assigned:
                    found.setdefault((name, column.name), (file, start + assigned[key] - 1))


def _assignment_lines(cls: ast.stmt) -> dict[str, int]:
    lines: dict[str, int] = {}
    for node in getattr(cls, "body", []):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name):
                lines[target.id] = node.lineno
    return lines


def _from_table_calls(file: str, found: dict[tuple[str, str | None], SourceLine]) -> None:
    try:
        tree = ast.parse(Path(file).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _called(node) == "Table" and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        schema = next((k.value for k in node.keywords if k.arg == "schema"), None)
        name = first.value
        if isinstance(schema, ast.Constant) and isinstance(schema.value, str):
            name = f"{schema.value}.{name}"
        found.setdefault((name, None), (file, node.lineno))
        for arg in node.args[1:]:
            if isinstance(arg, ast.Call) and _called(arg) == "Column" and arg.args:
                col = arg.args[0]
                if isinstance(col, ast.Constant) and isinstance(col.value, str):
                    found.setdefault((name, col.value), (file, arg.lineno))


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""

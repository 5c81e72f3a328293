"""A merge revision written from the project's `script.py.mako` the way `alembic merge` writes it, with no
revision file, env.py or hook run.

`alembic merge` imports every revision file to build its revision map; migcheck already has the graph, read
statically, so it only needs what `ScriptDirectory.generate_revision` gives the template: the same arguments,
a new id like `alembic.util.rev_id()`, the file name from `file_template`, the directory Alembic would pick.

A Mako template is code too. One that only formats its arguments (Alembic's own templates, multidb's
`re.split` loop included) is rendered in a dry run; one that runs anything else is rendered only with
`--write`, as `alembic merge` would run it.
"""

from __future__ import annotations

import ast
import builtins
import datetime
import os
import re
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migcheck.errors import MigcheckError
from migcheck.histories import display

if TYPE_CHECKING:
    from alembic.config import Config

    from migcheck.discover import Environment

MESSAGE = "merge heads"
_DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"  # alembic.script.base._default_file_template
_SLUG = re.compile(r"\w+")  # alembic.script.base._slug_re

# What a template may do and still count as only formatting its arguments.
_FILTERS = frozenset({"n", "str", "h", "u", "x", "trim", "entity", "unicode", "decode", "comma"})
_FUNCTIONS = frozenset({"repr", "str", "len"})
_METHODS = frozenset(
    {"get_main_option", "get_section_option", "get", "split", "join", "strip", "lower", "upper", "replace"}
)
_MODULES = frozenset({"re"})
_EXPRESSION_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.IfExp,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
    ast.UnaryOp,
    ast.Not,
    ast.BinOp,
    ast.Mod,
    ast.Add,
    ast.Tuple,
    ast.List,
    ast.Subscript,
    ast.Slice,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.Call,
    ast.Attribute,
)
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class MergeFile:
    """The merge revision to write: where, its id, and its bytes (None when a dry run did not render it)."""

    path: Path
    rev_id: str
    content: bytes | None
    encoding: str
    notes: tuple[str, ...]


def merge_file(
    env: Environment, heads: list[str], directory: Path, taken: set[str], root: Path, *, run_template: bool
) -> MergeFile:
    """The merge revision of `heads` for `env`, to be placed in `directory`; `taken` are the ids in use."""
    config = _alembic_config(env)
    template_path = env.script_location / "script.py.mako"
    try:
        template = template_path.read_bytes()
    except OSError as exc:
        raise MigcheckError(
            f"{template_path}: cannot read the revision template ({exc.strerror or exc}); `alembic merge` needs it too"
        ) from None
    rev_id = uuid.uuid4().hex[-12:]
    while rev_id in taken:
        rev_id = uuid.uuid4().hex[-12:]
    create_date = _create_date(_option(config, "timezone"))
    directory = Path(os.path.normpath(directory))
    path = Path(os.path.normpath(directory / _file_name(config, rev_id, create_date, env)))
    if os.path.commonpath([path, directory]) != str(directory):
        raise MigcheckError(f"{env.config_file}: file_template puts the new revision outside {directory}")
    if os.path.lexists(path):  # `alembic merge` would overwrite it
        raise MigcheckError(
            f"{display(path, root)} exists already, and file_template names the merge revision so;"
            " nothing written: rename that file, or put %(rev)s in file_template"
        )
    notes = _notes(config, env)
    code = code_in_template(template)
    if code is not None and not run_template:
        notes += (
            f"{display(path, root)}: not rendered in a dry run: {template_path.name} runs code ({code}); with --write"
            " migcheck renders it, as `alembic merge` would",
        )
        return MergeFile(path, rev_id, None, "utf-8", notes)
    args: dict[str, Any] = {
        "config": config,  # alembic.command.merge passes it ("e.g. multiple databases")
        "up_revision": rev_id,
        "down_revision": tuple(heads) if len(heads) > 1 else heads[0],
        "branch_labels": None,
        "depends_on": None,
        "create_date": create_date,
        "comma": _format_as_comma,
        "message": MESSAGE,
    }
    encoding = _option(config, "output_encoding") or "utf-8"
    return MergeFile(path, rev_id, _render(template, template_path, args, encoding), encoding, notes)


def _alembic_config(env: Environment) -> Config:
    """Alembic's own Config for the environment's files (read only: parsing it runs nothing)."""
    from alembic.config import Config

    ini = toml = None
    if env.config_file is not None:
        folder = env.config_file.parent
        if env.config_file.name.endswith(".toml"):
            toml, ini = env.config_file, folder / "alembic.ini"
        else:
            ini, toml = env.config_file, folder / "pyproject.toml"
    ini_file = ini if ini is not None and ini.is_file() else None
    toml_file = toml if toml is not None and toml.is_file() else None
    if not hasattr(Config, "get_alembic_option"):  # Alembic < 1.16 reads no pyproject.toml
        return Config(file_=ini_file, ini_section=env.ini_section)
    return Config(file_=ini_file, toml_file=toml_file, ini_section=env.ini_section)


def _option(config: Config, name: str) -> str | None:
    get = getattr(config, "get_alembic_option", config.get_main_option)
    try:
        value = get(name)
    except Exception as exc:  # noqa: BLE001 - configparser/TOML errors of the user's file
        raise MigcheckError(f"{_where(config)}: cannot read {name}: {exc}") from None
    if value is not None and not isinstance(value, str):
        raise MigcheckError(f"{_where(config)}: {name} must be a string")
    return value


def _where(config: Config) -> str:
    return str(
        config.config_file_name or getattr(config, "toml_file_name", None) or "the Alembic configuration"
    )


def _create_date(timezone: str | None) -> datetime.datetime:
    """As `ScriptDirectory._generate_create_date`: local time, or now in the configured timezone."""
    if timezone is None:
        return datetime.datetime.now()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in (timezone, timezone.upper()):
        try:
            return datetime.datetime.now(tz=datetime.timezone.utc).astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    raise MigcheckError(f"timezone = {timezone}: no such timezone (Alembic refuses it too)")


def _file_name(config: Config, rev_id: str, create_date: datetime.datetime, env: Environment) -> str:
    """As `ScriptDirectory._rev_path`."""
    template = _option(config, "file_template") or _DEFAULT_FILE_TEMPLATE
    length = _option(config, "truncate_slug_length")
    try:
        truncate = int(length) if length is not None else 40
    except ValueError:
        raise MigcheckError(f"{env.config_file}: truncate_slug_length = {length!r} is not a number") from None
    truncate = truncate or 40
    slug = "_".join(_SLUG.findall(MESSAGE)).lower()
    if len(slug) > truncate:
        slug = slug[:truncate].rsplit("_", 1)[0] + "_"
    fields = {
        "rev": rev_id,
        "slug": slug,
        "epoch": int(create_date.timestamp()),
        **{f: getattr(create_date, f) for f in ("year", "month", "day", "hour", "minute", "second")},
    }
    try:
        return f"{template % fields}.py"
    except (KeyError, ValueError, TypeError) as exc:
        raise MigcheckError(
            f"{env.config_file}: file_template = {template!r} cannot be filled in: {exc}"
        ) from None


def _notes(config: Config, env: Environment) -> tuple[str, ...]:
    notes: tuple[str, ...] = ()
    try:
        if hasattr(config, "get_hooks_list"):
            hooks = [str(hook.get("_hook_name")) for hook in config.get_hooks_list()]
        else:  # Alembic < 1.16
            listed = config.get_section("post_write_hooks", {}).get("hooks", "")
            hooks = [name for name in re.split(r", *| +", listed) if name]
    except Exception:  # noqa: BLE001 - a malformed hook section: Alembic's concern, not the merge file's
        hooks = ["(unreadable post_write_hooks section)"]
    if hooks:
        notes += (
            f"post_write_hooks ({', '.join(hooks)}) are not run by migcheck; run them on the new file yourself",
        )
    if (_option(config, "revision_environment") or "").strip().lower() == "true":
        notes += (
            "revision_environment = true: `alembic merge` would run env.py first (it may add template"
            " arguments); migcheck runs no project code",
        )
    return notes


def _format_as_comma(value: str | tuple[str, ...] | list[str] | None) -> str:
    """alembic.util.format_as_comma, the template's `comma` filter."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(value)


def _render(template: bytes, template_path: Path, args: dict[str, Any], encoding: str) -> bytes:
    from mako.exceptions import MakoException  # type: ignore[import-untyped,unused-ignore]
    from mako.template import Template  # type: ignore[import-untyped,unused-ignore]

    try:
        compiled = Template(text=template, uri=template_path.name)
    except MakoException as exc:
        raise MigcheckError(f"{template_path}: not a valid Mako template: {exc}") from None
    try:
        text = compiled.render_unicode(**args)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - whatever the template's code raises
        raise MigcheckError(
            f"{template_path}: rendering the template failed: {type(exc).__name__}: {exc}"
            " (`alembic merge` would fail the same way)"
        ) from None
    try:
        return text.encode(encoding)
    except (LookupError, UnicodeEncodeError) as exc:
        raise MigcheckError(f"output_encoding = {encoding}: cannot encode the new revision: {exc}") from None


def code_in_template(template: bytes) -> str | None:
    """None when rendering `template` only formats its arguments; else where and what else it would run."""
    from mako.exceptions import MakoException  # type: ignore[import-untyped,unused-ignore]
    from mako.lexer import Lexer  # type: ignore[import-untyped,unused-ignore]

    try:
        tree = Lexer(template).parse()
    except MakoException as exc:
        return f"Mako cannot parse it: {exc}"
    for node in _walk(tree):
        reason = _vet_node(node)
        if reason is not None:
            return f"line {node.lineno}: {reason}"
    return None


def _walk(node: Any) -> Iterator[Any]:
    for child in node.get_children():
        yield child
        yield from _walk(child)


def _vet_node(node: Any) -> str | None:
    from mako import parsetree  # type: ignore[import-untyped,unused-ignore]

    if isinstance(node, (parsetree.Text, parsetree.Comment)):
        return None
    if isinstance(node, parsetree.Expression):
        filters = [f.strip() for f in node.escapes.split(",") if f.strip()]
        unknown = [f for f in filters if f not in _FILTERS]
        if unknown:
            return f"the filter `{unknown[0]}`"
        return _vet_source(node.text.strip(), "eval")
    if isinstance(node, parsetree.ControlLine):
        if node.isend or node.keyword == "else":
            return None
        if node.keyword in ("if", "elif", "for"):
            line = re.sub(r"^\s*elif\b", "if", node.text.strip())
            return _vet_source(f"{line}\n    pass", "exec")
        return f"a `% {node.keyword}` line"
    if isinstance(node, parsetree.Code):
        return _vet_source(textwrap.dedent(node.text).strip(), "exec")
    return f"a `<%{getattr(node, 'keyword', type(node).__name__)}>` tag"


def _vet_source(source: str, mode: str) -> str | None:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return f"`{source}` is not Python migcheck can read"
    statements = tree.body if isinstance(tree, ast.Module) else [tree]
    for statement in statements:
        reason = _vet_statement(statement)
        if reason is not None:
            return reason
    return None


def _vet_statement(node: ast.AST) -> str | None:
    if isinstance(node, ast.Expression):
        return _vet_expression(node.body)
    if isinstance(node, ast.Import):
        names = [alias for alias in node.names if alias.name not in _MODULES or alias.asname]
        return f"`import {names[0].name}`" if names else None
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return _vet_target(node.targets[0]) or _vet_expression(node.value)
    if isinstance(node, (ast.If, ast.For)) and all(isinstance(s, ast.Pass) for s in node.body):
        if isinstance(node, ast.For):
            return _vet_target(node.target) or _vet_expression(node.iter)
        return _vet_expression(node.test)
    return f"`{ast.unparse(node).splitlines()[0]}`"


def _vet_target(node: ast.expr) -> str | None:
    names = node.elts if isinstance(node, ast.Tuple) else [node]
    for name in names:
        if not isinstance(name, ast.Name) or name.id.startswith("_") or name.id in _BUILTINS:
            return f"an assignment to `{ast.unparse(name)}`"
    return None


def _vet_expression(node: ast.expr) -> str | None:
    callees = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    for sub in ast.walk(node):
        if not isinstance(sub, _EXPRESSION_NODES):
            return f"`{ast.unparse(sub)}`" if isinstance(sub, ast.expr) else f"a `{type(sub).__name__}`"
        if isinstance(sub, ast.Call):
            func = sub.func
            allowed = (isinstance(func, ast.Name) and func.id in _FUNCTIONS) or (
                isinstance(func, ast.Attribute) and func.attr in _METHODS
            )
            if not allowed or sub.keywords:
                return f"a call of `{ast.unparse(func)}`"
        elif isinstance(sub, ast.Attribute) and id(sub) not in callees:
            return f"the attribute `{ast.unparse(sub)}`"
        elif isinstance(sub, ast.Name) and id(sub) not in callees:
            if sub.id.startswith("_") or sub.id in _BUILTINS:
                return f"the name `{sub.id}`"
    return None

"""Read a revision file's `upgrade()` and `downgrade()` statically (ast, never imported) into `Operation`s.

Follows what Alembic's templates and cookbook write: `op.*` calls, `with op.batch_alter_table(...) as batch_op:`,
`with op.get_context().autocommit_block():`, helper functions the migration calls, the multidb template's
`upgrade_<engine>()` functions, and SQL handed to `op.execute(...)` / `op.get_bind().execute(...)` as a string,
`sa.text(...)`, a module-level string constant or a SQLAlchemy `update()`/`delete()` expression. SQL migcheck cannot
see (built at run time) becomes an UNANALYSED_SQL operation, so the rules can say so instead of staying silent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from migcheck.operations import (
    CREATE_TABLE,
    DELETE,
    OTHER_SQL,
    RENAME_TABLE,
    UNANALYSED_SQL,
    UPDATE,
    Code,
    Default,
    Function,
    Operation,
    RevisionOperations,
    SqlType,
    Value,
    normalize_type,
)

# Alembic's op functions whose positional arguments are (table, ...) and (name, table, ...), by name; the batch
# form drops the table argument (it is the batch's). Keyword names are Alembic's own.
_POSITIONAL: dict[str, tuple[str, ...]] = {
    "create_table": ("table",),
    "drop_table": ("table",),
    "rename_table": ("table", "new"),
    "add_column": ("table", "column_obj"),
    "drop_column": ("table", "column"),
    "alter_column": ("table", "column"),
    "create_index": ("name", "table", "columns"),
    "drop_index": ("name", "table"),
    "create_foreign_key": ("name", "table", "referent_table", "columns", "remote_cols"),
    "create_check_constraint": ("name", "table", "condition"),
    "create_unique_constraint": ("name", "table", "columns"),
    "create_primary_key": ("name", "table", "columns"),
    "create_exclude_constraint": ("name", "table"),
    "drop_constraint": ("name", "table"),
    "bulk_insert": ("table",),
    "execute": ("sql",),
    "create_table_comment": ("table", "comment"),
    "drop_table_comment": ("table",),
}
_KEYWORD_ALIASES = {
    "table_name": "table",
    "source_table": "table",
    "source": "table",
    "referent": "referent_table",
    "constraint_name": "name",
    "index_name": "name",
    "column_name": "column",
    "old_table_name": "table",
    "new_table_name": "new",
    "local_cols": "columns",
    "sqltext": "sql",
    "cols": "columns",
}
# op functions that are no schema operation
_NOT_OPERATIONS = frozenset(
    {
        "get_bind",
        "get_context",
        "f",
        "inline_literal",
        "batch_alter_table",
        "implementation_for",
        "invoke",
        "register_operation",
        "run_async",
    }
)
_ENGINE_FUNCTIONS = ("upgrade_", "downgrade_")


@dataclass
class _Scope:
    """What the statements being read sit in: a batch's table and alias, an autocommit block."""

    batch_table: str | None = None
    batch_alias: str | None = None
    batch_schema: str | None = None
    autocommit: bool = False


@dataclass
class _Reader:
    source: str
    dialect: str | None
    op_names: set[str]
    functions: dict[str, ast.FunctionDef]
    constants: dict[str, str]
    operations: list[Operation] = field(default_factory=list)
    created: set[str] = field(default_factory=set)
    binds: set[str] = field(default_factory=set)
    visiting: set[str] = field(default_factory=set)
    lines: list[bytes] | None = None  # the source's lines as bytes (ast's offsets are in UTF-8 bytes)

    # -- statements ---------------------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt], scope: _Scope) -> None:
        for stmt in body:
            self.statement(stmt, scope)

    def statement(self, stmt: ast.stmt, scope: _Scope) -> None:
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            inner = scope
            for item in stmt.items:
                inner = self.with_item(item, inner)
            self.block(stmt.body, inner)
            return
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return  # a nested definition runs only when called; its calls are followed from the call
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and self._is_get_bind(stmt.value)
        ):
            self.binds.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            text = self._string(stmt.value)
            if text is not None:
                self.constants[stmt.targets[0].id] = text
        for node in self._calls_in_order(stmt):
            self.call(node, scope)
        for child in ("body", "orelse", "finalbody", "handlers"):
            for sub in getattr(stmt, child, []) or []:
                if isinstance(sub, ast.ExceptHandler):
                    self.block(sub.body, scope)
                elif isinstance(sub, ast.stmt):
                    self.statement(sub, scope)

    def _calls_in_order(self, stmt: ast.stmt) -> Iterator[ast.Call]:
        """The calls of a simple statement (not of its nested blocks), outermost first, in source order."""
        if isinstance(stmt, (ast.If, ast.While)):
            roots: list[ast.AST] = [stmt.test]
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            roots = [stmt.iter]
        elif isinstance(stmt, (ast.Try, ast.With, ast.AsyncWith)):
            roots = []
        else:
            roots = [stmt]
        calls = [n for root in roots for n in ast.walk(root) if isinstance(n, ast.Call)]
        return iter(sorted(calls, key=lambda n: (n.lineno, n.col_offset)))

    def with_item(self, item: ast.withitem, scope: _Scope) -> _Scope:
        call = item.context_expr
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return scope
        if call.func.attr == "autocommit_block":
            return replace(scope, autocommit=True)
        if call.func.attr == "batch_alter_table" and self._is_op(call.func.value):
            args = self._arguments(call, ("table",))
            table = args.get("table")
            alias = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
            schema = args.get("schema")
            return replace(
                scope,
                batch_table=table if isinstance(table, str) else None,
                batch_alias=alias,
                batch_schema=schema if isinstance(schema, str) else None,
            )
        return scope

    # -- calls --------------------------------------------------------------------------------------------------

    def call(self, node: ast.Call, scope: _Scope) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.functions and func.id not in self.visiting:
            self.visiting.add(func.id)  # a helper the migration calls: its operations are the migration's
            self.block(self.functions[func.id].body, scope)
            self.visiting.discard(func.id)
            return
        if not isinstance(func, ast.Attribute):
            return
        receiver, name = func.value, func.attr
        batch = (
            scope.batch_alias is not None
            and isinstance(receiver, ast.Name)
            and receiver.id == scope.batch_alias
        )
        if name in ("execute", "exec_driver_sql") and (self._is_bind(receiver) or (self._is_op(receiver))):
            self.sql(node, scope, batch)
            return
        if not (batch or self._is_op(receiver)) or name in _NOT_OPERATIONS:
            return
        positional = _POSITIONAL.get(name, ())
        if batch:
            positional = tuple(p for p in positional if p != "table")
        args = self._arguments(node, positional)
        if name == "execute":
            self.sql(node, scope, batch)
            return
        self.operation(name, node, args, scope, batch)

    def operation(self, name: str, node: ast.Call, args: dict[str, Any], scope: _Scope, batch: bool) -> None:
        table = scope.batch_table if batch else args.pop("table", None)
        options: dict[str, Value] = {
            k: v
            for k, v in args.items()
            if k not in ("name", "column", "columns", "column_obj", "schema", "new")
        }
        column = args.get("column")
        columns: tuple[str, ...] = ()
        raw_columns = args.get("columns")
        if isinstance(raw_columns, tuple):
            columns = tuple(str(c) if not isinstance(c, Code) else c.text for c in raw_columns)
        elif isinstance(raw_columns, str):
            columns = (raw_columns,)
        obj = args.get("column_obj")
        if isinstance(obj, _Column):
            column = obj.name
            options.update(obj.options)
        if name == CREATE_TABLE:
            cols = [c for c in (self._column(a) for a in node.args[1:]) if c is not None]
            columns = tuple(c.name for c in cols if c.name is not None)
            options["table_columns"] = tuple(columns)
            options["not_null_columns"] = tuple(
                c.name for c in cols if c.name is not None and c.options.get("nullable") is False
            )
        if name == RENAME_TABLE:
            new = args.get("new")
            args["name"] = new if isinstance(new, str) else None
        schema = args.get("schema", scope.batch_schema if batch else None)
        label = args.get("name")
        op = Operation(
            kind=name,
            line=node.lineno,
            end_line=node.end_lineno,
            table=table if isinstance(table, str) else None,
            column=column if isinstance(column, str) else None,
            name=label if isinstance(label, str) else None,
            columns=columns,
            schema=schema if isinstance(schema, str) else None,
            options=options,
            batch=batch,
            autocommit=scope.autocommit,
        )
        self.add(op)

    def add(self, op: Operation) -> None:
        if op.table is not None and op.table in self.created:
            op = replace(op, new_table=True)
        self.operations.append(op)
        if op.kind == CREATE_TABLE and op.table is not None:
            self.created.add(op.table)
        if op.kind == RENAME_TABLE and op.table in self.created and op.name:
            self.created.add(op.name)

    # -- SQL ----------------------------------------------------------------------------------------------------

    def sql(self, node: ast.Call, scope: _Scope, batch: bool) -> None:
        arg = (
            node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "sqltext"), None)
        )
        if arg is None:
            return
        expression = self._expression_sql(arg)
        if expression is not None:
            self.add(replace(expression, autocommit=scope.autocommit))
            return
        ddl = self._ddl_construct(arg)
        if ddl is not None:
            self.add(replace(ddl, autocommit=scope.autocommit))
            return
        text = self._string(arg)
        if (
            text is None
            and isinstance(arg, ast.Call)
            and self._call_name(arg) in ("text", "DDL")
            and arg.args
        ):
            text = self._string(arg.args[0])
            arg = arg.args[0]
        if text is None:
            self.add(
                Operation(
                    UNANALYSED_SQL,
                    node.lineno,
                    table=scope.batch_table if batch else None,
                    options={"reason": f"the SQL is built at run time: `{_shortened(self._segment(arg))}`"},
                    autocommit=scope.autocommit,
                    end_line=node.end_lineno,
                )
            )
            return
        from migcheck.sqlops import statements  # sqlglot: only a revision with SQL in it pays for the parser

        for op in statements(text, self.dialect, arg.lineno, end_line=arg.end_lineno):
            self.add(replace(op, autocommit=scope.autocommit, batch=batch))

    def _expression_sql(self, arg: ast.expr) -> Operation | None:
        """`sa.update(t).values(...)` / `t.update().where(...)` / `sa.delete(t)` / `t.insert()`: what it changes."""
        kinds = {"update": UPDATE, "delete": DELETE, "insert": OTHER_SQL}
        verb: str | None = None
        table: str | None = None
        where = False
        node: ast.expr = arg
        while isinstance(node, ast.Call):
            called = self._call_name(node)
            func = node.func
            if called in ("table", "Table") and node.args:
                table = self._string(node.args[0]) or table
                break
            if called == "where" or called == "filter":
                where = True
            if called in kinds:
                verb = called
                if node.args and (isinstance(func, ast.Name) or self._is_module(func)):
                    first = node.args[0]  # sa.update(orders) / update(sa.table("orders"))
                    table = first.id if isinstance(first, ast.Name) else table
                    node = first
                    continue
            if not isinstance(func, ast.Attribute):
                break
            node = func.value
        if verb is None:
            return None
        if isinstance(node, ast.Name) and table is None and not self._is_module(node):
            table = node.id  # orders_table.update(): the variable's name is the best guess
        options: dict[str, Value] = {"where": where} if verb != "insert" else {}
        return Operation(
            kinds[verb],
            arg.lineno,
            table=table,
            options=options,
            end_line=arg.end_lineno,
            sql=self._segment(arg)[:200],
        )

    def _ddl_construct(self, arg: ast.expr) -> Operation | None:
        """SQLAlchemy's own DDL elements (`sa.schema.CreateSchema("x")`, `CreateSequence(...)`, `DropSchema`):
        statements that lock no existing table, whatever their arguments."""
        if not isinstance(arg, ast.Call) or self._call_name(arg) not in _DDL_ELEMENTS:
            return None
        return Operation(OTHER_SQL, arg.lineno, end_line=arg.end_lineno, sql=self._segment(arg)[:200])

    @staticmethod
    def _is_module(node: ast.expr) -> bool:
        """`sa`, `sqlalchemy`, `sa.sql`: where `update()`/`table()` come from, never a table variable."""
        if isinstance(node, ast.Attribute):
            return _Reader._is_module(node.value)
        return isinstance(node, ast.Name) and node.id in ("sa", "sqlalchemy", "sql", "expression")

    # -- values -------------------------------------------------------------------------------------------------

    def _arguments(self, node: ast.Call, positional: tuple[str, ...]) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name, value in zip(positional, node.args, strict=False):
            args[name] = self._value(value, name)
        for keyword in node.keywords:
            if keyword.arg is None:
                continue
            key = _KEYWORD_ALIASES.get(keyword.arg, keyword.arg)
            args[key] = self._value(keyword.value, key)
        return args

    def _value(self, node: ast.expr, key: str) -> Any:
        if key == "column_obj":
            column = self._column(node)
            return column if column is not None else Code(self._segment(node))
        if key in ("type_", "existing_type"):
            return self._type(node)
        if key in ("server_default", "existing_server_default"):
            return self._default(node)
        text = self._string(node)
        if text is not None:
            return text
        if isinstance(node, ast.Call) and self._call_name(node) == "f" and node.args:
            return self._string(node.args[0]) or Code(self._segment(node))
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            return tuple(self._value(e, "") for e in node.elts)
        return Code(self._segment(node))

    def _type(self, node: ast.expr) -> SqlType | Code:
        text = self._segment(node)
        if isinstance(node, (ast.Call, ast.Attribute, ast.Name)):
            return normalize_type(text)
        return Code(text)

    def _default(self, node: ast.expr) -> Default | Code | None:
        if isinstance(node, ast.Constant):
            if node.value is None:
                return None
            return Default(str(node.value), literal=True)
        if isinstance(node, ast.Call):
            called = self._call_name(node)
            if called in ("text", "literal_column") and node.args:
                text = self._string(node.args[0])
                if text is not None:
                    return Default(text, literal=_is_literal_sql(text))
            segment = self._segment(node)
            if ".func." in segment or segment.startswith("func."):
                return Default(segment.split("func.", 1)[1], literal=False)
            if called == "literal" and node.args and isinstance(node.args[0], ast.Constant):
                return Default(str(node.args[0].value), literal=True)
        return Code(self._segment(node))

    def _column(self, node: ast.expr) -> _Column | None:
        if not (isinstance(node, ast.Call) and self._call_name(node) == "Column"):
            return None
        args = list(node.args)
        name = self._string(args[0]) if args else None
        if name is not None:
            args = args[1:]
        options: dict[str, Value] = {}
        if args and not (isinstance(args[0], ast.Call) and self._call_name(args[0]) in _CONSTRAINTS):
            options["type_"] = self._type(args[0])
        for keyword in node.keywords:
            if keyword.arg == "name":
                name = self._string(keyword.value)
            elif keyword.arg in ("type_",):
                options["type_"] = self._type(keyword.value)
            elif keyword.arg in ("server_default",):
                options["server_default"] = self._default(keyword.value)
            elif keyword.arg in ("nullable", "primary_key", "autoincrement", "unique", "index"):
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, (bool, str, int)):
                    options[keyword.arg] = value.value
                else:
                    options[keyword.arg] = Code(self._segment(value))
        if options.get("primary_key") is True and "nullable" not in options:
            options["nullable"] = False
        if any(isinstance(a, ast.Call) and self._call_name(a) == "ForeignKey" for a in args):
            options["foreign_key"] = True
        return _Column(name, options)

    def _string(self, node: ast.expr | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
            return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._string(node.left), self._string(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dedent":
            return self._string(node.args[0]) if node.args else None
        return None

    def _segment(self, node: ast.AST) -> str:
        """The node's source text (ast.get_source_segment splits the whole file on every call: too slow for
        10,000 revisions, so the lines are split once)."""
        lineno, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if lineno is None or end is None or col is None or end_col is None:
            return ast.unparse(node)
        if self.lines is None:
            self.lines = [line.encode() for line in self.source.splitlines(keepends=True)]
        lines = self.lines[lineno - 1 : end]
        if not lines:
            return ast.unparse(node)
        if len(lines) == 1:
            return lines[0][col:end_col].decode("utf-8", "replace")
        text = lines[0][col:] + b"".join(lines[1:-1]) + lines[-1][:end_col]
        return text.decode("utf-8", "replace")

    @staticmethod
    def _call_name(node: ast.Call) -> str | None:
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
        return None

    def _is_op(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.op_names

    def _is_get_bind(self, node: ast.Call) -> bool:
        return isinstance(node.func, ast.Attribute) and node.func.attr in ("get_bind", "connect")

    def _is_bind(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.binds or node.id in ("conn", "connection", "bind")
        return isinstance(node, ast.Call) and self._is_get_bind(node)


# sqlalchemy.schema's DDL elements that create or drop no table data: schemas, sequences, comments
_DDL_ELEMENTS = frozenset(
    {"CreateSchema", "DropSchema", "CreateSequence", "DropSequence", "SetTableComment", "SetColumnComment"}
)
_CONSTRAINTS = frozenset(
    {"ForeignKey", "CheckConstraint", "Computed", "Identity", "Sequence", "UniqueConstraint"}
)


@dataclass(frozen=True)
class _Column:
    name: str | None
    options: dict[str, Value]


def _shortened(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _is_literal_sql(text: str) -> bool:
    """Whether a default's SQL is a constant: a quoted string, a number, true/false/null."""
    stripped = text.strip()
    if stripped.lower() in ("true", "false", "null"):
        return True
    if (
        len(stripped) >= 2
        and stripped[0] == stripped[-1] == "'"
        and "'" not in stripped[1:-1].replace("''", "")
    ):
        return True
    try:
        float(stripped)
    except ValueError:
        return stripped.startswith("'") and stripped.endswith(
            "'::text"
        )  # PostgreSQL's rendering of a literal
    return True


def read_operations(data: bytes | str, path: str, dialect: str | None) -> RevisionOperations:
    """The operations of a revision file's `upgrade()` and `downgrade()`, in order; `path` is its shown path.

    A file that does not parse has neither function (the graph checks report it as MC107).
    """
    source = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        missing = Function(present=False, empty=True, line=1)
        return RevisionOperations(path, missing, missing)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    op_names = _op_names(tree)
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                constants[node.targets[0].id] = value.value
    return RevisionOperations(
        path,
        _function("upgrade", functions, source, dialect, op_names, constants),
        _function("downgrade", functions, source, dialect, op_names, constants),
    )


def _op_names(tree: ast.Module) -> set[str]:
    names = {"op"}
    for node in tree.body:  # `from alembic import op` is a module-level import in every template
        if isinstance(node, ast.ImportFrom) and node.module == "alembic":
            names.update(a.asname or a.name for a in node.names if a.name == "op")
    return names


def _function(
    name: str,
    functions: dict[str, ast.FunctionDef],
    source: str,
    dialect: str | None,
    op_names: set[str],
    constants: dict[str, str],
) -> Function:
    main = functions.get(name)
    # the multidb template: upgrade(engine_name) calls globals()[f"upgrade_{engine_name}"]()
    per_engine = [f for n, f in functions.items() if n.startswith(f"{name}_")] if main is not None else []
    if main is None:
        return Function(present=False, empty=True, line=1)
    reader = _Reader(source, dialect, op_names, dict(functions), dict(constants))
    reader.visiting.add(name)
    reader.block(main.body, _Scope())
    for extra in per_engine:
        if _dispatches(main):
            reader.visiting.add(extra.name)
            reader.block(extra.body, _Scope())
    # a dispatching upgrade() is only the template's glue: the per-engine functions hold the migration
    bodies = per_engine if per_engine and _dispatches(main) else [main]
    empty = all(_does_nothing(f.body) for f in bodies)
    raises = any(isinstance(s, ast.Raise) for f in bodies for s in f.body)
    return Function(True, empty, main.lineno, tuple(reader.operations), raises)


def _dispatches(func: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "globals" for n in ast.walk(func))


def _does_nothing(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring, or `...`
        return False
    return True

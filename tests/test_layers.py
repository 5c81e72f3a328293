"""The shape of the package (DESIGN.md, "Layout"): imports run one way, down the layers, with no circle, and no
module reaches into another's private names. Read statically from the source, as migcheck reads revisions."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "migcheck"

# Top to bottom. A module may import from its own layer or any layer below it, never from one above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("migcheck.__main__", "migcheck.cli", "migcheck.output", "migcheck.boundary", "migcheck.github"),
    ("migcheck.report", "migcheck.fix", "migcheck.graphview"),
    ("migcheck.engine", "migcheck.lintrun"),
    ("migcheck.checks",),
    ("migcheck.histories", "migcheck.lintscope", "migcheck.driftrun", "migcheck.livedb", "migcheck.cleanup"),
    (
        "migcheck.gitbase",
        "migcheck.roundtrip",
        "migcheck.migrate",
        "migcheck.driftauto",
        "migcheck.steps",
        "migcheck.mysqlprobe",
        "migcheck.locktrace",
        "migcheck.envoptions",
        "migcheck.autodiff",
        "migcheck.models",
        "migcheck.redirect",
        "migcheck.scratch",
        "migcheck.discover",
        "migcheck.alembic_config",
        "migcheck.readcache",
        "migcheck.lintcache",
        "migcheck.scripts",
        "migcheck.operations",
        "migcheck.sqlops",
        "migcheck.sqltree",
        "migcheck.sqlsplit",
        "migcheck.opsread",
        "migcheck.syntaxcache",
        "migcheck.headerscan",
        "migcheck.fanout",
        "migcheck.constants",
        "migcheck.graphshape",
        "migcheck.graph",
    ),
    (
        "migcheck.config",
        "migcheck.result",
        "migcheck.outcome",
        "migcheck.findings",
        "migcheck.progress",
        "migcheck.userio",
        "migcheck.errors",
        "migcheck.masking",
        "migcheck.paths",
    ),
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every import anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.append((submodule, None) if submodule in MODULES else (module, alias.name))
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
    return [(module, taken) for module, taken in found if module.split(".")[0] == "migcheck"]


def _layer(module: str) -> int:
    for index, layer in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in layer):
            return index
    raise AssertionError(f"{module} is in no layer of LAYERS: place it (and in DESIGN.md's layout)")


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        if module != "migcheck":
            _layer(module)


def test_imports_never_go_up_a_layer() -> None:
    upward = []
    for name, path in MODULES.items():
        if name == "migcheck":
            continue  # the public API: check() runs the engine, and every module may read __version__
        for module, _ in _imports(name, path):
            if module != "migcheck" and _layer(module) < _layer(name):
                upward.append(f"{name} imports {module}")
    assert upward == []


def test_the_import_graph_has_no_circle() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in MODULES.items():
        for module, _ in _imports(name, path):
            if module in MODULES and module != name and not name.startswith(module + "."):
                edges[name].add(module)  # a submodule importing its own package's __init__ is no circle
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(MODULES):
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_no_module_takes_another_modules_private_names() -> None:
    private = []
    for name, path in MODULES.items():
        for module, taken in _imports(name, path):
            if module != name and taken is not None and taken.startswith("_") and not taken.startswith("__"):
                private.append(f"{name}: from {module} import {taken}")
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
            if (isinstance(node, ast.Import) and alias.name.startswith("migcheck"))
            or (isinstance(node, ast.ImportFrom) and f"{node.module}.{alias.name}" in MODULES)
        }
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                private.append(f"{name}: {node.value.id}.{node.attr}")
    assert private == []

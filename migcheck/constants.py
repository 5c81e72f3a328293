"""Static evaluation of the values a revision file assigns: literals, and names bound to string constants.

`branch_labels = (cli.EXPAND_BRANCH,)` is resolved by parsing the module that `cli` names, found inside the
repository; nothing is imported. What cannot be resolved comes back as `Unresolved`, never as a guess.
"""

from __future__ import annotations

import ast
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

Value = str | None | tuple[str, ...]
# What a module file was when it was looked for: (size, mtime_ns, ctime_ns, inode, SHA-256 of the bytes parsed),
# or None when there was no regular file there to read. `readcache` keys a revision's value on these.
FileState = tuple[int, int, int, int, bytes] | None
_MAX_DEPTH = 4
_MAX_MODULE_BYTES = 1024 * 1024  # as scripts.MAX_REVISION_BYTES, for the modules a revision file imports


@dataclass(frozen=True)
class Unresolved:
    """A value migcheck cannot compute without running code; `reason` says why, in a few words."""

    reason: str


class ConstantResolver:
    """Evaluates assignment values; parses each imported module of the repository at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._modules: dict[Path, ast.Module | None] = {}
        # every module file looked for since the caller last reset it, found or not: the value of a name depends
        # on each of them (`readcache` records them with a revision's value)
        self.consulted: list[Path] = []
        # each file's state when it was first looked for, as parsed (the bytes the values came from)
        self.states: dict[Path, FileState] = {}
        # files that were missing when first looked for and found later in the same run: no state fits them all
        self.unstable: set[Path] = set()

    def evaluate(
        self, node: ast.expr, tree: ast.Module, path: str | Path, depth: int = 0
    ) -> Value | Unresolved:
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items: list[str] = []
            for element in node.elts:
                value = self.evaluate(element, tree, path, depth)
                if isinstance(value, Unresolved):
                    return value
                if isinstance(value, tuple):
                    items.extend(value)
                elif isinstance(value, str):
                    items.append(value)
                else:
                    return Unresolved("None inside a sequence")
            return tuple(items)
        if isinstance(node, (ast.Name, ast.Attribute)) and depth < _MAX_DEPTH:
            return self._name(node, tree, path, depth + 1)
        return Unresolved(f"`{_source(node)}` is computed at run time")

    def _name(
        self, node: ast.Name | ast.Attribute, tree: ast.Module, path: str | Path, depth: int
    ) -> Value | Unresolved:
        path = Path(path)
        chain = _dotted(node)
        if chain is None:
            return Unresolved(f"`{_source(node)}` is computed at run time")
        head, *attrs = chain
        if not attrs:
            local = _module_constant(tree, head)
            if local is not None:
                return self.evaluate(local, tree, path, depth)
        imported = _imports(tree).get(head)
        if imported is None:
            return Unresolved(f"`{'.'.join(chain)}` is not a constant of this file or of a module it imports")
        module_name, level, attr = imported
        # `from pkg import NAME` names either a constant of pkg or the submodule pkg.NAME.
        dotted = [*module_name.split("."), attr] if attr else module_name.split(".")
        dotted = [d for d in dotted if d] + attrs
        module_path = self._find_module(dotted[:-1], level, path) if len(dotted) > 1 else None
        module_tree = self._parse(module_path) if module_path is not None else None
        if module_path is not None and module_tree is not None and depth < _MAX_DEPTH:
            # the constant may itself be re-exported from another module
            return self._name(ast.Name(id=dotted[-1]), module_tree, module_path, depth + 1)
        return Unresolved(f"`{'.'.join(chain)}` could not be found as a string constant in the repository")

    def _find_module(self, parts: list[str], level: int, path: Path) -> Path | None:
        if level:
            bases = [path.parents[level - 1]] if level <= len(path.parents) else []
        else:
            bases = [p for p in [path.parent, *path.parents] if p == self.root or self.root in p.parents]
            bases.append(self.root / "src")
        for base in bases:
            candidate = base.joinpath(*parts)
            for file in (candidate.with_suffix(".py"), candidate / "__init__.py"):
                self.consulted.append(file)
                if file.is_file():
                    return file
                if self.states.setdefault(file, None) is not None:
                    self.unstable.add(file)  # parsed earlier in this run, gone now
        return None

    def _parse(self, path: Path) -> ast.Module | None:
        if path not in self._modules:
            self._modules[path] = None
            if path in self.states:
                self.unstable.add(path)
            self.states[path] = None
            try:
                with path.open("rb") as fh:
                    status = os.fstat(fh.fileno())
                    data = fh.read(_MAX_MODULE_BYTES + 1)
                if stat.S_ISREG(status.st_mode):
                    self.states[path] = (
                        status.st_size,
                        status.st_mtime_ns,
                        status.st_ctime_ns,
                        status.st_ino,
                        hashlib.sha256(data).digest(),
                    )
                # a module too large to parse cheaply is not read: its names stay unresolved
                self._modules[path] = ast.parse(data) if len(data) <= _MAX_MODULE_BYTES else None
            except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
                pass
        return self._modules[path]


def _dotted(node: ast.expr) -> list[str] | None:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return names[::-1]


def _module_constant(tree: ast.Module, name: str) -> ast.expr | None:
    found: ast.expr | None = None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            found = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            found = stmt.value if stmt.value is not None else found
    return found


def _imports(tree: ast.Module) -> dict[str, tuple[str, int, str | None]]:
    """Local name -> (module, relative level, imported attribute or None for `import a.b`)."""
    bound: dict[str, tuple[str, int, str | None]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    bound[alias.asname] = (alias.name, 0, None)
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = (top, 0, None)
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                bound[alias.asname or alias.name] = (stmt.module or "", stmt.level, alias.name)
    return bound


def _source(node: ast.expr) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - unparse of odd nodes must never break reading
        return "expression"
    return text if len(text) <= 60 else text[:57] + "..."

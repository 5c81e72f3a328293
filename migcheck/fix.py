"""`migcheck fix`: resolve two heads (MC101, or MC110 against --base) by re-pointing the first revision of the
change's own branch at the other head, with a minimal text edit; or, with --merge, by writing a merge revision
through Alembic's own API (the project's script.py.mako, like `alembic merge`). Dry run unless asked to write.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from migcheck.config import Settings
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.graph import RevisionGraph
from migcheck.histories import branch_start, split_histories, unintended_heads
from migcheck.scripts import Revision


@dataclass(frozen=True)
class Edit:
    """A whole-file change: `before` is None for a new file."""

    path: Path
    before: str | None
    after: str

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix() if self.path.is_relative_to(root) else str(self.path)
        old = (self.before or "").splitlines(keepends=True)
        lines = difflib.unified_diff(old, self.after.splitlines(keepends=True), f"a/{name}", f"b/{name}")
        return "".join(lines)


def plan(settings: Settings, *, merge: bool = False) -> list[Edit]:
    """The edits that resolve each history's two heads; MigcheckError when that cannot be done safely.

    Environments, their per-environment `expected_heads` and their histories are the ones `migcheck check`
    sees (`engine.load`); with --base, each history is taken as it will be once the change is merged.
    """
    from migcheck.engine import load

    project = load(settings)
    root = project.root
    edits: list[Edit] = []
    for loaded in project.environments:
        env = loaded.env
        mine = {r.id for r in loaded.revisions}
        protected: set[str] = set()
        merged: list[Revision] = list(loaded.revisions)
        if loaded.base is not None:
            protected = {r.id for r in loaded.base.revisions}
            merged = list({**{r.id: r for r in loaded.base.revisions}, **{r.id: r for r in merged}}.values())
        for history in split_histories(env, root, merged, (), loaded.expected_heads):
            graph = history.graph
            heads = unintended_heads(graph, graph.heads(), loaded.expected_heads)
            if len(heads) < 2:
                continue
            if len(heads) > 2 and not merge:
                raise MigcheckError(
                    f"{history.name}: {len(heads)} heads; re-pointing resolves two: use `migcheck fix --merge`"
                )
            if merge:
                missing = [h for h in heads if h not in mine]
                if missing:
                    raise MigcheckError(
                        f"{history.name}: {', '.join(missing)} exists only on {settings.base}; merge"
                        f" {settings.base} into this branch first (a merge revision must be able to see both"
                        f" heads), or re-point instead: `migcheck fix --base {settings.base}`"
                    )
                edits.append(_merge_revision(env, heads))
                continue
            edits.append(_repoint(graph, heads, protected, root, env))
    return edits


def _repoint(
    graph: RevisionGraph, heads: list[str], protected: set[str], root: Path, env: Environment
) -> Edit:
    candidates = []
    for mine, other in ((heads[0], heads[1]), (heads[1], heads[0])):
        branch = graph.ancestors(mine) - graph.ancestors(other)
        first = branch_start(graph, branch)
        if first is not None and not branch & protected:
            candidates.append((len(branch), first, other))
    if not candidates:
        raise MigcheckError(
            f"{env.name}: neither head is a plain run of new revisions that nothing else builds on (or one side"
            " exists on the base branch); write a merge revision instead: `migcheck fix --merge`"
        )
    _, first, other = min(candidates, key=lambda c: c[0])
    return _edit_down_revision(root / first.path, first, other)


def _edit_down_revision(path: Path, rev: Revision, target: str) -> Edit:
    """Replace the down_revision literal (and the docstring's `Revises:` value), keeping everything else."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    node = _down_revision_value(text, rev.down_revision_line)
    if node is None or node.end_lineno != node.lineno or not isinstance(node, ast.Constant):
        raise MigcheckError(
            f"{rev.path}:{rev.down_revision_line}: down_revision is not a one-line string literal; edit it by hand"
        )
    line = lines[node.lineno - 1]
    old_literal = line.encode()[node.col_offset : node.end_col_offset].decode()
    quote = old_literal[-1] if old_literal[-1] in "'\"" else '"'
    lines[node.lineno - 1] = (
        line.encode()[: node.col_offset].decode()
        + f"{quote}{target}{quote}"
        + line.encode()[node.end_col_offset :].decode()
    )
    after = "".join(lines)
    if rev.doc_revises_line is not None:
        doc_lines = after.splitlines(keepends=True)
        i = rev.doc_revises_line - 1
        doc_lines[i] = re.sub(
            r"(Revises:[ \t]*)[^\r\n]*", lambda m: m.group(1) + target, doc_lines[i], count=1
        )
        after = "".join(doc_lines)
    return Edit(path, text, after)


def _down_revision_value(text: str, line: int) -> ast.expr | None:
    for node in ast.parse(text).body:
        if node.lineno != line:
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            return node.value
    return None


def _merge_revision(env: Environment, heads: list[str]) -> Edit:
    """A merge revision made by Alembic from the project's script.py.mako, generated in a scratch copy of the
    script directory (Alembic imports the revision files to do it) and placed in the first version directory."""
    from alembic import command
    from alembic.config import Config

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(shutil.copytree(env.script_location, Path(tmp) / "scripts"))
        locations = [
            copy / loc.relative_to(env.script_location) if loc.is_relative_to(env.script_location) else loc
            for loc in env.version_locations
        ]
        config = Config()
        config.set_main_option("script_location", str(copy))
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
        config.set_main_option("recursive_version_locations", "true" if env.recursive else "false")
        with contextlib.redirect_stdout(io.StringIO()):  # Alembic prints "Generating <temp path> ... done"
            script = command.merge(config, revisions=heads, message="merge heads")
        if script is None:
            raise MigcheckError(f"{env.name}: Alembic wrote no merge revision")
        generated = Path(script.path)
        return Edit(env.version_locations[0] / generated.name, None, generated.read_text(encoding="utf-8"))


def apply(edits: list[Edit]) -> None:
    for edit in edits:
        edit.path.parent.mkdir(parents=True, exist_ok=True)
        edit.path.write_text(edit.after, encoding="utf-8")

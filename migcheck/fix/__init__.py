"""`migcheck fix`: resolve two heads (MC101, or MC110 against --base) by re-pointing the first revision of the
change's own branch at the other head, with an edit of exactly that value (and its docstring's `Revises:`);
or, with --merge, by writing a merge revision from the project's script.py.mako, as `alembic merge` does but
without importing a revision file. Dry run unless asked to write.

Every planned file is read back statically before anything is written: the same revision id, the intended
parent(s), and a history with one head; otherwise nothing is written (exit 2). Writes keep every byte outside
the edited span, happen atomically, and only onto the bytes the plan was made from.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from migcheck.config import ExpectedHeads, Settings
from migcheck.constants import ConstantResolver
from migcheck.discover import Environment
from migcheck.errors import MigcheckError
from migcheck.fix.files import ensure_unchanged, read_bytes, write_atomically
from migcheck.fix.merge import merge_file
from migcheck.fix.source import SourceFile
from migcheck.gitbase import BaseTree
from migcheck.graph import RevisionGraph
from migcheck.histories import History, display, merged_revisions, repoint, unintended_heads
from migcheck.paths import relative
from migcheck.scripts import Revision, read_source

# A docstring line Alembic's template writes: "Revises: <id>[, <id>...]" (scripts.py reads it the same way).
_REVISES = re.compile(r"[ \t]*Revises:[ \t]*(.*?)[ \t]*$")


@dataclass(frozen=True)
class Edit:
    """A whole-file change: `before` is None for a new file; `after` is None for a merge revision that a dry
    run did not render (its `notes` say why)."""

    path: Path
    before: bytes | None
    after: bytes | None
    encoding: str = "utf-8"  # decodes `before` and `after` (BOM included) for the diff
    notes: tuple[str, ...] = ()

    def diff(self, shown_from: Path) -> str:
        """A unified diff whose file names are relative to `shown_from`."""
        if self.after is None:
            return ""
        name = relative(self.path, shown_from)
        old = (self.before or b"").decode(self.encoding, "replace").splitlines(keepends=True)
        new = self.after.decode(self.encoding, "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, f"a/{name}", f"b/{name}")
        return "".join(
            line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
        )


def plan(settings: Settings, *, merge: bool = False, run_template: bool = False) -> list[Edit]:
    """The edits that resolve each history's two heads; MigcheckError when that cannot be done safely.

    Environments, their per-environment `expected_heads` and their histories are the ones `migcheck check`
    sees (`engine.load`); with --base, each history is taken as it will be once the change is merged.
    `run_template`: render a merge revision's template even when it runs code (only for --write).
    """
    from migcheck.engine import load

    project = load(settings)
    root = project.paths_from  # where the revisions' shown paths are relative to
    resolver = ConstantResolver(project.root)
    edits: list[Edit] = []
    for loaded in project.environments:
        env = loaded.env
        # each history as it will be once the change is merged; the base's part of it is not to be edited
        histories: list[tuple[History, set[str], BaseTree | None]] = [
            (
                replace(part, graph=RevisionGraph(merged_revisions(part, base))),
                set(part.graph.revisions),
                base,
            )
            for part, base in loaded.against_base
        ]
        histories = histories or [(part, set(part.graph.revisions), None) for part in loaded.histories]
        for history, mine, base in histories:
            protected = {r.id for r in base.revisions} if base is not None else set()
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
                    named = project.base.ref if project.base is not None else settings.base
                    raise MigcheckError(
                        f"{history.name}: {', '.join(missing)} exists only on {named}; merge"
                        f" {named} into this branch first (a merge revision must be able to see both"
                        f" heads), or re-point instead: `migcheck fix --base {named}`"
                    )
                directory = _merge_directory(
                    env, graph, heads, root, grouped=history.subdirectory is not None
                )
                edits.append(
                    _merge_revision(
                        env, graph, heads, directory, root, resolver, loaded.expected_heads, run_template
                    )
                )
                continue
            edits.append(_repoint(graph, heads, protected, root, env, loaded.expected_heads, resolver))
    targets = [os.path.realpath(edit.path) for edit in edits]
    if len(set(targets)) != len(targets):
        raise MigcheckError("two histories would edit the same file; resolve the heads one at a time by hand")
    return edits


def apply(edits: list[Edit], root: Path | None = None) -> None:
    """Write the planned edits: every file is checked first (unchanged since planned, writable), then each is
    replaced atomically. Raises MigcheckError naming the file when one cannot be written."""
    shown = [_shown(edit.path, root) for edit in edits]
    for edit, name in zip(edits, shown, strict=True):
        if edit.after is None:
            raise MigcheckError(f"{name}: not rendered (dry run); nothing written")
        ensure_unchanged(edit.path, edit.before, name)
    written: list[str] = []
    for edit, name in zip(edits, shown, strict=True):
        assert edit.after is not None
        try:
            write_atomically(edit.path, edit.after, name, new=edit.before is None)
        except MigcheckError as exc:
            done = f" (already written: {', '.join(written)})" if written else ""
            raise MigcheckError(f"{exc}{done}") from None
        written.append(name)


def _shown(path: Path, root: Path | None) -> str:
    return display(path, root) if root is not None else str(path)


# --- re-pointing ----------------------------------------------------------------------------------------


def _repoint(
    graph: RevisionGraph,
    heads: list[str],
    protected: set[str],
    root: Path,
    env: Environment,
    expected: ExpectedHeads = None,
    resolver: ConstantResolver | None = None,
) -> Edit:
    moved = repoint(graph, heads, protected)  # the edit `migcheck check` names in its hint
    if moved is None:
        raise MigcheckError(
            f"{env.name}: neither head is a plain run of new revisions that nothing else builds on (or one side"
            " exists on the base branch); write a merge revision instead: `migcheck fix --merge`"
        )
    first, other = moved.revision, moved.target
    resolver = resolver or ConstantResolver(root)
    path = root / first.path
    edit = _edit_down_revision(path, first, other, resolver)
    _verify_repoint(edit, first, other, graph, expected, resolver)
    return edit


def _edit_down_revision(path: Path, rev: Revision, target: str, resolver: ConstantResolver) -> Edit:
    """Replace the value of the final `down_revision` assignment (and the docstring's `Revises:` value)."""
    source = SourceFile.decode(read_bytes(path, rev.path), rev.path)
    tree = source.parse()
    now = read_source(source.data, str(path), rev.path, resolver)
    if not isinstance(now, Revision) or now.id != rev.id or now.down_revisions != rev.down_revisions:
        found = f"revision {now.id!r}" if isinstance(now, Revision) else "no readable revision"
        raise MigcheckError(
            f"{rev.path}: now declares {found}, not revision {rev.id!r} on {', '.join(rev.down_revisions)}"
            " as when migcheck read it; nothing written: run `migcheck fix` again"
        )
    literal = _parent_literal(tree, source, rev, target)
    start, end = source.span(literal)
    spans = [(start, end, _quoted(target, source.text[start:end]))]
    revises = _revises_value(tree, source)
    if revises is not None:
        spans.append((*revises, target))
    return Edit(path, source.data, source.replaced(spans), source.encoding)


def _parent_literal(tree: ast.Module, source: SourceFile, rev: Revision, target: str) -> ast.Constant:
    """The string literal naming the parent in the module's final `down_revision` assignment."""
    final: ast.Assign | ast.AnnAssign | None = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "down_revision" for t in node.targets
        ):
            final = node
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name) and node.target.id == "down_revision":
                final = node
    where = f"{rev.path}:{final.lineno if final else rev.down_revision_line}"
    by_hand = f"set it to {target!r} by hand (and `Revises:` in the docstring)"
    if final is None or final.value is None:
        raise MigcheckError(f"{where}: no module-level `down_revision = ...` migcheck can edit; {by_hand}")
    if isinstance(final, ast.Assign) and len(final.targets) > 1:
        raise MigcheckError(f"{where}: down_revision shares its value with other names; {by_hand}")
    value = final.value
    if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == 1:
        value = value.elts[0]
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        shown = ast.unparse(final.value)
        raise MigcheckError(
            f"{where}: down_revision is `{shown}`, not a string literal migcheck can rewrite; {by_hand}"
        )
    return value


def _quoted(target: str, old_literal: str) -> str:
    """`target` as a literal in the old literal's quote style, when that needs no escaping."""
    quote = old_literal.lstrip("rRuUbBfF")[:1]
    if quote in ("'", '"') and target.isprintable() and quote not in target and "\\" not in target:
        return f"{quote}{target}{quote}"
    return repr(target)


def _revises_value(tree: ast.Module, source: SourceFile) -> tuple[int, int] | None:
    """Where the docstring's first `Revises:` value is in the text (excluding the closing quotes)."""
    if not tree.body or not isinstance(tree.body[0], ast.Expr):
        return None
    doc = tree.body[0].value
    if not (isinstance(doc, ast.Constant) and isinstance(doc.value, str)) or doc.end_lineno is None:
        return None
    doc_start, doc_end = source.span(doc)
    literal = source.text[doc_start:doc_end]
    prefix = len(literal) - len(literal.lstrip("rRuUbBfF"))
    quote = (
        literal[prefix : prefix + 3] if literal[prefix : prefix + 3] in ('"""', "'''") else literal[prefix]
    )
    inside = (doc_start + prefix + len(quote), doc_end - len(quote))
    for lineno in range(doc.lineno, doc.end_lineno + 1):
        start, end = source.line(lineno)
        start, end = max(start, inside[0]), min(end, inside[1])
        match = _REVISES.match(source.text, start, end)
        if match and match.end() == end:
            return match.start(1), match.end(1)
    return None


def _verify_repoint(
    edit: Edit,
    before: Revision,
    target: str,
    graph: RevisionGraph,
    expected: ExpectedHeads,
    resolver: ConstantResolver,
) -> None:
    """The planned file, read back statically, declares what was meant, and the history then has one head."""
    assert edit.after is not None
    shown = before.path
    after = read_source(edit.after, str(edit.path), shown, resolver)
    if not isinstance(after, Revision):
        raise MigcheckError(
            f"{shown}: after the edit migcheck cannot read the file ({after.reason}); nothing written"
        )
    problems = []
    if after.id != before.id:
        problems.append(f"its revision id would be {after.id!r}, not {before.id!r}")
    if after.down_revisions != (target,):
        problems.append(f"down_revision would read {after.down_revisions!r}, not {target!r}")
    if (after.branch_labels, after.depends_on) != (before.branch_labels, before.depends_on):
        problems.append("its branch_labels or depends_on would change")
    if before.doc_revises is not None and after.doc_revises != (target,):
        problems.append(f"its docstring would say `Revises: {', '.join(after.doc_revises or ())}`")
    if not problems:
        replaced = RevisionGraph(after if r is before else r for r in graph.all)
        heads = replaced.heads()
        if len(unintended_heads(replaced, heads, expected)) > 1 or len(heads) != len(graph.heads()) - 1:
            problems.append(f"the history would have {len(heads)} head(s) ({', '.join(heads)}), not one")
    if problems:
        raise MigcheckError(
            f"{shown}: re-pointing {before.id!r} at {target!r} does not give the intended graph: "
            f"{'; '.join(problems)}; nothing written: edit it by hand"
        )


# --- merge revision ---------------------------------------------------------------------------------------


def _merge_directory(
    env: Environment, graph: RevisionGraph, heads: list[str], root: Path, *, grouped: bool
) -> Path:
    """Where `ScriptDirectory.generate_revision` puts a new revision: the one version location, else the
    directory of the first head's file, which must be a version location (a history of its own subdirectory:
    that subdirectory)."""
    first_dir = Path(os.path.normpath(root / graph.revisions[heads[0]].path)).parent
    if grouped:
        return first_dir
    locations = [Path(os.path.normpath(loc)) for loc in env.version_locations]
    if len(locations) == 1:
        return locations[0]
    if first_dir not in locations:
        raise MigcheckError(
            f"{env.name}: several version locations, and {display(first_dir, root)} (where {heads[0]} is) is"
            " not one of them, so Alembic would refuse to place the merge revision too: run `alembic merge"
            " --version-path DIR` yourself"
        )
    return first_dir


def _merge_revision(
    env: Environment,
    graph: RevisionGraph,
    heads: list[str],
    directory: Path,
    root: Path,
    resolver: ConstantResolver,
    expected: ExpectedHeads,
    run_template: bool,
) -> Edit:
    """A merge revision from the project's script.py.mako; no revision file, env.py or hook is run."""
    planned = merge_file(env, heads, directory, set(graph.revisions), root, run_template=run_template)
    shown = display(planned.path, root)
    if planned.content is None:
        return Edit(planned.path, None, None, planned.encoding, planned.notes)
    new = read_source(planned.content, str(planned.path), shown, resolver)
    problem = None
    if not isinstance(new, Revision):
        problem = f"migcheck cannot read it back ({new.reason})"
    elif new.id != planned.rev_id or sorted(new.down_revisions) != sorted(heads):
        problem = (
            f"it reads back as revision {new.id!r} on {', '.join(new.down_revisions) or 'nothing'},"
            f" not {planned.rev_id!r} on {', '.join(heads)}"
        )
    else:
        merged = RevisionGraph([*graph.all, new])
        left = merged.heads()
        if (
            len(unintended_heads(merged, left, expected)) > 1
            or planned.rev_id not in left
            or set(heads) & set(left)
        ):
            problem = f"the history would have heads {', '.join(left)}"
    if problem is not None:
        raise MigcheckError(
            f"{shown}: the merge revision rendered from {env.name}/script.py.mako is not the intended one: {problem};"
            " nothing written: run `alembic merge` yourself"
        )
    return Edit(planned.path, None, planned.content, planned.encoding, planned.notes)

"""How findings name things: one wording for revision ids, file:line references and fixes the rules share."""

from __future__ import annotations

from migcheck.scripts import Revision

# How to give a revision a new id, for every rule whose fix is one (MC103, MC112).
FRESH_ID = (
    '(e.g. `python -c "import uuid; print(uuid.uuid4().hex[-12:])"`) and update the down_revision of the'
    " revisions that follow it"
)
SHOWN = 8  # revision ids named in a message before the list is shortened


def at(rev: Revision, line: int | None = None) -> str:
    """`path:line` of a revision file: its `revision =` line unless another line is given."""
    return f"{rev.path}:{line or rev.revision_line}"


def repointed(rev: Revision, target: str) -> str | None:
    """The `down_revision = '<id>'` line of `rev` as it reads pointed at `target`, when it is one line."""
    if rev.down_revision_around is None:
        return None
    before, after = rev.down_revision_around
    return f"{before}{target}{after}"


def quoted(rid: str) -> str:
    return f"'{rid}'"


def listed(rids: list[str]) -> str:
    """Quoted ids, comma-separated; a long list keeps its first and last few and counts the rest."""
    if len(rids) <= SHOWN:
        return ", ".join(map(quoted, rids))
    rest = len(rids) - SHOWN + 2
    return ", ".join([*map(quoted, rids[: SHOWN - 2]), f"... {rest} more ...", *map(quoted, rids[-2:])])

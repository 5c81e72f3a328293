"""What running the migrations found, as data: the drift check's outcome and the round trip's verdict.

Produced by the runners (`migrate.py`, `roundtrip.py`, `driftrun.py`), read by the MC2xx rules; no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Difference:
    """One operation `alembic revision --autogenerate` would still write."""

    kind: str
    table: str | None
    column: str | None
    message: str
    code: str


@dataclass(frozen=True)
class Failure:
    """A migration step that failed on the scratch database (or broke its round trip)."""

    revision: str | None
    error: str
    downgrade: bool = False
    # set when the failure is in a revision file itself (it does not import), not in a migration step
    file: str | None = None
    line: int | None = None
    # the SQL statement the database refused, when a database error failed the step
    statement: str | None = None
    # the top-level package a revision file imports that is not installed (models.missing_package)
    missing_package: str | None = None


# PostgreSQL's table lock modes, weakest first: the order of its lock conflict table
LOCK_MODES = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)
# what the application's own statements cannot do while a mode is held: ACCESS EXCLUSIVE conflicts with
# SELECT's ACCESS SHARE; SHARE and above conflict with the ROW EXCLUSIVE of INSERT/UPDATE/DELETE
_BLOCKS = {
    "ACCESS EXCLUSIVE": "reads and writes",
    "EXCLUSIVE": "writes",
    "SHARE ROW EXCLUSIVE": "writes",
    "SHARE": "writes",
}

# What a revision did to a relation, as PostgreSQL's catalogs show it after the revision (LockTrace.changes)
NEW_COLUMN = "new column"
TYPE_CHANGE = "type change"
SET_NOT_NULL = "set not null"
NEW_INDEX = "new index"  # on this table
DROPPED_INDEX = "dropped index"
NEW_CONSTRAINT = "new constraint"  # a foreign key or check, validated while the lock was held
NOT_VALID_CONSTRAINT = "new constraint not valid"
DROPPED = "dropped"  # the relation itself


def strongest(modes: tuple[str, ...]) -> str:
    """The strongest of PostgreSQL lock modes (`LOCK_MODES` order); "" for none."""
    return max(modes, key=LOCK_MODES.index, default="")


def blocks(mode: str) -> str:
    """What a lock mode keeps the application from doing: "reads and writes", "writes" or "" (neither)."""
    return _BLOCKS.get(mode, "")


@dataclass(frozen=True)
class LockTrace:
    """What one revision's upgrade did to one relation that existed before it, measured on PostgreSQL inside
    the revision's transaction: the lock modes it took there, and whether it rewrote it (a new relfilenode)."""

    revision: str
    relation: str
    kind: str  # "table", "index" or "materialized view"
    table: str  # the table itself, or for an index the table it indexes
    modes: tuple[str, ...]  # weakest first, PostgreSQL's names ("ACCESS EXCLUSIVE")
    rewritten: bool = False
    # (what, name): e.g. ("new index", "ix_orders_amount"), ("set not null", "amount"); see NEW_COLUMN etc.
    changes: tuple[tuple[str, str], ...] = ()

    @property
    def strongest(self) -> str:
        return strongest(self.modes)

    @property
    def blocks(self) -> str:
        return blocks(self.strongest)


@dataclass(frozen=True)
class CopyOnly:
    """One ALTER a new revision sends on MySQL/MariaDB, probed on a copy of its table (`mysqlprobe`): the best
    algorithm the server accepted for it, and why it refused the better ones (MC351 reads the COPY-only ones)."""

    revision: str
    table: str
    statement: str
    # INSTANT, "INPLACE, LOCK=NONE", INPLACE (writes wait), COPY, or "could not probe: <the server's reason>"
    best: str
    refused: str = ""
    server: str = ""  # e.g. "MariaDB 10.11.19": the answer is that server's
    environment: str | None = None

    @property
    def copy_only(self) -> bool:
        """The server can only copy the table: writes to it wait until the copy is done."""
        return self.best == "COPY"

    @property
    def locks(self) -> bool:
        """The server alters the table in place, but not without a lock that holds writes back."""
        return self.best == "INPLACE"


@dataclass(frozen=True)
class DriftOutcome:
    """The drift run of one environment: the differences left, or the step that failed."""

    dialect: str
    differences: tuple[Difference, ...] = ()
    failure: Failure | None = None
    skipped: str | None = None
    # the dialect the project itself is configured for (its sqlalchemy.url, or a URL env.py asked for), when
    # migcheck could tell: what a failure on a scratch database of another dialect is measured against
    target: str | None = None
    sources: dict[tuple[str, str | None], tuple[str, int]] = field(default_factory=dict)
    # MySQL/MariaDB: the ALTERs of the traced revisions, probed for the algorithm the server accepts (MC351)
    copy_only: tuple[CopyOnly, ...] = ()
    # on PostgreSQL, for each revision measured (`traced`, in the order they ran): its locks and rewrites
    traces: tuple[LockTrace, ...] = ()
    traced: tuple[str, ...] = ()


@dataclass(frozen=True)
class Irreversible(Failure):
    """A downgrade() that raises NotImplementedError itself: the revision is deliberately one-way."""


@dataclass(frozen=True)
class RoundTrip:
    """The stairway's verdict: the revision that broke it (it stops there), and the one-way revisions."""

    broken: Failure | None = None
    # downgrades that raise NotImplementedError: not stepped back, the stairway went on above them
    irreversible: tuple[Failure, ...] = ()

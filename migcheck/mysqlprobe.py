"""Online DDL measured on MySQL/MariaDB (MC351): which algorithm the server itself accepts for each ALTER a new
revision sends.

While a drift run applies a revision new in the change, every `ALTER TABLE` it sends (and `CREATE INDEX` /
`DROP INDEX`, which the server runs as one) on a table that existed before the change is first tried on a copy:
`CREATE TABLE _migcheck_probe_<n> LIKE <table>` in the scratch database, then the same statement on the copy
with `ALGORITHM=INSTANT`, then `ALGORITHM=INPLACE, LOCK=NONE`, then `ALGORITHM=INPLACE`, then `ALGORITHM=COPY`.
The first the server accepts is the best it can do (`CopyOnly.best`); the refusals keep the server's own reason
("ALGORITHM=INPLACE is not supported. Reason: Cannot change column type. Try ALGORITHM=COPY"). The copy is
dropped, and the migration's statement then runs exactly as written. What MariaDB and MySQL versions differ in
(MariaDB 10.3's instant ADD COLUMN, 10.4's instant DROP COLUMN) comes from the server: that is the point.

An empty copy answers for the real table: the server picks the algorithm from the table's definition and the
change, never from its rows; rows only decide how long a COPY (or an INPLACE rebuild) takes. What `LIKE` does not
copy is the table's foreign keys: a statement that needs them (DROP FOREIGN KEY) cannot be probed, and that is
recorded as "could not probe: <the server's reason>", like any other probe that fails for a reason other than
the algorithm; and no other table's foreign key references the copy, so for a column inside a foreign key the
copy's answer may be better than the real table's. A statement that already names ALGORITHM= or LOCK= (or
MariaDB's ONLINE) is probed without them.

The probes go through the migration's own DBAPI connection (the same session: sql_mode, foreign_key_checks,
current database), below SQLAlchemy, so they never reach the step's error tracking. On MySQL a DDL statement
commits the open transaction before it runs, so the copy's CREATE TABLE commits only what the ALTER was about to.
Only the scratch database is ever written: the copy is named in it explicitly.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from migcheck.outcome import CopyOnly

if TYPE_CHECKING:
    from migcheck.steps import StepTracker

PROBE_PREFIX = "_migcheck_probe_"
INSTANT, INPLACE_NONE, INPLACE, COPY = "INSTANT", "INPLACE, LOCK=NONE", "INPLACE", "COPY"
# tried in this order; the first the server accepts is the best it can do
_ATTEMPTS: tuple[tuple[str, str], ...] = (
    (INSTANT, "ALGORITHM=INSTANT"),
    (INPLACE_NONE, "ALGORITHM=INPLACE, LOCK=NONE"),
    (INPLACE, "ALGORITHM=INPLACE"),
    (COPY, "ALGORITHM=COPY"),
)
# ER_UNKNOWN_ALTER_ALGORITHM (an older server without INSTANT), ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)
_REFUSALS = {1800, 1845, 1846}

_NAME = r"(?:`(?:[^`]|``)+`|[\w$]+)"
_TABLE = rf"(?P<table>{_NAME}(?:\s*\.\s*{_NAME})?)"
_ALTER = re.compile(
    rf"^\s*ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?{_TABLE}(?P<rest>.*)$", re.I | re.S
)
_CREATE_INDEX = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ONLINE\s+|OFFLINE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s+(?:USING\s+\w+\s+)?ON\s+{_TABLE}(?P<rest>.*)$",
    re.I | re.S,
)
_DROP_INDEX = re.compile(
    rf"^\s*DROP\s+(?:ONLINE\s+|OFFLINE\s+)?INDEX\s+(?:IF\s+EXISTS\s+)?{_NAME}\s+ON\s+{_TABLE}(?P<rest>.*)$",
    re.I | re.S,
)
_CREATE_TABLE = re.compile(
    rf"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_TABLE}", re.I
)
_OPTION = re.compile(
    r"(?:,\s*)?\b(?:ALGORITHM\s*=?\s*(?:DEFAULT|INSTANT|INPLACE|NOCOPY|COPY)"
    r"|LOCK\s*=?\s*(?:DEFAULT|NONE|SHARED|EXCLUSIVE))\b",
    re.I,
)
# renaming the copy to the new name would take that name before the migration's own statement runs
_RENAMES_TABLE = re.compile(r"(?:^|,)\s*RENAME\s+(?!(?:COLUMN|INDEX|KEY)\b)", re.I)


def _unquoted(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


def _split(table: str) -> tuple[str | None, str]:
    """(database or None, table) of a possibly qualified, possibly quoted name."""
    parts = re.findall(_NAME, table)
    return (_unquoted(parts[0]), _unquoted(parts[1])) if len(parts) == 2 else (None, _unquoted(parts[0]))


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def parse(statement: str) -> tuple[str, str, str, str] | None:
    """(kind "alter" or "index", the table as written, the statement before it, the statement after it less any
    ALGORITHM=/LOCK= options), for a statement the server runs as an ALTER TABLE; None for any other."""
    for kind, pattern in (("alter", _ALTER), ("index", _CREATE_INDEX), ("index", _DROP_INDEX)):
        match = pattern.match(statement)
        if match is not None:
            rest = _OPTION.sub("", match.group("rest"))
            if kind == "alter":
                rest = re.sub(r"^\s*,", " ", rest)
            # MariaDB's ALTER ONLINE / CREATE ONLINE INDEX is LOCK=NONE in other words: left out like it
            head = re.sub(r"\b(?:ONLINE|OFFLINE)\s+", "", statement[: match.start("table")], flags=re.I)
            return kind, match.group("table"), head, rest
    return None


def probe_statement(kind: str, head: str, copy: str, rest: str, options: str) -> str:
    """The statement on the copy with the algorithm options appended (comma separated in an ALTER TABLE)."""
    rest = rest.rstrip().rstrip(";").rstrip()
    if kind == "index":
        return f"{head}{copy}{rest} {options.replace(',', '')}"
    return f"{head}{copy}{rest}, {options}" if rest.strip() else f"{head}{copy} {options}"


def server_name(version: str) -> str:
    """`MariaDB 10.11.19` for `10.11.19-MariaDB-0+deb12u1`, `MySQL 8.0.36` for `8.0.36`."""
    number = version.split("-")[0]
    return f"MariaDB {number}" if "mariadb" in version.lower() else f"MySQL {number}"


class AlgorithmProbe:
    """Listens to the statements of the traced revisions' upgrade steps and probes each ALTER (see the module)."""

    def __init__(self, tracker: StepTracker, trace: frozenset[str], database: str) -> None:
        self.tracker, self.trace, self.database = tracker, trace, database
        self.results: list[CopyOnly] = []
        self.server = ""
        self._step: Any = None
        self._existing: set[tuple[str, str]] = set()
        self._created: set[tuple[str, str]] = set()  # by the traced revisions: new in the change
        self._count = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[AlgorithmProbe]:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        # every engine here is a scratch database's: the redirector refuses the others
        event.listen(Engine, "before_cursor_execute", self._before)
        try:
            yield self
        finally:
            event.remove(Engine, "before_cursor_execute", self._before)

    def _revision(self) -> str | None:
        step = self.tracker.step
        script = getattr(step, "revision", None)
        rid = getattr(script, "revision", None)
        if rid in self.trace and getattr(step, "is_upgrade", True):
            return str(rid)
        return None

    def _before(
        self, conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if conn.dialect.name not in ("mysql", "mariadb") or not isinstance(statement, str) or executemany:
            return
        revision = self._revision()
        if revision is None:
            return
        try:
            self._look(conn.connection.dbapi_connection, revision, statement, parameters)
        except Exception:  # noqa: BLE001, S110 - a measurement must never change what the migration does
            pass

    def _look(self, raw: Any, revision: str, statement: str, parameters: Any) -> None:
        """Note a table the revision creates, or probe an ALTER of one that existed before the change."""
        if self.tracker.step is not self._step:
            # the revision's first statement: what it finds is what existed before it
            self._step = self.tracker.step
            self._existing = self._tables(raw)
        created = _CREATE_TABLE.match(statement)
        parsed = parse(statement) if created is None else None
        if created is None and parsed is None:
            return
        current = self._current_database(raw)
        if created is not None:
            schema, name = _split(created.group("table"))
            self._created.add((schema or current, name))
            return
        assert parsed is not None
        kind, table, head, rest = parsed
        schema, name = _split(table)
        key = (schema or current, name)
        if key not in self._existing or key in self._created:
            return  # a table the change creates: nobody uses it yet
        self.results.append(
            self._probe(raw, revision, (name, table), statement, (kind, head, rest), parameters)
        )

    def _probe(
        self,
        raw: Any,
        revision: str,
        table: tuple[str, str],
        statement: str,
        parsed: tuple[str, str, str],
        parameters: Any,
    ) -> CopyOnly:
        """Try the statement on a copy of `table` (its name, and as the statement writes it)."""
        (name, written), (kind, head, rest) = table, parsed
        if not self.server:
            self.server = server_name(str(_scalar(raw, "SELECT VERSION()")))
        shown = " ".join(statement.split())
        self._count += 1
        probe = PROBE_PREFIX + str(self._count)
        copy = f"{_quoted(self.database)}.{_quoted(probe)}"

        def result(best: str, refused: str = "") -> CopyOnly:
            # the server's words name the copy: they are about the table
            best, refused = (t.replace(copy, _quoted(name)).replace(probe, name) for t in (best, refused))
            return CopyOnly(revision, name, shown, best, refused, server=self.server)

        if kind == "alter" and _RENAMES_TABLE.search(rest):
            return result("could not probe: the statement renames the table")
        refusals: list[str] = []
        try:
            _execute(raw, f"CREATE TABLE {copy} LIKE {written}", None)
            for best, options in _ATTEMPTS:
                error = _attempt(raw, probe_statement(kind, head, copy, rest, options), parameters)
                if error is None:
                    return result(best, "; ".join(refusals))
                code, message = error
                if code not in _REFUSALS:
                    return result(f"could not probe: {message}")
                if message not in refusals:
                    refusals.append(message)
            return result(
                f"could not probe: {refusals[-1] if refusals else 'the server refused every algorithm'}"
            )
        except Exception as exc:  # noqa: BLE001 - the copy could not be made: say why, find nothing
            return result(f"could not probe: {_message(exc)[1]}")
        finally:
            with contextlib.suppress(Exception):
                _execute(raw, f"DROP TABLE IF EXISTS {copy}", None)

    def _current_database(self, raw: Any) -> str:
        return str(_scalar(raw, "SELECT DATABASE()") or self.database)

    def _tables(self, raw: Any) -> set[tuple[str, str]]:
        cursor = raw.cursor()
        try:
            cursor.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
            )
            return {(str(s), str(t)) for s, t in cursor.fetchall()}
        finally:
            cursor.close()


def _message(exc: BaseException) -> tuple[int | None, str]:
    """The server's error code and text (PyMySQL, mysqlclient and the async drivers' adapters: args = (code, text))."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], str(args[1]).strip()
    return None, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _attempt(raw: Any, sql: str, parameters: Any) -> tuple[int | None, str] | None:
    try:
        _execute(raw, sql, parameters)
    except Exception as exc:  # noqa: BLE001 - the server's refusal is the measurement
        return _message(exc)
    return None


def _execute(raw: Any, sql: str, parameters: Any) -> None:
    cursor = raw.cursor()
    try:
        # the migration's own parameters: with a pyformat driver, `%%` in its SQL means what it meant there
        cursor.execute(sql, parameters) if parameters is not None else cursor.execute(sql)
    finally:
        cursor.close()


def _scalar(raw: Any, sql: str) -> Any:
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        row = cursor.fetchone()
        return row[0] if row else None
    finally:
        cursor.close()

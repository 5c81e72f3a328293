"""Cross-check migcheck's MC3xx lint with squawk, a linter of PostgreSQL migration SQL (issue 13).

    python benchmarks/squawk_crosscheck.py <project dir> [--since REV] [--url postgresql://...] [-x k=v] [--json]

For an Alembic project whose migrations target PostgreSQL, every revision (after --since) is rendered to SQL
with Alembic's offline mode, one revision at a time (`alembic upgrade <down>:<rev> --sql`), and that SQL goes
to squawk. migcheck checks the same project (`migcheck.check(root, drift=False)`); its MC3xx findings are
grouped by revision. Each squawk rule is translated to the MC code that judges the same hazard (MAPPING), and
the table says, per revision, where the two agree and where only one of them speaks.

Offline mode needs the dialect only, never a server: `--url` overrides alembic.ini's sqlalchemy.url for the
rendering (the env.py must read it from the config, as `alembic init` writes it), `-x` is passed on as
Alembic's `-x`. The revisions are listed with Alembic's ScriptDirectory, which imports them: this is a
test and benchmark tool, not migcheck, which never executes a revision file.

What the rendering looks like, and what follows for squawk:
- The SQL carries its own `BEGIN;` ... `COMMIT;`, so squawk runs with `--no-assume-in-transaction`: told to
  assume a transaction, it would report every one of those as `transaction-nesting`.
- `op.get_context().autocommit_block()` renders as `COMMIT;` <statements> `BEGIN;`, so squawk sees a
  `CREATE INDEX CONCURRENTLY` there outside the transaction, as PostgreSQL will run it.
- Alembic's bookkeeping (CREATE TABLE alembic_version in a base revision, the INSERT/UPDATE/DELETE of the
  version row) is not the revision's doing: squawk's findings on those statements are dropped.
- A merge revision is rendered from its first down revision, which brings along the other branch's
  revisions: their sections are blanked out (line numbers kept) so that squawk judges the merge alone.
- squawk sees one revision per file: an index on a table that the previous revision created is flagged
  (`require-concurrent-index-creation`), while migcheck knows the table is new in the change.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The squawk release this cross-check was written against (also the lower bound in the test extras).
SQUAWK_TESTED = "2.70.0"

# squawk rule -> the MC code that judges the same hazard; several squawk rules may share one code.
MAPPING: dict[str, str] = {
    "ban-drop-table": "MC301",
    "ban-drop-column": "MC302",
    "renaming-column": "MC303",
    "renaming-table": "MC303",
    "adding-required-field": "MC304",
    "changing-column-type": "MC310",
    "adding-not-nullable-field": "MC311",
    "require-concurrent-index-creation": "MC312",
    # migcheck's MC312 is "index-without-concurrently": a DROP INDEX without it locks the table too
    "require-concurrent-index-deletion": "MC312",
    "ban-concurrent-index-creation-in-transaction": "MC313",
    "adding-foreign-key-constraint": "MC314",
    # on FOREIGN KEY and CHECK only: see code_for()
    "constraint-missing-not-valid": "MC314",
    "disallowed-unique-constraint": "MC315",
    # squawk reports a volatile default only (gen_random_uuid(), random()); now() is stable, like MC316
    "adding-field-with-default": "MC316",
    "require-lock-timeout": "MC317",
    # squawk's older combined rule (lock_timeout and statement_timeout); opt-in in SQUAWK_TESTED
    "require-timeout-settings": "MC317",
}

# squawk rules with no MC code, on purpose: why migcheck does not report them.
SQUAWK_ONLY: dict[str, str] = {
    "prefer-robust-stmts": "asks for IF [NOT] EXISTS so a half-applied file can be re-run; Alembic runs a "
    "revision once, in a transaction, and records it in alembic_version",
    "prefer-bigint-over-int": "a schema-design preference (32-bit ids run out), not a deploy hazard",
    "prefer-bigint-over-smallint": "a schema-design preference, not a deploy hazard",
    "prefer-identity": "serial vs identity columns is a schema-design preference, not a deploy hazard",
    "prefer-text-field": "varchar(n) may need a rewrite when widened later; migcheck judges the change "
    "that widens it (MC310), not the type choice",
    "prefer-timestamp-tz": "a schema-design preference, not a deploy hazard",
    "ban-char-field": "a schema-design preference, not a deploy hazard",
    "require-statement-timeout": "migcheck asks for lock_timeout only (MC317): a statement_timeout is a "
    "project policy that would also abort legitimate long backfills and concurrent index builds",
    "ban-drop-not-null": "relaxing NOT NULL takes a brief lock and loses no data; old code may read NULLs, "
    "an application-compatibility question outside the MC3xx codes",
    "adding-serial-primary-key-field": "no MC code covers adding a primary key to an existing table (a gap "
    "to weigh; it builds a unique index under an ACCESS EXCLUSIVE lock)",
    "transaction-nesting": "only reported with --assume-in-transaction, which this cross-check does not use",
    "ban-drop-database": "not something an Alembic revision does",
}

# MC codes squawk cannot see in upgrade SQL: never counted as disagreements.
MIGCHECK_ONLY: dict[str, str] = {
    "MC305": "squawk has no rule for UPDATE/DELETE without WHERE",
    "MC306": "about downgrade(): squawk sees the upgrade SQL only",
    "MC307": "about downgrade(): squawk sees the upgrade SQL only",
    "MC308": "migcheck's own notice about SQL it could not analyse",
    "MC318": "MySQL/MariaDB",
    "MC319": "MySQL/MariaDB",
    "MC350": "measured on a drift run, not a static lint",
    "MC351": "measured on MySQL/MariaDB",
}

# The fixed MC3xx codes and names (migcheck/findings.py registers them with these).
MC_NAMES: dict[str, str] = {
    "MC301": "drop-table",
    "MC302": "drop-column",
    "MC303": "rename-table-or-column",
    "MC304": "add-not-null-column-without-default",
    "MC305": "data-change-without-where",
    "MC306": "missing-downgrade",
    "MC307": "downgrade-not-mirrored",
    "MC308": "unanalysed-sql",
    "MC310": "column-type-change",
    "MC311": "set-not-null",
    "MC312": "index-without-concurrently",
    "MC313": "concurrent-index-in-transaction",
    "MC314": "constraint-without-not-valid",
    "MC315": "unique-constraint-on-existing-table",
    "MC316": "volatile-server-default",
    "MC317": "missing-lock-timeout",
    "MC318": "mysql-table-copy",
    "MC319": "mysql-blocking-algorithm",
    "MC350": "measured-lock",
    "MC351": "mysql-copy-only",
}

_MARKER = re.compile(r"^-- Running upgrade .* -> (\S+)\s*$")
_TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT)\s*;\s*$", re.IGNORECASE)
_UNIQUE_OR_PK = re.compile(r"\b(UNIQUE|PRIMARY\s+KEY)\b", re.IGNORECASE)


class CrosscheckError(Exception):
    """The cross-check cannot run (no squawk, not a PostgreSQL project, unknown --since)."""


@dataclass(frozen=True)
class SquawkViolation:
    rule: str
    line: int  # 1-based, in the rendered SQL
    statement: str  # the statement it points at, on one line
    message: str

    @property
    def code(self) -> str | None:
        return code_for(self.rule, self.statement)


@dataclass(frozen=True)
class MigcheckFinding:
    code: str
    line: int  # in the revision file
    message: str


@dataclass
class RevisionReport:
    """One revision: its rendered SQL, squawk's violations on it, migcheck's MC3xx findings on its file."""

    revision: str
    file: str  # relative to the project root
    sql: str = ""
    squawk: list[SquawkViolation] = field(default_factory=list)
    migcheck: list[MigcheckFinding] = field(default_factory=list)
    error: str | None = None  # rendering or squawk failed: nothing to compare

    @property
    def squawk_codes(self) -> set[str]:
        return {v.code for v in self.squawk if v.code}

    @property
    def migcheck_codes(self) -> set[str]:
        return {f.code for f in self.migcheck if f.code not in MIGCHECK_ONLY}

    @property
    def disagreements(self) -> list[dict[str, Any]]:
        """Each MC code only one side reports, with the squawk rules behind it."""
        out = []
        for code in sorted(self.squawk_codes ^ self.migcheck_codes):
            side = "squawk-only" if code in self.squawk_codes else "migcheck-only"
            rules = sorted({v.rule for v in self.squawk if v.code == code})
            out.append({"code": code, "side": side, "squawk_rules": rules})
        return out

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if not self.disagreements:
            return "agree"
        sides: dict[str, list[str]] = {}
        for d in self.disagreements:
            sides.setdefault(d["side"], []).append(d["code"])
        return "; ".join(f"{side} {' '.join(codes)}" for side, codes in sorted(sides.items(), reverse=True))

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "file": self.file,
            "squawk": [
                {
                    "rule": v.rule,
                    "code": v.code,
                    "line": v.line,
                    "statement": v.statement,
                    "message": v.message,
                }
                for v in self.squawk
            ],
            "migcheck": [{"code": f.code, "line": f.line, "message": f.message} for f in self.migcheck],
            "disagreements": self.disagreements,
            "verdict": self.verdict,
            "error": self.error,
        }


def code_for(rule: str, statement: str) -> str | None:
    """The MC code of a squawk violation (None: squawk-only by design, or a rule not in MAPPING)."""
    # squawk also asks for NOT VALID on UNIQUE and PRIMARY KEY, which PostgreSQL cannot defer; the unique
    # constraint is MC315's (disallowed-unique-constraint), the primary key has no MC code
    if rule == "constraint-missing-not-valid" and _UNIQUE_OR_PK.search(statement):
        return None
    return MAPPING.get(rule)


# --- squawk ------------------------------------------------------------------------------------------------


def find_squawk(explicit: str | None = None) -> str | None:
    """The squawk binary: `explicit`, else the one beside this Python (the test extras' wheel), else PATH."""
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "squawk"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("squawk")


def squawk_version(binary: str) -> str:
    """`squawk --version` as `2.70.0`."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    return out.strip().removeprefix("squawk").strip()


def statements(sql: str) -> list[tuple[int, int, str]]:
    """(first line, last line, text on one line) of each statement of Alembic's offline SQL, 1-based."""
    found = []
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(sql.splitlines(), 1):
        if start is None:
            if not line.strip() or line.lstrip().startswith("--"):
                continue
            start = number
        lines.append(line.strip())
        if line.rstrip().endswith(";"):
            found.append((start, number, " ".join(" ".join(lines).split())))
            start, lines = None, []
    return found


def bookkeeping(statement: str, version_table: str) -> bool:
    """Whether `statement` is Alembic's own: creating the version table, writing its row."""
    table = rf'(?:"?\w+"?\.)?"?{re.escape(version_table)}"?\b'
    pattern = rf"^(?:CREATE TABLE|INSERT INTO|UPDATE|DELETE FROM)\s+{table}"
    return re.match(pattern, statement, re.IGNORECASE) is not None


def run_squawk(
    binary: str, sql: str, name: str, version_table: str = "alembic_version"
) -> list[SquawkViolation]:
    """squawk's violations on `sql`, less those on Alembic's bookkeeping statements."""
    # squawk's defaults, not a .squawk.toml of whatever directory this runs in
    with tempfile.TemporaryDirectory() as cwd:
        run = subprocess.run(
            [binary, "--reporter", "json", "--no-assume-in-transaction", "--stdin-filepath", name],
            input=sql,
            capture_output=True,
            text=True,
            cwd=cwd,
        )
    try:
        raw = json.loads(run.stdout)
    except json.JSONDecodeError as exc:
        detail = run.stderr.strip() or run.stdout.strip()
        raise CrosscheckError(f"squawk exited {run.returncode}: {detail}") from exc
    spans = statements(sql)
    violations = []
    for item in raw:
        line = int(item["line"]) + 1  # squawk's JSON counts lines from 0
        statement = next((text for first, last, text in spans if first <= line <= last), "")
        if statement and bookkeeping(statement, version_table):
            continue
        violations.append(SquawkViolation(item["rule_name"], line, statement, item["message"]))
    return sorted(violations, key=lambda v: (v.line, v.rule))


# --- Alembic ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    revision: str
    down_revisions: tuple[str, ...]
    path: Path


def revisions_in_order(ini: Path, since: str | None = None) -> list[Step]:
    """The revisions from base to heads (each after the ones it revises); after `since` only, when given."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Config(str(ini)))
    ordered = list(reversed(list(script.walk_revisions())))
    if since is not None:
        start = script.get_revision(since)
        if start is None:
            raise CrosscheckError(f"--since {since}: no such revision")
        after: set[str] = set()
        todo = list(start.nextrev)
        while todo:
            rid = todo.pop()
            if rid not in after:
                after.add(rid)
                todo.extend(script.get_revision(rid).nextrev)  # type: ignore[union-attr]
        ordered = [r for r in ordered if r.revision in after]
    steps = []
    for r in ordered:
        down = r.down_revision
        downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
        steps.append(Step(r.revision, downs, Path(r.path)))
    return steps


# Runs in a child process: the project's env.py configures logging, may touch sys.path and import the app.
_RENDER = """\
import sys
from argparse import Namespace
from alembic import command
from alembic.config import Config
ini, target, url, *x = sys.argv[1:]
config = Config(ini, cmd_opts=Namespace(x=x))
if url:
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
command.upgrade(config, target, sql=True)
"""


def render(root: Path, ini: Path, step: Step, url: str | None = None, x: Sequence[str] = ()) -> str:
    """`alembic upgrade <down>:<rev> --sql` of one revision, as the SQL text Alembic writes."""
    target = f"{step.down_revisions[0]}:{step.revision}" if step.down_revisions else step.revision
    run = subprocess.run(
        [sys.executable, "-c", _RENDER, str(ini), target, url or "", *x],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        tail = run.stderr.strip().splitlines()[-1:] or ["no output"]
        raise CrosscheckError(f"alembic upgrade {target} --sql failed: {tail[0]}")
    return own_section(run.stdout, step.revision)


def own_section(sql: str, revision: str) -> str:
    """`sql` with the sections of the other revisions it runs blanked out (BEGIN/COMMIT and line numbers kept).

    Only a merge revision's rendering holds others: those of the branches its first down revision lacks.
    """
    lines = sql.splitlines()
    owner: str | None = None
    seen = False
    for i, line in enumerate(lines):
        marker = _MARKER.match(line)
        if marker:
            owner = marker.group(1)
            seen = seen or owner == revision
        if owner is not None and owner != revision and not _TRANSACTION.match(line):
            lines[i] = ""
    if not seen:
        raise CrosscheckError(f"the rendered SQL has no '-- Running upgrade ... -> {revision}' section")
    return "\n".join(lines) + "\n"


def database_url(ini: Path, url: str | None) -> str:
    """The URL the rendering uses; a PostgreSQL one, or the cross-check stops."""
    from alembic.config import Config

    chosen = url or Config(str(ini)).get_main_option("sqlalchemy.url") or ""
    if not re.match(r"^postgres(?:ql)?(?:\+\w+)?://", chosen):
        shown = re.sub(r"//[^@/]*@", "//***@", chosen) or "nothing"
        raise CrosscheckError(
            f"{ini.name}'s sqlalchemy.url is {shown}: squawk lints PostgreSQL; pass --url postgresql://"
            " (offline mode needs the dialect only, no server)"
        )
    return chosen


# --- migcheck ---------------------------------------------------------------------------------------------


def migcheck_findings(root: Path, steps: Iterable[Step]) -> dict[str, list[MigcheckFinding]]:
    """migcheck's MC3xx findings (static checks only), by revision id."""
    import migcheck

    by_path = {step.path.resolve(): step.revision for step in steps}
    found: dict[str, list[MigcheckFinding]] = {rid: [] for rid in by_path.values()}
    try:
        result = migcheck.check(root, drift=False)
    except migcheck.MigcheckError as exc:
        raise CrosscheckError(f"migcheck cannot check {root}: {exc}") from exc
    for finding in result.findings:
        if not finding.rule.startswith("MC3"):
            continue
        rid = finding.revision
        if rid not in found:
            where = Path(finding.location.path)
            rid = by_path.get((where if where.is_absolute() else root / where).resolve())
        if rid in found:
            found[rid].append(MigcheckFinding(finding.rule, finding.location.line, finding.message))
    return found


# --- the cross-check --------------------------------------------------------------------------------------


def crosscheck(
    root: Path,
    *,
    since: str | None = None,
    url: str | None = None,
    x: Sequence[str] = (),
    squawk: str | None = None,
    config: str = "alembic.ini",
    version_table: str = "alembic_version",
) -> list[RevisionReport]:
    """One report per revision (after `since`), in upgrade order."""
    root = root.resolve()
    binary = find_squawk(squawk)
    if binary is None:
        raise CrosscheckError("no squawk binary: pip install squawk-cli (it is in migcheck's test extras)")
    ini = root / config
    if not ini.is_file():
        raise CrosscheckError(f"no {config} in {root}")
    url = database_url(ini, url)
    steps = revisions_in_order(ini, since)
    reports = []
    for step in steps:
        report = RevisionReport(step.revision, step.path.resolve().relative_to(root).as_posix())
        try:
            report.sql = render(root, ini, step, url, x)
            report.squawk = run_squawk(binary, report.sql, f"{step.revision}.sql", version_table)
        except CrosscheckError as exc:
            report.error = str(exc)
        reports.append(report)
    found = migcheck_findings(root, steps)
    for report in reports:
        report.migcheck = found.get(report.revision, [])
    return reports


def table(reports: Sequence[RevisionReport]) -> str:
    """A markdown table: per revision, squawk's rules, migcheck's MC3xx codes and the verdict."""

    def squawk_cell(report: RevisionReport) -> str:
        if report.error:
            return f"error: {report.error}"
        cells = []
        for rule in sorted({v.rule for v in report.squawk}):
            lines = ",".join(str(v.line) for v in report.squawk if v.rule == rule)
            code = next((v.code for v in report.squawk if v.rule == rule and v.code), None)
            cells.append(f"{rule} → {code or '—'} @{lines}")
        return "<br>".join(cells) or "—"

    def migcheck_cell(report: RevisionReport) -> str:
        cells = [f"{f.code} {MC_NAMES.get(f.code, '')} @{f.line}".strip() for f in report.migcheck]
        return "<br>".join(cells) or "—"

    rows = ["| revision | file | squawk rules (→ MC code) @SQL line | migcheck MC3xx @line | verdict |"]
    rows.append("| --- | --- | --- | --- | --- |")
    for report in reports:
        rows.append(
            f"| {report.revision} | {report.file} | {squawk_cell(report)} | {migcheck_cell(report)} "
            f"| {report.verdict} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="the directory holding alembic.ini")
    parser.add_argument("--since", help="only the revisions after this one (its descendants)")
    parser.add_argument("--url", help="a postgresql:// URL for the rendering instead of alembic.ini's")
    parser.add_argument("-x", action="append", default=[], help="passed on as Alembic's -x (repeatable)")
    parser.add_argument("-c", "--config", default="alembic.ini", help="the ini file, relative to the project")
    parser.add_argument("--squawk", help="the squawk binary (default: beside this Python, else on PATH)")
    parser.add_argument("--version-table", default="alembic_version", help="env.py's version_table")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument("--sql", action="store_true", help="also print each revision's rendered SQL")
    args = parser.parse_args(argv)
    try:
        reports = crosscheck(
            args.project,
            since=args.since,
            url=args.url,
            x=args.x,
            squawk=args.squawk,
            config=args.config,
            version_table=args.version_table,
        )
    except CrosscheckError as exc:
        print(f"squawk_crosscheck: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([r.as_json() for r in reports], indent=2))
        return 0
    version = squawk_version(find_squawk(args.squawk) or "squawk")
    print(f"squawk {version} (written against {SQUAWK_TESTED}) vs migcheck MC3xx, one revision at a time\n")
    print(table(reports))
    if args.sql:
        for report in reports:
            print(f"\n-- {report.revision} ({report.file})\n{report.sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

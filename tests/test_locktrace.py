"""The locks and rewrites of each new revision, measured on a real PostgreSQL server (migcheck.locktrace, MC350).

Projects are made by `alembic init -t generic`, their revisions written as `alembic revision` renders them;
a git base makes the revisions under test new in the change, and `migcheck.check(..., base=...)` runs it all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import add_step_revision, commit, git

import migcheck
from migcheck.report import json as json_report
from migcheck.report.markdown import render as markdown
from migcheck.result import CheckResult, TracedRevision

MODELS = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

# one table per case, so that each new revision below touches tables no other one does
BASE_TABLES = """\
for name in ("ix_t", "ixc_t", "big_t", "nn_t", "const_t", "vol_t", "parent_a", "parent_b", "di_t"):
    op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True), sa.Column("amount", sa.Integer()))
op.create_table("wide_t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("note", sa.String(50)))
op.create_index("ix_wide_t_note", "wide_t", ["note"])
op.create_index("ix_di_t_amount", "di_t", ["amount"])
for name in ("fk_child", "fknv_child"):
    op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True), sa.Column("parent_id", sa.Integer()))
"""

# (revision id, upgrade() body): the cases of one change, each on its own tables
CASES = {
    "a01index0000": 'op.create_index("ix_ix_t_amount", "ix_t", ["amount"])',
    "a02concurren": """\
        with op.get_context().autocommit_block():
            op.create_index("ix_ixc_t_amount", "ixc_t", ["amount"], postgresql_concurrently=True)
        """,
    "a03bigint000": 'op.alter_column("big_t", "amount", type_=sa.BigInteger(), existing_type=sa.Integer())',
    "a04widen0000": 'op.alter_column("wide_t", "note", type_=sa.String(100), existing_type=sa.String(50))',
    "a05notnull00": 'op.alter_column("nn_t", "amount", nullable=False, existing_type=sa.Integer())',
    "a06fk0000000": 'op.create_foreign_key("fk_child_parent", "fk_child", "parent_a", ["parent_id"], ["id"])',
    "a07fknotvali": """\
        op.create_foreign_key(
            "fknv_child_parent", "fknv_child", "parent_b", ["parent_id"], ["id"], postgresql_not_valid=True
        )
        """,
    "a08constdef0": 'op.add_column("const_t", sa.Column("flag", sa.Integer(), server_default="5"))',
    "a09volatile0": """\
        op.add_column(
            "vol_t", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()"))
        )
        """,
    "a10newtable0": """\
        op.create_table("fresh_t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("n", sa.Integer()))
        op.create_index("ix_fresh_t_n", "fresh_t", ["n"])
        op.alter_column("fresh_t", "n", type_=sa.BigInteger(), existing_type=sa.Integer())
        """,
    "a11dropindex": 'op.drop_index("ix_di_t_amount", table_name="di_t")',
}


def _project(root: Path, *, per_migration: bool, template: str = "generic") -> Path:
    """`alembic init -t <template> migrations`, env.py pointed at (empty) models, optionally one transaction per
    revision, and a first revision `base00000000` committed as the git base."""
    root.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", template, "migrations"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    (root / "models.py").write_text(MODELS)
    env_py = root / "migrations" / "env.py"
    source = env_py.read_text()
    source = source.replace(
        "target_metadata = None", "from models import Base\ntarget_metadata = Base.metadata"
    )
    if per_migration:
        configure = "connection=connection, target_metadata=target_metadata"
        assert configure in source
        source = source.replace(configure, configure + ", transaction_per_migration=True")
    env_py.write_text(source)
    add_step_revision(root, "base00000000", None, BASE_TABLES)
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-q", "-b", "change")
    return root


def _check(root: Path, database_url: str | None) -> CheckResult:
    result = migcheck.check(root, database_url=database_url, base="main", select=["MC350", "MC202"])
    assert result.error is None, result.error
    assert not [f for f in result.findings if f.rule == "MC202"], result.findings
    return result


def _traced(result: CheckResult, rid: str) -> TracedRevision:
    [traced] = [t for t in result.traces if t.revision == rid]
    return traced


def _modes(result: CheckResult, rid: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """relation -> (lock modes, rewritten), as measured for revision `rid`."""
    return {t.relation: (t.modes, t.rewritten) for t in _traced(result, rid).locks}


def _mc350(result: CheckResult, rid: str) -> list[str]:
    return sorted(f.message for f in result.findings if f.rule == "MC350" and f.revision == rid)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> CheckResult:
    """The cases of CASES, one revision each, run with transaction_per_migration=True."""
    root = _project(tmp_path_factory.mktemp("locktrace") / "proj", per_migration=True)
    down = "base00000000"
    for rid, body in CASES.items():
        add_step_revision(root, rid, down, body)
        down = rid
    commit(root, "the change")
    return _check(root, pg_url)


def test_every_new_revision_is_traced_in_order_and_the_base_is_not(measured: CheckResult) -> None:
    assert [t.revision for t in measured.traces] == list(CASES)
    assert all(t.path.endswith(f"{t.revision}_step.py") for t in measured.traces)


def test_create_index_without_concurrently_takes_share(measured: CheckResult) -> None:
    assert _modes(measured, "a01index0000") == {"ix_t": (("SHARE",), False)}
    [trace] = _traced(measured, "a01index0000").locks
    assert trace.changes == (("new index", "ix_ix_t_amount"),)
    [finding] = [f for f in measured.findings if f.revision == "a01index0000"]
    assert finding.message == (
        "measured on PostgreSQL: takes SHARE on existing table 'ix_t' (blocks writes) while it builds index"
        " 'ix_ix_t_amount'"
    )
    assert "postgresql_concurrently=True" in finding.hint and "autocommit_block" in finding.hint
    assert finding.location.path.endswith("a01index0000_step.py")
    assert finding.location.line == _line_of(measured, finding.location.path, "op.create_index")


def test_create_index_concurrently_in_an_autocommit_block_holds_nothing_that_is_seen(
    measured: CheckResult,
) -> None:
    # the index is there, but its build's SHARE UPDATE EXCLUSIVE was released by the block's own commit
    assert _modes(measured, "a02concurren") == {"ixc_t": ((), False)}
    assert _traced(measured, "a02concurren").locks[0].changes == (("new index", "ix_ixc_t_amount"),)
    assert _mc350(measured, "a02concurren") == []


def test_integer_to_bigint_rewrites_under_access_exclusive(measured: CheckResult) -> None:
    modes = _modes(measured, "a03bigint000")
    assert modes["big_t"] == (("SHARE", "ACCESS EXCLUSIVE"), True)
    # its primary key index is rebuilt with it
    assert modes["big_t_pkey"] == (("ACCESS EXCLUSIVE",), True)
    assert _mc350(measured, "a03bigint000") == [
        "measured on PostgreSQL: takes ACCESS EXCLUSIVE on existing table 'big_t' (blocks reads and writes)"
        " and rewrites it while it changes the type of column 'amount'"
    ]
    [finding] = [f for f in measured.findings if f.revision == "a03bigint000"]
    assert "add a new column of the new type" in finding.hint


def test_widening_a_varchar_locks_but_does_not_rewrite(measured: CheckResult) -> None:
    modes = _modes(measured, "a04widen0000")
    assert modes["wide_t"] == (("SHARE", "ACCESS EXCLUSIVE"), False)
    assert modes["ix_wide_t_note"] == (("ACCESS SHARE", "ACCESS EXCLUSIVE"), False)
    # brief and metadata-only: the lock is real (recorded above) but is MC317's business (a lock_timeout), not MC350's
    assert _mc350(measured, "a04widen0000") == []


def test_set_not_null_takes_access_exclusive_without_a_rewrite(measured: CheckResult) -> None:
    assert _modes(measured, "a05notnull00") == {"nn_t": (("ACCESS EXCLUSIVE",), False)}
    [finding] = [f for f in measured.findings if f.revision == "a05notnull00"]
    assert finding.message == (
        "measured on PostgreSQL: takes ACCESS EXCLUSIVE on existing table 'nn_t' (blocks reads and writes)"
        " while it sets column 'amount' NOT NULL (reading every row)"
    )
    assert "CHECK (column IS NOT NULL) NOT VALID" in finding.hint


def test_a_validated_foreign_key_takes_share_row_exclusive_on_both_tables(measured: CheckResult) -> None:
    modes = _modes(measured, "a06fk0000000")
    assert modes["fk_child"] == (("ACCESS SHARE", "SHARE ROW EXCLUSIVE"), False)
    # validating reads the referenced table's rows with SELECT ... FOR KEY SHARE: ROW SHARE
    assert modes["parent_a"] == (("ACCESS SHARE", "ROW SHARE", "SHARE ROW EXCLUSIVE"), False)
    assert _mc350(measured, "a06fk0000000") == [
        "measured on PostgreSQL: takes SHARE ROW EXCLUSIVE on existing table 'fk_child' (blocks writes) while it"
        " adds and validates constraint 'fk_child_parent'",
        "measured on PostgreSQL: takes SHARE ROW EXCLUSIVE on existing table 'parent_a' (blocks writes) while it"
        " adds and validates constraint 'fk_child_parent'",
    ]
    hints = {f.hint for f in measured.findings if f.revision == "a06fk0000000"}
    assert all("postgresql_not_valid=True" in h for h in hints)


def test_a_not_valid_foreign_key_still_takes_share_row_exclusive_but_reads_no_rows(
    measured: CheckResult,
) -> None:
    modes = _modes(measured, "a07fknotvali")
    assert modes["fknv_child"] == (("ACCESS SHARE", "SHARE ROW EXCLUSIVE"), False)
    assert modes["parent_b"] == (("ACCESS SHARE", "SHARE ROW EXCLUSIVE"), False)  # no ROW SHARE: no scan
    # brief and metadata-only: the lock is real (recorded above) but is MC317's business (a lock_timeout), not MC350's
    assert _mc350(measured, "a07fknotvali") == []
    assert ("new constraint not valid", "fknv_child_parent") in _traced(measured, "a07fknotvali").locks[
        0
    ].changes


def test_a_constant_default_does_not_rewrite(measured: CheckResult) -> None:
    assert _modes(measured, "a08constdef0") == {"const_t": (("ACCESS EXCLUSIVE",), False)}
    [trace] = _traced(measured, "a08constdef0").locks
    assert trace.changes == (("new column", "flag"),)
    # brief and metadata-only: the lock is real (recorded above) but is MC317's business (a lock_timeout), not MC350's
    assert _mc350(measured, "a08constdef0") == []


def test_a_volatile_default_rewrites_the_table(measured: CheckResult) -> None:
    modes = _modes(measured, "a09volatile0")
    assert modes["vol_t"] == (("SHARE", "ACCESS EXCLUSIVE"), True)
    assert _mc350(measured, "a09volatile0") == [
        "measured on PostgreSQL: takes ACCESS EXCLUSIVE on existing table 'vol_t' (blocks reads and writes)"
        " and rewrites it while it adds column 'token'"
    ]
    [finding] = [f for f in measured.findings if f.revision == "a09volatile0"]
    assert "without a server_default" in finding.hint


def test_a_table_created_in_the_same_revision_is_not_existing(measured: CheckResult) -> None:
    assert _modes(measured, "a10newtable0") == {}
    assert _mc350(measured, "a10newtable0") == []


def test_drop_index_without_concurrently_takes_access_exclusive_on_the_table(measured: CheckResult) -> None:
    modes = _modes(measured, "a11dropindex")
    assert modes == {"di_t": (("ACCESS EXCLUSIVE",), False), "ix_di_t_amount": (("ACCESS EXCLUSIVE",), False)}
    # dropping an index is quick once the lock is granted: statically MC312 (and MC317 without a lock_timeout)
    assert _mc350(measured, "a11dropindex") == []


def test_the_version_table_is_never_reported(measured: CheckResult) -> None:
    assert not [t for r in measured.traces for t in r.locks if t.table == "alembic_version"]


def _line_of(result: CheckResult, path: str, text: str) -> int:
    lines = (Path(result.paths_from) / path).read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_in_one_transaction_a_revision_is_charged_only_with_the_locks_it_added(
    tmp_path: Path, pg_url: str
) -> None:
    root = _project(tmp_path / "proj", per_migration=False)
    add_step_revision(
        root, "b01addcol000", "base00000000", 'op.add_column("ix_t", sa.Column("n", sa.Integer()))'
    )
    add_step_revision(root, "b02index0000", "b01addcol000", 'op.create_index("ix_ix_t_n", "ix_t", ["n"])')
    commit(root, "the change")
    result = _check(root, pg_url)
    assert _modes(result, "b01addcol000") == {"ix_t": (("ACCESS EXCLUSIVE",), False)}
    # still held from b01: only its SHARE is new; the index it creates is not an existing relation
    assert _modes(result, "b02index0000") == {"ix_t": (("SHARE",), False)}


def test_a_table_created_earlier_in_the_change_is_not_existing(tmp_path: Path, pg_url: str) -> None:
    root = _project(tmp_path / "proj", per_migration=True)
    create = 'op.create_table("later_t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("n", sa.Integer()))'
    add_step_revision(root, "c01create000", "base00000000", create)
    add_step_revision(
        root, "c02index0000", "c01create000", 'op.create_index("ix_later_t_n", "later_t", ["n"])'
    )
    commit(root, "the change")
    result = _check(root, pg_url)
    assert [t.revision for t in result.traces] == ["c01create000", "c02index0000"]
    assert _modes(result, "c02index0000") == {}
    assert not result.findings


def test_without_a_base_nothing_is_traced(tmp_path: Path, pg_url: str) -> None:
    root = _project(tmp_path / "proj", per_migration=True)
    add_step_revision(root, "d01index0000", "base00000000", CASES["a01index0000"])
    result = migcheck.check(root, database_url=pg_url, select=["MC350"])
    assert result.error is None, result.error
    assert result.traces == () and not result.findings


def test_an_async_env_py_is_measured_through_its_async_driver(tmp_path: Path, pg_url: str) -> None:
    root = _project(tmp_path / "proj", per_migration=False, template="async")
    add_step_revision(root, "g01index0000", "base00000000", CASES["a01index0000"])
    add_step_revision(root, "g02bigint000", "g01index0000", CASES["a03bigint000"])
    commit(root, "the change")
    result = _check(root, pg_url)
    assert _modes(result, "g01index0000") == {"ix_t": (("SHARE",), False)}
    assert _modes(result, "g02bigint000")["big_t"] == (("SHARE", "ACCESS EXCLUSIVE"), True)
    assert len(_mc350(result, "g01index0000")) == len(_mc350(result, "g02bigint000")) == 1


def test_a_migration_that_swallows_its_own_error_is_not_measured_and_its_error_is_reported(
    tmp_path: Path, pg_url: str
) -> None:
    root = _project(tmp_path / "proj", per_migration=True)
    swallowed = """\
        try:
            op.execute("SELECT 1/0")
        except Exception:
            pass
        """
    add_step_revision(root, "h01swallow00", "base00000000", swallowed)
    commit(root, "the change")
    result = migcheck.check(root, database_url=pg_url, base="main", select=["MC350", "MC202"])
    [failed] = [f for f in result.findings if f.rule == "MC202"]
    # the error of the migration itself, not the trace's queries nor Alembic's version update after it
    assert "DivisionByZero: division by zero" in failed.message
    assert result.traces == ()
    assert any(n.startswith("lock trace: revision h01swallow00 was not measured") for n in result.notices)


@pytest.mark.parametrize("dialect", ["sqlite", "mysql"])
def test_other_dialects_are_never_traced(
    tmp_path: Path, dialect: str, request: pytest.FixtureRequest
) -> None:
    url = None if dialect == "sqlite" else str(request.getfixturevalue("mysql_url"))
    root = _project(tmp_path / "proj", per_migration=True)
    add_step_revision(root, "e01index0000", "base00000000", CASES["a01index0000"])
    commit(root, "the change")
    result = _check(root, url)
    assert result.traces == () and not result.findings


def test_a_failing_revision_keeps_its_own_error(tmp_path: Path, pg_url: str) -> None:
    root = _project(tmp_path / "proj", per_migration=True)
    add_step_revision(root, "f01index0000", "base00000000", CASES["a01index0000"])
    add_step_revision(
        root, "f02broken000", "f01index0000", 'op.execute("ALTER TABLE no_such_t ADD COLUMN x int")'
    )
    commit(root, "the change")
    result = migcheck.check(root, database_url=pg_url, base="main", select=["MC350", "MC202"])
    [failed] = [f for f in result.findings if f.rule == "MC202"]
    assert 'UndefinedTable: relation "no_such_t" does not exist' in failed.message
    # the revision before it was measured, the failing one was not
    assert [t.revision for t in result.traces] == ["f01index0000"]
    assert _mc350(result, "f01index0000")


def test_the_pr_comment_folds_a_lock_table_per_revision(measured: CheckResult) -> None:
    text = markdown(measured)
    folded = text.split("<details>\n<summary>Locks measured on PostgreSQL (11 revisions)</summary>\n\n", 1)[1]
    folded = folded.split("\n\n</details>", 1)[0]
    header = "| Table | Lock | Blocks | Rewritten |\n| --- | --- | --- | --- |\n"
    assert (
        "`a03bigint000` (migrations/versions/a03bigint000\\_step.py):\n\n"
        + header
        + "| `big_t` | ACCESS EXCLUSIVE | reads and writes | yes |"
    ) in folded
    assert "| `big_t_pkey` (index of `big_t`) | ACCESS EXCLUSIVE | reads and writes | yes |" in folded
    assert (
        "`a01index0000` (migrations/versions/a01index0000\\_step.py):\n\n"
        + header
        + "| `ix_t` | SHARE | writes |  |"
    ) in folded
    assert (
        "`a10newtable0` (migrations/versions/a10newtable0\\_step.py):\n\n"
        + header
        + "| no lock on an existing table | | | |"
    ) in folded
    # after the findings, before the folded facts
    assert text.index("measured-lock") < text.index("Locks measured") < text.index("<summary>Details")


def test_the_json_report_lists_every_trace_and_validates(measured: CheckResult) -> None:
    from jsonschema import Draft202012Validator

    document = json_report.document(measured)
    schema = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    [bigint] = [t for t in document["traces"] if t["revision"] == "a03bigint000"]
    assert bigint["locks"][0] == {
        "relation": "big_t",
        "kind": "table",
        "table": "big_t",
        "modes": ["SHARE", "ACCESS EXCLUSIVE"],
        "strongest": "ACCESS EXCLUSIVE",
        "blocks": "reads and writes",
        "rewritten": True,
        "changes": [{"what": "type change", "name": "amount"}],
    }


def test_pg_locks_mode_names_read_as_the_documentation_names_them() -> None:
    from migcheck.locktrace import mode_name

    assert [mode_name(m) for m in ("AccessShareLock", "ShareUpdateExclusiveLock", "AccessExclusiveLock")] == [
        "ACCESS SHARE",
        "SHARE UPDATE EXCLUSIVE",
        "ACCESS EXCLUSIVE",
    ]

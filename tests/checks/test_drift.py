"""MC201-MC204, the drift rules, specified on a DriftContext built from outcome values (nothing is migrated).

What the drift run and the round trip found is data (`DriftOutcome`, `Failure`, `Irreversible`, `RoundTrip`);
the rules only word and place it. A failing revision is placed at its `def upgrade` / `def downgrade` line,
read from its file under the checked root (tmp_path here), written from Alembic's template: `def upgrade` on
line 21, `def downgrade` on line 26.
"""

from __future__ import annotations

from pathlib import Path

from helpers import history, rev, rev_path, revision_source

from migcheck.checks import REGISTRY
from migcheck.checks.drift import (
    DriftContext,
    irreversible_revision,
    migration_fails,
    roundtrip_not_clean,
    ungenerated_model_change,
)
from migcheck.findings import Location, Severity
from migcheck.histories import History
from migcheck.outcome import Difference, DriftOutcome, Failure, Irreversible, RoundTrip

UPGRADE_LINE, DOWNGRADE_LINE = 21, 26
ADD_EMAIL = Difference(
    "add_column",
    "user",
    "email",
    "the models have column user.email, which no migration creates",
    "op.add_column('user', sa.Column('email', sa.String(length=120), nullable=True))",
)


def blog(root: Path) -> History:
    """a -> b, both files on disk under `root`."""
    for rid, down in (("a", None), ("b", "a")):
        file = root / rev_path(rid)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(revision_source(rid, down), encoding="utf-8")
    return history(rev("a"), rev("b", "a"))


def drift(
    root: Path,
    outcome: DriftOutcome,
    *,
    roundtrip: RoundTrip | None = None,
    flask: bool = False,
    of: History | None = None,
) -> DriftContext:
    return DriftContext(of if of is not None else blog(root), outcome, root, flask, roundtrip)


def test_every_drift_rule_reads_a_drift_context() -> None:
    assert {REGISTRY[code].input for code in ("MC201", "MC202", "MC203", "MC204")} == {DriftContext}


def test_a_skipped_drift_run_has_no_finding(tmp_path: Path) -> None:
    skipped = drift(tmp_path, DriftOutcome("sqlite", skipped="env.py sets target_metadata = None"))

    assert [f for rule in (ungenerated_model_change, migration_fails) for f in rule.check(skipped)] == []


# --- MC201 un-generated model change ---------------------------------------------------------------------------


def test_mc201_a_difference_is_an_error_at_the_models_line_with_what_autogenerate_writes(
    tmp_path: Path,
) -> None:
    sources = {("user", "email"): (str(tmp_path / "models.py"), 12)}

    [finding] = ungenerated_model_change.check(
        drift(tmp_path, DriftOutcome("sqlite", (ADD_EMAIL,), sources=sources))
    )

    assert (finding.rule, finding.severity, finding.revision) == ("MC201", Severity.ERROR, None)
    assert finding.location == Location("models.py", 12)
    assert finding.message == ADD_EMAIL.message
    assert finding.hint == (
        'run `alembic revision --autogenerate -m "add column user.email"`; autogenerate writes:\n'
        "        op.add_column('user', sa.Column('email', sa.String(length=120), nullable=True))"
    )


def test_mc201_a_flask_project_is_told_the_flask_command(tmp_path: Path) -> None:
    [finding] = ungenerated_model_change.check(
        drift(tmp_path, DriftOutcome("sqlite", (ADD_EMAIL,)), flask=True)
    )

    assert finding.hint.startswith('run `flask db migrate -m "add column user.email"`')


def test_mc201_each_difference_is_its_own_finding(tmp_path: Path) -> None:
    add_table = Difference("add_table", "post", None, "the models have table post", "op.create_table('post')")

    findings = ungenerated_model_change.check(drift(tmp_path, DriftOutcome("sqlite", (ADD_EMAIL, add_table))))

    assert [f.message for f in findings] == [ADD_EMAIL.message, "the models have table post"]


def test_mc201_a_table_difference_is_placed_at_the_tables_line(tmp_path: Path) -> None:
    add_table = Difference("add_table", "post", None, "the models have table post", "op.create_table('post')")
    sources = {("post", None): (str(tmp_path / "models.py"), 30)}

    [finding] = ungenerated_model_change.check(
        drift(tmp_path, DriftOutcome("sqlite", (add_table,), sources=sources))
    )

    assert finding.location == Location("models.py", 30)


def test_mc201_a_column_only_the_database_has_is_placed_at_its_tables_line(tmp_path: Path) -> None:
    removed = Difference(
        "remove_column", "user", "legacy", "the database has user.legacy", "op.drop_column(...)"
    )
    sources = {("user", None): (str(tmp_path / "models.py"), 8)}

    [finding] = ungenerated_model_change.check(
        drift(tmp_path, DriftOutcome("sqlite", (removed,), sources=sources))
    )

    assert finding.location == Location("models.py", 8)


def test_mc201_a_difference_with_no_known_source_is_placed_at_the_newest_head(tmp_path: Path) -> None:
    [finding] = ungenerated_model_change.check(drift(tmp_path, DriftOutcome("sqlite", (ADD_EMAIL,))))

    assert finding.location == Location(rev_path("b"), 15)


def test_mc201_with_no_revisions_at_all_it_is_placed_at_the_environment(tmp_path: Path) -> None:
    empty = history(name="migrations")

    [finding] = ungenerated_model_change.check(
        drift(tmp_path, DriftOutcome("sqlite", (ADD_EMAIL,)), of=empty)
    )

    assert finding.location == Location("migrations", 1)


def test_mc201_no_difference_is_no_finding(tmp_path: Path) -> None:
    assert list(ungenerated_model_change.check(drift(tmp_path, DriftOutcome("sqlite")))) == []


# --- MC202 a migration fails ------------------------------------------------------------------------------------


def test_mc202_a_failing_upgrade_is_an_error_at_its_def_upgrade_line(tmp_path: Path) -> None:
    failed = DriftOutcome("sqlite", failure=Failure("b", "(sqlite3.OperationalError) no such table: user"))

    [finding] = migration_fails.check(drift(tmp_path, failed))

    assert (finding.rule, finding.severity, finding.revision) == ("MC202", Severity.ERROR, "b")
    assert finding.location == Location(rev_path("b"), UPGRADE_LINE)
    assert finding.message == (
        "revision 'b' fails on a fresh sqlite database: (sqlite3.OperationalError) no such table: user"
    )
    assert finding.hint == "fix the migration so it runs on an empty database"


def test_mc202_an_alter_sqlite_cannot_do_suggests_batch_mode_or_the_real_dialect(tmp_path: Path) -> None:
    failed = DriftOutcome("sqlite", failure=Failure("b", 'near "ALTER": syntax error'))

    [finding] = migration_fails.check(drift(tmp_path, failed))

    assert "with op.batch_alter_table(...)" in finding.hint
    assert "render_as_batch=True" in finding.hint
    assert "--database-url" in finding.hint


def test_mc202_on_another_dialect_an_alter_error_gets_no_sqlite_advice(tmp_path: Path) -> None:
    failed = DriftOutcome("postgresql", failure=Failure("b", "ALTER TABLE failed: column is in use"))

    [finding] = migration_fails.check(drift(tmp_path, failed))

    assert finding.message.startswith("revision 'b' fails on a fresh postgresql database:")
    assert finding.hint == "fix the migration so it runs on an empty database"


def test_mc202_a_revision_file_that_does_not_import_is_placed_at_the_failing_line(tmp_path: Path) -> None:
    broken = tmp_path / "migrations" / "versions" / "x_rev.py"
    failed = DriftOutcome(
        "sqlite", failure=Failure(None, "NameError: name 'op2' is not defined", file=str(broken), line=3)
    )

    [finding] = migration_fails.check(drift(tmp_path, failed))

    assert finding.revision is None
    assert finding.location == Location("migrations/versions/x_rev.py", 3)
    assert finding.message == (
        "revision file migrations/versions/x_rev.py cannot be imported: NameError: name 'op2' is not defined"
    )


def test_mc202_a_revision_whose_file_is_gone_is_placed_at_its_revision_line(tmp_path: Path) -> None:
    revisions = blog(tmp_path)
    (tmp_path / rev_path("b")).unlink()

    [finding] = migration_fails.check(
        drift(tmp_path, DriftOutcome("sqlite", failure=Failure("b", "boom")), of=revisions)
    )

    assert finding.location == Location(rev_path("b"), 15)


def test_mc202_a_failure_naming_no_known_revision_is_placed_at_the_newest_head(tmp_path: Path) -> None:
    [finding] = migration_fails.check(drift(tmp_path, DriftOutcome("sqlite", failure=Failure(None, "boom"))))

    assert finding.location == Location(rev_path("b"), 15)


def test_mc202_a_run_with_no_failure_is_no_finding(tmp_path: Path) -> None:
    assert list(migration_fails.check(drift(tmp_path, DriftOutcome("sqlite", (ADD_EMAIL,))))) == []


# --- MC203 round trip not clean ---------------------------------------------------------------------------------


def test_mc203_a_downgrade_that_does_not_undo_its_upgrade_is_an_error_at_def_downgrade(
    tmp_path: Path,
) -> None:
    broken = Failure("b", "after downgrade the schema still has table user", downgrade=True)

    [finding] = roundtrip_not_clean.check(
        drift(tmp_path, DriftOutcome("sqlite"), roundtrip=RoundTrip(broken))
    )

    assert (finding.rule, finding.severity, finding.revision) == ("MC203", Severity.ERROR, "b")
    assert finding.location == Location(rev_path("b"), DOWNGRADE_LINE)
    assert (
        finding.message == "revision 'b' does not round-trip: after downgrade the schema still has table user"
    )
    assert finding.hint == (
        "make downgrade() undo every operation of upgrade(); then check again with --roundtrip"
    )


def test_mc203_an_upgrade_that_fails_the_second_time_is_placed_at_def_upgrade(tmp_path: Path) -> None:
    again = Failure("b", "table user already exists", downgrade=False)

    [finding] = roundtrip_not_clean.check(drift(tmp_path, DriftOutcome("sqlite"), roundtrip=RoundTrip(again)))

    assert finding.location == Location(rev_path("b"), UPGRADE_LINE)


def test_mc203_no_round_trip_or_a_clean_one_is_no_finding(tmp_path: Path) -> None:
    one_way = RoundTrip(irreversible=(Irreversible("b", "NotImplementedError", downgrade=True),))

    for roundtrip in (None, RoundTrip(), one_way):
        assert (
            list(roundtrip_not_clean.check(drift(tmp_path, DriftOutcome("sqlite"), roundtrip=roundtrip)))
            == []
        )


# --- MC204 irreversible revision --------------------------------------------------------------------------------


def test_mc204_a_downgrade_raising_not_implemented_is_a_warning_with_its_reason(tmp_path: Path) -> None:
    one_way = RoundTrip(
        irreversible=(Irreversible("b", "NotImplementedError: the old rows are gone", downgrade=True),)
    )

    [finding] = irreversible_revision.check(drift(tmp_path, DriftOutcome("sqlite"), roundtrip=one_way))

    assert (finding.rule, finding.severity, finding.revision) == ("MC204", Severity.WARNING, "b")
    assert finding.location == Location(rev_path("b"), DOWNGRADE_LINE)
    assert finding.message == (
        "revision 'b' cannot be downgraded: its downgrade() raises NotImplementedError (the old rows are gone)"
    )
    assert finding.hint == (
        "write a downgrade() that undoes upgrade(), or keep it one-way on purpose and ignore MC204 for it"
    )


def test_mc204_a_bare_not_implemented_error_names_no_reason(tmp_path: Path) -> None:
    one_way = RoundTrip(irreversible=(Irreversible("b", "NotImplementedError", downgrade=True),))

    [finding] = irreversible_revision.check(drift(tmp_path, DriftOutcome("sqlite"), roundtrip=one_way))

    assert finding.message == "revision 'b' cannot be downgraded: its downgrade() raises NotImplementedError"


def test_mc204_each_one_way_revision_is_its_own_finding(tmp_path: Path) -> None:
    both = RoundTrip(
        irreversible=(
            Irreversible("a", "NotImplementedError", downgrade=True),
            Irreversible("b", "NotImplementedError", downgrade=True),
        )
    )

    assert [
        f.revision
        for f in irreversible_revision.check(drift(tmp_path, DriftOutcome("sqlite"), roundtrip=both))
    ] == [
        "a",
        "b",
    ]


def test_mc204_no_round_trip_or_no_one_way_revision_is_no_finding(tmp_path: Path) -> None:
    broken = RoundTrip(Failure("b", "not undone", downgrade=True))

    for roundtrip in (None, RoundTrip(), broken):
        assert (
            list(irreversible_revision.check(drift(tmp_path, DriftOutcome("sqlite"), roundtrip=roundtrip)))
            == []
        )

"""MC401-MC402, a live database against the revision files, specified on a StatusContext built in memory.

A StatusContext is what `livedb.py` read from the database's version table (its revisions, whether the table
exists, whether other tables do) beside one history; the rules never touch a database. `migcheck status` on
real databases is tests/test_status.py.
"""

from __future__ import annotations

from helpers import history, rev, rev_path

from migcheck.checks import REGISTRY
from migcheck.checks.status import StatusContext, database_behind_head, unknown_database_revision
from migcheck.findings import Location, Severity
from migcheck.histories import History
from migcheck.scripts import Unreadable

A, B, C = "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"
LINEAR = history(rev(A), rev(B, A), rev(C, B))


def database(
    *revisions: str,
    of: History = LINEAR,
    version_table: bool = True,
    other_tables: bool = True,
    table: str = "alembic_version",
) -> StatusContext:
    return StatusContext(of, revisions, version_table, other_tables, table, "migrations/versions")


def test_every_status_rule_reads_a_status_context() -> None:
    assert {REGISTRY[code].input for code in ("MC401", "MC402")} == {StatusContext}


# --- MC401 database behind head ---------------------------------------------------------------------------------


def test_mc401_a_database_behind_head_is_an_error_at_the_head_naming_what_is_pending() -> None:
    [finding] = database_behind_head.check(database(A))

    assert (finding.rule, finding.severity, finding.revision) == ("MC401", Severity.ERROR, C)
    assert finding.location == Location(rev_path(C), 15)
    assert finding.message == (
        f"the database is at '{A}', behind head '{C}'; 2 revisions pending: '{B}', '{C}'"
        " (Alembic: Target database is not up to date)"
    )
    assert finding.hint == "run `alembic upgrade head`"


def test_mc401_a_database_at_head_is_no_finding() -> None:
    assert list(database_behind_head.check(database(C))) == []


def test_mc401_one_pending_revision_is_counted_in_the_singular() -> None:
    [finding] = database_behind_head.check(database(B))

    assert f"; 1 revision pending: '{C}'" in finding.message


def test_mc401_pending_revisions_are_listed_in_upgrade_order() -> None:
    branched = history(rev("a"), rev("b", "a"), rev("z", "a"), rev("m", ("b", "z")), rev("n", "m"))

    [finding] = database_behind_head.check(database("a", of=branched))

    assert "4 revisions pending: 'b', 'z', 'm', 'n'" in finding.message


def test_mc401_with_several_heads_the_database_must_reach_all_of_them() -> None:
    two_heads = history(rev("a"), rev("b", "a"), rev("c", "a"))

    [finding] = database_behind_head.check(database("b", of=two_heads))

    assert finding.message.startswith("the database is at 'b', behind heads 'c';")
    assert finding.hint == "run `alembic upgrade heads`"
    assert finding.revision == "c"


def test_mc401_a_database_at_every_head_is_no_finding() -> None:
    two_heads = history(rev("a"), rev("b", "a"), rev("c", "a"))

    assert list(database_behind_head.check(database("b", "c", of=two_heads))) == []


def test_mc401_an_empty_database_has_had_no_migration() -> None:
    [finding] = database_behind_head.check(database(version_table=False, other_tables=False))

    assert finding.message == (
        f"the database has no alembic_version table: no migration has run; 3 revisions pending: '{A}', '{B}',"
        f" '{C}'"
    )
    assert finding.hint == "run `alembic upgrade head`"


def test_mc401_tables_without_a_version_table_suggest_stamping_not_upgrading() -> None:
    [finding] = database_behind_head.check(database(version_table=False, other_tables=True))

    assert finding.message.startswith(
        "the database has tables but no alembic_version table; 3 revisions pending"
    )
    assert finding.hint.startswith("it was created without Alembic: `alembic stamp <rev>`")
    assert "--version-table" in finding.hint


def test_mc401_an_empty_version_table_is_at_base() -> None:
    [finding] = database_behind_head.check(database(other_tables=False))

    assert finding.message.startswith(
        "the alembic_version table is empty: the database is at base; 3 revisions"
    )
    assert finding.hint == "run `alembic upgrade head`"


def test_mc401_an_empty_version_table_beside_other_tables_suggests_stamping() -> None:
    [finding] = database_behind_head.check(database(other_tables=True))

    assert finding.hint.startswith("it was created without Alembic")


def test_mc401_names_the_version_table_it_read() -> None:
    [finding] = database_behind_head.check(
        database(version_table=False, other_tables=False, table="audit.versions")
    )

    assert finding.message.startswith("the database has no audit.versions table:")


def test_mc401_a_database_with_an_unknown_revision_is_left_to_mc402() -> None:
    context = database("a", "x", of=history(rev("a"), rev("b", "a")))

    assert [
        f.rule for rule in (database_behind_head, unknown_database_revision) for f in rule.check(context)
    ] == ["MC402"]


# --- MC402 unknown database revision ----------------------------------------------------------------------------


def test_mc402_a_revision_no_file_declares_is_an_error_at_the_newest_head() -> None:
    [finding] = unknown_database_revision.check(database("0123456789ab"))

    assert (finding.rule, finding.severity, finding.revision) == ("MC402", Severity.ERROR, "0123456789ab")
    assert finding.location == Location(rev_path(C), 15)
    assert finding.message == (
        "the database's alembic_version table holds '0123456789ab', which is not a revision in the scripts"
        " (Alembic: Can't locate revision identified by '0123456789ab'); no revision in the scripts has a"
        " similar id"
    )
    assert finding.hint.startswith(
        "restore the missing revision file (e.g. from the branch that created it: `git log --all -- '*0123456789ab*'`)"
    )
    assert "`alembic stamp --purge <that revision>`" in finding.hint
    assert finding.hint.endswith(
        "(this rewrites only the alembic_version table); never drop data to get past this"
    )


def test_mc402_a_known_revision_is_no_finding() -> None:
    assert list(unknown_database_revision.check(database(B))) == []


def test_mc402_a_near_miss_names_the_close_id_and_how_to_stamp_it() -> None:
    [finding] = unknown_database_revision.check(database("cccccccccccd"))

    assert f"; a revision with a close id exists: '{C}' ({rev_path(C)})" in finding.message
    assert f"`alembic stamp --purge {C}` if that is the revision it should name" in finding.hint


def test_mc402_a_revision_whose_file_cannot_be_read_points_at_that_file() -> None:
    broken = Unreadable(rev_path("d"), 9, "the file is not valid Python", "fix the syntax", revision="d")
    unreadable = history(rev(A), rev(B, A), unreadable=[broken])

    [finding] = unknown_database_revision.check(database("d", of=unreadable))

    assert finding.location == Location(rev_path("d"), 9)
    assert finding.message.endswith(f"; its file {rev_path('d')} cannot be read")
    assert finding.hint == f"repair {rev_path('d')}:9 (fix the syntax)"


def test_mc402_a_revision_listed_twice_is_one_finding() -> None:
    assert [f.revision for f in unknown_database_revision.check(database("x", "x"))] == ["x"]


def test_mc402_with_no_revision_files_it_is_placed_at_the_version_directory() -> None:
    [finding] = unknown_database_revision.check(database("x", of=history()))

    assert finding.location == Location("migrations/versions", 1)

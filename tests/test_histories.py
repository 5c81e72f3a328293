"""Which revision files form which history (`histories.split_histories`): one per environment, or one per
subdirectory of its version location when each subdirectory is closed under down_revision/depends_on, even
when the subdirectories share revision ids (one history per database, the same change written in each).
"""

from __future__ import annotations

from pathlib import Path

from helpers import make_project, revision_source, versions_dir, write_revision

import migcheck


def write(
    root: Path,
    under: str,
    rid: str,
    down: str | None,
    *,
    labels: str | None = None,
    depends: str | None = None,
) -> None:
    path = versions_dir(root) / under / f"{rid}_rev.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(revision_source(rid, down, labels, depends), encoding="utf-8")


def per_database(tmp_path: Path) -> Path:
    """postgresql/: a -> b -> c; sqlite/: a -> b (a and b are the same changes, written for each database)."""
    root = make_project(tmp_path)
    for rid, down in (("a", None), ("b", "a"), ("c", "b")):
        write_revision(root, rid, down, under="postgresql")
    for rid, down in (("a", None), ("b", "a")):
        write_revision(root, rid, down, under="sqlite")
    return root


def shapes(result: migcheck.CheckResult) -> dict[str, tuple[list[str], list[str]]]:
    return {
        h.environment: ([p.revision for p in h.heads], [p.revision for p in h.bases])
        for h in result.histories
    }


def test_subdirectories_sharing_ids_are_separate_histories_when_each_is_closed(tmp_path: Path) -> None:
    result = migcheck.check(per_database(tmp_path), drift=False)

    assert result.findings == ()
    assert shapes(result) == {
        "migrations [postgresql]": (["c"], ["a"]),
        "migrations [sqlite]": (["b"], ["a"]),
    }
    [split] = result.splits
    assert (split.environment, split.subdirectories, split.shared_ids) == (
        "migrations",
        ("postgresql", "sqlite"),
        ("a", "b"),
    )


def test_a_duplicate_id_within_one_subdirectory_is_still_mc103(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    (versions_dir(root) / "sqlite" / "b_copy.py").write_text(revision_source("b", "a"), encoding="utf-8")

    result = migcheck.check(root, drift=False)

    assert sorted((f.rule, f.environment, f.location.path) for f in result.findings) == [
        ("MC103", "migrations [sqlite]", "migrations/versions/sqlite/b_copy.py"),
        ("MC103", "migrations [sqlite]", "migrations/versions/sqlite/b_rev.py"),
    ]


def test_a_down_revision_into_another_subdirectory_makes_one_history_and_says_why(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    write_revision(root, "d", "c", under="sqlite")  # c is PostgreSQL's only

    result = migcheck.check(root, drift=False)

    assert [h.environment for h in result.histories] == ["migrations"]
    assert result.splits == ()
    assert {f.rule for f in result.findings} == {"MC103"}  # a and b, each declared twice in one history
    assert result.notices == (
        "migrations: postgresql/, sqlite/ share 2 revision ids but are checked as one history:"
        " migrations/versions/sqlite/d_rev.py:15 names 'c', which is only in postgresql/ (each subdirectory"
        " is its own history only when every down_revision/depends_on resolves inside it)",
    )


def test_depends_on_a_branch_label_of_the_same_subdirectory_keeps_the_split(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    write(root, "sqlite", "s", None, labels="sqlite_data")
    write(root, "sqlite", "t", "b", depends="sqlite_data")

    result = migcheck.check(root, drift=False)

    assert [h.environment for h in result.histories] == ["migrations [postgresql]", "migrations [sqlite]"]
    assert result.findings == ()  # s is a labelled branch of its own: intended


def test_depends_on_a_branch_label_of_another_subdirectory_makes_one_history(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    write(root, "postgresql", "p", "c", labels="pg_only")
    write(root, "sqlite", "t", "b", depends="pg_only")

    result = migcheck.check(root, drift=False)

    assert [h.environment for h in result.histories] == ["migrations"]
    assert "names 'pg_only', which is only in postgresql/" in result.notices[0]


def test_a_reference_to_an_id_that_exists_nowhere_keeps_the_split_and_is_mc102_there(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    write_revision(root, "z", "nowhere", under="sqlite")

    result = migcheck.check(root, drift=False)

    assert [(f.rule, f.environment) for f in result.findings] == [("MC102", "migrations [sqlite]")]
    assert result.notices == ()


def test_a_revision_at_the_top_of_the_version_location_prevents_the_split(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    write_revision(root, "top", None)

    result = migcheck.check(root, drift=False)

    assert [h.environment for h in result.histories] == ["migrations"]
    assert result.splits == ()


def test_release_directories_that_build_on_each_other_are_one_history_without_a_note(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    write_revision(root, "a", None, under="2023")
    write_revision(root, "b", "a", under="2024")

    result = migcheck.check(root, drift=False)

    assert [h.environment for h in result.histories] == ["migrations"]
    assert result.findings == () and result.notices == ()


def test_an_unreadable_file_is_reported_in_the_history_of_its_subdirectory(tmp_path: Path) -> None:
    root = per_database(tmp_path)
    (versions_dir(root) / "sqlite" / "broken_rev.py").write_text("revision = 'x'\ndef (:\n", encoding="utf-8")

    result = migcheck.check(root, drift=False)

    assert [(f.rule, f.environment) for f in result.findings] == [("MC107", "migrations [sqlite]")]
    assert len(result.splits) == 1


def test_the_drift_check_skips_histories_that_share_ids_saying_how_to_check_one(tmp_path: Path) -> None:
    root = per_database(tmp_path)

    result = migcheck.check(root)
    one = migcheck.check(root, versions=[versions_dir(root) / "sqlite"], drift=False)

    assert result.exit_code == 0 and result.findings == ()
    assert result.notices == (
        "drift check skipped for migrations: its histories (postgresql/, sqlite/) share revision ids, so they"
        " cannot run on one database; check one at a time with --versions migrations/versions/<subdirectory>"
        " --metadata module:attr",
    )
    assert len(one.histories) == 1 and one.splits == ()
    assert [p.revision for p in one.histories[0].heads] == ["b"]

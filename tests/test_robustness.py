"""Bad input is a finding or a message, never a traceback: `migcheck check` on garbage revision files."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers import make_tree, revision_source, versions_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from migcheck.cli import main

Tree = Callable[..., Path]
SETTINGS = settings(max_examples=60, deadline=None, database=None, derandomize=True)
VALID = revision_source("cccccccccccc", "bbbbbbbbbbbb", ("feature",), "aaaaaaaaaaaa").encode()


def check(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", str(root), *args])


def assert_no_crash(result: Result) -> None:
    """Exit 0, 1 or 2, through click's normal exit, with nothing that looks like a crash in the output."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("garbage")


def check_with_files(scratch: Path, contents: Iterable[bytes], *args: str) -> Result:
    """A project with a valid base and head, plus one revision file per item of `contents`."""
    with tempfile.TemporaryDirectory(dir=scratch) as base:
        root = make_tree(Path(base), ("aaaaaaaaaaaa", None), ("bbbbbbbbbbbb", "aaaaaaaaaaaa"))
        for n, content in enumerate(contents):
            (versions_dir(root) / f"junk{n}_rev.py").write_bytes(content)
        return check(root, *args)


# --- generated garbage ---------------------------------------------------------------------------------

JUNK_LINES = [
    "revision = 'cccccccccccc'",
    "revision: str = 'bbbbbbbbbbbb'",
    "revision = 'aaaaaaaaaaaa'",
    "down_revision = 'bbbbbbbbbbbb'",
    "down_revision = None",
    "down_revision = ('aaaaaaaaaaaa', 'bbbbbbbbbbbb')",
    "down_revision = 'cccccccccccc'",
    "down_revision = ['missing']",
    "down_revision = ()",
    "down_revision = ''",
    "branch_labels = ('feature',)",
    "branch_labels = (cli.EXPAND_BRANCH,)",
    "branch_labels = 'bbbbbbbbbbbb'",
    "depends_on = 'aaaaaaaaaaaa'",
    "depends_on = ('nowhere', None)",
    "depends_on = 'feature'",
    "revision = make_id()",
    "revision = revision",
    "down_revision = down_revision",
    "revision = X",
    "X = X",
    "revision = 'a' + 'b'",
    "revision = ''",
    "revision = None",
    "revision = '\\x00'",
    "from . import cli",
    "from .. import revision",
    "from ...x.y import z as down_revision",
    "import a.b.c as cli",
    "def upgrade():",
    "    pass",
    "class X:",
    "@decorator",
    "async def f(): pass",
    '"""',
    "'''",
    "Revision ID: cccccccccccc",
    "Revises: aaaaaaaaaaaa, <base>",
    "<<<<<<< HEAD",
    "=======",
    ">>>>>>> feature",
    "# migcheck: ignore[MC101]",
    "# migcheck: ignore[",
    "# migcheck: ignore",
    "if True:",
    "    revision = 'zzz'",
    "\\",
    "(",
    ")",
    "[[[[",
    "\t",
    "",
    "\x00",
    "\ufeff",
    "\x0c",
    "\r",
]

junk_line = st.one_of(st.sampled_from(JUNK_LINES), st.text(max_size=30))
mixed_lines = st.lists(junk_line, max_size=25).map(lambda lines: "\n".join(lines).encode("utf-8"))
truncated_valid = st.integers(0, len(VALID)).map(lambda n: VALID[:n])
mutated_valid = st.tuples(st.integers(0, len(VALID)), st.binary(max_size=12)).map(
    lambda cut: VALID[: cut[0]] + cut[1] + VALID[cut[0] :]
)
random_text = st.text(max_size=500).map(lambda s: s.encode("utf-8"))
random_bytes = st.binary(max_size=500)
nested = st.tuples(st.integers(1, 3000), st.sampled_from(["(", "[", "{", "-", "not ", "x.", "'a' + "])).map(
    lambda n_tok: b"revision = " + n_tok[1].encode() * n_tok[0] + b"'c'\ndown_revision = 'bbbbbbbbbbbb'\n"
)
balanced = st.integers(1, 300).map(
    lambda n: (
        b"revision = " + b"(" * n + b"'c'," + b")" * n + b"\ndown_revision = " + b"[" * n + b"]" * n + b"\n"
    )
)
huge_line = st.integers(1_000, 300_000).map(
    lambda n: b"revision = '" + b"c" * n + b"'\ndown_revision = None\n"
)
prefixed = st.tuples(
    st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x80"]), truncated_valid
)
with_prefix = prefixed.map(lambda p: p[0] + p[1])

garbage = st.one_of(
    random_bytes,
    random_text,
    truncated_valid,
    mutated_valid,
    mixed_lines,
    nested,
    balanced,
    huge_line,
    with_prefix,
)


@SETTINGS
@given(content=garbage)
def test_one_garbage_revision_file_is_never_a_traceback(scratch: Path, content: bytes) -> None:
    assert_no_crash(check_with_files(scratch, [content]))


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(contents=st.lists(st.one_of(mixed_lines, truncated_valid, mutated_valid), min_size=2, max_size=5))
def test_several_garbage_revision_files_together_are_never_a_traceback(
    scratch: Path, contents: list[bytes]
) -> None:
    assert_no_crash(check_with_files(scratch, contents))


@settings(max_examples=20, deadline=None, database=None, derandomize=True)
@given(content=st.one_of(mixed_lines, mutated_valid), fmt=st.sampled_from(["json", "text"]))
def test_garbage_is_never_a_traceback_in_any_report_format(scratch: Path, content: bytes, fmt: str) -> None:
    assert_no_crash(check_with_files(scratch, [content], "--format", fmt))


ids = st.sampled_from(["a", "b", "c", "d", "e", "feature", ""])
refs = st.one_of(st.none(), ids, st.lists(ids, max_size=3).map(tuple))


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(
    specs=st.lists(
        st.tuples(ids.filter(bool), refs, st.one_of(st.none(), st.just(("feature",))), refs),
        min_size=1,
        max_size=8,
    )
)
def test_any_graph_duplicates_cycles_dangling_references_included_is_never_a_traceback(
    scratch: Path, specs: list[tuple[str, object, object, object]]
) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as base:
        root = make_tree(Path(base))
        for n, (rid, down, labels, depends) in enumerate(specs):
            # the index in the name lets one id be declared by several files
            source = revision_source(rid, down, labels, depends)  # type: ignore[arg-type]
            (versions_dir(root) / f"{n:02d}_{rid}_rev.py").write_text(source, encoding="utf-8")
        assert_no_crash(check(root))


# --- files that cannot be read ----------------------------------------------------------------------------


def test_a_file_that_cannot_be_decoded_is_a_finding(tree: Tree) -> None:
    root = tree(("a", None))
    (versions_dir(root) / "b_rev.py").write_bytes(
        b"revision = 'b'\ndown_revision = 'a'\nname = '\xe9t\xe9'\n"
    )

    result = check(root)

    assert_no_crash(result)
    assert result.exit_code == 1
    assert "MC107" in result.output
    assert "b_rev.py:3" in result.output


def test_a_utf16_file_is_a_finding(tree: Tree) -> None:
    root = tree(("a", None))
    (versions_dir(root) / "b_rev.py").write_bytes("revision = 'b'\ndown_revision = 'a'\n".encode("utf-16"))

    result = check(root)

    assert_no_crash(result)
    assert result.exit_code == 1
    assert "MC107" in result.output


def test_a_directory_named_like_a_revision_file_is_ignored(tree: Tree) -> None:
    root = tree(("a", None), ("b", "a"))
    (versions_dir(root) / "x.py").mkdir()
    (versions_dir(root) / "x.py" / "README").write_text("not a revision\n", encoding="utf-8")

    result = check(root)

    assert_no_crash(result)
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_a_file_without_read_permission_is_a_finding(tree: Tree) -> None:
    root = tree(("a", None), ("b", "a"))
    locked = versions_dir(root) / "b_rev.py"
    locked.chmod(0)
    try:
        result = check(root)
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)

    assert_no_crash(result)
    assert result.exit_code == 1
    assert "MC107" in result.output
    assert "b_rev.py" in result.output


def test_an_empty_versions_directory_is_not_a_traceback(tree: Tree) -> None:
    assert_no_crash(check(tree()))


def test_a_project_with_no_versions_directory_is_not_a_traceback(tree: Tree) -> None:
    root = tree()
    versions_dir(root).rmdir()

    assert_no_crash(check(root))


def test_a_symlink_loop_in_a_recursive_version_directory_is_not_an_internal_error(tree: Tree) -> None:
    root = tree(("a", None), ("b", "a"))
    ini = root / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("[alembic]\n", "[alembic]\nrecursive_version_locations = true\n"),
        encoding="utf-8",
    )
    os.symlink("..", versions_dir(root) / "loop")

    result = check(root)

    assert_no_crash(result)
    assert result.exit_code == 0, result.output


def test_a_revision_id_that_cannot_be_encoded_is_not_a_traceback(tree: Tree) -> None:
    root = tree(("a", None), ("b", "a"))
    (versions_dir(root) / "c_rev.py").write_text(
        "revision = '\\ud800'\ndown_revision = 'a'\n", encoding="utf-8"
    )

    assert_no_crash(check(root))


def test_a_file_name_that_is_not_utf8_is_not_a_traceback(tree: Tree) -> None:
    root = tree(("a", None), ("b", "a"))
    with open(os.path.join(os.fsencode(versions_dir(root)), b"\xff_rev.py"), "wb") as fh:
        fh.write(b"not python (")

    assert_no_crash(check(root))


# --- version locations whose files cannot be listed: could not check, never "ok: 0 revisions" ------------


def assert_could_not_check(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert not result.stdout.startswith("ok"), result.stdout
    assert "Traceback" not in result.output and "internal error" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr


def refuse_listing(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """os.scandir fails on `directory` as it does for a non-root user without the read bit (root reads all)."""
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.path.realpath(path) == os.path.realpath(directory):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_a_version_location_that_is_a_regular_file_is_could_not_check(tree: Tree) -> None:
    root = tree()
    versions_dir(root).rmdir()
    versions_dir(root).write_text("not a directory\n", encoding="utf-8")

    assert_could_not_check(check(root), "migrations/versions", "is not a directory")


def test_a_version_location_that_is_a_dangling_symlink_is_could_not_check(tree: Tree) -> None:
    root = tree()
    versions_dir(root).rmdir()
    os.symlink("gone", versions_dir(root))

    assert_could_not_check(check(root), "migrations/versions", "symbolic link", "gone", "does not exist")


def test_a_version_location_that_cannot_be_listed_is_could_not_check(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(("a", None), ("b", "a"))
    refuse_listing(monkeypatch, versions_dir(root))

    assert_could_not_check(check(root, "--no-drift"), "migrations/versions", "Permission denied")


def test_a_subdirectory_of_a_recursive_version_location_that_cannot_be_listed_is_could_not_check(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(("a", None), ("b", "a"))
    ini = root / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("[alembic]\n", "[alembic]\nrecursive_version_locations = true\n"),
        encoding="utf-8",
    )
    (versions_dir(root) / "2024").mkdir()
    (versions_dir(root) / "2024" / "c_rev.py").write_text(revision_source("c", "b"), encoding="utf-8")
    refuse_listing(monkeypatch, versions_dir(root) / "2024")

    assert_could_not_check(check(root, "--no-drift"), "migrations/versions/2024", "Permission denied")


def test_a_configured_version_location_that_is_a_file_is_could_not_check(tree: Tree) -> None:
    root = tree(("a", None))
    (root / "more").write_text("a file\n", encoding="utf-8")
    ini = root / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "[alembic]\n",
            f"[alembic]\nversion_locations = %(here)s/migrations/versions{os.pathsep}%(here)s/more\n",
        ),
        encoding="utf-8",
    )

    assert_could_not_check(check(root), "more", "is not a directory")


def test_every_command_that_reads_the_revisions_refuses_an_unlistable_location(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(("a", None), ("b", "a"))
    refuse_listing(monkeypatch, versions_dir(root))

    for command in (["graph"], ["fix"], ["status", "--database-url", "sqlite://"]):
        result = CliRunner().invoke(main, [*command, str(root)])
        assert_could_not_check(result, "migrations/versions", "Permission denied")


def test_a_version_location_that_does_not_exist_is_a_note_as_alembic_reads_nothing_there(tree: Tree) -> None:
    root = tree()
    versions_dir(root).rmdir()  # git keeps no empty directory: a project with no revision yet

    result = check(root)

    assert result.exit_code == 0, result.output
    assert "migrations/versions does not exist" in result.output


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can list a chmod 000 directory"
)
def test_a_version_directory_without_read_permission_is_could_not_check(tree: Tree) -> None:
    root = tree(("a", None), ("b", "a"))
    versions_dir(root).chmod(0)
    try:
        result = check(root, "--no-drift")
    finally:
        versions_dir(root).chmod(stat.S_IRWXU)

    assert_could_not_check(result, "migrations/versions", "Permission denied")


def _with_big_header(rid: str, size: int) -> bytes:
    """A valid revision whose header holds one string literal, making the file exactly `size` bytes."""
    source = revision_source(rid, None).encode()
    header, _, body = source.partition(b"\ndef upgrade")
    filler = b'\nDATA = ""\n'
    pad = size - len(source) - len(filler)
    return header + filler[:-2] + b"x" * pad + b'"\n' + b"\ndef upgrade" + body


def test_a_revision_file_over_the_size_limit_is_mc107_too_large_to_read_safely(tree: Tree) -> None:
    from migcheck.scripts import MAX_REVISION_BYTES

    root = tree(("aaaaaaaaaaaa", None))
    big = versions_dir(root) / "bbbbbbbbbbbb_big.py"
    big.write_bytes(_with_big_header("bbbbbbbbbbbb", MAX_REVISION_BYTES + 1))

    result = check(root, "--no-drift", "--format", "json")

    assert result.exit_code == 1, result.output
    assert '"rule": "MC107"' in result.stdout
    assert "too large to read safely" in result.stdout
    assert '"path": "migrations/versions/bbbbbbbbbbbb_big.py"' in result.stdout


def test_a_revision_file_at_the_size_limit_is_read(tree: Tree) -> None:
    from migcheck.scripts import MAX_REVISION_BYTES

    root = tree(("aaaaaaaaaaaa", None))
    (versions_dir(root) / "bbbbbbbbbbbb_big.py").write_bytes(
        _with_big_header("bbbbbbbbbbbb", MAX_REVISION_BYTES)
    )
    (versions_dir(root) / "aaaaaaaaaaaa_rev.py").unlink()

    result = check(root, "--no-drift")

    assert result.exit_code == 0, result.output
    assert "1 revision, 1 head (bbbbbbbbbbbb)" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_a_revision_file_is_a_finding_and_does_not_block(tree: Tree) -> None:
    root = tree(("aaaaaaaaaaaa", None))
    os.mkfifo(versions_dir(root) / "bbbbbbbbbbbb_fifo.py")

    result = check(root, "--no-drift")

    assert result.exit_code == 1
    assert "MC107" in result.output and "not a regular file" in result.output

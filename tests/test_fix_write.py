"""`migcheck fix` never corrupts a user's file: it edits exactly the target's value, keeps every other byte
(line endings, BOM, declared encoding), verifies the result before writing, writes atomically, and never runs
the project's code, not even to write a merge revision.

The two-heads projects here hold a base `a` and two revisions on it, `b` and `c`: `fix` re-points `b` at `c`
(`c`'s file is `0c_rev.py`: of two equally long sides, the one whose head's file name sorts last moves).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_tree, revision_source, versions_dir

from migcheck.cli import main
from migcheck.config import load_settings
from migcheck.errors import MigcheckError
from migcheck.fix import apply, plan

HEADER = '"""b\n\nRevision ID: b\nRevises: a\nCreate Date: 2024-04-01 00:00:00\n\n"""\n'
BODY = "\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"


def two_heads(tmp_path: Path, b_source: str | bytes) -> tuple[Path, Path]:
    """A project whose revision `b` has exactly these bytes; `b` and `c` are both heads on `a`."""
    root = older_c(make_tree(tmp_path, ("a", None), ("c", "a")))
    path = versions_dir(root) / "b_rev.py"
    path.write_bytes(b_source.encode() if isinstance(b_source, str) else b_source)
    return root, path


def older_c(root: Path) -> Path:
    """Rename `c`'s file so that it sorts before `b_rev.py`: `b` is then the side `fix` moves."""
    (versions_dir(root) / "c_rev.py").rename(versions_dir(root) / "0c_rev.py")
    return root


def fix(root: Path, *args: str):
    return CliRunner().invoke(main, ["fix", str(root), *args])


def check(root: Path):
    return CliRunner().invoke(main, ["check", str(root), "--no-drift"])


def changed_lines(diff: str) -> list[str]:
    return [
        line
        for line in diff.split("\n")
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]


# --- 5: exactly the value node of the target assignment ---------------------------------------------------


def test_write_edits_down_revision_when_revision_shares_its_line(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + 'revision = "b"; down_revision = "a"\n' + BODY)

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert 'revision = "b"; down_revision = "c"\n' in path.read_text()
    assert "Revises: c\n" in path.read_text()
    assert check(root).exit_code == 0


def test_write_edits_down_revision_not_the_assignment_before_it_on_the_line(tmp_path: Path) -> None:
    source = HEADER + 'revision = "b"\nmsg = "x"; down_revision = "a"\n' + BODY

    root, path = two_heads(tmp_path, source)
    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert path.read_text() == source.replace('down_revision = "a"', 'down_revision = "c"').replace(
        "Revises: a", "Revises: c"
    )


def test_write_edits_an_annotated_down_revision(tmp_path: Path) -> None:
    root = older_c(make_tree(tmp_path, ("a", None), ("c", "a")))
    path = versions_dir(root) / "b_rev.py"
    path.write_text(revision_source("b", "a"))

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert "down_revision: Union[str, Sequence[str], None] = 'c'\n" in path.read_text()
    assert "Revises: c\n" in path.read_text()


def test_write_edits_the_element_of_a_one_parent_tuple(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + "revision = 'b'\ndown_revision = ('a',)\n" + BODY)

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert "down_revision = ('c',)\n" in path.read_text()
    assert check(root).exit_code == 0


def test_write_edits_the_final_assignment_when_down_revision_is_assigned_twice(tmp_path: Path) -> None:
    root, path = two_heads(
        tmp_path, HEADER + 'revision = "b"\ndown_revision = "zz"; down_revision = "a"\n' + BODY
    )

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert 'down_revision = "zz"; down_revision = "c"\n' in path.read_text()


def test_a_down_revision_that_is_not_a_literal_is_refused_with_the_line(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + 'PARENT = "a"\nrevision = "b"\ndown_revision = PARENT\n' + BODY)
    before = path.read_bytes()

    result = fix(root, "--write")

    assert result.exit_code == 2
    assert "b_rev.py:10" in result.output and "by hand" in result.output
    assert path.read_bytes() == before


def test_an_edit_that_would_not_leave_one_head_is_refused(tmp_path: Path) -> None:
    """The planned graph is verified: re-pointing `b` at `c` while `d` is a third head does not resolve it."""
    from migcheck.engine import load
    from migcheck.fix import _repoint

    root, path = two_heads(tmp_path, HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY)
    (versions_dir(root) / "d_rev.py").write_text(revision_source("d", "a"))
    loaded = load(load_settings(root, {})).environments[0]
    graph = next(iter(loaded.histories)).graph

    with pytest.raises(MigcheckError, match=r"b_rev.py.*2 head\(s\) \(b, d\)"):
        _repoint(graph, ["b", "c"], set(), root, loaded.env, loaded.expected_heads)


def test_a_file_that_no_longer_declares_the_planned_revision_is_refused(tmp_path: Path) -> None:
    from migcheck.engine import load
    from migcheck.fix import _repoint

    root, path = two_heads(tmp_path, HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY)
    loaded = load(load_settings(root, {})).environments[0]
    graph = next(iter(loaded.histories)).graph
    path.write_text(path.read_text().replace('revision = "b"', 'revision = "bb"'))

    with pytest.raises(MigcheckError, match="b_rev.py.*'bb'"):
        _repoint(graph, ["b", "c"], set(), root, loaded.env, loaded.expected_heads)


# --- 6: every byte outside the edited span is kept --------------------------------------------------------


def test_write_keeps_crlf_line_endings_and_the_diff_shows_only_the_changed_lines(tmp_path: Path) -> None:
    source = (HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY).replace("\n", "\r\n").encode()
    root, path = two_heads(tmp_path, source)

    dry = fix(root)
    wrote = fix(root, "--write")

    assert dry.exit_code == 0, dry.output
    assert changed_lines(dry.stdout_bytes.decode()) == [
        "-Revises: a\r",
        "+Revises: c\r",
        '-down_revision = "a"\r',
        '+down_revision = "c"\r',
    ]
    assert wrote.exit_code == 0, wrote.output
    assert path.read_bytes() == source.replace(b"Revises: a", b"Revises: c").replace(
        b'down_revision = "a"', b'down_revision = "c"'
    )


def test_write_keeps_a_utf8_bom(tmp_path: Path) -> None:
    source = b"\xef\xbb\xbf" + (HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY).encode()
    root, path = two_heads(tmp_path, source)

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert path.read_bytes() == source.replace(b"Revises: a", b"Revises: c").replace(
        b'down_revision = "a"', b'down_revision = "c"'
    )


def test_write_keeps_latin1_text_declared_by_a_coding_cookie(tmp_path: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\n"
        + HEADER.replace('"""b', '"""b: café')
        + 'revision = "b"\nnote = "déjà"; down_revision = "a"\n'
        + BODY
    ).encode("latin-1")
    root, path = two_heads(tmp_path, source)

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert path.read_bytes() == source.replace(b"Revises: a", b"Revises: c").replace(
        b'down_revision = "a"', b'down_revision = "c"'
    )


def test_write_keeps_the_file_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY)
    path.chmod(0o640)
    listing = sorted(os.listdir(path.parent))

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(path.parent)) == listing


def test_write_through_a_symlink_edits_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY)
    real = tmp_path / "elsewhere_b.py"
    shutil.move(path, real)
    path.symlink_to(real)

    result = fix(root, "--write")

    assert result.exit_code == 0, result.output
    assert path.is_symlink()
    assert 'down_revision = "c"' in real.read_text()


def test_a_read_only_file_is_refused_with_its_name(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY)
    before = path.read_bytes()
    path.chmod(0o444)

    result = fix(root, "--write")

    assert result.exit_code == 2
    assert "b_rev.py" in result.output and "read-only" in result.output
    assert "internal error" not in result.output
    assert path.read_bytes() == before


def test_an_undecodable_file_is_refused_with_its_name(tmp_path: Path) -> None:
    # No coding cookie, so the file is UTF-8 to Python; the stray latin-1 byte is below the header.
    source = (HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY).encode() + b"# caf\xe9\n"
    root, path = two_heads(tmp_path, source)

    result = fix(root)

    assert result.exit_code == 2
    assert "b_rev.py" in result.output and "utf-8" in result.output.lower()
    assert "internal error" not in result.output
    assert path.read_bytes() == source


def test_a_file_changed_between_plan_and_write_is_refused(tmp_path: Path) -> None:
    root, path = two_heads(tmp_path, HEADER + 'revision = "b"\ndown_revision = "a"\n' + BODY)
    edits = plan(load_settings(root, {}))
    path.write_text(path.read_text() + "# edited meanwhile\n")
    meanwhile = path.read_bytes()

    with pytest.raises(MigcheckError, match="b_rev.py.*changed"):
        apply(edits)
    assert path.read_bytes() == meanwhile


# --- 7: a merge revision from script.py.mako, no revision file imported ------------------------------------

MARKER_REVISION = '''\
"""c

Revision ID: c
Revises: a
Create Date: 2024-04-01 00:00:00

"""
open({marker!r}, "w").write("imported")

revision = "c"
down_revision = "a"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
'''


@pytest.mark.parametrize("write", [False, True], ids=["dry-run", "write"])
def test_fix_merge_never_imports_a_revision_file(tmp_path: Path, write: bool) -> None:
    marker = tmp_path / "imported"
    root = make_tree(tmp_path, ("a", None), ("b", "a"))
    (versions_dir(root) / "c_rev.py").write_text(MARKER_REVISION.format(marker=str(marker)))

    result = fix(root, "--merge", *(["--write"] if write else []))

    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert "Revises: b, c" in result.output
    assert (check(root).exit_code == 0) is write


def test_fix_merge_dry_run_does_not_render_a_template_that_runs_code(tmp_path: Path) -> None:
    marker = tmp_path / "rendered"
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    template = root / "migrations" / "script.py.mako"
    template.write_text(f"<% open({str(marker)!r}, 'w').write('ran') %>\n" + template.read_text())

    result = fix(root, "--merge")

    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert "script.py.mako runs code (line 1" in result.output and "--write" in result.output


def test_fix_merge_write_renders_a_template_that_runs_code_as_alembic_merge_would(tmp_path: Path) -> None:
    marker = tmp_path / "rendered"
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    template = root / "migrations" / "script.py.mako"
    template.write_text(f"<% open({str(marker)!r}, 'w').write('ran') %>\n" + template.read_text())

    result = fix(root, "--merge", "--write")

    assert result.exit_code == 0, result.output
    assert marker.read_text() == "ran"
    assert check(root).exit_code == 0


def test_fix_merge_runs_no_post_write_hook_and_says_so(tmp_path: Path) -> None:
    marker = tmp_path / "hooked"
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    ini = root / "alembic.ini"
    ini.write_text(
        ini.read_text()
        + f"\n[post_write_hooks]\nhooks = touch\ntouch.type = exec\ntouch.executable = touch\n"
        f"touch.options = {marker}\n"
    )

    result = fix(root, "--merge", "--write")

    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert "note: post_write_hooks (touch) are not run by migcheck" in result.output


def test_fix_merge_never_replaces_an_existing_file(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", "a"), ("c", "a"))
    taken = versions_dir(root) / "merge_heads.py"
    (versions_dir(root) / "c_rev.py").rename(taken)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nfile_template = %%(slug)s\n"))
    before = taken.read_bytes()

    result = fix(root, "--merge", "--write")

    assert result.exit_code == 2
    assert "merge_heads.py exists already" in result.output
    assert taken.read_bytes() == before


def _tool(project: Path, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=project, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _revision_id(output: str) -> str:
    match = re.search(r"([0-9a-f]{12})_\w+\.py", output)
    assert match, output
    return match.group(1)


def _generated_two_heads(tmp_path: Path, template: str, file_template: str | None) -> Path:
    project = tmp_path / "generated"
    project.mkdir()
    _tool(project, "init", "-t", template, "migrations")
    if file_template is not None:
        config = project / ("pyproject.toml" if template == "pyproject" else "alembic.ini")
        text = config.read_text()
        text, n = re.subn(r"(?m)^# file_template = .*$", file_template, text, count=1)
        assert n == 1
        config.write_text(text)
    base = _revision_id(_tool(project, "revision", "-m", "create account"))
    _tool(project, "revision", "-m", "add age", "--head", base)
    _tool(project, "revision", "-m", "add points", "--head", base, "--splice")
    return project


def _new_file(before: set[Path], project: Path) -> Path:
    (created,) = set((project / "migrations" / "versions").glob("*.py")) - before
    return created


def _normalised(path: Path) -> tuple[str, str]:
    """The file's name and text with its own revision id and date taken out."""
    match = re.search(r"^Revision ID: (\w+)$", path.read_text(), re.M)
    assert match, path.read_text()
    rev = match.group(1)
    name = re.sub(r"\d{4}_\d{2}_\d{2}_\d{4}", "<date>", path.name.replace(rev, "<rev>"))
    text = re.sub(r"Create Date: .*", "Create Date: <date>", path.read_text().replace(rev, "<rev>"))
    return name, text


@pytest.mark.parametrize(
    ("template", "file_template"),
    [
        ("generic", None),
        (
            "generic",
            "file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
        ),
        (
            "pyproject",
            'file_template = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"',
        ),
        ("multidb", None),
    ],
    ids=["generic", "generic-file_template", "pyproject-file_template", "multidb"],
)
def test_fix_merge_writes_what_alembic_merge_writes(
    tmp_path: Path, template: str, file_template: str | None
) -> None:
    project = _generated_two_heads(tmp_path, template, file_template)
    ours, theirs = project, Path(shutil.copytree(project, tmp_path / "copy"))
    versions = set((ours / "migrations" / "versions").glob("*.py"))

    dry = fix(ours, "--merge")
    result = fix(ours, "--merge", "--write")

    assert dry.exit_code == 0 and "note:" not in dry.output, dry.output  # rendered in the dry run too
    assert "+Revises: " in dry.output

    assert result.exit_code == 0, result.output
    mine = _new_file(versions, ours)
    down = re.search(r"^down_revision.*= \('(\w+)', '(\w+)'\)$", mine.read_text(), re.M)
    assert down, mine.read_text()
    _tool(theirs, "merge", "-m", "merge heads", down.group(1), down.group(2))
    alembics = _new_file({theirs / p.relative_to(ours) for p in versions}, theirs)
    assert _normalised(mine) == _normalised(alembics)

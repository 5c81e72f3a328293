"""The static reader: revision files written to disk become `Revision`s (or `Unreadable`s) through `ast` alone."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest
from helpers import (
    BRANCH_LABELS_LINE,
    DEPENDS_ON_LINE,
    DOWN_REVISION_LINE,
    REVISION_LINE,
    make_project,
    revision_source,
    versions_dir,
)

from migcheck.constants import ConstantResolver
from migcheck.scripts import FILE_WIDE, Revision, Unreadable, iter_revision_files, read_revision


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def read(tmp_path: Path, text: str | bytes, name: str = "abc_rev.py") -> Revision | Unreadable:
    path = write(tmp_path / "versions" / name, text)
    return read_revision(path, f"versions/{name}", ConstantResolver(tmp_path))


def readable(tmp_path: Path, text: str | bytes, name: str = "abc_rev.py") -> Revision:
    result = read(tmp_path, text, name)
    assert isinstance(result, Revision), result
    return result


def unreadable(tmp_path: Path, text: str | bytes, name: str = "abc_rev.py") -> Unreadable:
    result = read(tmp_path, text, name)
    assert isinstance(result, Unreadable), result
    return result


# --- the identifiers -----------------------------------------------------------------------------------


def test_alembic_template_file_is_read_with_every_identifier_and_its_line(tmp_path: Path) -> None:
    rev = readable(tmp_path, revision_source("bbbbbbbbbbbb", "aaaaaaaaaaaa", ("expand",), "cccccccccccc"))

    assert rev.id == "bbbbbbbbbbbb"
    assert rev.path == "versions/abc_rev.py"
    assert rev.down_revisions == ("aaaaaaaaaaaa",)
    assert rev.branch_labels == ("expand",)
    assert rev.depends_on == ("cccccccccccc",)
    assert rev.revision_line == REVISION_LINE
    assert rev.down_revision_line == DOWN_REVISION_LINE
    assert rev.branch_labels_line == BRANCH_LABELS_LINE
    assert rev.depends_on_line == DEPENDS_ON_LINE
    assert not rev.is_base


def test_plain_assignments_of_the_classic_template_are_read(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        '''
        """add column age

        Revision ID: bbbbbbbbbbbb
        Revises: aaaaaaaaaaaa
        Create Date: 2016-01-01 00:00:00

        """

        # revision identifiers, used by Alembic.
        revision = 'bbbbbbbbbbbb'
        down_revision = 'aaaaaaaaaaaa'
        branch_labels = None
        depends_on = None

        from alembic import op
        import sqlalchemy as sa


        def upgrade():
            op.add_column('user', sa.Column('age', sa.Integer()))


        def downgrade():
            op.drop_column('user', 'age')
        ''',
    )

    assert (rev.id, rev.down_revisions, rev.branch_labels, rev.depends_on) == (
        "bbbbbbbbbbbb",
        ("aaaaaaaaaaaa",),
        (),
        (),
    )
    assert (rev.revision_line, rev.down_revision_line, rev.branch_labels_line, rev.depends_on_line) == (
        10,
        11,
        12,
        13,
    )


def test_a_base_has_no_down_revisions(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\n")

    assert rev.down_revisions == ()
    assert rev.is_base


def test_identifiers_not_assigned_at_all_are_empty_with_no_line(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\n")

    assert (rev.branch_labels, rev.depends_on) == ((), ())
    assert (rev.branch_labels_line, rev.depends_on_line) == (None, None)
    assert not rev.unknown_labels and not rev.unknown_depends_on


def test_down_revision_tuple_of_a_merge_is_read_in_order(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'm'\ndown_revision = ('b', 'a')\n")

    assert rev.down_revisions == ("b", "a")


def test_down_revision_list_is_read_as_a_tuple(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'm'\ndown_revision = ['a', 'b']\n")

    assert rev.down_revisions == ("a", "b")


def test_down_revision_empty_tuple_is_a_base(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = ()\n")

    assert rev.is_base


def test_a_one_line_down_revision_keeps_the_text_around_its_id_for_a_fix(tmp_path: Path) -> None:
    rev = readable(tmp_path, 'revision = "b"\ndown_revision: Union[str, None] = "a"  # parent\r\n')

    assert rev.down_revision_around == ('down_revision: Union[str, None] = "', '"  # parent')


@pytest.mark.parametrize(
    "line",
    [
        "down_revision = ('a', 'b')",  # a merge: no single id to swap
        "down_revision = None",
        'down_revision = """a"""',
        "down_revision = 'a' 'b'",
        "down_revision = '\\x61'",  # an escape: the source is not the id
        "down_revision = (\n    'a'\n)",
    ],
)
def test_no_text_around_an_id_that_is_not_one_plain_literal_on_its_line(tmp_path: Path, line: str) -> None:
    rev = readable(tmp_path, f"revision = 'm'\n{line}\n")

    assert rev.down_revision_around is None


def test_a_multi_line_annotated_assignment_is_reported_at_its_first_line(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        """
        from typing import Sequence, Union

        revision: str = "m"
        down_revision: Union[str, Sequence[str], None] = (
            "a",
            "b",
        )
        depends_on: Union[str, Sequence[str], None] = [
            "c",
        ]
        """,
    )

    assert rev.down_revisions == ("a", "b")
    assert rev.down_revision_line == 4
    assert rev.depends_on == ("c",)
    assert rev.depends_on_line == 8


def test_triple_quoted_and_single_quoted_ids_are_plain_strings(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision: Final[str] = '''a1'''\ndown_revision: Optional[str] = \"a0\"\n")

    assert (rev.id, rev.down_revisions) == ("a1", ("a0",))


def test_branch_labels_as_a_string_is_one_label(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\nbranch_labels = 'expand'\n")

    assert rev.branch_labels == ("expand",)


def test_branch_labels_as_a_tuple_are_all_labels(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\nbranch_labels = ('core', 'v2')\n")

    assert rev.branch_labels == ("core", "v2")


def test_depends_on_as_a_list_of_ids_and_labels(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'b'\ndown_revision = None\ndepends_on = ['a', 'core']\n")

    assert rev.depends_on == ("a", "core")


def test_the_last_assignment_wins_as_at_import_time(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'old'\ndown_revision = None\nrevision = 'new'\n")

    assert rev.id == "new"
    assert rev.revision_line == 3


def test_non_hex_revision_ids_are_taken_as_written(tmp_path: Path) -> None:
    rev = readable(
        tmp_path, "revision = 'main_0002'\ndown_revision = 'main_0001'\n", "2024_02_10-main_0002_roles.py"
    )

    assert (rev.id, rev.down_revisions) == ("main_0002", ("main_0001",))


def test_a_legacy_file_named_by_its_hex_id_needs_no_revision_variable(tmp_path: Path) -> None:
    # Alembic 0.1 files: the id is the file name (alembic/script/base.py `_legacy_rev`)
    rev = readable(tmp_path, "down_revision = '4b2c7d8e9f10'\n", "1975ea83b712.py")

    assert rev.id == "1975ea83b712"
    assert rev.revision_line == 1
    assert rev.down_revisions == ("4b2c7d8e9f10",)


def test_a_file_with_no_revision_variable_and_a_non_hex_name_is_unreadable(tmp_path: Path) -> None:
    item = unreadable(tmp_path, "down_revision = None\n", "1975ea83b712_add_user.py")

    assert item.path == "versions/1975ea83b712_add_user.py"
    assert item.line == 1
    assert item.revision is None


def test_a_file_with_no_down_revision_is_unreadable_and_names_its_revision(tmp_path: Path) -> None:
    item = unreadable(tmp_path, "import os\n\nrevision = 'abc'\n")

    assert item.revision == "abc"
    assert item.line == 3
    assert "down_revision" in item.reason


def test_a_computed_revision_id_is_unreadable_at_its_line(tmp_path: Path) -> None:
    item = unreadable(tmp_path, "import uuid\n\nrevision = make_id()\ndown_revision = None\n")

    assert item.line == 3
    assert "revision" in item.reason


@pytest.mark.parametrize("value", ["None", "42", "('a', 'b')", "f'{x}'", "'a' + 'b'", "''"])
def test_a_revision_that_is_not_one_non_empty_string_is_unreadable(tmp_path: Path, value: str) -> None:
    item = unreadable(tmp_path, f"revision = {value}\ndown_revision = None\n")

    assert item.line == 1


def test_a_computed_down_revision_is_unreadable_at_its_line_and_names_the_revision(tmp_path: Path) -> None:
    item = unreadable(tmp_path, "revision = 'b'\ndown_revision = previous()\n")

    assert item.line == 2
    assert item.revision == "b"
    assert "previous()" in item.reason


def test_unresolved_branch_labels_mark_the_revision_as_labelled_by_an_unknown_label(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\nbranch_labels = (settings.BRANCH,)\n")

    assert rev.unknown_labels is True
    assert rev.branch_labels == ()
    assert rev.branch_labels_line == 3


def test_unresolved_depends_on_is_flagged_not_guessed(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\ndepends_on = find_dependency()\n")

    assert rev.unknown_depends_on is True
    assert rev.depends_on == ()
    assert rev.depends_on_line == 3


# --- the docstring header -----------------------------------------------------------------------------


def test_docstring_header_values_and_lines_are_recorded(tmp_path: Path) -> None:
    rev = readable(tmp_path, revision_source("m", ("a", "b")))

    assert rev.doc_revision == "m"
    assert rev.doc_revision_line == 3
    assert rev.doc_revises == ("a", "b")
    assert rev.doc_revises_line == 4


def test_an_empty_revises_line_of_a_base_is_no_parent(tmp_path: Path) -> None:
    rev = readable(tmp_path, revision_source("a", None))

    assert rev.doc_revises == ()
    assert rev.doc_revises_line == 4


@pytest.mark.parametrize("said", ["<base>", "None"])
def test_revises_base_spellings_mean_no_parent(tmp_path: Path, said: str) -> None:
    rev = readable(
        tmp_path, f'"""x\n\nRevision ID: a\nRevises: {said}\n"""\nrevision = "a"\ndown_revision = None\n'
    )

    assert rev.doc_revises == ()


@pytest.mark.parametrize(
    "said",
    [
        "'1f002cab0a7', '28a7e805fd0'",  # Alembic's old merge template: quoted, comma-separated
        "('1f002cab0a7', '28a7e805fd0')",  # a template that rendered the tuple itself
        "(u'1f002cab0a7', u'28a7e805fd0')",  # the same under Python 2
        '"1f002cab0a7", "28a7e805fd0"',
        "['1f002cab0a7', '28a7e805fd0']",
    ],
)
def test_a_quoted_or_bracketed_merge_header_names_the_two_parents(tmp_path: Path, said: str) -> None:
    rev = readable(
        tmp_path,
        f'"""merge\n\nRevision ID: m\nRevises: {said}\n"""\n'
        'revision = "m"\ndown_revision = ("1f002cab0a7", "28a7e805fd0")\n',
    )

    assert rev.doc_revises == ("1f002cab0a7", "28a7e805fd0")


def test_a_quoted_single_parent_header_is_that_parent(tmp_path: Path) -> None:
    rev = readable(
        tmp_path, '"""x\n\nRevision ID: b\nRevises: \'a\'\n"""\nrevision = "b"\ndown_revision = "a"\n'
    )

    assert rev.doc_revises == ("a",)


def test_unquoted_ids_that_start_with_u_keep_it(tmp_path: Path) -> None:
    rev = readable(tmp_path, revision_source("m", ("u1", "ua")))

    assert rev.doc_revises == ("u1", "ua")


def test_header_lines_are_counted_from_where_the_docstring_starts(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        '#!/usr/bin/env python\n# a comment\n\n"""x\n\nRevision ID: a\nRevises: z\n"""\n'
        "revision = 'a'\ndown_revision = 'z'\n",
    )

    assert (rev.doc_revision, rev.doc_revision_line) == ("a", 6)
    assert (rev.doc_revises, rev.doc_revises_line) == (("z",), 7)


def test_a_stale_header_is_recorded_as_written(tmp_path: Path) -> None:
    rev = readable(
        tmp_path, '"""x\n\nRevision ID: old\nRevises: gone\n"""\nrevision = "a"\ndown_revision = None\n'
    )

    assert (rev.doc_revision, rev.doc_revises) == ("old", ("gone",))
    assert (rev.id, rev.down_revisions) == ("a", ())


def test_a_file_without_docstring_has_no_header_values(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None\n")

    assert (rev.doc_revision, rev.doc_revision_line, rev.doc_revises, rev.doc_revises_line) == (
        None,
        None,
        None,
        None,
    )


def test_a_docstring_without_header_lines_has_no_header_values(tmp_path: Path) -> None:
    rev = readable(tmp_path, '"""just a message"""\nrevision = "a"\ndown_revision = None\n')

    assert (rev.doc_revision, rev.doc_revises) == (None, None)


# --- header-only parsing and its fallback --------------------------------------------------------------


def test_a_syntax_error_after_the_header_is_unreadable_at_its_line_and_keeps_the_declared_revision(
    tmp_path: Path,
) -> None:
    # Alembic imports the whole file: a syntax error inside upgrade() breaks every command, like one in the header
    item = unreadable(
        tmp_path,
        """
        revision = "b"
        down_revision = "a"


        def upgrade():
            op.execute(
        """,
    )

    assert item.line == 6
    assert "not valid Python" in item.reason and "was never closed" in item.reason
    assert item.revision == "b"
    assert item.declared is not None
    assert (item.declared.id, item.declared.down_revisions) == ("b", ("a",))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def upgrade():\n    pass\n\n\nreturn 1\n", "'return' outside function"),
        ("def upgrade():\n    pass\n\n\nbreak\n", "'break' outside loop"),
        ("def upgrade():\n    nonlocal x\n", "no binding for nonlocal 'x' found"),
        ("def upgrade(a, a):\n    pass\n", "duplicate argument 'a'"),
    ],
    ids=["return-outside-function", "break-outside-loop", "nonlocal-without-binding", "duplicate-argument"],
)
def test_code_that_parses_but_does_not_compile_is_unreadable(tmp_path: Path, body: str, message: str) -> None:
    item = unreadable(tmp_path, f"revision = 'b'\ndown_revision = 'a'\n\n\n{body}")

    assert message in item.reason
    assert item.revision == "b"


def test_a_file_that_compiles_with_warnings_is_readable_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rev = readable(tmp_path, "revision = 'b'\ndown_revision = 'a'\n\n\ndef upgrade():\n    x = '\\d'\n")

    assert rev.id == "b"
    assert capsys.readouterr() == ("", "")


# --- Alembic's truth: the module's final value -----------------------------------------------------------

REASSIGNED = """
revision = "b"
down_revision = "a"
branch_labels = None
depends_on = None


def upgrade():
    pass


{name} = {value}
"""


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("revision", '"c"', "id", "c"),
        ("down_revision", '"z"', "down_revisions", ("z",)),
        ("branch_labels", '("feature",)', "branch_labels", ("feature",)),
        ("depends_on", '"x"', "depends_on", ("x",)),
    ],
)
def test_an_identifier_reassigned_below_the_first_def_has_its_final_value(
    tmp_path: Path, name: str, value: str, field: str, expected: object
) -> None:
    rev = readable(tmp_path, REASSIGNED.format(name=name, value=value))

    assert getattr(rev, field) == expected
    assert getattr(rev, f"{name}_line") == 11


def test_an_annotated_reassignment_below_the_first_def_counts(tmp_path: Path) -> None:
    rev = readable(tmp_path, REASSIGNED.format(name="down_revision: str", value='"z"'))

    assert rev.down_revisions == ("z",)


def test_a_local_variable_of_the_same_name_in_a_function_does_not_count(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        """
        revision = "b"
        down_revision = "a"


        def upgrade():
            down_revision = "zzz"
            revision: str = "yyy"
            print(down_revision, revision, context.revision)


        class Helper:
            down_revision = "xxx"
        """,
    )

    assert (rev.id, rev.down_revisions) == ("b", ("a",))


@pytest.mark.parametrize(
    ("rebinding", "how"),
    [
        ("if os.environ.get('X'):\n    down_revision = 'z'\n", "inside an `if` block"),
        ("try:\n    down_revision = compute()\nexcept Exception:\n    pass\n", "inside a `try` block"),
        ("for down_revision in ['z']:\n    pass\n", "inside a `for` block"),
        ("with open(__file__) as down_revision:\n    pass\n", "inside a `with` block"),
        ("down_revision += ('z',)\n", "augmented assignment"),
        ("x, down_revision = 1, 'z'\n", "unpacking"),
        ("from elsewhere import down_revision\n", "an import"),
        ("del down_revision\n", "deleted"),
        ("globals()['down_revision'] = 'z'\n", "subscript"),
        ("setattr(sys.modules[__name__], 'down_revision', 'z')\n", "call"),
        ("globals().update(down_revision='z')\n", "call"),
        ("print(down_revision := 'z')\n", "`:=`"),
        ("def _point():\n    global down_revision\n    down_revision = 'z'\n\n\n_point()\n", "global"),
    ],
    ids=[
        "if",
        "try",
        "for",
        "with",
        "augmented",
        "unpacking",
        "import",
        "del",
        "subscript",
        "setattr",
        "globals-update",
        "walrus",
        "global-in-function",
    ],
)
def test_a_down_revision_rebound_in_a_way_only_running_the_file_tells_is_unreadable(
    tmp_path: Path, rebinding: str, how: str
) -> None:
    source = REASSIGNED.format(name="x", value="1") + "\n" + rebinding

    item = unreadable(tmp_path, source)

    assert "`down_revision`" in item.reason and how in item.reason, item.reason
    assert item.revision == "b"


def test_a_conditional_down_revision_in_the_header_is_unreadable(tmp_path: Path) -> None:
    item = unreadable(
        tmp_path,
        """
        import os

        revision = "b"
        if os.environ.get("LEGACY"):
            down_revision = "old"
        else:
            down_revision = "a"
        """,
    )

    assert "`down_revision` is assigned inside an `if` block at line 4" in item.reason
    assert item.line == 4


@pytest.mark.parametrize("name", ["branch_labels", "depends_on"])
def test_conditional_branch_labels_or_depends_on_are_unreadable_but_the_revision_stays_in_the_graph(
    tmp_path: Path, name: str
) -> None:
    source = REASSIGNED.format(name="x", value="1") + f"\nif x:\n    {name} = ('z',)\n"

    item = unreadable(tmp_path, source)

    assert f"`{name}`" in item.reason and item.line == 13
    assert item.declared is not None and item.declared.id == "b"
    assert item.declared.unknown_labels if name == "branch_labels" else item.declared.unknown_depends_on


def test_a_constant_rebound_after_the_assignment_does_not_change_the_value(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        """
        PARENT = "a"
        revision = "b"
        down_revision = PARENT


        def upgrade():
            pass


        PARENT = "z"
        """,
    )

    assert rev.down_revisions == ("a",)


def test_a_star_import_after_the_assignments_may_rebind_them(tmp_path: Path) -> None:
    item = unreadable(tmp_path, REASSIGNED.format(name="x", value="1") + "\nfrom helpers import *\n")

    assert "`revision`" in item.reason and "import" in item.reason


def test_identifiers_after_the_first_def_are_found_by_parsing_the_whole_file(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        '''
        """x"""
        from alembic import op


        def upgrade():
            pass


        revision = "b"
        down_revision = "a"
        branch_labels = ("feature",)
        ''',
    )

    assert (rev.id, rev.down_revisions, rev.branch_labels) == ("b", ("a",), ("feature",))
    assert (rev.revision_line, rev.down_revision_line, rev.branch_labels_line) == (9, 10, 11)


@pytest.mark.parametrize("body_start", ["class Helper:\n    pass\n", "@decorate\ndef f():\n    pass\n"])
def test_a_class_or_a_decorator_also_ends_the_header(tmp_path: Path, body_start: str) -> None:
    rev = readable(tmp_path, f"{body_start}\nrevision = 'b'\ndown_revision = 'a'\n")

    assert (rev.id, rev.down_revisions) == ("b", ("a",))


def test_async_def_also_ends_the_header(tmp_path: Path) -> None:
    rev = readable(tmp_path, "async def helper():\n    pass\n\nrevision = 'b'\ndown_revision = 'a'\n")

    assert rev.revision_line == 4


def test_a_def_line_inside_the_docstring_does_not_cut_the_header_short(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        '"""rename helper\n\ndef old_name() is gone\nclass Foo too\n@mentions\n\nRevision ID: b\n"""\n'
        "revision = 'b'\ndown_revision = 'a'\n",
    )

    assert (rev.id, rev.doc_revision, rev.doc_revision_line) == ("b", "b", 7)


def test_branch_labels_and_depends_on_assigned_after_a_def_are_read(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        """
        revision = "b"
        down_revision = "a"


        def upgrade():
            pass


        branch_labels = ("feature",)
        depends_on = "x"
        """,
    )

    assert rev.branch_labels == ("feature",)
    assert rev.depends_on == ("x",)


def test_a_syntax_error_in_the_header_is_unreadable_at_the_line_of_the_error(tmp_path: Path) -> None:
    item = unreadable(
        tmp_path,
        """
        revision = "b"
        down_revision = ("a",


        def upgrade():
            pass
        """,
    )

    assert item.path == "versions/abc_rev.py"
    assert item.line == 2  # where the bracket that is never closed opens
    assert "not valid Python" in item.reason


def test_a_syntax_error_at_a_known_line_is_reported_there(tmp_path: Path) -> None:
    item = unreadable(tmp_path, "revision = 'b'\ndown_revision = 'a'\nbranch_labels = = 1\n")

    assert item.line == 3


def test_leftover_merge_conflict_markers_are_unreadable_at_the_first_marker(tmp_path: Path) -> None:
    item = unreadable(
        tmp_path,
        """
        revision = "c"
        <<<<<<< HEAD
        down_revision = "a"
        =======
        down_revision = "b"
        >>>>>>> feature
        """,
    )

    assert item.line == 2


def test_null_bytes_are_unreadable_not_an_exception(tmp_path: Path) -> None:
    item = unreadable(tmp_path, b"revision = 'a'\ndown_revision = None\n\x00\n")

    assert item.line >= 1


def test_bytes_that_are_not_utf8_are_unreadable_not_an_exception(tmp_path: Path) -> None:
    unreadable(tmp_path, b'"""caf\xe9"""\nrevision = "a"\ndown_revision = None\n')


def test_a_coding_cookie_lets_latin1_files_be_read(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        b'# -*- coding: latin-1 -*-\n"""caf\xe9\n\nRevision ID: a\n"""\nrevision = "a"\ndown_revision = None\n',
    )

    assert (rev.id, rev.doc_revision_line, rev.revision_line) == ("a", 4, 6)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    rev = readable(tmp_path, b"\xef\xbb\xbfrevision = 'a'\ndown_revision = None\n")

    assert rev.id == "a"


def test_windows_line_endings_keep_line_numbers(tmp_path: Path) -> None:
    rev = readable(
        tmp_path, b'"""x\r\n\r\nRevision ID: b\r\n"""\r\nrevision = \'b\'\r\ndown_revision = \'a\'\r\n'
    )

    assert (rev.revision_line, rev.down_revision_line, rev.doc_revision, rev.doc_revision_line) == (
        5,
        6,
        "b",
        3,
    )


def test_an_empty_file_is_unreadable(tmp_path: Path) -> None:
    assert unreadable(tmp_path, b"").line == 1


def test_a_compiled_file_is_unreadable_because_migcheck_reads_source_only(tmp_path: Path) -> None:
    path = write(tmp_path / "versions" / "__pycache__" / "abc_rev.cpython-311.pyc", b"\x00\x01junk")

    item = read_revision(path, "versions/__pycache__/abc_rev.cpython-311.pyc", ConstantResolver(tmp_path))

    assert isinstance(item, Unreadable)
    assert item.line == 1
    assert "source" in item.reason


# --- suppressions ---------------------------------------------------------------------------------------


def test_suppression_comments_are_recorded_by_line_with_their_codes(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        """
        revision = "a"
        down_revision = None  # migcheck: ignore[MC105]
        branch_labels = None  # migcheck: ignore[MC101, multiple-heads]
        """,
    )

    assert rev.suppressions == {2: frozenset({"MC105"}), 3: frozenset({"MC101", "MULTIPLE-HEADS"})}


def test_a_bare_ignore_comment_suppresses_every_rule_on_its_line(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'  # migcheck: ignore\ndown_revision = None\n")

    assert rev.suppressions == {1: frozenset()}


def test_codes_in_a_suppression_are_case_insensitive(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None  # migcheck:ignore[mc105]\n")

    assert rev.suppressions == {2: frozenset({"MC105"})}


def test_the_suppression_keyword_is_case_insensitive_like_its_codes(tmp_path: Path) -> None:
    rev = readable(tmp_path, "revision = 'a'\ndown_revision = None  # MIGCHECK: ignore[MC105]\n")

    assert rev.suppressions == {2: frozenset({"MC105"})}


def test_ignore_file_comments_are_recorded_for_the_whole_file_wherever_they_are(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        """
        revision = "a"
        down_revision = None  # migcheck: ignore-file[MC105] a second base on purpose


        def upgrade():
            pass  # migcheck: ignore-file[drop-column, MC302] reviewed in #41
        """,
    )

    assert rev.suppressions == {FILE_WIDE: frozenset({"MC105", "DROP-COLUMN", "MC302"})}


def test_a_bare_ignore_file_silences_every_rule_even_beside_one_with_codes(tmp_path: Path) -> None:
    rev = readable(
        tmp_path,
        "revision = 'a'\ndown_revision = None\n# migcheck: ignore-file[MC105]\n# migcheck: ignore-file\n",
    )

    assert rev.suppressions == {FILE_WIDE: frozenset()}


@pytest.mark.parametrize("word", ["ignored", "ignore-files", "ignore_file", "ignorefile"])
def test_words_that_only_start_like_a_suppression_are_none(tmp_path: Path, word: str) -> None:
    rev = readable(tmp_path, f"revision = 'a'\ndown_revision = None  # migcheck: {word}\n")

    assert rev.suppressions == {}


def test_a_line_suppression_may_give_its_reason_after_the_codes(tmp_path: Path) -> None:
    rev = readable(
        tmp_path, "revision = 'a'\ndown_revision = None  # migcheck: ignore[MC105] kept: see #12\n"
    )

    assert rev.suppressions == {2: frozenset({"MC105"})}


def test_a_file_without_suppressions_has_none(tmp_path: Path) -> None:
    assert readable(tmp_path, "revision = 'a'\ndown_revision = None\n").suppressions == {}


# --- which files are revision files ---------------------------------------------------------------------


def names(files: Iterable[str | os.PathLike[str]]) -> list[str]:
    return [os.path.basename(os.fspath(f)) for f in files]


def test_only_python_sources_are_candidates_in_sorted_order(tmp_path: Path) -> None:
    versions = versions_dir(make_project(tmp_path))
    for name in ["b_rev.py", "a_rev.py", "__init__.py", ".#a_rev.py", "notes.txt", "README", "c_rev.py~"]:
        write(versions / name, "x = 1\n")

    found = iter_revision_files((versions,), recursive=False, sourceless=False)

    assert names(found) == ["a_rev.py", "b_rev.py"]


def test_a_directory_named_like_a_python_file_is_not_a_candidate(tmp_path: Path) -> None:
    versions = versions_dir(make_project(tmp_path))
    (versions / "x.py").mkdir()
    write(versions / "a_rev.py", "x = 1\n")

    assert names(iter_revision_files((versions,), recursive=False, sourceless=False)) == ["a_rev.py"]


def test_subdirectories_are_read_only_when_recursive_top_down_and_sorted(tmp_path: Path) -> None:
    versions = versions_dir(make_project(tmp_path))
    for rel in ["z_top.py", "2024/b.py", "2024/sub/a.py", "2023/c.py", "__pycache__/d.py"]:
        write(versions / rel, "x = 1\n")

    flat = iter_revision_files((versions,), recursive=False, sourceless=False)
    deep = iter_revision_files((versions,), recursive=True, sourceless=False)

    assert names(flat) == ["z_top.py"]
    assert names(deep) == ["z_top.py", "c.py", "b.py", "a.py"]


def test_a_location_listed_twice_is_read_once(tmp_path: Path) -> None:
    versions = versions_dir(make_project(tmp_path))
    write(versions / "a_rev.py", "x = 1\n")

    found = iter_revision_files((versions, versions / ".." / "versions"), recursive=False, sourceless=False)

    assert names(found) == ["a_rev.py"]


def test_a_missing_location_yields_nothing(tmp_path: Path) -> None:
    assert names(iter_revision_files((tmp_path / "nowhere",), recursive=False, sourceless=False)) == []


def test_compiled_files_are_ignored_unless_sourceless(tmp_path: Path) -> None:
    versions = versions_dir(make_project(tmp_path))
    write(versions / "a_rev.py", "x = 1\n")
    write(versions / "stale.pyc", b"junk")
    write(versions / "__pycache__" / "gone.cpython-311.pyc", b"junk")

    assert names(iter_revision_files((versions,), recursive=False, sourceless=False)) == ["a_rev.py"]


def test_in_sourceless_mode_a_compiled_file_with_no_source_is_a_candidate(tmp_path: Path) -> None:
    versions = versions_dir(make_project(tmp_path))
    write(versions / "a_rev.py", "x = 1\n")
    write(versions / "__pycache__" / "a_rev.cpython-311.pyc", b"junk")
    write(versions / "__pycache__" / "gone.cpython-311.pyc", b"junk")

    found = names(iter_revision_files((versions,), recursive=False, sourceless=True))

    assert sorted(found) == ["a_rev.py", "gone.cpython-311.pyc"]


def test_reading_every_candidate_of_a_written_tree(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    write(versions_dir(root) / "a_rev.py", revision_source("a", None))
    write(versions_dir(root) / "b_rev.py", revision_source("b", "a"))
    write(versions_dir(root) / "__init__.py", "")
    resolver = ConstantResolver(root)

    revisions = [
        read_revision(Path(f), os.fspath(f), resolver)
        for f in iter_revision_files((versions_dir(root),), recursive=False, sourceless=False)
    ]

    assert [(r.id, r.down_revisions) for r in revisions if isinstance(r, Revision)] == [
        ("a", ()),
        ("b", ("a",)),
    ]
    assert not any(isinstance(r, Unreadable) for r in revisions)

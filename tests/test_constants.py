"""Names in revision files resolved to the string constants they are bound to, by parsing repository modules."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from helpers import make_tree, versions_dir

import migcheck
from migcheck.constants import ConstantResolver, Unresolved
from migcheck.scripts import Revision, read_revision


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a package of constants, in the shape of Neutron's expand/contract `cli` module."""
    root = tmp_path / "repo"
    write(root / "myapp" / "__init__.py", "")
    write(root / "myapp" / "db" / "__init__.py", "")
    write(root / "myapp" / "db" / "migration" / "__init__.py", "")
    write(
        root / "myapp" / "db" / "migration" / "cli.py",
        """
        import os

        EXPAND_BRANCH = "expand"
        CONTRACT_BRANCH: str = "contract"
        MIGRATION_BRANCHES = (EXPAND_BRANCH, CONTRACT_BRANCH)
        FIRST_REVISION = "aaaaaaaaaaaa"
        FROM_ENV = os.environ.get("BRANCH", "expand")


        def main():
            pass
        """,
    )
    return root


def labels_of(root: Path, header: str, name: str = "bbbbbbbbbbbb_rev.py") -> Revision:
    """branch_labels etc. of a revision file in <root>/migrations/versions whose header is `header`."""
    path = write(root / "migrations" / "versions" / name, header)
    rev = read_revision(path, name, ConstantResolver(root))
    assert isinstance(rev, Revision), rev
    return rev


def evaluate(root: Path, source: str, at: str = "migrations/versions/x_rev.py") -> object:
    """The value of the last assignment of `source`, written as a file at `at` inside `root`."""
    path = write(root / at, source)
    tree = ast.parse(path.read_bytes())
    node = tree.body[-1]
    assert isinstance(node, ast.Assign)
    return ConstantResolver(root).evaluate(node.value, tree, path)


# --- constants of the same file -------------------------------------------------------------------------


def test_a_constant_of_the_same_file(repo: Path) -> None:
    rev = labels_of(
        repo,
        """
        LABEL = "expand"
        revision = "bbbbbbbbbbbb"
        down_revision = "aaaaaaaaaaaa"
        branch_labels = (LABEL,)
        """,
    )

    assert rev.branch_labels == ("expand",)
    assert not rev.unknown_labels


def test_an_annotated_constant_of_the_same_file(repo: Path) -> None:
    rev = labels_of(repo, 'REV: str = "b1"\nrevision = REV\ndown_revision = None\n')

    assert rev.id == "b1"


def test_the_last_binding_of_a_constant_wins(repo: Path) -> None:
    assert evaluate(repo, "X = 'a'\nX = 'b'\nv = X\n") == "b"


def test_a_constant_bound_to_another_constant(repo: Path) -> None:
    assert evaluate(repo, "A = 'x'\nB = A\nv = (B, 'y')\n") == ("x", "y")


# --- constants of imported modules ----------------------------------------------------------------------


def test_from_package_import_module_then_module_attribute(repo: Path) -> None:
    rev = labels_of(
        repo,
        """
        from myapp.db.migration import cli

        revision = "bbbbbbbbbbbb"
        down_revision = cli.FIRST_REVISION
        branch_labels = (cli.EXPAND_BRANCH,)
        """,
    )

    assert rev.down_revisions == ("aaaaaaaaaaaa",)
    assert rev.branch_labels == ("expand",)


def test_from_module_import_constant(repo: Path) -> None:
    rev = labels_of(
        repo,
        """
        from myapp.db.migration.cli import CONTRACT_BRANCH

        revision = "bbbbbbbbbbbb"
        down_revision = None
        branch_labels = CONTRACT_BRANCH
        """,
    )

    assert rev.branch_labels == ("contract",)


def test_from_module_import_constant_under_another_name(repo: Path) -> None:
    assert evaluate(repo, "from myapp.db.migration.cli import EXPAND_BRANCH as E\nv = E\n") == "expand"


def test_import_dotted_module_as_alias(repo: Path) -> None:
    assert evaluate(repo, "import myapp.db.migration.cli as m\nv = [m.EXPAND_BRANCH]\n") == ("expand",)


def test_import_dotted_module_then_the_full_dotted_name(repo: Path) -> None:
    assert (
        evaluate(repo, "import myapp.db.migration.cli\nv = myapp.db.migration.cli.EXPAND_BRANCH\n")
        == "expand"
    )


def test_a_tuple_constant_made_of_other_constants_of_that_module(repo: Path) -> None:
    rev = labels_of(
        repo,
        """
        from myapp.db.migration import cli

        revision = "bbbbbbbbbbbb"
        down_revision = None
        branch_labels = cli.MIGRATION_BRANCHES
        """,
    )

    assert rev.branch_labels == ("expand", "contract")


def test_a_constant_of_a_package_init(repo: Path) -> None:
    write(repo / "labels" / "__init__.py", "NAME = 'billing'\n")

    assert evaluate(repo, "from labels import NAME\nv = NAME\n") == "billing"


def test_a_package_under_src_is_found(repo: Path) -> None:
    write(repo / "src" / "svc" / "__init__.py", "")
    write(repo / "src" / "svc" / "names.py", "BRANCH = 'svc'\n")

    assert evaluate(repo, "from svc.names import BRANCH\nv = BRANCH\n") == "svc"


def test_relative_import_of_a_constant(repo: Path) -> None:
    write(repo / "migrations" / "versions" / "labels.py", "LOCAL = 'local'\n")

    assert evaluate(repo, "from .labels import LOCAL\nv = LOCAL\n") == "local"


def test_relative_import_of_a_sibling_module(repo: Path) -> None:
    write(repo / "migrations" / "versions" / "labels.py", "LOCAL = 'local'\n")

    assert evaluate(repo, "from . import labels\nv = labels.LOCAL\n") == "local"


def test_relative_import_from_a_parent_package(repo: Path) -> None:
    write(repo / "migrations" / "names.py", "UP = 'up'\n")

    assert evaluate(repo, "from ..names import UP\nv = UP\n") == "up"


def test_a_constant_re_exported_by_a_package(repo: Path) -> None:
    write(
        repo / "branches" / "__init__.py",
        "from branches.values import EXPAND\nfrom .values import CONTRACT as C\n",
    )
    write(repo / "branches" / "values.py", "EXPAND = 'expand'\nCONTRACT = 'contract'\n")

    assert evaluate(repo, "from branches import EXPAND, C\nv = (EXPAND, C)\n") == ("expand", "contract")


def test_a_constant_re_exported_twice(repo: Path) -> None:
    write(repo / "a" / "__init__.py", "from a.b import NAME\n")
    write(repo / "a" / "b.py", "from a.c import NAME\n")
    write(repo / "a" / "c.py", "NAME = 'deep'\n")

    assert evaluate(repo, "from a import NAME\nv = NAME\n") == "deep"


# --- what stays unresolved ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "v = make_label()\n",
        "v = f'{prefix}_branch'\n",
        "v = 'a' + 'b'\n",
        "v = 42\n",
        "v = ('a', 1)\n",
        "v = ('a', None)\n",
        "v = os.environ['BRANCH']\n",
        "v = UNDEFINED\n",
        "from myapp.db.migration import cli\nv = cli.FROM_ENV\n",
        "from myapp.db.migration import cli\nv = cli.NOT_THERE\n",
        "from myapp.db.migration import cli\nv = cli.main\n",
        "from not_in_repo import NAME\nv = NAME\n",
    ],
)
def test_values_that_need_running_code_are_unresolved_never_guessed(repo: Path, source: str) -> None:
    value = evaluate(repo, source)

    assert isinstance(value, Unresolved)
    assert value.reason


def test_a_module_outside_the_repository_is_not_read(repo: Path) -> None:
    write(repo.parent / "elsewhere" / "__init__.py", "NAME = 'outside'\n")

    assert isinstance(evaluate(repo, "from elsewhere import NAME\nv = NAME\n"), Unresolved)


def test_a_module_with_a_syntax_error_leaves_the_name_unresolved(repo: Path) -> None:
    write(repo / "broken.py", "NAME = 'x'\ndef (:\n")

    assert isinstance(evaluate(repo, "from broken import NAME\nv = NAME\n"), Unresolved)


def test_constants_bound_to_each_other_in_a_loop_are_unresolved(repo: Path) -> None:
    assert isinstance(evaluate(repo, "A = B\nB = A\nv = A\n"), Unresolved)


def test_modules_importing_each_other_in_a_loop_are_unresolved(repo: Path) -> None:
    write(repo / "loop_a.py", "from loop_b import NAME\n")
    write(repo / "loop_b.py", "from loop_a import NAME\n")

    assert isinstance(evaluate(repo, "from loop_a import NAME\nv = NAME\n"), Unresolved)


def test_unresolved_branch_labels_keep_the_line_and_mark_the_labels_unknown(repo: Path) -> None:
    rev = labels_of(
        repo,
        """
        from myapp.db.migration import cli

        revision = "bbbbbbbbbbbb"
        down_revision = None
        branch_labels = (cli.FROM_ENV,)
        """,
    )

    assert rev.unknown_labels is True
    assert rev.branch_labels == ()
    assert rev.branch_labels_line == 5


# --- end to end: labelled heads through constants -------------------------------------------------------


def _label_file(root: Path, rid: str, down: str, label_expr: str) -> None:
    write(
        versions_dir(root) / f"{rid}_rev.py",
        f"""
        from myapp import branches

        revision = {rid!r}
        down_revision = {down!r}
        branch_labels = ({label_expr},)
        depends_on = None


        def upgrade():
            pass
        """,
    )


def test_heads_labelled_through_constants_are_intended_heads(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("aaaa", None))
    write(root / "myapp" / "__init__.py", "")
    write(root / "myapp" / "branches.py", "EXPAND = 'expand'\nCONTRACT = 'contract'\n")
    _label_file(root, "bbbb", "aaaa", "branches.EXPAND")
    _label_file(root, "cccc", "aaaa", "branches.CONTRACT")

    result = migcheck.check(root)

    assert [f.rule for f in result.findings] == []
    (history,) = result.histories
    assert sorted((h.revision, h.branch_labels) for h in history.heads) == [
        ("bbbb", ("expand",)),
        ("cccc", ("contract",)),
    ]


def test_a_head_labelled_by_an_unresolvable_name_is_still_a_labelled_head(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("aaaa", None))
    write(root / "myapp" / "__init__.py", "")
    write(root / "myapp" / "branches.py", "EXPAND = 'expand'\n")
    _label_file(root, "bbbb", "aaaa", "branches.EXPAND")
    _label_file(root, "cccc", "aaaa", "branches.compute()")

    result = migcheck.check(root)

    assert "MC101" not in [f.rule for f in result.findings]

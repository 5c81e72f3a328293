"""The byte-level fast path gives exactly the `Revision` (or `Unreadable`) the `ast` reader gives, field by
field, for every revision file of the tree fixtures and for generated headers of every shape it might meet;
and it does answer (not fall back) for the shapes `alembic revision` writes."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import migcheck.scripts
from migcheck.constants import ConstantResolver
from migcheck.headerscan import scan
from migcheck.scripts import Revision, Unreadable, read_revision, read_source

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate_tree  # noqa: E402

TREES = Path(__file__).resolve().parent / "trees"
RESOLVER = ConstantResolver(TREES)


def every_field(item: object) -> Any:
    """All fields of a Revision or Unreadable (those left out of == too: suppressions, declared), nested."""
    if dataclasses.is_dataclass(item):
        return tuple((f.name, every_field(getattr(item, f.name))) for f in dataclasses.fields(item))
    if isinstance(item, dict):
        return sorted(item.items())
    return item


def by_ast(data: bytes, path: str, monkeypatch: pytest.MonkeyPatch) -> Revision | Unreadable:
    with monkeypatch.context() as patch:
        patch.setattr(migcheck.scripts, "scan", lambda header: None)
        return read_source(data, path, "versions/x.py", RESOLVER)


def assert_same(data: bytes, path: str, monkeypatch: pytest.MonkeyPatch) -> Revision | Unreadable:
    fast = read_source(data, path, "versions/x.py", RESOLVER)
    assert every_field(fast) == every_field(by_ast(data, path, monkeypatch))
    return fast


def header_of(data: bytes) -> bytes | None:
    return migcheck.scripts._header(data)


FIXTURES = sorted(p for p in TREES.rglob("*.py") if "versions" in p.parts)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(TREES)))
def test_every_fixture_revision_reads_the_same_on_both_paths(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same(path.read_bytes(), str(path), monkeypatch)


def test_the_fast_path_answers_for_most_fixtures() -> None:
    answered = [p for p in FIXTURES if (h := header_of(p.read_bytes())) is not None and scan(h) is not None]
    assert len(answered) >= len(FIXTURES) // 2


def test_benchmark_generator_files_take_the_fast_path_and_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_tree.generate(120, tmp_path)
    files = sorted((tmp_path / "migrations" / "versions").glob("*.py"))
    assert len(files) > 120
    for file in files:
        data = file.read_bytes()
        header = header_of(data)
        assert header is not None and scan(header) is not None, file.name
        assert isinstance(assert_same(data, str(file), monkeypatch), Revision)


# --- generated headers --------------------------------------------------------------------------------------


def mostly(usual: list[Any], unusual: list[Any]) -> st.SearchStrategy[Any]:
    """One of `usual` 39 times in 40, else one of `unusual`: most examples take the fast path, the rest
    probe where it must step aside."""
    return st.integers(0, 39).flatmap(lambda n: st.sampled_from(usual if n else unusual))


IDS = mostly(["ab12cd34ef56", "000000000001", "feature_x", "ünï"], ["a-b", "", "r@1", "x y"])
QUOTES = st.sampled_from(['"', "'"])
ANNOTATIONS = mostly(
    [None, "str", "Union[str, Sequence[str], None]", "Optional[str]", "typing.Tuple[str, ...]"],
    ["Union[str,", "(x := 1)", 'Literal["a"]', "str if x else None", "Union[]"],
)
NAMES = ["revision", "down_revision", "branch_labels", "depends_on"]
TRIPLE = ['"' * 3, "'" * 3]


@st.composite
def literals(draw: st.DrawFn) -> str:
    quote = draw(QUOTES)
    ids = draw(st.lists(IDS, max_size=3))

    def s(value: str) -> str:
        return f"{quote}{value}{quote}"

    kind = draw(mostly(["none", "str", "tuple", "list", "empty"], ["paren", "other"]))
    if kind == "none" or (kind == "str" and not ids):
        return "None"
    if kind == "str":
        return s(ids[0])
    if kind == "tuple" and ids:
        inner = ", ".join(s(i) for i in ids)
        return f"({inner}{',' if len(ids) == 1 or draw(st.booleans()) else ''})"
    if kind == "list":
        return "[" + ", ".join(s(i) for i in ids) + (", ]" if draw(st.booleans()) and ids else "]")
    if kind == "paren":
        return f"({s(ids[0] if ids else 'x')})"
    if kind in ("empty", "tuple"):
        return draw(st.sampled_from(["()", "[]", "( )"]))
    return draw(
        st.sampled_from(["('a', None)", "1", "'a' 'b'", "u'a'", "r'a'", "'a\\x41'", "{'a'}", "X", "cli.X"])
    )


@st.composite
def assignments(draw: st.DrawFn, name: str) -> str:
    annotation = draw(ANNOTATIONS)
    spacing = draw(mostly([" ", "", "\t", "  "], [" \\\n "]))
    target = name if annotation is None else f"{name}: {annotation}"
    comment = draw(
        mostly(["", "  # noqa", "  # migcheck: ignore[MC108]", " # it's 'quoted'"], ["; x = 1", " + x"])
    )
    if name == "revision" and draw(st.integers(0, 3)):
        value = draw(QUOTES).join(["", draw(IDS), ""])  # an id, as nearly every file has
    else:
        value = draw(literals())
    return f"{target}{spacing}={spacing}{value}{comment}"


@st.composite
def revision_files(draw: st.DrawFn) -> bytes:
    rid = draw(IDS)
    q = draw(st.sampled_from(TRIPLE))
    docstring = draw(
        mostly(
            [
                f"{q}add a table\n\nRevision ID: {rid}\nRevises: abc, def\nCreate Date: 2024-01-01\n\n{q}",
                f"{q}Revision ID: {rid}\nRevises: ('a', 'b'){q}",
                f"{q}  \n{q}",
                f'{q}quotes " and "" and \' inside{q}',
                f"{q}mérge ünïcode\n\nRevises: <base>\n{q}  # trailing comment",
                "",
            ],
            [
                f"{q}a backslash \\n here{q}",
                f"r{q}raw\n{q}",
                f"{q}concatenated{q} 'x'",
                "# -*- coding: latin-1 -*-",
                "#!/usr/bin/env python",
                f"# a comment first\n{q}doc{q}",
            ],
        )
    )
    usual_lines = [
        "from typing import Sequence, Union",
        "from alembic import op",
        "import sqlalchemy as sa",
        "import sqlmodel  # noqa",
        "from . import helpers",
        "",
        "# revision identifiers, used by Alembic.",
        "    # an indented comment",
        "   ",
    ]
    unusual_lines = [
        "from x import revision",
        "from x import *",
        "import if",
        "x = 1",
        "if True:\n    pass",
        f"{q}a second string{q}",
        "  import os",
        "from x import (a, b)",
    ]
    lines = [docstring]
    for _ in range(draw(st.integers(0, 4))):
        lines.append(draw(mostly(usual_lines, unusual_lines)))
    names = list(draw(st.permutations(NAMES)))[: draw(mostly([4, 4, 3, 2], [1, 0]))]
    if draw(st.integers(0, 9)) == 0:
        names.append(draw(st.sampled_from(NAMES)))  # a name bound twice
    for name in names:
        lines.append(draw(assignments(name)))
    body = draw(
        mostly(
            [
                "def upgrade() -> None:\n    pass\n",
                "def upgrade() -> None:\n    op.execute('select 1')  # migcheck: ignore\n",
                "def upgrade():\n    return (\n",
                "def upgrade():\n    context.revision\n",
                "class Helper:\n    pass\n",
                "@decorator\ndef upgrade():\n    pass\n",
                "async def upgrade():\n    pass\n",
            ],
            [
                "def upgrade() -> None:\n    global revision\n    revision = 'other'\n",
                "def upgrade():\n    pass\n\n\ndepends_on = ('late',)\n",
                "def upgrade():\n    pass\n\n\nrevision = 'late'\n",
                "",
            ],
        )
    )
    data = ("\n".join(lines) + "\n\n\n" + body).encode("utf-8")
    if draw(st.integers(0, 19)) == 0:
        data = data.replace(b"\n", b"\r\n")
    if draw(st.integers(0, 19)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=revision_files(), legacy_name=st.booleans())
def test_generated_revision_files_read_the_same_on_both_paths(
    data: bytes, legacy_name: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same(data, "/p/versions/abcdef123456.py" if legacy_name else "/p/versions/step.py", monkeypatch)


def test_a_syntax_error_below_a_standard_header_is_still_mc107_with_the_declared_revision(
    tmp_path: Path,
) -> None:
    text = generate_tree.TEMPLATE.format(message="m", rid="aa", revises="bb", down="'bb'", i=1)
    path = tmp_path / "aa_m.py"
    path.write_text(text + "\ndef broken(:\n    pass\n", encoding="utf-8")
    assert scan(header_of(path.read_bytes()) or b"") is not None

    item = read_revision(path, "aa_m.py", RESOLVER)

    assert isinstance(item, Unreadable)
    assert "not valid Python" in item.reason
    assert item.declared is not None and item.declared.id == "aa" and item.declared.down_revisions == ("bb",)


def test_unusual_headers_fall_back_to_ast() -> None:
    standard = b'"""m\n"""\nrevision = "a"\ndown_revision = None\n'
    assert scan(standard) is not None
    for unusual in (
        standard.replace(b"\n", b"\r\n"),
        b"# coding: latin-1\n" + standard,
        standard + b"revision = 'b'\n",  # bound twice
        standard + b"x = 1\n",
        standard.replace(b'"a"', b'"a" "b"'),
        standard.replace(b"m\n", b"m\\n"),
        standard + b"from x import *\n",
        standard + b"import revision\n",
        standard.replace(b"revision =", b"revision: Union[str, =", 1),
    ):
        assert scan(unusual) is None, unusual

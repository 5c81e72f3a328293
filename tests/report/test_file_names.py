"""Every reporter takes any file name: a revision file whose name holds a byte that is not UTF-8 (0xff).

Python hands such a name around as a lone surrogate (`\\udcff`), which no encoder takes. The reports show the
byte as `\\xff`; links and SARIF URIs percent-encode it (`%FF`), so that they still name the real file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import copy_case

from migcheck.cli import main
from migcheck.report import REPORTERS, Links, markdown

pytestmark = pytest.mark.skipif(
    sys.platform in ("darwin", "win32"), reason="the file system must take a name that is not UTF-8"
)
SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
SHOWN = "dddddddddddd_caf\\xff.py"  # how the reports write the name
MARKDOWN_SHOWN = "dddddddddddd\\_caf\\xff.py"  # Markdown text escapes `_` (`\\x` needs none): it shows SHOWN
# these tests are about file names: the tree's alembic.ini names PostgreSQL, whose lock_timeout lint (tested in
# tests/checks/) is ignored; the rest of the MC3xx lint still reads every file, the one named in bytes too
IGNORE = "MC317"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """broken/two_heads with its second head's file renamed to `dddddddddddd_caf<0xff>.py`."""
    target = tmp_path / "two_heads"
    copy_case("broken/two_heads", target)
    versions = os.fsencode(target / "migrations" / "versions")
    os.rename(versions + b"/dddddddddddd_create_loan_table.py", versions + b"/dddddddddddd_caf\xff.py")
    return target


@pytest.mark.parametrize("fmt", REPORTERS)
def test_every_format_reports_a_file_whose_name_is_not_utf8(tree: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"

    printed = CliRunner().invoke(
        main, ["check", str(tree), "--no-drift", "--ignore", IGNORE, "--format", fmt]
    )
    written = CliRunner().invoke(
        main, ["check", str(tree), "--no-drift", "--ignore", IGNORE, "--format", fmt, "-o", str(out)]
    )

    for run in (printed, written):
        assert run.exit_code == 1, run.output
        assert "internal error" not in run.output and "Traceback" not in run.output
        assert run.exception is None or isinstance(run.exception, SystemExit)
    report = out.read_text(encoding="utf-8")  # strict UTF-8: no lone surrogate made it into the file
    assert report == printed.stdout
    if fmt == "sarif":
        doc = json.loads(report)
        jsonschema.Draft7Validator(SCHEMA).validate(doc)
        uris = [
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]
        ]
        assert uris == ["migrations/versions/dddddddddddd_caf%FF.py"]
    elif fmt == "json":
        [finding] = json.loads(report)["findings"]
        assert finding["path"] == f"migrations/versions/{SHOWN}"
    else:
        assert (MARKDOWN_SHOWN if fmt == "markdown" else SHOWN) in report


def test_a_link_to_the_file_percent_encodes_its_real_bytes(tree: Path) -> None:
    import migcheck

    result = migcheck.check(tree, drift=False, ignore=[IGNORE])

    text = markdown.render(result, links=Links("https://github.com", "octo-org/shop", "0" * 40))

    assert (
        "/blob/0000000000000000000000000000000000000000/migrations/versions/dddddddddddd_caf%FF.py#L16"
        in text
    )
    assert f"[migrations/versions/{MARKDOWN_SHOWN}:16](" in text
    text.encode("utf-8")  # raises on a lone surrogate

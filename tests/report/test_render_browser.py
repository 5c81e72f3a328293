"""The PR comment, the job summary and `migcheck graph --format mermaid` as a reviewer sees them.

Each is rendered as GitHub renders a comment (GFM with hard line breaks, GitHub's markdown CSS, Mermaid for
```mermaid blocks) in headless Chromium at the width of a PR conversation (780 px). Nothing may overflow
sideways and every diagram must draw. The screenshots are kept: `$MIGCHECK_ARTIFACTS` if set, else pytest's
temporary directory. Needs Debian's `chromium` and the npm packages `.ci/run` installs into its cache
(`$MIGCHECK_RENDER_NODE_MODULES`); skipped without them, except under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_case

import migcheck
from migcheck.cli import main
from migcheck.github.action import MAX_SUMMARY
from migcheck.github.comment import MAX_BODY, body, marker
from migcheck.outcome import LockTrace
from migcheck.report import Links
from migcheck.report.markdown import render
from migcheck.result import TracedRevision

HERE = Path(__file__).resolve().parent
NODE_MODULES = Path(
    os.environ.get("MIGCHECK_RENDER_NODE_MODULES")
    or Path(os.environ.get("MIGCHECK_CI_CACHE", "/var/cache/migcheck-ci")) / "render" / "node_modules"
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NEEDED = ("marked", "mermaid", "github-markdown-css", "playwright-core")
LINKS = Links(
    "https://github.com",
    "octo-org/shop",
    "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    "https://github.com/octo-org/shop/actions/runs/7",
)
MARK = marker(".", "migcheck/sqlite/1a2b3c4d")


_OLD_TABLE = (
    "| Rule | Severity | Location | Message |\n| --- | --- | --- | --- |\n"
    "| `MC101` multiple-heads | 🛑 error |"
    " [`migrations/versions/20240501_1200_dddddddddddd_create_loan_table_with_indexes.py:16`](https://github.com) |"
    " 2 unmerged heads: 'cccccccccccc', 'dddddddddddd'; they diverged after 'bbbbbbbbbbbb' |\n"
)


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return "Debian's chromium is not installed (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is not installed"
    absent = [p for p in NEEDED if not (NODE_MODULES / p / "package.json").is_file()]
    if absent:
        return f"npm packages {', '.join(absent)} are not in {NODE_MODULES} (.ci/run installs them)"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    why = _missing()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test cannot run under CI: {why}")
        pytest.skip(why)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    base = os.environ.get("MIGCHECK_ARTIFACTS")
    folder = Path(base) / "rendered" if base else tmp_path / "rendered"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


def _comment(result: migcheck.CheckResult) -> str:
    """The body the action posts as the sticky PR comment (its marker included)."""
    return body(MARK, render(result, links=LINKS, limit=MAX_BODY - len(MARK) - 1))


def _summary(result: migcheck.CheckResult) -> str:
    return render(result, links=LINKS, limit=MAX_SUMMARY)


def _many_environments(dest: Path) -> Path:
    """One repository with four Alembic projects: three broken ones and a clean one."""
    for case in ("broken/two_heads", "broken/three_heads", "broken/dangling_down_revision", "clean/linear"):
        copy_case(case, dest / case.split("/")[1])
    return dest


def _measured_locks() -> tuple[TracedRevision, ...]:
    """What a PostgreSQL run measures for a change of three revisions (tests/test_locktrace.py measures it)."""
    path = "migrations/versions/20240501_1200_{}_change_the_loan_table_in_place.py"
    loan = LockTrace("eeeeeeeeeeee", "loan", "table", "loan", ("SHARE", "ACCESS EXCLUSIVE"), True)
    pkey = LockTrace("eeeeeeeeeeee", "loan_pkey", "index", "loan", ("ACCESS EXCLUSIVE",), True)
    fk = LockTrace("ffffffffffff", "loan", "table", "loan", ("ACCESS SHARE", "SHARE ROW EXCLUSIVE"))
    return (
        TracedRevision("migrations", "eeeeeeeeeeee", path.format("eeeeeeeeeeee"), (loan, pkey)),
        TracedRevision("migrations", "ffffffffffff", path.format("ffffffffffff"), (fk,)),
        TracedRevision("migrations", "abababababab", path.format("abababababab")),
    )


def _browse(cases: dict[str, str], out: Path) -> list[dict]:
    listed = out / "cases.json"
    listed.write_text(json.dumps([{"name": n, "markdown": m} for n, m in cases.items()]), encoding="utf-8")
    for name, markdown in cases.items():
        (out / f"{name}.md").write_text(markdown, encoding="utf-8")
    done = subprocess.run(
        ["node", str(HERE / "render_page.cjs"), str(NODE_MODULES), CHROMIUM, str(listed), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_comments_summaries_and_graphs_fit_a_pr_conversation_and_draw(
    browser_ready: None, shots: Path, tmp_path: Path
) -> None:
    # these cases show the graph and drift sections; the MC3xx lint of their revisions is not what they draw
    graph_only = ["MC3"]
    two_heads = migcheck.check(
        copy_case("broken/two_heads", tmp_path / "two_heads"), drift=False, ignore=graph_only
    )
    drift = migcheck.check(
        copy_case("drift/blog_declarative", tmp_path / "blog"), ignore=graph_only
    )  # SQLite
    many = migcheck.check(_many_environments(tmp_path / "many"), drift=False, ignore=graph_only)
    graph = CliRunner().invoke(main, ["graph", str(tmp_path / "two_heads"), "--format", "mermaid"])
    assert graph.exit_code == 0, graph.output
    assert [f.rule for f in drift.findings] == ["MC201"]
    assert len(many.histories) == 4 and len(many.findings) == 3
    locks = replace(two_heads, traces=_measured_locks())
    cases = {
        "comment-two-heads": _comment(two_heads),
        "summary-two-heads": _summary(two_heads),
        "comment-drift": _comment(drift),
        "summary-drift": _summary(drift),
        "comment-many-environments": _comment(many),
        "summary-many-environments": _summary(many),
        "comment-measured-locks": _comment(locks),
        "graph-mermaid": f"```mermaid\n{graph.output}```\n",
    }
    # the layout this one replaced: a table whose `file:line` code span cannot wrap; the measure must see it
    control = {"control-table": _OLD_TABLE}

    reports = _browse({**cases, **control}, shots)

    assert [r["name"] for r in reports] == [*cases, *control]
    assert reports.pop()["overflowing"] != []
    for report in reports:
        name = report["name"]
        assert report["pageErrors"] == [], name
        assert report["overflowing"] == [], name
        assert report["pageWidth"] <= 780, name
        expected = cases[name].count("```mermaid")
        assert len(report["diagrams"]) == expected, name
        assert all(d["svg"] and d["error"] is None for d in report["diagrams"]), (name, report["diagrams"])
        assert Path(report["screenshot"]).stat().st_size > 0
    drawn = {r["name"]: len(r["diagrams"]) for r in reports}
    assert drawn["comment-two-heads"] >= 1 and drawn["graph-mermaid"] == 1  # the blocks were really drawn

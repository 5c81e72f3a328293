"""migcheck fails closed: when the drift check cannot run, the run is exit 2 with one clear reason, and the graph
findings found before it are still reported, by the CLI, the library API and every reporter.

Projects are copies of tests/trees/drift/blog_declarative (one revision, a `user` table, env.py with
target_metadata) with one change each: a stray second head (MC101), a sys.exit() somewhere, a lost connection.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import copy_case, new_scratch_databases, scratch_databases

import migcheck
from migcheck.errors import Terminated

BLOG = "drift/blog_declarative"
VERSIONS = Path("migrations") / "versions"

STRAY_HEAD = '''\
"""a second history nobody merged

Revision ID: zzzzzzzzzzzz
"""
revision = "zzzzzzzzzzzz"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
'''


def revision(rid: str, down: str | None, upgrade: str, imports: str = "") -> str:
    """A revision file whose upgrade() body is `upgrade` (dedented source)."""
    body = textwrap.indent(textwrap.dedent(upgrade).strip("\n"), "    ")
    return (
        f'"""revision {rid}\n\nRevision ID: {rid}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n{imports}\n'
        f"revision = {rid!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
    )


@pytest.fixture
def blog(tmp_path: Path):
    """`blog(two_heads=True)`: a private copy of the blog project, optionally with a second, unmerged head."""

    def copy(two_heads: bool = True) -> Path:
        target = copy_case(BLOG, tmp_path / f"blog{len(list(tmp_path.iterdir()))}")
        # these tests are about failing closed; the MC3xx lint of their revisions is tested in
        # tests/test_lintrun.py and tests/checks/
        (target / "pyproject.toml").write_text('[tool.migcheck]\nignore = ["MC3"]\n')
        if two_heads:
            (target / VERSIONS / "zzzzzzzzzzzz_stray.py").write_text(STRAY_HEAD)
        return target

    return copy


def put_after(path: Path, anchor: str, code: str) -> int:
    """Insert `code` as the line after the line that starts with `anchor`; return the new line's number."""
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(anchor)) + 1
    lines.insert(at, code)
    path.write_text("\n".join(lines) + "\n")
    return at + 1


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", "check", *args], capture_output=True, text=True, timeout=300
    )


def rules(result: migcheck.CheckResult) -> list[str]:
    return [f.rule for f in result.findings]


# --- user code that raises SystemExit -------------------------------------------------------------------


def test_sys_exit_0_in_env_py_is_exit_2_naming_the_line_and_keeps_the_graph_findings(blog) -> None:
    project = blog()
    env_py = project / "migrations" / "env.py"
    line = put_after(env_py, "from models import Base", "import sys; sys.exit(0)")

    run = cli(str(project))

    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout.startswith("could not check: migrations: env.py raised SystemExit(0)")
    assert "MC101 error: 2 unmerged heads" in run.stdout
    assert f"File '{env_py}', line {line}, in <module>" in run.stderr
    assert "sys.exit(0)" in run.stderr
    assert "alembic/" not in run.stderr and "Traceback" not in run.stderr


def _exit_in_env_py(project: Path, code: int) -> tuple[Path, int, str]:
    env_py = project / "migrations" / "env.py"
    return env_py, put_after(env_py, "from models import Base", f"import sys; sys.exit({code})"), "env.py"


def _exit_in_models(project: Path, code: int) -> tuple[Path, int, str]:
    models = project / "models.py"
    return models, put_after(models, "Base = declarative_base()", f"import sys; sys.exit({code})"), "env.py"


def _exit_in_a_revision_file(project: Path, code: int) -> tuple[Path, int, str]:
    path = project / VERSIONS / "bbbbbbbbbbbb_exits.py"
    path.write_text(
        revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", "pass", imports=f"import sys\nsys.exit({code})\n")
    )
    return path, 8, "revision file bbbbbbbbbbbb_exits.py"


@pytest.mark.parametrize("code", [0, 1, 3])
@pytest.mark.parametrize(
    "place",
    [_exit_in_env_py, _exit_in_models, _exit_in_a_revision_file],
    ids=["env.py", "models", "revision"],
)
def test_sys_exit_in_user_code_is_exit_2_with_the_reason_and_the_graph_findings(
    blog, place, code: int
) -> None:
    project = blog()
    path, line, who = place(project, code)

    run = cli(str(project))

    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout.startswith(f"could not check: migrations: {who} raised SystemExit({code})"), run.stdout
    assert "MC101 error: 2 unmerged heads" in run.stdout
    assert f"File '{path}', line {line}, in <module>" in run.stderr
    assert "Traceback" not in run.stderr


def test_sys_exit_in_the_models_module_is_exit_2_naming_the_models_line(blog) -> None:
    project = blog(two_heads=False)
    models = project / "models.py"
    line = put_after(models, "Base = declarative_base()", 'raise SystemExit("no DATABASE_URL set")')

    result = migcheck.check(project, metadata="models:Base")

    assert result.exit_code == 2
    assert result.error is not None
    assert "--metadata: importing 'models' raised SystemExit('no DATABASE_URL set')" in result.error
    assert f"File '{models}', line {line}, in <module>" in result.error


def test_sys_exit_in_an_app_factory_is_exit_2_naming_the_factory_line(blog) -> None:
    project = blog()
    (project / "app.py").write_text("import sys\n\n\ndef create_app():\n    sys.exit(3)\n")

    result = migcheck.check(project, metadata="app:create_app")

    assert result.exit_code == 2
    assert rules(result) == ["MC101", "MC105"]
    assert "--metadata: calling app:create_app() raised SystemExit(3)" in (result.error or "")
    assert f"File '{project / 'app.py'}', line 5, in create_app" in (result.error or "")


def test_sys_exit_when_a_revision_file_is_imported_is_exit_2_naming_it(blog) -> None:
    project = blog(two_heads=False)
    path = project / VERSIONS / "bbbbbbbbbbbb_exits.py"
    path.write_text(revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", "pass", imports="import sys\nsys.exit(0)\n"))

    result = migcheck.check(project)

    assert result.exit_code == 2
    assert rules(result) == []  # no MC202: the revision did not fail, it ended the run
    assert (result.error or "").startswith(
        "migrations: revision file bbbbbbbbbbbb_exits.py raised SystemExit(0)"
    )
    assert f"File '{path}', line 8, in <module>" in (result.error or "")


def test_sys_exit_inside_upgrade_is_exit_2_naming_the_revision(blog) -> None:
    project = blog(two_heads=False)
    path = project / VERSIONS / "bbbbbbbbbbbb_exits.py"
    path.write_text(revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", "raise SystemExit(1)"))

    result = migcheck.check(project)

    assert result.exit_code == 2
    assert (result.error or "").startswith("migrations: revision bbbbbbbbbbbb raised SystemExit(1)")
    assert f"File '{path}', line 15, in upgrade" in (result.error or "")


def test_sys_exit_in_env_py_while_comparing_with_the_models_is_exit_2(blog) -> None:
    # env.py runs twice: to migrate, then to compare with the models (autogenerate); only the second exits
    project = blog()
    once = (
        "import os, sys\n"
        "_ran = os.path.join(os.path.dirname(__file__), 'ran_once')\n"
        "if os.path.exists(_ran):\n"
        "    sys.exit(0)\n"
        "open(_ran, 'w').close()"
    )
    put_after(project / "migrations" / "env.py", "from models import Base", once)

    result = migcheck.check(project)

    assert result.exit_code == 2
    assert rules(result) == ["MC101", "MC105"]
    assert "env.py (comparing with the models) raised SystemExit(0)" in (result.error or "")


def test_keyboard_interrupt_in_env_py_still_stops_migcheck(blog) -> None:
    project = blog()
    put_after(project / "migrations" / "env.py", "from models import Base", "raise KeyboardInterrupt")

    with pytest.raises(KeyboardInterrupt):
        migcheck.check(project)


def test_migchecks_own_sigterm_exit_still_stops_migcheck(blog) -> None:
    # what scratch.py raises on SIGTERM, raised where a SIGTERM would land: inside the user's code
    project = blog()
    put_after(
        project / "migrations" / "env.py",
        "from models import Base",
        "from migcheck.errors import Terminated; raise Terminated(143)",
    )

    with pytest.raises(Terminated) as raised:
        migcheck.check(project)
    assert raised.value.code == 143


# --- the graph findings survive a drift check that cannot run ------------------------------------------


def test_an_unreachable_database_still_reports_the_graph_findings(blog) -> None:
    result = migcheck.check(blog(), database_url="postgresql+psycopg://nobody:pw@127.0.0.1:9/db")

    assert result.exit_code == 2
    assert rules(result) == ["MC101", "MC105"]
    assert "cannot connect to the postgresql server at 127.0.0.1:9" in (result.error or "")
    assert "pw" not in (result.error or "").replace("***", "")


def test_fail_on_does_not_turn_could_not_check_into_a_pass(blog) -> None:
    project = blog(two_heads=False)
    put_after(project / "migrations" / "env.py", "from models import Base", "import sys; sys.exit(0)")

    result = migcheck.check(project, fail_on="error", select=["MC2"])

    assert result.findings == ()
    assert result.exit_code == 2


def test_other_environments_are_still_checked(tmp_path: Path) -> None:
    broken = copy_case(BLOG, tmp_path / "repo" / "broken")
    copy_case(BLOG, tmp_path / "repo" / "fine")
    put_after(broken / "migrations" / "env.py", "from models import Base", "import sys; sys.exit(0)")

    result = migcheck.check(tmp_path / "repo")

    assert result.exit_code == 2
    assert [(f.rule, f.location.path) for f in result.findings] == [("MC201", "fine/models.py")]
    assert (result.error or "").startswith("broken/migrations: env.py raised SystemExit(0)")


def test_every_format_shows_that_it_could_not_check(blog) -> None:
    project = blog()
    put_after(project / "migrations" / "env.py", "from models import Base", "import sys; sys.exit(0)")
    out = {fmt: cli(str(project), "--format", fmt) for fmt in ("text", "json", "markdown", "github", "sarif")}

    assert {fmt: run.returncode for fmt, run in out.items()} == dict.fromkeys(out, 2)
    report = json.loads(out["json"].stdout)
    assert (report["version"], report["ok"], report["exit_code"]) == (1, False, 2)
    assert report["error"].startswith("migrations: env.py raised SystemExit(0)")
    assert [f["rule"] for f in report["findings"]] == ["MC101", "MC105"]
    assert "⛔ **migcheck could not check everything**" in out["markdown"].stdout
    assert "env.py raised SystemExit(0)" in out["markdown"].stdout and "MC101" in out["markdown"].stdout
    first, *annotations = out["github"].stdout.splitlines()
    assert first.startswith("::error title=migcheck could not check::migrations: env.py raised SystemExit(0)")
    assert "%0A  File " in first and "\n" not in first
    assert [a.split(" ")[0] for a in annotations] == ["::error", "::warning"]
    [run] = json.loads(out["sarif"].stdout)["runs"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "env.py raised SystemExit(0)" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    assert [r["ruleId"] for r in run["results"]] == ["MC101", "MC105"]
    for run in out.values():  # and the whole reason once, on stderr
        assert run.stderr.startswith("migcheck: error: migrations: env.py raised SystemExit(0)")


# --- MC202 messages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upgrade", "message"),
    [
        ("assert op.get_bind().dialect.name == 'oracle'", "AssertionError"),
        ("raise ValueError([])", "ValueError: []"),
        ("raise RuntimeError('first line\\nsecond line')", "RuntimeError: first line"),
    ],
    ids=["bare-assert", "list-argument", "two-lines"],
)
def test_mc202_keeps_the_exception_type_and_first_line(blog, upgrade: str, message: str) -> None:
    project = blog(two_heads=False)
    (project / VERSIONS / "bbbbbbbbbbbb_fails.py").write_text(
        revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", upgrade)
    )

    result = migcheck.check(project)

    assert rules(result) == ["MC202"]
    assert result.findings[0].message == (
        f"revision 'bbbbbbbbbbbb' fails on a fresh sqlite database: {message}"
    )


@pytest.mark.parametrize(
    ("server", "error"),
    [
        (None, "OperationalError: no such table: no_such_table"),
        ("pg_url", 'UndefinedTable: relation "no_such_table" does not exist'),
        # MariaDB names the database the table is missing from
        ("mysql_url", "ProgrammingError: (1146, \"Table '<scratch database>.no_such_table' doesn't exist\")"),
    ],
    ids=["sqlite", "postgresql", "mysql"],
)
def test_mc202_of_a_database_error_is_the_drivers_type_and_the_databases_first_line(
    request, blog, server: str | None, error: str
) -> None:
    project = blog(two_heads=False)
    (project / VERSIONS / "bbbbbbbbbbbb_fails.py").write_text(
        revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", 'op.execute("SELECT * FROM no_such_table")')
    )
    server_url = request.getfixturevalue(server) if server else None

    result = migcheck.check(project, database_url=server_url)

    assert rules(result) == ["MC202"]
    dialect = {None: "sqlite", "pg_url": "postgresql", "mysql_url": "mysql"}[server]
    assert (
        result.findings[0].message == f"revision 'bbbbbbbbbbbb' fails on a fresh {dialect} database: {error}"
    )


def test_the_scratch_sqlite_path_never_appears_in_a_message(blog) -> None:
    project = blog(two_heads=False)
    (project / VERSIONS / "bbbbbbbbbbbb_fails.py").write_text(
        revision(
            "bbbbbbbbbbbb", "aaaaaaaaaaaa", "raise RuntimeError(f'cannot use {op.get_bind().engine.url}')"
        )
    )

    result = migcheck.check(project)

    assert [f.message for f in result.findings] == [
        "revision 'bbbbbbbbbbbb' fails on a fresh sqlite database: RuntimeError: cannot use <scratch database>"
    ]


def test_two_runs_give_the_same_sarif_fingerprints(blog, mysql_url) -> None:
    project = blog(two_heads=False)
    (project / VERSIONS / "bbbbbbbbbbbb_fails.py").write_text(
        revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", 'op.execute("SELECT * FROM no_such_table")')
    )

    runs = [cli(str(project), "--format", "sarif", "--database-url", mysql_url) for _ in range(2)]

    prints = [
        [r["partialFingerprints"] for r in json.loads(run.stdout)["runs"][0]["results"]] for run in runs
    ]
    assert prints[0] == prints[1] and len(prints[0]) == 1


# --- a lost connection is no failing migration ------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "kill"),
    [("pg_url", "SELECT pg_terminate_backend(pg_backend_pid())"), ("mysql_url", "KILL CONNECTION_ID()")],
    ids=["postgresql", "mysql"],
)
def test_a_lost_connection_is_could_not_check_not_mc202(request, blog, which: str, kill: str) -> None:
    server_url = request.getfixturevalue(which)
    project = blog()
    (project / VERSIONS / "bbbbbbbbbbbb_kills.py").write_text(
        revision("bbbbbbbbbbbb", "aaaaaaaaaaaa", f'op.execute("{kill}")')
    )
    before = scratch_databases(server_url)

    run = cli(str(project), "--database-url", server_url, "--format", "json")

    assert run.returncode == 2, run.stderr
    report = json.loads(run.stdout)
    assert [f["rule"] for f in report["findings"]] == ["MC101", "MC105"]  # no MC202 blaming bbbbbbbbbbbb
    assert report["error"].startswith(
        "migrations: lost the connection to the scratch database while running revision bbbbbbbbbbbb: "
    )
    assert not re.search(r"migcheck_[0-9a-f]{12}", run.stdout + run.stderr)
    assert "Traceback" not in run.stderr
    assert new_scratch_databases(server_url, before) == set()


def test_first_error_line_of_a_dbapi_error_is_the_drivers_type_and_the_databases_first_line() -> None:
    from sqlalchemy.exc import OperationalError

    from migcheck.steps import first_error_line

    class UndefinedTable(Exception):  # stands for a driver's exception class
        pass

    error = OperationalError("SELECT 1", {}, UndefinedTable("no such table: t\nLINE 1: SELECT"))

    assert first_error_line(error) == "UndefinedTable: no such table: t"
    assert first_error_line(AssertionError()) == "AssertionError"
    assert first_error_line(KeyError("x")) == "KeyError: 'x'"

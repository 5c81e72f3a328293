"""The engine routes each rule by the input it reads: every registered rule is run by some command.

The project is made by `alembic init -t generic migrations`, with models and two real revisions, in a git
repository whose `main` holds the first revision, so that one `migcheck check --base main --roundtrip`
produces every input a check can produce; `migcheck status` produces the last one.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from helpers import git
from sqlalchemy.pool import NullPool

import migcheck
from migcheck.checks import INPUTS, REGISTRY
from migcheck.cli import main
from migcheck.findings import Finding

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()

note = sa.Table(
    "note",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(50)),
)
"""

REVISION = '''\
"""{message}

Revision ID: {rid}
Revises: {down}
Create Date: 2024-04-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = {rid!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def add_revision(root: Path, rid: str, down: str | None, upgrade: str, downgrade: str) -> None:
    source = REVISION.format(
        message=f"revision {rid}",
        rid=rid,
        down=down,
        upgrade=textwrap.indent(upgrade, "    "),
        downgrade=textwrap.indent(downgrade, "    "),
    )
    (root / "migrations" / "versions" / f"{rid}_rev.py").write_text(
        source.replace("Revises: None", "Revises: ")
    )


@pytest.fixture
def repo(alembic_project: Callable[[Path], Path], tmp_path: Path) -> Path:
    """main: aaaaaaaaaaaa creates `note`; the checked-out branch adds bbbbbbbbbbbb (note.title). No drift."""
    root = alembic_project(tmp_path / "repo")
    (root / "models.py").write_text(MODELS)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None", "from models import metadata as target_metadata", 1
        )
    )
    add_revision(
        root,
        "aaaaaaaaaaaa",
        None,
        'op.create_table("note", sa.Column("id", sa.Integer(), primary_key=True))',
        'op.drop_table("note")',
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "note")
    git(root, "checkout", "-qb", "feature")
    add_revision(
        root,
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
        'op.add_column("note", sa.Column("title", sa.String(50)))',
        'op.drop_column("note", "title")',
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "note.title")
    return root


def spy_on_every_rule(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Wrap each registered rule so that calling it records its code; the rule still runs and decides."""
    called: set[str] = set()
    for code, rule in list(REGISTRY.items()):

        def spy(
            subject: object, code: str = code, check: Callable[..., Iterable[Finding]] = rule.check
        ) -> Iterable[Finding]:
            called.add(code)
            return check(subject)

        monkeypatch.setitem(REGISTRY, code, dataclasses.replace(rule, check=spy))
    return called


def test_every_registered_rule_is_run_by_check_or_status(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "app.db"
    sa.create_engine(f"sqlite:///{database}", poolclass=NullPool).connect().close()
    called = spy_on_every_rule(monkeypatch)
    runner = CliRunner()

    check = runner.invoke(main, ["check", str(repo), "--base", "main", "--roundtrip"], catch_exceptions=False)
    status = runner.invoke(
        main, ["status", str(repo), "--database-url", f"sqlite:///{database}"], catch_exceptions=False
    )

    # the MC3xx rules of one dialect run when the project's dialect is theirs
    for dialect in ("postgresql", "mysql"):
        linted = runner.invoke(
            main, ["check", str(repo), "--base", "main", "--no-drift", "--dialect", dialect]
        )
        assert linted.exit_code in (0, 1), linted.output

    assert check.exit_code == 0, check.output
    assert status.exit_code == 1, status.output  # an empty database is behind head (MC401)
    assert called == set(REGISTRY)


def test_every_rule_reads_an_input_some_command_produces() -> None:
    assert {rule.input for rule in REGISTRY.values()} <= set(INPUTS)


def test_a_rule_reading_an_input_no_command_produces_stops_the_rules_from_loading() -> None:
    code = textwrap.dedent(
        """
        from collections.abc import Iterator

        from migcheck.findings import Finding, Severity, rule

        @rule(code="MC999", name="reads-a-number", severity=Severity.ERROR)
        def reads_a_number(subject: int) -> Iterator[Finding]:
            '''Never run: no command hands a rule an int.'''
            yield from ()

        import migcheck.checks
        """
    )
    # the registry of a fresh interpreter, so that the real one stays as it is
    package = Path(migcheck.__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(package)},
    )

    assert proc.returncode == 1
    assert "TypeError: rules MC999 read an input no command produces" in proc.stderr

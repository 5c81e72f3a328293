"""`migcheck github` never shows a secret: the database password and the tokens a migration's error quotes are
masked in the log, the job summary, the step outputs, the PR comment and the check run's annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_api import FakeGitHub
from jobs import TOKEN, copy_tree
from sqlalchemy.engine import make_url

from migcheck import masking

pytest_plugins = ["action_fixtures"]  # the fixtures: api, action

SECOND_TOKEN = "ghs_aSecondTokenOfTheJob0123456789"
PASSWORD = "Hunter2@Secret"
LEAKS = (TOKEN, SECOND_TOKEN, "Hunter2@Secret", "Hunter2%40Secret", "Hunter2", "Secret")

LEAKY_REVISION = '''\
"""leaky

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
"""
import os

from alembic import op

revision = "bbbbbbbbbbbb"
down_revision = "aaaaaaaaaaaa"
branch_labels = None
depends_on = None


def upgrade():
    url = op.get_bind().engine.url
    raise RuntimeError(
        f"cannot reach {url.render_as_string(hide_password=False)} as {url.password}"
        f" (tokens {os.environ.get('GITHUB_TOKEN')} {os.environ.get('MIGCHECK_GITHUB_TOKEN')})"
    )


def downgrade():
    pass
'''


@pytest.fixture(autouse=True)
def no_secrets_yet():
    masking.forget()
    yield
    masking.forget()


def test_no_secret_reaches_the_log_summary_outputs_comment_or_annotations(
    action, api: FakeGitHub, tmp_path: Path, pg_url: str
) -> None:
    workspace = copy_tree("drift/blog_declarative", tmp_path / "pr")
    (workspace / "migrations" / "versions" / "bbbbbbbbbbbb_leaky.py").write_text(LEAKY_REVISION)
    url = make_url(pg_url).set(password=PASSWORD).render_as_string(hide_password=False)

    outcome = action(
        workspace,
        MIGCHECK_DRIFT="true",
        MIGCHECK_DATABASE_URL=url,
        MIGCHECK_COMMENT="always",
        GITHUB_TOKEN=SECOND_TOKEN,
    )

    assert outcome.exit_code == 1, outcome.stderr
    assert "cannot reach" in outcome.summary
    published = [outcome.stdout, outcome.stderr, outcome.summary, json.dumps(outcome.outputs)]
    published += [json.dumps(r.body) for r in outcome.requests]
    assert any("MC202" in text for text in published[4:]), "the check run or comment carries the finding"
    report = Path(outcome.outputs["report"])
    published.append((report if report.is_absolute() else workspace / report).read_text(encoding="utf-8"))
    assert "cannot reach" in published[-1]
    assert [secret for secret in LEAKS if any(secret in text for text in published)] == []

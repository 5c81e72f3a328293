"""Secrets never leave migcheck: a database password (as written, URL-decoded, encoded, or cut at an unencoded
`@`) and a token are masked in every format, whatever the failing code put in its message.

The PostgreSQL server of the tests trusts local connections, so a URL with any password reaches it: the
migrations and env.py below see the scratch database's URL, password included, and put it in their errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from migcheck import masking
from migcheck.cli import main
from migcheck.findings import Finding, Location, Severity
from migcheck.masking import mask, mask_result, url_secrets
from migcheck.result import CheckResult

BLOG = Path(__file__).parent / "trees" / "drift" / "blog_declarative"
FORMATS = ["text", "json", "sarif", "markdown", "github"]
PASSWORD = "Hunter2@Secret"  # the decoded password; the URL carries it as Hunter2%40Secret
LEAKS = ("Hunter2@Secret", "Hunter2%40Secret", "Hunter2", "Secret")

LEAKY_REVISION = '''\
"""leaky

Revision ID: bbbbbbbbbbbb
Revises: aaaaaaaaaaaa
"""
from alembic import op

revision = "bbbbbbbbbbbb"
down_revision = "aaaaaaaaaaaa"
branch_labels = None
depends_on = None


def upgrade():
    url = op.get_bind().engine.url
    raise RuntimeError(
        f"cannot reach {url.render_as_string(hide_password=False)} as {url.username}/{url.password}"
    )


def downgrade():
    pass
'''


@pytest.fixture(autouse=True)
def no_secrets_yet():
    """Each test starts with no known secret, as a fresh process does."""
    masking.forget()
    yield
    masking.forget()


def _with_password(pg_url: str) -> str:
    return make_url(pg_url).set(password=PASSWORD).render_as_string(hide_password=False)


def _leaked(text: str) -> list[str]:
    return [secret for secret in LEAKS if secret in text]


def _project(tmp_path: Path, env_py_raises: bool = False) -> Path:
    project = Path(shutil.copytree(BLOG, tmp_path / "blog"))
    if env_py_raises:
        env_py = project / "migrations" / "env.py"
        env_py.write_text(
            env_py.read_text().replace(
                "target_metadata = Base.metadata\n",
                "target_metadata = Base.metadata\n"
                'raise RuntimeError("env.py: no database at " + config.get_main_option("sqlalchemy.url"))\n',
            )
        )
    else:
        (project / "migrations" / "versions" / "bbbbbbbbbbbb_leaky.py").write_text(LEAKY_REVISION)
    return project


def _check(project: Path, url: str, fmt: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(project), "--database-url", url, "--format", fmt],
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the forms of a password -------------------------------------------------------------------------------


def test_every_form_of_the_password_is_a_secret() -> None:
    forms = url_secrets("postgresql://app:Hunter2%40Secret@db/app")

    assert {"Hunter2%40Secret", "Hunter2@Secret", "Secret", "Hunter2"} <= forms


def test_the_tail_an_unencoded_at_sign_cut_off_is_masked() -> None:
    masking.add_url("postgresql://app:Hunter2@Secret@127.0.0.1/app")

    said = mask("failed to resolve host 'Secret@127.0.0.1': [Errno -2] Name or service not known")

    assert said == "failed to resolve host '***@127.0.0.1': [Errno -2] Name or service not known"


def test_a_password_in_the_query_string_is_a_secret() -> None:
    masking.add_url("postgresql://app@db/app?sslmode=require&password=Hunter2Secret")

    assert mask("auth failed for Hunter2Secret") == "auth failed for ***"


def test_a_url_with_credentials_in_any_text_is_masked() -> None:
    said = mask("env.py: no database at mysql+pymysql://root:Hunter2Secret@db:3306/app (see docs)")

    assert said == "env.py: no database at mysql+pymysql://root:***@db:3306/app (see docs)"


def test_a_password_equal_to_the_user_name_hides_nothing_and_is_not_masked_in_prose() -> None:
    masking.add_url("postgresql://postgres:postgres@db/app")

    assert mask('role "postgres" does not exist') == 'role "postgres" does not exist'


def test_short_values_are_not_masked_in_prose() -> None:
    masking.add_url("postgresql://app:abc@db/app")
    masking.add_token("xy")

    assert mask("abc xy") == "abc xy"


def test_a_token_is_masked_as_written_and_url_encoded() -> None:
    masking.add_token("ghs_abc/def+123")

    assert mask("token ghs_abc/def+123 or ghs_abc%2Fdef%2B123") == "token *** or ***"


def test_tokens_are_read_from_the_job_environment() -> None:
    masking.add_environment_tokens({"GITHUB_TOKEN": "ghp_fromTheEnvironment", "HOME": "/home/me"})

    assert mask("token ghp_fromTheEnvironment, home /home/me") == "token ***, home /home/me"


def test_every_string_of_a_check_result_is_masked() -> None:
    masking.add_token("Hunter2Secret")
    finding = Finding(
        "MC202",
        Severity.ERROR,
        "migration failed: Hunter2Secret",
        Location("migrations/versions/b.py", 3),
        "hint Hunter2Secret",
        environment="env Hunter2Secret",
    )
    result = CheckResult(
        "/repo", (finding,), (), notices=("note Hunter2Secret",), error="error Hunter2Secret"
    )

    masked = mask_result(result)

    assert "Hunter2Secret" not in repr(masked)
    assert masked.findings[0].location.line == 3 and masked.findings[0].severity is Severity.ERROR


# --- the command line, on a real server: every format ------------------------------------------------------


def test_a_password_with_an_unencoded_at_sign_is_refused_without_leaking_its_tail(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres:Hunter2@Secret@127.0.0.1:5432/test"

    run = _check(_project(tmp_path), url, "text")

    assert run.returncode == 2
    assert "has an '@' in its password or user name: write each '@' there as %40" in run.stderr
    assert _leaked(run.stdout + run.stderr) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_migration_error_quoting_the_scratch_url_shows_no_password(
    tmp_path: Path, pg_url: str, fmt: str
) -> None:
    run = _check(_project(tmp_path), _with_password(pg_url), fmt)

    assert run.returncode == 1, run.stderr
    assert "MC202" in run.stdout and "cannot reach" in run.stdout
    assert _leaked(run.stdout + run.stderr) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_env_py_error_quoting_the_url_shows_no_password(tmp_path: Path, pg_url: str, fmt: str) -> None:
    run = _check(_project(tmp_path, env_py_raises=True), _with_password(pg_url), fmt)

    assert run.returncode == 2, run.stdout + run.stderr
    assert "env.py: no database at postgresql+psycopg://postgres:***@" in run.stderr
    assert _leaked(run.stdout + run.stderr) == []


def test_the_json_report_of_a_failing_migration_keeps_its_structure(tmp_path: Path, pg_url: str) -> None:
    run = _check(_project(tmp_path), _with_password(pg_url), "json")

    report = json.loads(run.stdout)
    [finding] = [f for f in report["findings"] if f["rule"] == "MC202"]
    assert finding["path"] == "migrations/versions/bbbbbbbbbbbb_leaky.py"
    assert "postgresql+psycopg://postgres:***@127.0.0.1" in finding["message"]


def test_status_masks_the_password_in_a_could_not_check_message(tmp_path: Path) -> None:
    project = _project(tmp_path)
    url = "postgresql+psycopg://postgres:Hunter2%40Secret@127.0.0.1:1/test"

    result = CliRunner().invoke(main, ["status", str(project), "--database-url", url])

    assert result.exit_code == 2
    assert "cannot read the database postgresql+psycopg://postgres:***@127.0.0.1:1/test" in result.stderr
    assert _leaked(result.output) == []


def test_the_password_of_a_url_env_py_builds_itself_is_masked_too(tmp_path: Path) -> None:
    project = Path(shutil.copytree(BLOG, tmp_path / "blog"))
    env_py = project / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = Base.metadata\n",
            "target_metadata = Base.metadata\n"
            "import os\n"
            "from sqlalchemy import create_engine\n"
            "from sqlalchemy.engine import make_url\n"
            "create_engine(os.environ['APP_DATABASE_URL'])  # redirected to a scratch database by migcheck\n"
            "raise RuntimeError('cannot log in as app with ' + make_url(os.environ['APP_DATABASE_URL']).password)\n",
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "migcheck", "check", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "APP_DATABASE_URL": "postgresql+psycopg://app:EnvSecret99@db.example/app"},
    )

    assert run.returncode == 2, run.stdout + run.stderr
    assert "cannot log in as app with ***" in run.stderr
    assert "EnvSecret99" not in run.stdout + run.stderr

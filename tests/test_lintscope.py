"""What the MC3xx lint looks at (migcheck.lintscope): the dialect it judges the migrations for, found from the
settings and the project's own configuration as `alembic init` / `flask db init` write it, and the revisions in
scope (new in the change, newer than `lint_since`, or all)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import history, rev

from migcheck.config import Settings, load_settings
from migcheck.discover import Environment, discover
from migcheck.errors import MigcheckError
from migcheck.lintscope import lint_dialect, lint_scope, url_dialect

_ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
for _name in ("DATABASE_URL", "FLASK_APP", "MIGCHECK_DATABASE_URL", "MIGCHECK_DIALECT"):
    _ENV.pop(_name, None)

FLASK_APP = """\
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = {url!r}
    db.init_app(app)
    Migrate(app, db)
    return app
"""


def tool(project: Path, *args: str) -> None:
    run = subprocess.run([sys.executable, "-m", *args], cwd=project, capture_output=True, text=True, env=_ENV)
    assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`alembic init -t generic`, `alembic init -t pyproject` and `flask db init` projects, generated once."""
    made = {}
    for template in ("generic", "pyproject"):
        where = tmp_path_factory.mktemp(template)
        tool(where, "alembic", "init", "-t", template, "migrations")
        made[template] = where
    flask = tmp_path_factory.mktemp("flask")
    (flask / "app.py").write_text(FLASK_APP.format(url="sqlite://"), encoding="utf-8")
    tool(flask, "flask", "--app", "app", "db", "init")
    made["flask"] = flask
    return made


def project(templates: dict[str, Path], kind: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(templates[kind], tmp_path / kind))


def the_environment(root: Path) -> Environment:
    [env] = discover(root).environments
    return env


def set_url(root: Path, url: str) -> None:
    ini = root / "alembic.ini"
    text = ini.read_text(encoding="utf-8")
    assert "sqlalchemy.url = driver://user:pass@localhost/dbname\n" in text  # alembic init's placeholder
    ini.write_text(text.replace("driver://user:pass@localhost/dbname", url), encoding="utf-8")


def dialect_of(root: Path, **settings: object) -> tuple[str | None, str]:
    return lint_dialect(load_settings(root, settings), the_environment(root))


# --- the dialect --------------------------------------------------------------------------------------------


def test_alembic_inits_placeholder_url_names_no_dialect(templates: dict[str, Path], tmp_path: Path) -> None:
    root = project(templates, "generic", tmp_path)

    dialect, source = dialect_of(root)

    assert dialect is None
    assert "--dialect" in source and "sqlalchemy.url" in source


def test_the_configured_sqlalchemy_url_gives_the_dialect(templates: dict[str, Path], tmp_path: Path) -> None:
    root = project(templates, "generic", tmp_path)
    set_url(root, "postgresql+psycopg://app:secret@db.internal:5432/app")

    assert dialect_of(root) == ("postgresql", "sqlalchemy.url in alembic.ini")


def test_a_pyproject_template_reads_the_url_from_alembic_ini_beside_it(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    root = project(templates, "pyproject", tmp_path)
    assert the_environment(root).config_file == root / "pyproject.toml"
    set_url(root, "mariadb+mariadbconnector://app@db/app")

    assert dialect_of(root) == ("mysql", "sqlalchemy.url in alembic.ini")


def test_a_url_env_py_fills_in_names_no_dialect(templates: dict[str, Path], tmp_path: Path) -> None:
    root = project(templates, "generic", tmp_path)
    set_url(root, "%(DB_URL)s")

    assert dialect_of(root)[0] is None


def test_the_database_url_comes_before_alembic_ini(templates: dict[str, Path], tmp_path: Path) -> None:
    root = project(templates, "generic", tmp_path)
    set_url(root, "sqlite:///app.db")

    assert dialect_of(root) == ("sqlite", "sqlalchemy.url in alembic.ini")
    assert dialect_of(root, database_url="mysql+pymysql://root@127.0.0.1:3306/test") == (
        "mysql",
        "the database URL",
    )


def test_the_dialect_setting_comes_first(templates: dict[str, Path], tmp_path: Path) -> None:
    root = project(templates, "generic", tmp_path)
    set_url(root, "sqlite:///app.db")

    assert dialect_of(root, dialect="postgres", database_url="mysql+pymysql://root@h/db") == (
        "postgresql",
        "--dialect",
    )


def test_a_database_the_lint_has_no_rules_for_ends_the_search_without_a_dialect(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    root = project(templates, "generic", tmp_path)
    set_url(root, "postgresql://app@db/app")

    dialect, source = dialect_of(root, database_url="mssql+pyodbc://sa@db/app")

    assert dialect is None
    assert source == "the database URL names mssql, a database the lint has no dialect rules for"


def test_a_flask_apps_database_uri_literal_gives_the_dialect(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    root = project(templates, "flask", tmp_path)
    assert the_environment(root).source == "flask-migrate"
    (root / "app.py").write_text(FLASK_APP.format(url="postgresql+psycopg://app@db/app"), encoding="utf-8")

    assert dialect_of(root) == ("postgresql", "SQLALCHEMY_DATABASE_URI in app.py")


def test_a_flask_config_that_reads_production_from_the_environment_names_no_dialect(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    root = project(templates, "flask", tmp_path)
    (root / "app.py").write_text(FLASK_APP.format(url="sqlite://"), encoding="utf-8")
    (root / "myapp").mkdir()
    (root / "myapp" / "config.py").write_text(
        "import os\n\n\nclass Development:\n    SQLALCHEMY_DATABASE_URI = 'sqlite:///dev.db'\n\n\n"
        "class Production:\n    SQLALCHEMY_DATABASE_URI = os.environ['DATABASE_URL']\n",
        encoding="utf-8",
    )

    assert dialect_of(root)[0] is None


def test_a_commented_out_flask_uri_is_not_read(templates: dict[str, Path], tmp_path: Path) -> None:
    root = project(templates, "flask", tmp_path)
    (root / "config.py").write_text(
        "# SQLALCHEMY_DATABASE_URI = 'mysql://old@db/app'\nSQLALCHEMY_DATABASE_URI: str = 'postgresql://db/app'\n",
        encoding="utf-8",
    )
    (root / "app.py").write_text("from flask import Flask\n", encoding="utf-8")

    assert dialect_of(root) == ("postgresql", "SQLALCHEMY_DATABASE_URI in config.py")


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("postgresql+psycopg://u@h/db", "postgresql"),
        ("postgresql://u@h/db", "postgresql"),
        ("postgres://u@h/db", "postgresql"),
        ("mysql+pymysql://root@h:3306/db", "mysql"),
        ("mariadb+mariadbconnector://u@h/db", "mysql"),
        ("sqlite:///relative.db", "sqlite"),
        ("sqlite+aiosqlite://", "sqlite"),
        ("oracle+oracledb://u@h/db", "oracle"),
        ("driver://user:pass@localhost/dbname", None),
        ("%(DATABASE_URL)s", None),
        ("${DATABASE_URL}", None),
        ("", None),
    ],
)
def test_a_urls_dialect_is_read_from_its_scheme(url: str, dialect: str | None) -> None:
    assert url_dialect(url) == dialect


def test_lintscope_never_imports_sqlalchemy() -> None:
    probe = "import sys, migcheck.lintscope; print('sqlalchemy' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert run.stdout.strip() == "False"


# --- the revisions ------------------------------------------------------------------------------------------

# a -> b -> c -> d, and e branching from b, merged with d by m
CHAIN = (rev("a"), rev("b", "a"), rev("c", "b"), rev("d", "c"), rev("e", "b"), rev("m", ("d", "e")))


def test_with_a_base_branch_exactly_the_new_revisions_are_linted() -> None:
    part = history(*CHAIN, new={"d", "m"})

    assert lint_scope(part, "a") == (frozenset({"d", "m"}), "new in this change")


def test_lint_since_takes_the_revisions_newer_than_it() -> None:
    assert lint_scope(history(*CHAIN), "c") == (frozenset({"d", "m"}), "newer than c")
    assert lint_scope(history(*CHAIN), "b") == (frozenset({"c", "d", "e", "m"}), "newer than b")


def test_lint_since_a_head_lints_nothing() -> None:
    assert lint_scope(history(*CHAIN), "m") == (frozenset(), "newer than m")


def test_lint_since_may_be_a_unique_prefix_of_an_id() -> None:
    part = history(rev("3f2a9c1b7d4e"), rev("8b1c0d2e3f4a", "3f2a9c1b7d4e"))

    assert lint_scope(part, "3f2a9c") == (frozenset({"8b1c0d2e3f4a"}), "newer than 3f2a9c1b7d4e")


def test_an_ambiguous_prefix_is_an_error_naming_the_candidates() -> None:
    part = history(rev("3f2a9c1b7d4e"), rev("3f2a0000aaaa", "3f2a9c1b7d4e"))

    with pytest.raises(MigcheckError, match=r"lint_since: '3f2a' is the start of several.*3f2a0000aaaa"):
        lint_scope(part, "3f2a")


def test_without_a_base_or_lint_since_every_revision_is_linted() -> None:
    assert lint_scope(history(*CHAIN), None) == (frozenset({"a", "b", "c", "d", "e", "m"}), "all revisions")


def test_lint_since_naming_no_revision_is_an_error_listing_the_heads() -> None:
    part = history(rev("a"), rev("b", "a"), rev("c", "a"))

    with pytest.raises(MigcheckError) as raised:
        lint_scope(part, "zzz")

    assert str(raised.value).startswith("lint_since: no revision 'zzz' in migrations; ")
    assert "migrations: heads b, c" in str(raised.value)


def test_a_history_without_lint_since_is_left_out_when_another_history_has_it() -> None:
    core = history(rev("a"), rev("b", "a"), name="core")
    billing = history(rev("x"), rev("y", "x"), name="billing")

    assert lint_scope(core, "a", others=[billing]) == (frozenset({"b"}), "newer than a")
    assert lint_scope(billing, "a", others=[core]) == (
        frozenset(),
        "none: lint_since a is in core, not in this history",
    )


def test_lint_since_in_no_history_of_several_is_an_error_naming_each() -> None:
    core = history(rev("a"), name="core")
    billing = history(rev("x"), name="billing")

    with pytest.raises(
        MigcheckError, match=r"no revision 'q' in any history checked.*core: head a; billing: head x"
    ):
        lint_scope(core, "q", others=[billing])


def test_settings_default_to_no_dialect_and_no_lint_since() -> None:
    assert (Settings().dialect, Settings().lint_since, dict(Settings().severity)) == (None, None, {})

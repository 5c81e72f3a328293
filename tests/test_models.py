"""Loading the user's models for `--metadata module:attr` (migcheck/models.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_case

import migcheck
from migcheck.errors import MigcheckError
from migcheck.models import load_metadata, project_context

MODELS = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Thing(Base):
    __tablename__ = "thing"
    id = Column(Integer, primary_key=True)


core = MetaData()
Table("core_table", core, Column("id", Integer, primary_key=True))

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
db = SQLAlchemy(app)


class Gadget(db.Model):
    id = db.Column(db.Integer, primary_key=True)


def create_app():
    return app


def not_models():
    return 42
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    (tmp_path / "shopmodels.py").write_text(MODELS)
    return tmp_path


@pytest.mark.parametrize(
    ("spec", "table"),
    [
        ("shopmodels:Base", "thing"),
        ("shopmodels:Base.metadata", "thing"),
        ("shopmodels:core", "core_table"),
        ("shopmodels:db", "gadget"),
        ("shopmodels:app", "gadget"),
        ("shopmodels:create_app", "gadget"),
    ],
)
def test_metadata_spec_accepts_every_kind_of_models_object(package: Path, spec: str, table: str) -> None:
    with project_context(package, [package]):
        metadata = load_metadata(spec, [package])

        assert table in metadata.tables


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("shopmodels", "expected module:attribute"),
        ("shopmodels:nothing", "has no attribute 'nothing'"),
        ("shopmodels:not_models", "not a MetaData"),
    ],
)
def test_a_bad_metadata_spec_says_what_is_wrong(package: Path, spec: str, message: str) -> None:
    with project_context(package, [package]), pytest.raises(MigcheckError, match=message):
        load_metadata(spec, [package])


def test_an_error_while_importing_names_the_users_file_and_line(package: Path) -> None:
    (package / "broken_models.py").write_text("import os\nraise RuntimeError('no config')\n")

    with project_context(package, [package]), pytest.raises(MigcheckError) as error:
        load_metadata("broken_models:Base", [package])

    assert "RuntimeError: no config" in str(error.value)
    assert f"File '{package / 'broken_models.py'}', line 2" in str(error.value)


def test_project_modules_are_forgotten_after_the_check(package: Path) -> None:
    import sys

    with project_context(package, [package]):
        load_metadata("shopmodels:Base", [package])
        assert "shopmodels" in sys.modules

    assert "shopmodels" not in sys.modules
    assert str(package) not in sys.path


def test_python_path_lets_models_live_in_src(tmp_path: Path) -> None:
    tree = copy_case("drift/blog_declarative", tmp_path / "blog")
    (tree / "src").mkdir()
    (tree / "models.py").rename(tree / "src" / "blogmodels.py")
    env_py = tree / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace("from models import Base", "from blogmodels import Base"))

    result = migcheck.check(tree, python_path=[str(tree / "src")])

    assert [(f.rule, f.location.path, f.location.line) for f in result.findings] == [
        ("MC201", "src/blogmodels.py", 12)
    ]

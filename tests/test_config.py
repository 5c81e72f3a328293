"""A user's mistake in the configuration is "could not check" (exit 2) naming the file and the reason, never an
internal error: `[tool.migcheck]` whatever its values, `tool = 5`, NUL bytes or impossible paths in a
configured path, Alembic's own settings, an env.py that cannot be read."""

from __future__ import annotations

import datetime
import math
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers import make_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import migcheck
from migcheck.cli import main
from migcheck.config import KEYS, Settings
from migcheck.errors import MigcheckError

BLOG = Path(__file__).parent / "trees" / "drift" / "blog_declarative"
# the drift check would import a `metadata` module or reach a `database_url`: the conversions are under test
NO_DRIFT = {"MIGCHECK_DRIFT": "false", "MIGCHECK_DRIFT_ONLY": "false"}


def toml(value: Any) -> str:
    """`value` as a TOML value (enough of TOML for these tests: tomllib reads back exactly `value`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return (
            '"'
            + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in value)
            + '"'
        )
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml(str(k))} = {toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def write_pyproject(root: Path, table: Mapping[str, Any], *, raw: str = "") -> Path:
    lines = "".join(f"{toml(key)} = {toml(value)}\n" for key, value in table.items())
    path = root / "pyproject.toml"
    path.write_text(raw or f"[tool.migcheck]\n{lines}", encoding="utf-8")
    return path


def check(root: Path, *args: str, env: Mapping[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["check", str(root), *args], env=dict(NO_DRIFT if env is None else env))


def assert_could_not_check(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    for word in words:
        assert word in result.stderr, result.stderr


# --- pyproject.toml of the wrong shape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ("tool = 5\n", "[tool] must be a table"),
        ('tool = ["migcheck"]\n', "[tool] must be a table"),
        ("[tool]\nmigcheck = 5\n", "[tool.migcheck] must be a table"),
        ("[tool]\nmigcheck = [1, 2]\n", "[tool.migcheck] must be a table"),
        ("[[tool.migcheck]]\nselect = ['MC1']\n", "[tool.migcheck] must be a table"),
    ],
    ids=["tool-is-an-int", "tool-is-a-list", "migcheck-is-an-int", "migcheck-is-a-list", "array-of-tables"],
)
def test_a_pyproject_of_the_wrong_shape_is_could_not_check_naming_it(
    tmp_path: Path, document: str, said: str
) -> None:
    root = make_tree(tmp_path, ("a", None))
    pyproject = write_pyproject(root, {}, raw=document)

    assert_could_not_check(check(root), str(pyproject), said)


# --- NUL bytes and impossible paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("versions", ["migrations/ver\x00sions"]),
        ("alembic_config", "alembic\x00.ini"),
        ("python_path", ["sr\x00c"]),
        ("environments", ["migr\x00ations"]),
        ("environments", [{"path": "migr\x00ations"}]),
        ("select", ["MC1\x00"]),
        ("metadata", "models\x00:Base"),
        ("database_url", "sqlite:///x\x00y"),
        ("base", "main\x00"),
    ],
    ids=lambda v: v if isinstance(v, str) and "\x00" not in v else None,
)
def test_a_nul_byte_in_a_setting_is_could_not_check_naming_the_setting(
    tmp_path: Path, key: str, value: Any
) -> None:
    root = make_tree(tmp_path, ("a", None))
    pyproject = write_pyproject(root, {key: value})

    assert_could_not_check(check(root), str(pyproject), key, "NUL")


@pytest.mark.parametrize("key", ["versions", "alembic_config", "environments"])
def test_a_path_too_long_for_the_filesystem_is_could_not_check(tmp_path: Path, key: str) -> None:
    root = make_tree(tmp_path, ("a", None))
    long = "x" * 5000
    write_pyproject(root, {key: long if key == "alembic_config" else [long]})

    assert_could_not_check(check(root))


def test_a_nul_byte_in_the_checked_path_is_a_migcheck_error() -> None:
    with pytest.raises(MigcheckError, match="NUL"):
        migcheck.check("proj\x00ect")


@pytest.mark.parametrize(
    ("line", "key", "said"),
    [
        ("script_location = %(here)s/migr\x00ations", "script_location", "NUL"),
        ("version_locations = a\x00b", "version_locations", "NUL"),
        ("script_location = " + "x" * 300, "script_location", "File name too long"),
        ("script_location = pkg" + "x" * 300 + ":migrations", "script_location", "File name too long"),
    ],
    ids=["nul-script_location", "nul-version_locations", "long-script_location", "long-package"],
)
def test_an_impossible_path_in_alembic_ini_is_could_not_check_naming_the_file(
    tmp_path: Path, line: str, key: str, said: str
) -> None:
    root = make_tree(tmp_path, ("a", None))
    ini = root / "alembic.ini"
    text = ini.read_text().replace("[alembic]\n", f"[alembic]\n{line}\n", 1)
    if key == "script_location":
        text = text.replace("script_location = %(here)s/migrations\n", "", 1)
    ini.write_text(text, encoding="utf-8")

    assert_could_not_check(check(root), str(ini) if said == "NUL" else "alembic.ini", key, said)


def test_a_nul_byte_in_tool_alembic_is_could_not_check_naming_the_file(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None))
    (root / "alembic.ini").unlink()
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[tool.alembic]\nscript_location = "%(here)s/migr\\u0000ations"\n', encoding="utf-8")

    assert_could_not_check(check(root), str(pyproject), "script_location", "NUL")


# --- an env.py that cannot be read --------------------------------------------------------------------------


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    return shutil.copytree(BLOG, tmp_path / "blog", ignore=shutil.ignore_patterns("__pycache__"))


def test_an_env_py_that_is_a_dangling_symlink_is_could_not_check(blog: Path) -> None:
    env_py = blog / "migrations" / "env.py"
    env_py.unlink()
    env_py.symlink_to("gone.py")

    assert_could_not_check(check(blog, env={}), str(env_py), "symbolic link", "does not exist")


def test_an_env_py_that_is_a_directory_is_could_not_check(blog: Path) -> None:
    env_py = blog / "migrations" / "env.py"
    env_py.unlink()
    env_py.mkdir()

    assert_could_not_check(check(blog, env={}), str(env_py), "is a directory")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_env_py_without_read_permission_is_could_not_check(blog: Path) -> None:
    env_py = blog / "migrations" / "env.py"
    env_py.chmod(0)
    try:
        result = check(blog, env={})
    finally:
        env_py.chmod(stat.S_IRUSR | stat.S_IWUSR)

    assert_could_not_check(result, str(env_py), "Permission denied")


def test_a_project_without_env_py_still_skips_the_drift_check_with_a_note(blog: Path) -> None:
    (blog / "migrations" / "env.py").unlink()

    result = check(blog, env={})

    assert result.exit_code == 0, result.output
    assert "no env.py to run the migrations with" in result.output


# --- any value for any key ----------------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
# values that have broken migcheck before, and values that mean something to it: drawn far more often than
# random ones, and mostly alone or in plausible company, so that one odd value is not hidden behind another's
# error
_HOSTILE = st.sampled_from(
    ["a\x00b", "x" * 300, "\n", "::error::x", "-", "--help", "~", "..\\..", "%(here)s"]
)
_TELLING = _HOSTILE | st.sampled_from(
    ["", ".", "..", "/", "migrations", "migrations/versions", "alembic.ini", "pyproject.toml", "MC101", "MC1"]
    + ["error", "2", "0", "a,b c", "true", "app:create_app", "sqlite://", "HEAD"]
)
_SCALARS = st.one_of(
    _TELLING,
    _TELLING.map(lambda v: [v]),
    _TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.datetimes() | st.dates() | st.times(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_ENVIRONMENT = st.fixed_dictionaries(
    {"path": _TELLING | _VALUES},
    optional={"select": _VALUES, "ignore": _VALUES, "expected_heads": _VALUES, "expected-heads": _VALUES},
)
# mostly values of a plausible shape, so that one odd value is not hidden behind another's error
_PLAUSIBLE = st.one_of(
    _TELLING, st.lists(_TELLING, min_size=1, max_size=2), st.booleans(), st.integers(-1, 3)
)
_SETTING = st.one_of(
    st.tuples(st.sampled_from([*KEYS, *(k.replace("_", "-") for k in KEYS)]), _PLAUSIBLE),
    st.tuples(st.sampled_from([*KEYS, "unknown_key"]), _VALUES),
    st.tuples(st.just("environments"), st.lists(_ENVIRONMENT | _TELLING, min_size=1, max_size=2)),
)
_TABLES = st.lists(_SETTING, min_size=1, max_size=2).map(dict)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("any-config")


@settings(
    max_examples=int(os.environ.get("MIGCHECK_TEST_EXAMPLES", "150")),
    deadline=None,
    database=None,
    derandomize=not os.environ.get("MIGCHECK_TEST_EXAMPLES"),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(table=_TABLES)
def test_any_value_for_any_key_of_tool_migcheck_is_exit_0_1_or_2_and_never_a_traceback(
    scratch: Path, table: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as base:
        root = make_tree(Path(base), ("a", None), ("b", "a"), ("c", "a"))
        write_pyproject(root, table)

        result = check(root)

    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output


# --- any value in Alembic's own settings --------------------------------------------------------------------

_INI_KEYS = ["script_location", "version_locations", "path_separator", "version_path_separator"]
_INI_KEYS += ["recursive_version_locations", "sourceless", "prepend_sys_path"]
_INI_TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    ),
    max_size=20,
)
_INI_VALUE = _INI_TEXT | st.sampled_from(
    [
        "%(here)s/migrations",
        "%(here)s/../x",
        "%(nope)s",
        "%",
        "pkg:migrations",
        ":",
        "a:b:c",
        "os",
        "newline",
        "x" * 300,
    ]
    + ["a\x00b", "true", "maybe", "%(here)s/migrations/versions", "{env}", "$HOME"]
)


@settings(
    max_examples=int(os.environ.get("MIGCHECK_TEST_EXAMPLES", "100")),
    deadline=None,
    database=None,
    derandomize=not os.environ.get("MIGCHECK_TEST_EXAMPLES"),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    ini=st.dictionaries(st.sampled_from(_INI_KEYS), _INI_VALUE, max_size=3),
    tool_alembic=st.none() | st.dictionaries(st.sampled_from(_INI_KEYS), _VALUES | _INI_VALUE, max_size=3),
)
def test_any_value_in_alembic_ini_or_tool_alembic_is_exit_0_1_or_2_and_never_a_traceback(
    scratch: Path, ini: dict[str, str], tool_alembic: dict[str, Any] | None
) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as base:
        root = make_tree(Path(base), ("a", None), ("b", "a"))
        path = root / "alembic.ini"
        kept = [
            line for line in path.read_text().splitlines(keepends=True) if line.split(" = ")[0] not in ini
        ]
        lines = "".join(f"{key} = {value}\n" for key, value in ini.items())
        path.write_text("".join(kept).replace("[alembic]\n", f"[alembic]\n{lines}", 1), encoding="utf-8")
        if tool_alembic is not None:
            body = "".join(f"{toml(key)} = {toml(value)}\n" for key, value in tool_alembic.items())
            (root / "pyproject.toml").write_text(f"[tool.alembic]\n{body}", encoding="utf-8")

        result = check(root)

    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output


# --- dialect, lint_since and severity: parsed, and which source wins ----------------------------------------


SettingsOf = Callable[..., Settings]


@pytest.fixture
def settings_of(monkeypatch: pytest.MonkeyPatch) -> SettingsOf:
    """The Settings `migcheck check ROOT ARGS` hands the engine (which is stopped there), under `env`."""
    import migcheck.engine

    seen: list[Settings] = []

    def record(settings: Settings, progress: object = None) -> None:
        seen.append(settings)
        raise MigcheckError("recorded")

    monkeypatch.setattr(migcheck.engine, "run", record)

    def settings_of(root: Path, *args: str, env: Mapping[str, str] | None = None) -> Settings:
        result = check(root, *args, env=env or {})
        assert result.exit_code == 2 and "recorded" in result.stderr, result.output
        return seen.pop()

    return settings_of


PYPROJECT = {"dialect": "sqlite", "lint_since": "aaaaaaaaaaaa", "severity": {"MC105": "notice"}}
ENV = {
    "MIGCHECK_DIALECT": "mariadb",
    "MIGCHECK_LINT_SINCE": "bbbbbbbbbbbb",
    "MIGCHECK_SEVERITY": "MC105=warning",
}
FLAGS = ("--dialect", "postgres", "--lint-since", "cccccccccccc", "--severity", "MC105=error")


def test_lint_settings_come_from_pyproject(tmp_path: Path, settings_of: SettingsOf) -> None:
    root = make_tree(tmp_path, ("a", None))
    write_pyproject(root, PYPROJECT)

    chosen = settings_of(root)

    assert (chosen.dialect, chosen.lint_since, dict(chosen.severity)) == (
        "sqlite",
        "aaaaaaaaaaaa",
        {"MC105": "notice"},
    )


def test_lint_settings_env_vars_override_pyproject(tmp_path: Path, settings_of: SettingsOf) -> None:
    root = make_tree(tmp_path, ("a", None))
    write_pyproject(root, PYPROJECT)

    chosen = settings_of(root, env=ENV)

    assert (chosen.dialect, chosen.lint_since, dict(chosen.severity)) == (
        "mysql",
        "bbbbbbbbbbbb",
        {"MC105": "warning"},
    )


def test_lint_settings_flags_override_env_vars(tmp_path: Path, settings_of: SettingsOf) -> None:
    root = make_tree(tmp_path, ("a", None))
    write_pyproject(root, PYPROJECT)

    chosen = settings_of(root, *FLAGS, env=ENV)

    assert (chosen.dialect, chosen.lint_since, dict(chosen.severity)) == (
        "postgresql",
        "cccccccccccc",
        {"MC105": "error"},
    )


def test_a_severity_flag_replaces_the_whole_table(tmp_path: Path, settings_of: SettingsOf) -> None:
    root = make_tree(tmp_path, ("a", None))
    write_pyproject(root, {"severity": {"MC101": "notice", "multiple-bases": "error"}})

    assert dict(settings_of(root).severity) == {"MC101": "notice", "multiple-bases": "error"}
    assert dict(settings_of(root, "--severity", "MC108=error", "--severity", "MC3 = notice").severity) == {
        "MC108": "error",
        "MC3": "notice",
    }


@pytest.mark.parametrize(
    ("table", "said"),
    [
        (
            {"dialect": "oracle"},
            "dialect: 'oracle' is not a dialect migcheck lints for; use one of sqlite, postgresql,",
        ),
        ({"dialect": 3}, "dialect: expected a string, got 3"),
        ({"lint_since": ["a"]}, "lint_since: expected a string"),
        ({"severity": 5}, "severity: expected a table of rule = severity"),
        ({"severity": ["MC105"]}, "severity: expected RULE=SEVERITY (e.g. MC302=error), got 'MC105'"),
        ({"severity": {"MC105": "fatal"}}, "severity: MC105: 'fatal' is not a severity; use one of error"),
        ({"severity": {"MC105": 1}}, "severity: MC105: expected a severity (a string), got 1"),
        ({"severity": {"MC999": "error"}}, "severity: unknown rule 'MC999'; known rules:"),
        ({"severity": {"drop-everything": "error"}}, "severity: unknown rule 'drop-everything'"),
    ],
    ids=lambda v: None if isinstance(v, dict) else "",
)
def test_a_bad_lint_setting_is_could_not_check_naming_it(
    tmp_path: Path, table: dict[str, Any], said: str
) -> None:
    root = make_tree(tmp_path, ("a", None))
    write_pyproject(root, table)

    assert_could_not_check(check(root), said)


def test_a_bad_dialect_variable_names_the_flag_and_its_choices(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None))

    assert_could_not_check(
        check(root, env={**NO_DRIFT, "MIGCHECK_DIALECT": "oracle"}), "--dialect", "postgresql"
    )


def test_the_library_api_takes_the_lint_settings(tmp_path: Path) -> None:
    root = make_tree(tmp_path, ("a", None), ("b", None), ("m", ("a", "b")))

    result = migcheck.check(root, drift=False, severity={"multiple-bases": "error"}, dialect="mariadb")

    assert [(f.rule, f.severity.value) for f in result.findings] == [("MC105", "error")]
    with pytest.raises(MigcheckError, match="dialect: 'db2' is not a dialect"):
        migcheck.check(root, drift=False, dialect="db2")

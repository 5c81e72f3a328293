"""Tests for migcheck.discover: finding Alembic environments by reading files only."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from migcheck.discover import Discovery, Environment, discover
from migcheck.errors import MigcheckError


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def script_dir(directory: Path, *version_dirs: str) -> Path:
    """An Alembic script location: env.py plus version directories (``versions`` unless named)."""
    write(directory / "env.py", "# env.py\n")
    for name in version_dirs or ("versions",):
        (directory / name).mkdir(parents=True, exist_ok=True)
    return directory


def ini(directory: Path, body: str, section: str = "alembic") -> Path:
    return write(directory / "alembic.ini", f"[{section}]\n" + textwrap.dedent(body).lstrip("\n"))


def only(discovery: Discovery) -> Environment:
    assert len(discovery.environments) == 1, discovery.environments
    return discovery.environments[0]


def names(discovery: Discovery) -> list[str]:
    return [env.name for env in discovery.environments]


# --- script_location forms -------------------------------------------------------------------------


def test_relative_script_location_resolves_against_the_ini_directory(tmp_path: Path) -> None:
    script_dir(tmp_path / "app" / "migrations")
    ini(tmp_path / "app", "script_location = migrations\n")

    env = only(discover(tmp_path))

    assert env.name == "app/migrations"
    assert env.script_location == (tmp_path / "app" / "migrations").resolve()
    assert env.version_locations == ((tmp_path / "app" / "migrations" / "versions").resolve(),)
    assert env.config_file == (tmp_path / "app" / "alembic.ini").resolve()
    assert env.source == "alembic.ini"
    assert (env.recursive, env.sourceless, env.split_histories) == (False, False, False)
    assert env.ini_section == "alembic"


def test_here_interpolation_in_script_location(tmp_path: Path) -> None:
    script_dir(tmp_path / "db" / "alembic")
    ini(tmp_path, "script_location = %(here)s/db/alembic\n")

    assert only(discover(tmp_path)).name == "db/alembic"


def test_absolute_script_location(tmp_path: Path) -> None:
    location = script_dir(tmp_path / "migrations").resolve()
    ini(tmp_path / "config", f"script_location = {location}\n")

    assert only(discover(tmp_path)).script_location == location


def test_script_location_at_the_root_is_named_dot(tmp_path: Path) -> None:
    script_dir(tmp_path)
    ini(tmp_path, "script_location = .\n")

    assert only(discover(tmp_path)).name == "."


@pytest.mark.parametrize("package_home", ["", "src/"])
def test_package_colon_path_script_location_finds_the_package_statically(
    tmp_path: Path, package_home: str
) -> None:
    write(tmp_path / f"{package_home}myapp/__init__.py")
    script_dir(tmp_path / f"{package_home}myapp/migrations")
    ini(tmp_path, "script_location = myapp:migrations\n")

    assert only(discover(tmp_path)).name == f"{package_home}myapp/migrations"


def test_dotted_package_script_location_maps_dots_to_directories(tmp_path: Path) -> None:
    script_dir(tmp_path / "corp" / "billing" / "db" / "migrations")
    ini(tmp_path, "script_location = corp.billing:db/migrations\n")

    assert only(discover(tmp_path)).name == "corp/billing/db/migrations"


# --- version_locations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "separator"),
    [
        ("path_separator = os", os.pathsep),
        ("path_separator = space", " "),
        ("path_separator = :", ":"),
        ("path_separator = ;", ";"),
        ("path_separator = ,", ","),
        ("path_separator = comma", ", "),
        ("version_path_separator = os", os.pathsep),
        ("version_path_separator = ;", ";"),
    ],
)
def test_version_locations_split_on_the_configured_separator(
    tmp_path: Path, setting: str, separator: str
) -> None:
    script_dir(tmp_path / "migrations", "core", "plugins")
    ini(
        tmp_path,
        f"""
        script_location = migrations
        {setting}
        version_locations = migrations/core{separator}migrations/plugins
        """,
    )

    env = only(discover(tmp_path))

    migrations = (tmp_path / "migrations").resolve()
    assert env.version_locations == (migrations / "core", migrations / "plugins")


def test_newline_separated_version_locations(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations", "core", "plugins")
    ini(
        tmp_path,
        """
        script_location = migrations
        path_separator = newline
        version_locations =
            %(here)s/migrations/core
            %(here)s/migrations/plugins
        """,
    )

    migrations = (tmp_path / "migrations").resolve()
    assert only(discover(tmp_path)).version_locations == (migrations / "core", migrations / "plugins")


def test_without_a_separator_setting_version_locations_use_alembics_legacy_space_comma_split(
    tmp_path: Path,
) -> None:
    script_dir(tmp_path / "migrations", "a", "b", "c")
    ini(
        tmp_path,
        """
        script_location = migrations
        version_locations = migrations/a, migrations/b  migrations/c
        """,
    )

    env = only(discover(tmp_path))

    assert [path.name for path in env.version_locations] == ["a", "b", "c"]


def test_version_locations_are_deduplicated_in_config_order(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations", "b", "a")
    ini(
        tmp_path,
        """
        script_location = migrations
        path_separator = space
        version_locations = migrations/b %(here)s/migrations/a migrations/b
        """,
    )

    assert [path.name for path in only(discover(tmp_path)).version_locations] == ["b", "a"]


def test_package_colon_path_version_location(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    (tmp_path / "src" / "plugin" / "versions").mkdir(parents=True)
    ini(
        tmp_path,
        """
        script_location = migrations
        path_separator = space
        version_locations = plugin:versions
        """,
    )

    assert only(discover(tmp_path)).version_locations == ((tmp_path / "src/plugin/versions").resolve(),)


def test_missing_version_location_is_kept_for_the_reader_to_report(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(
        tmp_path,
        """
        script_location = migrations
        path_separator = os
        version_locations = %(here)s/gone
        """,
    )

    assert only(discover(tmp_path)).version_locations == ((tmp_path / "gone").resolve(),)


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("Yes", True), ("1", True), ("FALSE", False)]
)
def test_recursive_version_locations_flag(tmp_path: Path, value: str, expected: bool) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, f"script_location = migrations\nrecursive_version_locations = {value}\n")

    assert only(discover(tmp_path)).recursive is expected


def test_sourceless_flag(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, "script_location = migrations\nsourceless = true\n")

    assert only(discover(tmp_path)).sourceless is True


def test_nested_revision_dirs_without_version_locations_are_read_recursively_as_split_histories(
    tmp_path: Path,
) -> None:
    migrations = script_dir(tmp_path / "migrations")
    write(migrations / "versions" / "2024_1" / "expand" / "abc_add_table.py")
    ini(tmp_path, "script_location = migrations\n")

    env = only(discover(tmp_path))

    assert (env.recursive, env.split_histories) == (True, True)


def test_named_version_locations_keep_the_recursive_flag_exactly(tmp_path: Path) -> None:
    migrations = script_dir(tmp_path / "migrations")
    write(migrations / "versions" / "postgresql" / "abc_add_table.py")
    ini(
        tmp_path,
        """
        script_location = migrations
        path_separator = os
        version_locations = migrations/versions
        """,
    )

    env = only(discover(tmp_path))

    assert (env.recursive, env.split_histories) == (False, False)


def test_invalid_path_separator_is_an_error_naming_the_file(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, "script_location = migrations\npath_separator = pipe\nversion_locations = a|b\n")

    with pytest.raises(MigcheckError, match=r"alembic\.ini.*path_separator = pipe"):
        discover(tmp_path)


# --- pyproject.toml ------------------------------------------------------------------------------


def test_pyproject_tool_alembic_defines_an_environment(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations", "versions", "extra")
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.alembic]
        script_location = "%(here)s/migrations"
        version_locations = ["%(here)s/migrations/versions", "migrations/extra"]
        recursive_version_locations = true
        """,
    )

    env = only(discover(tmp_path))

    migrations = (tmp_path / "migrations").resolve()
    assert env.source == "pyproject.toml"
    assert env.config_file == (tmp_path / "pyproject.toml").resolve()
    assert env.version_locations == (migrations / "versions", migrations / "extra")
    assert (env.recursive, env.split_histories) == (True, False)


def test_alembic_ini_wins_over_pyproject_for_the_keys_it_sets(tmp_path: Path) -> None:
    script_dir(tmp_path / "from_ini", "ini_versions")
    (tmp_path / "from_toml").mkdir()
    (tmp_path / "toml_versions").mkdir()
    ini(tmp_path, "script_location = from_ini\n")
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.alembic]
        script_location = "from_toml"
        version_locations = ["toml_versions"]
        sourceless = true
        """,
    )

    env = only(discover(tmp_path))

    assert env.name == "from_ini"
    assert env.source == "alembic.ini"
    assert env.version_locations == ((tmp_path / "toml_versions").resolve(),)
    assert env.sourceless is True


def test_pyproject_without_tool_alembic_is_ignored_even_when_broken(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, "script_location = migrations\n")
    write(tmp_path / "vendored" / "pyproject.toml", "this is [not toml\n")

    assert only(discover(tmp_path)).name == "migrations"


def test_invalid_pyproject_mentioning_alembic_is_an_error_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.alembic\nscript_location = 'migrations'\n")

    with pytest.raises(MigcheckError, match=r"pyproject\.toml: not valid TOML"):
        discover(tmp_path)


# --- layouts without a usable script_location ----------------------------------------------------


def test_flask_migrate_ini_without_script_location_uses_its_own_directory(tmp_path: Path) -> None:
    migrations = script_dir(tmp_path / "migrations")
    write(migrations / "alembic.ini", "[alembic]\n# template used to generate migration files\n")

    env = only(discover(tmp_path))

    assert env.name == "migrations"
    assert env.source == "flask-migrate"
    assert env.config_file == (migrations / "alembic.ini").resolve()


def test_env_py_next_to_versions_without_any_config_is_found_by_scanning(tmp_path: Path) -> None:
    script_dir(tmp_path / "app" / "db")

    env = only(discover(tmp_path))

    assert env.name == "app/db"
    assert env.source == "scan"
    assert env.config_file is None
    assert (env.recursive, env.split_histories) == (True, True)


def test_scan_does_not_repeat_an_environment_a_config_already_names(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, "script_location = migrations\n")

    assert only(discover(tmp_path)).source == "alembic.ini"


def test_template_script_location_falls_back_to_scanning_with_a_notice(tmp_path: Path) -> None:
    script_dir(tmp_path / "db" / "alembic")
    write(tmp_path / "alembic.ini", "# generated\n[alembic]\nscript_location = {alembic_dir}\n")

    discovery = discover(tmp_path)

    assert only(discovery).source == "scan"
    assert discovery.notices == (
        'alembic.ini:3: script_location "{alembic_dir}" cannot be resolved statically; '
        "found the environment by scanning for env.py + versions/ instead",
    )


def test_uninterpolatable_script_location_falls_back_to_scanning(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path / "deploy", "script_location = %(app_root)s/migrations\n")

    discovery = discover(tmp_path)

    assert names(discovery) == ["migrations"]
    assert discovery.notices[0].startswith('deploy/alembic.ini:2: script_location "%(app_root)s/migrations"')


def test_script_location_that_does_not_exist_falls_back_to_scanning(tmp_path: Path) -> None:
    script_dir(tmp_path / "alembic")
    ini(tmp_path, "script_location = migrations\n")

    discovery = discover(tmp_path)

    assert names(discovery) == ["alembic"]
    assert "alembic.ini:2" in discovery.notices[0]


def test_template_fallback_does_not_override_an_environment_its_own_config_names(tmp_path: Path) -> None:
    write(tmp_path / "alembic.ini", "[alembic]\nscript_location = ${script_location}\n")
    script_dir(tmp_path / "plugins" / "foo" / "alembic")
    ini(tmp_path / "plugins" / "foo", "script_location = alembic\nsourceless = true\n")

    env = only(discover(tmp_path))

    assert (env.name, env.source, env.sourceless) == ("plugins/foo/alembic", "alembic.ini", True)


def test_template_script_location_in_pyproject_falls_back_with_a_notice_naming_its_line(
    tmp_path: Path,
) -> None:
    script_dir(tmp_path / "migrations")
    write(
        tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.alembic]\nscript_location = "${dir}"\n'
    )

    discovery = discover(tmp_path)

    assert only(discovery).name == "migrations"
    assert discovery.notices[0].startswith('pyproject.toml:5: script_location "${dir}" cannot be resolved')


def test_unresolvable_version_location_is_kept_with_a_notice(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, "script_location = migrations\nversion_locations = %(data_dir)s/versions\n")

    discovery = discover(tmp_path)

    assert only(discovery).version_locations == (tmp_path.resolve() / "%(data_dir)s/versions",)
    assert discovery.notices == (
        'alembic.ini:3: version location "%(data_dir)s/versions" cannot be resolved statically; '
        "kept as written",
    )


def test_ini_without_script_location_or_env_py_is_skipped_with_a_notice(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path / "other", "sqlalchemy.url = sqlite://\n")

    discovery = discover(tmp_path)

    assert names(discovery) == ["migrations"]
    assert discovery.notices == ("other/alembic.ini: no script_location and no env.py beside it; skipped",)


# --- several environments ------------------------------------------------------------------------


def test_every_section_with_script_location_is_an_environment(tmp_path: Path) -> None:
    script_dir(tmp_path / "users_db")
    script_dir(tmp_path / "orders_db")
    write(
        tmp_path / "alembic.ini",
        """
        [orders]
        script_location = orders_db

        [alembic]
        script_location = users_db

        [loggers]
        keys = root
        """,
    )

    discovery = discover(tmp_path)

    assert [(env.name, env.ini_section) for env in discovery.environments] == [
        ("orders_db", "orders"),
        ("users_db", "alembic"),
    ]


def test_sections_sharing_a_script_location_get_distinct_names(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations", "main", "reports")
    write(
        tmp_path / "alembic.ini",
        """
        [alembic]
        script_location = migrations
        version_locations = %(here)s/migrations/main

        [reports]
        script_location = migrations
        version_locations = %(here)s/migrations/reports
        """,
    )

    assert names(discover(tmp_path)) == ["migrations", "migrations [reports]"]


def test_environments_across_the_repository_are_all_found_and_sorted_by_name(tmp_path: Path) -> None:
    script_dir(tmp_path / "plugins" / "zeta" / "alembic")
    ini(tmp_path / "plugins" / "zeta", "script_location = alembic\n")
    script_dir(tmp_path / "core" / "migrations")
    ini(tmp_path, "script_location = core/migrations\n")
    script_dir(tmp_path / "plugins" / "alpha" / "migrations")

    assert names(discover(tmp_path)) == [
        "core/migrations",
        "plugins/alpha/migrations",
        "plugins/zeta/alembic",
    ]


def test_virtualenvs_node_modules_and_build_output_are_not_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script_dir(tmp_path / "migrations")
    for ignored in (".venv/lib/x", "node_modules/pkg", "build/lib", "pkg.egg-info/x"):
        script_dir(tmp_path / ignored)
    script_dir(tmp_path / "env" / "lib" / "y")
    write(tmp_path / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    visited: list[str] = []
    real_scandir = os.scandir

    def recording_scandir(path: str | os.PathLike[str]) -> object:
        visited.append(Path(path).relative_to(tmp_path.resolve()).as_posix())
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", recording_scandir)

    assert names(discover(tmp_path)) == ["migrations"]
    assert not [path for path in visited if path.split("/")[0] in {".venv", "node_modules", "build"}]
    assert "env/lib" not in visited


# --- explicit choices ----------------------------------------------------------------------------


def test_explicit_versions_dir_takes_its_parent_with_env_py_as_script_location(tmp_path: Path) -> None:
    migrations = script_dir(tmp_path / "migrations", "versions", "extra")
    ini(tmp_path, "script_location = migrations\n")

    env = only(discover(tmp_path, versions=[migrations / "extra"]))

    assert env.name == "migrations"
    assert env.version_locations == ((migrations / "extra").resolve(),)
    assert (env.source, env.recursive, env.split_histories) == ("explicit", True, True)


def test_explicit_versions_dir_without_env_py_is_its_own_script_location(tmp_path: Path) -> None:
    (tmp_path / "revisions").mkdir()

    env = only(discover(tmp_path, versions=[tmp_path / "revisions"]))

    assert env.name == "revisions"
    assert env.script_location == (tmp_path / "revisions").resolve()


def test_explicit_versions_dir_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MigcheckError, match=r"--versions .*not a directory"):
        discover(tmp_path, versions=[tmp_path / "nope"])


def test_explicit_alembic_config_is_relative_to_the_current_directory_and_used_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script_dir(tmp_path / "one" / "migrations")
    ini(tmp_path / "one", "script_location = migrations\n")
    script_dir(tmp_path / "two" / "migrations")
    ini(tmp_path / "two", "script_location = migrations\n")
    monkeypatch.chdir(tmp_path / "two")

    assert names(discover(tmp_path, alembic_config=Path("alembic.ini"))) == ["two/migrations"]


def test_missing_explicit_alembic_config_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(MigcheckError, match=r"--alembic-config .*missing\.ini: no such file"):
        discover(tmp_path, alembic_config=tmp_path / "missing.ini")


def test_explicit_alembic_config_with_nothing_usable_is_an_error(tmp_path: Path) -> None:
    config = ini(tmp_path, "script_location = {alembic_dir}\n")

    with pytest.raises(MigcheckError, match=r"no Alembic environment found from this file"):
        discover(tmp_path, alembic_config=config)


def test_environments_setting_restricts_discovery_to_the_named_ones(tmp_path: Path) -> None:
    script_dir(tmp_path / "a" / "migrations")
    ini(tmp_path / "a", "script_location = migrations\n")
    script_dir(tmp_path / "b" / "migrations")
    ini(tmp_path / "b", "script_location = migrations\n", section="alembic")
    script_dir(tmp_path / "c" / "db")
    script_dir(tmp_path / "ignored" / "db")

    discovery = discover(tmp_path, environments=["a/alembic.ini", "b", "c/db"])

    assert names(discovery) == ["a/migrations", "b/migrations", "c/db"]
    assert discovery.environments[2].source == "explicit"


def test_environments_entry_that_names_nothing_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    with pytest.raises(MigcheckError, match=r'\[tool\.migcheck\]: "empty"'):
        discover(tmp_path, environments=["empty"])


# --- failures ------------------------------------------------------------------------------------


def test_nothing_found_says_where_it_looked_and_how_to_point_at_an_environment(tmp_path: Path) -> None:
    write(tmp_path / "app.py", "print('hello')\n")

    with pytest.raises(MigcheckError) as caught:
        discover(tmp_path)

    message = str(caught.value)
    assert str(tmp_path.resolve()) in message
    for hint in (
        "alembic.ini",
        "[tool.alembic]",
        "env.py",
        "--alembic-config",
        "--versions",
        "[tool.migcheck]",
    ):
        assert hint in message


def test_broken_ini_is_an_error_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path / "alembic.ini", "script_location = migrations\n")

    with pytest.raises(MigcheckError, match=r"alembic\.ini: not a valid ini file"):
        discover(tmp_path)


def test_undecodable_ini_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_bytes(b"[alembic]\nscript_location = \xff\xfe\n")

    with pytest.raises(MigcheckError, match=r"alembic\.ini: cannot read"):
        discover(tmp_path)


def test_invalid_boolean_is_an_error_naming_the_file_and_setting(tmp_path: Path) -> None:
    script_dir(tmp_path / "migrations")
    ini(tmp_path, "script_location = migrations\nsourceless = perhaps\n")

    with pytest.raises(MigcheckError, match=r"alembic\.ini: sourceless = 'perhaps' is not a boolean"):
        discover(tmp_path)

"""Alembic's own configuration, read statically: `alembic.ini` sections and `[tool.alembic]` in pyproject.toml.

Values mean what they mean to Alembic (`%(here)s`, `path_separator`, the legacy space/comma split), so that
migcheck reads the same version directories Alembic would.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from migcheck.errors import MigcheckError

_SEPARATORS = {"os": os.pathsep, "space": " ", "newline": "\n", ":": ":", ";": ";", ",": ",", "comma": ","}
# What alembic does when neither path_separator nor version_path_separator is set.
_LEGACY_SPLIT = re.compile(r", *|(?: +)")
_BOOLEANS = dict.fromkeys(("true", "yes", "on", "1"), True) | dict.fromkeys(
    ("false", "no", "off", "0"), False
)


@dataclass(frozen=True)
class AlembicSettings:
    """Alembic options of one config section; ``None`` means "not set here"."""

    file: Path
    section: str  # "tool.alembic" for pyproject.toml
    script_location: str | None = None
    version_locations: tuple[str, ...] | None = None
    recursive: bool | None = None
    sourceless: bool | None = None


def read_ini(path: Path) -> configparser.ConfigParser:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MigcheckError(f"{path}: cannot read this file: {exc}") from None
    # Alembic's own parser setup, so that %(here)s and other interpolations mean the same thing.
    parser = configparser.ConfigParser(defaults={"here": path.parent.as_posix()})
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise MigcheckError(f"{path}: not a valid ini file, fix its syntax: {exc}") from None
    return parser


def script_sections(parser: configparser.ConfigParser | None) -> list[str]:
    """Sections that define an environment, ``[alembic]`` first (multi-database inis have several)."""
    if parser is None:
        return []
    # A script_location in [DEFAULT] is inherited by every section; only [alembic] really means it.
    inherited = "script_location" in parser.defaults()
    names = sorted(parser.sections(), key=lambda name: name != "alembic")
    return [n for n in names if parser.has_option(n, "script_location") and (n == "alembic" or not inherited)]


def ini_settings(
    parser: configparser.ConfigParser | None, ini: Path | None, section: str
) -> AlembicSettings | None:
    if parser is None or ini is None or not parser.has_section(section):
        return None

    def get(key: str) -> str | None:
        if not parser.has_option(section, key):
            return None
        try:
            value = parser.get(section, key)
        except configparser.InterpolationError:
            value = parser.get(section, key, raw=True)  # its "%(" marks it as unresolvable later
        return no_nul(value, ini, f"[{section}] {key}")

    locations = get("version_locations")
    recursive, sourceless = get("recursive_version_locations"), get("sourceless")
    separator = get("path_separator") or get("version_path_separator")
    return AlembicSettings(
        file=ini,
        section=section,
        script_location=get("script_location"),
        version_locations=split_locations(locations, separator, ini) if locations else None,
        recursive=None if recursive is None else parse_bool(recursive, ini, "recursive_version_locations"),
        sourceless=None if sourceless is None else parse_bool(sourceless, ini, "sourceless"),
    )


def split_locations(value: str, separator: str | None, ini: Path) -> tuple[str, ...]:
    if separator is None:
        tokens = _LEGACY_SPLIT.split(value)
    else:
        char = _SEPARATORS.get(separator.strip().lower())
        if char is None:
            raise MigcheckError(
                f"{ini}: path_separator = {separator} is not valid; "
                "use one of os, space, newline, ':', ';', ','"
            )
        tokens = value.split(char)
    return tuple(token.strip() for token in tokens if token.strip())


def toml_settings(path: Path) -> AlembicSettings | None:
    """``[tool.alembic]`` of a pyproject.toml, or None if it has none."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MigcheckError(f"{path}: cannot read this file: {exc}") from None
    if b"alembic" not in data:
        return None  # not alembic's: skip parsing so an unrelated broken pyproject.toml cannot stop us
    # imported only for a pyproject.toml that configures alembic: most projects have an alembic.ini
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MigcheckError(f"{path}: not valid TOML, fix its syntax: {exc}") from None
    tool = document.get("tool")
    table = tool.get("alembic") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise MigcheckError(f"{path}: tool.alembic must be a table ([tool.alembic])")
    here = {"here": path.parent.as_posix()}
    script_location = table.get("script_location")
    locations = table.get("version_locations")
    if script_location is not None and not isinstance(script_location, str):
        raise MigcheckError(f"{path}: [tool.alembic] script_location must be a string")
    if locations is not None and not (
        isinstance(locations, list) and all(isinstance(v, str) for v in locations)
    ):
        raise MigcheckError(f"{path}: [tool.alembic] version_locations must be a list of strings")
    for value in ([script_location] if script_location is not None else []) + list(locations or []):
        no_nul(
            value,
            path,
            "[tool.alembic] " + ("script_location" if value is script_location else "version_locations"),
        )
    recursive, sourceless = table.get("recursive_version_locations"), table.get("sourceless")
    return AlembicSettings(
        file=path,
        section="tool.alembic",
        script_location=None if script_location is None else interpolate(script_location, here),
        version_locations=None if not locations else tuple(interpolate(v, here) for v in locations),
        recursive=None if recursive is None else parse_bool(recursive, path, "recursive_version_locations"),
        sourceless=None if sourceless is None else parse_bool(sourceless, path, "sourceless"),
    )


def no_nul(value: str, path: Path, key: str) -> str:
    if "\x00" in value:
        raise MigcheckError(f"{path}: {key} contains a NUL byte, which no path can hold; fix or remove it")
    return value


def interpolate(value: str, variables: dict[str, str]) -> str:
    try:
        return value % variables  # alembic's own substitution for TOML values
    except (KeyError, ValueError, TypeError):
        return value  # the leftover "%(" marks it as unresolvable later


def merge(primary: AlembicSettings | None, fallback: AlembicSettings | None) -> AlembicSettings:
    """Alembic's precedence: alembic.ini wins for the keys it sets, pyproject.toml fills the rest."""
    if primary is None or fallback is None:
        merged = primary or fallback
        assert merged is not None, "callers pass at least one"
        return merged
    # file/section follow script_location, so messages about it point at the file that set it.
    base = primary if primary.script_location is not None else fallback
    return replace(
        base,
        version_locations=primary.version_locations or fallback.version_locations,
        recursive=fallback.recursive if primary.recursive is None else primary.recursive,
        sourceless=fallback.sourceless if primary.sourceless is None else primary.sourceless,
    )


def parse_bool(value: object, path: Path, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise MigcheckError(f"{path}: {key} = {value!r} is not a boolean; use true or false")

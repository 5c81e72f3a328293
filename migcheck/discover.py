"""Find the Alembic environments in a repository by reading files, never by importing them.

An environment is a script location (the directory holding ``env.py``) plus the version directories that
hold its revision files. They are found from ``alembic.ini`` files, ``[tool.alembic]`` in
``pyproject.toml``, Flask-Migrate's ``migrations/`` directory, or, when the application builds its Alembic
config in code, by scanning for ``env.py`` next to a ``versions/`` directory. Neither alembic nor
sqlalchemy is imported: this runs in pre-commit hooks, where startup time matters, and the user's code
must never run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from migcheck.alembic_config import (
    AlembicSettings,
    ini_settings,
    merge,
    read_ini,
    script_sections,
    toml_settings,
)
from migcheck.errors import MigcheckError

__all__ = ["Discovery", "Environment", "discover"]

# Directories that never hold a project's own migrations but can be huge (or are someone else's).
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "node_modules", "site-packages", "dist-packages"}
    | {"__pycache__", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)
# Left in a value, these mean it is a template or needs the environment/code to resolve it.
_UNRESOLVED_MARKERS = ("{", "}", "$", "%(")


@dataclass(frozen=True)
class Environment:
    """One Alembic environment: a script location and the directories holding its revision files."""

    name: str  # script location relative to the root, posix style ("." for the root): the label in findings
    script_location: Path  # absolute; may lack env.py when it came from --versions
    version_locations: tuple[Path, ...]  # absolute, config order, deduplicated; may not exist
    recursive: bool
    sourceless: bool
    config_file: Path | None  # None when found by scanning or named by --versions
    source: str  # "alembic.ini", "pyproject.toml", "flask-migrate", "scan" or "explicit"
    # True when no config named the version directories: disconnected histories kept in separate
    # subdirectories are then separate histories rather than an error.
    split_histories: bool
    ini_section: str = "alembic"


@dataclass(frozen=True)
class Discovery:
    """Everything discovery found under ``root``, plus sentences worth telling the user."""

    root: Path
    environments: tuple[Environment, ...]
    notices: tuple[str, ...]


class _Dir(NamedTuple):
    path: Path
    files: frozenset[str]
    dirs: frozenset[str]


def discover(
    root: Path,
    *,
    alembic_config: Path | None = None,
    versions: Sequence[Path] = (),
    environments: Sequence[str] = (),
) -> Discovery:
    """Find the environments to check: the ones named explicitly, else every one under ``root``.

    ``alembic_config`` and ``versions`` come from the command line (relative to the current directory);
    ``environments`` from ``[tool.migcheck]`` (relative to ``root``). Raises MigcheckError when nothing
    usable is found or a config file cannot be read.
    """
    finder = _Finder(root.resolve())
    if not _is_dir(finder.root, str(root)):
        raise MigcheckError(f"{root}: not a directory; pass the root of the repository to check")
    found: list[Environment] = []
    if alembic_config is not None:
        path = alembic_config.resolve()
        if not _is_file(path, f"-c/--alembic-config {alembic_config}"):
            raise MigcheckError(
                f"-c/--alembic-config {alembic_config}: no such file ({path}); "
                "pass the path of your alembic.ini, relative to the current directory"
            )
        found += finder.from_config_file(path)
    found += [finder.from_versions_dir(directory) for directory in versions]
    for entry in environments:
        found += finder.from_entry(entry)
    if alembic_config is None and not versions and not environments:
        found = finder.auto()
    if not found:
        raise MigcheckError(_nothing_found(finder.root, finder.notices))
    unique = sorted(_unique(found, finder.root), key=lambda env: env.name)
    return Discovery(finder.root, tuple(unique), tuple(dict.fromkeys(finder.notices)))


class _Finder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.notices: list[str] = []
        self._trees: dict[Path, list[_Dir]] = {}

    def auto(self) -> list[Environment]:
        found: list[Environment] = []
        for directory in self._tree(self.root):
            ini = directory.path / "alembic.ini" if "alembic.ini" in directory.files else None
            toml = directory.path / "pyproject.toml" if "pyproject.toml" in directory.files else None
            if ini or toml:
                found += self._config_envs(ini, toml)
        return found + self._scan(self.root)

    def from_config_file(self, path: Path) -> list[Environment]:
        noticed = len(self.notices)
        if path.name.endswith(".toml"):
            found = self._config_envs(None, path)
        else:
            sibling = path.parent / "pyproject.toml"
            found = self._config_envs(path, sibling if sibling.is_file() else None)
        if not found:
            notes = "".join(f"\n  {notice}" for notice in self.notices[noticed:])
            raise MigcheckError(
                f"{path}: no Alembic environment found from this file (it sets no usable script_location)."
                f"{notes}\nSet script_location in it, or name the revision directories with --versions DIR."
            )
        return found

    def from_versions_dir(self, directory: Path) -> Environment:
        path = directory.resolve()
        if not _is_dir(path, f"--versions {directory}"):
            raise MigcheckError(
                f"--versions {directory}: {path} is not a directory; "
                "pass the directory that holds the revision files"
            )
        script_location = path.parent if (path.parent / "env.py").is_file() else path
        return self._scanned(script_location, path, "explicit")

    def from_entry(self, entry: str) -> list[Environment]:
        path = (self.root / entry).resolve()
        where = f'environments = [...] in [tool.migcheck]: "{entry}"'
        if _is_file(path, where):
            return self.from_config_file(path)
        if _is_dir(path, where):
            ini, toml = path / "alembic.ini", path / "pyproject.toml"
            found = self._config_envs(ini if ini.is_file() else None, toml if toml.is_file() else None)
            if found:
                return found
            if (path / "env.py").is_file() or (path / "versions").is_dir():
                return [self._scanned(path, path / "versions", "explicit")]
        raise MigcheckError(
            f'environments = [...] in [tool.migcheck]: "{entry}" ({path}) is not an alembic.ini or '
            "pyproject.toml file, nor a directory holding one of them, env.py or versions/; fix or remove it"
        )

    def _config_envs(self, ini: Path | None, toml: Path | None) -> list[Environment]:
        """Environments of one directory's alembic.ini and/or pyproject.toml, merged like alembic does."""
        parser = read_ini(ini) if ini else None
        tool = toml_settings(toml) if toml else None
        sections = script_sections(parser)
        if "alembic" not in sections and tool and tool.script_location is not None:
            sections.insert(0, "alembic")
        found: list[Environment] = []
        for section in sections:
            settings = merge(ini_settings(parser, ini, section), tool)
            found += self._from_settings(
                settings, "alembic.ini" if settings.file == ini else "pyproject.toml"
            )
        if sections or ini is None:
            return found
        if (ini.parent / "env.py").is_file():
            # Flask-Migrate keeps a script_location-less alembic.ini next to env.py and sets it in code.
            main = ini_settings(parser, ini, "alembic") or AlembicSettings(ini, "alembic")
            settings = replace(merge(main, tool), file=ini, section="alembic")
            return self._from_settings(replace(settings, script_location=str(ini.parent)), "flask-migrate")
        self.notices.append(f"{self._label(ini)}: no script_location and no env.py beside it; skipped")
        return []

    def _from_settings(self, settings: AlembicSettings, source: str) -> list[Environment]:
        here = settings.file.parent
        value = settings.script_location or ""
        where = f"{self._where(settings, 'script_location')}: script_location"
        location = self._resolve(value, here, where)
        if location is None or not _is_dir(location, where):
            return self._fall_back(settings, value, location)
        if settings.version_locations:
            versions = tuple(
                dict.fromkeys(self._version_location(v, settings) for v in settings.version_locations)
            )
            recursive, split = bool(settings.recursive), False
        else:
            versions = (location / "versions",)
            # Nested revision directories with no version_locations configured: the app sets them in code.
            split = _has_nested_py(versions[0])
            recursive = split or bool(settings.recursive)
        is_toml = settings.file.name.endswith(".toml")
        return [
            Environment(
                name=self._label(location),
                script_location=location,
                version_locations=versions,
                recursive=recursive,
                sourceless=bool(settings.sourceless),
                config_file=settings.file,
                source=source,
                split_histories=split,
                ini_section="alembic" if is_toml else settings.section,
            )
        ]

    def _fall_back(self, settings: AlembicSettings, value: str, location: Path | None) -> list[Environment]:
        """A template or stale script_location: find the environment the way a no-config app has it."""
        found = self._scan(settings.file.parent)
        problem = "cannot be resolved statically" if location is None else "is not a directory"
        what = "the environment" if len(found) == 1 else f"{len(found) or 'no'} environments"
        outcome = f"found {what} by scanning for env.py + versions/ instead"
        where = self._where(settings, "script_location")
        self.notices.append(f'{where}: script_location "{value}" {problem}; {outcome}')
        return found

    def _version_location(self, value: str, settings: AlembicSettings) -> Path:
        where = self._where(settings, "version_locations")
        path = self._resolve(value, settings.file.parent, f"{where}: version_locations")
        if path is not None:
            return path
        self.notices.append(
            f'{where}: version location "{value}" cannot be resolved statically; kept as written'
        )
        return settings.file.parent / value

    def _resolve(self, value: str, here: Path, where: str) -> Path | None:
        """The directory a script/version location names, or None when that needs code or a template."""
        if not value or any(marker in value for marker in _UNRESOLVED_MARKERS):
            return None
        if os.path.isabs(value) or ":" not in value:
            return (here / value).resolve()
        # "package:path": find the package where projects usually keep it rather than importing it.
        package, *parts = value.split(":")
        if not package:
            return None
        package_dir = Path(*package.split("."))
        bases = (self.root, self.root / "src", here, here / "src")
        candidates = [base / package_dir for base in bases if _is_dir(base / package_dir, where)]
        targets = [candidate.joinpath(*parts) for candidate in candidates]
        target = next((t for t in targets if _probe(t, where, Path.exists)), targets[0] if targets else None)
        return target.resolve() if target else None

    def _scan(self, top: Path) -> list[Environment]:
        return [
            self._scanned(directory.path, directory.path / "versions", "scan")
            for directory in self._tree(top)
            if "env.py" in directory.files and "versions" in directory.dirs
        ]

    def _scanned(self, script_location: Path, versions: Path, source: str) -> Environment:
        return Environment(
            name=self._label(script_location),
            script_location=script_location,
            version_locations=(versions,),
            recursive=True,
            sourceless=False,
            config_file=None,
            source=source,
            split_histories=True,
        )

    def _tree(self, top: Path) -> list[_Dir]:
        if top not in self._trees:
            self._trees[top] = _walk(top)
        return self._trees[top]

    def _label(self, path: Path) -> str:
        return _label(path, self.root)

    def _where(self, settings: AlembicSettings, key: str) -> str:
        line = _line_of(settings.file, settings.section, key)
        return f"{self._label(settings.file)}:{line}" if line else self._label(settings.file)


def _is_file(path: Path, what: str) -> bool:
    return _probe(path, what, Path.is_file)


def _is_dir(path: Path, what: str) -> bool:
    return _probe(path, what, Path.is_dir)


def _probe(path: Path, what: str, test: Callable[[Path], bool]) -> bool:
    """`test(path)`, where a path the system refuses (a name too long, and the like) is the user's mistake:
    a message naming the setting, not an internal error."""
    try:
        return test(path)
    except OSError as exc:
        raise MigcheckError(f"{what}: {path}: {exc.strerror or exc}") from None


def _walk(top: Path) -> list[_Dir]:
    """Every directory under ``top`` (top-down, sorted) that could hold a project's own migrations."""
    found: list[_Dir] = []
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as entries:
                listed = [(entry.name, *_kind(entry)) for entry in entries]
        except OSError:
            continue  # unreadable: alembic could not read anything in it either
        files = frozenset(name for name, is_file, _ in listed if is_file)
        if "pyvenv.cfg" in files and directory != top:
            continue  # a virtualenv, whatever it is called
        dirs = frozenset(name for name, _, is_dir in listed if is_dir)
        found.append(_Dir(directory, files, dirs))
        children = (
            n for n in sorted(dirs, reverse=True) if n not in _SKIP_DIRS and not n.endswith(".egg-info")
        )
        stack.extend(directory / name for name in children)
    return found


def _kind(entry: os.DirEntry[str]) -> tuple[bool, bool]:
    """(is a file, is a directory) of one entry; a symlink loop or a vanished entry is neither."""
    try:
        return entry.is_file(), entry.is_dir(follow_symlinks=False)
    except OSError:
        return False, False


def _has_nested_py(versions: Path) -> bool:
    for dirpath, dirnames, filenames in os.walk(versions):
        dirnames[:] = [name for name in dirnames if name != "__pycache__"]
        if dirpath != str(versions) and any(name.endswith(".py") for name in filenames):
            return True
    return False


def _line_of(path: Path, section: str, key: str) -> int | None:
    """1-based line where ``key`` is set in ``[section]``, for messages that point into the file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    current = None
    for number, line in enumerate(lines, start=1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
        elif current == section and re.match(rf"\s*{re.escape(key)}\s*[=:]", line):
            return number
    return None


def _label(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _unique(environments: list[Environment], root: Path) -> list[Environment]:
    """Drop repeats; give environments sharing a script location names that tell them apart."""
    # A config that names a script location knows more about it than a scan that stumbled on it.
    configured = {env.script_location for env in environments if env.source != "scan"}
    kept: dict[tuple[Path, tuple[Path, ...]], Environment] = {}
    for env in environments:
        if env.source != "scan" or env.script_location not in configured:
            kept.setdefault((env.script_location, env.version_locations), env)
    # The first one found keeps the plain name: it is the [alembic] section or the config nearest the root.
    named: dict[str, Environment] = {}
    for env in kept.values():
        base = name = env.name if env.name not in named else _distinct_name(env, root)
        suffix = 1
        while name in named:
            suffix += 1
            name = f"{base} #{suffix}"
        named[name] = env
    return [replace(env, name=name) for name, env in named.items()]


def _distinct_name(env: Environment, root: Path) -> str:
    if env.ini_section != "alembic":
        return f"{env.name} [{env.ini_section}]"
    if env.config_file is not None:
        return f"{env.name} ({_label(env.config_file, root)})"
    return f"{env.name} ({_label(env.version_locations[0], root)})"


def _nothing_found(root: Path, notices: list[str]) -> str:
    notes = "".join(f"\n  {notice}" for notice in notices)
    return (
        f"No Alembic environment found under {root}: looked for alembic.ini files, pyproject.toml files "
        "with [tool.alembic], and directories holding env.py next to versions/ (skipping virtualenvs, "
        f"node_modules, build output and caches).{notes}\n"
        "Point migcheck at your migrations with -c/--alembic-config FILE, --versions DIR, "
        "or environments = [...] under [tool.migcheck] in pyproject.toml."
    )

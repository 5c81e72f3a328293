"""While the user's code runs, every engine it creates goes to a scratch database, and nothing else is reached.

env.py files choose their database in many ways: `engine_from_config(config...)`, a `DATABASE_URL` read from
the environment, settings objects, Flask-SQLAlchemy's engine. Reading env.py cannot tell them apart, so while
env.py, the models and an app factory run, migcheck replaces SQLAlchemy's engine factories (`create_engine`,
`engine_from_config`, `create_async_engine`, `async_engine_from_config`, also where a module imported them
earlier) with versions that build the engine on a scratch database instead of the URL asked for. A guard on
SQLAlchemy's `do_connect` event refuses, before any statement is sent, every connection of an engine that did
not come through here: the check then stops (exit 2) rather than touch a database migcheck did not create.

Which scratch database an asked URL gets: the main one for the URL migcheck offered (`sqlalchemy.url`) or for
the first other URL asked for (an env.py with its own URL); every further distinct URL (a multi-database env.py,
Flask-SQLAlchemy binds) gets a scratch database of its own on the same server, dropped with the others. The same
URL always gets the same scratch database, so the migrations and the later comparison see one schema.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from migcheck import masking
from migcheck.errors import MigcheckError
from migcheck.scratch import mask_url, scratch_database

# create_engine keywords that mean the same on every dialect; the others only make sense for the URL asked for
_PORTABLE = frozenset(
    {
        "isolation_level",
        "execution_options",
        "echo",
        "echo_pool",
        "future",
        "json_serializer",
        "json_deserializer",
        "pool_pre_ping",
        "hide_parameters",
        "logging_name",
        "query_cache_size",
        "insertmanyvalues_page_size",
    }
)
# keywords that would connect somewhere else than the URL, whatever it says
_NEVER = frozenset({"creator", "async_creator", "pool", "module", "module_name", "poolclass", "plugins"})
_ASYNC_DRIVERS = {
    "sqlite": ("aiosqlite",),
    "postgresql": ("asyncpg", "psycopg"),
    "mysql": ("aiomysql", "asyncmy"),
}
_ASYNC_PIP = {"aiosqlite": "aiosqlite", "asyncpg": "asyncpg", "psycopg": "psycopg[binary]"}


@dataclass(frozen=True)
class Redirect:
    """An engine the user's code asked for, and that migcheck built on a scratch database instead."""

    asked: str  # masked URL
    family: str | None  # sqlite, postgresql, mysql, ... (None: not a URL SQLAlchemy can read)
    function: str


def family_of(url: Any) -> str | None:
    """The database family of a URL (mysql for MariaDB too), or None when it cannot be parsed."""
    from sqlalchemy.engine import make_url

    try:
        backend = make_url(url).get_backend_name()
    except Exception:  # noqa: BLE001 - any unparseable URL
        return None
    return "mysql" if backend == "mariadb" else backend


def _key(url: Any) -> str:
    """One key per database, whatever driver names it (postgresql+asyncpg and postgresql+psycopg alike)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        return str(url)
    family = family_of(parsed) or parsed.drivername
    return parsed.set(drivername=family).render_as_string(hide_password=False)


def async_url(sync_url: str, asked: Any = None) -> str:
    """The scratch URL with an async driver: the one the project asked for when it is installed, else the
    first installed of aiosqlite / asyncpg, psycopg / aiomysql, asyncmy."""
    from sqlalchemy.engine import make_url

    url = make_url(sync_url)
    family = family_of(url) or "sqlite"
    candidates = list(_ASYNC_DRIVERS.get(family, ()))
    with contextlib.suppress(Exception):
        wanted = make_url(asked).get_driver_name() if asked is not None else None
        if wanted in candidates:
            candidates.remove(wanted)
            candidates.insert(0, wanted)
    missing = [m for m in ("greenlet",) if importlib.util.find_spec(m) is None]
    for driver in candidates:
        if importlib.util.find_spec(driver) is not None and not missing:
            backend = url.get_backend_name()
            return url.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)
    packages = [_ASYNC_PIP.get(d, d) for d in candidates[:1]] + missing
    raise MigcheckError(
        f"env.py creates an async engine, so the drift check's {family} scratch database needs an async "
        f"driver: pip install {' '.join(repr(p) if '[' in p else p for p in packages)} "
        "(or pip install 'alembic-migcheck[async]')"
    )


class EngineRedirector:
    """Redirects engine creation to scratch databases and guards every connection while installed."""

    def __init__(
        self,
        main_url: str,
        server_url: str | None,
        stack: contextlib.ExitStack,
        *,
        suggest_metadata: bool = True,
    ) -> None:
        self.main_url = main_url
        self.suggest_metadata = suggest_metadata  # not when --metadata was given already
        self.server_url = server_url
        self.redirects: list[Redirect] = []
        self.refused: list[str] = []
        self._stack = stack
        self._targets: dict[str, str] = {_key(main_url): main_url}
        self._main_claimed = False
        self._approved: weakref.WeakSet[Any] = weakref.WeakSet()
        self._local = threading.local()
        self._active = False
        self._lock = threading.RLock()

    def approve(self, engine: Any) -> Any:
        """Let this engine (migcheck's own, on a scratch database) connect while the guard is installed."""
        sync = getattr(engine, "sync_engine", engine)
        self._approved.add(sync.dialect)
        return engine

    @contextlib.contextmanager
    def internal(self) -> Iterator[None]:
        """migcheck's own engine creation: passes the factories through unchanged."""
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    def _is_internal(self) -> bool:
        # a module imported while installed keeps the replacement after it is removed: it then passes through
        return not self._active or getattr(self._local, "depth", 0) > 0

    def target_for(self, asked: Any) -> str:
        """The sync URL of the scratch database that stands in for `asked`."""
        key = _key(asked)
        with self._lock:
            if key in self._targets:
                if self._targets[key] == self.main_url:
                    self._main_claimed = True
                return self._targets[key]
            if not self._main_claimed:
                self._main_claimed = True
                self._targets[key] = self.main_url
                return self.main_url
            with self.internal():
                url = self._stack.enter_context(scratch_database(self.server_url))
            self._targets[key] = url
            self._targets.setdefault(_key(url), url)
            return url

    def _kwargs(self, asked: Any, target: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        same = family_of(asked) == family_of(target)
        return {k: v for k, v in kwargs.items() if k not in _NEVER and (same or k in _PORTABLE)}

    def _record(self, asked: Any, function: str) -> None:
        if _key(asked) == _key(self.main_url):
            return  # env.py used the URL migcheck gave it: nothing to say
        # the project's own database password is a secret too, should its code quote the URL in an error
        masking.add_url(
            asked.render_as_string(hide_password=False) if hasattr(asked, "render_as_string") else str(asked)
        )
        text = (
            asked.render_as_string(hide_password=True) if hasattr(asked, "render_as_string") else str(asked)
        )
        redirect = Redirect(mask_url(text), family_of(asked), function)
        if redirect not in self.redirects:
            self.redirects.append(redirect)

    def _factory(self, original: Callable[..., Any], *, asynchronous: bool) -> Callable[..., Any]:
        """`create_engine` (or `create_async_engine`) as the project's code sees it while migcheck runs."""
        from sqlalchemy.pool import NullPool

        function = "create_async_engine" if asynchronous else "create_engine"

        def create_engine(*args: Any, **kwargs: Any) -> Any:
            if self._is_internal():  # migcheck's own engines (scratch databases) are allowed to connect
                return self.approve(original(*args, **kwargs))
            asked = args[0] if args else kwargs.pop("url")
            target = self.target_for(asked)
            if asynchronous:
                target = async_url(target, asked)
            self._record(asked, function)
            options = self._kwargs(asked, target, kwargs)
            with self.internal():
                engine = original(target, poolclass=NullPool, **options)
            return self.approve(engine)

        create_engine.__name__ = create_engine.__qualname__ = function
        create_engine.__wrapped__ = original  # type: ignore[attr-defined]
        return create_engine

    def _guard(self, dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        if dialect in self._approved:
            return
        where = (
            ", ".join(
                f"{k}={'***' if 'pass' in k else v}"
                for k, v in sorted(cparams.items())
                if k in ("host", "port", "database", "dbname", "db", "user", "username") and v
            )
            or ", ".join(str(a) for a in cargs)[:200]
        )
        message = (
            f"the project's code tried to connect to a {dialect.name} database ({where or 'unknown'}) through an "
            "engine migcheck could not redirect; migcheck refuses every connection but its own scratch "
            "database, so nothing was sent. Create engines with sqlalchemy's create_engine / "
            "engine_from_config (not a driver's connect())"
            + (", or pass --metadata module:attr" if self.suggest_metadata else "")
        )
        self.refused.append(message)
        raise MigcheckError(message)

    @contextlib.contextmanager
    def installed(self) -> Iterator[EngineRedirector]:
        """Replace the engine factories everywhere they are bound, and install the connection guard."""
        import sqlalchemy.engine.create as create_module
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        originals: dict[int, Callable[..., Any]] = {}
        sync_original = create_module.create_engine
        originals[id(sync_original)] = self._factory(sync_original, asynchronous=False)
        async_module: Any = None
        with contextlib.suppress(ImportError):  # SQLAlchemy without its asyncio extension
            import sqlalchemy.ext.asyncio.engine as async_module
        if async_module is not None:
            async_original = async_module.create_async_engine
            originals[id(async_original)] = self._factory(async_original, asynchronous=True)
        patched: list[tuple[dict[str, Any], str, Any]] = []
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict) or getattr(module, "__name__", "").startswith("migcheck"):
                continue
            for name, value in list(namespace.items()):
                # ids of objects alive during the scan are unique, so an id match is the original itself
                replacement = originals.get(id(value))
                if replacement is not None:
                    patched.append((namespace, name, value))
                    namespace[name] = replacement
        event.listen(Engine, "do_connect", self._guard)
        self._active = True
        try:
            yield self
        finally:
            self._active = False
            event.remove(Engine, "do_connect", self._guard)
            for namespace, name, value in reversed(patched):
                namespace[name] = value

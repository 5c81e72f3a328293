"""Apply this service's schema migrations.

There is no alembic.ini: each supported database has its own migration
history under migrations/versions/<dialect>/, and the Config is built here.

    python -m db.migrate postgresql
    python -m db.migrate sqlite --sql
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://notes:notes@localhost/notes",
    "sqlite": "sqlite:///notes.db",
}


def alembic_config(dialect: str, url: str | None = None) -> Config:
    """An Alembic Config for one database's own history."""
    if dialect not in DEFAULT_URLS:
        raise ValueError(f"unsupported database: {dialect}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions" / dialect))
    cfg.set_main_option("sqlalchemy.url", url or os.environ.get("DATABASE_URL") or DEFAULT_URLS[dialect])
    return cfg


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dialect", choices=sorted(DEFAULT_URLS))
    parser.add_argument("revision", nargs="?", default="head")
    parser.add_argument("--sql", action="store_true", help="print SQL instead of running it")
    args = parser.parse_args(argv)
    command.upgrade(alembic_config(args.dialect), args.revision, sql=args.sql)


if __name__ == "__main__":
    main()

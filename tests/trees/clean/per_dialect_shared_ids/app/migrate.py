"""Run the billing migrations against PostgreSQL or SQLite.

Each database has its own history under migrations/versions/<dialect>/: a change both need is written
once per directory under the same revision id, so a database stamped on one dialect's history reads
the same as on the other.

    python -m app.migrate postgresql
    python -m app.migrate sqlite --sql
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent.parent
DIALECTS = ("postgresql", "sqlite")


def alembic_config(dialect: str) -> Config:
    """alembic.ini, pointed at the history of `dialect` only."""
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported database: {dialect}")
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("version_locations", f"%(here)s/migrations/versions/{dialect}")
    if "DATABASE_URL" in os.environ:
        cfg.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])
    return cfg


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dialect", choices=DIALECTS)
    parser.add_argument("revision", nargs="?", default="head")
    parser.add_argument("--sql", action="store_true", help="print SQL instead of running it")
    args = parser.parse_args(argv)
    command.upgrade(alembic_config(args.dialect), args.revision, sql=args.sql)


if __name__ == "__main__":
    main()

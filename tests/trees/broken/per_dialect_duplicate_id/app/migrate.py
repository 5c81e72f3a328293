"""Upgrade the billing database; there is no alembic.ini, the Config is built here.

Each database has its own history under migrations/versions/<dialect>/ (the same change written once per
directory keeps the same revision id):

    DATABASE_URL=postgresql+psycopg://billing@db/billing python -m app.migrate
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    dialect = make_url(url).get_backend_name()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions" / dialect))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


if __name__ == "__main__":
    command.upgrade(alembic_config(os.environ.get("DATABASE_URL", "sqlite:///billing.db")), "head")

"""Command line wrapper around Alembic for myapp's expand/contract migrations.

    myapp-db-manage upgrade --expand     # online, before new code is rolled out
    myapp-db-manage upgrade --contract   # offline, after all old code is gone
"""
from __future__ import annotations

import argparse
import os

from alembic import command as alembic_command
from alembic import config as alembic_config

HEAD_FILENAME = "HEADS"

EXPAND_BRANCH = "expand"
CONTRACT_BRANCH = "contract"
MIGRATION_BRANCHES = (EXPAND_BRANCH, CONTRACT_BRANCH)

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def get_alembic_config() -> alembic_config.Config:
    return alembic_config.Config(os.path.join(_ROOT, "alembic.ini"))


def do_upgrade(config: alembic_config.Config, args: argparse.Namespace) -> None:
    if args.expand:
        revision = f"{EXPAND_BRANCH}@head"
    elif args.contract:
        revision = f"{CONTRACT_BRANCH}@head"
    else:
        revision = "heads"
    alembic_command.upgrade(config, revision, sql=args.sql)


def do_revision(config: alembic_config.Config, args: argparse.Namespace) -> None:
    branch = EXPAND_BRANCH if args.expand else CONTRACT_BRANCH
    alembic_command.revision(config, message=args.message, head=f"{branch}@head")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="myapp-db-manage")
    sub = parser.add_subparsers(dest="cmd", required=True)

    up = sub.add_parser("upgrade")
    group = up.add_mutually_exclusive_group()
    group.add_argument("--expand", action="store_true")
    group.add_argument("--contract", action="store_true")
    up.add_argument("--sql", action="store_true")
    up.set_defaults(func=do_upgrade)

    rev = sub.add_parser("revision")
    group = rev.add_mutually_exclusive_group(required=True)
    group.add_argument("--expand", action="store_true")
    group.add_argument("--contract", action="store_true")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=do_revision)

    args = parser.parse_args(argv)
    args.func(get_alembic_config(), args)


if __name__ == "__main__":
    main()

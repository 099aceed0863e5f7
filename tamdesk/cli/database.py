"""Commands on the database itself: sample data, check, backup."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tamdesk.cli.common import CommandFailed, non_negative_int, positive_int
from tamdesk.models.db import database, database_label, is_sqlite
from tamdesk.services.backups import backup_database, restore_backup
from tamdesk.services.base import Context
from tamdesk.services.database import check_database


def register(commands: Any, groups: dict[str, Any]) -> None:
    demo = commands.add_parser("demo", help="fill the database with realistic sample data")
    demo.add_argument("--customers", type=positive_int, default=40, metavar="N")
    demo.add_argument("--tickets", type=non_negative_int, default=2000, metavar="N")
    demo.add_argument("--seed", type=int, default=7, metavar="S")
    demo.add_argument("--force", action="store_true", help="replace the data already in the database")
    demo.set_defaults(handler=_demo, creates=True)

    init = commands.add_parser(
        "init",
        help="create an empty tamdesk database (the only commands that create one are init and demo)",
        description="Create an empty tamdesk database at --db (or $TAMDESK_DB, or the default file). Every other "
        "command refuses a database that does not exist yet, so a mistyped path never becomes a new empty one.",
    )
    init.set_defaults(handler=_init, creates=True)

    check = commands.add_parser("check", help="integrity and schema check (exit 0 or 1)")
    check.set_defaults(handler=_check)

    backup = commands.add_parser("backup", help="online backup of the database to a file")
    backup.add_argument("--out", required=True, metavar="FILE")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser("restore", help="replace the database with a backup (the current one is kept)")
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(handler=_restore)


def _demo(args: argparse.Namespace, ctx: Context) -> str:
    from tamdesk.services.demo import generate_demo

    summary = generate_demo(ctx, customers=args.customers, tickets=args.tickets, seed=args.seed, force=args.force)
    return summary.summary


def _init(args: argparse.Namespace, ctx: Context) -> str:
    label = database_label()
    if args.opened.from_version:
        return f"{label} is already a tamdesk database (schema version {args.opened.to_version}); nothing changed."
    return f"Created an empty tamdesk database at {label} (schema version {args.opened.to_version})."


def _check(args: argparse.Namespace, ctx: Context) -> str:
    result = check_database()
    if not result.ok:
        raise CommandFailed(result.summary)
    return result.summary


def _backup(args: argparse.Namespace, ctx: Context) -> str:
    target = backup_database(args.out)
    return f"Backup written to {target} ({target.stat().st_size / 1_048_576:.1f} MB)."


def _restore(args: argparse.Namespace, ctx: Context) -> str:
    if not is_sqlite():
        raise CommandFailed("A shared PostgreSQL database is restored by its administrator (pg_restore).")
    db_path = Path(database.obj.database)
    safety = restore_backup(Path(args.file), db_path, holder="tamdesk restore")
    return f"Restored {db_path} from {Path(args.file).resolve()}; the previous database is kept at {safety}."

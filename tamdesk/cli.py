"""Headless commands (DESIGN.md §5). Errors go to stderr in one sentence with exit code 1."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from tamdesk import __version__
from tamdesk.models import DatabaseError
from tamdesk.services.base import Context, DomainError
from tamdesk.services.database import ENV_DB, backup_database, check_database, close_database, open_database


class CommandFailed(Exception):
    """A command ends with exit code 1 and this message on stderr."""


Handler = Callable[[argparse.Namespace, Context], str]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tamdesk",
        description="tamdesk: onboarding, portal seats, SLA, escalations and defects for technical account managers. "
        "Without a command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"tamdesk {__version__}")
    parser.add_argument("--db", metavar="PATH", help=f"database file (default: ${ENV_DB} or the user data folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="fill the database with realistic sample data")
    demo.add_argument("--customers", type=_positive_int, default=40, metavar="N")
    demo.add_argument("--tickets", type=_non_negative_int, default=2000, metavar="N")
    demo.add_argument("--seed", type=int, default=7, metavar="S")
    demo.add_argument("--force", action="store_true", help="replace the data already in the database")
    demo.set_defaults(handler=_demo)

    check = commands.add_parser("check", help="integrity and schema check (exit 0 or 1)")
    check.set_defaults(handler=_check)

    backup = commands.add_parser("backup", help="online backup of the database to a file")
    backup.add_argument("--out", required=True, metavar="FILE")
    backup.set_defaults(handler=_backup)
    return parser


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative")
    return value


def _demo(args: argparse.Namespace, ctx: Context) -> str:
    from tamdesk.services.demo import generate_demo

    summary = generate_demo(ctx, customers=args.customers, tickets=args.tickets, seed=args.seed, force=args.force)
    return summary.summary


def _check(args: argparse.Namespace, ctx: Context) -> str:
    result = check_database()
    if not result.ok:
        raise CommandFailed(result.summary)
    return result.summary


def _backup(args: argparse.Namespace, ctx: Context) -> str:
    target = backup_database(args.out)
    size = target.stat().st_size
    return f"Backup written to {target} ({size / 1_048_576:.1f} MB)."


def main(argv: Sequence[str] | None = None, open_app: Callable[[str | None], int] | None = None) -> int:
    """Run one command and return the exit code; without a command, call ``open_app`` with the --db value."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if open_app is None:
            parser.print_help()
            return 0
        return open_app(args.db)
    try:
        opened = open_database(args.db)
        if opened.backup:
            print(f"Upgraded the database to schema {opened.to_version}; backup at {opened.backup}.", file=sys.stderr)
        message = args.handler(args, Context())
    except (DomainError, DatabaseError, CommandFailed) as exc:
        print(f"tamdesk {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"tamdesk {args.command}: interrupted; nothing was changed.", file=sys.stderr)
        return 1
    finally:
        close_database()
    print(message)
    return 0

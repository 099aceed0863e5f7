"""Headless commands (DESIGN.md §5). Errors go to stderr in one sentence with exit code 1.

Each module of this package registers its commands with ``register(commands, groups)``: ``commands`` takes
top-level commands, ``groups["import"]`` and ``groups["export"]`` take the kinds of ``tamdesk import KIND`` and
``tamdesk export KIND``. A module may add a group of its own (``tamdesk seats ACTION``); its subcommand is stored
as ``kind`` too, so that errors name the whole command. A handler takes the parsed arguments and a Context and
returns the one-line summary printed on success.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from tamdesk import __version__
from tamdesk.cli import calendar_export as calendar_commands
from tamdesk.cli import contacts as contact_commands
from tamdesk.cli import contracts as contract_commands
from tamdesk.cli import customers as customer_commands
from tamdesk.cli import database as database_commands
from tamdesk.cli import health as health_commands
from tamdesk.cli import onboarding as onboarding_commands
from tamdesk.cli import pack as pack_commands
from tamdesk.cli import portal_seats as portal_seat_commands
from tamdesk.cli import qbr as qbr_commands
from tamdesk.cli import reports as report_commands
from tamdesk.cli import seats as seat_commands
from tamdesk.cli import sync as sync_commands
from tamdesk.cli import tickets as ticket_commands
from tamdesk.cli import timeline as timeline_commands
from tamdesk.cli.common import CommandFailed
from tamdesk.domain.text import printable
from tamdesk.models import DatabaseError
from tamdesk.services import database as database_service
from tamdesk.services.base import Context, DomainError
from tamdesk.services.database import ENV_DB, close_database, explain_failure, open_database, verify_database_file

COMMAND_MODULES = (
    database_commands,
    customer_commands,
    ticket_commands,
    seat_commands,
    report_commands,
    qbr_commands,
    calendar_commands,
    portal_seat_commands,
    onboarding_commands,
    pack_commands,
    sync_commands,
    timeline_commands,
    contact_commands,
    contract_commands,
    health_commands,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tamdesk",
        description="tamdesk: onboarding, portal seats, SLA, escalations and defects for technical account managers. "
        "Without a command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"tamdesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"database file, or a team database as postgresql://user@host:5432/tamdesk (default: ${ENV_DB} or "
        "the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    groups = {
        "import": commands.add_parser(
            "import", help="import customers, tickets, events, contacts or an access form"
        ).add_subparsers(dest="kind", metavar="KIND", required=True),
        "export": commands.add_parser("export", help="export a workbook").add_subparsers(
            dest="kind", metavar="KIND", required=True
        ),
    }
    for module in COMMAND_MODULES:
        module.register(commands, groups)
    return parser


def main(argv: Sequence[str] | None = None, open_app: Callable[[str | None], int] | None = None) -> int:
    """Run one command and return the exit code; without a command, call ``open_app`` with the --db value."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if open_app is None:
            parser.print_help()
            return 0
        return open_app(args.db)
    database_service.program = f"tamdesk {_command_name(args)}"
    try:
        args.opened = open_database(args.db, create=getattr(args, "creates", False))
        if args.opened.backup:
            print(
                f"Upgraded the database to schema {args.opened.to_version}; backup at {args.opened.backup}.",
                file=sys.stderr,
            )
        message = args.handler(args, Context())
        verify_database_file()
    except (DomainError, DatabaseError, CommandFailed) as exc:
        return _fail(args, str(exc))
    except KeyboardInterrupt:
        return _fail(args, "interrupted; nothing was changed.")
    except Exception as exc:  # no traceback ever reaches the user: one sentence here, the details in the log
        return _fail(args, explain_failure(exc))
    finally:
        close_database()
    _print(message)
    return 0


def _fail(args: argparse.Namespace, message: str) -> int:
    # control and direction characters are shown as escapes: a value from a file never drives the terminal
    print(f"tamdesk {_command_name(args)}: {printable(message)}", file=sys.stderr)
    return 1


def _print(message: str) -> None:
    """Print the result; a reader that stopped early (``tamdesk seats list … | head -1``) is no error."""
    try:
        print(printable(message, multiline=True), flush=True)
    except BrokenPipeError:
        # Python would flush stdout again at exit and report the broken pipe; send what is left nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _command_name(args: argparse.Namespace) -> str:
    kind = getattr(args, "kind", None)
    return f"{args.command} {kind}" if kind else str(args.command)

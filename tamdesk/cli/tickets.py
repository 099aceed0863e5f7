"""``tamdesk import tickets FILE [--tz ZONE] [--column FIELD=HEADER]…`` and the same for ``import ticket-events``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from tamdesk.cli.common import CommandFailed
from tamdesk.services.base import Context
from tamdesk.services.tabular import ImportField
from tamdesk.services.ticket_import import EVENT_FIELDS, TICKET_FIELDS, import_ticket_events, import_tickets

TICKETS_HELP = (
    "tickets from a support-system export (.csv/.xlsx): Ticket, Customer, Subject, Severity, Status, Opened, "
    "First response, Resolved; upsert by Ticket"
)
EVENTS_HELP = "ticket history: Ticket, At, Event (response, waiting_on_customer, customer_replied, solved, reopened)"


def register(commands: Any, groups: dict[str, Any]) -> None:
    kinds = (
        ("tickets", TICKETS_HELP, TICKET_FIELDS, "Ticket=Case #", _tickets),
        ("ticket-events", EVENTS_HELP, EVENT_FIELDS, "At=Changed", _events),
    )
    for name, help_text, fields, example, handler in kinds:
        parser = groups["import"].add_parser(
            name,
            help=help_text,
            description=f"Import {help_text}. All or nothing: any bad row is listed and nothing changes.",
            epilog=_fields_help(fields, name, example),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--tz", default="UTC", metavar="ZONE", help="zone of times without an offset (default UTC)")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="read FIELD from the file column HEADER when the file names it differently (repeat for several "
            "fields); FIELD= with no header leaves an optional field out",
        )
        parser.set_defaults(handler=handler)


def _fields_help(fields: Sequence[ImportField], command: str, example: str) -> str:
    width = max(len(f.label) for f in fields) + 2
    lines = [f"  {f.label + (' *' if f.required else ''):<{width + 2}}{f.meaning}" for f in fields]
    return "\n".join(
        [
            "fields (* required; each is read from the column named like it unless --column names another):",
            *lines,
            "",
            f'example: tamdesk import {command} FILE --column "{example}"',
        ]
    )


def columns_option(values: Sequence[str]) -> dict[str, str]:
    """``--column FIELD=HEADER`` values as field → header.

    Raises:
        CommandFailed: a value without ``=`` or a field given twice.
    """
    columns: dict[str, str] = {}
    for text in values:
        field, sep, header = text.partition("=")
        field, header = field.strip(), header.strip()
        if not sep or not field:
            raise CommandFailed(
                f"--column {text!r} does not say which file column feeds which field; "
                f'write FIELD=HEADER, such as --column "Opened=Created".'
            )
        if field in columns:
            raise CommandFailed(f"--column names {field} twice ({columns[field]!r} and {header!r}); keep one.")
        columns[field] = header
    return columns


def _tickets(args: argparse.Namespace, ctx: Context) -> str:
    return import_tickets(ctx, args.file, args.tz, columns=columns_option(args.column)).summary


def _events(args: argparse.Namespace, ctx: Context) -> str:
    result = import_ticket_events(ctx, args.file, args.tz, columns=columns_option(args.column))
    return f"Imported ticket events: {result.events:,} recorded on {result.updated:,} tickets."

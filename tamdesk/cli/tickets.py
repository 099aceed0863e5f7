"""``tamdesk import tickets FILE [--tz ZONE]`` and ``tamdesk import ticket-events FILE [--tz ZONE]``."""

from __future__ import annotations

import argparse
from typing import Any

from tamdesk.services.base import Context
from tamdesk.services.ticket_import import import_ticket_events, import_tickets


def register(commands: Any, groups: dict[str, Any]) -> None:
    tickets = groups["import"].add_parser(
        "tickets",
        help="tickets from a support-system export (.csv/.xlsx): Ticket, Customer, Subject, Severity, Status, "
        "Opened, First response, Resolved; upsert by Ticket",
    )
    tickets.add_argument("file", metavar="FILE")
    tickets.add_argument("--tz", default="UTC", metavar="ZONE", help="zone of times without an offset (default UTC)")
    tickets.set_defaults(handler=_tickets)
    events = groups["import"].add_parser(
        "ticket-events",
        help="ticket history: Ticket, At, Event (response, waiting_on_customer, customer_replied, solved, reopened)",
    )
    events.add_argument("file", metavar="FILE")
    events.add_argument("--tz", default="UTC", metavar="ZONE", help="zone of times without an offset (default UTC)")
    events.set_defaults(handler=_events)


def _tickets(args: argparse.Namespace, ctx: Context) -> str:
    return import_tickets(ctx, args.file, args.tz).summary


def _events(args: argparse.Namespace, ctx: Context) -> str:
    result = import_ticket_events(ctx, args.file, args.tz)
    return f"Imported ticket events: {result.events:,} recorded on {result.updated:,} tickets."

"""``tamdesk import tickets FILE`` from a Zendesk, Salesforce or JSM export (or tamdesk's own columns), and
``tamdesk import ticket-events FILE``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from tamdesk.cli.common import CommandFailed, add_encoding_option
from tamdesk.domain.export_dates import DateOrder
from tamdesk.domain.sources import ImportSource
from tamdesk.domain.timestamps import zone
from tamdesk.reports.reconciliation import export_reconciliation
from tamdesk.services.base import Context
from tamdesk.services.customer_match import CustomerChoices
from tamdesk.services.import_mappings import load_mapping, save_mapping
from tamdesk.services.report_data import local_zone
from tamdesk.services.tabular import ImportField
from tamdesk.services.ticket_import import (
    EVENT_FIELDS,
    TICKET_FIELDS,
    TicketImportOptions,
    import_ticket_events,
    import_tickets,
)

TICKETS_HELP = (
    "tickets from a support system's export (.csv/.xlsx): a Zendesk ticket export, a Salesforce case report, a Jira "
    "Service Management issue export (detected from the header row), or tamdesk's columns Ticket, Customer, Subject, "
    "Severity, Status, Opened, First response, Resolved; upsert by ticket number"
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
        parser.add_argument("--tz", metavar="ZONE", help="the exporter's zone, for times without an offset "
                            "(default: yours)" if name == "tickets" else "zone of times without an offset "
                            "(default UTC)")  # fmt: skip
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="read FIELD from the file column HEADER when the file names it differently (repeat for several "
            "fields); FIELD= with no header leaves an optional field out",
        )
        add_encoding_option(parser)
        if name == "tickets":
            _ticket_options(parser)
        parser.set_defaults(handler=handler)


def _ticket_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", choices=[s.value for s in ImportSource],
                        help="the tool that wrote the file (default: detected from the header row)")  # fmt: skip
    parser.add_argument("--date-order", choices=[o.value for o in DateOrder], type=str.upper,
                        help="how numeric dates are written when every day is 12 or less: DMY or MDY")  # fmt: skip
    parser.add_argument("--mapping", metavar="NAME", help="use the column mapping saved as NAME")
    parser.add_argument("--save-mapping", metavar="NAME", help="save the column mapping used as NAME")
    parser.add_argument("--map", action="append", default=[], metavar="EXPORT NAME=CUSTOMER",
                        help="tickets of the organization EXPORT NAME belong to CUSTOMER (remembered as a name "
                        "the customer is also known as); repeat for several")  # fmt: skip
    parser.add_argument("--create-customers", action="store_true",
                        help="create a customer for each organization that matches none")  # fmt: skip
    parser.add_argument("--skip-unknown", action="store_true",
                        help="leave out the tickets of organizations that match no customer")  # fmt: skip
    parser.add_argument("--reconcile", metavar="FILE.xlsx",
                        help="write a workbook comparing the source's SLA verdicts with tamdesk's")  # fmt: skip


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


def map_option(values: Sequence[str]) -> dict[str, str]:
    """``--map "EXPORT NAME=CUSTOMER"`` values as export name → customer name."""
    mapped: dict[str, str] = {}
    for text in values:
        name, sep, customer = text.partition("=")
        if not sep or not name.strip() or not customer.strip():
            raise CommandFailed(f'--map {text!r} does not name both sides; write --map "Acme Inc=Acme Analytics".')
        mapped[name.strip()] = customer.strip()
    return mapped


def _zone_name(text: str | None) -> str:
    if text:
        return text
    return str(getattr(local_zone(), "key", "UTC"))


def ticket_options(args: argparse.Namespace) -> TicketImportOptions:
    """The options of ``import tickets`` as the service takes them."""
    source = ImportSource(args.source) if args.source else None
    columns: dict[str, str] = {}
    if args.mapping:
        saved = load_mapping(args.mapping)
        columns = dict(saved.columns)
        source = source or saved.source
    columns |= columns_option(args.column)
    if args.create_customers and args.skip_unknown:
        raise CommandFailed("--create-customers and --skip-unknown contradict each other; choose one.")
    choices = CustomerChoices(map_option(args.map), create_all=args.create_customers, skip_all=args.skip_unknown)
    order = DateOrder(args.date_order) if args.date_order else None
    return TicketImportOptions(source, _zone_name(args.tz), order, columns, choices, args.encoding)


def _tickets(args: argparse.Namespace, ctx: Context) -> str:
    options = ticket_options(args)
    result = import_tickets(ctx, args.file, options)
    lines = result.lines
    if args.save_mapping:
        save_mapping(ctx, args.save_mapping, result.source, result.mapping)
        lines.append(f"Saved the column mapping as '{args.save_mapping}'.")
    if args.reconcile:
        if result.reconciliation is None:
            lines.append("No reconciliation workbook: the export states no SLA verdict of its own.")
        else:
            from pathlib import Path

            written = export_reconciliation(ctx, args.reconcile, result.reconciliation, tz=zone(options.tz),
                                            file_name=Path(args.file).name)  # fmt: skip
            lines.append(f"Reconciliation written to {written}.")
    return "\n".join(lines)


def _events(args: argparse.Namespace, ctx: Context) -> str:
    result = import_ticket_events(
        ctx, args.file, args.tz or "UTC", columns=columns_option(args.column), encoding=args.encoding
    )
    return f"Imported ticket events: {result.events:,} recorded on {result.updated:,} tickets."

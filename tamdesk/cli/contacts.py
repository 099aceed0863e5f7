"""``tamdesk contacts list|add|left|from-seats`` and ``tamdesk import contacts FILE``: a customer's stakeholders
from the command line, every rule explained in one sentence."""

from __future__ import annotations

import argparse
from typing import Any

from tamdesk.cli.common import CommandFailed, add_encoding_option, date_option
from tamdesk.cli.text import day, plural, table
from tamdesk.cli.tickets import map_option
from tamdesk.domain.contacts import ContactRole, Influence
from tamdesk.domain.text import case_key, visible
from tamdesk.services.base import Context, FieldError, ValidationFailed
from tamdesk.services.contact_import import import_contacts
from tamdesk.services.contacts import (
    ContactInput,
    ContactRow,
    add_contact,
    add_seat_holders,
    get_contact,
    list_contacts,
    mark_left,
)
from tamdesk.services.customers import customer_by_name

HELP = "list and add a customer's contacts and stakeholders"
_ROLES = ", ".join(r.value for r in ContactRole)
_INFLUENCES = ", ".join(i.value for i in Influence)


def register(commands: Any, groups: dict[str, Any]) -> None:
    contacts = commands.add_parser("contacts", help=HELP, description=f"{HELP[:1].upper()}{HELP[1:]}.")
    actions = contacts.add_subparsers(dest="kind", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the customer's contacts with role, seat and last contact")
    _customer(listing)
    listing.add_argument("--all", action="store_true", help="also the contacts who left the customer")
    listing.set_defaults(handler=_list)

    add = actions.add_parser(
        "add",
        help="add a contact to a customer",
        description="Add a contact. A role or shared address (support@, info@ …), an invalid address, or the same "
        "mailbox as another contact of the customer refuses it. A held portal seat with the same mailbox is "
        "linked to the new contact.",
    )
    _customer(add)
    add.add_argument("--name", required=True, metavar="TEXT", help="the person's full name")
    add.add_argument("--email", default="", metavar="ADDRESS", help="their own work address (optional)")
    add.add_argument("--title", default="", metavar="TEXT", help="their job title")
    add.add_argument("--role", default=ContactRole.OTHER.value, metavar="ROLE", help=f"one of {_ROLES}")
    add.add_argument("--influence", default="", metavar="LEVEL", help=f"one of {_INFLUENCES}")
    add.add_argument("--phone", default="", metavar="TEXT")
    add.set_defaults(handler=_add)

    left = actions.add_parser(
        "left",
        help="record that a contact left the customer",
        description="Record that a contact left the customer. A champion or executive sponsor who left is shown on "
        "Today for 30 days.",
    )
    _customer(left)
    left.add_argument("--name", required=True, metavar="TEXT", help="the contact's name (or a unique start of it)")
    left.add_argument("--on", metavar="DATE", help="the day they left, YYYY-MM-DD (default: today)")
    left.set_defaults(handler=_left)

    seats = actions.add_parser(
        "from-seats",
        help="make the customer's seat holders contacts, linked to their seats",
        description="Add each holder of a portal seat as a contact linked to the seat; a contact with the same "
        "mailbox is linked instead, so running it again adds no one twice.",
    )
    _customer(seats)
    seats.set_defaults(handler=_from_seats)

    parser = groups["import"].add_parser(
        "contacts",
        help="contacts from a Salesforce contact report, a HubSpot or Gainsight export, or a file with Customer, "
        "Name, Email, Title, Role, Influence, Phone; all or nothing, upsert by mailbox within the customer",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--map", action="append", default=[], metavar="EXPORT NAME=CUSTOMER",
                        help="contacts of the company EXPORT NAME belong to CUSTOMER (remembered as a name the "
                        "customer is also known as); repeat for several")  # fmt: skip
    add_encoding_option(parser)
    parser.set_defaults(handler=_import)


def _customer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customer", required=True, metavar="NAME", help="the customer (a unique start of its name)")


def _list(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    rows = list_contacts(customer.id, include_left=args.all)
    if not rows:
        return f"{customer.name} has no contacts yet."
    header = ["Name", "Title", "Role", "Influence", "Email", "Seat", "Last contact"]
    lines = [
        [
            r.full_name + (f" (left {day(r.left_at)})" if r.left_at else ""),
            r.title or "-",
            r.role.label,
            r.influence.label if r.influence else "-",
            r.email or "-",
            r.seat_label or "-",
            day(r.last_contact_at),
        ]
        for r in rows
    ]
    return "\n".join([f"{customer.name}: {plural(len(rows), 'contact')}", "", *table(header, lines)])


def _add(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    data = ContactInput(args.name, args.email, args.title, args.role, args.influence or None, args.phone)
    try:
        contact_id = add_contact(ctx, customer.id, data)
    except ValidationFailed as exc:
        raise CommandFailed(_first(exc)) from exc
    row = get_contact(contact_id)
    seat = f", linked to seat {row.seat_no}" if row.seat_no is not None else ""
    return f"{row.full_name} added to {customer.name} as {row.role.label.lower()}{seat}."


def _first(exc: ValidationFailed) -> str:
    """One sentence: the first field's problem, and how many others there are."""
    messages = list(exc.errors.values())
    more = len(messages) - 1
    return messages[0] + (f" ({plural(more, 'other problem')}: {' '.join(messages[1:])})" if more else "")


def _left(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    on = date_option("--on", args.on) if args.on else None
    contact = _contact_named(customer.id, customer.name, args.name)
    try:
        mark_left(ctx, contact.id, contact.version, on)
    except FieldError as exc:
        raise CommandFailed(f"--on: {exc}") from exc
    left_at = get_contact(contact.id).left_at
    return f"{contact.full_name} recorded as having left {customer.name} on {day(left_at)}."


def _contact_named(customer_id: int, customer_name: str, name: str) -> ContactRow:
    """The contact called ``name`` (case and spacing aside), else the only one whose name starts so."""
    wanted = case_key(name)
    rows = list_contacts(customer_id)
    found = [r for r in rows if case_key(r.full_name) == wanted] or [
        r for r in rows if wanted and case_key(r.full_name).startswith(wanted)
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandFailed(f"{customer_name} has no contact named '{visible(name)}'.")
    names = ", ".join(r.full_name for r in found)
    raise CommandFailed(f"'{visible(name)}' could be {names}: write more of the name.")


def _from_seats(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    result = add_seat_holders(ctx, customer.id)
    return "\n".join([f"{customer.name}: {result.summary}", *result.skipped])


def _import(args: argparse.Namespace, ctx: Context) -> str:
    return import_contacts(ctx, args.file, args.encoding, map_option(args.map)).summary

"""``tamdesk timeline add|list`` and ``tamdesk followups list|done``: an account's timeline and the follow-ups it
created, from the command line. Rules live in ``services.timeline`` and ``services.follow_ups``; this module reads
the options, names people by email or name, and words the summary.
"""

from __future__ import annotations

import argparse
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tamdesk.cli.common import CommandFailed, date_option, local_today
from tamdesk.cli.text import day, moment, plural, table
from tamdesk.domain.timeline import FILTER_KEYS, EntryKind, filter_label
from tamdesk.domain.typed_time import TypedTimeError, parse_typed_time
from tamdesk.services.base import Context, ValidationFailed
from tamdesk.services.customers import customer_by_name
from tamdesk.services.follow_ups import complete, get_follow_up, open_follow_ups
from tamdesk.services.identity import directory_name
from tamdesk.services.report_data import local_zone
from tamdesk.services.timeline import EntryInput, FollowUpInput, add_entry, customer_timeline, find_party

HELP = "log meetings, calls, emails and notes on a customer's timeline, and read the timeline"
FOLLOW_UPS_HELP = "list the open follow-ups and mark one done"


def register(commands: Any, groups: dict[str, Any]) -> None:
    timeline = commands.add_parser("timeline", help=HELP, description=f"{HELP[:1].upper()}{HELP[1:]}.")
    actions = timeline.add_subparsers(dest="kind", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="log an entry with attendees and follow-ups",
        description="Log an entry on a customer's timeline. All or nothing: a bad attendee, follow-up owner or "
        "date refuses the whole entry. A follow-up due on a day that is not a business day of the customer moves "
        "to the next business day (said so); one due in the past is saved with a warning.",
    )
    add.add_argument("--customer", required=True, metavar="NAME")
    add.add_argument(
        "--kind", dest="entry_kind", required=True, metavar="KIND", help=", ".join(k.value for k in EntryKind)
    )
    add.add_argument("--at", required=True, metavar="TIME", help="when, e.g. '2026-03-10 14:00' or 'yesterday 9:30'")
    add.add_argument("--tz", metavar="ZONE", help="the zone of --at without an offset (default: yours)")
    add.add_argument("--title", default="", metavar="TEXT")
    add.add_argument("--body", default="", metavar="TEXT", help="the text (a note needs one)")
    add.add_argument("--attendee", action="append", default=[], metavar="EMAIL_OR_NAME",
                     help="a contact of the customer or a person of the directory (repeat for several)")  # fmt: skip
    add.add_argument("--follow-up", action="append", default=[], metavar="WHAT;OWNER;YYYY-MM-DD",
                     help="a task: what, its owner (email or name), its due date (repeat for several)")  # fmt: skip
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="the customer's timeline, newest first")
    listing.add_argument("--customer", required=True, metavar="NAME")
    listing.add_argument(
        "--kind", dest="kinds", action="append", metavar="KIND", help=f"only these ({', '.join(FILTER_KEYS)})"
    )
    listing.add_argument("--since", metavar="DATE", help="from this day on, YYYY-MM-DD")
    listing.set_defaults(handler=_list)

    follow_ups = commands.add_parser("followups", help=FOLLOW_UPS_HELP, description=f"{FOLLOW_UPS_HELP.capitalize()}.")
    fu_actions = follow_ups.add_subparsers(dest="kind", metavar="ACTION", required=True)
    fu_list = fu_actions.add_parser("list", help="open follow-ups, soonest due first")
    fu_list.add_argument("--mine", action="store_true", help="only those of your customers (your name in Settings)")
    fu_list.set_defaults(handler=_follow_ups)
    done = fu_actions.add_parser("done", help="mark a follow-up done")
    done.add_argument("id", metavar="ID", help="the follow-up's number, as `followups list` shows it")
    done.set_defaults(handler=_done)


# -- timeline add ---------------------------------------------------------------------------------------------


def _zone(name: str | None) -> ZoneInfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandFailed(f"--tz '{name}' is not a time zone such as Europe/Berlin.") from None
    zone = local_zone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


def _at(args: argparse.Namespace, ctx: Context) -> datetime:
    zone = _zone(args.tz)
    try:
        return parse_typed_time(args.at, zone, ctx.now().astimezone(zone).date())
    except TypedTimeError as exc:
        raise CommandFailed(f"--at: {exc}") from None


def _party(customer_id: int, customer: str, text: str, option: str) -> tuple[int | None, int | None, str]:
    party = find_party(customer_id, text)
    if party is None:
        raise CommandFailed(
            f"{option} '{text}' is neither a contact of {customer} nor in the people directory; add them as a "
            "contact first."
        )
    return party.contact_id, party.person_id, party.name


def _follow_up(customer_id: int, customer: str, text: str) -> FollowUpInput:
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 3:
        raise CommandFailed(f"--follow-up '{text}' is not WHAT;OWNER;YYYY-MM-DD.")
    what, owner, due = parts
    contact, person, _ = _party(customer_id, customer, owner, f"--follow-up '{text}': owner")
    due_on = date_option(f"--follow-up '{text}': due date", due)
    return FollowUpInput(what, due_on, owner_person_id=person, owner_contact_id=contact)


def _add(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    try:
        kind = EntryKind.parse(args.entry_kind)
    except ValueError as exc:
        raise CommandFailed(f"--kind: {exc}") from None
    contacts: list[int] = []
    people: list[int] = []
    for text in args.attendee:
        contact, person, _ = _party(customer.id, customer.name, text, "--attendee")
        (contacts if contact is not None else people).append(contact if contact is not None else person)  # type: ignore[arg-type]
    follow_ups = [_follow_up(customer.id, customer.name, text) for text in args.follow_up]
    data = EntryInput(kind, _at(args, ctx), args.title, args.body, contacts, people, follow_ups=follow_ups)
    try:
        saved = add_entry(ctx, customer.id, data)
    except ValidationFailed as exc:
        raise CommandFailed(next(iter(exc.errors.values()))) from None
    what = f"{kind.label} “{args.title.strip()}”" if args.title.strip() else kind.label
    parts = [plural(len(contacts) + len(people), "attendee"), plural(len(follow_ups), "follow-up")]
    return "\n".join([f"{what} logged on {customer.name}'s timeline with {' and '.join(parts)}.", *saved.notes])


# -- timeline list --------------------------------------------------------------------------------------------


def _one_line(text: str, width: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _list(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    start = None
    if args.since:
        since = date_option("--since", args.since)
        start = datetime.combine(since, time(), _zone(None))
    try:
        items = customer_timeline(customer.id, kinds=args.kinds, start=start)
    except ValueError as exc:
        raise CommandFailed(f"--kind: {exc}") from None
    if not items:
        return f"{customer.name}: nothing on the timeline" + (" for these filters." if args.kinds or start else ".")
    rows = [
        (moment(i.at), filter_label(i.filter_key), "" if i.read_only else str(i.entry_id), i.title,
         ", ".join(i.people), _one_line(i.text))
        for i in items
    ]  # fmt: skip
    header = ("When", "Kind", "Entry", "Title", "With", "Text")
    return "\n".join([f"{customer.name}: {plural(len(items), 'item')}, newest first.", "",
                      *table(header, rows, right=frozenset({2}))])  # fmt: skip


# -- follow-ups -----------------------------------------------------------------------------------------------


def _follow_ups(args: argparse.Namespace, ctx: Context) -> str:
    today = local_today(ctx)
    tam = None
    if args.mine:
        tam = directory_name()
        if not tam:
            raise CommandFailed("--mine needs your name: set it in the app under Settings › You.")
    rows = open_follow_ups(today, tam=tam)
    if not rows:
        return "No open follow-up" + (" on your customers." if tam else ".")
    overdue = sum(1 for r in rows if r.overdue)
    lines = [f"{plural(len(rows), 'open follow-up')}" + (f", {overdue} overdue" if overdue else "") + "."]
    body = [(str(r.id), day(r.due_on) + (" (overdue)" if r.overdue else ""), r.customer, r.owner or "-", r.what)
            for r in rows]  # fmt: skip
    return "\n".join([*lines, "", *table(("ID", "Due", "Customer", "Owner", "What"), body, right=frozenset({0}))])


def _done(args: argparse.Namespace, ctx: Context) -> str:
    try:
        follow_up_id = int(args.id)
    except ValueError:
        raise CommandFailed(f"ID '{args.id}' is not a follow-up number such as 12.") from None
    row = get_follow_up(follow_up_id, local_today(ctx))
    return complete(ctx, row.id, row.version)

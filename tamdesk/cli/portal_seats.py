"""``tamdesk seats list|request|grant|confirm|revoke|reissue``: the five portal seats from the command line.

Every rule lives in ``services.seats``; this module finds the seat the TAM names by its number, passes the version it
read (so a change made meanwhile is refused as a stale edit) and words the one-line summary.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from tamdesk.cli.common import CommandFailed, date_option
from tamdesk.cli.onboarding import completed_itself, done_steps
from tamdesk.cli.text import day, plural, table
from tamdesk.domain.seats import SeatCheck
from tamdesk.services.base import Context, FieldError
from tamdesk.services.customers import customer_by_name
from tamdesk.services.seats import (
    SeatInput,
    SeatOverview,
    SeatRejected,
    SeatRow,
    check_seat_input,
    confirm_welcome,
    grant_seat,
    reissue_seat,
    request_seat,
    revoke_seat,
    seat_overview,
)

HELP = "list, request, grant, confirm, revoke and re-issue a customer's portal seats"


def register(commands: Any, groups: dict[str, Any]) -> None:
    seats = commands.add_parser("seats", help=HELP, description=f"{HELP[:1].upper()}{HELP[1:]}.")
    actions = seats.add_subparsers(dest="kind", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the seats in use and the revoked ones, with their dates")
    _customer(listing)
    listing.set_defaults(handler=_list)

    request = actions.add_parser(
        "request",
        help="request a seat for a new user on the next free slot",
        description="Request a portal seat. A broken rule (no free seat, the same mailbox as another seat, a role "
        "address, an invalid address) refuses it; warnings (the same full name, a domain not the customer's, a "
        "mailbox seated at another customer) are listed and nothing changes unless you pass --accept-warnings.",
    )
    _customer(request)
    _person(request)
    request.set_defaults(handler=_request)

    for name, help_text, handler in (
        ("grant", "record that portal access was provisioned for a requested seat", _grant),
        ("confirm", "record that the seat holder confirmed the welcome email (the seat becomes active)", _confirm),
    ):
        parser = actions.add_parser(name, help=help_text)
        _customer(parser)
        _seat(parser)
        parser.set_defaults(handler=handler)

    revoke = actions.add_parser("revoke", help="revoke a seat: its slot is freed, the person stays in the history")
    _customer(revoke)
    _seat(revoke)
    revoke.add_argument("--reason", required=True, metavar="TEXT", help="why the seat is revoked (kept in history)")
    revoke.add_argument("--on", metavar="DATE", help="the day it was revoked, YYYY-MM-DD (default: today)")
    revoke.set_defaults(handler=_revoke)

    reissue = actions.add_parser(
        "reissue",
        help="give a revoked seat's slot to someone new",
        description="Give the slot of revoked seat N to someone new, under the same number while it is free. When "
        "several people held seat N, the one revoked last is replaced. Rules and warnings as for request.",
    )
    _customer(reissue)
    _seat(reissue, "the number of the revoked seat, as `seats list` shows it")
    _person(reissue)
    reissue.set_defaults(handler=_reissue)


def _customer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customer", required=True, metavar="NAME")


def _seat(parser: argparse.ArgumentParser, help_text: str = "the seat number, as `seats list` shows it") -> None:
    parser.add_argument("--seat", required=True, metavar="N", help=help_text)


def _person(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, metavar="FULL_NAME", help="the seat holder's full name")
    parser.add_argument("--email", required=True, metavar="ADDRESS", help="a personal address, never an alias")
    parser.add_argument("--job-title", default="", metavar="TEXT")
    parser.add_argument("--phone", default="", metavar="TEXT")
    parser.add_argument("--accept-warnings", action="store_true", help="go ahead despite warnings")


# -- list -----------------------------------------------------------------------------------------------------


def _list(args: argparse.Namespace, ctx: Context) -> str:
    overview = seat_overview(customer_by_name(args.customer).id)
    lines = [f"{overview.customer_name}: {_usage(overview)}."]
    if not overview.seats and not overview.history:
        lines.append("No seats yet: `tamdesk seats request` asks for one.")
    if overview.seats:
        header = ("Seat", "Name", "Email", "State", "Requested", "Granted", "Welcome confirmed")
        rows = [
            (str(s.seat_no), s.full_name, s.email, s.status.label, day(s.requested_at), day(s.granted_at),
             day(s.welcome_confirmed_at))
            for s in overview.seats
        ]  # fmt: skip
        lines += ["", *table(header, rows, right=frozenset({0}))]
    if overview.history:
        header = ("Seat", "Name", "Email", "State", "Requested", "Revoked", "Reason")
        rows = [
            (str(s.seat_no), s.full_name, s.email, s.status.label, day(s.requested_at), day(s.revoked_at),
             s.revoke_reason)
            for s in overview.history
        ]  # fmt: skip
        lines += ["", "Revoked (no longer counted, newest first):", *table(header, rows, right=frozenset({0}))]
    return "\n".join(lines)


def _usage(overview: SeatOverview) -> str:
    return f"{overview.used} of {plural(overview.allowance, 'seat')} used, {overview.free} free"


# -- request and re-issue -------------------------------------------------------------------------------------


def _input(args: argparse.Namespace) -> SeatInput:
    return SeatInput(full_name=args.name, email=args.email, job_title=args.job_title, phone=args.phone)


def _request(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    data = _input(args)
    accepted = _accepted(check_seat_input(customer.id, data)) if args.accept_warnings else ""
    before = done_steps(customer.id, ctx)
    seat_id = _unless_warnings(lambda: request_seat(ctx, customer.id, data, accept_warnings=args.accept_warnings))
    seat = _by_id(seat_overview(customer.id), seat_id)
    return (
        f"Seat {seat.seat_no} of {customer.name} requested for {_person_of(seat)}{accepted}"
        f"{completed_itself(customer.id, ctx, before)}."
    )


def _reissue(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    old = _numbered(seat_overview(customer.id), args.seat, revoked_first=True)
    data = _input(args)
    accepted = _accepted(check_seat_input(customer.id, data, old.id)) if args.accept_warnings else ""
    before = done_steps(customer.id, ctx)
    seat_id = _unless_warnings(lambda: reissue_seat(ctx, old.id, data, accept_warnings=args.accept_warnings))
    seat = _by_id(seat_overview(customer.id), seat_id)
    return (
        f"Seat {seat.seat_no} of {customer.name} re-issued to {_person_of(seat)}, replacing {_person_of(old)}"
        f"{accepted}{completed_itself(customer.id, ctx, before)}."
    )


def _unless_warnings(action: Callable[[], int]) -> int:
    """Run the request; warnings the TAM has not accepted become the command's failure, listing each."""
    try:
        return int(action())
    except SeatRejected as exc:
        if exc.check.errors:
            raise
        raise CommandFailed(
            f"{_messages(exc.check)}; nothing was changed (check, then run again with --accept-warnings to go ahead)."
        ) from exc


def _accepted(check: SeatCheck) -> str:
    if check.errors or not check.warnings:
        return ""  # errors refuse the seat anyway; the service says so
    return f" (accepted: {_messages(check)})"


def _messages(check: SeatCheck) -> str:
    return "; ".join(p.message.rstrip(".") for p in check.warnings)


# -- grant, confirm, revoke -----------------------------------------------------------------------------------


def _grant(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    seat = _numbered(seat_overview(customer.id), args.seat)
    before = done_steps(customer.id, ctx)
    grant_seat(ctx, seat.id, seat.version)
    completed = completed_itself(customer.id, ctx, before)
    return f"Seat {seat.seat_no} of {customer.name} granted to {_person_of(seat)}{completed}."


def _confirm(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    seat = _numbered(seat_overview(customer.id), args.seat)
    before = done_steps(customer.id, ctx)
    confirm_welcome(ctx, seat.id, seat.version)
    return (
        f"Seat {seat.seat_no} of {customer.name} is active: {_person_of(seat)} confirmed the welcome email"
        f"{completed_itself(customer.id, ctx, before)}."
    )


def _revoke(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    seat = _numbered(seat_overview(customer.id), args.seat)
    on = date_option("--on", args.on) if args.on is not None else None
    try:
        revoke_seat(ctx, seat.id, seat.version, args.reason, on)
    except FieldError as exc:
        option = {"reason": f"--reason '{args.reason}' is empty", "on": f"--on {args.on}"}.get(exc.field)
        if option is None:
            raise
        raise CommandFailed(f"{option}: {str(exc)[:1].lower()}{str(exc)[1:]}") from exc
    when = f" on {on.isoformat()}" if on is not None else ""
    usage = _usage(seat_overview(customer.id))
    return (
        f"Seat {seat.seat_no} of {customer.name} revoked from {_person_of(seat)}{when}: {args.reason.strip()}; {usage}."
    )


# -- finding seats --------------------------------------------------------------------------------------------


def _numbered(overview: SeatOverview, text: str, *, revoked_first: bool = False) -> SeatRow:
    """The seat the TAM means by ``--seat N``: the one holding slot N, else the holder of N revoked last.

    ``revoked_first`` (a re-issue) prefers the revoked holder; a held seat N then lets the service explain that it
    must be revoked first.
    """
    try:
        number = int(text.strip())
    except ValueError:
        raise CommandFailed(f"--seat '{text}' is not a seat number such as 3.") from None
    held = [s for s in overview.seats if s.seat_no == number]
    revoked = [s for s in overview.history if s.seat_no == number]  # newest first
    found = [*revoked, *held] if revoked_first else [*held, *revoked]
    if found:
        return found[0]
    raise CommandFailed(f"--seat {text.strip()}: {overview.customer_name} has no seat {number}; {_numbers(overview)}.")


def _numbers(overview: SeatOverview) -> str:
    held = ", ".join(str(s.seat_no) for s in overview.seats)
    revoked = ", ".join(str(n) for n in sorted({s.seat_no for s in overview.history}))
    if not held and not revoked:
        return "it has no seats yet"
    in_use = f"seats in use: {held}" if held else "no seats in use"
    return f"{in_use} (revoked: {revoked})" if revoked else in_use


def _by_id(overview: SeatOverview, seat_id: int) -> SeatRow:
    return next(s for s in (*overview.seats, *overview.history) if s.id == seat_id)


def _person_of(seat: SeatRow) -> str:
    return f"{seat.full_name} <{seat.email}>"

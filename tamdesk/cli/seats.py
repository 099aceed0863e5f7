"""Access forms, seat rosters and onboarding workbooks from the command line.

``tamdesk export access-form``, ``tamdesk import access-form``, ``tamdesk export seats`` and
``tamdesk export onboarding`` (DESIGN.md §5).
"""

from __future__ import annotations

import argparse
from datetime import tzinfo
from typing import Any

from tamdesk.cli.common import CommandFailed
from tamdesk.cli.onboarding import completed_itself, done_steps
from tamdesk.cli.reports import scope_from
from tamdesk.domain.timestamps import zone
from tamdesk.reports.access_form import export_access_form
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.seats import export_seat_roster
from tamdesk.services.access_form import (
    WarningsNotAccepted,
    apply_access_form,
    mark_access_form_sent,
    preview_access_form,
)
from tamdesk.services.base import Context
from tamdesk.services.customers import customer_by_name
from tamdesk.services.report_data import ReportScope


def register(commands: Any, groups: dict[str, Any]) -> None:
    form_out = groups["export"].add_parser(
        "access-form",
        help="the portal access form for a customer to fill in",
        description="Write the portal access form of a customer: its current seat holders, and empty rows up to "
        "the allowance. Send it with --mark-sent to record that it went to the customer.",
    )
    form_out.add_argument("--customer", required=True, metavar="NAME")
    form_out.add_argument("--out", required=True, metavar="FILE")
    form_out.add_argument(
        "--mark-sent",
        action="store_true",
        help="also record the form as sent to the customer, once the file is written (completes the onboarding "
        "step 'Access form sent'); use it when you send this file on",
    )
    form_out.set_defaults(handler=_export_access_form)

    form_in = groups["import"].add_parser("access-form", help="apply a returned access form as seat requests")
    form_in.add_argument("--customer", required=True, metavar="NAME")
    form_in.add_argument("file", metavar="FILE")
    form_in.add_argument("--dry-run", action="store_true", help="show what the form would change; change nothing")
    form_in.add_argument("--accept-warnings", action="store_true", help="apply a form that has warnings only")
    form_in.set_defaults(handler=_import_access_form)

    for kind, help_text, period_help, handler in (
        ("seats", "the portal seat roster", "only seats held at some time in the period", _export_seats),
        (
            "onboarding",
            "a customer's onboarding checklist (one --customer), or the status of several or all customers",
            "only customers whose onboarding started in the period (the status workbook)",
            _export_onboarding,
        ),
    ):
        parser = groups["export"].add_parser(kind, help=help_text, description=f"Write {help_text} to FILE.")
        parser.add_argument("--out", required=True, metavar="FILE")
        parser.add_argument("--from", dest="start", metavar="DATE", help=f"first day (YYYY-MM-DD); {period_help}")
        parser.add_argument("--to", dest="end", metavar="DATE", help="last day of the period (included)")
        parser.add_argument(
            "--customer", action="append", metavar="NAME", help="only this customer (repeat for several)"
        )
        parser.add_argument("--tz", metavar="ZONE", help="time zone of the dates (default: yours)")
        parser.set_defaults(handler=handler)


def _zone(text: str) -> tzinfo:
    try:
        return zone(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _export_access_form(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    path = export_access_form(customer.id, args.out, ctx=ctx)
    if not args.mark_sent:
        return f"Access form of {customer.name} written to {path}."
    before = done_steps(customer.id, ctx)
    mark_access_form_sent(ctx, customer.id)
    completed = completed_itself(customer.id, ctx, before)
    return f"Access form of {customer.name} written to {path} and recorded as sent{completed}."


def _import_access_form(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    if args.dry_run:
        return _dry_run(customer.id, args.file)
    try:
        result = apply_access_form(ctx, customer.id, args.file, accept_warnings=args.accept_warnings)
    except WarningsNotAccepted as exc:
        raise CommandFailed(f"{exc} Check them, then run again with --accept-warnings to apply the form.") from exc
    return result.summary


def _dry_run(customer_id: int, file: str) -> str:
    preview = preview_access_form(customer_id, file)
    if preview.errors:
        problems = "; ".join(preview.problems("error"))
        raise CommandFailed(f"{file} would not apply ({preview.summary.rstrip('.')}): {problems}.")
    lines = [f"Dry run, nothing was changed. {preview.summary}", *preview.problems("warning"), *preview.notes]
    if preview.warnings:
        lines.append("Applying it needs --accept-warnings.")
    return "\n".join(lines)


def _export_seats(args: argparse.Namespace, ctx: Context) -> str:
    scope = scope_from(args)
    path = export_seat_roster(args.out, ctx=ctx, scope=scope)
    return f"Seat roster{_of(args)}{_during(scope)} written to {path}."


def _export_onboarding(args: argparse.Namespace, ctx: Context) -> str:
    scope = scope_from(args)
    if len(scope.customer_ids) == 1:  # one customer: their printable checklist, as of now
        if scope.start or scope.end:
            raise CommandFailed(
                "--from/--to choose customers by when their onboarding started; with one --customer the export is "
                "that customer's checklist, which has no period."
            )
        (customer_id,) = scope.customer_ids
        path = export_onboarding(args.out, customer_id, ctx=ctx, tz=scope.tz)
        return f"Onboarding checklist{_of(args)} written to {path}."
    path = export_onboarding(args.out, ctx=ctx, scope=scope)
    return f"Onboarding status{_of(args)}{_during(scope)} written to {path}."


def _of(args: argparse.Namespace) -> str:
    names = [customer_by_name(name).name for name in args.customer or ()]
    return f" of {', '.join(names)}" if names else ""


def _during(scope: ReportScope) -> str:
    return f", {scope.period_label}" if scope.start or scope.end else ""

"""``tamdesk contract show|set`` and ``tamdesk versions list|record``: a customer's contract facts and installed
versions from the command line. The rules live in ``services.contracts`` and ``services.versions``."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from typing import Any

from tamdesk.cli.common import CommandFailed, date_option, local_today
from tamdesk.cli.text import day, moment, table
from tamdesk.domain.contracts import arr_text, day_text, parse_arr
from tamdesk.domain.versions import VERSION_SCHEME, VERSION_SHAPE, parse_environment, parse_version
from tamdesk.services.base import Context
from tamdesk.services.contracts import get_contract, set_contract
from tamdesk.services.customers import customer_by_name
from tamdesk.services.versions import installed_versions, product_key, record_version

CONTRACT_HELP = "show or set a customer's contract facts: support tier, entitlement, renewal, ARR and edition"
VERSIONS_HELP = "list or record the product versions a customer runs in production and staging"


def register(commands: Any, groups: dict[str, Any]) -> None:
    contract = commands.add_parser("contract", help=CONTRACT_HELP, description=f"{CONTRACT_HELP.capitalize()}.")
    actions = contract.add_subparsers(dest="kind", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="the contract facts and the renewal warning")
    show.add_argument("--customer", required=True, metavar="NAME")
    show.set_defaults(handler=_show)
    change = actions.add_parser(
        "set",
        help="change contract facts; the facts not given stay as they are",
        description="Change a customer's contract facts. Facts not given stay as they are; an empty value "
        "(--renewal '') clears one. A renewal before the entitlement start, an end before the start or a "
        "negative ARR is refused and nothing changes.",
    )
    change.add_argument("--customer", required=True, metavar="NAME")
    change.add_argument("--tier", metavar="TEXT", help="the support tier, such as Premium")
    change.add_argument("--start", metavar="DATE", help="the entitlement start, YYYY-MM-DD")
    change.add_argument("--end", metavar="DATE", help="the entitlement end (its last day), YYYY-MM-DD")
    change.add_argument("--renewal", metavar="DATE", help="the renewal date, YYYY-MM-DD")
    change.add_argument("--arr", metavar="AMOUNT", help="annual recurring revenue, such as 120000 or 120,000.50")
    change.add_argument("--currency", metavar="CODE", help="the ARR's currency, such as EUR")
    change.add_argument("--edition", metavar="TEXT", help="the product edition")
    change.set_defaults(handler=_set)

    versions = commands.add_parser("versions", help=VERSIONS_HELP, description=f"{VERSIONS_HELP.capitalize()}.")
    actions = versions.add_subparsers(dest="kind", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the versions running now, then the history")
    listing.add_argument("--customer", required=True, metavar="NAME")
    listing.set_defaults(handler=_list)
    record = actions.add_parser(
        "record",
        help="record the version a customer runs from a date on (earlier ones stay as history)",
        description=f"Record the version a customer runs; earlier ones stay as history. {VERSION_SHAPE.capitalize()}: "
        f"{VERSION_SCHEME} (docs/versions.md).",
    )
    record.add_argument("--customer", required=True, metavar="NAME")
    record.add_argument("--product", default="", metavar="NAME", help="the product (default: the one product)")
    record.add_argument("--version", required=True, metavar="V", help="such as 437, 437.2 or 436-e.9")
    record.add_argument("--environment", required=True, metavar="ENV", help="production or staging")
    record.add_argument("--since", metavar="DATE", help="the day it went live, YYYY-MM-DD (default: today)")
    record.set_defaults(handler=_record)


# -- contract ---------------------------------------------------------------------------------------------------


def _show(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    view = get_contract(customer.id, local_today(ctx))
    if view.version == 0:
        return f"{view.customer}: no contract recorded yet; `tamdesk contract set` records one."
    facts = view.facts

    def shown(value: date | None) -> str:
        return day_text(value) if value else "-"

    lines = [
        f"Contract of {view.customer}",
        f"Support tier:       {facts.support_tier or '-'}",
        f"Entitlement:        {shown(facts.entitlement_start)} to {shown(facts.entitlement_end)}",
        f"Renewal:            {shown(facts.renewal_on)}",
        f"ARR:                {arr_text(facts.arr_cents, facts.currency) or '-'}",
        f"Edition:            {facts.edition or '-'}",
    ]
    if view.warning is not None:
        lines.append(f"{view.warning.text}.")
    return "\n".join(lines)


def _optional_date(option: str, text: str | None, current: date | None) -> date | None:
    if text is None:
        return current
    return date_option(option, text) if text.strip() else None


def _set(args: argparse.Namespace, ctx: Context) -> str:
    given = (args.tier, args.start, args.end, args.renewal, args.arr, args.currency, args.edition)
    if all(value is None for value in given):
        raise CommandFailed("Nothing to change: give at least one of --tier, --start, --end, --renewal, --arr, "
                            "--currency or --edition.")  # fmt: skip
    customer = customer_by_name(args.customer)
    view = get_contract(customer.id, local_today(ctx))
    facts = view.facts
    arr = facts.arr_cents
    if args.arr is not None:
        try:
            arr = parse_arr(args.arr)
        except ValueError as exc:
            raise CommandFailed(str(exc)) from None
    updated = replace(
        facts,
        support_tier=facts.support_tier if args.tier is None else args.tier,
        entitlement_start=_optional_date("--start", args.start, facts.entitlement_start),
        entitlement_end=_optional_date("--end", args.end, facts.entitlement_end),
        renewal_on=_optional_date("--renewal", args.renewal, facts.renewal_on),
        arr_cents=arr,
        currency=facts.currency if args.currency is None else args.currency,
        edition=facts.edition if args.edition is None else args.edition,
    )
    if updated == facts and view.version:
        return f"Contract of {view.customer} unchanged."
    set_contract(ctx, customer.id, view.version, updated)
    after = get_contract(customer.id, local_today(ctx))
    warning = f" {after.warning.text}." if after.warning else ""
    return f"Contract of {view.customer} saved.{warning}"


# -- versions ---------------------------------------------------------------------------------------------------


def _list(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    rows = installed_versions(customer.id)
    if not rows:
        return f"{customer.name}: no versions recorded yet; `tamdesk versions record` records one."
    header = ("Product", "Version", "Environment", "Since", "Now", "Recorded", "By")
    lines = table(
        header,
        [
            (r.product or "-", r.version, r.environment.label, day(r.since), "yes" if r.current else "",
             moment(r.recorded_at), r.recorded_by)
            for r in rows
        ],
    )  # fmt: skip
    return "\n".join([f"Versions of {customer.name}:", *lines])


def _record(args: argparse.Namespace, ctx: Context) -> str:
    customer = customer_by_name(args.customer)
    since = date_option("--since", args.since) if args.since else local_today(ctx)
    newest = record_version(ctx, customer.id, args.product, args.version, args.environment, since)
    recorded = parse_version(args.version)
    env = parse_environment(args.environment)
    product = f"{args.product.strip()} " if args.product.strip() else ""
    runs = next(
        (r for r in installed_versions(customer.id)
         if r.current and r.environment is env and product_key(r.product) == product_key(args.product)),
        None,
    )  # fmt: skip
    later = f"; it runs {runs.version} there since {runs.since.isoformat()}" if runs and runs.id != newest else ""
    return f"Recorded {customer.name} on {product}{recorded} in {env.value} since {since.isoformat()}{later}."

"""The quarterly business review of one customer from the command line:

``tamdesk export qbr --customer Acme --quarter 2026Q4 --out acme-q4.xlsx``.
"""

from __future__ import annotations

import argparse
from typing import Any

from tamdesk.cli.common import CommandFailed
from tamdesk.domain.quarters import QuarterError, parse_quarter
from tamdesk.reports.qbr import export_quarterly_review
from tamdesk.services.base import Context
from tamdesk.services.customers import customer_by_name


def register(commands: Any, groups: dict[str, Any]) -> None:
    parser = groups["export"].add_parser(
        "qbr",
        help="a customer's quarterly business review",
        description="Write a customer's quarterly business review workbook to FILE: customer-facing sheets first, "
        "then sheets marked internal.",
    )
    parser.add_argument("--customer", required=True, metavar="NAME", help="the customer (enough of the name)")
    parser.add_argument("--quarter", required=True, metavar="YYYYQn", help="the quarter, e.g. 2026Q4")
    parser.add_argument("--out", required=True, metavar="FILE", help="the workbook to write (.xlsx)")
    parser.set_defaults(handler=_export)


def _export(args: argparse.Namespace, ctx: Context) -> str:
    try:
        quarter = parse_quarter(args.quarter)
    except QuarterError as exc:
        raise CommandFailed(f"--quarter {exc}") from None
    customer = customer_by_name(args.customer)
    result = export_quarterly_review(args.out, customer.id, quarter, ctx=ctx)
    return f"{result.summary} written to {result.path}."

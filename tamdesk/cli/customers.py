"""``tamdesk import customers FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from tamdesk.cli.common import add_encoding_option
from tamdesk.services.base import Context
from tamdesk.services.customer_import import import_customers


def register(commands: Any, groups: dict[str, Any]) -> None:
    parser = groups["import"].add_parser(
        "customers",
        help="customers from .csv/.xlsx: Name, Email domains, Time zone, Country, TAM, Also known as "
        "(names separated by semicolons, added to the customer's); upsert by Name",
    )
    parser.add_argument("file", metavar="FILE")
    add_encoding_option(parser)
    parser.set_defaults(handler=_import)


def _import(args: argparse.Namespace, ctx: Context) -> str:
    return import_customers(ctx, args.file, args.encoding).summary

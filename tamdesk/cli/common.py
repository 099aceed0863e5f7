"""What command modules share: the failure type, and parsers of options that name the bad value."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from tamdesk.services.base import Context

Handler = Callable[[argparse.Namespace, Context], str]


class CommandFailed(Exception):
    """A command ends with exit code 1 and this message on stderr."""


ENCODING_HELP = (
    "the text encoding of a CSV file without a byte-order mark, such as cp1252 or utf-16 (default: UTF-8, "
    "else Windows-1252; a BOM always wins)"
)


def add_encoding_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encoding", metavar="NAME", help=ENCODING_HELP)


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


def date_option(option: str, text: str) -> date:
    """``--on 2026-03-10`` as a date; anything else fails the command naming the option and the value."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandFailed(f"{option} '{text}' is not a date such as 2026-03-01.") from None


def local_today(ctx: Context) -> date:
    """Today on the TAM's own machine, as the services date a revoke or an overdue step."""
    return ctx.now().astimezone().date()

"""What command modules share: the failure type and argument parsers that name the bad value."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from tamdesk.services.base import Context

Handler = Callable[[argparse.Namespace, Context], str]


class CommandFailed(Exception):
    """A command ends with exit code 1 and this message on stderr."""


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

"""Plain aligned text for commands that print a list: columns padded to the width a terminal shows."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

GAP = "  "


def width(text: str) -> int:
    """Terminal columns of ``text``: wide East Asian characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    fill = " " * max(columns - width(text), 0)
    return fill + text if right else text + fill


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: frozenset[int] = frozenset()) -> list[str]:
    """The header and rows as lines of aligned columns; the last column is not padded."""
    widths = [max(width(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    last = len(header) - 1
    return [
        GAP.join(pad(cell, widths[i], right=i in right) if i < last else cell for i, cell in enumerate(row)).rstrip()
        for row in (header, *rows)
    ]


def day(value: date | datetime | None) -> str:
    """A date, or a UTC timestamp as the day it was on this machine; ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone().date()
    return value.isoformat()


def moment(value: datetime | None) -> str:
    """A UTC timestamp in this machine's zone, to the minute."""
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"

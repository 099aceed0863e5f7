"""Calendar quarters as a quarterly business review names them: ``2026Q4`` is October to December 2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"([0-9]{4}) ?[Qq]([1-4])")
EXAMPLE = "2026Q4"


class QuarterError(ValueError):
    """Text that does not name a quarter; the message says how to write one."""


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter ``number`` (1-4) of ``year``: the days from ``start`` (included) to ``end`` (excluded)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise QuarterError(f"A year has quarters 1 to 4, not {self.number}.")
        if not 1 <= self.year <= 9998:
            raise QuarterError(f"{self.year} is not a year a quarter can be in.")

    @property
    def start(self) -> date:
        """The quarter's first day."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next.start

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def label(self) -> str:
        """``Q4 2026``."""
        return f"Q{self.number} {self.year}"

    @property
    def code(self) -> str:
        """``2026Q4``: how the command line takes it."""
        return f"{self.year:04d}Q{self.number}"

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def covers(self, day: date) -> bool:
        return self.start <= day < self.end

    def __str__(self) -> str:
        return self.label


def quarter_of(day: date) -> Quarter:
    """The quarter ``day`` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(text: str) -> Quarter:
    """``2026Q4`` (any case, spaces around allowed) as a quarter.

    Raises:
        QuarterError: the text is not a year, Q and a quarter 1-4; the message names it.
    """
    match = _QUARTER.fullmatch(text.strip())
    if match is None or match.group(1) in ("0000", "9999"):
        shown = text.strip() or text
        raise QuarterError(f"'{shown}' is not a quarter: write it as YYYYQn, such as {EXAMPLE}.")
    return Quarter(int(match.group(1)), int(match.group(2)))


def recent_quarters(today: date, count: int = 8) -> list[Quarter]:
    """The quarter of ``today`` and the ``count - 1`` before it, newest first: what a review can be made for."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous)
    return quarters

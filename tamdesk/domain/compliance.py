"""How a director reads SLA compliance: a goal, a band against it, the periods to compare, partial months.

Pure rules, no database: the SLA workbook and the Settings page both follow them.

- The *goal* is the share of first responses (and of tickets with every customer update kept) that must be in time,
  per SLA policy; 95% unless set. A rate *meets* the goal at or above it, is *near* it within five points below,
  and is *below* it otherwise. Each band has a mark as well as a colour, so a printout in black and white and a
  reader who does not see colour read the same verdict.
- A period is compared with the *previous period* (the same number of whole months just before it when it is whole
  months, else the same number of days) and with the *same period a year earlier*.
- A month the period covers only in part (it starts or ends inside the month, or the month is not over yet) is
  labelled as such: ``2026-12 (1–7 Dec, partial)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

DEFAULT_GOAL = 0.95
NEAR_MARGIN = 0.05  # within five points below the goal reads "near" (amber), not "below" (red)
GOAL_RANGE = (1, 100)  # whole percent a goal may be set to


class Band(StrEnum):
    """A rate against its goal."""

    MET = "met"
    NEAR = "near"
    BELOW = "below"

    @property
    def mark(self) -> str:
        """The verdict without colour: ``✓ goal met``, ``! near goal``, ``✖ below goal``."""
        return {"met": "✓ goal met", "near": "! near goal", "below": "✖ below goal"}[self.value]


def band(rate: float | None, goal: float) -> Band | None:
    """The band of ``rate`` (0–1) against ``goal`` (0–1); None when there is no rate (nothing was due)."""
    if rate is None:
        return None
    if rate >= goal - 1e-12:
        return Band.MET
    return Band.NEAR if rate >= goal - NEAR_MARGIN - 1e-12 else Band.BELOW


def goal_refusal(percent: object) -> str | None:
    """Why ``percent`` cannot be a compliance goal, or None when it can (a whole number from 1 to 100)."""
    low, high = GOAL_RANGE
    if isinstance(percent, bool) or not isinstance(percent, int) or not low <= percent <= high:
        return f"The compliance goal must be a whole percent from {low} to {high}, not {percent!r}."
    return None


# -- periods -----------------------------------------------------------------------------------------------------


def _month_start(day: date, months: int = 0) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _whole_months(start: date, end: date) -> int | None:
    """How many whole months ``start``–``end`` (end excluded) spans, or None when it is not whole months."""
    if start.day != 1 or end.day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before ``start``–``end`` (end excluded): whole months stay months."""
    months = _whole_months(start, end)
    if months:
        return _month_start(start, -months), start
    return start - (end - start), start


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_earlier(start: date, end: date) -> tuple[date, date]:
    """The same days a year before ``start``–``end`` (end excluded)."""
    return _year_before(start), _year_before(end)


def trend_months(last_month: date, count: int = 12) -> list[date]:
    """The first days of the ``count`` months ending with ``last_month``'s month, oldest first."""
    return [_month_start(last_month, -offset) for offset in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Coverage:
    """The days of one month a report covers: ``first`` to ``last``, both included."""

    month: date  # the month's first day
    first: date
    last: date

    @property
    def partial(self) -> bool:
        return self.first != self.month or self.last != _month_start(self.month, 1) - timedelta(days=1)

    @property
    def days(self) -> str:
        """``1–7 Dec``, or ``7 Dec`` for a single day."""
        month = f"{self.last:%b}"
        return f"{self.first.day} {month}" if self.first == self.last else f"{self.first.day}–{self.last.day} {month}"

    @property
    def label(self) -> str:
        """``2026-12``, or ``2026-12 (1–7 Dec, partial)`` when the month is covered only in part."""
        name = f"{self.month:%Y-%m}"
        return f"{name} ({self.days}, partial)" if self.partial else name


def coverage(month: date, start: date | None, end: date | None, today: date) -> Coverage:
    """Which days of ``month`` a report of ``start``–``end`` (end excluded) made on ``today`` covers.

    Days after ``today`` are not covered yet: the month is still going on.
    """
    first_day = _month_start(month)
    last_day = _month_start(month, 1) - timedelta(days=1)
    first = max(first_day, start) if start else first_day
    last = min(last_day, end - timedelta(days=1)) if end else last_day
    last = min(last, today)
    return Coverage(first_day, first, max(first, last))


def period_partial_note(start: date | None, end: date | None, today: date) -> str | None:
    """``Partial: 1–7 Dec so far; …`` when the period ``start``–``end`` (end excluded) is not over on ``today``;
    None when it is. A period over more than one month names both months (``1 Jan–10 Mar``), over two years both
    years (``15 Dec 2026–10 Jan 2027``)."""
    if start is None or end is None or end <= today + timedelta(days=1) or start > today:
        return None
    return f"Partial: {_days_from(start, today)} so far; the period runs to {(end - timedelta(days=1)).isoformat()}."


def _days_from(first: date, last: date) -> str:
    """``7 Dec``, ``1–7 Dec``, ``1 Jan–10 Mar`` or ``15 Dec 2026–10 Jan 2027``."""
    if first.year != last.year:
        return f"{first.day} {first:%b %Y}–{last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b}–{last.day} {last:%b}"
    return Coverage(first, first, last).days


def axis_floor(rates: list[float | None], goal: float | None = None, step: float = 0.1) -> float:
    """A y-axis minimum for a chart of rates: a step below the lowest rate or goal, so 86% and 100% look apart."""
    values = [r for r in rates if r is not None] + ([goal] if goal is not None else [])
    if not values:
        return 0.0
    low = min(values)
    floored = int(low / step + 1e-9) * step  # the step at or below the lowest value
    return max(0.0, round(floored - step if low - floored < step / 2 - 1e-9 else floored, 6))

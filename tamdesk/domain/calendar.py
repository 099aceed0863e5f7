"""Business-time arithmetic: weekly hours, date-specific hours, national and custom holidays, time zones and DST.

Times go in timezone-aware and come out in UTC. A business calendar counts only the open hours of its business days,
computed per local day (so a DST day still has 9 business hours of wall time); ``TwentyFourSeven`` counts every hour.

A day's hours are one or more ``(opens, closes)`` intervals in local time, sorted and not overlapping, so a lunch
break is a gap between two intervals. A closing time of 00:00 means midnight at the end of the day (24:00), so
``(00:00, 00:00)`` is a 24-hour day; two 24-hour days in a row are continuous time. Date-specific hours (a half day
on 24 December, or a closed day) replace a date's weekly hours and its holiday.

Internally each UTC year is one sorted list of open intervals with running totals, built once and cached, so ``add``
and ``elapsed`` are a bisection and a subtraction.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import Protocol, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

BUSINESS_DAY = timedelta(hours=9)
"""The length of one business day (09:00–18:00), the unit of business-day SLA targets."""

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

END_OF_DAY = time(0)
"""As a closing time, midnight at the end of the day (written 24:00)."""

Interval: TypeAlias = tuple[time, time]
"""Local ``(opens, closes)``; a ``closes`` of :data:`END_OF_DAY` means 24:00."""

DayHours: TypeAlias = tuple[Interval, ...]
"""A day's open intervals, sorted and not overlapping; empty when the day is closed."""

CALENDAR_YEARS = range(2000, 2101)
"""The years whose holidays and date-specific hours can be edited."""

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_EMPTY_YEARS_LIMIT = 10  # consecutive years without business hours before `add` gives up


def _standard_hours() -> dict[int, DayHours]:
    return {weekday: ((time(9), time(18)),) for weekday in range(5)}


class Clock(Protocol):
    """What an SLA clock needs: business-time (or wall-time) arithmetic in one zone."""

    @property
    def zone(self) -> str:
        """IANA zone name in which the clock's hours are read and its times are shown."""
        ...

    @property
    def business_time(self) -> bool:
        """True when only business hours count."""
        ...

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC instant at which ``duration`` of clock time has run from ``start``."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Clock time between two instants; zero if ``end <= start``."""
        ...

    def describe(self) -> str:
        """One line for people, e.g. ``24×7, Europe/Berlin``."""
        ...


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC.

    Raises:
        ValueError: when ``moment`` is naive, since it would silently be read in the machine's zone.
    """
    if moment.tzinfo is not UTC:
        if moment.utcoffset() is None:
            raise ValueError(f"Time {moment.isoformat()} has no time zone; SLA times must be timezone-aware")
        moment = moment.astimezone(UTC)
    return moment


def _zone_info(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Asia"
        raise ValueError(f"'{zone}' is not a known time zone (expected an IANA name such as Europe/Berlin)") from None


@dataclass(frozen=True, slots=True)
class TwentyFourSeven:
    """A clock that never stops: every hour of every day counts."""

    zone: str = "UTC"

    def __post_init__(self) -> None:
        _zone_info(self.zone)

    @property
    def business_time(self) -> bool:
        """Always False: every hour counts."""
        return False

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """``start + duration``, in UTC."""
        if duration < _ZERO:
            raise ValueError(f"Cannot add a negative duration ({duration})")
        return to_utc(start) + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Wall time from ``start`` to ``end``; zero if ``end <= start``."""
        span = to_utc(end) - to_utc(start)
        return span if span > _ZERO else _ZERO

    def describe(self) -> str:
        """E.g. ``24×7, Europe/Berlin``."""
        return f"24×7, {self.zone}"


@dataclass(frozen=True, slots=True)
class _Year:
    """The open intervals of one UTC year, with business time before and through each one."""

    starts: list[datetime]
    ends: list[datetime]
    before: list[timedelta]
    through: list[timedelta]
    total: timedelta

    def position(self, moment: datetime) -> timedelta:
        """Business time from the start of the year to ``moment`` (UTC, inside the year)."""
        i = bisect_right(self.starts, moment) - 1
        if i < 0:
            return _ZERO
        end = self.ends[i]
        return self.before[i] + ((moment if moment < end else end) - self.starts[i])

    def span(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end`` (UTC, ``start <= end``, both inside the year)."""
        starts = self.starts
        i = bisect_right(starts, end) - 1
        if i < 0:
            return _ZERO
        close = self.ends[i]
        total = self.before[i] + ((end if end < close else close) - starts[i])
        i = bisect_right(starts, start, 0, i + 1) - 1
        if i < 0:
            return total
        close = self.ends[i]
        return total - self.before[i] - ((start if start < close else close) - starts[i])

    def instant(self, position: timedelta) -> datetime:
        """The earliest instant at which ``position`` (``0 < position <= total``) is reached."""
        j = bisect_left(self.through, position)
        return self.starts[j] + (position - self.before[j])


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Weekly business hours in a time zone, minus the holidays of a country and custom ones.

    Attributes:
        zone: IANA time zone name, e.g. ``Europe/Berlin``.
        weekly_hours: weekday (0 = Monday) -> the day's open intervals in local time; days not listed are closed.
            A single ``(opens, closes)`` pair is accepted for a one-interval day and stored as a one-item tuple.
        country: ISO 3166 country code for national holidays (``DE``), optionally with a subdivision (``DE-BY``).
        extra_holidays: further closed days (company shutdowns, local holidays).
        removed_holidays: national holidays on which the customer works anyway.
        date_hours: local date -> that day's intervals (empty: closed), replacing its weekly hours and holiday.
    """

    zone: str = "UTC"
    weekly_hours: Mapping[int, DayHours] = field(default_factory=_standard_hours)
    country: str | None = None
    extra_holidays: frozenset[date] = frozenset()
    removed_holidays: frozenset[date] = frozenset()
    date_hours: Mapping[date, DayHours] = field(default_factory=dict)
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)
    _years: dict[int, _Year] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        hours = check_weekly_hours(self.weekly_hours)
        dated = MappingProxyType(
            {day: day_hours(value, day_label(day)) for day, value in sorted(self.date_hours.items())}
        )
        country = self.country.strip().upper() if self.country else None
        if country:
            _check_country(country)
        object.__setattr__(self, "weekly_hours", hours)
        object.__setattr__(self, "date_hours", dated)
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "extra_holidays", frozenset(self.extra_holidays))
        object.__setattr__(self, "removed_holidays", frozenset(self.removed_holidays))
        object.__setattr__(self, "_tz", _zone_info(self.zone))
        key = (
            self.zone, tuple(hours.items()), country, self.extra_holidays, self.removed_holidays, tuple(dated.items())
        )  # fmt: skip
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash

    @property
    def business_time(self) -> bool:
        """Always True: only business hours count."""
        return True

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` has business hours: date-specific hours, or a working weekday that is not a holiday."""
        return bool(self.hours_on(day))

    def hours_on(self, day: date) -> DayHours:
        """The local open intervals of ``day``: its date-specific hours, else its weekday's unless a holiday."""
        dated = self.date_hours.get(day)
        if dated is not None:
            return dated
        hours = self.weekly_hours.get(day.weekday(), ())
        return hours if hours and self.holiday_name(day) is None else ()

    def next_business_day(self, day: date) -> date:
        """``day`` itself if it has business hours, else the first later day that has.

        Raises:
            ValueError: when no day within ten years has business hours (every weekday closed by date).
        """
        for shift in range(366 * _EMPTY_YEARS_LIMIT):
            candidate = day + timedelta(days=shift)
            if self.is_business_day(candidate):
                return candidate
        raise ValueError(f"Calendar {self.describe()} has no business day within {_EMPTY_YEARS_LIMIT} years")

    def holiday_name(self, day: date) -> str | None:
        """The name of the holiday on ``day`` in this calendar, or None."""
        if day in self.extra_holidays:
            return "Custom holiday"
        if self.country is None or day in self.removed_holidays:
            return None
        return _national_holidays(self.country, day.year).get(day)

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Holidays from ``first`` to ``last`` (inclusive) that fall on a weekday with business hours."""
        found = []
        day = first
        while day <= last:
            name = self.holiday_name(day) if day.weekday() in self.weekly_hours else None
            if name is not None:
                found.append((day, name))
            day += timedelta(days=1)
        return found

    def open_interval(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC instants at which local ``day`` first opens and last closes, or None when it is closed."""
        intervals = self.open_intervals(day)
        return (intervals[0][0], intervals[-1][1]) if intervals else None

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The UTC instants at which local ``day`` opens and closes, one pair per interval; empty when closed.

        Around a DST change a local time in the skipped hour is read with the offset before the change, so two
        intervals can overlap in UTC: a later one then starts where the earlier one ends, and one that the change
        makes empty is left out.
        """
        found: list[tuple[datetime, datetime]] = []
        for opens, closes in self.hours_on(day):
            start = datetime.combine(day, opens, self._tz).astimezone(UTC)
            last = day + _DAY if closes == END_OF_DAY and day < date.max else day
            end = datetime.combine(last, closes, self._tz).astimezone(UTC)
            if found and start < found[-1][1]:
                start = found[-1][1]
            if start < end:
                found.append((start, end))
        return found

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest UTC instant at which ``duration`` of business time has run from ``start``.

        A zero duration returns ``start`` itself; a deadline that lands on a closing time is that closing time.
        """
        if duration < _ZERO:
            raise ValueError(f"Cannot add a negative duration ({duration})")
        if start.tzinfo is not UTC:
            start = to_utc(start)
        if not duration:
            return start
        year = start.year
        chunk = self._years.get(year) or self._year(year)
        target = chunk.position(start) + duration
        empty = 0
        while target > chunk.total:
            empty = empty + 1 if not chunk.total else 0
            if empty >= _EMPTY_YEARS_LIMIT:
                raise ValueError(f"Calendar {self.describe()} has no business hours for {_EMPTY_YEARS_LIMIT} years")
            target -= chunk.total
            year += 1
            chunk = self._year(year)
        return chunk.instant(target)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end``; zero if ``end <= start``."""
        if start.tzinfo is not UTC:
            start = to_utc(start)
        if end.tzinfo is not UTC:
            end = to_utc(end)
        if end <= start:
            return _ZERO
        first, last = start.year, end.year
        if first == last:
            return (self._years.get(first) or self._year(first)).span(start, end)
        head = self._year(first)
        total = head.total - head.position(start)
        for year in range(first + 1, last):
            total += self._year(year).total
        return total + self._year(last).position(end)

    def describe(self) -> str:
        """E.g. ``hours 09:00–18:00 Mon–Fri, Europe/Berlin, DE holidays``."""
        parts = [f"hours {describe_hours(self.weekly_hours)}", self.zone]
        if self.country:
            parts.append(f"{self.country} holidays")
        changes = []
        if self.extra_holidays:
            changes.append(f"{len(self.extra_holidays)} custom")
        if self.removed_holidays:
            changes.append(f"{len(self.removed_holidays)} removed")
        if changes:
            parts.append(f"holidays: {', '.join(changes)}")
        if self.date_hours:
            count = len(self.date_hours)
            parts.append(f"{count} date-specific day{'s' if count > 1 else ''}")
        return ", ".join(parts)

    def _year(self, year: int) -> _Year:
        chunk = self._years.get(year)
        if chunk is None:
            chunk = self._years[year] = _build_year(self, year)
        return chunk


def check_weekly_hours(hours: Mapping[int, object]) -> Mapping[int, DayHours]:
    """Weekly hours checked and in canonical form: weekdays in order, each day's intervals sorted, closed weekdays
    left out. A weekday's value is an ``(opens, closes)`` pair or a list of them.

    Raises:
        ValueError: a weekday outside 0–6, no business hours at all, or a day's intervals as :func:`day_hours`.
    """
    found = {}
    for weekday, value in sorted(hours.items()):
        if weekday not in range(7):
            raise ValueError(f"Weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
        intervals = day_hours(value, WEEKDAY_NAMES[weekday])
        if intervals:
            found[weekday] = intervals
    if not found:
        raise ValueError("A business calendar needs business hours on at least one weekday")
    return MappingProxyType(found)


def day_hours(value: object, label: str) -> DayHours:
    """One day's hours, checked, as sorted intervals; ``value`` is a ``(opens, closes)`` pair or intervals.

    Args:
        value: a pair of times, or an iterable of pairs (empty: closed).
        label: the day as messages name it, e.g. ``Mon`` or ``Thu 24 Dec 2026``.

    Raises:
        ValueError: an interval that is empty, ends before it starts, or overlaps another, naming the values.
    """
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, time) for v in value):
        pairs: list[Interval] = [value]
    elif isinstance(value, Iterable):
        pairs = [_pair(item, label) for item in value]
    else:
        raise ValueError(f"{label}: {value!r} is not a list of (opens, closes) times")
    for opens, closes in pairs:
        if closes == END_OF_DAY:
            continue
        if opens == closes:
            raise ValueError(f"{label} {format_interval((opens, closes))} is empty")
        if opens > closes:
            raise ValueError(f"{label} opens at {opens:%H:%M} but closes at {closes:%H:%M}")
    pairs.sort(key=lambda pair: pair[0])
    for earlier, later in pairwise(pairs):
        if earlier[1] == END_OF_DAY or later[0] < earlier[1]:
            raise ValueError(f"{label} {format_interval(earlier)} overlaps {format_interval(later)}")
    return tuple((opens.replace(tzinfo=None), closes.replace(tzinfo=None)) for opens, closes in pairs)


def _pair(item: object, label: str) -> Interval:
    if isinstance(item, tuple | list) and len(item) == 2 and all(isinstance(v, time) for v in item):
        return (item[0], item[1])
    raise ValueError(f"{label}: {item!r} is not an (opens, closes) pair of times")


def day_label(day: date) -> str:
    """A date as calendar messages name it, e.g. ``Thu 24 Dec 2026`` (English whatever the system locale)."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _check_country(country: str) -> None:
    code, _, subdivision = country.partition("-")
    try:
        holidays.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError:
        raise ValueError(f"There is no holiday calendar for country '{country}'") from None


@lru_cache(maxsize=512)
def _national_holidays(country: str, year: int) -> Mapping[date, str]:
    """The national (or subdivision) holidays of one year, with English names; cached."""
    code, _, subdivision = country.partition("-")
    with warnings.catch_warnings():
        # Some countries' lunar holidays are tabulated for a range of years only; the package warns outside it
        # and we count the holidays it does know.
        warnings.simplefilter("ignore", UserWarning)
        found = holidays.country_holidays(code, subdiv=subdivision or None, years=year, language="en_US")
    return MappingProxyType(dict(found))


def _local_days(year: int) -> Iterator[date]:
    """Local days whose hours may fall in UTC ``year`` (zones are at most a day away from UTC)."""
    first = date(year, 1, 1) - timedelta(days=2) if year > 1 else date.min
    last = date(year, 12, 31) + timedelta(days=2) if year < 9999 else date.max
    day = first
    while day <= last:
        yield day
        if day == date.max:
            return
        day += timedelta(days=1)


@lru_cache(maxsize=1024)
def _build_year(calendar: BusinessCalendar, year: int) -> _Year:
    """The open intervals of UTC ``year``, clipped to it; shared by equal calendars."""
    year_start = datetime(year, 1, 1, tzinfo=UTC)
    year_end = datetime(year + 1, 1, 1, tzinfo=UTC) if year < 9999 else datetime.max.replace(tzinfo=UTC)
    starts: list[datetime] = []
    ends: list[datetime] = []
    before: list[timedelta] = []
    through: list[timedelta] = []
    total = _ZERO
    for day in _local_days(year):
        for interval in calendar.open_intervals(day):
            # Clipped to the end of the previous interval too: around a DST change two local intervals can
            # overlap in UTC, and the index needs disjoint, sorted intervals.
            start = max(interval[0], year_start, ends[-1] if ends else year_start)
            end = min(interval[1], year_end)
            if start >= end:
                continue
            if ends and start == ends[-1]:  # 24:00 then 00:00, or touching intervals: one continuous interval
                total += end - start
                ends[-1], through[-1] = end, total
                continue
            starts.append(start)
            ends.append(end)
            before.append(total)
            total += end - start
            through.append(total)
    return _Year(starts, ends, before, through, total)


def describe_hours(weekly: Mapping[int, object]) -> str:
    """Weekly hours in one phrase, e.g. ``09:00–18:00 Mon–Fri``, ``08:00–17:00 Sun–Thu``, or with a lunch break
    ``09:00–12:30 and 13:30–18:00 Mon–Fri``."""
    hours = {day: day_hours(value, WEEKDAY_NAMES[day]) for day, value in weekly.items()}
    runs: list[list[int]] = []
    for weekday in _week_from_a_run_start(hours):
        if runs and hours[runs[-1][-1]] == hours[weekday] and (runs[-1][-1] + 1) % 7 == weekday:
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    phrases = []
    for run in runs:
        days = WEEKDAY_NAMES[run[0]] if len(run) == 1 else f"{WEEKDAY_NAMES[run[0]]}–{WEEKDAY_NAMES[run[-1]]}"
        phrases.append(f"{' and '.join(format_interval(i) for i in hours[run[0]])} {days}")
    return ", ".join(phrases)


def _week_from_a_run_start(hours: Mapping[int, DayHours]) -> list[int]:
    """Working weekdays from Monday, or from the start of a run that wraps past Sunday (a Sun–Thu week)."""
    days = sorted(hours)
    starts = [i for i, day in enumerate(days) if hours.get((day - 1) % 7) != hours[day]]
    if not starts:  # the same hours every day of the week
        return days
    first = 0 if starts[0] == 0 else starts[-1]
    return days[first:] + days[:first]


def format_time(moment: time, closing: bool = False) -> str:
    """``HH:MM``; a closing time of midnight is ``24:00``."""
    return "24:00" if closing and moment == END_OF_DAY else f"{moment:%H:%M}"


def format_interval(interval: Interval) -> str:
    """E.g. ``09:00–12:30`` or ``00:00–24:00``."""
    return f"{format_time(interval[0])}–{format_time(interval[1], closing=True)}"


def format_day_hours(hours: DayHours) -> str:
    """A day's intervals as people type them: ``09:00–12:30, 13:30–18:00``; ``closed`` when there are none."""
    return ", ".join(format_interval(i) for i in hours) if hours else "closed"


_RANGE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:-|–|—|to)\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")


def parse_day_hours(text: str, label: str) -> DayHours:
    """Intervals typed as ``09:00–12:30, 13:30–18:00`` (also ``9-12:30; 13:30 to 18``), ``24:00`` for the end of
    the day; ``closed`` or nothing for a closed day. Checked as :func:`day_hours` checks them.

    Raises:
        ValueError: text that is not a time range, naming it.
    """
    text = text.strip()
    if not text or text.casefold() == "closed":
        return ()
    pairs = []
    for part in re.split(r"[,;]", text):
        match = _RANGE.match(part)
        if match is None:
            raise ValueError(f"{label}: '{part.strip()}' is not a time range like 09:00–12:30")
        opens = _time(match.group(1), match.group(2), part, label, closing=False)
        closes = _time(match.group(3), match.group(4), part, label, closing=True)
        pairs.append((opens, closes))
    return day_hours(pairs, label)


def _time(hour: str, minute: str | None, part: str, label: str, *, closing: bool) -> time:
    h, m = int(hour), int(minute or 0)
    if closing and (h, m) == (24, 0):
        return END_OF_DAY
    if h > 23 or m > 59:
        raise ValueError(f"{label}: '{part.strip()}' has a time that is not on a 24-hour clock (00:00–24:00)")
    return time(h, m)

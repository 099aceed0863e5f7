"""Times as support systems write them in their exports, and which way round a file writes its dates.

Formats read (each with or without seconds, a 12-hour ``AM``/``PM`` or a 24-hour clock, or no time at all):

- ISO 8601: ``2026-12-07 09:15``, ``2026-12-07T08:15:00Z`` (an offset is exact).
- Numeric day and month, separated by ``/``, ``-`` or ``.``: US ``12/7/2026 9:15 AM`` (Salesforce in a US locale),
  European ``7/12/2026 09:15`` and ``7.12.2026 09:15``; a two-digit year is 20yy.
- A month name: ``07/Dec/26 9:15 AM`` (Jira's ``dd/MMM/yy h:mm a``), ``7 Dec 2026 09:15``.

Numeric dates need an order. ``detect_date_order`` reads it from the file: a first number above 12 can only be a
day (DMY), a second above 12 only a day (MDY). When every number is 12 or below the file is ambiguous and the
caller must ask (``--date-order``); the order is never guessed. Dates written with dots are DMY: no locale
writes month.day.year.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tamdesk.domain.timestamps import localize

MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}  # fmt: skip
_CLOCK = r"(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp])?\.?(?:[Mm]\.?)?)?"
_NUMERIC = re.compile(r"\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + _CLOCK + r"\s*")
_NAMED = re.compile(r"\s*(\d{1,2})[/ -]([A-Za-z]{3})[A-Za-z]*\.?[/ -](\d{4}|\d{2})" + _CLOCK + r"\s*")
_ISO = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


class DateOrder(StrEnum):
    """How a file writes numeric dates: day first (Europe) or month first (US)."""

    DMY = "DMY"
    MDY = "MDY"

    @classmethod
    def parse(cls, text: str) -> DateOrder:
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise ValueError(f"'{text}' is not a date order; write DMY (day first) or MDY (month first)") from None


class AmbiguousDateOrder(ValueError):
    """Every numeric date of a file reads both ways; ``columns`` names the columns that hold them."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.columns = tuple(columns)
        named = " and ".join(repr(c) for c in self.columns)
        super().__init__(
            f"the dates in {named} read both as day/month and month/day (no day is above 12); "
            "say which with --date-order DMY or --date-order MDY"
        )


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _clock(hour: str | None, minute: str | None, second: str | None, half: str | None) -> time:
    if hour is None:
        return time()
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if half:
        if not 1 <= h <= 12:
            raise ValueError
        h = h % 12 + (12 if half in "Pp" else 0)
    return time(h, m, s)


def numeric_parts(text: object) -> tuple[int, int, str] | None:
    """The two leading numbers and separator of a numeric date (``7.12.2026`` → ``(7, 12, ".")``), else None."""
    if not isinstance(text, str):
        return None
    match = _NUMERIC.fullmatch(text)
    return (int(match[1]), int(match[3]), match[2]) if match else None


def detect_date_order(values: Iterable[object]) -> DateOrder | None:
    """The order numeric dates in ``values`` are written in, or None when there are none or every one reads both ways.

    Raises:
        ValueError: some dates can only be day-first and others only month-first.
    """
    day_first = month_first = False
    for value in values:
        parts = numeric_parts(value)
        if parts is None:
            continue
        first, second, separator = parts
        day_first = day_first or first > 12 or separator == "."
        month_first = month_first or second > 12
        if day_first and month_first:
            raise ValueError(f"'{value}' and other dates disagree on whether the day or the month comes first")
    if day_first:
        return DateOrder.DMY
    return DateOrder.MDY if month_first else None


def needs_order(values: Iterable[object]) -> bool:
    """Whether any of ``values`` is a numeric date whose order matters (not an ISO or month-name date)."""
    return any(numeric_parts(v) is not None for v in values)


def scan_date_order(values: Iterable[object]) -> tuple[DateOrder | None, bool]:
    """``detect_date_order(values)`` and ``needs_order(values)`` in one pass over ``values``.

    Raises:
        ValueError: as ``detect_date_order``.
    """
    day_first = month_first = numeric = False
    match = _NUMERIC.fullmatch
    for value in values:
        found = match(value) if isinstance(value, str) else None
        if found is None:
            continue
        numeric = True
        day_first = day_first or int(found[1]) > 12 or found[2] == "."
        month_first = month_first or int(found[3]) > 12
        if day_first and month_first:
            raise ValueError(f"'{value}' and other dates disagree on whether the day or the month comes first")
    order = DateOrder.DMY if day_first else DateOrder.MDY if month_first else None
    return order, numeric


_QUARTERS: dict[tuple[ZoneInfo, int, int, int, int, int], datetime | str] = {}
_MINUTES = tuple(timedelta(minutes=m) for m in range(15))


def _localized(naive: datetime, tz: ZoneInfo) -> datetime:
    """``localize``, remembered per quarter hour (every zone's clock changes fall on one): an export repeats the
    same days and hours thousands of times, and ZoneInfo arithmetic is most of the time of reading one. The quarter
    hour's start is kept in UTC, so a time in it is that start plus its minutes (one datetime made, not three)."""
    key = (tz, naive.year, naive.month, naive.day, naive.hour, naive.minute // 15)
    start = _QUARTERS.get(key)
    if start is None:
        offset = _offset(naive, tz)
        bucket = naive.replace(minute=naive.minute // 15 * 15, second=0, microsecond=0, fold=0)
        start = offset if isinstance(offset, str) else (bucket - offset).replace(tzinfo=UTC)
        if len(_QUARTERS) > 200_000:
            _QUARTERS.clear()
        _QUARTERS[key] = start
    if isinstance(start, str):
        return localize(naive, tz)  # raises, naming this very time
    if naive.second or naive.microsecond:
        return start + timedelta(minutes=naive.minute % 15, seconds=naive.second, microseconds=naive.microsecond)
    return start + _MINUTES[naive.minute % 15]


def _offset(naive: datetime, tz: ZoneInfo) -> timedelta | str:
    """The zone's offset in the quarter hour of ``naive``, or why its wall-clock times do not exist."""
    bucket = naive.replace(minute=naive.minute // 15 * 15, second=0, microsecond=0, fold=0)
    offset = bucket.replace(tzinfo=tz).utcoffset()
    if offset is not None and offset == bucket.replace(tzinfo=tz, fold=1).utcoffset():
        return offset  # neither skipped nor repeated: what ``localize`` computes, without its round trip
    try:
        return bucket - localize(bucket, tz).replace(tzinfo=None)
    except ValueError as exc:
        return str(exc)


def _whole_second(moment: datetime) -> datetime:
    """A spreadsheet's date-time to the nearest second (its serial numbers carry float noise: 09:14:59.9997)."""
    if not moment.microsecond:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=moment.microsecond >= 500_000)


def parse_export_time(value: object, tz: ZoneInfo, order: DateOrder | None = None) -> datetime:
    """A UTC datetime from a time as an export writes it; a time without an offset is read in ``tz``.

    Raises:
        ValueError: naming the value and the formats read.
    """
    if type(value) is str:  # the usual cell, first: what ``str(value).strip()`` below makes of it
        text = value.strip()
    elif isinstance(value, datetime):
        value = _whole_second(value)
        return value.astimezone(UTC) if value.tzinfo else _localized(value, tz)
    elif isinstance(value, date):
        return _localized(datetime.combine(value, time()), tz)
    else:
        text = str(value).strip()
    if not text:
        raise ValueError("the time is empty")
    try:
        if _ISO.match(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00") if "Z" in text
                                            or "z" in text else text)  # fmt: skip
            return moment.astimezone(UTC) if moment.tzinfo else _localized(moment, tz)
        if match := _NUMERIC.fullmatch(text):
            first, second = int(match[1]), int(match[3])
            if order is None:
                order = DateOrder.DMY if match[2] == "." or first > 12 else DateOrder.MDY if second > 12 else None
            if order is None:
                raise AmbiguousDateOrder(())
            day, month = (first, second) if order is DateOrder.DMY else (second, first)
            moment = datetime.combine(date(_year(match[4]), month, day), _clock(*match.group(5, 6, 7, 8)))
            return _localized(moment, tz)
        if (match := _NAMED.fullmatch(text)) and match[2].lower() in MONTHS:
            day_of = date(_year(match[3]), MONTHS[match[2].lower()], int(match[1]))
            return _localized(datetime.combine(day_of, _clock(*match.group(4, 5, 6, 7))), tz)
    except AmbiguousDateOrder:
        raise
    except ValueError as exc:
        if "does not exist in" in str(exc):
            raise
    raise ValueError(
        f"'{text}' is not a time such as 2026-12-07 09:15, 12/7/2026 9:15 AM, 7.12.2026 09:15 or 07/Dec/26 9:15 AM"
    )


def minutes(value: object) -> int | None:
    """Whole minutes from a number cell (``42``, ``42.0``, ``"1,250"``); None for an empty cell.

    Raises:
        ValueError: text that is not a number of minutes.
    """
    if type(value) is str and value.isdigit():
        return int(value)
    if type(value) is float and value >= 0 and value.is_integer():  # a spreadsheet's number cell
        return int(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number of minutes")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"'{value}' is not a number of minutes") from None
    if number < 0 or number != number:
        raise ValueError(f"'{value}' is not a number of minutes")
    return round(number)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|min|mins|minutes?|hours?|days?)\b", re.IGNORECASE)
_UNIT_MINUTES = {"w": 5 * 8 * 60, "d": 8 * 60, "h": 60, "m": 1}


def signed_duration(text: object) -> timedelta | None:
    """A duration as Jira Service Management shows an SLA (``2h 30m``, ``-45m``: negative once breached); None empty.

    Weeks and days count as Jira shows them, 5 and 8 working hours; only the sign decides a breach here.

    Raises:
        ValueError: text that is not such a duration.
    """
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None
    negative = raw.startswith("-")
    parts = _DURATION_PART.findall(raw.lstrip("-+ "))
    if not parts or _DURATION_PART.sub("", raw.lstrip("-+ ")).strip():
        raise ValueError(f"'{raw}' is not an SLA time such as 2h 30m or -45m")
    total = sum(float(n) * _UNIT_MINUTES[unit[0].lower()] for n, unit in parts)
    return timedelta(minutes=-total if negative else total)

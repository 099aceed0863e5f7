"""Times a person types: the common written forms read into a whole-minute instant in a given zone.

Accepted (case and extra spaces do not matter; a time is ``17:05``, ``5:05 pm`` or ``5 pm``):

- ISO: ``2026-12-04 17:05``, ``2026-12-04T17:05``; an offset (``Z``, ``+01:00``) makes it exact in any zone.
- Day first: ``4 Dec 2026 17:05``, ``Fri 4 Dec 2026 17:05``, ``Friday, 4 December 2026, 5:05 pm``.
- Month first: ``Dec 4 2026 5:05 PM``, ``Fri Dec 4, 2026 17:05``.
- A time alone is today: ``17:05``; ``today 17:05``, ``yesterday 17:05`` and ``tomorrow 9:00`` are relative to it.
- Any form may end in an offset (``+01:00``, ``UTC-05:00``): the only way to name the second of a repeated hour.

Rules: times are whole minutes, so typed seconds are refused rather than silently dropped; a weekday that does not
match the date is refused, naming both; a wall time that does not exist (the hour skipped when clocks go forward)
is refused; one that happens twice (the hour repeated when clocks go back) is read as its first occurrence, and
``fold_note`` says so, with how to type the second.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tamdesk.domain.timestamps import localize

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
EXAMPLES = "4 Dec 2026 17:05, 2026-12-04 17:05 or 17:05 for today"
RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}

_TIME = (
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}(?:[.,]\d+)?))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s*m\.?)?"
    r"(?:\s*(?:utc|gmt)?\s*(?P<offset>z|[+-]\d{1,2}(?::?\d{2})?))?"
)
_WEEKDAY = r"(?:(?P<weekday>[a-z]+)\.?,?\s+)?"
_FORMS = (
    re.compile(rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:t|\s+){_TIME}"),
    re.compile(rf"{_WEEKDAY}(?P<day>\d{{1,2}})\s+(?P<monthname>[a-z]+)\.?,?\s+(?P<year>\d{{4}}),?\s+(?:at\s+)?{_TIME}"),
    re.compile(rf"{_WEEKDAY}(?P<monthname>[a-z]+)\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}),?\s+(?:at\s+)?{_TIME}"),
    re.compile(rf"(?:(?P<relative>today|yesterday|tomorrow)\s+(?:at\s+)?)?{_TIME}"),
)


class TypedTimeError(ValueError):
    """Typed text that is not a usable time; the message names the text and what is wrong with it."""


def whole_minute(moment: datetime) -> datetime:
    """``moment`` without its seconds: what a default of "now" must be, since people type whole minutes."""
    return moment.replace(second=0, microsecond=0)


def has_seconds(moment: datetime) -> bool:
    """Whether a stored time carries seconds (imported, or entered before times were whole minutes)."""
    return bool(moment.second or moment.microsecond)


def parse_typed_time(text: str, tz: ZoneInfo, today: date) -> datetime:
    """The instant ``text`` names, read in ``tz`` unless it carries an offset, in UTC (as the services take it).

    UTC, not ``tz``: Python never finds the second of a repeated hour equal to a time in another zone.

    Args:
        text: what the person typed.
        tz: the zone the person types in (their own or the customer's).
        today: the date in ``tz`` that a time alone, ``yesterday`` and ``tomorrow`` refer to.

    Raises:
        TypedTimeError: a message naming the text.
    """
    typed = " ".join(text.split())
    if not typed:
        raise TypedTimeError(f"Type a date and time, e.g. {EXAMPLES}.")
    match = next((m for form in _FORMS if (m := form.fullmatch(typed.lower()))), None)
    if match is None:
        raise TypedTimeError(f"'{typed}' is not a date and time: type e.g. {EXAMPLES}.")
    try:
        naive = _wall_time(match, today)
    except TypedTimeError as exc:
        raise TypedTimeError(f"'{typed}': {exc}") from None
    if match["offset"]:
        return naive.replace(tzinfo=_offset(match["offset"])).astimezone(UTC)
    try:
        return localize(naive, tz)
    except ValueError:
        raise TypedTimeError(
            f"'{typed}': {naive:%H:%M} on {_day_text(naive.date())} does not exist in {tz.key} "
            "(the clocks skip that hour for daylight saving)."
        ) from None


def _wall_time(match: re.Match[str], today: date) -> datetime:
    """The naive wall time a matched form names; TypedTimeError (without the text) when it names none."""
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["second"] is not None:
        raise TypedTimeError(f"times are whole minutes: type {hour:02d}:{minute:02d} without the seconds.")
    if match["minute"] is None and not match["ampm"]:
        raise TypedTimeError(f"type the time with its minutes, e.g. {hour:02d}:00.")
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise TypedTimeError(f"{hour} is not an hour of a 12-hour clock (1 to 12 am or pm).")
        hour = hour % 12 + (12 if match["ampm"] == "p" else 0)
    if hour > 23 or minute > 59:
        raise TypedTimeError(f"{hour:02d}:{minute:02d} is not a time of day.")
    day = _day(match, today)
    return datetime(day.year, day.month, day.day, hour, minute)


def _day(match: re.Match[str], today: date) -> date:
    """The date a matched form names (today's when it names none), with its weekday checked."""
    groups = match.groupdict()
    if "year" not in groups:
        return today + timedelta(days=RELATIVE_DAYS[groups["relative"] or "today"])
    month = int(groups["month"]) if groups.get("month") else _month(groups["monthname"])
    try:
        day = date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        raise TypedTimeError(f"{MONTH_NAMES[month - 1]} {groups['year']} has no day {int(groups['day'])}.") from None
    if groups.get("weekday"):
        weekday = _weekday(groups["weekday"])
        if weekday != day.weekday():
            named = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
            raise TypedTimeError(f"{named} is a {WEEKDAY_NAMES[day.weekday()]}, not a {WEEKDAY_NAMES[weekday]}.")
    return day


def _month(word: str) -> int:
    """1-12 for a month name or its abbreviation of at least three letters (``Dec``, ``Sept``, ``December``)."""
    for number, name in enumerate(MONTH_NAMES, start=1):
        if len(word) >= 3 and name.lower().startswith(word):
            return number
    raise TypedTimeError(f"'{word}' is not a month.")


def _weekday(word: str) -> int:
    """0-6 (Monday first) for a weekday name or its abbreviation of at least three letters."""
    for number, name in enumerate(WEEKDAY_NAMES):
        if len(word) >= 3 and name.lower().startswith(word):
            return number
    raise TypedTimeError(f"'{word}' is not a day of the week.")


def _offset(text: str) -> timezone:
    """``z``, ``+1``, ``+0100`` or ``-05:00`` as a fixed offset."""
    if text == "z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise TypedTimeError(f"'{text}' is not a UTC offset.")
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _day_text(day: date) -> str:
    """``Fri 4 Dec 2026``."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _offset_text(moment: datetime) -> str:
    """``+01:00``: the UTC offset of an aware datetime."""
    offset = moment.utcoffset() or timedelta(0)
    sign, minutes = ("-" if offset < timedelta(0) else "+"), abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _repeated(wall: datetime) -> bool:
    """Whether the wall time of an aware datetime happens twice in its zone (the hour when clocks go back)."""
    return wall.replace(fold=1 - wall.fold).utcoffset() != wall.utcoffset()


def format_typed_time(moment: datetime, tz: ZoneInfo) -> str:
    """``Fri 4 Dec 2026 17:05`` in ``tz``: text ``parse_typed_time`` reads back as the same instant.

    Seconds are shown only when the time has them (a stored time from before whole minutes); the second occurrence
    of a repeated hour carries its offset, since the wall time alone means the first.
    """
    wall = moment.astimezone(tz)
    text = f"{_day_text(wall.date())} {wall:%H:%M}"
    if has_seconds(wall):
        text += f":{wall:%S}"
    if wall.fold and _repeated(wall):
        text += f" {_offset_text(wall)}"
    return text


def fold_note(moment: datetime, tz: ZoneInfo) -> str:
    """What to tell a person whose time falls in a repeated hour ("" for any other time)."""
    wall = moment.astimezone(tz)
    if not _repeated(wall):
        return ""
    which, other = ("second", wall.replace(fold=0)) if wall.fold else ("first", wall.replace(fold=1))
    return (
        f"{wall:%H:%M} on {_day_text(wall.date())} happens twice in {tz.key} (the clocks go back): this is the "
        f"{which}, at UTC{_offset_text(wall)}. For the {'first' if wall.fold else 'second'}, type "
        f"{_day_text(wall.date())} {wall:%H:%M} {_offset_text(other)}."
    )

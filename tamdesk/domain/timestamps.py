"""Reading timestamps from imports and forms: ISO 8601, exact with an offset, else in a named zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Asia"
        raise ValueError(f"'{name}' is not an IANA time zone such as Europe/Berlin") from None


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time, refusing one that does not exist there (a DST gap).

    An ambiguous time (the repeated hour when clocks go back) is read as its first occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != naive.replace(fold=0):
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip that hour for daylight saving)"
        )
    return aware.astimezone(UTC)


def parse_timestamp(value: object, tz: ZoneInfo) -> datetime:
    """A UTC datetime from ISO 8601 text or a spreadsheet date-time; a naive value is read in ``tz``.

    Raises:
        ValueError: a message naming the value.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("the time is empty")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"'{text}' is not an ISO 8601 time such as 2026-03-06 17:30 or 2026-03-06T16:30Z"
            ) from None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return localize(moment, tz)

"""Time for the sample data: integer epoch seconds throughout; "local" values are epoch seconds of the local wall
clock. A simplified business clock (09:00–18:00 Mon–Fri in a zone, holidays ignored) and pure date helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tamdesk.domain.calendar import Clock

MINUTE = 60
HOUR = 3_600
DAY = 86_400
BUSINESS_DAY = 9 * HOUR
OPEN, CLOSE = 9 * HOUR, 18 * HOUR

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def epoch_day(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def date_of(seconds: int) -> date:
    return date.fromordinal(EPOCH_ORDINAL + seconds // DAY)


def is_weekday(day_number: int) -> bool:
    return (day_number + 3) % 7 < 5  # 1970-01-01 was a Thursday


def business_add(local: int, seconds: int) -> int:
    """The local time at which ``seconds`` of 09:00–18:00 Mon–Fri time have run from ``local``."""
    day, sec = divmod(local, DAY)
    while True:
        if is_weekday(day) and sec < CLOSE:
            sec = max(sec, OPEN)
            room = CLOSE - sec
            if seconds <= room:
                return day * DAY + sec + seconds
            seconds -= room
        day += 1
        sec = 0


class ZoneClock:
    """Wall-clock and business-hours arithmetic in one zone, on epoch seconds; UTC offsets cached per hour."""

    def __init__(self, zone: str) -> None:
        self._zone = ZoneInfo(zone)
        self._offsets: dict[int, int] = {}

    def offset(self, utc: int) -> int:
        hour = utc // HOUR
        found = self._offsets.get(hour)
        if found is None:
            delta = datetime.fromtimestamp(hour * HOUR, self._zone).utcoffset()
            found = self._offsets[hour] = int(delta.total_seconds()) if delta else 0
        return found

    def to_local(self, utc: int) -> int:
        return utc + self.offset(utc)

    def to_utc(self, local: int) -> int:
        return local - self.offset(local - self.offset(local))

    def at(self, day_number: int, second_of_day: int) -> int:
        """The UTC instant of a local day and time."""
        return self.to_utc(day_number * DAY + second_of_day)

    def add(self, utc: int, seconds: float, business: bool) -> int:
        if not business:
            return utc + int(seconds)
        return self.to_utc(business_add(self.to_local(utc), int(seconds)))


def days(n: int) -> timedelta:
    return timedelta(days=n)


def working_day(day: date, latest: date) -> date:
    """``day``, or the Monday after a weekend day (the Friday before when that Monday is after ``latest``)."""
    if day.weekday() < 5:
        return day
    monday = day + days(7 - day.weekday())
    return monday if monday <= latest else day - days(day.weekday() - 4)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + days((weekday - first.weekday()) % 7 + 7 * (n - 1))


def clock_back(clock: Clock, end: int, seconds: float) -> int | None:
    """The latest whole second from which ``seconds`` of clock time have run by ``end``; None beyond a year back.

    Found by bisection on ``clock.elapsed``, so it agrees with the SLA evaluation to the second; on a business clock
    the answer falls inside business hours (the latest such instant is never in a closed stretch).
    """
    until = datetime.fromtimestamp(end, UTC)

    def ran(start: int) -> float:
        return clock.elapsed(datetime.fromtimestamp(start, UTC), until).total_seconds()

    span = max(int(seconds), MINUTE)
    while ran(end - span) < seconds:
        span *= 2
        if span > 400 * DAY:
            return None
    early, late = end - span, end  # the answer is in [early, late): ran(early) >= seconds
    while late - early > 1:
        middle = (early + late) // 2
        if ran(middle) >= seconds:
            early = middle
        else:
            late = middle
    return early


def fit_times(start: int, gaps: Sequence[float], latest: int) -> list[int]:
    """``start`` then each gap after the previous, squeezed so the last time is not after ``latest``."""
    start = min(start, latest)
    total = sum(gaps)
    scale = min(1.0, (latest - start) / total) if total else 1.0
    times, at = [start], float(start)
    for gap in gaps:
        at += gap * scale
        times.append(int(at))
    return times

"""Business-time arithmetic: worked examples across weekends, holidays, DST and UTC year ends, plus invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.domain.calendar import BUSINESS_DAY, BusinessCalendar, TwentyFourSeven, describe_hours

BERLIN = BusinessCalendar("Europe/Berlin", country="DE")
NEW_YORK = BusinessCalendar("America/New_York", country="US")
AUCKLAND = BusinessCalendar("Pacific/Auckland", country="NZ")
LOS_ANGELES = BusinessCalendar("America/Los_Angeles", country="US")
HOUR = timedelta(hours=1)


def local(calendar: BusinessCalendar | str, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A wall-clock time in the calendar's zone."""
    zone = calendar if isinstance(calendar, str) else calendar.zone
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone))


ADD_CASES = [
    # (calendar, start, duration, expected, why)
    (BERLIN, local(BERLIN, 2026, 3, 6, 17, 30), 2 * HOUR, local(BERLIN, 2026, 3, 9, 10, 30), "Fri 17:30 + 2 h"),
    (BERLIN, local(BERLIN, 2026, 3, 6, 16), 2 * HOUR, local(BERLIN, 2026, 3, 6, 18), "lands on closing time"),
    (BERLIN, local(BERLIN, 2026, 3, 7, 11), HOUR, local(BERLIN, 2026, 3, 9, 10), "opened on a Saturday"),
    (BERLIN, local(BERLIN, 2026, 3, 9, 7), HOUR, local(BERLIN, 2026, 3, 9, 10), "opened before opening time"),
    (BERLIN, local(BERLIN, 2026, 3, 9, 19), HOUR, local(BERLIN, 2026, 3, 10, 10), "opened after closing time"),
    (BERLIN, local(BERLIN, 2026, 4, 2, 15), BUSINESS_DAY, local(BERLIN, 2026, 4, 7, 15), "Good Friday, Easter Monday"),
    (BERLIN, local(BERLIN, 2026, 3, 27, 14), BUSINESS_DAY, local(BERLIN, 2026, 3, 30, 14), "EU DST starts 29 Mar"),
    (BERLIN, local(BERLIN, 2026, 10, 23, 14), BUSINESS_DAY, local(BERLIN, 2026, 10, 26, 14), "EU DST ends 25 Oct"),
    (BERLIN, local(BERLIN, 2025, 12, 31, 16), BUSINESS_DAY, local(BERLIN, 2026, 1, 2, 16), "New Year's Day"),
    (NEW_YORK, local(NEW_YORK, 2026, 3, 6, 14), BUSINESS_DAY, local(NEW_YORK, 2026, 3, 9, 14), "US DST starts 8 Mar"),
    (NEW_YORK, local(NEW_YORK, 2026, 10, 30, 14), BUSINESS_DAY, local(NEW_YORK, 2026, 11, 2, 14), "US DST ends 1 Nov"),
    (NEW_YORK, local(NEW_YORK, 2026, 11, 25, 10), 2 * BUSINESS_DAY, local(NEW_YORK, 2026, 11, 30, 10), "Thanksgiving"),
    (AUCKLAND, local(AUCKLAND, 2025, 12, 31, 17), 2 * HOUR, local(AUCKLAND, 2026, 1, 5, 10), "NZ new year, UTC year"),
    (LOS_ANGELES, local(LOS_ANGELES, 2026, 12, 31, 17), 2 * HOUR, local(LOS_ANGELES, 2027, 1, 4, 10), "day spans UTC"),
    (BERLIN, local(BERLIN, 2026, 3, 6, 17, 30), timedelta(0), local(BERLIN, 2026, 3, 6, 17, 30), "zero duration"),
    (BERLIN, local(BERLIN, 2025, 12, 1, 9), 260 * BUSINESS_DAY, local(BERLIN, 2026, 12, 9, 18), "a year of work"),
]


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"), [c[:4] for c in ADD_CASES], ids=[c[4] for c in ADD_CASES]
)
def test_add_and_elapsed_worked_examples(
    calendar: BusinessCalendar, start: datetime, duration: timedelta, expected: datetime
) -> None:
    due = calendar.add(start, duration)
    assert due == expected
    assert due.tzinfo is UTC
    assert calendar.elapsed(start, due) == duration


@pytest.mark.parametrize("calendar", [BERLIN, NEW_YORK, AUCKLAND])
def test_a_year_counts_the_days_the_holidays_package_leaves(calendar: BusinessCalendar) -> None:
    assert calendar.country is not None
    closed = holidays.country_holidays(calendar.country, years=2026)
    days = sum(1 for n in range(365) if (d := date(2026, 1, 1) + timedelta(n)).weekday() < 5 and d not in closed)
    year = calendar.elapsed(local(calendar, 2026, 1, 1), local(calendar, 2027, 1, 1))
    assert year == days * BUSINESS_DAY


def test_a_dst_day_still_has_nine_business_hours() -> None:
    sunday_before, monday = local(NEW_YORK, 2026, 3, 8), local(NEW_YORK, 2026, 3, 9)
    assert NEW_YORK.elapsed(sunday_before, monday + timedelta(days=1)) == BUSINESS_DAY
    open_, close = NEW_YORK.open_interval(date(2026, 3, 9)) or (None, None)
    assert (open_, close) == (datetime(2026, 3, 9, 13, tzinfo=UTC), datetime(2026, 3, 9, 22, tzinfo=UTC))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (local(BERLIN, 2026, 3, 6, 17), local(BERLIN, 2026, 3, 9, 10), 2 * HOUR),
        (local(BERLIN, 2026, 3, 9, 10), local(BERLIN, 2026, 3, 6, 17), timedelta(0)),
        (local(BERLIN, 2026, 3, 7, 10), local(BERLIN, 2026, 3, 8, 10), timedelta(0)),
        (local(BERLIN, 2026, 4, 2, 9), local(BERLIN, 2026, 4, 8, 9), 2 * BUSINESS_DAY),
    ],
)
def test_elapsed_counts_only_business_hours(start: datetime, end: datetime, expected: timedelta) -> None:
    assert BERLIN.elapsed(start, end) == expected


def test_business_days_follow_the_country_and_custom_holidays() -> None:
    good_friday, easter_monday, tuesday = date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 7)
    assert not BERLIN.is_business_day(good_friday)
    assert not BERLIN.is_business_day(date(2026, 4, 4))  # Saturday
    assert BERLIN.is_business_day(tuesday)
    assert BERLIN.holidays_between(date(2026, 4, 1), tuesday) == [
        (good_friday, "Good Friday"),
        (easter_monday, "Easter Monday"),
    ]
    edited = BusinessCalendar(
        "Europe/Berlin", country="DE", extra_holidays=frozenset({tuesday}), removed_holidays=frozenset({good_friday})
    )
    assert edited.is_business_day(good_friday)
    assert not edited.is_business_day(tuesday)
    assert edited.holiday_name(tuesday) == "Custom holiday"
    assert edited.add(local(BERLIN, 2026, 4, 2, 15), BUSINESS_DAY) == local(BERLIN, 2026, 4, 3, 15)


def test_a_subdivision_adds_its_own_holidays() -> None:
    epiphany = date(2026, 1, 6)
    assert BERLIN.is_business_day(epiphany)
    assert not BusinessCalendar("Europe/Berlin", country="de-by").is_business_day(epiphany)


def test_without_a_country_only_weekends_and_custom_days_close() -> None:
    plain = BusinessCalendar("Europe/Berlin")
    assert plain.is_business_day(date(2026, 4, 3))
    assert plain.add(local(BERLIN, 2026, 4, 2, 15), BUSINESS_DAY) == local(BERLIN, 2026, 4, 3, 15)


def test_custom_weekly_hours() -> None:
    gulf = BusinessCalendar("Asia/Dubai", weekly_hours={d: (time(8), time(17)) for d in (6, 0, 1, 2, 3)})
    friday = local(gulf, 2026, 3, 5, 16)  # Thursday 16:00 + 2 h runs into Sunday
    assert gulf.add(friday, 2 * HOUR) == local(gulf, 2026, 3, 8, 9)
    half_days = BusinessCalendar(weekly_hours={0: (time(9), time(13)), 1: (time(9), time(13))})
    assert half_days.add(datetime(2026, 3, 9, 12, tzinfo=UTC), 2 * HOUR) == datetime(2026, 3, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("calendar", "text"),
    [
        (BERLIN, "hours 09:00–18:00 Mon–Fri, Europe/Berlin, DE holidays"),
        (BusinessCalendar("UTC"), "hours 09:00–18:00 Mon–Fri, UTC"),
        (
            BusinessCalendar(
                "Asia/Dubai",
                weekly_hours={6: (time(8), time(17)), 0: (time(8), time(17)), 3: (time(8), time(12))},
                country="AE",
                extra_holidays=frozenset({date(2026, 3, 1)}),
                removed_holidays=frozenset({date(2026, 12, 2)}),
            ),
            "hours 08:00–17:00 Sun–Mon, 08:00–12:00 Thu, Asia/Dubai, AE holidays, holidays: 1 custom, 1 removed",
        ),
    ],
)
def test_describe(calendar: BusinessCalendar, text: str) -> None:
    assert calendar.describe() == text


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (range(7), "09:00–18:00 Mon–Sun"),
        ((6, 0, 1, 2, 3), "09:00–18:00 Sun–Thu"),
        ((0, 1, 3, 4), "09:00–18:00 Mon–Tue, 09:00–18:00 Thu–Fri"),
        ((5,), "09:00–18:00 Sat"),
    ],
)
def test_describe_hours(days: tuple[int, ...], text: str) -> None:
    assert describe_hours({d: (time(9), time(18)) for d in days}) == text


def test_describe_hours_keeps_monday_first_when_no_run_wraps() -> None:
    hours = {d: (time(9), time(18)) for d in range(5)} | {5: (time(9), time(12))}
    assert describe_hours(hours) == "09:00–18:00 Mon–Fri, 09:00–12:00 Sat"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"zone": "Europe/Berlni"}, "not a known time zone"),
        ({"zone": "Europe"}, "not a known time zone"),  # a folder of the zone database
        ({"country": "XX"}, "no holiday calendar for country 'XX'"),
        ({"weekly_hours": {}}, "at least one weekday"),
        ({"weekly_hours": {0: (time(18), time(9))}}, "Mon opens at 18:00 but closes at 09:00"),
        ({"weekly_hours": {7: (time(9), time(18))}}, "Weekday 7"),
    ],
)
def test_bad_calendars_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("clock", [BERLIN, TwentyFourSeven("Europe/Berlin")])
def test_naive_times_and_negative_durations_are_refused(clock: BusinessCalendar | TwentyFourSeven) -> None:
    aware = datetime(2026, 3, 9, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="no time zone"):
        clock.add(datetime(2026, 3, 9, 10), HOUR)
    with pytest.raises(ValueError, match="no time zone"):
        clock.elapsed(aware, datetime(2026, 3, 9, 12))
    with pytest.raises(ValueError, match="negative"):
        clock.add(aware, -HOUR)


def test_equal_calendars_are_interchangeable() -> None:
    again = BusinessCalendar("Europe/Berlin", {d: (time(9), time(18)) for d in range(4, -1, -1)}, "de")
    assert again == BERLIN
    assert hash(again) == hash(BERLIN)
    assert {BERLIN: 1}[again] == 1
    assert BusinessCalendar("Europe/Berlin", country="AT") != BERLIN


def test_twenty_four_seven_counts_every_hour() -> None:
    clock = TwentyFourSeven("Europe/Berlin")
    saturday = local(BERLIN, 2026, 3, 7, 10)
    assert clock.add(saturday, HOUR) == datetime(2026, 3, 7, 10, tzinfo=UTC)
    assert clock.elapsed(saturday, saturday + timedelta(days=2)) == timedelta(days=2)
    assert clock.elapsed(saturday, saturday - HOUR) == timedelta(0)
    assert clock.describe() == "24×7, Europe/Berlin"
    assert not clock.business_time and BERLIN.business_time


# -- invariants -------------------------------------------------------------------------------------------------

CALENDARS = [
    BERLIN,
    NEW_YORK,
    AUCKLAND,
    BusinessCalendar("Asia/Kolkata", country="IN"),
    BusinessCalendar("Asia/Kathmandu", weekly_hours={d: (time(8, 30), time(17, 15)) for d in (6, 0, 1, 2, 3)}),
    BusinessCalendar("America/St_Johns", weekly_hours={0: (time(1, 30), time(2, 45)), 2: (time(23), time(23, 59))}),
]
ZONES = [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata")]
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.sampled_from(ZONES)
)
durations = st.integers(min_value=0, max_value=60 * 9 * 300).map(lambda minutes: timedelta(minutes=minutes))
calendars = st.sampled_from(CALENDARS)
invariant = settings(max_examples=300, deadline=None)


@invariant
@given(calendars, moments, durations)
def test_elapsed_inverts_add(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> None:
    due = calendar.add(start, duration)
    assert due >= start
    assert calendar.elapsed(start, due) == duration


@invariant
@given(calendars, moments, durations, durations)
def test_add_is_monotone_in_the_duration(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    shorter, longer = sorted((first, second))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@invariant
@given(calendars, st.lists(moments, min_size=3, max_size=3))
def test_elapsed_is_additive_and_never_exceeds_wall_time(calendar: BusinessCalendar, times: list[datetime]) -> None:
    a, b, c = sorted(times)
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)
    assert calendar.elapsed(a, c) <= c - a


@invariant
@given(calendars, moments, durations.filter(bool))
def test_a_deadline_falls_in_business_hours(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> None:
    due = calendar.add(start, duration)
    day = due.astimezone(ZoneInfo(calendar.zone)).date()
    opening_days = [calendar.open_interval(day + timedelta(days=shift)) for shift in (-1, 0, 1)]
    assert any(interval and interval[0] < due <= interval[1] for interval in opening_days)

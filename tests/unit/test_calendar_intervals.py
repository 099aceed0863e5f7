"""Richer calendars: several intervals a day (lunch), 24-hour days (24×5), date-specific hours (a half day), DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.domain.calendar import (
    END_OF_DAY,
    BusinessCalendar,
    DayHours,
    describe_hours,
    format_day_hours,
    parse_day_hours,
)

HOUR = timedelta(hours=1)
LUNCH: DayHours = ((time(9), time(12, 30)), (time(13, 30), time(18)))
WHOLE_DAY: DayHours = ((time(0), END_OF_DAY),)
CHRISTMAS_EVE = date(2026, 12, 24)

BERLIN_LUNCH = BusinessCalendar("Europe/Berlin", {d: LUNCH for d in range(5)}, "DE")
BERLIN_24X5 = BusinessCalendar("Europe/Berlin", {d: WHOLE_DAY for d in range(5)}, "DE")
BERLIN_24X7 = BusinessCalendar("Europe/Berlin", {d: WHOLE_DAY for d in range(7)})
BERLIN_HALF_DAY = BusinessCalendar(
    "Europe/Berlin",
    country="DE",
    date_hours={
        CHRISTMAS_EVE: ((time(9), time(13)),),
        date(2026, 12, 31): (),
        date(2026, 4, 3): ((time(10), time(14)),),
    },
)


def local(calendar: BusinessCalendar, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A wall-clock time in the calendar's zone."""
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(calendar.zone))


CASES = [
    # (calendar, start, duration, expected, why)
    (BERLIN_LUNCH, local(BERLIN_LUNCH, 2026, 3, 9, 11, 30), 2 * HOUR, local(BERLIN_LUNCH, 2026, 3, 9, 14, 30),
     "a lunch break inside the deadline"),
    (BERLIN_LUNCH, local(BERLIN_LUNCH, 2026, 3, 9, 11, 30), HOUR, local(BERLIN_LUNCH, 2026, 3, 9, 12, 30),
     "lands on the start of lunch"),
    (BERLIN_LUNCH, local(BERLIN_LUNCH, 2026, 3, 9, 12, 45), HOUR, local(BERLIN_LUNCH, 2026, 3, 9, 14, 30),
     "opened during lunch"),
    (BERLIN_LUNCH, local(BERLIN_LUNCH, 2026, 3, 6, 17), 2 * HOUR, local(BERLIN_LUNCH, 2026, 3, 9, 10),
     "Fri afternoon into Monday"),
    (BERLIN_LUNCH, local(BERLIN_LUNCH, 2026, 3, 9, 9), 8 * HOUR, local(BERLIN_LUNCH, 2026, 3, 9, 18),
     "a whole lunch day is 8 hours"),
    (BERLIN_24X5, local(BERLIN_24X5, 2026, 3, 6, 22), 4 * HOUR, local(BERLIN_24X5, 2026, 3, 9, 2),
     "24×5 across a weekend"),
    (BERLIN_24X5, local(BERLIN_24X5, 2026, 3, 9, 23), 2 * HOUR, local(BERLIN_24X5, 2026, 3, 10, 1),
     "24-hour days are continuous over midnight"),
    (BERLIN_24X5, local(BERLIN_24X5, 2026, 3, 9, 10), 48 * HOUR, local(BERLIN_24X5, 2026, 3, 11, 10),
     "two days of 24×5"),
    (BERLIN_24X5, local(BERLIN_24X5, 2026, 4, 2, 12), 24 * HOUR, local(BERLIN_24X5, 2026, 4, 7, 12),
     "24×5 skips Good Friday, the weekend and Easter Monday"),
    (BERLIN_24X7, local(BERLIN_24X7, 2026, 3, 28, 12), 24 * HOUR, local(BERLIN_24X7, 2026, 3, 29, 13),
     "a 24-hour business day on the DST spring day has 23 hours"),
    (BERLIN_24X7, local(BERLIN_24X7, 2026, 10, 24, 12), 24 * HOUR, local(BERLIN_24X7, 2026, 10, 25, 11),
     "a 24-hour business day on the DST autumn day has 25 hours"),
    (BERLIN_HALF_DAY, local(BERLIN_HALF_DAY, 2026, 12, 24, 12), 2 * HOUR, local(BERLIN_HALF_DAY, 2026, 12, 28, 10),
     "Christmas Eve closes at 13:00, then Christmas and the weekend"),
    (BERLIN_HALF_DAY, local(BERLIN_HALF_DAY, 2026, 12, 30, 17), 2 * HOUR, local(BERLIN_HALF_DAY, 2027, 1, 4, 10),
     "a weekday closed by date, then New Year's Day and the weekend"),
    (BERLIN_HALF_DAY, local(BERLIN_HALF_DAY, 2026, 4, 3, 9), 5 * HOUR, local(BERLIN_HALF_DAY, 2026, 4, 7, 10),
     "date-specific hours open Good Friday 10:00–14:00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"), [c[:4] for c in CASES], ids=[c[4] for c in CASES]
)
def test_worked_examples(calendar: BusinessCalendar, start: datetime, duration: timedelta, expected: datetime) -> None:
    due = calendar.add(start, duration)
    assert due == expected
    assert due.tzinfo is UTC
    assert calendar.elapsed(start, due) == duration


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 29), 23 * HOUR),  # Sunday, clocks go forward
        (date(2026, 10, 25), 25 * HOUR),  # Sunday, clocks go back
        (date(2026, 3, 30), 24 * HOUR),
    ],
)
def test_a_24_hour_day_counts_its_wall_time_on_dst_days(day: date, hours: timedelta) -> None:
    midnight = datetime.combine(day, time(0), ZoneInfo("Europe/Berlin"))
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), ZoneInfo("Europe/Berlin"))
    assert BERLIN_24X7.elapsed(midnight, next_midnight) == hours


def test_a_week_of_24x5_is_120_hours() -> None:
    monday = local(BERLIN_24X5, 2026, 3, 9)
    assert BERLIN_24X5.elapsed(monday, monday + timedelta(days=7)) == 120 * HOUR


def test_date_specific_hours_replace_weekly_hours_and_holidays() -> None:
    assert BERLIN_HALF_DAY.hours_on(CHRISTMAS_EVE) == ((time(9), time(13)),)
    assert BERLIN_HALF_DAY.hours_on(date(2026, 12, 25)) == ()  # Christmas Day, a national holiday
    assert not BERLIN_HALF_DAY.is_business_day(date(2026, 12, 31))
    assert BERLIN_HALF_DAY.is_business_day(date(2026, 4, 3))  # Good Friday opened by date
    assert BERLIN_LUNCH.hours_on(date(2026, 3, 9)) == LUNCH
    assert BERLIN_LUNCH.open_intervals(date(2026, 3, 9)) == [
        (datetime(2026, 3, 9, 8, tzinfo=UTC), datetime(2026, 3, 9, 11, 30, tzinfo=UTC)),
        (datetime(2026, 3, 9, 12, 30, tzinfo=UTC), datetime(2026, 3, 9, 17, tzinfo=UTC)),
    ]
    assert BERLIN_LUNCH.open_interval(date(2026, 3, 9)) == (
        datetime(2026, 3, 9, 8, tzinfo=UTC),
        datetime(2026, 3, 9, 17, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (BERLIN_HALF_DAY, date(2026, 12, 25), date(2026, 12, 28)),  # Christmas, Boxing Day (Sat), Sunday
        (BERLIN_HALF_DAY, CHRISTMAS_EVE, CHRISTMAS_EVE),  # a half day is a business day
        (BERLIN_HALF_DAY, date(2026, 12, 31), date(2027, 1, 4)),  # closed by date, New Year, weekend
        (BusinessCalendar("UTC"), date(2026, 12, 25), date(2026, 12, 25)),  # no country: no holiday
    ],
)
def test_next_business_day(calendar: BusinessCalendar, day: date, expected: date) -> None:
    assert calendar.next_business_day(day) == expected


def test_a_pair_is_a_one_interval_day() -> None:
    pair = BusinessCalendar("Europe/Berlin", {0: (time(9), time(18))})
    listed = BusinessCalendar("Europe/Berlin", {0: [(time(9), time(18))]})
    assert pair == listed and hash(pair) == hash(listed)
    assert pair.weekly_hours[0] == ((time(9), time(18)),)
    assert BusinessCalendar(weekly_hours={0: (time(9), time(18)), 1: ()}).weekly_hours.keys() == {0}


def test_unsorted_intervals_are_sorted() -> None:
    calendar = BusinessCalendar(weekly_hours={0: [(time(13, 30), time(18)), (time(9), time(12, 30))]})
    assert calendar.weekly_hours[0] == LUNCH


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekly_hours": {0: [(time(9), time(13)), (time(12), time(18))]}}, "Mon 09:00–13:00 overlaps 12:00–18:00"),
        ({"weekly_hours": {1: [(time(9), time(9))]}}, "Tue 09:00–09:00 is empty"),
        ({"weekly_hours": {2: [(time(0), END_OF_DAY), (time(9), time(10))]}}, "Wed 00:00–24:00 overlaps 09:00–10:00"),
        ({"weekly_hours": {0: [(time(18), time(9))]}}, "Mon opens at 18:00 but closes at 09:00"),
        ({"weekly_hours": {0: ["09:00–18:00"]}}, "Mon: '09:00–18:00' is not an \\(opens, closes\\) pair"),
        ({"date_hours": {CHRISTMAS_EVE: [(time(13), time(9))]}}, "Thu 24 Dec 2026 opens at 13:00 but closes at 09:00"),
        ({"date_hours": {CHRISTMAS_EVE: [(time(9), time(9))]}}, "Thu 24 Dec 2026 09:00–09:00 is empty"),
    ],
)
def test_bad_intervals_are_refused_naming_the_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("09:00–12:30, 13:30–18:00", LUNCH),
        ("13:30-18:00; 9:00 - 12:30", LUNCH),
        ("9-12.30, 13.30 to 18", LUNCH),
        ("00:00–24:00", WHOLE_DAY),
        ("18:00-24:00", ((time(18), END_OF_DAY),)),
        ("closed", ()),
        ("  ", ()),
    ],
)
def test_typed_hours_are_read(text: str, hours: DayHours) -> None:
    assert parse_day_hours(text, "Mon") == hours


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9 to 5pm", "Mon: '9 to 5pm' is not a time range like 09:00–12:30"),
        ("09:00-12:00, lunch", "Mon: 'lunch' is not a time range"),
        ("25:00-26:00", "Mon: '25:00-26:00' has a time that is not on a 24-hour clock"),
        ("24:00-24:00", "Mon: '24:00-24:00' has a time that is not on a 24-hour clock"),
        ("09:00-13:00, 12:00-18:00", "Mon 09:00–13:00 overlaps 12:00–18:00"),
        ("10:00-10:00", "Mon 10:00–10:00 is empty"),
    ],
)
def test_bad_typed_hours_name_the_value(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_day_hours(text, "Mon")


@pytest.mark.parametrize("hours", [LUNCH, WHOLE_DAY, (), ((time(8, 15), time(17, 45)),)])
def test_formatted_hours_read_back(hours: DayHours) -> None:
    assert parse_day_hours(format_day_hours(hours), "Mon") == hours


def test_describe_names_intervals_and_date_specific_days() -> None:
    assert describe_hours(BERLIN_LUNCH.weekly_hours) == "09:00–12:30 and 13:30–18:00 Mon–Fri"
    assert describe_hours(BERLIN_24X5.weekly_hours) == "00:00–24:00 Mon–Fri"
    assert BERLIN_HALF_DAY.describe() == "hours 09:00–18:00 Mon–Fri, Europe/Berlin, DE holidays, 3 date-specific days"


def test_equal_calendars_differ_by_their_date_specific_hours() -> None:
    assert BusinessCalendar("Europe/Berlin", country="DE") != BERLIN_HALF_DAY
    again = BusinessCalendar(
        "Europe/Berlin", country="DE", date_hours=dict(reversed(BERLIN_HALF_DAY.date_hours.items()))
    )
    assert again == BERLIN_HALF_DAY and hash(again) == hash(BERLIN_HALF_DAY)


# -- invariants -------------------------------------------------------------------------------------------------

CALENDARS = [
    BERLIN_LUNCH,
    BERLIN_24X5,
    BERLIN_HALF_DAY,
    BusinessCalendar("Pacific/Auckland", {d: WHOLE_DAY for d in range(7)}, "NZ"),
    BusinessCalendar(
        "America/New_York",
        {
            0: WHOLE_DAY,
            1: ((time(1), time(2, 30)), (time(3), time(4)), (time(22), END_OF_DAY)),
            2: ((time(0), time(2)),),
        },
        "US",
        date_hours={date(2026, 3, 8): ((time(1), time(2, 30)), (time(3), time(5))), date(2026, 11, 1): WHOLE_DAY},
    ),
    BusinessCalendar(
        "America/St_Johns",
        {
            d: ((time(1, 30), time(2, 45)), (time(8), time(12)), (time(12), time(12, 1)), (time(23), END_OF_DAY))
            for d in (0, 2, 6)
        },
    ),
]
ZONES = [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland")]
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.sampled_from(ZONES)
)
DST_CHANGES = [datetime(2026, m, d, tzinfo=UTC) for m, d in ((3, 8), (3, 29), (4, 5), (9, 27), (10, 25), (11, 1))]
near_dst = st.sampled_from(DST_CHANGES).flatmap(
    lambda change: st.integers(-3 * 24 * 60, 3 * 24 * 60).map(lambda minutes: change + timedelta(minutes=minutes))
)
moments = st.one_of(moments, near_dst)
durations = st.integers(min_value=0, max_value=60 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))
calendars = st.sampled_from(CALENDARS)
invariant = settings(max_examples=300, deadline=None)


@invariant
@given(calendars, moments, durations)
def test_elapsed_inverts_add(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> None:
    due = calendar.add(start, duration)
    assert due >= start
    assert calendar.elapsed(start, due) == duration


@invariant
@given(calendars, st.lists(moments, min_size=3, max_size=3))
def test_elapsed_is_additive_over_a_split_point(calendar: BusinessCalendar, times: list[datetime]) -> None:
    a, b, c = sorted(times)
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)
    assert calendar.elapsed(a, c) <= c - a


@invariant
@given(calendars, moments, durations.filter(bool))
def test_a_deadline_never_falls_in_a_closed_interval(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = calendar.add(start, duration)
    day = due.astimezone(ZoneInfo(calendar.zone)).date()
    intervals = [i for shift in (-1, 0, 1) for i in calendar.open_intervals(day + timedelta(days=shift))]
    assert any(opens < due <= closes for opens, closes in intervals)


@invariant
@given(calendars, st.one_of(st.dates(date(2020, 1, 1), date(2032, 12, 31)), near_dst.map(lambda moment: moment.date())))
def test_a_day_counts_the_length_of_its_open_intervals(calendar: BusinessCalendar, day: date) -> None:
    zone = ZoneInfo(calendar.zone)
    midnight = datetime.combine(day, time(0), zone)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), zone)
    expected = sum((closes - opens for opens, closes in calendar.open_intervals(day)), timedelta(0))
    assert calendar.elapsed(midnight, next_midnight) == expected


def test_intervals_that_a_dst_change_makes_overlap_count_once() -> None:
    spring = date(2026, 3, 8)  # New York skips 02:00–03:00: 02:30 is read as 02:30 EST, later than 03:00 EDT
    calendar = BusinessCalendar("America/New_York", date_hours={spring: ((time(1), time(2, 30)), (time(3), time(5)))})
    intervals = calendar.open_intervals(spring)
    assert intervals == [
        (datetime(2026, 3, 8, 6, tzinfo=UTC), datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
        (datetime(2026, 3, 8, 7, 30, tzinfo=UTC), datetime(2026, 3, 8, 9, tzinfo=UTC)),
    ]
    assert calendar.elapsed(datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)) == 3 * HOUR

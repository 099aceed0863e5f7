"""The VP rule: worked examples on a Berlin calendar (weekends, holidays, closing times), plus invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.domain.calendar import BUSINESS_DAY, BusinessCalendar, Clock, TwentyFourSeven
from tamdesk.domain.vp_rule import VpStatus, vp_apprisal, vp_days_problem, vp_due_at

BERLIN = BusinessCalendar("Europe/Berlin", country="DE")
HOUR = timedelta(hours=1)


def b(d: int, hh: int, mm: int = 0, month: int = 3) -> datetime:
    """A wall-clock time in Berlin in 2026 (March unless said); 9 March 2026 is a Monday."""
    return datetime(2026, month, d, hh, mm, tzinfo=ZoneInfo("Europe/Berlin"))


DUE_CASES = [
    # (opened, days, due, why)
    (b(9, 10), 3, b(12, 10), "Mon 10:00 + 3 business days = Thu 10:00"),
    (b(12, 10), 3, b(17, 10), "over a weekend: Thu 10:00 -> Tue 10:00"),
    (b(14, 11), 3, b(18, 18), "opened on a Saturday: counts from Monday 09:00, due Wed at closing"),
    (b(9, 19), 1, b(10, 18), "opened after closing: a full Tuesday"),
    (b(1, 10, month=4), 3, b(8, 10, month=4), "Good Friday and Easter Monday are not business days"),
    (b(9, 10), 1, b(10, 10), "one business day"),
]


@pytest.mark.parametrize(("opened", "days", "due"), [c[:3] for c in DUE_CASES], ids=[c[3] for c in DUE_CASES])
def test_due_at_counts_business_days(opened: datetime, days: int, due: datetime) -> None:
    assert vp_due_at(opened, days, BERLIN) == due.astimezone(UTC)


OPENED = b(9, 10)  # due Thu 12 Mar 10:00
STATUS_CASES = [
    # (closed, apprised, now, status, late_by, why)
    (None, None, b(11, 10), VpStatus.NOT_YET_DUE, timedelta(0), "open two days, not apprised"),
    (None, None, b(12, 9, 59), VpStatus.NOT_YET_DUE, timedelta(0), "a minute before the limit"),
    (None, None, b(12, 10), VpStatus.TO_BE_APPRISED, timedelta(0), "at the limit it is owed"),
    (None, None, b(13, 12), VpStatus.TO_BE_APPRISED, 11 * HOUR, "owed a business day and 2 hours"),
    (None, b(9, 10), b(20, 10), VpStatus.ON_TIME, timedelta(0), "apprised at once (Sev1 or on request)"),
    (None, b(12, 10), b(20, 10), VpStatus.ON_TIME, timedelta(0), "apprised exactly at the limit"),
    (None, b(12, 12, 30), b(20, 10), VpStatus.LATE, 2.5 * HOUR, "apprised 2.5 business hours late"),
    (b(16, 10), b(13, 11), b(20, 10), VpStatus.LATE, 10 * HOUR, "closed, apprised a business day and an hour late"),
    (b(11, 17), None, b(20, 10), VpStatus.NOT_NEEDED, timedelta(0), "closed before the limit: none needed"),
    (b(13, 10), None, b(20, 10), VpStatus.MISSED, BUSINESS_DAY, "closed a business day after the limit, never told"),
    (b(12, 10), None, b(20, 10), VpStatus.NOT_NEEDED, timedelta(0), "closed at the limit: no business time lost"),
]


@pytest.mark.parametrize(
    ("closed", "apprised", "now", "status", "late_by"), [c[:5] for c in STATUS_CASES], ids=[c[5] for c in STATUS_CASES]
)
def test_status_and_lateness(
    closed: datetime | None, apprised: datetime | None, now: datetime, status: VpStatus, late_by: timedelta
) -> None:
    result = vp_apprisal(OPENED, closed, apprised, now, 3, BERLIN)
    assert result.due_at == b(12, 10).astimezone(UTC)
    assert result.status is status
    assert result.late_by == late_by
    assert result.owed == (status is VpStatus.TO_BE_APPRISED)


def test_an_apprisal_after_a_friday_limit_but_before_monday_is_on_time() -> None:
    opened = b(10, 18)  # Tue at closing: Wed, Thu and Fri are the three business days
    due = vp_due_at(opened, 3, BERLIN)
    assert due == b(13, 18).astimezone(UTC)
    saturday = b(14, 10)
    assert vp_apprisal(opened, None, saturday, saturday, 3, BERLIN).status is VpStatus.ON_TIME
    assert vp_apprisal(opened, None, None, saturday, 3, BERLIN).status is VpStatus.TO_BE_APPRISED
    monday = b(16, 9, 30)
    late = vp_apprisal(opened, None, monday, monday, 3, BERLIN)
    assert late.status is VpStatus.LATE and late.late_by == 30 * timedelta(minutes=1)


def test_a_round_the_clock_clock_counts_every_hour_as_business_time() -> None:
    result = vp_apprisal(OPENED, None, None, b(13, 10), 1, TwentyFourSeven("Europe/Berlin"))
    assert result.due_at == b(9, 19).astimezone(UTC)  # a business day is 9 hours, here of wall time
    assert result.late_by == 87 * HOUR
    assert result.late_business_days == pytest.approx(87 / 9)


def test_flags_name_late_and_missing_apprisals() -> None:
    assert VpStatus.LATE.flag == "Late apprisal"
    assert VpStatus.MISSED.flag == VpStatus.TO_BE_APPRISED.flag == "Not apprised"
    assert VpStatus.ON_TIME.flag == VpStatus.NOT_NEEDED.flag == VpStatus.NOT_YET_DUE.flag == ""


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        (3, None),
        (1, None),
        (60, None),
        (0, "0 business days is not allowed: the VP is apprised after 1 to 60 business days."),
        (61, "61 business days is not allowed: the VP is apprised after 1 to 60 business days."),
        (-1, "-1 business day is not allowed: the VP is apprised after 1 to 60 business days."),
        ("three", "“three” is not a whole number of business days; use 1 to 60."),
        (2.5, "“2.5” is not a whole number of business days; use 1 to 60."),
        (True, "“True” is not a whole number of business days; use 1 to 60."),
    ],
)
def test_the_limit_is_1_to_60_business_days(days: object, problem: str | None) -> None:
    assert vp_days_problem(days) == problem


def test_a_limit_outside_the_range_is_refused() -> None:
    with pytest.raises(ValueError, match="0 business days"):
        vp_due_at(OPENED, 0, BERLIN)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        vp_apprisal(datetime(2026, 3, 9, 10), None, None, b(12, 10), 3, BERLIN)


# -- invariants --------------------------------------------------------------------------------------------------

CALENDARS = [BERLIN, BusinessCalendar("America/New_York", country="US"), TwentyFourSeven("Asia/Kolkata")]
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
offsets = st.integers(min_value=0, max_value=60 * 24 * 40).map(lambda minutes: timedelta(minutes=minutes))
invariant = settings(max_examples=200, deadline=None)


@invariant
@given(st.sampled_from(CALENDARS), moments, st.integers(1, 60))
def test_due_at_is_never_before_opening_and_is_n_business_days_later(
    calendar: Clock, opened: datetime, days: int
) -> None:
    due = vp_due_at(opened, days, calendar)
    assert due >= opened
    assert calendar.elapsed(opened, due) == days * BUSINESS_DAY


@invariant
@given(st.sampled_from(CALENDARS), moments, st.integers(1, 10), offsets, offsets)
def test_apprising_at_or_before_due_is_never_late(
    calendar: Clock, opened: datetime, days: int, early: timedelta, later: timedelta
) -> None:
    due = vp_due_at(opened, days, calendar)
    apprised = max(opened, due - early)
    result = vp_apprisal(opened, None, apprised, due + later, days, calendar)
    assert result.status is VpStatus.ON_TIME
    assert result.late_by == timedelta(0)


@invariant
@given(st.sampled_from(CALENDARS), moments, st.integers(1, 10), offsets, st.booleans(), st.booleans())
def test_lateness_is_the_business_time_past_due(
    calendar: Clock, opened: datetime, days: int, after: timedelta, closed: bool, apprised: bool
) -> None:
    due = vp_due_at(opened, days, calendar)
    moment = due + after
    result = vp_apprisal(opened, moment if closed else None, moment if apprised else None, moment, days, calendar)
    assert result.late_by == calendar.elapsed(due, moment)
    assert result.late_by >= timedelta(0)
    owed_or_late = {VpStatus.TO_BE_APPRISED, VpStatus.LATE, VpStatus.MISSED}
    if result.late_by:
        assert result.status in owed_or_late
    if not apprised and not closed:
        assert result.owed

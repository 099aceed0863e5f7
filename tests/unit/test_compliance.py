"""The director's reading of compliance: bands against the goal, compared periods, partial months, chart axis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.compliance import (
    Band,
    axis_floor,
    band,
    coverage,
    goal_refusal,
    period_partial_note,
    previous_period,
    trend_months,
    year_earlier,
)


@pytest.mark.parametrize(
    ("rate", "goal", "expected"),
    [
        (1.0, 0.95, Band.MET),
        (0.95, 0.95, Band.MET),
        (0.9499, 0.95, Band.NEAR),
        (0.90, 0.95, Band.NEAR),
        (0.8999, 0.95, Band.BELOW),
        (0.0, 0.95, Band.BELOW),
        (None, 0.95, None),
        (0.5, 0.5, Band.MET),
        (0.03, 0.05, Band.NEAR),
    ],
)
def test_a_rate_is_banded_against_its_goal(rate: float | None, goal: float, expected: Band | None) -> None:
    assert band(rate, goal) is expected


def test_each_band_reads_without_colour() -> None:
    assert [b.mark for b in Band] == ["✓ goal met", "! near goal", "✖ below goal"]


@pytest.mark.parametrize(("value", "refused"), [(95, False), (1, False), (100, False), (0, True), (101, True),
                                                 (95.5, True), ("95", True), (True, True)])  # fmt: skip
def test_a_goal_is_a_whole_percent_from_1_to_100(value: object, refused: bool) -> None:
    message = goal_refusal(value)
    assert (message is not None) is refused
    if refused:
        assert repr(value) in message


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        (date(2026, 12, 1), date(2027, 1, 1), (date(2026, 11, 1), date(2026, 12, 1))),
        (date(2026, 3, 1), date(2026, 4, 1), (date(2026, 2, 1), date(2026, 3, 1))),  # a month, not 31 days
        (date(2026, 1, 1), date(2026, 4, 1), (date(2025, 10, 1), date(2026, 1, 1))),  # a quarter
        (date(2026, 3, 10), date(2026, 3, 17), (date(2026, 3, 3), date(2026, 3, 10))),  # a week
    ],
)
def test_the_previous_period_is_as_long_and_just_before(start: date, end: date, previous: tuple[date, date]) -> None:
    assert previous_period(start, end) == previous


def test_a_year_earlier_keeps_the_days_and_29_february_becomes_the_28th() -> None:
    assert year_earlier(date(2026, 12, 1), date(2027, 1, 1)) == (date(2025, 12, 1), date(2026, 1, 1))
    assert year_earlier(date(2028, 2, 29), date(2028, 3, 1)) == (date(2027, 2, 28), date(2027, 3, 1))


def test_twelve_months_end_with_the_period() -> None:
    months = trend_months(date(2026, 12, 7))
    assert months[0] == date(2026, 1, 1) and months[-1] == date(2026, 12, 1) and len(months) == 12
    assert trend_months(date(2026, 2, 1), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


@pytest.mark.parametrize(
    ("month", "start", "end", "today", "label"),
    [
        (date(2026, 12, 1), date(2026, 12, 1), date(2027, 1, 1), date(2026, 12, 7), "2026-12 (1–7 Dec, partial)"),
        (date(2026, 11, 1), date(2026, 11, 1), date(2026, 12, 1), date(2026, 12, 7), "2026-11"),
        (date(2026, 11, 1), date(2026, 11, 10), None, date(2026, 12, 7), "2026-11 (10–30 Nov, partial)"),
        (date(2026, 12, 1), None, None, date(2026, 12, 1), "2026-12 (1 Dec, partial)"),
        (date(2026, 2, 1), None, date(2026, 2, 15), date(2026, 12, 7), "2026-02 (1–14 Feb, partial)"),
    ],
)
def test_a_month_covered_in_part_says_so(
    month: date, start: date | None, end: date | None, today: date, label: str
) -> None:
    assert coverage(month, start, end, today).label == label


@pytest.mark.parametrize(
    ("start", "end", "today", "note"),
    [
        # a month
        (date(2026, 12, 1), date(2027, 1, 1), date(2026, 12, 7),
         "Partial: 1–7 Dec so far; the period runs to 2026-12-31."),
        (date(2026, 12, 1), date(2027, 1, 1), date(2026, 12, 1),
         "Partial: 1 Dec so far; the period runs to 2026-12-31."),
        # a quarter: from its first day, not from the day the running month started
        (date(2026, 1, 1), date(2026, 4, 1), date(2026, 3, 10),
         "Partial: 1 Jan–10 Mar so far; the period runs to 2026-03-31."),
        (date(2026, 1, 1), date(2026, 4, 1), date(2026, 1, 20),
         "Partial: 1–20 Jan so far; the period runs to 2026-03-31."),
        # custom ranges over several months, and over the turn of a year
        (date(2026, 2, 15), date(2026, 6, 15), date(2026, 5, 2),
         "Partial: 15 Feb–2 May so far; the period runs to 2026-06-14."),
        (date(2026, 12, 15), date(2027, 2, 1), date(2027, 1, 10),
         "Partial: 15 Dec 2026–10 Jan 2027 so far; the period runs to 2027-01-31."),
    ],
)  # fmt: skip
def test_a_period_not_over_is_labelled_partial_from_its_first_day(
    start: date, end: date, today: date, note: str
) -> None:
    assert period_partial_note(start, end, today) == note


def test_a_period_over_or_not_started_has_no_partial_note() -> None:
    assert period_partial_note(date(2026, 11, 1), date(2026, 12, 1), date(2026, 12, 7)) is None
    assert period_partial_note(date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 7)) is None  # the last day is today


@pytest.mark.parametrize(
    ("rates", "goal", "floor"),
    [
        ([0.86, 1.0], 0.95, 0.8),
        ([0.82, 0.99], None, 0.7),  # 82% would sit on the axis: one step lower
        ([1.0, 1.0], 0.95, 0.9),
        ([None, None], None, 0.0),
        ([0.03], None, 0.0),
    ],
)
def test_the_chart_axis_starts_a_step_below_the_lowest_rate(
    rates: list[float | None], goal: float | None, floor: float
) -> None:
    assert axis_floor(rates, goal) == pytest.approx(floor)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=12), st.floats(0.01, 1))
def test_the_axis_never_hides_a_rate_or_the_goal(rates: list[float], goal: float) -> None:
    floor = axis_floor(list(rates), goal)
    assert 0 <= floor <= min([*rates, goal])


@given(st.dates(date(2001, 1, 1), date(2098, 12, 1)), st.integers(1, 400))
def test_the_previous_period_ends_where_the_period_starts(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    before = previous_period(start, end)
    assert before[1] == start and before[0] < start

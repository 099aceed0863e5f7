"""Quarters: ``YYYYQn`` read back to its days, the quarter before it, and bad text refused in one sentence."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.quarters import Quarter, QuarterError, parse_quarter, quarter_of, recent_quarters


@pytest.mark.parametrize(
    ("text", "start", "last", "label", "previous"),
    [
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31), "Q4 2026", "Q3 2026"),
        ("2026q1", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026", "Q4 2025"),
        (" 2024Q1 ", date(2024, 1, 1), date(2024, 3, 31), "Q1 2024", "Q4 2023"),
        ("2024 Q2", date(2024, 4, 1), date(2024, 6, 30), "Q2 2024", "Q1 2024"),
        ("2025Q3", date(2025, 7, 1), date(2025, 9, 30), "Q3 2025", "Q2 2025"),
    ],
)
def test_a_quarter_is_read_to_its_days(text: str, start: date, last: date, label: str, previous: str) -> None:
    quarter = parse_quarter(text)
    assert (quarter.start, quarter.last_day, quarter.label, quarter.previous.label) == (start, last, label, previous)
    assert quarter.end == date.fromordinal(last.toordinal() + 1)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2026-4", "2026-4"),
        ("2026Q5", "2026Q5"),
        ("2026Q0", "2026Q0"),
        ("Q4 2026", "Q4 2026"),
        ("26Q4", "26Q4"),
        ("2026Q4x", "2026Q4x"),
        ("0000Q1", "0000Q1"),
        ("", ""),
        ("２０２６Q4", "２０２６Q4"),
    ],
)
def test_text_that_is_no_quarter_is_refused_naming_it(text: str, shown: str) -> None:
    with pytest.raises(QuarterError) as caught:
        parse_quarter(text)
    assert str(caught.value) == f"'{shown}' is not a quarter: write it as YYYYQn, such as 2026Q4."


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(2026, 1, 1), "2026Q1"), (date(2026, 3, 31), "2026Q1"), (date(2026, 4, 1), "2026Q2"),
     (date(2026, 12, 31), "2026Q4")],
)  # fmt: skip
def test_the_quarter_of_a_day(day: date, code: str) -> None:
    assert quarter_of(day).code == code


def test_recent_quarters_start_with_the_current_one() -> None:
    assert [q.code for q in recent_quarters(date(2026, 2, 14), 4)] == ["2026Q1", "2025Q4", "2025Q3", "2025Q2"]


@given(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)))
def test_every_day_is_in_exactly_its_quarter_and_quarters_tile(day: date) -> None:
    quarter = quarter_of(day)
    assert quarter.covers(day) and not quarter.previous.covers(day) and not quarter.next.covers(day)
    assert quarter.previous.end == quarter.start and quarter.next.start == quarter.end
    assert parse_quarter(quarter.code) == quarter
    assert 90 <= (quarter.end - quarter.start).days <= 92


def test_a_quarter_number_outside_1_to_4_is_refused() -> None:
    with pytest.raises(QuarterError, match="quarters 1 to 4, not 5"):
        Quarter(2026, 5)

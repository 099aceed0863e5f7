"""Onboarding due dates: the template's day offsets from the start, never on a weekend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.onboarding import due_on

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("start", "offset", "due"),
    [
        (MONDAY, 0, date(2026, 3, 2)),
        (MONDAY, 4, date(2026, 3, 6)),  # Friday
        (MONDAY, 5, date(2026, 3, 9)),  # Saturday -> Monday
        (MONDAY, 6, date(2026, 3, 9)),  # Sunday -> Monday
        (MONDAY, 7, date(2026, 3, 9)),
        (date(2026, 3, 1), 0, date(2026, 3, 2)),  # a start on a Sunday: the first step is due the Monday
        (date(2026, 3, 1), 21, date(2026, 3, 23)),
        (date(2026, 12, 31), 2, date(2027, 1, 4)),  # Saturday 2 January, across the year end
    ],
)
def test_due_on(start: date, offset: int, due: date) -> None:
    assert due_on(start, offset) == due


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 365))
def test_a_due_date_is_a_weekday_at_most_two_days_late(start: date, offset: int) -> None:
    due = due_on(start, offset)
    planned = start + timedelta(days=offset)
    assert due.weekday() < 5
    assert timedelta(0) <= due - planned <= timedelta(days=2)

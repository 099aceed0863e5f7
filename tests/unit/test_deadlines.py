"""Deadlines in words: the reader's local time with its zone's name, and how far off or how long ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.deadlines import deadline_words, local_time, span_words

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(seconds=0), "under a minute"),
        (timedelta(seconds=59), "under a minute"),
        (timedelta(minutes=1), "1 min"),
        (timedelta(minutes=59, seconds=59), "59 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(hours=23, minutes=59), "23 h 59 min"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=1, hours=4, minutes=10), "1 day 4 h"),
        (timedelta(days=2, hours=1), "2 days 1 h"),
        (timedelta(days=5, hours=7), "5 days"),
        (timedelta(hours=-3), "3 h"),
    ],
)
def test_span_words(span: timedelta, words: str) -> None:
    assert span_words(span) == words


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        (NOW, "Europe/Berlin", "Tue 10 Mar 2026 15:30 CET"),
        (datetime(2026, 7, 1, 12, tzinfo=UTC), "Europe/Berlin", "Wed 01 Jul 2026 14:00 CEST"),
        (NOW, "America/New_York", "Tue 10 Mar 2026 10:30 EDT"),
        (NOW, "Asia/Kolkata", "Tue 10 Mar 2026 20:00 IST"),
        (NOW, "Asia/Dubai", "Tue 10 Mar 2026 18:30 UTC+04"),  # a zone with no abbreviation: its offset
        (NOW, "UTC", "Tue 10 Mar 2026 14:30 UTC"),
        (datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "Australia/Sydney", "Wed 11 Mar 2026 10:30 AEDT"),  # next day
    ],
)
def test_local_time_names_the_zone(moment: datetime, zone: str, shown: str) -> None:
    assert local_time(moment, ZoneInfo(zone)) == shown


@pytest.mark.parametrize(
    ("due", "words"),
    [
        (NOW + timedelta(hours=2), "First response due Tue 10 Mar 2026 17:30 CET — in 2 h"),
        (NOW + timedelta(minutes=5), "First response due Tue 10 Mar 2026 15:35 CET — in 5 min"),
        (NOW, "First response was due Tue 10 Mar 2026 15:30 CET — under a minute ago"),
        (NOW - timedelta(hours=3), "First response was due Tue 10 Mar 2026 12:30 CET — 3 h ago"),
        (NOW - timedelta(days=2, hours=1), "First response was due Sun 08 Mar 2026 14:30 CET — 2 days 1 h ago"),
    ],
)
def test_a_passed_deadline_says_so(due: datetime, words: str) -> None:
    assert deadline_words("First response", due, NOW, BERLIN) == words


@given(st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400)))
def test_a_deadline_is_either_ahead_or_passed(offset: timedelta) -> None:
    words = deadline_words("Next update", NOW + offset, NOW, BERLIN)
    assert ("was due" in words and words.endswith(" ago")) == (offset <= timedelta(0))
    assert ("— in " in words) == (offset > timedelta(0))
    assert " UTC" not in words and (" CET" in words or " CEST" in words)

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.timestamps import zone
from tamdesk.domain.typed_time import (
    TypedTimeError,
    fold_note,
    format_typed_time,
    has_seconds,
    parse_typed_time,
    whole_minute,
)

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")
TODAY = date(2026, 12, 7)  # a Monday
FRI_1705_BERLIN = datetime(2026, 12, 4, 16, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04 17:05", FRI_1705_BERLIN),
        ("2026-12-04T17:05", FRI_1705_BERLIN),
        ("4 Dec 2026 17:05", FRI_1705_BERLIN),
        ("Fri 4 Dec 2026 17:05", FRI_1705_BERLIN),
        ("  fri   4 dec 2026   17:05 ", FRI_1705_BERLIN),
        ("Friday, 4 December 2026, 5:05 pm", FRI_1705_BERLIN),
        ("Dec 4 2026 5:05 PM", FRI_1705_BERLIN),
        ("Fri Dec 4, 2026 17:05", FRI_1705_BERLIN),
        ("4 Sept 2026 09:00", datetime(2026, 9, 4, 7, 0, tzinfo=UTC)),
        ("17:05", datetime(2026, 12, 7, 16, 5, tzinfo=UTC)),
        ("5:05 pm", datetime(2026, 12, 7, 16, 5, tzinfo=UTC)),
        ("5 p.m.", datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),
        ("12:10 am", datetime(2026, 12, 6, 23, 10, tzinfo=UTC)),
        ("today 9:30", datetime(2026, 12, 7, 8, 30, tzinfo=UTC)),
        ("yesterday 17:05", datetime(2026, 12, 6, 16, 5, tzinfo=UTC)),
        ("tomorrow at 8:00", datetime(2026, 12, 8, 7, 0, tzinfo=UTC)),
        ("2026-12-04T17:05Z", datetime(2026, 12, 4, 17, 5, tzinfo=UTC)),  # an offset is exact in any zone
        ("2026-12-04 17:05 -05:00", datetime(2026, 12, 4, 22, 5, tzinfo=UTC)),
        ("2026-07-06 17:30", datetime(2026, 7, 6, 15, 30, tzinfo=UTC)),  # summer time
        ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # repeated hour: the first
        ("Sun 25 Oct 2026 02:30 +01:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),  # ... or the one named
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    parsed = parse_typed_time(text, BERLIN, TODAY)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a date and time, e.g. 4 Dec 2026 17:05"),
        ("banana", "'banana' is not a date and time: type e.g. 4 Dec 2026 17:05"),
        ("Fri 4 Dec 2026 17:05:30", "'Fri 4 Dec 2026 17:05:30': times are whole minutes: type 17:05 without"),
        ("16:30:17", "times are whole minutes"),
        ("Thu 4 Dec 2026 17:05", "'Thu 4 Dec 2026 17:05': 4 Dec 2026 is a Friday, not a Thursday."),
        ("Fry 4 Dec 2026 17:05", "'fry' is not a day of the week"),
        ("4 Dex 2026 17:05", "'dex' is not a month"),
        ("31 Feb 2026 10:00", "'31 Feb 2026 10:00': February 2026 has no day 31."),
        ("2026-02-30 10:00", "February 2026 has no day 30"),
        ("25:00", "'25:00': 25:00 is not a time of day."),
        ("13:05 pm", "13 is not an hour of a 12-hour clock"),
        ("17", "type the time with its minutes, e.g. 17:00"),
        (
            "2026-03-29 02:30",
            "'2026-03-29 02:30': 02:30 on Sun 29 Mar 2026 does not exist in Europe/Berlin (the clocks skip that hour",
        ),
        ("17:30 Berlin", "'17:30 Berlin' is not a date and time"),
    ],
)
def test_refused_with_the_value_named(text: str, message: str) -> None:
    with pytest.raises(TypedTimeError, match=re.escape(message)):
        parse_typed_time(text, BERLIN, TODAY)


def test_a_time_alone_is_today_in_the_zone_typed_in() -> None:
    assert parse_typed_time("17:05", NEW_YORK, TODAY) == datetime(2026, 12, 7, 22, 5, tzinfo=UTC)


def test_format_shows_seconds_only_when_stored_with_them() -> None:
    assert format_typed_time(FRI_1705_BERLIN, BERLIN) == "Fri 4 Dec 2026 17:05"
    assert format_typed_time(FRI_1705_BERLIN.replace(second=17), BERLIN) == "Fri 4 Dec 2026 17:05:17"
    assert format_typed_time(FRI_1705_BERLIN, NEW_YORK) == "Fri 4 Dec 2026 11:05"


def test_the_second_of_a_repeated_hour_is_formatted_with_its_offset() -> None:
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_typed_time(second, BERLIN) == "Sun 25 Oct 2026 02:30 +01:00"
    assert format_typed_time(second - timedelta(hours=1), BERLIN) == "Sun 25 Oct 2026 02:30"


def test_fold_note_says_which_occurrence_and_how_to_type_the_other() -> None:
    first = parse_typed_time("2026-10-25 02:30", BERLIN, TODAY)
    assert fold_note(first, BERLIN) == (
        "02:30 on Sun 25 Oct 2026 happens twice in Europe/Berlin (the clocks go back): this is the first, at "
        "UTC+02:00. For the second, type Sun 25 Oct 2026 02:30 +01:00."
    )
    assert fold_note(FRI_1705_BERLIN, BERLIN) == ""


def test_whole_minute_and_has_seconds() -> None:
    stray = datetime(2026, 12, 4, 16, 30, 17, 5, tzinfo=UTC)
    assert whole_minute(stray) == datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
    assert has_seconds(stray)
    assert not has_seconds(whole_minute(stray))


ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"])


@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 365 * 30),
    zone_name=ZONES,
)
def test_formatted_whole_minutes_parse_back_to_the_same_instant(minutes: int, zone_name: str) -> None:
    moment = datetime(2010, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    tz = zone(zone_name)
    text = format_typed_time(moment, tz)
    assert parse_typed_time(text, tz, TODAY) == moment
    assert parse_typed_time(text, tz, TODAY).astimezone(tz).strftime("%H:%M") in text

"""Times as exports write them, and the date order of a file (formats: tests/fixtures/exports/README.md — Zendesk
"Exporting data to a JSON, CSV, or XML file", Salesforce US-locale reports, Jira's dd/MMM/yy h:mm a)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.export_dates import (
    AmbiguousDateOrder,
    DateOrder,
    detect_date_order,
    minutes,
    needs_order,
    parse_export_time,
    signed_duration,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "order", "tz", "expected"),
    [
        ("2026-12-07 09:15", None, BERLIN, datetime(2026, 12, 7, 8, 15)),
        ("2026-12-07T08:15:00Z", None, NEW_YORK, datetime(2026, 12, 7, 8, 15)),
        ("2026-12-07 09:15:00+02:00", None, BERLIN, datetime(2026, 12, 7, 7, 15)),
        ("12/7/2026 9:15 AM", DateOrder.MDY, NEW_YORK, datetime(2026, 12, 7, 14, 15)),  # Salesforce, US
        ("12/7/2026 9:15 PM", DateOrder.MDY, NEW_YORK, datetime(2026, 12, 8, 2, 15)),
        ("12/7/2026 12:05 AM", DateOrder.MDY, UTC, datetime(2026, 12, 7, 0, 5)),
        ("12/7/2026 12:05 PM", DateOrder.MDY, UTC, datetime(2026, 12, 7, 12, 5)),
        ("11/2/2026, 9:15 AM", DateOrder.MDY, UTC, datetime(2026, 11, 2, 9, 15)),
        ("7/12/2026 09:15", DateOrder.DMY, BERLIN, datetime(2026, 12, 7, 8, 15)),  # European with slashes
        ("7.12.2026 09:15", None, BERLIN, datetime(2026, 12, 7, 8, 15)),  # dots: always day first
        ("07.12.26 09:15:30", None, UTC, datetime(2026, 12, 7, 9, 15, 30)),
        ("31/12/2026", None, UTC, datetime(2026, 12, 31)),  # a day above 12 needs no order
        ("07/Dec/26 9:15 AM", None, BERLIN, datetime(2026, 12, 7, 8, 15)),  # Jira dd/MMM/yy h:mm a
        ("07/Dec/26 9:15 PM", None, UTC, datetime(2026, 12, 7, 21, 15)),
        ("7 Dec 2026 09:15", None, UTC, datetime(2026, 12, 7, 9, 15)),
        (datetime(2026, 12, 7, 9, 14, 59, 999700), None, UTC, datetime(2026, 12, 7, 9, 15)),  # spreadsheet noise
        (date(2026, 12, 7), None, BERLIN, datetime(2026, 12, 6, 23, 0)),
    ],
)
def test_export_times_are_read_as_written(
    text: object, order: DateOrder | None, tz: ZoneInfo, expected: datetime
) -> None:
    assert parse_export_time(text, tz, order) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "the time is empty"),
        ("yesterday", "'yesterday' is not a time such as 2026-12-07 09:15, 12/7/2026 9:15 AM"),
        ("13/13/2026", "'13/13/2026' is not a time"),
        ("07/Foo/26 9:15 AM", "'07/Foo/26 9:15 AM' is not a time"),
        ("12/7/2026 13:15 PM", "is not a time"),
        ("29.3.2026 02:30", "2026-03-29 02:30 does not exist in Europe/Berlin"),
    ],
)
def test_a_bad_time_is_named(text: str, said: str) -> None:
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        parse_export_time(text, BERLIN, DateOrder.DMY)


def test_a_numeric_date_without_an_order_is_ambiguous() -> None:
    with pytest.raises(AmbiguousDateOrder):
        parse_export_time("3/2/2026 9:15 AM", UTC)


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["3/2/2026 9:15 AM", "2/27/2026 4:30 PM"], DateOrder.MDY),
        (["3/2/2026 09:15", "27/2/2026 16:30"], DateOrder.DMY),
        (["3.2.2026 09:15"], DateOrder.DMY),
        (["3/2/2026", "4/5/2026"], None),
        (["2026-03-02 09:15", "07/Dec/26 9:15 AM", None, 42], None),
    ],
)
def test_the_date_order_is_read_from_the_file(values: list[object], order: DateOrder | None) -> None:
    assert detect_date_order(values) is order


def test_dates_that_disagree_are_refused() -> None:
    with pytest.raises(ValueError, match="disagree on whether the day or the month comes first"):
        detect_date_order(["13/2/2026", "2/13/2026"])


def test_only_numeric_dates_need_an_order() -> None:
    assert needs_order(["3/2/2026"]) and not needs_order(["2026-03-02", "07/Dec/26 9:15 AM", ""])


DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(st.lists(DAYS, min_size=1, max_size=30), st.sampled_from(list(DateOrder)))
def test_the_detected_order_is_never_wrong(days: list[date], order: DateOrder) -> None:
    """Written either way, a file's dates are detected in their own order, or ambiguous when every day is ≤ 12."""
    written = [f"{d.day}/{d.month}/{d.year}" if order is DateOrder.DMY else f"{d.month}/{d.day}/{d.year}"
               for d in days]  # fmt: skip
    found = detect_date_order(written)
    if all(d.day <= 12 for d in days):
        assert found is None
    else:
        assert found is order
        assert [parse_export_time(w, UTC, found).date() for w in written] == days


@pytest.mark.parametrize(
    ("text", "expected"),
    [(42, 42), (42.0, 42), ("1,250", 1250), ("", None), (None, None), ("12.6", 13)],
)
def test_minutes(text: object, expected: int | None) -> None:
    assert minutes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2h 30m", timedelta(hours=2, minutes=30)), ("-45m", timedelta(minutes=-45)), ("-1h 5m", timedelta(minutes=-65)),
     ("3h", timedelta(hours=3)), ("1d 2h", timedelta(hours=10)), ("", None)],
)  # fmt: skip
def test_jsm_sla_times(text: str, expected: timedelta | None) -> None:
    assert signed_duration(text) == expected


def test_a_bad_sla_time_is_named() -> None:
    with pytest.raises(ValueError, match="'soon' is not an SLA time"):
        signed_duration("soon")

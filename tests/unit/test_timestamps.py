from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tamdesk.domain.timestamps import parse_timestamp, zone

BERLIN = zone("Europe/Berlin")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-06T17:30:00+01:00", datetime(2026, 3, 6, 16, 30, tzinfo=UTC)),
        ("2026-03-06T16:30Z", datetime(2026, 3, 6, 16, 30, tzinfo=UTC)),
        ("2026-03-06 17:30", datetime(2026, 3, 6, 16, 30, tzinfo=UTC)),  # naive: read in Berlin
        ("2026-07-06 17:30", datetime(2026, 7, 6, 15, 30, tzinfo=UTC)),  # summer time
        (datetime(2026, 3, 6, 17, 30), datetime(2026, 3, 6, 16, 30, tzinfo=UTC)),
        ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # ambiguous: first occurrence
    ],
)
def test_parse(value: object, expected: datetime) -> None:
    assert parse_timestamp(value, BERLIN) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-03-29 02:30", "2026-03-29 02:30 does not exist in Europe/Berlin"),
        ("yesterday", "'yesterday' is not an ISO 8601 time"),
        ("2026-02-30 10:00", "'2026-02-30 10:00' is not an ISO 8601 time"),
        ("  ", "the time is empty"),
    ],
)
def test_bad_times_are_named(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_timestamp(value, BERLIN)


@pytest.mark.parametrize("name", ["Mars/Base", "Asia", "America", "", "../etc/passwd", "/etc/localtime", "Europe/"])
def test_unknown_zone(name: str) -> None:
    """Names that are no zone (a region folder of the zone database too) are a ValueError naming them."""
    with pytest.raises(ValueError, match=f"'{re.escape(name)}' is not an IANA time zone"):
        zone(name)

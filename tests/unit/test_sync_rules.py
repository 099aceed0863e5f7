"""The pure rules of live sync: Retry-After, backoff, how the status bar words a connection's state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.sync import MAX_WAIT, Failure, SourceKind, SyncState, backoff, retry_after_seconds

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0", 0.0), ("Mon, 07 Dec 2026 12:01:30 GMT", 90.0), ("Mon, 07 Dec 2026 11:00:00 GMT", 0.0),
     (None, None), ("", None), ("soon", None), ("-5", None)],
)  # fmt: skip
def test_retry_after_is_seconds_or_a_date(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def test_backoff_doubles_from_two_seconds_and_prefers_the_servers_word() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff(1, retry_after=30) == 30.0
    assert backoff(30) == MAX_WAIT


@given(st.integers(1, 1000), st.one_of(st.none(), st.floats(0, 1e9)))
def test_a_wait_is_never_negative_nor_beyond_the_cap(attempt: int, retry_after: float | None) -> None:
    assert 0 <= backoff(attempt, retry_after) <= MAX_WAIT


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (SyncState("Zendesk", SourceKind.ZENDESK, NOW - timedelta(hours=2), Failure.UNREACHABLE),
         "Zendesk: last synced 2 h ago — unreachable"),
        (SyncState("Zendesk", SourceKind.ZENDESK, NOW - timedelta(seconds=20)), "Zendesk: last synced just now"),
        (SyncState("Acme JSM", SourceKind.JSM, None, Failure.AUTH), "Acme JSM: never synced — sign-in refused"),
        (SyncState("SF", SourceKind.SALESFORCE, NOW - timedelta(days=3), running=True), "SF: syncing…"),
        (SyncState("SF", SourceKind.SALESFORCE, NOW - timedelta(days=3)), "SF: last synced 3 days ago"),
    ],
)  # fmt: skip
def test_the_status_bar_says_when_and_what_failed(state: SyncState, text: str) -> None:
    assert state.describe(NOW) == text


def test_only_passing_failures_are_retried() -> None:
    assert {f for f in Failure if f.retry} == {Failure.UNREACHABLE, Failure.UNAVAILABLE, Failure.RATE_LIMITED}


def test_a_source_kind_reads_as_the_file_import_reads_it() -> None:
    assert SourceKind.parse("Jira") is SourceKind.JSM and SourceKind.parse("SFDC") is SourceKind.SALESFORCE
    assert SourceKind.ZENDESK.import_source.value == "zendesk"
    with pytest.raises(ValueError, match="'tamdesk' is not a source kind"):
        SourceKind.parse("tamdesk")

"""The rules of a calendar event made from a due item: its UID, its start and end, its reminder and its revision
(SEQUENCE, DTSTAMP and LAST-MODIFIED of RFC 5545 §3.8.7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.due_items import DueItem, DueKind, Revision, count_text, event_uid, is_identity, revise

IDENTITY = "0123456789abcdef"
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def _item(due: datetime | date, title: str = "Follow-up · Acme: Call back") -> DueItem:
    return DueItem(DueKind.FOLLOW_UP, "12", title, "Customer: Acme", "Acme", due, "Tess Tam")


UIDS = [
    (DueKind.FOLLOW_UP, "12", "follow-up-12@0123456789abcdef.tamdesk"),
    (DueKind.ONBOARDING_STEP, "7", "onboarding-step-7@0123456789abcdef.tamdesk"),
    (DueKind.DEFECT_UPDATE, "3-customer-9", "defect-update-3-customer-9@0123456789abcdef.tamdesk"),
    (DueKind.VP_APPRISAL, "4", "escalation-vp-4@0123456789abcdef.tamdesk"),
]


@pytest.mark.parametrize(("kind", "key", "uid"), UIDS)
def test_uid(kind: DueKind, key: str, uid: str) -> None:
    assert event_uid(kind, key, IDENTITY) == uid


@pytest.mark.parametrize(("key", "identity"), [("12", "not-hex"), ("12", "0123456789ABCDEF"), ("", IDENTITY),
                                               ("1 2", IDENTITY), ("12@x", IDENTITY)])  # fmt: skip
def test_uid_refuses_what_is_not_a_key_or_an_identity(key: str, identity: str) -> None:
    with pytest.raises(ValueError):
        event_uid(DueKind.FOLLOW_UP, key, identity)


def test_an_identity_is_sixteen_lowercase_hex_digits() -> None:
    assert is_identity(IDENTITY)
    assert not any(is_identity(x) for x in ("0123456789ABCDEF", "0123456789abcde", None, 12))


def test_a_timed_deadline_is_an_instant_in_utc_with_a_half_hour_reminder() -> None:
    tokyo = datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    item = _item(tokyo)
    assert item.start == item.end == datetime(2026, 3, 11, 1, 0, tzinfo=UTC)
    assert (item.all_day, item.reminder) == (False, timedelta(minutes=30))


def test_a_due_date_is_all_day_with_a_reminder_at_nine_the_day_before() -> None:
    item = _item(date(2026, 3, 12))
    assert (item.start, item.end, item.all_day) == (date(2026, 3, 12), date(2026, 3, 13), True)
    assert datetime(2026, 3, 12) - item.reminder == datetime(2026, 3, 11, 9, 0)


def test_a_naive_deadline_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a time zone"):
        _item(datetime(2026, 3, 11, 10, 0))


def test_the_fingerprint_follows_what_a_calendar_shows() -> None:
    same_instant = datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert _item(same_instant).fingerprint == _item(datetime(2026, 3, 11, 1, 0, tzinfo=UTC)).fingerprint
    assert _item(same_instant).fingerprint != _item(same_instant + timedelta(minutes=1)).fingerprint
    assert _item(same_instant).fingerprint != _item(same_instant, title="Other").fingerprint
    assert _item(date(2026, 3, 11)).fingerprint != _item(datetime(2026, 3, 11, tzinfo=UTC)).fingerprint


EARLIER = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
REVISIONS = [
    ("new", {}, "f1", Revision(0, NOW, "f1")),
    ("unchanged", {"u": Revision(3, EARLIER, "f1")}, "f1", Revision(3, EARLIER, "f1")),
    ("changed", {"u": Revision(3, EARLIER, "f0")}, "f1", Revision(4, NOW, "f1")),
    # a previous file stamped after this export (a clock set back): the stamp never goes back either
    ("changed, clock set back", {"u": Revision(0, NOW + timedelta(days=1), "f0")}, "f1",
     Revision(1, NOW + timedelta(days=1), "f1")),
]  # fmt: skip


@pytest.mark.parametrize(("case", "previous", "fingerprint", "expected"), REVISIONS)
def test_revise(case: str, previous: dict[str, Revision], fingerprint: str, expected: Revision) -> None:
    assert revise([("u", fingerprint)], previous, NOW + timedelta(microseconds=5)) == {"u": expected}


@given(
    previous=st.dictionaries(
        st.sampled_from("abcdef"),
        st.builds(Revision, st.integers(0, 10**6), st.datetimes(timezones=st.just(UTC)), st.sampled_from("xyz")),
    ),
    current=st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("xyz")),
)
def test_a_revision_never_goes_back(previous: dict[str, Revision], current: dict[str, str]) -> None:
    revised = revise(current.items(), previous, NOW)
    assert set(revised) == set(current)
    for uid, rev in revised.items():
        before = previous.get(uid)
        assert rev.fingerprint == current[uid]
        if before is None:
            assert (rev.sequence, rev.modified) == (0, NOW)
        elif before.fingerprint == rev.fingerprint:
            assert rev == before
        else:
            assert rev.sequence == before.sequence + 1 and rev.modified >= before.modified


@pytest.mark.parametrize(("n", "text"), [(0, "0 events"), (1, "1 event"), (2, "2 events"), (1200, "1,200 events")])
def test_count_text(n: int, text: str) -> None:
    assert count_text(n) == text

"""The timeline's pure rules: kinds, filtering and ordering of merged items, follow-up due dates and owners."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.timeline import (
    FILTER_KEYS,
    EntryKind,
    ItemSource,
    Owner,
    TimelineItem,
    check_defer,
    check_due,
    check_filter_keys,
    check_reassign,
    filter_label,
    newest_first,
    select_items,
)

BERLIN = BusinessCalendar("Europe/Berlin", country="DE")
TODAY = date(2026, 3, 10)  # a Tuesday
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("meeting", EntryKind.MEETING), ("Call", EntryKind.CALL), (" EMAIL ", EntryKind.EMAIL), ("note", EntryKind.NOTE)],
)
def test_kind_parses_value_or_label(typed: str, kind: EntryKind) -> None:
    assert EntryKind.parse(typed) is kind


def test_unknown_kind_is_one_sentence_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^Kind 'lunch' is not one of meeting, call, email, note\.$"):
        EntryKind.parse("lunch")


@pytest.mark.parametrize(
    ("key", "label"),
    [("meeting", "Meeting"), ("note", "Note"), ("ticket", "Ticket"), ("seat", "Portal seat"),
     ("onboarding", "Onboarding")],
)  # fmt: skip
def test_filter_labels(key: str, label: str) -> None:
    assert filter_label(key) == label


def _item(minutes: int, source: ItemSource = ItemSource.ENTRY, kind: EntryKind | None = EntryKind.NOTE,
          title: str = "") -> TimelineItem:  # fmt: skip
    return TimelineItem(T0 + timedelta(minutes=minutes), source, title or f"{source} {minutes}",
                        kind=kind if source is ItemSource.ENTRY else None)  # fmt: skip


ITEMS = [
    _item(0, kind=EntryKind.MEETING, title="kickoff"),
    _item(10, ItemSource.TICKET, title="ticket opened"),
    _item(20, kind=EntryKind.CALL, title="call"),
    _item(30, ItemSource.SEAT, title="seat granted"),
    _item(40, ItemSource.ESCALATION, title="escalated"),
]


@pytest.mark.parametrize(
    ("kinds", "start", "end", "titles"),
    [
        (None, None, None, ["escalated", "seat granted", "call", "ticket opened", "kickoff"]),
        (["meeting", "call"], None, None, ["call", "kickoff"]),
        (["Ticket", "seat"], None, None, ["seat granted", "ticket opened"]),
        ([], None, None, []),
        (None, T0 + timedelta(minutes=10), T0 + timedelta(minutes=30), ["call", "ticket opened"]),
        (["call"], T0 + timedelta(minutes=21), None, []),
    ],
)
def test_select_items_by_kind_and_period(kinds, start, end, titles) -> None:
    assert [i.title for i in select_items(ITEMS, kinds, start, end)] == titles


def test_unknown_filter_kind_is_named() -> None:
    with pytest.raises(ValueError, match="Kind 'lunch' is not one of meeting, call, email, note, ticket"):
        check_filter_keys(["call", "lunch"])
    assert set(FILTER_KEYS) == {"meeting", "call", "email", "note", "ticket", "escalation", "defect", "seat",
                                "onboarding"}  # fmt: skip


def test_only_entries_are_editable() -> None:
    assert [i.read_only for i in ITEMS] == [False, True, False, True, True]
    assert ITEMS[1].kind_label == "Ticket" and ITEMS[0].kind_label == "Meeting"


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 1000)), max_size=30))
def test_newest_first_is_ordered_and_stable(pairs: list[tuple[int, int]]) -> None:
    items = [TimelineItem(T0 + timedelta(minutes=m), ItemSource.TICKET, f"#{n}") for n, (m, _) in enumerate(pairs)]
    ordered = newest_first(items)
    assert sorted(ordered, key=lambda i: i.title) == sorted(items, key=lambda i: i.title)
    for a, b in itertools.pairwise(ordered):
        assert a.at > b.at or (a.at == b.at and int(a.title[1:]) < int(b.title[1:]))


@pytest.mark.parametrize(
    ("asked", "due", "messages"),
    [
        (date(2026, 3, 12), date(2026, 3, 12), ()),
        (date(2026, 3, 14), date(2026, 3, 16),
         ("Sat 14 Mar 2026 is not a business day at Acme, so the follow-up is due on the next business day, "
          "Mon 16 Mar 2026.",)),
        (date(2026, 4, 3), date(2026, 4, 7),
         ("Fri 3 Apr 2026 is a holiday (Good Friday) at Acme, so the follow-up is due on the next business day, "
          "Tue 7 Apr 2026.",)),
        (date(2026, 3, 9), date(2026, 3, 9), ("The due date Mon 9 Mar 2026 is in the past.",)),
        (date(2026, 3, 7), date(2026, 3, 9),
         ("Sat 7 Mar 2026 is not a business day at Acme, so the follow-up is due on the next business day, "
          "Mon 9 Mar 2026.", "The due date Mon 9 Mar 2026 is in the past.")),
        (TODAY, TODAY, ()),
    ],
)  # fmt: skip
def test_due_date_on_the_customers_calendar(asked: date, due: date, messages: tuple[str, ...]) -> None:
    checked = check_due(asked, TODAY, BERLIN, "Acme")
    assert (checked.due_on, checked.messages, checked.moved) == (due, messages, due != asked)


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_due_date_is_always_a_business_day_not_before_the_asked_day(asked: date) -> None:
    checked = check_due(asked, TODAY, BERLIN)
    assert BERLIN.is_business_day(checked.due_on) and checked.due_on >= asked
    assert checked.due_on - asked < timedelta(days=7)


def test_defer_to_another_day_and_not_the_same() -> None:
    assert check_defer(date(2026, 3, 12), date(2026, 3, 14), TODAY, BERLIN).due_on == date(2026, 3, 16)
    with pytest.raises(ValueError, match=r"already due on Mon 16 Mar 2026; choose another date\."):
        check_defer(date(2026, 3, 16), date(2026, 3, 15), TODAY, BERLIN)


def test_owner_is_exactly_one_and_reassign_needs_a_change() -> None:
    with pytest.raises(ValueError):
        Owner()
    with pytest.raises(ValueError):
        Owner(person_id=1, contact_id=2)
    check_reassign(Owner(person_id=1), Owner(contact_id=1), "Ana Ruiz")
    with pytest.raises(ValueError, match=r"^The follow-up is already owned by Ana Ruiz\.$"):
        check_reassign(Owner(contact_id=3), Owner(contact_id=3), "Ana Ruiz")

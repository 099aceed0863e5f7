"""An account's timeline: the TAM's own entries (meeting, call, email, note) merged with the read-only events of
the customer's tickets, escalations, defects, seats and onboarding, and the rules of the follow-ups they create.

Pure: no database, no Qt. A follow-up is due on a business day of the customer's calendar; a date that is not one
moves to the next business day and the TAM is told so; a date in the past is allowed with a warning (the promise
may be late already), never refused.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from tamdesk.domain.calendar import day_label


class EntryKind(StrEnum):
    """What kind of entry the TAM writes on a customer's timeline."""

    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    NOTE = "note"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def parse(cls, text: object) -> EntryKind:
        """Read a kind typed as its value or label, in any case.

        Raises:
            ValueError: the text is no kind; the message names it and the kinds allowed.
        """
        key = str(text).strip().casefold()
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"Kind '{text}' is not one of {allowed}.") from None


class ItemSource(StrEnum):
    """Where a timeline item comes from: the TAM's own entry, or the history of another record."""

    ENTRY = "entry"
    TICKET = "ticket"
    ESCALATION = "escalation"
    DEFECT = "defect"
    SEAT = "seat"
    ONBOARDING = "onboarding"

    @property
    def label(self) -> str:
        return "Portal seat" if self is ItemSource.SEAT else self.value.capitalize()


FILTER_KEYS: tuple[str, ...] = (
    *(k.value for k in EntryKind),
    *(s.value for s in ItemSource if s is not ItemSource.ENTRY),
)
"""What a kind filter may name: an entry kind, or the source of read-only events."""


def filter_label(key: str) -> str:
    """The label of a filter key: ``Meeting``, ``Ticket``, ``Portal seat``."""
    if key in EntryKind.__members__.values():
        return EntryKind(key).label
    return ItemSource(key).label


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One line of the merged timeline; only the TAM's own entries (``source`` ENTRY) can be edited."""

    at: datetime
    source: ItemSource
    title: str
    text: str = ""
    kind: EntryKind | None = None  # for entries only
    entry_id: int | None = None
    ticket_id: int | None = None
    escalation_id: int | None = None
    defect_id: int | None = None
    seat_id: int | None = None
    author: str = ""
    people: tuple[str, ...] = ()  # an entry's attendees, by name

    @property
    def read_only(self) -> bool:
        """Events of tickets, escalations, defects, seats and onboarding are read from their own records."""
        return self.source is not ItemSource.ENTRY

    @property
    def filter_key(self) -> str:
        """The key a kind filter matches: the entry's kind, or the event's source."""
        return self.kind.value if self.kind is not None else self.source.value

    @property
    def kind_label(self) -> str:
        return self.kind.label if self.kind is not None else self.source.label


def check_filter_keys(kinds: Iterable[str]) -> frozenset[str]:
    """The kinds of a filter, checked.

    Raises:
        ValueError: a kind is unknown; the message names it and the kinds allowed.
    """
    wanted = {str(k).strip().casefold() for k in kinds}
    for key in sorted(wanted):
        if key not in FILTER_KEYS:
            raise ValueError(f"Kind '{key}' is not one of {', '.join(FILTER_KEYS)}.")
    return frozenset(wanted)


def select_items(
    items: Iterable[TimelineItem],
    kinds: Collection[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[TimelineItem]:
    """The items of the chosen ``kinds`` (None: all) from ``start`` (included) to ``end`` (excluded), newest first.

    Items at the same instant keep the order they came in (the sort is stable), so a ticket opened and answered in
    the same second reads the same every time.
    """
    keys = check_filter_keys(kinds) if kinds is not None else None
    chosen = [
        item
        for item in items
        if (keys is None or item.filter_key in keys)
        and (start is None or item.at >= start)
        and (end is None or item.at < end)
    ]
    return newest_first(chosen)


def newest_first(items: Sequence[TimelineItem]) -> list[TimelineItem]:
    """``items`` newest first; items at the same instant keep their given order."""
    return sorted(items, key=lambda item: item.at, reverse=True)


# -- follow-ups ---------------------------------------------------------------------------------------------------


class BusinessDays(Protocol):
    """What a follow-up's due date needs of the customer's calendar."""

    def is_business_day(self, day: date) -> bool: ...

    def next_business_day(self, day: date) -> date: ...

    def holiday_name(self, day: date) -> str | None: ...


@dataclass(frozen=True)
class DueDate:
    """A follow-up's due date as checked: the day it falls due and what the TAM should be told about it."""

    due_on: date
    asked: date
    notes: tuple[str, ...] = ()  # moved to a business day (said so)
    warnings: tuple[str, ...] = ()  # in the past

    @property
    def moved(self) -> bool:
        return self.due_on != self.asked

    @property
    def messages(self) -> tuple[str, ...]:
        return (*self.notes, *self.warnings)


def _why_closed(day: date, calendar: BusinessDays) -> str:
    holiday = calendar.holiday_name(day)
    return f"a holiday ({holiday})" if holiday else "not a business day"


def check_due(asked: date, today: date, calendar: BusinessDays, customer: str = "the customer") -> DueDate:
    """Check a follow-up's due date on the customer's calendar.

    A day that is not a business day moves to the next business day (the note says so); a day before ``today``
    is kept with a warning.
    """
    due = calendar.next_business_day(asked)
    notes: tuple[str, ...] = ()
    if due != asked:
        notes = (
            f"{day_label(asked)} is {_why_closed(asked, calendar)} at {customer}, so the follow-up is due on "
            f"the next business day, {day_label(due)}.",
        )
    warnings: tuple[str, ...] = ()
    if due < today:
        warnings = (f"The due date {day_label(due)} is in the past.",)
    return DueDate(due, asked, notes, warnings)


def check_defer(
    current: date, to: date, today: date, calendar: BusinessDays, customer: str = "the customer"
) -> DueDate:
    """Check a new due date for a follow-up that is deferred.

    Raises:
        ValueError: the new date (after moving to a business day) is the date it is already due on.
    """
    checked = check_due(to, today, calendar, customer)
    if checked.due_on == current:
        raise ValueError(f"The follow-up is already due on {day_label(current)}; choose another date.")
    return checked


@dataclass(frozen=True)
class Owner:
    """Who owns a follow-up: a person of our side or a contact of the customer (exactly one)."""

    person_id: int | None = None
    contact_id: int | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.contact_id is None):
            raise ValueError("A follow-up's owner is one person of our side or one contact of the customer.")


def check_reassign(current: Owner, new: Owner, new_name: str) -> None:
    """Refuse a reassignment to the follow-up's owner.

    Raises:
        ValueError: ``new`` already owns it.
    """
    if current == new:
        raise ValueError(f"The follow-up is already owned by {new_name}.")


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 follow-up``, ``3 follow-ups``."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"

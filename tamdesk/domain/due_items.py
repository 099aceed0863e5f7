"""What falls due, as a calendar holds it: one ``DueItem`` per deadline, its stable UID and its revision.

The rules a calendar export follows (RFC 5545; the file itself is written with the ``icalendar`` package):

- **UID.** ``<kind>-<record id>@<database identity>.tamdesk``, e.g. ``follow-up-12@3f9c0a17d2b4e6a8.tamdesk``. The
  record id makes it stable across exports; the identity is a random token kept in the database, so two databases
  (two TAMs, a demo and the real one) never produce the same UID and a calendar never merges their events.
- **Revision.** Without METHOD, DTSTAMP is when the event's information last changed (RFC 5545 §3.8.7.2), as
  LAST-MODIFIED is. An export compares each event's ``fingerprint`` (what a calendar shows of it) with the one in
  the file it replaces: unchanged, the event keeps its SEQUENCE, DTSTAMP and LAST-MODIFIED, so re-exporting an
  unchanged database writes the same bytes; changed, SEQUENCE goes up by one and both stamps become the export
  time; new, SEQUENCE is 0. A calendar client therefore updates an event in place instead of adding a second one.
- **Time.** A timed deadline is an instant, written in UTC (``DTSTART:…Z``): the SLA and update clocks already ran
  on the customer's calendar in the customer's zone, and UTC shows it at the right moment in any viewer's zone. A
  due *date* (onboarding step, follow-up, renewal) is an all-day event (``VALUE=DATE``), a day on the customer's
  calendar that no zone conversion may move.
- **Reminder.** Every event carries a DISPLAY alarm: 30 minutes before a timed deadline, and at 09:00 the day before
  an all-day one (15 hours before its start at midnight), when there is still a working day to act.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

TIMED_REMINDER = timedelta(minutes=30)
"""How long before a timed deadline its reminder shows."""
ALL_DAY_REMINDER = timedelta(hours=15)
"""How long before the start (00:00) of an all-day event its reminder shows: 09:00 the day before."""

_IDENTITY = re.compile(r"[0-9a-f]{16}")


class DueKind(StrEnum):
    """The kinds of thing that fall due; the value starts the event's UID."""

    ONBOARDING_STEP = "onboarding-step"
    FOLLOW_UP = "follow-up"
    FIRST_RESPONSE = "ticket-first-response"
    TICKET_UPDATE = "ticket-update"
    DEFECT_UPDATE = "defect-update"
    ESCALATION_STEP = "escalation-step"
    VP_APPRISAL = "escalation-vp"
    RENEWAL = "renewal"

    @property
    def label(self) -> str:
        """The event's category, as calendars list it."""
        return _LABELS[self]


_LABELS = {
    DueKind.ONBOARDING_STEP: "Onboarding",
    DueKind.FOLLOW_UP: "Follow-up",
    DueKind.FIRST_RESPONSE: "First response",
    DueKind.TICKET_UPDATE: "Customer update",
    DueKind.DEFECT_UPDATE: "Defect update",
    DueKind.ESCALATION_STEP: "Escalation",
    DueKind.VP_APPRISAL: "Escalation",
    DueKind.RENEWAL: "Renewal",
}


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing that falls due.

    Attributes:
        kind: what it is.
        key: what it is of, unique within ``kind``: the record's id (``"12"``), or ids joined by ``-`` when one
            record falls due once per customer (a defect's update: ``"7-customer-3"``).
        title: the event's summary.
        description: the event's text: what, whose, when in the customer's zone.
        customer: the customer's name.
        due: a timezone-aware instant for a timed deadline, a date for an all-day one.
        owner: who is to act ("" when nobody is named).
    """

    kind: DueKind
    key: str
    title: str
    description: str
    customer: str
    due: datetime | date
    owner: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.due, datetime) and self.due.utcoffset() is None:
            raise ValueError(f"{self.kind.value}-{self.key}: a timed deadline needs a time zone")

    @property
    def all_day(self) -> bool:
        return not isinstance(self.due, datetime)

    @property
    def start(self) -> datetime | date:
        """DTSTART: the instant in UTC, or the date."""
        return self.due.astimezone(UTC) if isinstance(self.due, datetime) else self.due

    @property
    def end(self) -> datetime | date:
        """DTEND: the deadline itself for a timed one (a deadline takes no time), the next day for an all-day one."""
        start = self.start
        return start if isinstance(start, datetime) else start + timedelta(days=1)

    @property
    def reminder(self) -> timedelta:
        """How long before the start the reminder shows (a positive duration; TRIGGER is its negative)."""
        return ALL_DAY_REMINDER if self.all_day else TIMED_REMINDER

    def uid(self, identity: str) -> str:
        """The event's UID in the database whose identity is ``identity``."""
        return event_uid(self.kind, self.key, identity)

    @property
    def fingerprint(self) -> str:
        """A digest of what a calendar shows of the event; it changes when the event needs a new SEQUENCE."""
        shown = [self.kind.value, self.key, self.title, self.description, self.customer, self.owner,
                 self.start.isoformat(), self.all_day]  # fmt: skip
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:32]


def event_uid(kind: DueKind, key: str, identity: str) -> str:
    """``<kind>-<key>@<identity>.tamdesk``.

    Raises:
        ValueError: ``identity`` is not a database identity (16 lowercase hex digits) or ``key`` is empty.
    """
    if not _IDENTITY.fullmatch(identity):
        raise ValueError(f"{identity!r} is not a database identity")
    if not key or not re.fullmatch(r"[0-9a-z-]+", key):
        raise ValueError(f"{key!r} is not a record key")
    return f"{kind.value}-{key}@{identity}.tamdesk"


def is_identity(text: object) -> bool:
    """Whether ``text`` is a database identity as ``event_uid`` takes it."""
    return isinstance(text, str) and _IDENTITY.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Revision:
    """An event's revision: SEQUENCE, when it last changed (DTSTAMP and LAST-MODIFIED) and its fingerprint."""

    sequence: int
    modified: datetime
    fingerprint: str


def revise(items: Iterable[tuple[str, str]], previous: Mapping[str, Revision], now: datetime) -> dict[str, Revision]:
    """Each event's revision in the new export.

    Args:
        items: ``(uid, fingerprint)`` of every event of the new export.
        previous: the revisions of the file it replaces, by UID (empty for a first export).
        now: the export time (timezone-aware); whole seconds are kept, as iCalendar holds no fraction.
    """
    stamp = now.astimezone(UTC).replace(microsecond=0)
    revised: dict[str, Revision] = {}
    for uid, fingerprint in items:
        before = previous.get(uid)
        if before is None:
            revised[uid] = Revision(0, stamp, fingerprint)
        elif before.fingerprint == fingerprint:
            revised[uid] = before
        else:
            revised[uid] = Revision(before.sequence + 1, max(stamp, before.modified), fingerprint)
    return revised


def count_text(n: int) -> str:
    """``1 event``, ``12 events``."""
    return f"{n:,} event{'s' if n != 1 else ''}"

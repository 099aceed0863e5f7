"""The items of a customer's timeline, read from their own tables: the TAM's entries, and the read-only events of
its tickets (opened, responses and status changes, resolved), escalations (every dated entry), defects linked to its
tickets (state dates and the updates logged to this customer), portal seats (requested, granted, confirmed,
revoked) and onboarding steps done.

One customer's records only, a few queries each; nothing is stored twice, so the timeline never disagrees with the
records it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time

import peewee as pw

from tamdesk.domain.states import DefectState, EscalationState, SeatStatus, TicketEventKind
from tamdesk.domain.timeline import EntryKind, ItemSource, TimelineItem
from tamdesk.models import tables as t
from tamdesk.services.base import tuples

_ESCALATION_STATES = {s.value for s in EscalationState}
_TICKET_EVENTS: dict[str, str] = {
    TicketEventKind.RESPONSE.value: "Support responded",
    TicketEventKind.WAITING_ON_CUSTOMER.value: "Waiting on the customer",
    TicketEventKind.CUSTOMER_REPLIED.value: "The customer replied",
    TicketEventKind.SOLVED.value: "Solved",
    TicketEventKind.REOPENED.value: "Reopened",
}


def _people(entry_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    if not entry_ids:
        return names
    query = (
        t.TimelineAttendee.select(t.TimelineAttendee.entry, t.Contact.full_name, t.Person.name)
        .join(t.Contact, on=t.TimelineAttendee.contact == t.Contact.id, join_type=pw.JOIN.LEFT_OUTER)
        .switch(t.TimelineAttendee)
        .join(t.Person, on=t.TimelineAttendee.person == t.Person.id, join_type=pw.JOIN.LEFT_OUTER)
        .where(t.TimelineAttendee.entry.in_(entry_ids))
        .order_by(t.TimelineAttendee.id)
    )
    for entry_id, contact, person in tuples(query):
        names.setdefault(entry_id, []).append(contact or person or "")
    return names


def entry_items(customer_id: int) -> list[TimelineItem]:
    """The customer's own entries, with their attendees' names."""
    entries = list(t.TimelineEntry.select().where(t.TimelineEntry.customer == customer_id))
    people = _people([e.id for e in entries])
    items = []
    for e in entries:
        kind = EntryKind(e.kind)
        items.append(
            TimelineItem(
                e.at,
                ItemSource.ENTRY,
                e.title or kind.label,
                e.body,
                kind,
                entry_id=e.id,
                author=e.author,
                people=tuple(people.get(e.id, [])),
            )
        )
    return items


def _within(column: pw.Field, start: datetime | None, end: datetime | None) -> pw.Expression:
    """``column`` from ``start`` (included) to ``end`` (excluded); either end open when None."""
    test = column.is_null(False)
    if start is not None:
        test &= column >= start
    if end is not None:
        test &= column < end
    return test


def _ticket_items(customer_id: int, start: datetime | None, end: datetime | None) -> list[TimelineItem]:
    rows = tuples(
        t.Ticket.select(t.Ticket.id, t.Ticket.number, t.Ticket.subject, t.Ticket.opened_at, t.Ticket.resolved_at)
        .where((t.Ticket.customer == customer_id)
               & (_within(t.Ticket.opened_at, start, end) | _within(t.Ticket.resolved_at, start, end)))
    )  # fmt: skip
    items: list[TimelineItem] = []
    for tid, number, subject, opened, resolved in rows:
        items.append(TimelineItem(opened, ItemSource.TICKET, f"Ticket {number} opened", subject, ticket_id=tid))
        if resolved is not None:
            items.append(TimelineItem(resolved, ItemSource.TICKET, f"Ticket {number} resolved", subject, ticket_id=tid))
    events = (
        t.TicketEvent.select(t.TicketEvent.ticket, t.Ticket.number, t.TicketEvent.at, t.TicketEvent.kind,
                             t.TicketEvent.note, t.TicketEvent.author)
        .join(t.Ticket)
        .where((t.Ticket.customer == customer_id) & _within(t.TicketEvent.at, start, end))
        .order_by(t.TicketEvent.at, t.TicketEvent.id)
    )  # fmt: skip
    for tid, number, at, kind, note, author in tuples(events):
        label = _TICKET_EVENTS.get(kind, str(kind).replace("_", " ").capitalize())
        items.append(TimelineItem(at, ItemSource.TICKET, f"Ticket {number}: {label}", note, ticket_id=tid,
                                  author=author))  # fmt: skip
    return items


def _escalation_items(customer_id: int, start: datetime | None, end: datetime | None) -> list[TimelineItem]:
    query = (
        t.EscalationEntry.select(t.EscalationEntry.escalation, t.Ticket.number, t.Ticket.id, t.EscalationEntry.at,
                                 t.EscalationEntry.state, t.EscalationEntry.text, t.EscalationEntry.author)
        .join(t.Escalation)
        .join(t.Ticket)
        .where((t.Ticket.customer == customer_id) & _within(t.EscalationEntry.at, start, end))
        .order_by(t.EscalationEntry.at, t.EscalationEntry.id)
    )  # fmt: skip
    items = []
    for eid, number, tid, at, state, text, author in tuples(query):
        what = f": {EscalationState(state).label}" if state in _ESCALATION_STATES else ""
        items.append(TimelineItem(at, ItemSource.ESCALATION, f"Escalation #{eid} of {number}{what}", text,
                                  ticket_id=tid, escalation_id=eid, author=author))  # fmt: skip
    return items


def _midnight(day: date | str) -> datetime:
    value = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    return datetime.combine(value, time(), UTC)


_DEFECT_DATES = (
    ("reported_at", DefectState.REPORTED),
    ("validated_at", DefectState.VALIDATED),
    ("escalated_at", DefectState.ESCALATED),
    ("prioritized_at", DefectState.PRIORITIZED),
    ("fix_started_at", DefectState.FIX_IN_PROGRESS),
    ("closed_at", DefectState.CLOSED),
)


def _defect_items(customer_id: int) -> list[TimelineItem]:
    defects = list(
        t.Defect.select().join(t.DefectTicket).join(t.Ticket).where(t.Ticket.customer == customer_id).distinct()
    )
    items: list[TimelineItem] = []
    for d in defects:
        name = f"Defect #{d.id}" + (f" ({d.engineering_key})" if d.engineering_key else "")
        for column, state in _DEFECT_DATES:
            at = getattr(d, column)
            if at is not None:
                items.append(TimelineItem(at, ItemSource.DEFECT, f"{name}: {state.label}", d.title, defect_id=d.id))
        if d.deployed_on is not None:
            version = f" in {d.fix_version}" if d.fix_version else ""
            items.append(TimelineItem(_midnight(d.deployed_on), ItemSource.DEFECT, f"{name}: fix deployed{version}",
                                      d.title, defect_id=d.id))  # fmt: skip
    ids = [d.id for d in defects]
    if ids:
        updates = (
            t.DefectUpdate.select()
            .where(t.DefectUpdate.defect.in_(ids) & (t.DefectUpdate.customer == customer_id))
            .order_by(t.DefectUpdate.at, t.DefectUpdate.id)
        )
        for u in updates:
            items.append(TimelineItem(u.at, ItemSource.DEFECT, f"Defect #{u.defect_id}: customer updated", u.text,
                                      defect_id=u.defect_id, author=u.author))  # fmt: skip
    return items


def _seat_items(customer_id: int) -> list[TimelineItem]:
    items = []
    for s in t.PortalSeat.select().where(t.PortalSeat.customer == customer_id):
        who = f"{s.full_name} <{s.email}>"
        for at, what in (
            (s.requested_at, SeatStatus.REQUESTED.label),
            (s.granted_at, SeatStatus.GRANTED.label),
            (s.welcome_confirmed_at, "Welcome confirmed"),
            (s.revoked_at, SeatStatus.REVOKED.label),
        ):
            if at is not None:
                text = who + (f"\n{s.revoke_reason}" if what == SeatStatus.REVOKED.label and s.revoke_reason else "")
                items.append(TimelineItem(at, ItemSource.SEAT, f"Seat {s.seat_no}: {what.lower()}", text, seat_id=s.id))
    return items


def _onboarding_items(customer_id: int) -> list[TimelineItem]:
    query = t.OnboardingStep.select().where(
        (t.OnboardingStep.customer == customer_id) & t.OnboardingStep.done_at.is_null(False)
    )
    return [
        TimelineItem(s.done_at, ItemSource.ONBOARDING, f"Onboarding: {s.title}", s.note, author=s.done_by)
        for s in query
    ]


def event_items(
    customer_id: int,
    sources: Collection[ItemSource] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[TimelineItem]:
    """The read-only events of the customer from the ``sources`` chosen (None: all), in no particular order.

    The ticket and escalation queries (the long ones) read only ``start`` to ``end``; the other sources are short
    and the caller keeps what falls in the period.
    """
    readers: dict[ItemSource, Callable[[], list[TimelineItem]]] = {
        ItemSource.TICKET: lambda: _ticket_items(customer_id, start, end),
        ItemSource.ESCALATION: lambda: _escalation_items(customer_id, start, end),
        ItemSource.DEFECT: lambda: _defect_items(customer_id),
        ItemSource.SEAT: lambda: _seat_items(customer_id),
        ItemSource.ONBOARDING: lambda: _onboarding_items(customer_id),
    }
    return [item for source, read in readers.items() if sources is None or source in sources for item in read()]

"""Taking back what was done to a ticket (an edit, an event recorded) and doing it again.

An edit's own traces go with it: the status events it recorded (through ``delete_event``) and its dated severity
change (through ``undo_severity_change``), so status and SLA are derived from the same history as before the edit.
An event taken back leaves the status it found where its history no longer decides it (an Open set by hand, say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    DomainError,
    NotFound,
    StaleEdit,
    ValidationFailed,
    record_audit,
    save_versioned,
)
from tamdesk.services.tickets import (
    TicketEdit,
    add_event,
    delete_event,
    history_trace,
    stored_values,
    sync_status,
    ticket_input,
    tickets_numbered,
    undo_severity_change,
    update_ticket,
)

__all__ = ["RecordedEvent", "record_event", "redo_ticket_edit", "take_back_event", "undo_ticket_edit"]


def undo_ticket_edit(ctx: Context, edit: TicketEdit) -> int:
    """Put the ticket back as it was before ``edit``: its fields, status and resolved time, without the events and
    severity change the edit recorded; returns the ticket's version afterwards (for ``redo_ticket_edit``).

    Raises:
        DomainError: one sentence when the ticket changed since the edit (saved again, an event recorded, corrected
            or deleted, its severity changed) or its old number is taken meanwhile; nothing is written. NotFound.
    """
    with database.atomic():
        ticket = t.Ticket.get_or_none(t.Ticket.id == edit.ticket_id)
        if ticket is None:
            raise NotFound(f"Ticket {edit.after.number.strip()} no longer exists, so its edit is not undone.")
        if _changed_since(ticket, edit):
            raise DomainError(f"Ticket {ticket.number} was changed since it was edited, so the edit is not undone.")
        old_number = edit.before.number
        taken = next((c for c in tickets_numbered(old_number) if c.id != ticket.id), None)
        if taken is not None:
            raise DomainError(
                f"Ticket {taken.number} was added since {old_number} was renumbered {ticket.number}, "
                "so the edit is not undone."
            )
        if edit.severity_change_id is not None:
            undo_severity_change(ctx, edit.severity_change_id)
        for event_id in reversed(edit.event_ids):
            delete_event(ctx, event_id, 1)
        ticket = t.Ticket.get_by_id(ticket.id)
        restore = {**stored_values(edit.before), "resolved_at": edit.before_resolved_at}
        current = {k: getattr(ticket, f"{k}_id" if k in ("customer", "reporter") else k) for k in restore}
        save_versioned(ticket, ticket.version, {k: v for k, v in restore.items() if current[k] != v})
        edited, undone = stored_values(edit.after), stored_values(edit.before)
        fields = sorted(k for k in undone if undone[k] != edited[k])
        record_audit(
            ctx, entity="ticket", entity_id=ticket.id, customer=ticket.customer_id, action="undo_edit",
            summary=f"Ticket {ticket.number}: edit undone ({', '.join(fields)})",
            before={k: edited[k] for k in fields}, after={k: undone[k] for k in fields},
        )  # fmt: skip
        return int(ticket.version)


def _changed_since(ticket: t.Ticket, edit: TicketEdit) -> bool:
    """Whether ``ticket`` is not as ``edit`` left it: its fields, resolved time or history differ (a change taken
    back since, by an undo, leaves it as it was)."""
    now = (stored_values(ticket_input(ticket)), ticket.resolved_at, history_trace(ticket.id))
    return now != (stored_values(edit.after), edit.after_resolved_at, edit.trace)


def redo_ticket_edit(ctx: Context, edit: TicketEdit, expected_version: int) -> TicketEdit:
    """Make an undone edit again (its status and severity changes at the times first recorded); returns the new
    edit, to undo once more.

    Raises:
        DomainError: one sentence when the ticket changed after the undo (``expected_version`` is the version the
            undo returned) or the edit no longer passes the checks (its number taken meanwhile, say). NotFound.
    """
    number = edit.before.number
    try:
        redone = update_ticket(ctx, edit.ticket_id, expected_version, edit.after)
    except StaleEdit:
        raise DomainError(
            f"Ticket {number} was changed since its edit was undone, so the edit is not made again."
        ) from None
    except ValidationFailed as exc:
        raise DomainError(f"The edit of ticket {number} is not made again: {exc}") from None
    if redone is None:  # unreachable while the version matches: the undo left the values before the edit
        raise DomainError(f"Ticket {number} already holds that edit.")
    return redone


# -- an event recorded, and taken back --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedEvent:
    """An event just recorded, with the ticket's status before and after it."""

    ticket_id: int
    event_id: int
    status_before: TicketStatus
    resolved_before: datetime | None
    status_after: TicketStatus


def record_event(ctx: Context, ticket_id: int, kind: TicketEventKind, at: datetime, note: str = "") -> RecordedEvent:
    """Record an event as ``add_event`` does, remembering the status it found (for ``take_back_event``)."""
    with database.atomic():
        ticket = t.Ticket.get_or_none(t.Ticket.id == ticket_id)
        if ticket is None:
            raise NotFound(f"Ticket #{ticket_id} no longer exists.")
        event_id = add_event(ctx, ticket_id, kind, at, note)
        after = TicketStatus(t.Ticket.get_by_id(ticket_id).status)
        return RecordedEvent(ticket_id, event_id, TicketStatus(ticket.status), ticket.resolved_at, after)


def take_back_event(ctx: Context, recorded: RecordedEvent) -> None:
    """Delete the event ``recorded`` (``delete_event``); while it is still the ticket's latest word and the status is
    the one it gave, the status it found returns, and the events left decide as ever where they do.

    Raises:
        NotFound: the event was deleted meanwhile. DomainError: it was corrected since.
    """
    with database.atomic():
        event = t.TicketEvent.get_or_none(t.TicketEvent.id == recorded.event_id)
        ticket = t.Ticket.get_or_none(t.Ticket.id == recorded.ticket_id)
        latest = (
            event is not None
            and ticket is not None
            and TicketStatus(ticket.status) is recorded.status_after
            and not ticket.events.where(
                (t.TicketEvent.at > event.at) | ((t.TicketEvent.at == event.at) & (t.TicketEvent.id > event.id))
            ).exists()
        )
        delete_event(ctx, recorded.event_id, 1)
        if not latest:
            return
        found = {"status": recorded.status_before.value, "resolved_at": recorded.resolved_before}
        ticket = t.Ticket.get_by_id(recorded.ticket_id)
        if (ticket.status, ticket.resolved_at) != tuple(found.values()):
            t.Ticket.update(**found, version=t.Ticket.version + 1).where(t.Ticket.id == ticket.id).execute()
            sync_status(t.Ticket.get_by_id(ticket.id))

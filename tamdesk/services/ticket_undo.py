"""Taking back an edit of a ticket (Edit ticket…) and making it again.

The edit's own traces go with it: the status events it recorded (through ``delete_event``) and its dated severity
change (through ``undo_severity_change``), so status and SLA are derived from the same history as before the edit.
"""

from __future__ import annotations

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
    delete_event,
    history_trace,
    stored_values,
    ticket_input,
    tickets_numbered,
    undo_severity_change,
    update_ticket,
)

__all__ = ["redo_ticket_edit", "undo_ticket_edit"]


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

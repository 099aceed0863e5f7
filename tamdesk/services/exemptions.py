"""Excusing an SLA breach with a reason, and taking the excuse back (issue 15, item 3).

The evaluation stays the truth (domain.exemptions): an exemption is a row beside it that reports apply on top.
Each use case is one transaction with an audit entry; the ticket detail offers Undo through ``unexcuse_breach``.
"""

from __future__ import annotations

from datetime import datetime

from tamdesk.domain.exemptions import ExemptClock, Exemption, first_response_breached, reason_problem
from tamdesk.domain.text import clean_text
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, NotFound, ValidationFailed, record_audit
from tamdesk.services.severity_history import evaluate_ticket


def _what(clock: ExemptClock, deadline: datetime | None) -> str:
    """``first response`` or ``update due 2026-12-07 14:00 UTC``."""
    if clock is ExemptClock.FIRST_RESPONSE or deadline is None:
        return "first response"
    return f"update due {deadline:%Y-%m-%d %H:%M} UTC"


def excuse_breach(ctx: Context, ticket_id: int, clock: ExemptClock, deadline: datetime | None, reason: str) -> int:
    """Excuse the ticket's first-response breach, or its update missed at ``deadline``, for ``reason``.

    Raises:
        ValidationFailed: ``reason`` is empty or too long (``errors["reason"]``); nothing is saved.
        DomainError: there is no such breach now, or it is excused already.
    """
    reason = clean_text(reason).strip()
    if (problem := reason_problem(reason)) is not None:
        raise ValidationFailed({"reason": problem})
    with database.atomic():
        ticket = t.Ticket.get_or_none(t.Ticket.id == ticket_id)
        if ticket is None:
            raise NotFound(f"Ticket #{ticket_id} no longer exists.")
        evaluated = evaluate_ticket(ticket, ctx.now())
        if clock is ExemptClock.FIRST_RESPONSE:
            deadline = None
            if not first_response_breached(evaluated.sla):
                raise DomainError(f"Ticket {ticket.number}'s first response is not breached: nothing to excuse.")
            if evaluated.excused.first_response is not None:
                raise DomainError(f"Ticket {ticket.number}'s first response is excused already.")
        else:
            missed = {d.replace(microsecond=0) for d in evaluated.missed_deadlines}
            if deadline is None or deadline.replace(microsecond=0) not in missed:
                raise DomainError(f"Ticket {ticket.number} missed no {_what(clock, deadline)}: nothing to excuse.")
            deadline = deadline.replace(microsecond=0)
            if any(e.deadline == deadline for e in evaluated.excused.updates):
                raise DomainError(f"Ticket {ticket.number}'s {_what(clock, deadline)} is excused already.")
        row = t.SlaExemption.create(
            ticket=ticket, clock=clock.value, deadline=deadline, reason=reason, author=ctx.actor, excused_at=ctx.now()
        )
        record_audit(
            ctx, entity="sla_exemption", entity_id=row.id, customer=ticket.customer_id, action="create",
            summary=f"Ticket {ticket.number}: {_what(clock, deadline)} breach excused ({reason})",
            after={"clock": clock.value, "deadline": deadline, "reason": reason},
        )  # fmt: skip
        return int(row.id)


def unexcuse_breach(ctx: Context, exemption_id: int) -> Exemption:
    """Take an exemption back: the breach counts against the SLA again. Returns what was removed (for redo).

    Raises:
        NotFound: the exemption no longer exists.
    """
    with database.atomic():
        row = t.SlaExemption.get_or_none(t.SlaExemption.id == exemption_id)
        if row is None:
            raise NotFound("That exemption no longer exists.")
        ticket = row.ticket
        clock = ExemptClock(row.clock)
        removed = Exemption(clock, row.deadline, row.reason, row.id, row.author, row.excused_at)
        row.delete_instance()
        record_audit(
            ctx, entity="sla_exemption", entity_id=exemption_id, customer=ticket.customer_id, action="delete",
            summary=f"Ticket {ticket.number}: excuse of the {_what(clock, removed.deadline)} breach taken back",
            before={"clock": clock.value, "deadline": removed.deadline, "reason": removed.reason},
        )  # fmt: skip
        return removed

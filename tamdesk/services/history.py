"""A customer's history (its audit entries) and what its record holds beyond onboarding and seats."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tamdesk.domain.states import DefectState, EscalationState, TicketStatus
from tamdesk.models import tables as t


@dataclass(frozen=True)
class AuditRow:
    """One audit entry: who changed what, when, and the values before and after."""

    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: int | None
    action: str
    summary: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def list_audit(customer_id: int, limit: int | None = None) -> list[AuditRow]:
    """The audit entries of one customer (its own, its seats' and its onboarding steps'), newest first."""
    query = (
        t.AuditEntry.select()
        .where(t.AuditEntry.customer == customer_id)
        .order_by(t.AuditEntry.at.desc(), t.AuditEntry.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditRow(e.id, e.at, e.actor, e.entity, e.entity_id, e.action, e.summary, _load(e.before), _load(e.after))
        for e in query
    ]


@dataclass(frozen=True)
class CustomerActivity:
    """How many tickets, escalations and defects a customer has, and how many are open."""

    tickets: int
    open_tickets: int
    escalations: int
    open_escalations: int
    defects: int
    open_defects: int


def customer_activity(customer_id: int) -> CustomerActivity:
    """Counts of the customer's tickets, escalations and defects (defects reach a customer through tickets)."""
    tickets = t.Ticket.select().where(t.Ticket.customer == customer_id)
    closed_tickets = [TicketStatus.SOLVED.value, TicketStatus.CLOSED.value]
    escalations = t.Escalation.select().join(t.Ticket).where(t.Ticket.customer == customer_id)
    closed_escalations = [EscalationState.RESOLVED.value, EscalationState.DECLINED.value]
    defect_ids = (
        t.DefectTicket.select(t.DefectTicket.defect).join(t.Ticket).where(t.Ticket.customer == customer_id).distinct()
    )
    defects = t.Defect.select().where(t.Defect.id.in_(defect_ids))
    closed_defects = [DefectState.FIX_DEPLOYED.value, DefectState.CLOSED.value]
    return CustomerActivity(
        tickets=tickets.count(),
        open_tickets=tickets.where(t.Ticket.status.not_in(closed_tickets)).count(),
        escalations=escalations.count(),
        open_escalations=escalations.where(t.Escalation.state.not_in(closed_escalations)).count(),
        defects=defects.count(),
        open_defects=defects.where(t.Defect.state.not_in(closed_defects)).count(),
    )

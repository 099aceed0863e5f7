"""Counts that summarize the open database (status bar, empty states, the first-run offer)."""

from __future__ import annotations

from dataclasses import dataclass

from tamdesk.domain.states import DefectState, EscalationState, TicketStatus
from tamdesk.models import tables as t


@dataclass(frozen=True)
class DatabaseCounts:
    customers: int
    seats: int
    tickets: int
    open_tickets: int
    open_escalations: int
    open_defects: int

    @property
    def empty(self) -> bool:
        return self.customers == 0


def status_counts() -> tuple[int, int]:
    """Customers (not archived) and tickets, as the status bar shows them: two counts, no more."""
    return t.Customer.select().where(~t.Customer.archived).count(), t.Ticket.select().count()


def database_counts() -> DatabaseCounts:
    closed_tickets = [TicketStatus.SOLVED.value, TicketStatus.CLOSED.value]
    closed_escalations = [EscalationState.RESOLVED.value, EscalationState.DECLINED.value]
    closed_defects = [DefectState.FIX_DEPLOYED.value, DefectState.CLOSED.value]
    return DatabaseCounts(
        customers=t.Customer.select().where(~t.Customer.archived).count(),
        seats=t.PortalSeat.select().count(),
        tickets=t.Ticket.select().count(),
        open_tickets=t.Ticket.select().where(t.Ticket.status.not_in(closed_tickets)).count(),
        open_escalations=t.Escalation.select().where(t.Escalation.state.not_in(closed_escalations)).count(),
        open_defects=t.Defect.select().where(t.Defect.state.not_in(closed_defects)).count(),
    )

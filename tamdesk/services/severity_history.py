"""Loading what SLA state is computed from besides events: severity changes and exemptions, per ticket.

Lists and reports load these for many tickets at once; only tickets whose severity changed or that have a breach
excused have rows, so each is one small query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.exemptions import Excused, ExemptClock, Exemption, apply_exemptions
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import (
    SeverityChange,
    SlaEvaluation,
    SlaPolicy,
    TicketEvent,
    TicketHistory,
    evaluate,
    missed_update_deadlines,
)
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.sla import SlaResolver


def _ids_clause(column: str, ticket_ids: Sequence[int] | None) -> tuple[str, list[object]]:
    if ticket_ids is None:
        return "", []
    marks = ", ".join([database.obj.param] * len(ticket_ids))
    return f" WHERE {column} IN ({marks})", list(ticket_ids)


def severity_changes_for(ticket_ids: Sequence[int] | None = None) -> dict[int, list[SeverityChange]]:
    """Per ticket id, its severity changes in time order (every ticket's when ``ticket_ids`` is None)."""
    if ticket_ids is not None and not ticket_ids:
        return {}
    where, params = _ids_clause("ticket_id", ticket_ids)
    sql = f"SELECT ticket_id, at, before, after FROM ticket_severity_change{where} ORDER BY ticket_id, at, id"
    found: dict[int, list[SeverityChange]] = {}
    for tid, at, before, after in database.execute_sql(sql, params):
        change = SeverityChange(datetime.fromtimestamp(at, UTC), Severity(before), Severity(after))
        found.setdefault(tid, []).append(change)
    return found


def exemptions_for(ticket_ids: Sequence[int] | None = None) -> dict[int, list[Exemption]]:
    """Per ticket id, its exemptions in the order they were made."""
    if ticket_ids is not None and not ticket_ids:
        return {}
    where, params = _ids_clause("ticket_id", ticket_ids)
    sql = f"SELECT id, ticket_id, clock, deadline, reason, author, excused_at FROM sla_exemption{where} ORDER BY id"
    found: dict[int, list[Exemption]] = {}
    for eid, tid, clock, deadline, reason, author, excused_at in database.execute_sql(sql, params):
        due = None if deadline is None else datetime.fromtimestamp(deadline, UTC)
        when = datetime.fromtimestamp(excused_at, UTC)
        found.setdefault(tid, []).append(Exemption(ExemptClock(clock), due, reason, eid, author, when))
    return found


def ticket_history(
    opened: datetime, severity: Severity, events: Sequence[TicketEvent], changes: Sequence[SeverityChange] = ()
) -> TicketHistory:
    """The history of a ticket with its severity changes.

    Changes that do not follow on from one another, or that end at another severity than the ticket's (an import
    or a sync overwrote the severity without a date), are ignored rather than fail a whole list: the ticket is then
    measured at its current severity throughout, as before changes were dated.
    """
    if changes and changes[-1].after is severity:
        try:
            return TicketHistory(opened, severity, events, changes)
        except ValueError:
            pass
    return TicketHistory(opened, severity, events)


@dataclass(frozen=True)
class EvaluatedTicket:
    """One ticket's history evaluated at ``now``, with what its exemptions excuse."""

    history: TicketHistory
    policy: SlaPolicy
    calendar: BusinessCalendar
    sla: SlaEvaluation
    missed_deadlines: tuple[datetime, ...]
    exemptions: tuple[Exemption, ...]
    excused: Excused


def evaluate_ticket(ticket: t.Ticket, now: datetime) -> EvaluatedTicket:
    """The SLA position of one ticket at ``now`` (a detail, or a check before excusing one of its breaches)."""
    resolver = SlaResolver()
    policy = resolver.policy(ticket.customer_id, ticket.opened_at)
    calendar = resolver.calendar(ticket.customer_id)
    query = ticket.events.order_by(t.TicketEvent.at, t.TicketEvent.id)
    events = [TicketEvent(e.at, TicketEventKind(e.kind)) for e in query]
    changes = severity_changes_for([ticket.id]).get(ticket.id, [])
    history = ticket_history(ticket.opened_at, Severity(ticket.severity), events, changes)
    now = max(now, history.opened)
    sla = evaluate(history, policy, calendar, now)
    missed = missed_update_deadlines(history, policy, calendar, now) if sla.missed_updates else ()
    exemptions = tuple(exemptions_for([ticket.id]).get(ticket.id, []))
    excused = apply_exemptions(sla, missed, exemptions)
    return EvaluatedTicket(history, policy, calendar, sla, missed, exemptions, excused)

"""Deleting the event an action recorded (its undo) leaves the status and SLA the events left give, with an audit
entry; an event corrected or deleted meanwhile is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, NotFound
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, delete_event, edit_event, ticket_detail

OPENED = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
W, R, S, RE, P = (
    TicketEventKind.WAITING_ON_CUSTOMER,
    TicketEventKind.RESPONSE,
    TicketEventKind.SOLVED,
    TicketEventKind.REOPENED,
    TicketEventKind.CUSTOMER_REPLIED,
)


@pytest.fixture
def ticket(db_path: Path, ctx: Context) -> int:
    acme = create_customer(ctx, CustomerInput("Acme"))
    return create_ticket(ctx, TicketInput("SUP-1", acme, "Crash", Severity.HIGH, OPENED))


def _status(ticket: int, fixed_now: datetime) -> TicketStatus:
    return ticket_detail(ticket, fixed_now).input.status


@pytest.mark.parametrize(
    ("history", "taken_back", "status"),
    [
        ((), W, TicketStatus.NEW),  # nothing else happened: new again
        ((R,), W, TicketStatus.OPEN),
        ((R, W, P), W, TicketStatus.OPEN),  # the customer had replied to the earlier wait
        ((R, W), W, TicketStatus.WAITING_ON_CUSTOMER),  # the earlier wait still holds
        ((R,), S, TicketStatus.OPEN),
        ((R, W), S, TicketStatus.WAITING_ON_CUSTOMER),
        ((R, S), RE, TicketStatus.SOLVED),
        ((R, W), P, TicketStatus.WAITING_ON_CUSTOMER),
        ((W,), R, TicketStatus.WAITING_ON_CUSTOMER),
    ],
)
def test_taking_back_the_last_event_gives_the_status_of_the_events_left(
    ticket: int, ctx: Context, fixed_now: datetime, history: tuple, taken_back: TicketEventKind, status: TicketStatus
) -> None:
    for n, kind in enumerate(history):
        add_event(ctx, ticket, kind, OPENED + timedelta(minutes=10 * (n + 1)))
    before = ticket_detail(ticket, fixed_now)
    last = add_event(ctx, ticket, taken_back, OPENED + timedelta(hours=2))
    delete_event(ctx, last, 1)
    after = ticket_detail(ticket, fixed_now)
    assert after.input.status is status
    assert after.sla == before.sla
    if not history:
        assert before.input.status is TicketStatus.NEW
    audit = t.AuditEntry.select().where(t.AuditEntry.entity == "ticket_event").order_by(t.AuditEntry.id.desc()).get()
    assert (audit.action, audit.entity_id, audit.summary) == (
        "delete",
        last,
        f"Ticket SUP-1: {taken_back.value.replace('_', ' ')} removed",
    )


def test_taking_back_a_solve_clears_the_resolved_time(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    add_event(ctx, ticket, R, OPENED + timedelta(minutes=5))
    solved = add_event(ctx, ticket, S, OPENED + timedelta(hours=1))
    assert ticket_detail(ticket, fixed_now).resolved_at == OPENED + timedelta(hours=1)
    version = t.Ticket.get_by_id(ticket).version
    delete_event(ctx, solved, 1)
    assert ticket_detail(ticket, fixed_now).resolved_at is None
    assert t.Ticket.get_by_id(ticket).version > version  # an open edit of the ticket learns of the change


def test_an_event_corrected_or_deleted_meanwhile_is_refused(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    solved = add_event(ctx, ticket, S, OPENED + timedelta(hours=1))
    edit_event(ctx, solved, 1, OPENED + timedelta(hours=1), "Fixed by the patch")
    with pytest.raises(DomainError, match=r"^This event was changed by someone else since you opened it\.$"):
        delete_event(ctx, solved, 1)
    assert _status(ticket, fixed_now) is TicketStatus.SOLVED
    delete_event(ctx, solved, 2)
    with pytest.raises(NotFound, match=r"^That event no longer exists\.$"):
        delete_event(ctx, solved, 2)

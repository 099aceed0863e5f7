"""An event recorded and taken back (its Ctrl+Z) leaves the ticket with the status and resolved time it found, also
where no event decides that status (an Open or Waiting on engineering set by hand, a Closed); where later events
decide, they do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.ticket_undo import record_event, take_back_event
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, edit_event, ticket_detail, update_ticket

OPENED = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
W, R, S, RE = (
    TicketEventKind.WAITING_ON_CUSTOMER,
    TicketEventKind.RESPONSE,
    TicketEventKind.SOLVED,
    TicketEventKind.REOPENED,
)
ST = TicketStatus


@pytest.fixture
def ticket(db_path: Path, ctx: Context) -> int:
    acme = create_customer(ctx, CustomerInput("Acme"))
    return create_ticket(ctx, TicketInput("SUP-1", acme, "Crash", Severity.HIGH, OPENED))


def _seen(ticket: int, now: datetime) -> tuple[object, ...]:
    detail = ticket_detail(ticket, now)
    return detail.input.status, detail.resolved_at, detail.sla


def _set_status(ctx: Context, ticket: int, status: TicketStatus) -> None:
    detail = ticket_detail(ticket, ctx.now())
    update_ticket(ctx, ticket, detail.version, replace(detail.input, status=status))


@pytest.mark.parametrize(
    ("history", "by_hand", "recorded", "status"),
    [
        ((), ST.OPEN, W, ST.OPEN),  # Open set by hand, with nothing in the timeline
        ((), None, R, ST.NEW),  # a response to a new ticket: new again
        ((), None, W, ST.NEW),
        ((R,), ST.WAITING_ON_ENGINEERING, S, ST.WAITING_ON_ENGINEERING),
        ((R,), ST.WAITING_ON_ENGINEERING, W, ST.WAITING_ON_ENGINEERING),
        ((R, S), ST.CLOSED, RE, ST.CLOSED),  # closed again, resolved when it was solved
        ((R, W), None, S, ST.WAITING_ON_CUSTOMER),
        ((R,), None, S, ST.OPEN),
    ],
)
def test_the_status_found_returns(
    ticket: int, ctx: Context, fixed_now: datetime, history: tuple, by_hand: TicketStatus | None, recorded, status
) -> None:
    for n, kind in enumerate(history):
        add_event(ctx, ticket, kind, OPENED + timedelta(minutes=10 * (n + 1)))
    if by_hand is not None:
        _set_status(ctx, ticket, by_hand)
    before = _seen(ticket, fixed_now)
    assert before[0] is status
    done = record_event(ctx, ticket, recorded, fixed_now - timedelta(minutes=1))
    assert _seen(ticket, fixed_now) != before
    take_back_event(ctx, done)
    assert _seen(ticket, fixed_now) == before


def test_a_later_event_decides_over_the_status_found(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    _set_status(ctx, ticket, ST.OPEN)
    waited = record_event(ctx, ticket, W, fixed_now - timedelta(minutes=30))
    add_event(ctx, ticket, W, fixed_now - timedelta(minutes=5))  # someone else, meanwhile: a later wait
    take_back_event(ctx, waited)
    assert ticket_detail(ticket, fixed_now).input.status is ST.WAITING_ON_CUSTOMER


def test_a_status_changed_by_hand_since_is_left_to_the_events(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    add_event(ctx, ticket, R, OPENED + timedelta(minutes=10))
    solved = record_event(ctx, ticket, S, fixed_now - timedelta(minutes=30))
    _set_status(ctx, ticket, ST.CLOSED)  # closed meanwhile: no event decides it, and the solve goes
    take_back_event(ctx, solved)
    assert ticket_detail(ticket, fixed_now).input.status is ST.OPEN  # as delete_event leaves a closed ticket


def test_an_event_corrected_since_is_not_taken_back(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    _set_status(ctx, ticket, ST.OPEN)
    waited = record_event(ctx, ticket, W, fixed_now - timedelta(minutes=30))
    edit_event(ctx, waited.event_id, 1, fixed_now - timedelta(minutes=20), "Asked for logs")
    with pytest.raises(DomainError, match=r"^This event was changed by someone else since you opened it\.$"):
        take_back_event(ctx, waited)
    assert ticket_detail(ticket, fixed_now).input.status is ST.WAITING_ON_CUSTOMER

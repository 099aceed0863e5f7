"""Taking back an escalation's state change: the timeline entry that recorded it goes, the state before returns with
an audit entry, and a change made meanwhile refuses it in one sentence."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import EscalationState
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, NotFound
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import (
    EscalationInput,
    add_note,
    advance_escalation,
    apprise_vp,
    escalation_detail,
    request_escalation,
    take_back_state_change,
)
from tamdesk.services.tickets import TicketInput, create_ticket

S = EscalationState


@pytest.fixture
def esc(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Slow", Severity.NORMAL, fixed_now - timedelta(hours=2)))
    return request_escalation(ctx, ticket, EscalationInput("customer", "Ana Ruiz", "Production slow", "Orders lag"))


def _states(esc: int, now: datetime) -> list[EscalationState | None]:
    return [e.state for e in escalation_detail(esc, now).timeline]


@pytest.mark.parametrize(
    ("walk", "last"),
    [
        ((), S.ACKNOWLEDGED),
        ((S.ACKNOWLEDGED,), S.MONITORING),  # a skip is taken back to where it started
        ((S.ACKNOWLEDGED, S.ACTION_PLAN, S.MONITORING), S.RESOLVED),
        ((S.ACKNOWLEDGED,), S.DECLINED),
    ],
)
def test_the_state_before_returns_and_the_entry_goes(
    esc: int, ctx: Context, fixed_now: datetime, walk: tuple[EscalationState, ...], last: EscalationState
) -> None:
    version = 1
    for state in walk:
        advance_escalation(ctx, esc, version, state)
        version += 1
    add_note(ctx, esc, "Customer called")  # a note does not move the version; it stays
    before = escalation_detail(esc, fixed_now)
    entry = advance_escalation(ctx, esc, version, last, note="done", decline_reason="Handled as a ticket")
    take_back_state_change(ctx, esc, version + 1, entry)
    after = escalation_detail(esc, fixed_now)
    assert (after.row.state, after.row.closed_at, after.decline_reason) == (before.row.state, None, "")
    assert after.timeline == before.timeline
    assert after.row.version == version + 2
    audit = t.AuditEntry.select().where(t.AuditEntry.entity == "escalation").order_by(t.AuditEntry.id.desc()).get()
    assert audit.summary == (
        f"Escalation #{esc} of ticket SUP-1: {last.label} taken back ({before.row.state.label} again)"
    )
    # and it can be made again
    advance_escalation(ctx, esc, version + 2, last, decline_reason="Handled as a ticket")
    assert escalation_detail(esc, fixed_now).row.state is last


def test_a_change_made_meanwhile_refuses_the_undo(esc: int, ctx: Context, fixed_now: datetime) -> None:
    entry = advance_escalation(ctx, esc, 1, S.ACKNOWLEDGED)
    apprise_vp(ctx, esc, 2, "Heads-up")  # someone else, meanwhile
    with pytest.raises(DomainError) as info:
        take_back_state_change(ctx, esc, 2, entry)
    assert str(info.value) == (
        f"Escalation #{esc} was changed by someone else since (it is acknowledged now); "
        "its state change was not taken back."
    )
    assert escalation_detail(esc, fixed_now).row.state is S.ACKNOWLEDGED
    assert S.ACKNOWLEDGED in _states(esc, fixed_now)


def test_only_the_entry_that_set_the_state_is_taken_back(esc: int, ctx: Context, fixed_now: datetime) -> None:
    first = advance_escalation(ctx, esc, 1, S.ACKNOWLEDGED)
    advance_escalation(ctx, esc, 2, S.ACTION_PLAN)
    with pytest.raises(DomainError, match="was changed by someone else since"):
        take_back_state_change(ctx, esc, 3, first)
    assert escalation_detail(esc, fixed_now).row.state is S.ACTION_PLAN
    with pytest.raises(NotFound):
        take_back_state_change(ctx, esc + 1, 1, first)


def test_the_request_itself_is_no_state_change_to_take_back(esc: int, ctx: Context, fixed_now: datetime) -> None:
    request = t.EscalationEntry.get(t.EscalationEntry.escalation == esc).id
    with pytest.raises(DomainError, match=rf"^Escalation #{esc} has no state change to take back\.$"):
        take_back_state_change(ctx, esc, 1, request)
    assert len(escalation_detail(esc, fixed_now).timeline) == 1

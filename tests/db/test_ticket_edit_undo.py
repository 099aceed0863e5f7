"""Taking back a saved "Edit ticket": the fields, status and resolved time before it return, the events and severity
change it recorded go (so the SLA is derived from the same history as before), with an audit entry; a ticket
changed since refuses in one sentence and keeps everything; the edit is then made again as first recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.ticket_undo import record_event, redo_ticket_edit, take_back_event, undo_ticket_edit
from tamdesk.services.tickets import (
    TicketEdit,
    TicketInput,
    add_event,
    change_severity,
    create_ticket,
    delete_event,
    edit_event,
    ticket_detail,
    update_ticket,
)

OPENED = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Mon 09:00 CET
SOLVED = TicketStatus.SOLVED


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))


@pytest.fixture
def ticket(acme: int, ctx: Context) -> int:
    ticket = create_ticket(ctx, TicketInput("SUP-12", acme, "Coordinator crash", Severity.HIGH, OPENED))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, OPENED + timedelta(minutes=30))
    return ticket


def _seen(ticket: int, now: datetime) -> tuple[object, ...]:
    """Everything the ticket window shows of the ticket: its fields, history and SLA."""
    d = ticket_detail(ticket, now)
    events = [(e.kind, e.at, e.note) for e in d.events]
    changes = [(c.at, c.before, c.after) for c in d.severity_changes]
    return d.input, d.resolved_at, events, changes, d.sla


def _edit(ctx: Context, ticket: int, **changes: object) -> TicketEdit:
    detail = ticket_detail(ticket, ctx.now())
    edit = update_ticket(ctx, ticket, detail.version, replace(detail.input, **changes))
    assert edit is not None
    return edit


EDITS = [
    pytest.param({"status": SOLVED}, id="solved"),
    pytest.param({"status": TicketStatus.WAITING_ON_CUSTOMER}, id="waiting"),
    pytest.param({"status": TicketStatus.WAITING_ON_ENGINEERING}, id="no event decides"),
    pytest.param({"severity": Severity.URGENT}, id="severity"),
    pytest.param({"severity": Severity.LOW, "status": SOLVED, "subject": "Crash at start", "engineer": "E"}, id="all"),
    pytest.param({"number": "SUP-13", "notes": "Moved", "opened_at": OPENED - timedelta(hours=1)}, id="fields"),
]


@pytest.mark.parametrize("changes", EDITS)
def test_undo_shows_the_ticket_as_before_and_redo_as_edited(
    ticket: int, ctx: Context, fixed_now: datetime, changes: dict[str, object]
) -> None:
    before = _seen(ticket, fixed_now)
    edit = _edit(ctx, ticket, **changes)
    edited = _seen(ticket, fixed_now)
    version = undo_ticket_edit(ctx, edit)
    assert _seen(ticket, fixed_now) == before
    assert ticket_detail(ticket, fixed_now).version == version
    redone = redo_ticket_edit(ctx, edit, version)
    assert _seen(ticket, fixed_now) == edited  # the status and severity changes at the times first recorded
    undo_ticket_edit(ctx, redone)
    assert _seen(ticket, fixed_now) == before


def test_a_closed_ticket_reopened_by_an_edit_is_closed_again(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    add_event(ctx, ticket, TicketEventKind.SOLVED, OPENED + timedelta(hours=2))
    _edit(ctx, ticket, status=TicketStatus.CLOSED)  # no event decides closed: set by hand
    before = _seen(ticket, fixed_now)
    edit = _edit(ctx, ticket, status=TicketStatus.WAITING_ON_CUSTOMER)  # a reopening, then the wait
    assert [e.kind for e in ticket_detail(ticket, fixed_now).events][-2:] == ["reopened", "waiting_on_customer"]
    undo_ticket_edit(ctx, edit)
    assert _seen(ticket, fixed_now) == before
    assert ticket_detail(ticket, fixed_now).input.status is TicketStatus.CLOSED


def test_an_open_status_set_by_hand_comes_back_exactly(acme: int, ctx: Context, fixed_now: datetime) -> None:
    fresh = create_ticket(ctx, TicketInput("SUP-20", acme, "Slow search", Severity.NORMAL, OPENED))
    edit = _edit(ctx, fresh, status=TicketStatus.OPEN)  # no events: the status alone
    undo_ticket_edit(ctx, edit)
    assert ticket_detail(fresh, fixed_now).input.status is TicketStatus.NEW


def test_the_undo_is_audited(ticket: int, ctx: Context) -> None:
    edit = _edit(ctx, ticket, status=SOLVED, subject="Crash at start")
    undo_ticket_edit(ctx, edit)
    entry = t.AuditEntry.select().where(t.AuditEntry.action == "undo_edit").get()
    assert (entry.entity, entry.entity_id, entry.actor) == ("ticket", ticket, "Tess Tam")
    assert entry.summary == "Ticket SUP-12: edit undone (status, subject)"
    removed = t.AuditEntry.select().where((t.AuditEntry.entity == "ticket_event") & (t.AuditEntry.action == "delete"))
    assert [e.summary for e in removed] == ["Ticket SUP-12: solved removed"]


def _save_again(ctx: Context, ticket: int, edit: TicketEdit) -> None:
    _edit(ctx, ticket, engineer="Omar")


def _respond(ctx: Context, ticket: int, edit: TicketEdit) -> None:
    add_event(ctx, ticket, TicketEventKind.RESPONSE, ctx.now())


def _correct_its_event(ctx: Context, ticket: int, edit: TicketEdit) -> None:
    edit_event(ctx, edit.event_ids[0], 1, ctx.now() - timedelta(minutes=5), "Solved on the phone")


def _delete_its_event(ctx: Context, ticket: int, edit: TicketEdit) -> None:
    delete_event(ctx, edit.event_ids[0], 1)


def _change_severity(ctx: Context, ticket: int, edit: TicketEdit) -> None:
    change_severity(ctx, ticket, ticket_detail(ticket, ctx.now()).version, Severity.NORMAL, ctx.now())


@pytest.mark.parametrize("meanwhile", [_save_again, _respond, _correct_its_event, _delete_its_event, _change_severity])
def test_an_undo_of_a_ticket_changed_since_is_refused_and_changes_nothing(
    ticket: int, ctx: Context, fixed_now: datetime, meanwhile
) -> None:
    edit = _edit(ctx, ticket, status=TicketStatus.WAITING_ON_CUSTOMER, severity=Severity.URGENT)
    meanwhile(ctx, ticket, edit)
    seen = _seen(ticket, fixed_now)
    with pytest.raises(DomainError) as info:
        undo_ticket_edit(ctx, edit)
    assert str(info.value) == "Ticket SUP-12 was changed since it was edited, so the edit is not undone."
    assert _seen(ticket, fixed_now) == seen
    assert not t.AuditEntry.select().where(t.AuditEntry.action == "undo_edit").exists()


def test_a_change_taken_back_since_does_not_stand_in_the_way(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    before = _seen(ticket, fixed_now)
    edit = _edit(ctx, ticket, status=TicketStatus.WAITING_ON_ENGINEERING, subject="Crash at start")
    waited = record_event(ctx, ticket, TicketEventKind.WAITING_ON_CUSTOMER, fixed_now - timedelta(minutes=1))
    take_back_event(ctx, waited)  # Ctrl+Z of a later step: the ticket is as the edit left it
    undo_ticket_edit(ctx, edit)
    assert _seen(ticket, fixed_now) == before


def test_an_undo_whose_old_number_was_taken_meanwhile_is_refused(ticket: int, acme: int, ctx: Context) -> None:
    edit = _edit(ctx, ticket, number="SUP-13")
    create_ticket(ctx, TicketInput("sup-12", acme, "Another", Severity.LOW, OPENED))
    with pytest.raises(DomainError) as info:
        undo_ticket_edit(ctx, edit)
    assert str(info.value) == "Ticket sup-12 was added since SUP-12 was renumbered SUP-13, so the edit is not undone."


def test_a_redo_after_a_change_is_refused(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    edit = _edit(ctx, ticket, status=SOLVED)
    version = undo_ticket_edit(ctx, edit)
    _edit(ctx, ticket, subject="Crash at start")
    seen = _seen(ticket, fixed_now)
    with pytest.raises(DomainError) as info:
        redo_ticket_edit(ctx, edit, version)
    assert str(info.value) == "Ticket SUP-12 was changed since its edit was undone, so the edit is not made again."
    assert _seen(ticket, fixed_now) == seen


def test_an_edit_that_changes_nothing_has_nothing_to_undo(ticket: int, ctx: Context) -> None:
    detail = ticket_detail(ticket, ctx.now())
    assert update_ticket(ctx, ticket, detail.version, detail.input) is None

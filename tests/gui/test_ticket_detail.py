"""A ticket in full: both clocks explained, the timeline, events recorded by clicking and corrected afterwards,
and the ticket dialog's severity definitions and seat-holder reporters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, ticket_detail
from tamdesk.views.ticket_detail import EventDialog, TicketDetailDialog
from tamdesk.views.ticket_dialog import TicketDialog
from tamdesk.views.undo import undo_stack

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # Tue 15:30 CET


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(
        ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE", email_domains=("acme.com",))
    )


def _ticket(ctx: Context, customer: int, severity: Severity, opened: datetime, number: str = "SUP-1") -> int:
    return create_ticket(ctx, TicketInput(number, customer, "Coordinator crash", severity, opened))


def _dialog(qtbot, ctx: Context, ticket_id: int) -> TicketDetailDialog:
    dialog = TicketDetailDialog(ctx, ticket_id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    return dialog


def _timeline(dialog: TicketDetailDialog) -> list[str]:
    return [entry.what for entry in dialog.model.rows()]


def test_both_clocks_are_explained_with_policy_and_zone(qtbot, acme: int, ctx: Context) -> None:
    opened = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # Tue 14:00 CET
    dialog = _dialog(qtbot, ctx, _ticket(ctx, acme, Severity.HIGH, opened))
    assert dialog.first_response.text() == (
        "First response due Tue 10 Mar 16:00 CET: 2 business hours from Tue 14:00, "
        "hours 09:00–18:00 Mon–Fri, Europe/Berlin, DE holidays"
    )
    assert dialog.updates.text() == "Update clock starts with the first response."
    assert dialog.sla_state.text() == "⚠ Response due in 30 m  (At risk)"
    assert "SLA policy applied: Standard v1" in dialog.policy.text()
    assert "Europe/Berlin" in dialog.policy.text() and "15:30 CET" in dialog.policy.text()
    assert dialog.heading.text() == "Ticket SUP-1: Coordinator crash"
    assert "Acme · Sev2 High · New" in dialog.subtitle.text()
    assert _timeline(dialog) == ["Opened"]


def test_recording_a_response_by_clicking_moves_the_sla(qtbot, acme: int, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(minutes=30)))
    assert dialog.sla_state.text() == "Response due in 30 m"
    assert not dialog.record_buttons["update"].isEnabled()  # no first response yet
    dialog.record_buttons["response"].click()
    assert dialog.sla_state.text() == "Update due in 2 h"
    assert dialog.first_response_state.text() == "First response met (Tue 10 Mar 15:30 CET)"  # in the due's zone
    assert dialog.updates.text().startswith("Next update due Tue 10 Mar 17:30 CET: 2 hours from Tue 15:30, 24×7")
    assert _timeline(dialog) == ["Opened", "Response"]
    assert dialog.changed
    assert dialog.record_buttons["update"].isEnabled()


def test_the_time_of_an_event_is_editable_before_recording(qtbot, acme: int, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=3)))
    dialog.record_at.set_value(NOW - timedelta(hours=4))  # before the ticket was opened
    dialog.record_buttons["response"].click()
    assert dialog.record_message.isVisible()
    assert "is before ticket SUP-1 was opened" in dialog.record_message.text()
    assert _timeline(dialog) == ["Opened"]
    dialog.record_at.set_value(NOW - timedelta(hours=2, minutes=30))
    assert not dialog.record_message.isVisible()
    qtbot.keyClicks(dialog.record_note, "Called the on-call engineer")
    dialog.record_buttons["response"].click()
    assert dialog.model.rows()[1].at == NOW - timedelta(hours=2, minutes=30)
    assert dialog.model.rows()[1].note == "Called the on-call engineer"
    assert dialog.first_response_state.text().startswith("First response met")


def test_waiting_pauses_and_a_reply_resumes(qtbot, acme: int, ctx: Context) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=1))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(minutes=50))
    dialog = _dialog(qtbot, ctx, ticket)
    assert not dialog.record_buttons["replied"].isEnabled()
    dialog.record_at.set_value(NOW - timedelta(minutes=20))
    dialog.record_buttons["waiting"].click()
    assert dialog.sla_state.text() == "‖ Paused · waiting on customer"
    assert dialog.updates.text() == "Update clock paused: waiting on the customer."
    assert dialog.record_buttons["replied"].isEnabled()
    assert not dialog.record_buttons["waiting"].isEnabled()
    assert dialog.record_at.value() == NOW  # back to "now" after each record
    dialog.record_buttons["replied"].click()
    assert dialog.sla_state.text().startswith("Update due in")


def test_enter_after_waiting_on_customer_cannot_solve_the_ticket(qtbot, acme: int, ctx: Context) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=1))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(minutes=50))
    dialog = _dialog(qtbot, ctx, ticket)
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.record_buttons["waiting"].setFocus()
    qtbot.keyClick(dialog.record_buttons["waiting"], Qt.Key.Key_Space)  # clicked from the keyboard
    assert dialog.sla_state.text() == "‖ Paused · waiting on customer"
    assert dialog.focusWidget() is dialog.record_note
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert _timeline(dialog)[-1] == "Waiting on customer"
    assert dialog.record_buttons["solved"].isEnabled()  # still open


def test_solved_then_reopened(qtbot, acme: int, ctx: Context) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=1))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(minutes=50))
    dialog = _dialog(qtbot, ctx, ticket)
    assert not dialog.record_buttons["reopened"].isEnabled()
    dialog.record_at.set_value(NOW - timedelta(minutes=10))
    dialog.record_buttons["solved"].click()
    assert dialog.sla_state.text() == "✓ Solved · SLA met"
    assert "Solved" in dialog.subtitle.text()
    assert dialog.record_buttons["reopened"].isEnabled()
    assert not dialog.record_buttons["solved"].isEnabled()
    dialog.record_buttons["reopened"].click()
    assert dialog.sla_state.text() == "Update due in 2 h"
    assert ticket_detail(ticket, NOW).input.status is TicketStatus.OPEN


def test_a_late_response_corrected_afterwards(qtbot, acme: int, ctx: Context) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=3))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(hours=1))  # 1 h late
    dialog = _dialog(qtbot, ctx, ticket)
    assert dialog.first_response_state.text().startswith("✖ First response missed: 1 h late")
    entry = dialog.model.rows()[1]
    assert entry.event is not None
    dialog.table.selectRow(1)
    assert dialog.edit_event_button.isEnabled()
    editor = EventDialog(ctx, entry.event, "Europe/Berlin", dialog)
    qtbot.addWidget(editor)
    editor.show()
    editor.at.set_value(NOW + timedelta(hours=1))
    editor.save()
    assert editor.at_message.isVisible() and "is in the future" in editor.at_message.text()
    editor.at.set_value(NOW - timedelta(hours=2, minutes=40))
    assert editor.at.hint.text() == "= Tue 10 Mar 12:50 CET, the customer's time"
    editor.save()
    assert editor.result() == editor.DialogCode.Accepted
    dialog.load()
    assert dialog.first_response_state.text().startswith("First response met")


def test_deleting_an_event_after_a_confirm(qtbot, acme: int, ctx: Context, monkeypatch) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=3))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(hours=1))
    dialog = _dialog(qtbot, ctx, ticket)
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog.table.selectRow(0)
    assert not dialog.delete_event_button.isEnabled()  # the opening is no event
    dialog.table.selectRow(1)
    dialog.delete_selected_event()
    assert asked and asked[0].startswith("Delete “Response”")
    assert _timeline(dialog) == ["Opened"]
    assert dialog.sla_state.text().startswith("✖ Response breached")
    undo_stack().undo()  # Edit › Undo brings the response back
    dialog.load()
    assert _timeline(dialog) == ["Opened", "Response"]
    undo_stack().redo()
    dialog.load()
    assert _timeline(dialog) == ["Opened"]


def test_a_ticket_that_no_longer_exists_is_a_message(qtbot, db_path: Path, ctx: Context, monkeypatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: said.append(text))
    dialog = TicketDetailDialog(ctx, 999)
    qtbot.addWidget(dialog)
    assert not dialog.load()
    assert said == ["Ticket #999 no longer exists."]


# -- the ticket dialog ----------------------------------------------------------------------------------------


def test_severity_is_chosen_beside_its_definition_and_targets(qtbot, acme: int, ctx: Context) -> None:
    dialog = TicketDialog(ctx, customer_id=acme)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.severity.value() is None
    urgent = dialog.severity.targets[Severity.URGENT].text()
    assert urgent == "First response within 1 hour · an update every 2 hours · 24×7 (Standard v1)"
    assert dialog.severity.targets[Severity.NORMAL].text().startswith("First response within 1 business day")
    assert dialog.severity.buttons[Severity.URGENT].accessibleDescription() == Severity.URGENT.definition
    assert dialog.opened_at.zone_switch.itemText(1) == "Customer's time (Europe/Berlin)"
    assert dialog.opened_at.hint.text().endswith("CET, the customer's time")


def test_reporter_is_one_of_the_customers_seat_holders(qtbot, acme: int, ctx: Context) -> None:
    seat = request_seat(ctx, acme, SeatInput("Ana Lima", "ana@acme.com"))
    other = create_customer(ctx, CustomerInput("Globex", time_zone="UTC"))
    dialog = TicketDialog(ctx, customer_id=acme)
    qtbot.addWidget(dialog)
    assert [dialog.reporter.itemText(i) for i in range(dialog.reporter.count())] == [
        "Not recorded",
        "Ana Lima <ana@acme.com>",
    ]
    dialog.customer.setCurrentIndex(dialog.customer.findData(str(other)))
    assert dialog.reporter.itemText(0) == "No seat holders yet"
    dialog.customer.setCurrentIndex(dialog.customer.findData(str(acme)))
    dialog.reporter.setCurrentIndex(1)
    dialog.number.setText("SUP-7")
    dialog.subject.setText("Portal login fails")
    dialog.severity.buttons[Severity.LOW].click()
    dialog.opened_at.set_value(NOW - timedelta(hours=1))
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    detail = ticket_detail(dialog.ticket_id, NOW)
    assert (detail.input.reporter_seat_id, detail.reporter) == (seat, "Ana Lima")


def test_editing_a_ticket_from_the_detail(qtbot, acme: int, ctx: Context) -> None:
    ticket = _ticket(ctx, acme, Severity.NORMAL, NOW - timedelta(hours=1))
    detail = ticket_detail(ticket, NOW)
    dialog = TicketDialog(ctx, detail)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit ticket SUP-1"
    assert dialog.severity.value() is Severity.NORMAL
    dialog.severity.buttons[Severity.URGENT].click()
    dialog.engineer.setCurrentText("Sam Support")
    dialog.opened_at.set_value(NOW + timedelta(days=1))
    dialog.save()
    assert "is in the future" in dialog.messages["opened_at"].text()
    dialog.opened_at.set_value(NOW - timedelta(hours=1))
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = ticket_detail(ticket, NOW)
    assert (saved.input.severity, saved.input.engineer) == (Severity.URGENT, "Sam Support")


def _berlin(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=ZoneInfo("Europe/Berlin"))


def test_the_update_explanation_agrees_with_the_state_after_a_pause(qtbot, acme: int) -> None:
    ctx = Context(actor="Tess Tam", clock=lambda: _berlin(25, 9))  # Wed 25 Nov 2026 09:00 CET
    ticket_id = _ticket(ctx, acme, Severity.HIGH, _berlin(23, 8))
    add_event(ctx, ticket_id, TicketEventKind.RESPONSE, _berlin(23, 9))
    add_event(ctx, ticket_id, TicketEventKind.WAITING_ON_CUSTOMER, _berlin(23, 10))
    add_event(ctx, ticket_id, TicketEventKind.CUSTOMER_REPLIED, _berlin(24, 10))
    dialog = _dialog(qtbot, ctx, ticket_id)
    assert dialog.sla_state.text() == "✖ Update breached 15 h ago  (Breached)"  # since Tue 18:00
    assert dialog.updates.text().startswith(
        "Next update due Tue 24 Nov 18:00 CET: 1 business day from Mon 09:00, paused 24 h while waiting on the "
        "customer, hours 09:00–18:00 Mon–Fri"
    )


def test_the_update_explanation_restarts_at_a_reopening(qtbot, acme: int) -> None:
    ctx = Context(actor="Tess Tam", clock=lambda: _berlin(26, 5))
    ticket_id = _ticket(ctx, acme, Severity.URGENT, _berlin(25, 21))
    add_event(ctx, ticket_id, TicketEventKind.RESPONSE, _berlin(25, 21) + timedelta(minutes=30))
    add_event(ctx, ticket_id, TicketEventKind.SOLVED, _berlin(25, 22))
    add_event(ctx, ticket_id, TicketEventKind.REOPENED, _berlin(26, 2))
    dialog = _dialog(qtbot, ctx, ticket_id)
    assert dialog.sla_state.text() == "✖ Update breached 1 h ago  (Breached)"  # since Thu 04:00
    assert dialog.updates.text().startswith(
        "Next update due Thu 26 Nov 04:00 CET: 2 hours from the reopening at Thu 02:00, 24×7"
    )


def test_a_late_response_and_the_solve_read_in_the_customers_zone_like_the_due(qtbot, acme: int, ctx: Context) -> None:
    ticket_id = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=4))  # Tue 11:30 CET
    add_event(ctx, ticket_id, TicketEventKind.RESPONSE, NOW - timedelta(hours=2))
    add_event(ctx, ticket_id, TicketEventKind.SOLVED, NOW - timedelta(hours=1))
    dialog = _dialog(qtbot, ctx, ticket_id)
    assert "due Tue 10 Mar 12:30 CET" in dialog.first_response.text()
    assert dialog.first_response_state.text() == "✖ First response missed: 1 h late (Tue 10 Mar 13:30 CET)"
    assert "solved Tue 10 Mar 14:30 CET, 3 h after it was opened" in dialog.updates_state.text()


def test_status_solved_in_the_edit_solves_the_ticket(qtbot, acme: int, ctx: Context, monkeypatch) -> None:
    ticket = _ticket(ctx, acme, Severity.HIGH, NOW - timedelta(days=1, hours=2))  # Mon 13:30 CET
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(days=1, hours=1, minutes=30))
    dialog = _dialog(qtbot, ctx, ticket)
    assert dialog.sla_state.text().startswith("✖ Update breached")

    def edit_to_solved(editor: TicketDialog) -> int:
        assert editor.status_hint.text().startswith("Solved, reopened, waiting on the customer")
        editor.status.setCurrentIndex(editor.status.findData(TicketStatus.SOLVED.value))
        editor.buttons.button(editor.buttons.StandardButton.Save).click()
        return editor.result()

    monkeypatch.setattr(TicketDialog, "exec", edit_to_solved)
    dialog.edit_button.click()
    assert dialog.sla_state.text().startswith("✓ Solved")
    assert "Solved" in dialog.subtitle.text()
    assert "solved" in dialog.updates_state.text()
    assert _timeline(dialog) == ["Opened", "Response", "Solved"]
    assert [k for k, b in dialog.record_buttons.items() if b.isEnabled()] == ["reopened"]
    assert ticket_detail(ticket, NOW).resolved_at == NOW


def test_a_new_ticket_cannot_start_solved(qtbot, acme: int, ctx: Context) -> None:
    dialog = TicketDialog(ctx, customer_id=acme)
    qtbot.addWidget(dialog)
    offered = [dialog.status.itemData(n) for n in range(dialog.status.count())]
    assert offered == ["new", "open", "waiting_on_customer", "waiting_on_engineering"]
    assert dialog.status_hint.isHidden()


def test_a_blank_form_shows_every_field_error_at_once(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = TicketDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.subject, "   ")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    shown = {key: m.text() for key, m in dialog.messages.items() if m.isVisible()}
    assert shown == {
        "number": "Ticket number is required.",
        "customer": "Choose the customer this ticket belongs to.",
        "subject": "Subject is required.",
        "severity": "Choose a severity: read each level's definition beside it.",
    }
    assert dialog.focusWidget() is dialog.number  # the first field of the form with an error
    assert dialog.isVisible() and dialog.ticket_id is None

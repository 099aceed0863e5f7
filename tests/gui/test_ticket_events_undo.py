"""What the ticket window records (waiting on customer, solved, reopened, a reply, a corrected note) is one Ctrl+Z
in that window, named after the action; undo deletes exactly that event and the status and SLA follow from the
events left; Ctrl+Shift+Z records it again; an event someone changed meanwhile is not taken back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, edit_event, ticket_detail
from tamdesk.views.ticket_detail import EventDialog, TicketDetailDialog
from tamdesk.views.undo import undo_stack

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # Tue 15:30 CET


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def ticket(db_path: Path, ctx: Context) -> int:
    acme = create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))
    ticket = create_ticket(
        ctx, TicketInput("SUP-1", acme, "Coordinator crash", Severity.URGENT, NOW - timedelta(hours=1))
    )
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(minutes=40))
    return ticket


@pytest.fixture
def dialog(qtbot, ctx: Context, ticket: int) -> TicketDetailDialog:
    dialog = TicketDetailDialog(ctx, ticket)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def _timeline(dialog: TicketDetailDialog) -> list[str]:
    return [entry.what for entry in dialog.model.rows()]


def _undo(dialog: TicketDetailDialog, qtbot) -> None:
    """Ctrl+Z where the focus is after recording: the note field (empty, so nothing of its own to undo)."""
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def _redo(dialog: TicketDetailDialog, qtbot) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Z, modifiers)


def test_waiting_on_customer_is_undone_and_redone_from_the_keyboard(
    dialog: TicketDetailDialog, ticket: int, qtbot
) -> None:
    qtbot.mouseClick(dialog.record_buttons["waiting"], Qt.MouseButton.LeftButton)
    assert dialog.sla_state.text() == "‖ Paused · waiting on customer"
    assert dialog.focusWidget() is dialog.record_note
    assert dialog.undo_action.text() == "&Undo Mark SUP-1 waiting on customer"
    _undo(dialog, qtbot)
    assert _timeline(dialog) == ["Opened", "Response"]
    assert "Sev1 Urgent · Open" in dialog.subtitle.text()
    assert dialog.sla_state.text() == "Update due in 1 h 20 m"
    assert dialog.record_buttons["waiting"].isEnabled() and not dialog.record_buttons["replied"].isEnabled()
    assert dialog.redo_action.text() == "&Redo Mark SUP-1 waiting on customer"
    _redo(dialog, qtbot)
    assert _timeline(dialog) == ["Opened", "Response", "Waiting on customer"]
    assert ticket_detail(ticket, NOW).input.status is TicketStatus.WAITING_ON_CUSTOMER
    assert dialog.sla_state.text() == "‖ Paused · waiting on customer"


def test_typing_in_the_note_is_undone_first(dialog: TicketDetailDialog, qtbot) -> None:
    qtbot.mouseClick(dialog.record_buttons["waiting"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.record_note, "Asked for logs")
    _undo(dialog, qtbot)  # the typing goes, the event stays
    assert dialog.record_note.text() == "" and _timeline(dialog)[-1] == "Waiting on customer"
    _undo(dialog, qtbot)
    assert _timeline(dialog) == ["Opened", "Response"]


def test_solved_and_reopened_are_undone_one_at_a_time(dialog: TicketDetailDialog, ticket: int, qtbot) -> None:
    dialog.record_at.set_value(NOW - timedelta(minutes=10))
    qtbot.mouseClick(dialog.record_buttons["solved"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.record_buttons["reopened"], Qt.MouseButton.LeftButton)
    assert dialog.undo_action.text() == "&Undo Reopen SUP-1"
    _undo(dialog, qtbot)
    assert dialog.sla_state.text() == "✓ Solved · SLA met"
    assert ticket_detail(ticket, NOW).input.status is TicketStatus.SOLVED
    assert dialog.undo_action.text() == "&Undo Mark SUP-1 solved"
    _undo(dialog, qtbot)
    assert ticket_detail(ticket, NOW).input.status is TicketStatus.OPEN
    assert ticket_detail(ticket, NOW).resolved_at is None
    assert _timeline(dialog) == ["Opened", "Response"] and dialog.record_buttons["solved"].isEnabled()


def test_an_event_corrected_meanwhile_is_not_taken_back(
    dialog: TicketDetailDialog, ticket: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    qtbot.mouseClick(dialog.record_buttons["solved"], Qt.MouseButton.LeftButton)
    solved = ticket_detail(ticket, NOW).events[-1]
    edit_event(ctx, solved.id, solved.version, solved.at, "Fixed by the patch")  # someone else, meanwhile
    _undo(dialog, qtbot)
    assert shown == [("Undo mark SUP-1 solved", "This event was changed by someone else since you opened it.")]
    assert ticket_detail(ticket, NOW).input.status is TicketStatus.SOLVED
    assert dialog.sla_state.text() == "✓ Solved · SLA met"


def test_a_corrected_note_is_undone(dialog: TicketDetailDialog, ticket: int, qtbot) -> None:
    dialog.table.selectRow(1)

    def correct() -> None:
        editor = QApplication.activeModalWidget()
        assert isinstance(editor, EventDialog)
        editor.note.setText("Workaround sent")
        editor.save()

    QTimer.singleShot(0, correct)
    qtbot.mouseClick(dialog.edit_event_button, Qt.MouseButton.LeftButton)
    assert [entry.note for entry in dialog.model.rows()] == ["Sev1 Urgent", "Workaround sent"]
    assert dialog.undo_action.text() == "&Undo Correct response on SUP-1"
    dialog.undo_action.trigger()
    assert [entry.note for entry in dialog.model.rows()] == ["Sev1 Urgent", ""]
    dialog.redo_action.trigger()
    assert ticket_detail(ticket, NOW).events[0].note == "Workaround sent"

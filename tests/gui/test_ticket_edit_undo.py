"""A saved "Edit ticket…" is one Ctrl+Z in the ticket window ("Undo Edit SUP-1"): the fields, status, SLA and
timeline shown before the edit return; Ctrl+Shift+Z makes the edit again; the main window's Edit › Undo names it
and its status bar says "Undone: Edit SUP-1"; a ticket changed meanwhile is not taken back, and the box says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, ticket_detail
from tamdesk.views.main_window import MainWindow
from tamdesk.views.ticket_detail import TicketDetailDialog
from tamdesk.views.ticket_dialog import TicketDialog
from tamdesk.views.undo import undo_stack

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # Tue 15:30 CET


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def ticket(db_path: Path, ctx: Context) -> int:
    acme = create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))
    opened = NOW - timedelta(hours=3)
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Coordinator crash", Severity.NORMAL, opened))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(hours=2))
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


def _edit(dialog: TicketDetailDialog, qtbot, subject: str, severity: Severity, status: str) -> None:
    """Click Edit ticket…, type a subject, click a severity, pick a status by typing its name, click Save."""

    failed: list[BaseException] = []

    def fill() -> None:
        editor = QApplication.activeModalWidget()
        assert isinstance(editor, TicketDialog)
        try:
            editor.subject.selectAll()
            qtbot.keyClicks(editor.subject, subject)
            qtbot.mouseClick(editor.severity.buttons[severity], Qt.MouseButton.LeftButton)
            editor.status.setFocus()
            qtbot.keyClicks(editor.status, status)
            assert editor.status.currentText() == status
            qtbot.mouseClick(editor.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
            assert not editor.isVisible(), [m.text() for m in editor.messages.values() if m.text()]
        except BaseException as exc:  # reported after the dialog is closed, not lost in Qt's loop
            failed.append(exc)
            editor.reject()

    QTimer.singleShot(0, fill)
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    if failed:
        raise failed[0]


def _keys(dialog: TicketDetailDialog, qtbot, modifiers: Qt.KeyboardModifier) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Z, modifiers)


def _undo(dialog: TicketDetailDialog, qtbot) -> None:
    _keys(dialog, qtbot, Qt.KeyboardModifier.ControlModifier)


def _redo(dialog: TicketDetailDialog, qtbot) -> None:
    _keys(dialog, qtbot, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def _screen(dialog: TicketDetailDialog) -> tuple[str, str, str, list[str], str]:
    timeline = [entry.what for entry in dialog.model.rows()]
    return (dialog.heading.text(), dialog.subtitle.text(), dialog.sla_state.text(), timeline,
            dialog.severity_story.text())  # fmt: skip


def test_an_edit_is_undone_and_redone_from_the_keyboard(dialog: TicketDetailDialog, ticket: int, qtbot) -> None:
    before = _screen(dialog)
    assert before[0] == "Ticket SUP-1: Coordinator crash" and "Sev3 Normal · Open" in before[1]
    assert dialog.edit_button.toolTip().endswith("Ctrl+Z takes a saved edit back.")
    _edit(dialog, qtbot, "Crash on every start", Severity.URGENT, "Waiting on customer")
    edited = _screen(dialog)
    assert edited[0] == "Ticket SUP-1: Crash on every start"
    assert "Sev1 Urgent · Waiting on customer" in edited[1]
    assert edited[2] == "‖ Paused · waiting on customer"
    assert edited[3][2:] == ["Waiting on customer", "Severity changed"]
    assert dialog.undo_action.text() == "&Undo Edit SUP-1"
    _undo(dialog, qtbot)
    assert _screen(dialog) == before
    assert undo_stack().count() == 1  # the severity change is part of the edit, not a step of its own
    assert dialog.redo_action.text() == "&Redo Edit SUP-1"
    _redo(dialog, qtbot)
    assert _screen(dialog) == edited
    assert ticket_detail(ticket, NOW).input.status is TicketStatus.WAITING_ON_CUSTOMER


def test_a_solve_by_edit_is_undone_with_its_resolved_time(dialog: TicketDetailDialog, ticket: int, qtbot) -> None:
    before = _screen(dialog)
    _edit(dialog, qtbot, "Coordinator crash", Severity.NORMAL, "Solved")
    assert dialog.sla_state.text().startswith("✓ Solved")
    assert [k for k, b in dialog.record_buttons.items() if b.isEnabled()] == ["reopened"]
    _undo(dialog, qtbot)
    assert _screen(dialog) == before
    assert ticket_detail(ticket, NOW).resolved_at is None
    assert dialog.record_buttons["solved"].isEnabled()


def test_an_edit_of_a_ticket_changed_meanwhile_is_not_undone(
    dialog: TicketDetailDialog, ticket: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    _edit(dialog, qtbot, "Crash on every start", Severity.NORMAL, "Waiting on customer")
    add_event(ctx, ticket, TicketEventKind.CUSTOMER_REPLIED, NOW)  # someone else, meanwhile
    _undo(dialog, qtbot)
    assert shown == [("Undo edit SUP-1", "Ticket SUP-1 was changed since it was edited, so the edit is not undone.")]
    assert dialog.heading.text() == "Ticket SUP-1: Crash on every start"
    assert [entry.what for entry in dialog.model.rows()][-2:] == ["Waiting on customer", "Customer replied"]


def test_the_main_window_names_the_edit_and_says_it_was_undone(
    window: MainWindow, dialog: TicketDetailDialog, ticket: int, qtbot
) -> None:
    _edit(dialog, qtbot, "Crash on every start", Severity.HIGH, "Open")
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert window.undo_action.text() == "&Undo Edit SUP-1"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Undone: Edit SUP-1"
    detail = ticket_detail(ticket, NOW)
    assert (detail.input.subject, detail.input.severity) == ("Coordinator crash", Severity.NORMAL)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.statusBar().currentMessage() == "Redone: Edit SUP-1"
    assert ticket_detail(ticket, NOW).input.severity is Severity.HIGH


def test_an_open_set_by_hand_is_open_again_when_a_wait_is_undone(
    qtbot, ctx: Context, ticket: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = create_ticket(ctx, TicketInput("SUP-2", ticket_detail(ticket, NOW).input.customer_id, "Slow search",
                                           Severity.NORMAL, NOW - timedelta(hours=1)))  # fmt: skip
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window = TicketDetailDialog(ctx, fresh)
    qtbot.addWidget(window)
    assert window.load()
    window.show()
    _edit(window, qtbot, "Slow search", Severity.NORMAL, "Open")  # no event: the status alone
    assert "Sev3 Normal · Open" in window.subtitle.text() and len(window.model.rows()) == 1
    qtbot.mouseClick(window.record_buttons["waiting"], Qt.MouseButton.LeftButton)
    assert "Waiting on customer" in window.subtitle.text()
    assert window.undo_action.text() == "&Undo Mark SUP-2 waiting on customer"
    _undo(window, qtbot)
    assert shown == []
    assert "Sev3 Normal · Open" in window.subtitle.text()
    assert ticket_detail(fresh, NOW).input.status is TicketStatus.OPEN
    _undo(window, qtbot)  # and then the edit: new again
    assert ticket_detail(fresh, NOW).input.status is TicketStatus.NEW
    assert "Sev3 Normal · New" in window.subtitle.text()


def test_a_redo_refused_is_titled_redo_and_says_why(
    window: MainWindow, dialog: TicketDetailDialog, ticket: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    _edit(dialog, qtbot, "Crash on every start", Severity.NORMAL, "Open")
    _undo(dialog, qtbot)
    add_event(ctx, ticket, TicketEventKind.WAITING_ON_CUSTOMER, NOW)  # someone else, meanwhile
    _redo(dialog, qtbot)
    assert shown == [
        ("Redo edit SUP-1", "Ticket SUP-1 was changed since its edit was undone, so the edit is not made again.")
    ]
    assert window.statusBar().currentMessage() == "Not redone: Edit SUP-1"
    assert dialog.heading.text() == "Ticket SUP-1: Coordinator crash"

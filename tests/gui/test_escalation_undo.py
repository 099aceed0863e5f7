"""An escalation advanced or declined in its window is one Ctrl+Z there, named after the change; the window shows
the state before at once, Ctrl+Shift+Z makes the change again, and a change made meanwhile refuses the undo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import EscalationInput, apprise_vp, escalation_detail, request_escalation
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.escalation_detail import AdvanceDialog, EscalationDetailDialog
from tamdesk.views.escalation_dialog import TextDialog
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.escalations import EscalationsPage
from tamdesk.views.undo import undo_stack

LEFT = Qt.MouseButton.LeftButton
Handler = Callable[[Any], None]


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Handler]]:
    """Modal forms run the next queued handler (which clicks through them) instead of blocking."""
    handlers: list[Handler] = []

    def fake_exec(self: QDialog) -> int:
        self.show()
        handlers.pop(0)(self)
        return self.result()

    monkeypatch.setattr(AdvanceDialog, "exec", fake_exec)
    monkeypatch.setattr(TextDialog, "exec", fake_exec)
    yield handlers
    assert not handlers


@pytest.fixture
def esc(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    ticket = create_ticket(ctx, TicketInput("SUP-2", acme, "Slow", Severity.NORMAL, fixed_now - timedelta(hours=2)))
    return request_escalation(ctx, ticket, EscalationInput("customer", "Ana Ruiz", "Production slow", "Orders lag"))


@pytest.fixture
def esc_window(qtbot: Any, ctx: Context, esc: int) -> EscalationDetailDialog:
    dialog = EscalationDetailDialog(ctx, esc)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def _keys(window: EscalationDetailDialog, qtbot: Any, redo: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if redo:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Z, modifiers)


def _advance(qtbot: Any, note: str) -> Handler:
    def fill(dialog: AdvanceDialog) -> None:
        qtbot.keyClicks(dialog.note, note)
        qtbot.mouseClick(dialog.ok_button, LEFT)

    return fill


def test_advance_is_undone_and_redone_from_the_keyboard(
    esc_window: EscalationDetailDialog, esc: int, ctx: Context, fixed_now: datetime, qtbot: Any, dialogs: list[Handler]
) -> None:
    view = esc_window.view
    dialogs.append(_advance(qtbot, "Maya owns it"))
    qtbot.mouseClick(view.advance_button, LEFT)
    assert view.state_badge.text() == "Acknowledged"
    assert esc_window.undo_action.text() == f"&Undo Advance escalation #{esc} to Acknowledged"
    _keys(esc_window, qtbot)
    assert view.state_badge.text() == "Requested"
    assert view.advance_button.text() == "&Advance to Acknowledged…"
    assert [e.text for e in view.timeline_model.rows()] == ["Escalation requested by the customer: Production slow"]
    assert esc_window.changed  # the list behind the esc_window reloads when it closes
    _keys(esc_window, qtbot, redo=True)
    assert view.state_badge.text() == "Acknowledged"
    assert view.timeline_model.rows()[-1].text == "Requested → Acknowledged: Maya owns it"
    assert escalation_detail(esc, fixed_now).row.state.label == "Acknowledged"


def test_decline_is_undone(esc_window: EscalationDetailDialog, esc: int, qtbot: Any, dialogs: list[Handler]) -> None:
    view = esc_window.view

    def decline(dialog: TextDialog) -> None:
        qtbot.keyClicks(dialog.text, "Working as designed")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(decline)
    qtbot.mouseClick(view.decline_button, LEFT)
    assert view.banner.isVisible() and view.state_badge.text() == "Declined"
    assert esc_window.undo_action.text() == f"&Undo Decline escalation #{esc}"
    _keys(esc_window, qtbot)
    assert view.state_badge.text() == "Requested"
    assert not view.banner.isVisible() and not view.subtitle.text().count("closed")
    assert view.decline_button.isEnabled()


def test_an_undo_after_a_change_made_meanwhile_says_why(
    esc_window: EscalationDetailDialog,
    esc: int,
    ctx: Context,
    qtbot: Any,
    dialogs: list[Handler],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    dialogs.append(_advance(qtbot, ""))
    qtbot.mouseClick(esc_window.view.advance_button, LEFT)
    apprise_vp(ctx, esc, 2, "Heads-up")  # someone else, meanwhile
    _keys(esc_window, qtbot)
    assert shown == [
        (
            f"Undo advance escalation #{esc} to Acknowledged",
            f"Escalation #{esc} was changed by someone else since (it is acknowledged now); "
            "its state change was not taken back.",
        )
    ]
    assert esc_window.view.state_badge.text() == "Acknowledged"
    assert not esc_window.view.vp_button.isEnabled()  # the esc_window shows the apprisal made meanwhile


def test_on_the_escalations_page_edit_undo_reloads_the_detail_shown(
    window: MainWindow, esc: int, qtbot: Any, dialogs: list[Handler]
) -> None:
    page = next(p for p in window.pages if isinstance(p, EscalationsPage))
    window.navigation.setCurrentRow(window.pages.index(page))
    page.open_record(esc)
    dialogs.append(_advance(qtbot, "Maya owns it"))
    qtbot.mouseClick(page.detail.advance_button, LEFT)
    assert page.detail.state_badge.text() == "Acknowledged"
    assert window.undo_action.text() == f"&Undo Advance escalation #{esc} to Acknowledged"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(page.detail.advance_button, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.detail.state_badge.text() == "Requested"
    assert window.statusBar().currentMessage() == f"Undone: Advance escalation #{esc} to Acknowledged"

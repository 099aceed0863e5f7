"""A seat's next step from its row on the Portal seats tab: a right-click (on one seat or on several selected) or a
Ctrl+Shift shortcut grants, confirms, revokes, emails the access form or copies the email; a revoked seat's row
re-issues its slot. What does not apply is disabled and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu, QTableView

from tamdesk.domain.states import SeatStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import SmtpSettings, save_smtp_settings
from tamdesk.services.seats import SeatInput, grant_seat, request_seat, revoke_seat, seat_overview
from tamdesk.views.customer_detail.seats import SeatsTab
from tamdesk.views.email_dialogs import EmailAccessFormDialog
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.seat_dialog import SeatDialog
from tamdesk.views.undo import undo_stack

NAMES = ("Ana Silva", "Bob Stone", "Cy Young", "Di Lane")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
NOT_SET_UP = "Email is not set up: set the SMTP server and sender in Settings › Email first."


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    customer = create_customer(ctx, CustomerInput("Acme", email_domains=("acme.com",), seat_allowance=4))
    for name in NAMES:
        request_seat(ctx, customer, SeatInput(name, f"{name.split()[0].lower()}@acme.com"))
    return customer


@pytest.fixture
def tab(window: MainWindow, acme: int) -> SeatsTab:
    customers = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(customers))
    customers.refresh()
    customers.open_customer(acme)
    customers.detail.tabs.setCurrentWidget(customers.detail.seats)
    return customers.detail.seats


@pytest.fixture
def menus(monkeypatch: pytest.MonkeyPatch) -> list[QMenu]:
    """The context menus that popped up (recorded, as a click would not reach them headless)."""
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *args: shown.append(self))
    return shown


def right_click(table: QTableView, row: int, menus: list[QMenu]) -> dict[str, Any]:
    """Right-click ``row``; the menu's actions by their plain text."""
    pos = table.visualRect(table.model().index(row, 1)).center()
    QApplication.sendEvent(
        table.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    )
    assert menus, "no context menu was shown"
    return {a.text().replace("&", "").removesuffix("…"): a for a in menus.pop().actions() if not a.isSeparator()}


def click(tab: SeatsTab, qtbot, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = tab.table.visualRect(tab.model.index(row, 1))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def states(tab: SeatsTab) -> list[str]:
    column = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    state = column.index("State")
    return [tab.model.index(row, state).data() for row in range(tab.model.rowCount())]


def key(window: MainWindow, table: QTableView, qtbot, key: Qt.Key, modifiers=CTRL_SHIFT) -> None:
    """A key in ``table``, as the user presses it (shortcuts reach the active window only)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    table.setFocus()
    qtbot.keyClick(table, key, modifiers)


REQUESTED, GRANTED, ACTIVE = "Requested · awaiting access", "Granted · awaiting welcome", "Active"


def test_a_requested_seat_offers_its_next_step_and_says_why_not_the_others(tab: SeatsTab, menus: list[QMenu]) -> None:
    entries = right_click(tab.table, 1, menus)
    assert list(entries) == ["Edit", "Grant", "Confirm welcome", "Revoke", "Email access form to 1 seat holder",
                             "Copy email"]  # fmt: skip
    assert [s.seat_no for s in tab.selected_seats()] == [2]  # the row right-clicked is the one acted on
    assert entries["Grant"].isEnabled() and entries["Grant"].shortcut().toString() == "Ctrl+Shift+G"
    confirm = entries["Confirm welcome"]
    assert not confirm.isEnabled() and confirm.shortcut().toString() == "Ctrl+Shift+W"
    assert confirm.toolTip() == "Seat 2 (bob@acme.com) is not granted yet: grant it first"
    email = entries["Email access form to 1 seat holder"]
    assert not email.isEnabled() and email.toolTip() == NOT_SET_UP


def test_several_seats_granted_from_one_right_click_and_taken_back_with_one_undo(
    window: MainWindow, tab: SeatsTab, acme: int, qtbot, menus: list[QMenu]
) -> None:
    click(tab, qtbot, 0)
    click(tab, qtbot, 2, Qt.KeyboardModifier.ControlModifier)
    click(tab, qtbot, 3, Qt.KeyboardModifier.ControlModifier)
    entries = right_click(tab.table, 2, menus)  # on a row of the selection: the selection stays
    assert [s.seat_no for s in tab.selected_seats()] == [1, 3, 4]
    assert "Grant 3 seats" in entries and "Revoke 3 seats" in entries and not entries["Edit"].isEnabled()
    entries["Grant 3 seats"].trigger()
    assert states(tab) == [GRANTED, REQUESTED, GRANTED, GRANTED]
    assert window.undo_action.text() == "&Undo Grant 3 seats"
    entries = right_click(tab.table, 0, menus)
    assert "Confirm 3 welcomes" in entries
    assert entries["Grant"].toolTip() == "None of the 3 selected seats is awaiting access"
    key(window, tab.table, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert states(tab) == [REQUESTED] * 4


def test_grant_and_confirm_with_the_keyboard(window: MainWindow, tab: SeatsTab, acme: int, qtbot) -> None:
    click(tab, qtbot, 1)
    key(window, tab.table, qtbot, Qt.Key.Key_G)
    assert states(tab)[1] == GRANTED
    key(window, tab.table, qtbot, Qt.Key.Key_W)
    assert states(tab)[1] == ACTIVE
    assert seat_overview(acme).seats[1].status is SeatStatus.ACTIVE
    key(window, tab.table, qtbot, Qt.Key.Key_G)  # nothing left to grant: the shortcut does nothing
    assert states(tab) == [REQUESTED, ACTIVE, REQUESTED, REQUESTED]


def test_copy_the_emails_of_the_selected_seats(window: MainWindow, tab: SeatsTab, qtbot, menus: list[QMenu]) -> None:
    QGuiApplication.clipboard().setText("")
    click(tab, qtbot, 0)
    click(tab, qtbot, 1, Qt.KeyboardModifier.ShiftModifier)
    right_click(tab.table, 1, menus)["Copy 2 emails"].trigger()
    assert QGuiApplication.clipboard().text() == "ana@acme.com; bob@acme.com"
    click(tab, qtbot, 3)
    key(window, tab.table, qtbot, Qt.Key.Key_C)
    assert QGuiApplication.clipboard().text() == "di@acme.com"
    assert window.statusBar().currentMessage() == "Copied di@acme.com."


def test_email_the_access_form_to_the_selected_seat_holders(
    window: MainWindow, tab: SeatsTab, ctx: Context, qtbot, menus: list[QMenu], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_smtp_settings(ctx, SmtpSettings(host="smtp.example.com", port=25, from_address="tam@example.com"))
    window.refresh()  # the tab reads whether email is set up as it reloads
    listed: list[list[str]] = []

    def record(dialog: EmailAccessFormDialog) -> int:
        listed.append([box.text() for box, _ in dialog.boxes])
        return 0

    monkeypatch.setattr(EmailAccessFormDialog, "exec", record)
    click(tab, qtbot, 1)
    click(tab, qtbot, 2, Qt.KeyboardModifier.ControlModifier)
    entries = right_click(tab.table, 2, menus)
    email = entries["Email access form to 2 seat holders"]
    assert email.isEnabled() and email.shortcut().toString() == "Ctrl+Shift+M"
    email.trigger()
    assert listed == [["Bob Stone <bob@acme.com>", "Cy Young <cy@acme.com>"]]


def test_a_revoked_seats_row_reissues_its_slot_once_one_is_free(
    window: MainWindow, tab: SeatsTab, acme: int, ctx: Context, qtbot, menus: list[QMenu],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    bob = seat_overview(acme).seats[1]
    revoke_seat(ctx, bob.id, bob.version, "Left the company")
    carla = request_seat(ctx, acme, SeatInput("Carla Diaz", "carla@acme.com"))  # takes the free slot
    grant_seat(ctx, carla, 1)
    window.refresh()
    entries = right_click(tab.history_table, 0, menus)
    assert list(entries) == ["Re-issue", "Copy email"]
    assert not entries["Re-issue"].isEnabled()
    assert entries["Re-issue"].toolTip() == "All seats are in use: revoke one to free a slot"
    di = seat_overview(acme).seats[3]
    revoke_seat(ctx, di.id, di.version, "Moved team")
    window.refresh()

    def fill(dialog: SeatDialog) -> int:
        dialog.inputs["full_name"].setText("Eve Park")
        dialog.inputs["email"].setText("eve@acme.com")
        dialog.run_check()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(SeatDialog, "exec", fill)
    row = [s.full_name for s in tab.history_model.rows()].index("Bob Stone")
    entries = right_click(tab.history_table, row, menus)
    assert entries["Re-issue"].isEnabled()
    entries["Re-issue"].trigger()
    assert "Eve Park" in [s.full_name for s in seat_overview(acme).seats]
    assert window.undo_action.text().startswith("&Undo Re-issue seat")


def test_a_right_click_outside_the_selection_selects_that_row_and_below_the_rows_shows_nothing(
    tab: SeatsTab, qtbot, menus: list[QMenu]
) -> None:
    click(tab, qtbot, 0)
    click(tab, qtbot, 1, Qt.KeyboardModifier.ControlModifier)
    entries = right_click(tab.table, 3, menus)
    assert [s.seat_no for s in tab.selected_seats()] == [4]
    assert "Grant" in entries and entries["Edit"].isEnabled()
    viewport = tab.table.viewport()
    below = viewport.rect().bottomLeft() + QPoint(10, -5)
    QApplication.sendEvent(
        viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, below, viewport.mapToGlobal(below))
    )
    assert menus == []

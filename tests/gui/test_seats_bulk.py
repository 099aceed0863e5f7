"""Several seats at once on the Portal seats tab: select with the mouse or keyboard, act once, undo once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from tamdesk.domain.states import SeatStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seat_batches import (
    current_seat_versions,
    grant_seats,
    ungrant_seats,
)
from tamdesk.services.seats import (
    SeatInput,
    request_seat,
    seat_overview,
)
from tamdesk.views.customer_detail.seats import RevokeSeatsDialog, SeatsTab
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.undo import undo_stack

NAMES = ("Ana Silva", "Bob Stone", "Cy Young", "Di Lane", "Ed Moss")


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    customer = create_customer(ctx, CustomerInput("Acme", email_domains=("acme.com",), time_zone="Europe/Berlin"))
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


def _click(tab: SeatsTab, qtbot, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = tab.table.visualRect(tab.model.index(row, 1))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _states(tab: SeatsTab) -> list[str]:
    """The State column as the user reads it."""
    column = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    state = column.index("State")
    return [tab.model.index(row, state).data() for row in range(tab.model.rowCount())]


def _undo(window: MainWindow, tab: SeatsTab, qtbot) -> None:
    """Ctrl+Z in the seats table, as the user presses it (shortcuts reach the active window only)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_grant_three_seats_chosen_with_ctrl_click_and_take_them_back_with_one_undo(
    window: MainWindow, tab: SeatsTab, acme: int, qtbot
) -> None:
    assert not tab.grant_button.isEnabled() and tab.grant_button.text() == "Gr&ant"
    _click(tab, qtbot, 0)
    assert tab.grant_button.text() == "Gr&ant 1 seat"
    _click(tab, qtbot, 2, Qt.KeyboardModifier.ControlModifier)
    _click(tab, qtbot, 4, Qt.KeyboardModifier.ControlModifier)
    assert tab.grant_button.text() == "Gr&ant 3 seats" and tab.grant_button.isEnabled()
    assert tab.revoke_button.text() == "Re&voke 3 seats…"
    assert not tab.confirm_button.isEnabled() and not tab.edit_button.isEnabled()
    with qtbot.wait_signal(tab.status_message) as blocker:
        qtbot.mouseClick(tab.grant_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["3 seats granted portal access; Ctrl+Z takes them back."]
    requested, granted = "Requested · awaiting access", "Granted · awaiting welcome"
    assert _states(tab) == [granted, requested, granted, requested, granted]
    # the three stay selected, ready for the next step once the welcomes are confirmed
    assert [s.seat_no for s in tab.selected_seats()] == [1, 3, 5]
    assert tab.confirm_button.text() == "Confirm 3 &welcomes" and not tab.grant_button.isEnabled()
    assert undo_stack().count() == 1 and window.undo_action.text() == "&Undo Grant 3 seats"
    _undo(window, tab, qtbot)
    assert _states(tab) == [requested] * 5
    assert undo_stack().index() == 0
    assert [s.granted_at for s in seat_overview(acme).seats] == [None] * 5


def test_confirm_welcomes_of_seats_chosen_with_shift_down(
    window: MainWindow, tab: SeatsTab, acme: int, ctx: Context, qtbot
) -> None:
    ids = [s.id for s in seat_overview(acme).seats]
    grant_seats(ctx, current_seat_versions(ids[1:4]))
    tab.changed.emit()
    _click(tab, qtbot, 1)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    # four selected; the one still requested is not counted for a confirm
    assert len(tab.selected_seats()) == 4
    assert tab.confirm_button.text() == "Confirm 3 &welcomes"
    assert tab.grant_button.text() == "Gr&ant 1 seat"
    qtbot.mouseClick(tab.confirm_button, Qt.MouseButton.LeftButton)
    assert [s.status for s in seat_overview(acme).seats] == [
        SeatStatus.REQUESTED, SeatStatus.ACTIVE, SeatStatus.ACTIVE, SeatStatus.ACTIVE, SeatStatus.REQUESTED
    ]  # fmt: skip
    _undo(window, tab, qtbot)
    assert [s.status for s in seat_overview(acme).seats] == [
        SeatStatus.REQUESTED, SeatStatus.GRANTED, SeatStatus.GRANTED, SeatStatus.GRANTED, SeatStatus.REQUESTED
    ]  # fmt: skip


def test_a_seat_changed_meanwhile_stops_the_whole_batch_and_is_named(
    tab: SeatsTab, acme: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    for row in (0, 1, 2):
        _click(tab, qtbot, row, Qt.KeyboardModifier.ControlModifier)
    assert tab.grant_button.text() == "Gr&ant 3 seats"
    # someone else grants and takes back seat 2 while the tab still shows the old version
    bob = seat_overview(acme).seats[1].id
    grant_seats(ctx, current_seat_versions([bob]))
    ungrant_seats(ctx, current_seat_versions([bob]))
    qtbot.mouseClick(tab.grant_button, Qt.MouseButton.LeftButton)
    assert shown == [
        (
            "Grant 3 seats",
            "No seat was granted: seat 2 (bob@acme.com) was changed by someone else since it was shown; "
            "review it and try again.",
        )
    ]
    assert _states(tab) == ["Requested · awaiting access"] * 5
    assert undo_stack().count() == 0
    # the tab now shows the fresh versions: the same click works
    assert tab.grant_button.text() == "Gr&ant 3 seats"
    qtbot.mouseClick(tab.grant_button, Qt.MouseButton.LeftButton)
    assert [s.status for s in seat_overview(acme).seats][:3] == [SeatStatus.GRANTED] * 3


def test_revoke_several_asks_the_reason_once_and_one_undo_brings_them_back(
    window: MainWindow, tab: SeatsTab, acme: int, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def revoke(dialog: RevokeSeatsDialog) -> int:
        asked.append(dialog.windowTitle())
        qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)  # no reason yet: refused beside the field
        asked.append(dialog.message.text())
        qtbot.keyClicks(dialog.reason, "Team moved to another product")
        qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RevokeSeatsDialog, "exec", revoke)
    _click(tab, qtbot, 3)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    with qtbot.wait_signal(tab.status_message) as blocker:
        qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    assert asked == ["Revoke 2 seats", "Give a reason for revoking the seats."]
    assert blocker.args == ["2 seats revoked; Ctrl+Z brings them back."]
    overview = seat_overview(acme)
    assert [s.full_name for s in overview.history] == ["Ed Moss", "Di Lane"]
    assert {s.revoke_reason for s in overview.history} == {"Team moved to another product"}
    assert tab.history_model.rowCount() == 2 and tab.model.rowCount() == 3
    _undo(window, tab, qtbot)
    assert tab.model.rowCount() == 5 and seat_overview(acme).history == ()


def test_a_cancelled_bulk_revoke_changes_nothing(tab: SeatsTab, acme: int, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(RevokeSeatsDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    _click(tab, qtbot, 0)
    _click(tab, qtbot, 1, Qt.KeyboardModifier.ControlModifier)
    with qtbot.assert_not_emitted(tab.status_message):
        qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    assert seat_overview(acme).used == 5 and undo_stack().count() == 0

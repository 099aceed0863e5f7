"""The Onboarding tab ticks 'Five designated users identified' from the seats, and unticks it on a revoke."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import AUTOMATIC
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.views.customer_detail import ChecklistModel
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.seat_dialog import RevokeSeatDialog
from tamdesk.views.undo import undo_stack

PEOPLE = [("Ana Silva", "ana"), ("Bob Stone", "bob"), ("Cy Ng", "cy"), ("Di Hu", "di"), ("Ed Roe", "ed")]


@pytest.fixture
def page(window: MainWindow, db_path: Path, ctx: Context) -> CustomersPage:
    acme = create_customer(ctx, CustomerInput("Acme", email_domains=("acme.com",), time_zone="Europe/Berlin"))
    for name, user in PEOPLE:
        request_seat(ctx, acme, SeatInput(name, f"{user}@acme.com"))
    customers = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(customers))
    customers.refresh()
    customers.open_customer(acme)
    return customers


def _designated(page: CustomersPage) -> tuple[Qt.CheckState, str, str]:
    model = page.detail.onboarding.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).title == "Five designated users identified")
    check = model.data(model.index(row, ChecklistModel.DONE), Qt.ItemDataRole.CheckStateRole)
    status = model.data(model.index(row, ChecklistModel.STATUS))
    return check, status, model.data(model.index(row, ChecklistModel.BY))


def test_five_seats_tick_the_step_and_a_revoke_unticks_it(
    page: CustomersPage, window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    undo_stack().clear()
    detail = page.detail
    qtbot.mouseClick(detail.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=detail.tabs.tabBar().tabRect(detail.tabs.indexOf(detail.onboarding)).center())  # fmt: skip
    assert _designated(page) == (
        Qt.CheckState.Checked,
        "Completed itself: 5 of 5 seats held by distinct people",
        AUTOMATIC,
    )
    assert detail.overview.values["onboarding"].text() == "In progress — 1 of 10 steps done"

    def revoke(dialog: RevokeSeatDialog) -> int:
        dialog.reason.setText("Left the company")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(RevokeSeatDialog, "exec", revoke)
    detail.tabs.setCurrentWidget(detail.seats)
    detail.seats.table.selectRow(4)
    qtbot.mouseClick(detail.seats.revoke_button, Qt.MouseButton.LeftButton)
    assert _designated(page) == (Qt.CheckState.Unchecked, "Open", "")
    model = detail.onboarding.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).title == "Five designated users identified")
    tip = model.data(model.index(row, ChecklistModel.DONE), Qt.ItemDataRole.ToolTipRole)
    assert "Now 4 of 5 seats held by distinct people. Tick it when the customer names them." in tip
    assert detail.overview.values["onboarding"].text() == "Not started — 0 of 10 steps done"

    window.undo_action.trigger()  # Ctrl+Z: the seat is back, and so is the tick
    assert _designated(page)[0] == Qt.CheckState.Checked

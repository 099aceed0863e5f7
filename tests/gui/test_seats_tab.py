"""The Portal seats tab in the customer detail: what a revoke reports, and keys that reach every action."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import SeatInput, request_seat, seat_overview
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.seat_dialog import RevokeSeatDialog


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    customer = create_customer(ctx, CustomerInput("Acme", email_domains=("acme.com",), time_zone="Europe/Berlin"))
    request_seat(ctx, customer, SeatInput("Ana Silva", "ana@acme.com"))
    request_seat(ctx, customer, SeatInput("Bob Stone", "bob@acme.com"))
    return customer


@pytest.fixture
def page(window: MainWindow, acme: int) -> CustomersPage:
    customers = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(customers))
    customers.refresh()
    customers.open_customer(acme)
    customers.detail.tabs.setCurrentWidget(customers.detail.seats)
    return customers


def test_a_revoke_is_confirmed_in_the_status_bar(
    page: CustomersPage, acme: int, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def revoke(dialog: RevokeSeatDialog) -> int:
        dialog.reason.setText("Left the company")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(RevokeSeatDialog, "exec", revoke)
    tab = page.detail.seats
    tab.table.selectRow(1)
    with qtbot.wait_signal(page.detail.status_message) as blocker:
        qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Seat 2 (bob@acme.com) revoked; Ctrl+Z brings it back."]
    assert seat_overview(acme).used == 1
    window = page.window()
    assert isinstance(window, QMainWindow)
    assert window.statusBar().currentMessage() == "Seat 2 (bob@acme.com) revoked; Ctrl+Z brings it back."


def test_a_cancelled_revoke_says_nothing(page: CustomersPage, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RevokeSeatDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    page.detail.seats.table.selectRow(0)
    with qtbot.assert_not_emitted(page.detail.status_message):
        qtbot.mouseClick(page.detail.seats.revoke_button, Qt.MouseButton.LeftButton)

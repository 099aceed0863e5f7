"""The Portal seats tab in the customer detail: what a revoke reports, and keys that reach every action."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QMainWindow

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


def _mnemonic(text: str) -> str | None:
    """The letter after a single ``&`` (``&&`` is a literal ampersand)."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if at >= 0 and at + 1 < len(plain) else None


def test_mnemonics_of_the_seats_tab_the_detail_tabs_and_the_menus_are_distinct(
    window: MainWindow, page: CustomersPage
) -> None:
    detail = page.detail
    texts = [action.text() for action in window.menuBar().actions()]
    texts += [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    texts += [b.text() for b in detail.findChildren(QAbstractButton) if b.isVisibleTo(window)]
    letters = [(letter, text) for text in texts if (letter := _mnemonic(text))]
    clashes = {
        letter: [text for other, text in letters if other == letter]
        for letter, _ in letters
        if sum(1 for other, _ in letters if other == letter) > 1
    }
    assert clashes == {}
    seats = detail.seats
    buttons = (
        seats.request_button, seats.edit_button, seats.grant_button, seats.confirm_button, seats.revoke_button,
        seats.reissue_button, seats.export_form_button, seats.email_form_button, seats.mark_sent_button,
        seats.import_button, seats.roster_button,
    )  # fmt: skip
    assert [b.text() for b in buttons if _mnemonic(b.text()) is None] == []

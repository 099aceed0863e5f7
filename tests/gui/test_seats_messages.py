"""The Portal seats tab says what an action did only while it is true, undoes a re-issue, and offers Email form…
only once email is set up."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tamdesk.domain.states import SeatStatus
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import SmtpSettings, save_smtp_settings
from tamdesk.services.seats import (
    SeatInput,
    current_seat_version,
    grant_seat,
    request_seat,
    revoke_seat,
    seat_overview,
)
from tamdesk.views.customer_detail.seats import SeatsTab
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.seat_dialog import SeatDialog
from tamdesk.views.undo import undo_stack


@pytest.fixture(autouse=True)
def fresh_stack(qapp) -> None:
    undo_stack().clear()


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    customer = create_customer(ctx, CustomerInput("Acme", email_domains=("acme.com",), seat_allowance=2))
    for name in ("Ana Silva", "Bob Stone"):
        request_seat(ctx, customer, SeatInput(name, f"{name.split()[0].lower()}@acme.com"))
    return customer


@pytest.fixture
def customers(window: MainWindow, acme: int) -> CustomersPage:
    page = next(p for p in window.pages if isinstance(p, CustomersPage))
    window.navigation.setCurrentRow(window.pages.index(page))
    page.refresh()
    return page


@pytest.fixture
def tab(customers: CustomersPage, acme: int) -> SeatsTab:
    customers.open_customer(acme)
    customers.detail.tabs.setCurrentWidget(customers.detail.seats)
    return customers.detail.seats


def _key(window: MainWindow, tab: SeatsTab, qtbot, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    """A key in the seats table, as the user presses it (shortcuts reach the active window only)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, key, modifiers)


def _undo(window: MainWindow, tab: SeatsTab, qtbot) -> None:
    _key(window, tab, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def _redo(window: MainWindow, tab: SeatsTab, qtbot) -> None:
    _key(window, tab, qtbot, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)


def _reissue_to_carla(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    def fill(dialog: SeatDialog) -> int:
        dialog.inputs["full_name"].setText("Carla Diaz")
        dialog.inputs["email"].setText("carla@acme.com")
        dialog.run_check()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(SeatDialog, "exec", fill)


def test_a_reissue_is_undone_and_redone_with_the_keyboard(
    window: MainWindow, tab: SeatsTab, acme: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = seat_overview(acme).seats[1]
    revoke_seat(ctx, bob.id, bob.version, "Left the company")
    window.refresh()
    tab.history_table.selectRow(0)
    _reissue_to_carla(qtbot, monkeypatch)
    with qtbot.wait_signal(tab.status_message) as blocker:
        qtbot.mouseClick(tab.reissue_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Seat 2 re-issued to Carla Diaz; Ctrl+Z takes it back."]
    assert [(s.seat_no, s.full_name) for s in tab.model.rows()] == [(1, "Ana Silva"), (2, "Carla Diaz")]
    assert window.undo_action.text() == "&Undo Re-issue seat 2 to carla@acme.com"
    _undo(window, tab, qtbot)
    assert [s.full_name for s in tab.model.rows()] == ["Ana Silva"]
    assert [s.full_name for s in tab.history_model.rows()] == ["Bob Stone"]
    assert tab.free_label.text() == "1 free" and tab.reissue_button.isEnabled() is False  # no row selected
    assert window.statusBar().currentMessage() == "Undone: Re-issue seat 2 to carla@acme.com"
    _redo(window, tab, qtbot)
    assert [(s.seat_no, s.full_name) for s in tab.model.rows()] == [(1, "Ana Silva"), (2, "Carla Diaz")]
    assert window.statusBar().currentMessage() == "Redone: Re-issue seat 2 to carla@acme.com"
    _undo(window, tab, qtbot)  # the redone seat is a new one: its undo follows it
    assert [s.full_name for s in seat_overview(acme).seats] == ["Ana Silva"]


def test_undoing_a_reissue_of_a_seat_granted_since_is_refused_in_one_sentence(
    window: MainWindow, tab: SeatsTab, acme: int, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = seat_overview(acme).seats[1]
    revoke_seat(ctx, bob.id, bob.version, "Left the company")
    window.refresh()
    tab.history_table.selectRow(0)
    _reissue_to_carla(qtbot, monkeypatch)
    qtbot.mouseClick(tab.reissue_button, Qt.MouseButton.LeftButton)
    carla = seat_overview(acme).seats[1]
    grant_seat(ctx, carla.id, carla.version)  # in another window, meanwhile
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    _undo(window, tab, qtbot)
    assert shown == [
        "Seat 2 (carla@acme.com) was granted portal access since it was re-issued, so the re-issue is not undone."
    ]
    assert seat_overview(acme).seats[1].status is SeatStatus.GRANTED
    assert window.statusBar().currentMessage() == "Not undone: Re-issue seat 2 to carla@acme.com"


def test_the_revoke_message_goes_with_the_undo_and_the_redo_says_so(
    window: MainWindow, tab: SeatsTab, acme: int, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.views.seat_dialog import RevokeSeatDialog

    def revoke(dialog: RevokeSeatDialog) -> int:
        dialog.reason.setText("Left the company")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(RevokeSeatDialog, "exec", revoke)
    tab.table.selectRow(1)
    qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == "Seat 2 (bob@acme.com) revoked; Ctrl+Z brings it back."
    _undo(window, tab, qtbot)
    assert window.statusBar().currentMessage() == "Undone: Revoke seat 2 (bob@acme.com)"
    _redo(window, tab, qtbot)
    assert window.statusBar().currentMessage() == "Redone: Revoke seat 2 (bob@acme.com)"


def test_a_grant_message_goes_once_the_seat_is_revoked_elsewhere(
    window: MainWindow, tab: SeatsTab, acme: int, ctx: Context, qtbot
) -> None:
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.grant_button, Qt.MouseButton.LeftButton)
    said = "Seat 1 (ana@acme.com) granted portal access; Ctrl+Z takes it back."
    assert window.statusBar().currentMessage() == said
    window.refresh()  # a reload that changes nothing keeps it
    assert window.statusBar().currentMessage() == said
    ana = seat_overview(acme).seats[0].id
    revoke_seat(ctx, ana, current_seat_version(ana), "Left")  # the contacts tab, say
    window.refresh()
    assert window.statusBar().currentMessage() == ""


def test_a_seat_message_goes_when_another_customer_is_opened(
    window: MainWindow, customers: CustomersPage, tab: SeatsTab, ctx: Context, qtbot
) -> None:
    globex = create_customer(ctx, CustomerInput("Globex", email_domains=("globex.com",)))
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.grant_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith("Seat 1 (ana@acme.com) granted")
    customers.refresh()
    customers.open_customer(globex)
    assert window.statusBar().currentMessage() == ""


def test_email_form_waits_for_email_to_be_set_up(
    window: MainWindow, customers: CustomersPage, acme: int, ctx: Context, qtbot
) -> None:
    customers.open_customer(acme)
    tab = customers.detail.seats
    customers.detail.tabs.setCurrentWidget(tab)
    assert not tab.email_form_button.isEnabled()
    assert tab.email_form_button.toolTip() == (
        "Email is not set up: set the SMTP server and sender in Settings › Email first."
    )
    save_smtp_settings(ctx, SmtpSettings(host="smtp.example.com", port=25, from_address="tam@example.com"))
    customers.detail.tabs.setCurrentIndex(0)
    customers.detail.tabs.setCurrentWidget(tab)  # back on the tab after Settings › Email
    assert tab.email_form_button.isEnabled()
    assert tab.email_form_button.toolTip() == "Email the access form to the customer's contacts; marks it sent"

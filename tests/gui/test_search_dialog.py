"""The Ctrl+K palette: typing finds things off the UI thread, arrows and Enter open them, Esc closes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import report_defect
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.main_window import MainWindow
from tamdesk.views.search_dialog import SearchDialog
from tamdesk.views.tasks import TaskRunner


@pytest.fixture
def data(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    acme = create_customer(ctx, CustomerInput(name="Acme Corp", email_domains=["acme.com"]))
    seat = request_seat(ctx, acme, SeatInput("Ana Ruiz", "ana.ruiz@acme.com"))
    opened = fixed_now - timedelta(days=1)
    first = create_ticket(ctx, TicketInput("SUP-1001", acme, "Acme cluster down", Severity.URGENT, opened))
    second = create_ticket(ctx, TicketInput("SUP-1002", acme, "Acme login slow", Severity.LOW, opened))
    defect = report_defect(ctx, first, "Coordinator crash on upgrade", severity=Severity.URGENT)
    return {"acme": acme, "seat": seat, "first": first, "second": second, "defect": defect}


@pytest.fixture(params=["background", "inline"])
def dialog(request: pytest.FixtureRequest, qtbot, data: dict[str, int]) -> SearchDialog:
    runner = TaskRunner() if request.param == "background" else None
    palette = SearchDialog(runner)
    qtbot.addWidget(palette)
    palette.open_palette()
    qtbot.waitExposed(palette)
    yield palette
    if runner is not None:
        runner.wait(5000)


def type_text(qtbot, dialog: SearchDialog, text: str) -> None:
    with qtbot.waitSignal(dialog.results_shown, timeout=5000):
        qtbot.keyClicks(dialog.query, text)


def test_typing_shows_hits_labelled_by_kind(qtbot, dialog: SearchDialog, data: dict[str, int]) -> None:
    assert "ticket number" in dialog.message.text()  # the hint before anything is typed
    type_text(qtbot, dialog, "acme")
    model = dialog.model
    kinds = [model.hit_at(row).kind.value for row in range(model.rowCount())]
    assert kinds[0] == "customer"
    assert set(kinds) == {"customer", "seat", "ticket"}
    assert dialog.stack.currentWidget() is dialog.results
    assert dialog.results.currentIndex().row() == 0
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole).startswith("Customer: Acme Corp")
    assert dialog.status.text() == f"{model.rowCount()} matches"


def test_down_and_enter_open_the_second_hit(qtbot, dialog: SearchDialog, data: dict[str, int]) -> None:
    type_text(qtbot, dialog, "sup-100")
    second = dialog.model.hit_at(1)
    with qtbot.waitSignal(dialog.open_requested) as opened:
        qtbot.keyClick(dialog.query, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert opened.args == ["ticket", second.id]
    assert second.id in (data["first"], data["second"])
    assert not dialog.isVisible()


def test_up_stops_at_the_top_and_exact_number_comes_first(qtbot, dialog: SearchDialog, data: dict[str, int]) -> None:
    type_text(qtbot, dialog, "1002")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Up)
    with qtbot.waitSignal(dialog.open_requested) as opened:
        qtbot.keyClick(dialog.query, Qt.Key.Key_Enter)
    assert opened.args == ["ticket", data["second"]]


def test_enter_before_the_search_ran_opens_the_first_hit(qtbot, dialog: SearchDialog, data: dict[str, int]) -> None:
    with qtbot.waitSignal(dialog.open_requested, timeout=5000) as opened:
        qtbot.keyClicks(dialog.query, "ana.ruiz")
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert opened.args == ["seat", data["seat"]]


def test_escape_closes(qtbot, dialog: SearchDialog) -> None:
    qtbot.keyClicks(dialog.query, "acme")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_no_matches_says_so(qtbot, dialog: SearchDialog) -> None:
    type_text(qtbot, dialog, "zebra")
    assert dialog.stack.currentWidget() is dialog.message
    assert dialog.message.text().startswith("No matches for “zebra”.")
    with qtbot.assertNotEmitted(dialog.open_requested):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert dialog.isVisible()


@pytest.mark.parametrize("text", ["%", "_", ".*", "[a-z]+", "'; DROP TABLE ticket; --", "\\"])
def test_bad_input_is_plain_text(qtbot, dialog: SearchDialog, text: str) -> None:
    type_text(qtbot, dialog, text)
    assert dialog.model.rowCount() == 0
    assert "No matches for" in dialog.message.text()


def test_ten_thousand_characters_are_cut_and_the_user_told(qtbot, dialog: SearchDialog) -> None:
    with qtbot.waitSignal(dialog.results_shown, timeout=5000):
        dialog.query.setText("acme " * 2000)  # a paste
    assert dialog.status.text() == "Only the first 200 characters are searched."
    shown = dialog.message.text()
    assert shown.startswith("No matches for “acme acme") and len(shown) < 200


def test_clearing_the_text_shows_the_hint(qtbot, dialog: SearchDialog) -> None:
    type_text(qtbot, dialog, "acme")
    dialog.query.clear()
    assert dialog.model.rowCount() == 0
    assert dialog.stack.currentWidget() is dialog.message
    assert "ticket number" in dialog.message.text()


def test_click_opens(qtbot, dialog: SearchDialog, data: dict[str, int]) -> None:
    type_text(qtbot, dialog, "Acme Corp")
    rect = dialog.results.visualRect(dialog.model.index(0, 0))
    with qtbot.waitSignal(dialog.open_requested) as opened:
        qtbot.mouseClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == ["customer", data["acme"]]


def test_model_passes_the_model_tester(qtbot, dialog: SearchDialog, qtmodeltester) -> None:
    type_text(qtbot, dialog, "acme")
    qtmodeltester.check(dialog.model)


# -- in the main window ------------------------------------------------------------------------------------------


def _open_palette(qtbot, window: MainWindow) -> SearchDialog:
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.search_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_ctrl_k_opens_the_palette_and_enter_opens_the_customer(qtbot, window: MainWindow, data: dict[str, int]) -> None:
    dialog = _open_palette(qtbot, window)
    assert window.search_action.shortcut().toString() == "Ctrl+K"
    type_text(qtbot, dialog, "Acme Corp")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    page = window.current_page()
    assert page.title == "Customers"
    assert page.detail.customer_id == data["acme"]  # type: ignore[attr-defined]
    assert page.stack.currentWidget() is page.detail  # type: ignore[attr-defined]


def test_a_seat_holder_opens_on_the_seats_tab_with_the_seat_selected(
    qtbot, window: MainWindow, data: dict[str, int]
) -> None:
    dialog = _open_palette(qtbot, window)
    type_text(qtbot, dialog, "ana.ruiz@")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    page = window.current_page()
    qtbot.waitUntil(lambda: page.title == "Customers")
    detail = page.detail  # type: ignore[attr-defined]
    assert detail.customer_id == data["acme"]
    assert detail.tabs.currentWidget() is detail.seats
    assert detail.seats.selected_seat().id == data["seat"]


def test_palette_reopens_with_the_last_text_selected(qtbot, window: MainWindow, data: dict[str, int]) -> None:
    dialog = _open_palette(qtbot, window)
    type_text(qtbot, dialog, "zebra")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Escape)
    dialog = _open_palette(qtbot, window)
    assert dialog.query.selectedText() == "zebra"
    assert QApplication.focusWidget() is dialog.query


def test_a_defect_opens_on_the_defects_page(qtbot, window: MainWindow, data: dict[str, int]) -> None:
    dialog = _open_palette(qtbot, window)
    type_text(qtbot, dialog, "coordinator crash")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    page = window.current_page()
    assert page.title == "Defects"
    assert page.detail.defect_id == data["defect"]  # type: ignore[attr-defined]
    assert page.stack.currentWidget() is page.detail  # type: ignore[attr-defined]


def test_a_ticket_opens_through_the_tickets_page(
    qtbot, window: MainWindow, data: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = next(page for page in window.pages if page.title == "Tickets")
    opened: list[int] = []
    monkeypatch.setattr(tickets, "open_ticket", opened.append)  # the real one shows a modal detail dialog
    dialog = _open_palette(qtbot, window)
    type_text(qtbot, dialog, "SUP-1002")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert window.current_page() is tickets
    assert opened == [data["second"]]


def test_a_seat_that_is_gone_is_said_so(qtbot, window: MainWindow) -> None:
    window.open_found("seat", 999_999)
    assert window.statusBar().currentMessage() == "That portal seat no longer exists."

"""The Customers page as a TAM meets it: list, search, sort, keyboard, the customer dialog and the detail tabs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, QPoint, QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from tamdesk.domain.states import SeatStatus
from tamdesk.reports.access_form import export_access_form
from tamdesk.services.access_form import AccessFormPreview, PreviewRow, preview_access_form
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer, get_customer, set_archived, update_customer
from tamdesk.services.seats import SeatInput, request_seat, seat_overview
from tamdesk.views.access_form_dialog import AccessFormPreviewDialog
from tamdesk.views.customer_detail import ChecklistModel
from tamdesk.views.customer_dialog import CustomerDialog
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.table_model import local_date
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.undo import undo_stack
from tamdesk.views.widgets import Tone


def _customer(ctx: Context, name: str, **kwargs) -> int:
    kwargs.setdefault("time_zone", "Europe/Berlin")
    kwargs.setdefault("email_domains", (f"{name.lower().split()[0]}.com",))
    return create_customer(ctx, CustomerInput(name, **kwargs))


@pytest.fixture
def page(qtbot, db_path: Path, ctx: Context) -> CustomersPage:
    widget = CustomersPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.refresh()
    return widget


def _cells(page: CustomersPage) -> list[list[str]]:
    model = page.table.model()
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def _names(page: CustomersPage) -> list[str]:
    return [row[0] for row in _cells(page)]


# -- the list ---------------------------------------------------------------------------------------------------


def test_empty_database_invites_a_first_customer(page: CustomersPage) -> None:
    assert page.content.currentWidget() is page.empty
    assert page.empty.heading.text() == "No customers yet"
    assert page.empty.button.text() == "New customer…"
    assert page.sample_button.isVisible()


def test_list_shows_progress_state_seats_and_tickets(page: CustomersPage, ctx: Context) -> None:
    acme = _customer(ctx, "Acme", tam="Tess Tam")
    _customer(ctx, "Globex", seat_allowance=7, onboarding_started=date(2026, 1, 5))
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    request_seat(ctx, acme, SeatInput("Bob Stone", "bob@acme.com"))
    page.refresh()
    assert page.content.currentWidget() is page.table
    assert [row[:6] for row in _cells(page)] == [  # health comes in the background: tests/gui/test_health.py
        ["Acme", "Tess Tam", "0/10", "Not started", "2 of 5", "0"],
        ["Globex", "—", "0/10", "⚠ Overdue", "0 of 7", "0"],
    ]
    model = page.table.model()
    overdue = model.data(model.index(1, 3), Qt.ItemDataRole.ForegroundRole)
    assert overdue is not None and overdue.color().name() == "#b3261e"
    assert page.count_label.text() == "2 customers"


def test_models_pass_the_model_tester(page: CustomersPage, ctx: Context, qtmodeltester) -> None:
    acme = _customer(ctx, "Acme")
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    page.refresh()
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    page.open_customer(acme)
    qtmodeltester.check(page.detail.onboarding.model)
    qtmodeltester.check(page.detail.seats.model)
    qtmodeltester.check(page.detail.seats.history_model)
    qtmodeltester.check(page.detail.history.model)


def test_search_filters_after_a_typing_pause(page: CustomersPage, ctx: Context, qtbot) -> None:
    for name in ("Acme", "Globex", "Initech"):
        _customer(ctx, name)
    page.refresh()
    qtbot.keyClicks(page.search, "glo")
    assert len(_names(page)) == 3  # debounced: nothing happens per keystroke
    qtbot.waitUntil(lambda: _names(page) == ["Globex"], timeout=10_000)
    assert page.count_label.text() == "1 customer found"


@pytest.mark.parametrize("text", ["%", "_"])
def test_search_wildcards_are_plain_text(page: CustomersPage, ctx: Context, qtbot, text: str) -> None:
    for name in ("Acme", "Globex", "Initech"):
        _customer(ctx, name)
    page.refresh()
    qtbot.keyClicks(page.search, text)
    qtbot.waitUntil(lambda: page.content.currentWidget() is page.empty, timeout=10_000)
    assert page.empty.heading.text() == "No matching customers"
    assert f"“{text}”" in page.empty.text.text()


def test_search_without_match_offers_to_clear(page: CustomersPage, ctx: Context, qtbot) -> None:
    _customer(ctx, "Acme")
    page.refresh()
    qtbot.keyClicks(page.search, "zzz")
    qtbot.waitUntil(lambda: page.content.currentWidget() is page.empty, timeout=10_000)
    assert page.empty.heading.text() == "No matching customers"
    assert "“zzz”" in page.empty.text.text()
    qtbot.mouseClick(page.empty.button, Qt.MouseButton.LeftButton)
    assert page.search.text() == ""
    assert _names(page) == ["Acme"]


def test_header_click_sorts_seats_as_numbers(page: CustomersPage, ctx: Context, qtbot) -> None:
    many = _customer(ctx, "Many", seat_allowance=12)
    for i in range(10):
        request_seat(ctx, many, SeatInput(f"Person {i}", f"p{i}@many.com"), accept_warnings=True)
    few = _customer(ctx, "Few")
    request_seat(ctx, few, SeatInput("Una Only", "una@few.com"))
    _customer(ctx, "None")
    page.refresh()
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(4) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert [row[4] for row in _cells(page)] == ["0 of 5", "1 of 5", "10 of 12"]
    assert QSettings().value("tables/customers/header") is not None


def test_column_widths_and_sort_are_remembered(qtbot, db_path: Path, ctx: Context) -> None:
    first = CustomersPage(ctx, TaskRunner())
    qtbot.addWidget(first)
    first.table.setColumnWidth(1, 222)
    first.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
    second = CustomersPage(ctx, TaskRunner())
    qtbot.addWidget(second)
    assert second.table.columnWidth(1) == 222
    header = second.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (5, Qt.SortOrder.DescendingOrder)


def test_enter_opens_the_selected_customer(page: CustomersPage, ctx: Context, qtbot) -> None:
    _customer(ctx, "Acme", tam="Tess Tam")
    page.refresh()
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.detail
    assert page.detail.name.text() == "Acme"
    assert page.detail.subtitle.text() == "TAM Tess Tam · Europe/Berlin · Onboarding not started (0/10)"
    qtbot.mouseClick(page.detail.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.list_panel
    assert page.selected_customer().name == "Acme"


def test_ctrl_f_focuses_the_search(window: MainWindow, ctx: Context, qtbot) -> None:
    _customer(ctx, "Acme")
    window.show_page(1)
    page = window.current_page()
    assert isinstance(page, CustomersPage)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()


def test_delete_archives_after_a_confirm(
    page: CustomersPage, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _customer(ctx, "Acme")
    _customer(ctx, "Globex")
    page.refresh()
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert asked[0].startswith("Archive Acme?")
    assert _names(page) == ["Globex"]
    qtbot.mouseClick(page.show_archived, Qt.MouseButton.LeftButton, pos=QPoint(8, page.show_archived.height() // 2))
    assert _names(page) == ["Acme (archived)", "Globex"]
    assert _cells(page)[0][3] == "Archived"
    page.select_customer(get_customer(_id(page, "Acme (archived)")).id)
    assert page.archive_button.text() == "Resto&re"


def _id(page: CustomersPage, shown: str) -> int:
    row = _names(page).index(shown)
    return page.proxy.row_at(row).id


def test_only_archived_customers_say_so(page: CustomersPage, ctx: Context) -> None:
    acme = _customer(ctx, "Acme")
    set_archived(ctx, acme, get_customer(acme).version, True)
    page.refresh()
    assert page.empty.heading.text() == "No customers to show"
    assert not page.sample_button.isVisible()


# -- the customer dialog ----------------------------------------------------------------------------------------


def _customer_dialog(qtbot, ctx: Context, customer_id: int | None = None) -> CustomerDialog:
    dialog = CustomerDialog(ctx, get_customer(customer_id) if customer_id else None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_new_customer_shows_each_error_beside_its_field(qtbot, db_path: Path, ctx: Context) -> None:
    _customer(ctx, "Acme")
    dialog = _customer_dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.name, "  acme ")
    dialog.time_zone.setEditText("Mars/Olympus")
    qtbot.keyClicks(dialog.email_domains, "acme.com, not a domain")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.messages["name"].text() == "A customer named 'Acme' already exists."
    assert dialog.messages["name"].tone is Tone.ERROR
    assert dialog.messages["time_zone"].text().startswith("Time zone 'Mars/Olympus' is not an IANA time zone")
    assert dialog.messages["email_domains"].text() == "Email domains: 'not' is not a valid domain."
    assert dialog.messages["name"].isVisible()
    assert not dialog.messages["country"].isVisible()
    qtbot.keyClicks(dialog.name, "x")
    assert not dialog.messages["name"].isVisible()  # typing clears the field's message


def test_time_zone_and_country_are_searchable(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = _customer_dialog(qtbot, ctx)
    completer = dialog.time_zone.completer()
    completer.setCompletionPrefix("berl")
    assert completer.currentCompletion() == "Europe/Berlin"
    dialog.country.setEditText("Germany (DE)")
    assert dialog.country.value() == "DE"
    dialog.country.setEditText("de")
    assert dialog.country.value() == "DE"
    dialog.country.setEditText("türkiye")  # the list's own name, spelt otherwise by the holiday calendars
    assert dialog.country.value() == "TR"


def test_country_is_accepted_by_the_name_it_lists(qtbot, db_path: Path, ctx: Context) -> None:
    dialog = _customer_dialog(qtbot, ctx)
    dialog.name.setText("Acme")
    dialog.time_zone.set_value("Europe/Berlin")
    dialog.country.setEditText("Germany")
    dialog.save()
    assert not dialog.messages["country"].isVisible()
    assert dialog.result() == CustomerDialog.DialogCode.Accepted
    assert get_customer(dialog.customer_id).input.country == "DE"


def test_new_customer_is_created_and_opened(page: CustomersPage, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    def fill(dialog: CustomerDialog) -> int:
        dialog.name.setText("Initech")
        dialog.time_zone.set_value("America/Chicago")
        dialog.country.set_value("US")
        dialog.email_domains.setText("initech.com")
        dialog.tam.setCurrentText("Tess Tam")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(CustomerDialog, "exec", fill)
    qtbot.mouseClick(page.empty.button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.detail
    assert page.detail.name.text() == "Initech"
    overview = page.detail.overview.values
    assert overview["country"].text() == "United States (US)"
    assert overview["seats"].text() == "0 of 5 used"
    assert _names(page) == ["Initech"]


def test_changing_the_allowance_asks_for_a_reason(qtbot, db_path: Path, ctx: Context) -> None:
    acme = _customer(ctx, "Acme")
    dialog = _customer_dialog(qtbot, ctx, acme)
    assert dialog.allowance_reason.isVisible() and not dialog.allowance_reason.isEnabled()
    dialog.seat_allowance.setValue(7)
    assert dialog.allowance_reason.isEnabled()
    dialog.save()
    assert dialog.messages["allowance_reason"].text() == "Changing the seat allowance from 5 to 7 needs a reason."
    qtbot.keyClicks(dialog.allowance_reason, "Contract amendment: two more seats")
    dialog.save()
    assert dialog.result() == CustomerDialog.DialogCode.Accepted
    assert get_customer(acme).input.seat_allowance == 7


def test_allowance_below_the_seats_in_use_is_refused_beside_the_field(qtbot, db_path: Path, ctx: Context) -> None:
    acme = _customer(ctx, "Acme")
    for name in ("Ana Silva", "Bob Stone", "Cy Young"):
        request_seat(ctx, acme, SeatInput(name, f"{name.split()[0].lower()}@acme.com"))
    dialog = _customer_dialog(qtbot, ctx, acme)
    dialog.seat_allowance.setValue(1)
    qtbot.keyClicks(dialog.allowance_reason, "Smaller contract")
    dialog.save()
    assert dialog.isVisible()
    message = dialog.messages["seat_allowance"]
    assert message.text() == "Seat allowance 1 is below the 3 seats in use (seats 1–3); revoke 2 first."
    assert message.isVisible() and message.tone is Tone.ERROR
    assert dialog.focusWidget() is dialog.seat_allowance
    assert get_customer(acme).input.seat_allowance == 5


def test_stale_edit_shows_their_values_and_yours(
    qtbot, db_path: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = _customer(ctx, "Acme")
    dialog = _customer_dialog(qtbot, ctx, acme)
    theirs = get_customer(acme)
    update_customer(ctx, acme, theirs.version, CustomerInput("Acme", "Asia/Tokyo", email_domains=("acme.com",)))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.informativeText()) or 0)
    dialog.time_zone.set_value("Europe/Paris")
    dialog.save()
    assert dialog.isVisible()
    assert "Asia/Tokyo" in shown[0]
    assert "Europe/Paris" in shown[0]
    assert "Time zone" in shown[0]


# -- the customer view ------------------------------------------------------------------------------------------


def test_onboarding_tab_ticks_a_step_with_who_and_when(page: CustomersPage, ctx: Context, qtbot) -> None:
    acme = _customer(ctx, "Acme")
    page.open_customer(acme)
    tab = page.detail.onboarding
    page.detail.tabs.setCurrentWidget(tab)
    model = tab.model
    index = model.index(0, ChecklistModel.DONE)
    rect = tab.table.visualRect(index)
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    assert model.data(model.index(0, ChecklistModel.DONE), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.data(model.index(0, ChecklistModel.BY)) == "Tess Tam"
    assert model.data(model.index(0, ChecklistModel.STATUS)) == "Done"
    assert tab.progress.value() == 1
    assert tab.progress.text() == "1 of 10 steps done"
    history = page.detail.history.model
    assert [history.data(history.index(row, 2)) for row in (0, 1)] == [
        "Onboarding of Acme started 2026-03-10 (its first step was ticked)",
        "Onboarding step 'Kickoff held' done",
    ]
    assert tab.started.text() == f"Started {local_date(date(2026, 3, 10))}"
    undo_stack().undo()  # Edit › Undo takes the tick back (the main window then refreshes its pages)
    page.detail.reload()
    assert model.data(model.index(0, ChecklistModel.DONE), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    undo_stack().redo()
    page.detail.reload()
    assert model.data(model.index(0, ChecklistModel.DONE), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


@pytest.mark.parametrize(("answer", "ticked"), [("Cancel", False), ("Yes", True)])
def test_signing_off_with_steps_open_asks_first(
    page: CustomersPage, ctx: Context, monkeypatch: pytest.MonkeyPatch, answer: str, ticked: bool
) -> None:
    page.open_customer(_customer(ctx, "Acme"))
    tab = page.detail.onboarding
    asked: list[str] = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", question)
    last = tab.model.rowCount() - 1
    tab.table.setCurrentIndex(tab.model.index(last, ChecklistModel.STEP))
    tab.toggle_current()  # Space
    assert len(asked) == 1 and asked[0].startswith("Tick “Onboarding signed off” while 9 steps are still open?")
    state = tab.model.data(tab.model.index(last, ChecklistModel.DONE), Qt.ItemDataRole.CheckStateRole)
    assert state == (Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)


def test_automatic_steps_say_how_they_complete(page: CustomersPage, ctx: Context) -> None:
    page.open_customer(_customer(ctx, "Acme"))
    model = page.detail.onboarding.model
    sent = next(r for r, step in enumerate(model.rows()) if step.title == "Access form sent")
    assert model.data(model.index(sent, ChecklistModel.STATUS)) == "Completes itself when the access form is sent."
    assert "To tick it by hand, you are asked why" in model.data(model.index(sent, 0), Qt.ItemDataRole.ToolTipRole)
    assert model.flags(model.index(0, ChecklistModel.DONE)) & Qt.ItemFlag.ItemIsUserCheckable


@pytest.mark.parametrize("answer", ["Acme designates three users", None])
def test_an_automatic_step_is_ticked_by_hand_with_a_reason(
    page: CustomersPage, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch, answer: str | None
) -> None:
    page.open_customer(_customer(ctx, "Acme"))
    tab = page.detail.onboarding
    page.detail.tabs.setCurrentWidget(tab)
    model = tab.model
    row = next(r for r, step in enumerate(model.rows()) if step.title == "Portal access granted")
    asked: list[str] = []

    def get_text(parent: object, title: str, label: str, **kwargs: object) -> tuple[str, bool]:
        asked.append(label)
        return (answer or "", answer is not None)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    rect = tab.table.visualRect(model.index(row, ChecklistModel.DONE))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    assert len(asked) == 1 and "every designated user has portal access" in asked[0]
    state = model.data(model.index(row, ChecklistModel.DONE), Qt.ItemDataRole.CheckStateRole)
    if answer is None:  # cancelled: nothing changes
        assert state == Qt.CheckState.Unchecked
        assert model.data(model.index(row, ChecklistModel.NOTE)) == ""
    else:
        assert state == Qt.CheckState.Checked
        assert model.data(model.index(row, ChecklistModel.STATUS)) == "Done"
        assert model.data(model.index(row, ChecklistModel.BY)) == "Tess Tam"
        assert model.data(model.index(row, ChecklistModel.NOTE)) == answer


def test_overdue_steps_have_colour_and_words(page: CustomersPage, ctx: Context) -> None:
    page.open_customer(_customer(ctx, "Acme", onboarding_started=date(2026, 3, 1)))
    model = page.detail.onboarding.model
    status = model.index(0, ChecklistModel.STATUS)
    assert model.data(status) == "Overdue by 8 days"  # started Sunday 1 March: due Monday 2 March
    assert model.data(status, Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(status, Qt.ItemDataRole.BackgroundRole) is not None
    assert page.detail.onboarding.state.text().strip() == "⚠ Overdue"


def test_due_date_edits_in_place(page: CustomersPage, ctx: Context) -> None:
    page.open_customer(_customer(ctx, "Acme", onboarding_started=date(2026, 3, 1)))
    model = page.detail.onboarding.model
    assert model.setData(model.index(0, ChecklistModel.DUE), QDate(2026, 3, 20))
    assert model.data(model.index(0, ChecklistModel.DUE)) == "20 Mar 2026"
    assert model.data(model.index(0, ChecklistModel.STATUS)) == "Open"


def test_space_ticks_the_current_step_and_notes_edit_in_place(page: CustomersPage, ctx: Context, qtbot) -> None:
    page.open_customer(_customer(ctx, "Acme"))
    tab = page.detail.onboarding
    page.detail.tabs.setCurrentWidget(tab)
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(1, ChecklistModel.STEP))
    qtbot.keyClick(tab.table, Qt.Key.Key_Space)
    assert tab.model.data(tab.model.index(1, ChecklistModel.STATUS)) == "Done"
    assert tab.model.setData(tab.model.index(1, ChecklistModel.NOTE), "Walked through severities with Ana")
    assert tab.model.data(tab.model.index(1, ChecklistModel.NOTE)) == "Walked through severities with Ana"
    assert tab.model.data(tab.model.index(1, ChecklistModel.STATUS)) == "Done"


def test_marking_the_form_sent_completes_its_step(page: CustomersPage, ctx: Context, qtbot) -> None:
    page.open_customer(_customer(ctx, "Acme"))
    tab = page.detail.seats
    assert tab.form_label.text() == "Access form: not sent yet."
    qtbot.mouseClick(tab.mark_sent_button, Qt.MouseButton.LeftButton)
    assert tab.form_label.text() == "Access form: sent 10 Mar 2026."
    model = page.detail.onboarding.model
    sent = next(r for r, step in enumerate(model.rows()) if step.title == "Access form sent")
    assert model.data(model.index(sent, ChecklistModel.STATUS)) == "Completed itself"
    assert model.data(model.index(sent, ChecklistModel.BY)) == "tamdesk (automatic)"


def test_request_seat_button_opens_the_dialog(
    page: CustomersPage, ctx: Context, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.views.seat_dialog import SeatDialog

    def fill(dialog: SeatDialog) -> int:
        dialog.inputs["full_name"].setText("Ana Silva")
        dialog.inputs["email"].setText("ana@acme.com")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(SeatDialog, "exec", fill)
    page.open_customer(_customer(ctx, "Acme"))
    qtbot.mouseClick(page.detail.seats.request_button, Qt.MouseButton.LeftButton)
    assert page.detail.seats.used_label.text() == "1 of 5 seats used"
    assert page.detail.seats.model.data(page.detail.seats.model.index(0, 5)) == "Requested · awaiting access"


def test_tab_goes_from_search_to_the_list(page: CustomersPage, ctx: Context, qtbot) -> None:
    _customer(ctx, "Acme")
    page.refresh()
    page.activateWindow()
    qtbot.waitActive(page)
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Tab)
    assert page.health_filter.hasFocus()
    qtbot.keyClick(page.health_filter, Qt.Key.Key_Tab)
    assert page.show_archived.hasFocus()
    qtbot.keyClick(page.show_archived, Qt.Key.Key_Tab)
    assert page.table.hasFocus()


def test_seats_tab_walks_a_seat_from_request_to_active(page: CustomersPage, ctx: Context, qtbot) -> None:
    acme = _customer(ctx, "Acme")
    for name in ("Ana Silva", "Bob Stone", "Carla Diaz"):
        request_seat(ctx, acme, SeatInput(name, f"{name.split()[0].lower()}@acme.com"))
    page.open_customer(acme)
    tab = page.detail.seats
    page.detail.tabs.setCurrentWidget(tab)
    assert tab.used_label.text() == "3 of 5 seats used"
    assert tab.free_label.text() == "2 free"
    assert tab.slots.accessibleName() == "3 of 5 seats used"
    assert not tab.grant_button.isEnabled()
    tab.table.selectRow(0)
    assert tab.grant_button.isEnabled() and not tab.confirm_button.isEnabled()
    qtbot.mouseClick(tab.grant_button, Qt.MouseButton.LeftButton)
    assert tab.model.data(tab.model.index(0, 5)) == "Granted · awaiting welcome"
    qtbot.mouseClick(tab.confirm_button, Qt.MouseButton.LeftButton)
    assert tab.model.data(tab.model.index(0, 5)) == "Active"
    assert seat_overview(acme).seats[0].status is SeatStatus.ACTIVE
    assert page.detail.overview.values["seats"].text() == "3 of 5 used"


def test_full_allowance_disables_request(page: CustomersPage, ctx: Context) -> None:
    tiny = _customer(ctx, "Tiny", seat_allowance=1)
    request_seat(ctx, tiny, SeatInput("Una Only", "una@tiny.com"))
    page.open_customer(tiny)
    tab = page.detail.seats
    assert not tab.request_button.isEnabled()
    assert tab.free_label.text() == "All seats in use: revoke one to free a slot"
    assert tab.request_button.toolTip() == "All seats are in use: revoke one to free a slot"


def test_activity_tabs_show_the_customer_s_records(page: CustomersPage, ctx: Context) -> None:
    page.open_customer(_customer(ctx, "Acme"))
    assert page.detail.tickets.customer_id == page.detail.customer_id
    assert page.detail.defects.empty.heading.text() == "No defects"
    assert page.detail.defects.empty.text.text() == "No product defect is linked to this customer."
    assert page.detail.escalations.customer_id == page.detail.customer_id
    titles = [page.detail.tabs.tabText(i) for i in range(page.detail.tabs.count())]
    assert "Tic&kets" in titles


def test_history_tab_lists_changes_newest_first(page: CustomersPage, ctx: Context) -> None:
    acme = _customer(ctx, "Acme")
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    page.open_customer(acme)
    model = page.detail.history.model
    changes = [model.data(model.index(r, 2)) for r in range(model.rowCount())]
    assert changes == ["Seat 1 requested for Ana Silva (ana@acme.com)", "Customer Acme created"]
    assert model.data(model.index(0, 1)) == "Tess Tam"


def test_export_roster_runs_in_the_background(
    page: CustomersPage, ctx: Context, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = _customer(ctx, "Acme")
    request_seat(ctx, acme, SeatInput("Ana Silva", "ana@acme.com"))
    page.open_customer(acme)
    target = tmp_path / "roster.xlsx"
    monkeypatch.setattr("tamdesk.views.customer_detail.view.ask_save_path", lambda *args: target)
    with qtbot.wait_signal(page.detail.status_message, timeout=10000) as blocker:
        qtbot.mouseClick(page.detail.seats.roster_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [f"Seat roster of Acme saved to {target}"]
    assert openpyxl.load_workbook(target).sheetnames[0] == "Summary"


# -- the returned access form -----------------------------------------------------------------------------------


def _fill_form(path: Path, rows: list[tuple[str, str]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = next(row for row in sheet.iter_rows() if any(cell.value == "Email" for cell in row))
    column = {cell.value: cell.column for cell in header}
    for offset, (name, email) in enumerate(rows, start=1):
        sheet.cell(header[0].row + offset, column["Full name"], name)
        sheet.cell(header[0].row + offset, column["Email"], email)
    book.save(path)


def _preview_dialog(qtbot, ctx: Context, customer_id: int, preview: AccessFormPreview, path: Path):
    dialog = AccessFormPreviewDialog(ctx, TaskRunner(), customer_id, "Acme", path, preview)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_preview_with_errors_cannot_be_applied(qtbot, db_path: Path, ctx: Context, qtmodeltester) -> None:
    preview = AccessFormPreview(
        (
            PreviewRow(8, "Ana Silva", "ana@acme.com", "", "", "new", (), seat_no=1),
            PreviewRow(9, "Help", "support@acme.com", "", "", "error", ("Seat 2 (support@acme.com) is a role …",)),
        )
    )
    dialog = _preview_dialog(qtbot, ctx, _customer(ctx, "Acme"), preview, Path("form.xlsx"))
    qtmodeltester.check(dialog.model)
    assert not dialog.apply_button.isEnabled()
    assert dialog.blocked.isVisible()
    assert dialog.blocked.text().startswith("1 row breaks a seat rule, so nothing can be applied.")
    model = dialog.table.model()
    assert [model.data(model.index(r, 6)) for r in range(2)] == ["✚ New seat", "✖ Error"]
    assert not dialog.confirm.isVisible()


def test_returned_form_with_warnings_applies_after_confirm(qtbot, db_path: Path, ctx: Context, tmp_path: Path) -> None:
    acme = _customer(ctx, "Acme")
    path = export_access_form(acme, tmp_path / "form.xlsx", ctx=ctx)
    _fill_form(path, [("Ana Silva", "ana@acme.com"), ("Bob Stone", "bob@partner.org")])
    dialog = _preview_dialog(qtbot, ctx, acme, preview_access_form(acme, path), path)
    assert "2 rows: 1 new, 0 unchanged, 1 with warnings, 0 with errors." in dialog.summary.text()
    assert dialog.confirm.isVisible()
    assert not dialog.apply_button.isEnabled()
    dialog.confirm.setChecked(True)
    assert dialog.apply_button.isEnabled()
    with qtbot.wait_signal(dialog.accepted, timeout=10000):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.result_ is not None
    assert [s.email for s in seat_overview(acme).seats] == ["ana@acme.com", "bob@partner.org"]


def test_import_returned_form_from_the_seats_tab(
    page: CustomersPage, ctx: Context, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = _customer(ctx, "Acme")
    path = export_access_form(acme, tmp_path / "returned.xlsx", ctx=ctx)
    _fill_form(path, [("Ana Silva", "ana@acme.com"), ("Bob Stone", "bob@acme.com")])
    monkeypatch.setattr("tamdesk.views.access_form_dialog.ask_open_path", lambda *args: path)
    monkeypatch.setattr(QMessageBox, "information", lambda *args: None)
    previews: list[str] = []

    def review_and_apply(dialog: AccessFormPreviewDialog) -> int:
        previews.append(dialog.summary.text())
        dialog.apply()
        qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10000)
        return dialog.result()

    monkeypatch.setattr(AccessFormPreviewDialog, "exec", review_and_apply)
    page.open_customer(acme)
    with qtbot.wait_signal(page.detail.status_message, timeout=10000) as blocker:
        qtbot.mouseClick(page.detail.seats.import_button, Qt.MouseButton.LeftButton)
    assert "2 rows: 2 new, 0 unchanged, 0 with warnings, 0 with errors." in previews[0]
    assert blocker.args[0].startswith("Access form of Acme applied: 2 seats requested")
    assert page.detail.seats.used_label.text() == "2 of 5 seats used"
    assert page.detail.seats.form_label.text() == "Access form: not sent yet, returned 10 Mar 2026."


def test_import_customers_from_a_file(
    page: CustomersPage, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "customers.csv"
    source.write_text(
        "Name,Email domains,Time zone,Country,TAM\nAcme,acme.com,Europe/Berlin,DE,Tess Tam\nGlobex,globex.com,UTC,,\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("tamdesk.views.pages.customers.ask_open_path", lambda *args: source)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown == ["Imported customers: 2 created, 0 updated, 0 unchanged."]
    assert _names(page) == ["Acme", "Globex"]


def test_a_bad_import_file_is_a_message(
    page: CustomersPage, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("Name,Time zone\nAcme,Mars/Olympus\n", encoding="utf-8")
    monkeypatch.setattr("tamdesk.views.pages.customers.ask_open_path", lambda *args: source)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown[0].startswith("customers.csv: nothing was imported. Row 2: Time zone 'Mars/Olympus'")
    assert page.content.currentWidget() is page.empty

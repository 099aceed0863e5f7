"""The Tickets page as a TAM meets it: the list after a background load, filters, search, sort, the live SLA
column, the ticket dialog, a customer's Tickets tab and the Import… dialog."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketEventKind
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.ticket_import import TICKET_FIELDS
from tamdesk.services.tickets import (
    TicketInput,
    add_event,
    count_tickets,
    create_ticket,
    ticket_detail,
    ticket_numbers,
)
from tamdesk.views import sla_format
from tamdesk.views.pages.tickets import CustomerTicketsTab, SlaChoice, TicketsPage
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.ticket_dialog import TicketDialog, to_qdatetime
from tamdesk.views.ticket_import_dialog import FileHead, TicketImportDialog, column_box

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # the fixed clock: Tue 15:30 in Berlin


def _customer(ctx: Context, name: str, zone: str = "Europe/Berlin") -> int:
    return create_customer(ctx, CustomerInput(name, time_zone=zone, country="DE"))


def _ticket(ctx: Context, customer: int, number: str, severity: Severity, opened: datetime, subject: str = "") -> int:
    return create_ticket(ctx, TicketInput(number, customer, subject or f"Problem {number}", severity, opened))


@pytest.fixture
def tickets(db_path: Path, ctx: Context) -> dict[str, int]:
    """One ticket in each SLA state: breached, at risk, OK, paused (waiting on the customer), solved."""
    acme = _customer(ctx, "Acme")
    globex = _customer(ctx, "Globex", "America/New_York")
    ids = {
        "breached": _ticket(
            ctx, acme, "SUP-101", Severity.URGENT, NOW - timedelta(hours=2, minutes=30), "Cluster down"
        ),
        "at_risk": _ticket(ctx, acme, "SUP-102", Severity.URGENT, NOW - timedelta(minutes=50), "Printer on fire"),
        "ok": _ticket(ctx, globex, "SUP-103", Severity.URGENT, NOW - timedelta(minutes=10), "Slow queries"),
        "paused": _ticket(ctx, globex, "SUP-104", Severity.HIGH, NOW - timedelta(hours=5), "Login loop"),
        "solved": _ticket(ctx, acme, "SUP-105", Severity.NORMAL, NOW - timedelta(hours=6), "Licence question"),
    }
    add_event(ctx, ids["paused"], TicketEventKind.RESPONSE, NOW - timedelta(hours=4, minutes=50))
    add_event(ctx, ids["paused"], TicketEventKind.WAITING_ON_CUSTOMER, NOW - timedelta(hours=4))
    add_event(ctx, ids["solved"], TicketEventKind.RESPONSE, NOW - timedelta(hours=5))
    add_event(ctx, ids["solved"], TicketEventKind.SOLVED, NOW - timedelta(hours=4))
    return ids


def _settled(widget: TicketsPage | CustomerTicketsTab) -> bool:
    return not widget.list.busy() and widget.list.total() is not None


@pytest.fixture
def page(qtbot, db_path: Path, ctx: Context, tickets: dict[str, int]) -> Iterator[TicketsPage]:
    widget = TicketsPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    widget.refresh()
    qtbot.waitUntil(lambda: _settled(widget))
    yield widget
    widget.list.reader.wait(5000)  # nothing may still read when the database closes


def _column(page: TicketsPage | CustomerTicketsTab, title: str) -> list[str]:
    model = page.list.model
    column = [c.title for c in model.columns].index(title)
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def _numbers(page: TicketsPage | CustomerTicketsTab) -> list[str]:
    return _column(page, "Ticket")


def _wait_for_rows(qtbot, page: TicketsPage, numbers: list[str]) -> None:
    qtbot.waitUntil(lambda: not page.list.busy() and sorted(_numbers(page)) == sorted(numbers))


# -- the list ---------------------------------------------------------------------------------------------------


def test_rows_arrive_from_the_background_load_newest_first(page: TicketsPage) -> None:
    assert _numbers(page) == ["SUP-103", "SUP-102", "SUP-101", "SUP-104", "SUP-105"]
    assert page.count_label.text() == "5 tickets"
    assert page.content.currentWidget() is page.list


def test_sla_column_reads_without_colour(page: TicketsPage) -> None:
    texts = dict(zip(_numbers(page), _column(page, "SLA"), strict=True))
    assert texts == {
        "SUP-101": "✖ Response breached 1 h 30 m ago",
        "SUP-102": "⚠ Response due in 10 m",
        "SUP-103": "Response due in 50 m",
        "SUP-104": "‖ Paused · waiting on customer",
        "SUP-105": "✓ Solved · SLA met",
    }
    model = page.list.model
    sla = [c.title for c in model.columns].index("SLA")
    breached = model.index(_numbers(page).index("SUP-101"), sla)
    assert model.data(breached, Qt.ItemDataRole.ForegroundRole) is not None
    assert "Breached" in model.data(breached, Qt.ItemDataRole.ToolTipRole)


def test_the_countdown_moves_each_minute_and_a_passed_deadline_re_evaluates(qtbot, db_path, tickets) -> None:
    clock = [NOW]
    widget = TicketsPage(Context(actor="Tess Tam", clock=lambda: clock[0]), TaskRunner())
    qtbot.addWidget(widget)
    widget.show()
    widget.refresh()
    qtbot.waitUntil(lambda: _settled(widget))
    assert 0 < widget.list.timer.remainingTime() <= 63_000  # the next whole minute (coarse timers: 5% slack)
    clock[0] = NOW + timedelta(minutes=11)
    widget.list.tick()
    texts = dict(zip(_numbers(widget), _column(widget, "SLA"), strict=True))
    assert texts["SUP-102"] == "✖ Response breached 1 m ago"  # at once, from the deadline and the clock
    assert texts["SUP-103"] == "Response due in 39 m"
    qtbot.waitUntil(lambda: _settled(widget) and widget.list.loaded.evaluated_at == clock[0])
    states = {r.number: r.sla.state for r in widget.list.loaded.rows}
    assert states["SUP-102"] is SlaState.BREACHED  # the background re-evaluation caught up
    widget.list.reader.wait(5000)


def test_filter_by_sla_state_in_the_combo(qtbot, page: TicketsPage) -> None:
    page.sla.setCurrentIndex(page.sla.findData(SlaChoice.BREACHED.value))
    _wait_for_rows(qtbot, page, ["SUP-101"])
    assert page.count_label.text() == "1 of 5 tickets match"
    assert page.clear_button.isVisible()
    page.sla.setCurrentIndex(page.sla.findData(SlaChoice.ATTENTION.value))
    _wait_for_rows(qtbot, page, ["SUP-101", "SUP-102"])
    page.sla.setCurrentIndex(page.sla.findData(SlaChoice.PAUSED.value))
    _wait_for_rows(qtbot, page, ["SUP-104"])


def test_search_waits_for_a_pause_in_typing(qtbot, page: TicketsPage) -> None:
    qtbot.keyClicks(page.search, "printer")
    assert len(_numbers(page)) == 5  # debounced: nothing filtered mid-word
    _wait_for_rows(qtbot, page, ["SUP-102"])
    page.search.clear()
    qtbot.keyClicks(page.search, "globex")  # the customer's name counts too
    _wait_for_rows(qtbot, page, ["SUP-103", "SUP-104"])


def test_severity_status_customer_and_open_only(qtbot, page: TicketsPage) -> None:
    page.severity.setCurrentIndex(page.severity.findData(int(Severity.URGENT)))
    _wait_for_rows(qtbot, page, ["SUP-101", "SUP-102", "SUP-103"])
    page.severity.setCurrentIndex(0)
    page.open_only.click()
    _wait_for_rows(qtbot, page, ["SUP-101", "SUP-102", "SUP-103", "SUP-104"])
    qtbot.waitUntil(lambda: page.customer.count() == 3)
    page.customer.setCurrentIndex(page.customer.findText("Globex"))
    _wait_for_rows(qtbot, page, ["SUP-103", "SUP-104"])
    page.clear_button.click()
    _wait_for_rows(qtbot, page, ["SUP-101", "SUP-102", "SUP-103", "SUP-104", "SUP-105"])


def test_no_match_offers_to_clear_the_filters(qtbot, page: TicketsPage) -> None:
    qtbot.keyClicks(page.search, "no such thing")
    qtbot.waitUntil(lambda: page.content.currentWidget() is page.empty_state)
    assert page.empty_state.heading.text() == "No tickets match"
    page.empty_state.button.click()
    _wait_for_rows(qtbot, page, ["SUP-101", "SUP-102", "SUP-103", "SUP-104", "SUP-105"])
    assert page.search.text() == ""


def _click_header(qtbot, page: TicketsPage, title: str) -> None:
    header = page.list.table.horizontalHeader()
    section = [c.title for c in page.list.model.columns].index(title)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_clicking_a_header_sorts_in_the_background(qtbot, page: TicketsPage) -> None:
    _click_header(qtbot, page, "Ticket")
    qtbot.waitUntil(lambda: _numbers(page) == ["SUP-101", "SUP-102", "SUP-103", "SUP-104", "SUP-105"])
    _click_header(qtbot, page, "Ticket")
    qtbot.waitUntil(lambda: _numbers(page) == ["SUP-105", "SUP-104", "SUP-103", "SUP-102", "SUP-101"])
    _click_header(qtbot, page, "SLA")  # soonest deadline first, tickets without one last
    qtbot.waitUntil(lambda: _numbers(page)[:3] == ["SUP-101", "SUP-102", "SUP-103"])


def test_selection_survives_a_new_sort(qtbot, page: TicketsPage) -> None:
    page.list.select_ticket(page.list.model.row_at(2).id)
    selected = page.list.selected_ticket()
    assert selected is not None and page.open_button.isEnabled()
    _click_header(qtbot, page, "Subject")
    qtbot.waitUntil(lambda: not page.list.busy() and page.list.query.sort_key == "subject")
    assert page.list.selected_ticket() == selected


def test_filters_sort_and_widths_are_remembered(qtbot, page: TicketsPage, ctx: Context) -> None:
    page.sla.setCurrentIndex(page.sla.findData(SlaChoice.AT_RISK.value))
    page.open_only.click()
    _click_header(qtbot, page, "Ticket")
    page.list.table.setColumnWidth(2, 333)
    qtbot.waitUntil(lambda: not page.list.busy())
    again = TicketsPage(ctx, TaskRunner())
    qtbot.addWidget(again)
    assert again.sla.currentData() == SlaChoice.AT_RISK.value
    assert again.open_only.isChecked()
    assert (again.list.query.sort_key, again.list.query.descending) == ("number", False)
    assert again.list.table.columnWidth(2) == 333
    assert QSettings().value("tickets/filter/sla") == "at_risk"


def test_model_passes_the_model_tester(page: TicketsPage, qtmodeltester) -> None:
    qtmodeltester.check(page.list.model)


def test_a_new_ticket_appears_without_reloading_everything(qtbot, page: TicketsPage, ctx: Context) -> None:
    acme = page.customers()[0][0]
    new_id = _ticket(ctx, acme, "SUP-106", Severity.LOW, NOW - timedelta(minutes=5))
    from tamdesk.views.ticket_dialog import ticket_changes

    page.list.reveal(new_id)
    ticket_changes().changed.emit(new_id)
    qtbot.waitUntil(lambda: "SUP-106" in _numbers(page) and not page.list.busy())
    assert page.list.selected_ticket().number == "SUP-106"
    assert page.list.total() == 6


def test_an_empty_database_invites_sample_data(qtbot, db_path: Path, ctx: Context) -> None:
    widget = TicketsPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.show()
    widget.refresh()
    assert widget.content.currentWidget() is widget.empty_state  # at once, before the background load
    assert widget.empty_state.heading.text() == "No tickets yet"
    with qtbot.wait_signal(widget.sample_data_requested):
        widget.empty_state.button.click()
    qtbot.waitUntil(lambda: not widget.list.busy())
    acme = _customer(ctx, "Acme")  # tickets arrive (as sample data would): the page shows them when refreshed
    _ticket(ctx, acme, "SUP-1", Severity.LOW, NOW - timedelta(hours=1))
    widget.refresh()
    qtbot.waitUntil(lambda: _numbers(widget) == ["SUP-1"] and not widget.list.busy())
    assert widget.content.currentWidget() is widget.list
    widget.list.reader.wait(5000)


# -- SLA texts ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (72, "due in 1 h 12 m"),
        (45, "due in 45 m"),
        (60, "due in 1 h"),
        (3 * 24 * 60 + 125, "due in 3 d 2 h"),
        (0.5, "due now"),
        (-0.5, "breached just now"),
        (-180, "breached 3 h ago"),
        (-(2 * 24 * 60), "breached 2 d ago"),
    ],
)
def test_countdown_texts(minutes: float, text: str) -> None:
    assert sla_format.countdown(NOW + timedelta(minutes=minutes), NOW) == text


def test_a_passed_deadline_reads_as_breached_before_the_next_evaluation(tickets: dict[str, int]) -> None:
    sla = ticket_detail(tickets["at_risk"], NOW).sla
    assert sla_format.live_state(sla, NOW) is SlaState.AT_RISK
    later = NOW + timedelta(minutes=11)
    assert sla_format.live_state(sla, later) is SlaState.BREACHED
    assert sla_format.describe(sla, later).text == "✖ Response breached 1 m ago"


# -- the ticket dialog --------------------------------------------------------------------------------------------


def test_create_a_ticket_with_an_error_shown_beside_its_field(qtbot, page: TicketsPage, ctx: Context) -> None:
    dialog = TicketDialog(ctx, customers=page.customers(), parent=page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.number, "SUP-101")  # taken
    dialog.customer.setCurrentIndex(dialog.customer.findText("Acme"))
    qtbot.keyClicks(dialog.subject, "Backups fail nightly")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.messages["severity"].isVisible()
    assert "Choose a severity" in dialog.messages["severity"].text()
    assert "SUP-101 already exists" in dialog.messages["number"].text()  # in the same round, not after a severity
    dialog.severity.buttons[Severity.HIGH].click()
    assert not dialog.messages["severity"].isVisible()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.messages["number"].isVisible()
    assert "SUP-101 already exists" in dialog.messages["number"].text()
    assert dialog.isVisible()
    dialog.number.setText("SUP-200")
    assert not dialog.messages["number"].isVisible()
    dialog.opened_at.setDateTime(to_qdatetime(NOW - timedelta(minutes=30)))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: "SUP-200" in _numbers(page) and not page.list.busy())
    detail = ticket_detail(dialog.ticket_id, NOW)
    assert (detail.customer, detail.input.severity, detail.input.subject) == (
        "Acme",
        Severity.HIGH,
        "Backups fail nightly",
    )


# -- a customer's Tickets tab ----------------------------------------------------------------------------------


def test_customer_tab_shows_one_customers_tickets(qtbot, db_path: Path, ctx: Context, tickets) -> None:
    globex = ticket_detail(tickets["ok"], NOW).input.customer_id
    tab = CustomerTicketsTab(globex, ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: _settled(tab))
    assert sorted(_numbers(tab)) == ["SUP-103", "SUP-104"]
    assert "Customer" not in [c.title for c in tab.list.model.columns]
    assert tab.count_label.text() == "2 tickets"
    tab.list.reader.wait(5000)


# -- Import… ------------------------------------------------------------------------------------------------------

TICKETS_CSV = """Ticket,Customer,Subject,Severity,Status,Opened,First Response,Resolved,Channel
SUP-901,Acme,VPN drops,Sev2,open,2026-03-10T09:00:00Z,2026-03-10T09:30:00Z,,email
SUP-902,Globex,Report wrong,Low,solved,2026-03-09 10:00,,2026-03-09 15:00,phone
"""


@pytest.fixture
def importer(qtbot, db_path: Path, ctx: Context) -> Iterator[TicketImportDialog]:
    _customer(ctx, "Acme")
    _customer(ctx, "Globex", "America/New_York")
    runner = TaskRunner()
    dialog = TicketImportDialog(ctx, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    runner.wait(5000)
    dialog.reader.wait(5000)


def _write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_previews_columns_and_imports(qtbot, importer: TicketImportDialog, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, TICKETS_CSV))
    qtbot.waitUntil(lambda: importer.head is not None)
    mapping = {r.field.label: r.column for r in importer.mapping_model.rows()}
    assert mapping["First response"] == "First Response"
    assert mapping["Opened"] == "Opened"
    assert importer.unused.text() == "Columns not imported: Channel"
    assert importer.preview_model.rowCount() == 2
    assert importer.preview_model.data(importer.preview_model.index(1, 1)) == "Globex"
    assert importer.import_button.isEnabled()
    importer.import_button.click()
    qtbot.waitUntil(lambda: not importer.running())
    assert importer.summary == "Imported tickets: 2 created, 0 updated, 2 events recorded."
    assert importer.status.text().startswith("✓")
    assert importer.cancel_button.text() == "Close"
    assert count_tickets() == 2


def test_import_lists_every_bad_row_and_changes_nothing(qtbot, importer, tmp_path: Path) -> None:
    bad = TICKETS_CSV + "SUP-903,Initech,Fax broken,urgentish,open,2026-03-10T09:00:00Z,,,\n"
    importer.set_path(_write(tmp_path, bad))
    qtbot.waitUntil(lambda: importer.head is not None)
    importer.import_button.click()
    qtbot.waitUntil(lambda: not importer.running())
    assert importer.errors.isVisible()
    problems = importer.errors.toPlainText()
    assert "row 4:" in problems and "Customer 'Initech' is not a known customer" in problems
    assert "Severity 'urgentish'" in problems
    assert "Nothing was imported" in importer.status.text()
    assert count_tickets() == 0


def test_a_missing_required_column_is_flagged_before_importing(qtbot, importer, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, "Ticket,Customer,Severity\nSUP-1,Acme,1\n"))
    qtbot.waitUntil(lambda: importer.head is not None)
    missing = [r for r in importer.mapping_model.rows() if r.missing]
    assert [r.field.label for r in missing] == ["Subject", "Opened"]
    assert not importer.import_button.isEnabled()
    assert "no column for: Subject, Opened" in importer.status.text()


def test_cancel_leaves_nothing(qtbot, db_path: Path, ctx: Context, tmp_path: Path) -> None:
    _customer(ctx, "Acme")
    _customer(ctx, "Globex", "America/New_York")
    runner = TaskRunner()
    release = threading.Event()
    runner.run(lambda control: release.wait(5))  # the single worker is busy, so the import waits its turn
    dialog = TicketImportDialog(ctx, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_path(_write(tmp_path, TICKETS_CSV))
    qtbot.waitUntil(lambda: dialog.head is not None)
    dialog.import_button.click()
    assert dialog.cancel_button.text() == "Cancel import"
    dialog.cancel_button.click()
    assert dialog.isVisible()  # stays open to say what happened
    release.set()
    qtbot.waitUntil(lambda: not dialog.running())
    assert dialog.status.text() == "Import cancelled: nothing was imported."
    assert dialog.summary is None
    assert count_tickets() == 0
    runner.wait(5000)
    dialog.reader.wait(5000)


def test_a_history_file_is_recognised_and_imported(qtbot, importer, tmp_path: Path, ctx: Context) -> None:
    acme = _customer(ctx, "Initech")
    _ticket(ctx, acme, "SUP-1", Severity.HIGH, NOW - timedelta(hours=3))
    importer.set_path(_write(tmp_path, "Ticket,At,Event\nSUP-1,2026-03-10T12:00:00Z,response\n", "history.csv"))
    qtbot.waitUntil(lambda: importer.head is not None)
    assert importer.events_kind.isChecked()
    importer.import_button.click()
    qtbot.waitUntil(lambda: not importer.running())
    assert importer.summary is not None and "1 events" in importer.summary


CASES_CSV = """Case #,Account,Summary,Priority,Created,Responded,Channel
C-901,Acme,VPN drops,Sev2,2026-03-10T09:00:00Z,2026-03-10T09:30:00Z,email
C-902,Globex,Report wrong,Low,2026-03-09T10:00:00Z,,phone
"""


def _pick(qtbot, box: QComboBox, text: str) -> None:
    """Open the combo box's list and click ``text`` in it, as a user does."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    popup = box.view()
    qtbot.waitUntil(popup.isVisible)
    row = box.findText(text)
    assert row >= 0, f"{text!r} is not offered in {box.accessibleName()}"
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # the list ignores a click as quick as the opening one
    rect = popup.visualRect(popup.model().index(row, 0))
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert box.currentText() == text


def _first_values(importer: TicketImportDialog) -> dict[str, str]:
    model = importer.mapping_model
    return {model.data(model.index(n, 0)).rstrip(" *"): model.data(model.index(n, 2)) for n in range(model.rowCount())}


def test_columns_are_chosen_in_the_mapping_and_imported(qtbot, importer, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, CASES_CSV, "cases.csv"))
    qtbot.waitUntil(lambda: importer.head is not None)
    boxes = importer.column_boxes
    assert [b.accessibleName() for b in boxes.values()] == [
        f"File column for {label}" for label in
        ("Ticket", "Customer", "Subject", "Severity", "Status", "Opened", "First response", "Resolved")
    ]  # fmt: skip
    ticket = boxes["ticket"]
    assert [ticket.itemText(n) for n in range(ticket.count())] == [
        "Case #", "Account", "Summary", "Priority", "Created", "Responded", "Channel"
    ]  # fmt: skip
    assert boxes["status"].itemText(0) == "— not imported"  # optional fields may stay out
    assert not importer.import_button.isEnabled()
    assert "no column for: Ticket, Customer, Subject, Severity, Opened" in importer.status.text()

    for key, column in [("ticket", "Case #"), ("customer", "Account"), ("subject", "Summary"),
                        ("severity", "Priority"), ("opened", "Created")]:  # fmt: skip
        assert not importer.import_button.isEnabled()
        _pick(qtbot, boxes[key], column)
    assert importer.import_button.isEnabled()
    assert importer.status.text() == ""
    assert not [r for r in importer.mapping_model.rows() if r.missing]
    assert _first_values(importer) == {
        "Ticket": "C-901", "Customer": "Acme", "Subject": "VPN drops", "Severity": "Sev2", "Status": "",
        "Opened": "2026-03-10T09:00:00Z", "First response": "", "Resolved": "",
    }  # fmt: skip
    assert importer.unused.text() == "Columns not imported: Responded, Channel"
    _pick(qtbot, boxes["firstresponse"], "Responded")
    assert _first_values(importer)["First response"] == "2026-03-10T09:30:00Z"
    assert importer.unused.text() == "Columns not imported: Channel"

    importer.import_button.click()
    qtbot.waitUntil(lambda: not importer.running())
    assert importer.summary == "Imported tickets: 2 created, 0 updated, 1 events recorded."
    assert count_tickets() == 2
    ids = {number: tid for tid, number in ticket_numbers()}
    imported = {n: ticket_detail(ids[n], NOW) for n in ("C-901", "C-902")}
    assert {n: (d.customer, d.input.subject, d.input.severity) for n, d in imported.items()} == {
        "C-901": ("Acme", "VPN drops", Severity.HIGH),
        "C-902": ("Globex", "Report wrong", Severity.LOW),
    }


def test_one_column_for_two_fields_disables_import(qtbot, importer, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, TICKETS_CSV))
    qtbot.waitUntil(lambda: importer.head is not None)
    assert importer.import_button.isEnabled()
    _pick(qtbot, importer.column_boxes["customer"], "Ticket")
    assert not importer.import_button.isEnabled()
    assert importer.status.text() == (
        "✖ The column “Ticket” is chosen for both Ticket and Customer; a column can feed only one field."
    )
    assert [r.field.label for r in importer.mapping_model.rows() if r.wrong] == ["Ticket", "Customer"]
    assert _first_values(importer)["Customer"] == "SUP-901"
    importer.import_button.click()  # a disabled button does nothing
    assert not importer.running() and count_tickets() == 0

    _pick(qtbot, importer.column_boxes["customer"], "Customer")
    assert importer.import_button.isEnabled()
    assert importer.status.text() == ""
    _pick(qtbot, importer.column_boxes["status"], "— not imported")  # an optional field can be left out
    assert importer.import_button.isEnabled()
    assert importer.unused.text() == "Columns not imported: Status, Channel"


def test_a_column_box_offers_only_columns_the_import_can_name(qtbot) -> None:
    head = FileHead(("Date", "Ticket", "Date", ""), (("d1", "SUP-1", "d2", "x"),))
    opened = column_box(TICKET_FIELDS[5], head, None)
    qtbot.addWidget(opened)
    assert [opened.itemText(n) for n in range(opened.count())] == ["Date", "Ticket"]  # the import reads the first Date
    assert (opened.currentIndex(), opened.placeholderText()) == (-1, "✖ choose a column (required)")
    resolved = column_box(TICKET_FIELDS[7], head, 0)
    qtbot.addWidget(resolved)
    assert [resolved.itemText(n) for n in range(resolved.count())] == ["— not imported", "Date", "Ticket"]
    assert resolved.currentText() == "Date"


def test_tab_goes_from_the_time_zone_through_the_column_boxes(qtbot, importer, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, TICKETS_CSV))
    qtbot.waitUntil(lambda: importer.head is not None)
    importer.activateWindow()
    qtbot.waitActive(importer)
    boxes = list(importer.column_boxes.values())
    importer.zone.setFocus()
    seen = []
    for _ in range(len(boxes) + 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [*boxes, importer.preview]

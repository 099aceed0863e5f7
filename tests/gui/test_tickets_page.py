"""The Tickets page as a TAM meets it: the list after a background load, filters, search, sort, the live SLA
column, the ticket dialog and a customer's Tickets tab (the Import… dialog: test_ticket_import_dialog*.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketEventKind
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import (
    TicketInput,
    add_event,
    create_ticket,
    ticket_detail,
)
from tamdesk.views import sla_format
from tamdesk.views.pages.tickets import CustomerTicketsTab, SlaChoice, TicketsPage
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.ticket_dialog import TicketDialog

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
    from tamdesk.views.changes import ticket_changes

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
    dialog.opened_at.set_value(NOW - timedelta(minutes=30))
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


def test_a_closed_page_starts_no_read(qtbot, page: TicketsPage, tickets: dict[str, int]) -> None:
    """A page closed but not yet deleted hears no more of imports, saves or the minute timer (it once reloaded
    the next test's database as that closed)."""
    from tamdesk.views.changes import ticket_changes

    qtbot.waitUntil(lambda: not page.list.busy())
    page.close()
    ticket_changes().imported.emit()
    ticket_changes().changed.emit(tickets["ok"])
    page.list.tick()
    assert not page.list.busy()


def test_a_hidden_page_catches_up_when_shown_again(qtbot, page: TicketsPage, tickets: dict[str, int],
                                                   ctx: Context) -> None:  # fmt: skip
    """In the tray the window is hidden: an import then is read when the window is shown again."""
    from tamdesk.services.tickets import TicketInput, create_ticket
    from tamdesk.views.changes import ticket_changes

    qtbot.waitUntil(lambda: not page.list.busy())
    before = page.list.total()
    page.hide()
    customer = ticket_detail(tickets["ok"], NOW).input.customer_id
    create_ticket(ctx, TicketInput("SUP-999", customer, "Arrived while hidden", Severity.LOW, NOW))
    ticket_changes().imported.emit()
    assert not page.list.busy(), "nothing is read while hidden"
    page.show()
    qtbot.waitUntil(lambda: not page.list.busy() and page.list.total() == (before or 0) + 1, timeout=10000)

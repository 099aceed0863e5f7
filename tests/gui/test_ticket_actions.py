"""What a TAM does to a ticket where it is shown: a right-click on a row of the Tickets page or of a customer's
Tickets tab, the shortcuts, and the ticket window's buttons. Escalate… and Report defect… open their forms with the
ticket chosen; Record response moves the row's SLA and Ctrl+Z takes it back; Copy number fills the clipboard; Open
in support system opens the ticket's address in the system it was synced from (the address forms and their sources:
tests/unit/test_ticket_links.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QContextMenuEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMenu

from tamdesk.domain.severity import Severity
from tamdesk.domain.sync import ConnectionInfo, RemotePage, RemoteTicket, SourceKind
from tamdesk.models import tables as t
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.connections import ConnectionInput, add_connection
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.sync import sync_connection
from tamdesk.services.ticket_links import support_link
from tamdesk.services.tickets import TicketInput, create_ticket, ticket_detail
from tamdesk.views.defect_dialog import ReportDefectDialog
from tamdesk.views.escalation_dialog import EscalationDialog
from tamdesk.views.pages.tickets import CustomerTicketsTab, TicketList, TicketsPage
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.ticket_detail import TicketDetailDialog
from tamdesk.views.undo import undo_stack

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
FIVE = ["Escalate", "Report defect", "Record response", "Copy number", "Open in support system"]
LEFT = Qt.MouseButton.LeftButton


@dataclass
class OneTicket:
    """A Zendesk client whose only page holds ticket 4711 of Acme."""

    kind: SourceKind = SourceKind.ZENDESK

    def __call__(self, info: ConnectionInfo, secret: str, **_: object) -> OneTicket:
        return self

    def check(self) -> str:
        return "Signed in."

    def pages(self, cursor: str | None) -> Iterator[RemotePage]:
        ticket = RemoteTicket(number="4711", subject="Synced crash", priority="urgent", status="open",
                              created=NOW - timedelta(minutes=20), updated=NOW - timedelta(minutes=20),
                              organization="Acme")  # fmt: skip
        yield RemotePage([ticket], "1", True)


@pytest.fixture
def tickets(db_path: Path, ctx: Context) -> dict[str, int]:
    """People to escalate to; Acme with a typed Sev1 ticket (no response yet) and one synced from Zendesk."""
    for name, role, email in [
        ("Maya Support", "support_manager", "maya@vendor.example"),
        ("Dan Director", "senior_director", "dan@vendor.example"),
        ("Vera VP", "vp_customer_success", "vera@vendor.example"),
    ]:
        t.Person.create(name=name, role=role, email=email)
    acme = create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))
    typed = create_ticket(ctx, TicketInput("SUP-1", acme, "Cluster down", Severity.URGENT, NOW - timedelta(minutes=50)))
    store = SecretStore()
    add_connection(ctx, ConnectionInput("Zendesk", "zendesk", "https://acme.zendesk.com/", "ann@acme.example"),
                   "zd-token", store)  # fmt: skip
    sync_connection(ctx, "Zendesk", store, make=OneTicket())
    synced = t.Ticket.get(t.Ticket.number == "4711").id
    return {"acme": acme, "typed": typed, "synced": synced}


@pytest.fixture
def page(qtbot: Any, ctx: Context, tickets: dict[str, int]) -> Iterator[TicketsPage]:
    widget = TicketsPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    widget.refresh()
    qtbot.waitUntil(lambda: not widget.list.busy() and widget.list.total() is not None)
    yield widget
    widget.list.reader.wait(5000)


@pytest.fixture
def menus(monkeypatch: pytest.MonkeyPatch) -> list[QMenu]:
    """The context menus that popped up (recorded, as a click would not reach them headless)."""
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *args: shown.append(self))
    return shown


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[Any], None]]]:
    """Modal dialogs run the next queued handler (which fills and saves them) instead of blocking."""
    handlers: list[Callable[[Any], None]] = []

    def fake_exec(self: QDialog) -> int:
        assert handlers, f"unexpected dialog {type(self).__name__}: {self.windowTitle()}"
        self.show()
        handlers.pop(0)(self)
        return self.result()

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    yield handlers
    assert not handlers, "a dialog the test expected never opened"


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(QUrl(url).toString())))
    return urls


def right_click(ticket_list: TicketList, number: str, menus: list[QMenu]) -> dict[str, Any]:
    """Right-click the row of ticket ``number``; the menu's actions by their plain text."""
    row = [r.number for r in ticket_list.model.rows()].index(number)
    table = ticket_list.table
    pos = table.visualRect(ticket_list.model.index(row, 1)).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)
    assert menus, "no context menu was shown"
    return {a.text().replace("&", "").removesuffix("…"): a for a in menus.pop().actions() if not a.isSeparator()}


def sla_of(ticket_list: TicketList, number: str) -> str:
    model = ticket_list.model
    row = [r.number for r in model.rows()].index(number)
    column = [c.title for c in model.columns].index("SLA")
    return str(model.data(model.index(row, column)))


def test_a_right_click_on_a_row_offers_the_five_actions_for_that_row(page: TicketsPage, menus: list[QMenu]) -> None:
    actions = right_click(page.list, "SUP-1", menus)
    assert list(actions) == ["Open SUP-1", *FIVE]
    assert page.list.selected_ticket().number == "SUP-1"  # type: ignore[union-attr]
    keys = {name: actions[name].shortcut().toString() for name in FIVE}
    assert keys == {"Escalate": "Ctrl+Shift+E", "Report defect": "Ctrl+Shift+D", "Record response": "Ctrl+Shift+R",
                    "Copy number": "Ctrl+Shift+C", "Open in support system": "Ctrl+Shift+O"}  # fmt: skip
    assert right_click(page.list, "4711", menus)["Open in support system"].isEnabled()
    assert page.list.selected_ticket().number == "4711"  # type: ignore[union-attr]


def test_a_right_click_below_the_rows_shows_no_menu(page: TicketsPage, menus: list[QMenu]) -> None:
    viewport = page.list.table.viewport()
    pos = QPoint(10, viewport.height() - 5)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos)))
    assert menus == []


def test_copy_number_puts_the_number_on_the_clipboard(page: TicketsPage, menus: list[QMenu]) -> None:
    QGuiApplication.clipboard().setText("something else")
    right_click(page.list, "4711", menus)["Copy number"].trigger()
    assert QGuiApplication.clipboard().text() == "4711"


def test_the_shortcut_copies_the_selected_row_while_the_list_has_the_focus(qtbot: Any, page: TicketsPage) -> None:
    QGuiApplication.clipboard().setText("")
    page.list.select_ticket(page_ticket_id(page, "SUP-1"))
    page.list.table.setFocus()
    qtbot.keyClick(
        page.list.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert QGuiApplication.clipboard().text() == "SUP-1"


def page_ticket_id(page: TicketsPage, number: str) -> int:
    return next(r.id for r in page.list.model.rows() if r.number == number)


def test_escalate_opens_the_request_with_that_ticket_chosen(
    qtbot: Any, page: TicketsPage, menus: list[QMenu], dialogs: list[Callable[[Any], None]], tickets: dict[str, int]
) -> None:
    seen: list[str] = []

    def request(dialog: EscalationDialog) -> None:
        assert dialog.chooser is None  # the ticket is fixed, not to be typed again
        seen.append(dialog.ticket_info.text())
        qtbot.mouseClick(dialog.by_customer, LEFT)
        qtbot.keyClicks(dialog.requester, "Ana Ruiz")
        qtbot.keyClicks(dialog.reason, "Production down 2 h")
        qtbot.keyClicks(dialog.impact, "Orders stop")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(request)
    right_click(page.list, "SUP-1", menus)["Escalate"].trigger()
    assert "SUP-1" in seen[0]
    (escalation,) = t.Escalation.select()
    assert (escalation.ticket_id, escalation.reason) == (tickets["typed"], "Production down 2 h")
    qtbot.waitUntil(lambda: any(r.escalated for r in page.list.model.rows() if r.number == "SUP-1"))
    assert ticket_detail(tickets["typed"], NOW).open_escalation_id == escalation.id


def test_report_defect_links_the_new_defect_to_that_ticket(
    qtbot: Any, page: TicketsPage, menus: list[QMenu], dialogs: list[Callable[[Any], None]], tickets: dict[str, int]
) -> None:
    def report(dialog: ReportDefectDialog) -> None:
        assert dialog.ticket.chooser is None
        qtbot.keyClicks(dialog.title_edit, "Coordinator OOM on large joins")
        qtbot.mouseClick(dialog.ok_button, LEFT)

    dialogs.append(report)
    right_click(page.list, "4711", menus)["Report defect"].trigger()
    (defect,) = t.Defect.select()
    assert defect.title == "Coordinator OOM on large joins"
    assert ticket_detail(tickets["synced"], NOW).defect_ids == (defect.id,)


def test_record_response_moves_the_rows_sla_and_undo_takes_it_back(
    qtbot: Any, page: TicketsPage, menus: list[QMenu], tickets: dict[str, int]
) -> None:
    before = sla_of(page.list, "SUP-1")
    assert "Response due" in before
    right_click(page.list, "SUP-1", menus)["Record response"].trigger()
    qtbot.waitUntil(lambda: sla_of(page.list, "SUP-1") != before)
    assert "Response due" not in sla_of(page.list, "SUP-1")
    assert [e.kind.label for e in ticket_detail(tickets["typed"], NOW).events] == ["Response"]
    assert undo_stack().undoText() == "Record response on SUP-1"
    undo_stack().undo()
    qtbot.waitUntil(lambda: sla_of(page.list, "SUP-1") == before)
    assert ticket_detail(tickets["typed"], NOW).events == ()


def test_open_in_support_system_opens_the_zendesk_agent_address(
    page: TicketsPage, menus: list[QMenu], opened_urls: list[str]
) -> None:
    action = right_click(page.list, "4711", menus)["Open in support system"]
    assert action.toolTip() == "Open https://acme.zendesk.com/agent/tickets/4711"
    action.trigger()
    assert opened_urls == ["https://acme.zendesk.com/agent/tickets/4711"]


def test_open_in_support_system_is_disabled_for_a_typed_ticket(
    page: TicketsPage, menus: list[QMenu], opened_urls: list[str]
) -> None:
    action = right_click(page.list, "SUP-1", menus)["Open in support system"]
    assert not action.isEnabled()
    assert action.toolTip() == "Ticket SUP-1 was entered in tamdesk, not taken from a support system."
    action.trigger()
    assert opened_urls == []


def test_the_link_needs_one_connection_of_the_tickets_kind(ctx: Context, tickets: dict[str, int]) -> None:
    add_connection(ctx, ConnectionInput("Zendesk EU", "zendesk", "https://acme-eu.zendesk.com", "ann@acme.example"),
                   "zd-token", SecretStore())  # fmt: skip
    assert support_link(tickets["synced"]).why == (
        "2 Zendesk connections have different addresses; the ticket does not say which one it came from."
    )
    t.Connection.delete().execute()
    assert support_link(tickets["synced"]).why == (
        "No Zendesk connection gives the address: add one in Settings › Connections."
    )


def test_the_customers_tickets_tab_has_the_same_menu(
    qtbot: Any, ctx: Context, tickets: dict[str, int], menus: list[QMenu]
) -> None:
    tab = CustomerTicketsTab(tickets["acme"], ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: not tab.list.busy() and tab.list.total() is not None)
    actions = right_click(tab.list, "4711", menus)
    assert list(actions) == ["Open 4711", *FIVE]
    QGuiApplication.clipboard().setText("")
    actions["Copy number"].trigger()
    assert QGuiApplication.clipboard().text() == "4711"
    tab.list.reader.wait(5000)


def test_a_solved_ticket_offers_no_response(
    qtbot: Any, page: TicketsPage, menus: list[QMenu], tickets: dict[str, int], ctx: Context
) -> None:
    detail = TicketDetailDialog(ctx, tickets["typed"])
    qtbot.addWidget(detail)
    assert detail.load()
    detail.record_buttons["solved"].click()
    qtbot.waitUntil(lambda: "Solved" in [r.status.label for r in page.list.model.rows() if r.number == "SUP-1"])
    action = right_click(page.list, "SUP-1", menus)["Record response"]
    assert not action.isEnabled()
    assert action.toolTip() == "Ticket SUP-1 is solved: reopen it to record a response"


# -- the ticket window ------------------------------------------------------------------------------------------


def detail_window(qtbot: Any, ctx: Context, ticket_id: int) -> TicketDetailDialog:
    dialog = TicketDetailDialog(ctx, ticket_id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    return dialog


def test_the_ticket_window_has_the_actions_in_its_header(
    qtbot: Any, ctx: Context, tickets: dict[str, int], opened_urls: list[str]
) -> None:
    dialog = detail_window(qtbot, ctx, tickets["synced"])
    assert list(dialog.action_buttons) == ["Escalate…", "Report defect…", "Copy number", "Open in support system"]
    assert all(button.isVisible() and button.isEnabled() for button in dialog.action_buttons.values())
    QGuiApplication.clipboard().setText("")
    qtbot.mouseClick(dialog.action_buttons["Copy number"], LEFT)
    assert QGuiApplication.clipboard().text() == "4711"
    qtbot.mouseClick(dialog.action_buttons["Open in support system"], LEFT)
    assert opened_urls == ["https://acme.zendesk.com/agent/tickets/4711"]
    typed = detail_window(qtbot, ctx, tickets["typed"])
    assert not typed.action_buttons["Open in support system"].isEnabled()


def test_escalating_from_the_ticket_window_shows_it_escalated(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Callable[[Any], None]]
) -> None:
    dialog = detail_window(qtbot, ctx, tickets["typed"])
    assert "escalated" not in dialog.subtitle.text()

    def request(form: EscalationDialog) -> None:
        assert form.ticket_id() == tickets["typed"]
        qtbot.mouseClick(form.by_tam, LEFT)
        qtbot.keyClicks(form.reason, "No answer for 50 minutes")
        qtbot.keyClicks(form.impact, "Orders stop")
        qtbot.mouseClick(form.ok_button, LEFT)

    dialogs.append(request)
    qtbot.mouseClick(dialog.action_buttons["Escalate…"], LEFT)
    assert "escalated" in dialog.subtitle.text()
    assert dialog.changed


def test_the_ticket_window_shortcut_reports_a_defect(
    qtbot: Any, ctx: Context, tickets: dict[str, int], dialogs: list[Callable[[Any], None]]
) -> None:
    dialog = detail_window(qtbot, ctx, tickets["typed"])
    dialog.activateWindow()

    def report(form: ReportDefectDialog) -> None:
        qtbot.keyClicks(form.title_edit, "Crash on startup")
        qtbot.mouseClick(form.ok_button, LEFT)

    dialogs.append(report)
    assert dialog.actions.report_defect.shortcut() == QKeySequence("Ctrl+Shift+D")
    dialog.actions.report_defect.trigger()
    assert "1 defect" in dialog.subtitle.text()

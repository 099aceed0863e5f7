"""The Reports page: pick a workbook and its filters, export it off the UI thread, open it; cancel or fail cleanly."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, add_event, create_ticket
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages import reports as reports_module
from tamdesk.views.pages.reports import Period, ReportKind, ReportsPage, period_bounds


@pytest.fixture
def data(db_path: Path, ctx: Context) -> dict[str, int]:
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="America/New_York", country="US"))
    for number, customer, day in [("T-1", acme, 2), ("T-2", acme, 3), ("T-3", globex, 4)]:
        opened = datetime(2026, 2, day, 9, tzinfo=UTC)
        ticket = create_ticket(
            ctx, TicketInput(number, customer, '=HYPERLINK("http://x","y")', Severity.URGENT, opened)
        )
        add_event(ctx, ticket, TicketEventKind.RESPONSE, opened + timedelta(minutes=30 * day))
    return {"acme": acme, "globex": globex}


@pytest.fixture
def page(window: MainWindow, data: dict[str, int]) -> ReportsPage:
    row = next(n for n, p in enumerate(window.pages) if p.title == "Reports")
    window.show_page(row)
    found = window.pages[row]
    assert isinstance(found, ReportsPage) and window.current_page() is found
    return found


def choose(page: ReportsPage, kind: ReportKind, period: Period = Period.LAST_MONTH) -> None:
    page.kind.setCurrentIndex(page.kind.findData(kind))
    page.period.setCurrentIndex(page.period.findData(period))


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Answer the save dialog with ``path``; returns the starting paths the dialog was offered."""
    offered: list[str] = []

    def dialog(parent: Any, title: str, start: str, filters: str) -> tuple[str, str]:
        offered.append(start)
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return offered


def test_export_the_sla_report_then_open_it(
    qtbot: Any, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose(page, ReportKind.SLA)
    assert page.period_note.text() == "Tickets opened 2026-02-01 to 2026-02-28."
    assert page.suggested_name() == "SLA report 2026-02-01 to 2026-02-28.xlsx"
    out = tmp_path / "out"
    out.mkdir()
    offered = save_as(monkeypatch, out / "sla")
    with qtbot.waitSignal(page.export_finished, timeout=30_000) as finished:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert offered[0].endswith("SLA report 2026-02-01 to 2026-02-28.xlsx")
    result = finished.args[0]
    assert result.path == out / "sla.xlsx" and result.path.exists()
    assert page.open_button.isVisible() and page.folder_button.isVisible()
    assert not page.progress.isVisible() and page.export_button.isEnabled()
    assert page.result_message.text() == f"SLA report of 3 tickets, 2026-02-01 to 2026-02-28 saved to {result.path}."
    assert QSettings().value("files/last_folder") == str(out)
    tickets = openpyxl.load_workbook(result.path)["Tickets"]
    assert [tickets.cell(r, 1).value for r in range(tickets.max_row - 2, tickets.max_row + 1)] == ["T-1", "T-2", "T-3"]
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.folder_button, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(result.path), str(out)]
    save_as(monkeypatch, out / "second.xlsx")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert not page.open_button.isVisible(), "a new export hides the last one's buttons until it is done"
    qtbot.waitUntil(lambda: page.task is None, timeout=30_000)


def test_cancel_leaves_no_file(qtbot: Any, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel while the export runs: the worker stops at its next check and nothing is written."""
    started, gate = threading.Event(), threading.Event()
    real = reports_module.export_sla_report

    def held(path: Path, scope: Any, *, ctx: Context, progress: Any, cancelled: Any) -> Any:
        def hold(done: int, total: int) -> None:
            progress(done, total)
            started.set()
            gate.wait(10)

        return real(path, scope, ctx=ctx, progress=hold, cancelled=cancelled)

    monkeypatch.setattr(reports_module, "export_sla_report", held)
    choose(page, ReportKind.SLA, Period.ALL)
    save_as(monkeypatch, tmp_path / "cancelled.xlsx")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=10_000)
    assert page.progress.isVisible() and page.cancel_button.isVisible() and not page.export_button.isEnabled()
    with qtbot.waitSignal(page.export_finished, timeout=30_000) as finished:
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
        gate.set()
    assert finished.args == [None]
    assert not (tmp_path / "cancelled.xlsx").exists() and not list(tmp_path.glob(".cancelled.xlsx*"))
    assert page.result_message.text() == "Export cancelled; no file was written."
    assert not page.open_button.isVisible() and not page.cancel_button.isVisible()


def test_a_failed_export_says_why(
    qtbot: Any, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose(page, ReportKind.DEFECTS)
    save_as(monkeypatch, tmp_path / "missing" / "defects.xlsx")
    with qtbot.waitSignal(page.export_finished, timeout=30_000):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in page.result_message.text() and page.result_message.isVisible()
    assert not page.open_button.isVisible()


def test_roster_and_onboarding_use_the_seat_exports(
    qtbot: Any, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, int]
) -> None:
    choose(page, ReportKind.SEATS)
    assert not page.period_row.isEnabled() and not page.severity_boxes[Severity.URGENT].isEnabled()
    page.all_customers.setChecked(False)
    assert page.message.text() == "Tick at least one customer, or choose All customers."
    assert not page.export_button.isEnabled()
    for row in range(page.customers.count()):
        page.customers.item(row).setCheckState(Qt.CheckState.Checked)
    assert page.export_button.isEnabled()  # the roster of several customers
    save_as(monkeypatch, tmp_path / "both.xlsx")
    with qtbot.waitSignal(page.export_finished, timeout=30_000) as finished:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].summary == "Seat roster of 2 customers"
    summary = openpyxl.load_workbook(tmp_path / "both.xlsx")["Summary"]
    assert {"Acme", "Globex"} <= {c.value for c in summary["A"]}
    page.customers.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert page.export_button.isEnabled() and not page.message.isVisible()
    today = page._today().isoformat()
    assert page.suggested_name() == f"Seat roster Acme {today}.xlsx"
    choose(page, ReportKind.ONBOARDING)
    assert page.suggested_name() == f"Onboarding checklist Acme {today}.xlsx"  # one customer: their checklist
    choose(page, ReportKind.SEATS)
    save_as(monkeypatch, tmp_path / "roster.xlsx")
    with qtbot.waitSignal(page.export_finished, timeout=30_000) as finished:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].summary == "Seat roster of Acme"
    assert openpyxl.load_workbook(tmp_path / "roster.xlsx").sheetnames == ["Summary", "Seats"]
    choose(page, ReportKind.ONBOARDING)
    page.all_customers.setChecked(True)
    assert page.suggested_name() == f"Onboarding status {today}.xlsx"
    save_as(monkeypatch, tmp_path / "onboarding.xlsx")
    with qtbot.waitSignal(page.export_finished, timeout=30_000) as finished:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].summary == "Onboarding status"
    assert openpyxl.load_workbook(tmp_path / "onboarding.xlsx").sheetnames == ["Summary", "Customers"]


def test_filters_become_the_report_scope(page: ReportsPage, data: dict[str, int], tmp_path: Path) -> None:
    choose(page, ReportKind.ESCALATIONS, Period.CUSTOM)
    assert page.date_from.isEnabled() and page.date_to.isEnabled()
    page.date_from.setDate(page.date_from.date().fromString("2026-01-15", "yyyy-MM-dd"))
    page.date_to.setDate(page.date_to.date().fromString("2026-01-31", "yyyy-MM-dd"))
    page.all_customers.setChecked(False)
    page.customer_search.setText("glob")
    assert [page.customers.item(r).isHidden() for r in range(page.customers.count())] == [True, False]
    page.customers.item(1).setCheckState(Qt.CheckState.Checked)
    page.severity_boxes[Severity.LOW].setChecked(False)
    request = page.request(tmp_path / "x.xlsx")
    assert (request.scope.start, request.scope.end) == (date(2026, 1, 15), date(2026, 2, 1))
    assert request.scope.customer_ids == {data["globex"]} and request.customer == "Globex"
    assert request.scope.severities == {Severity.URGENT, Severity.HIGH, Severity.NORMAL}
    assert page.period_note.text() == "Escalations opened 2026-01-15 to 2026-01-31."
    page.date_to.setDate(page.date_to.date().fromString("2026-01-10", "yyyy-MM-dd"))
    assert page.message.text() == "The period must end on or after the day it starts."
    assert not page.export_button.isEnabled()
    for box in page.severity_boxes.values():
        assert box.toolTip() == Severity(int(box.text()[3])).definition


def test_the_time_zone_is_chosen_remembered_and_checked(
    qtbot: Any, page: ReportsPage, window: MainWindow, tmp_path: Path
) -> None:
    page.zone_picker.setFocus()
    page.zone_picker.lineEdit().selectAll()
    qtbot.keyClicks(page.zone_picker.lineEdit(), "Asia/Tokyo")
    request = page.request(tmp_path / "x.xlsx")
    assert getattr(request.scope.tz, "key", None) == "Asia/Tokyo"
    assert QSettings().value(reports_module.ZONE_KEY) == "Asia/Tokyo"
    again = ReportsPage(window.ctx, window.runner)  # a new session starts with the zone last used
    qtbot.addWidget(again)
    assert again.zone_picker.value() == "Asia/Tokyo"
    page.zone_picker.setEditText("Mars/Olympus")
    assert page.message.text() == "Time zone 'Mars/Olympus' is not an IANA time zone such as Europe/Berlin."
    assert not page.export_button.isEnabled()


@pytest.mark.parametrize(
    ("period", "today", "bounds"),
    [
        (Period.THIS_MONTH, date(2026, 3, 10), (date(2026, 3, 1), date(2026, 4, 1))),
        (Period.LAST_MONTH, date(2026, 1, 31), (date(2025, 12, 1), date(2026, 1, 1))),
        (Period.THIS_MONTH, date(2026, 12, 5), (date(2026, 12, 1), date(2027, 1, 1))),
        (Period.THIS_QUARTER, date(2026, 3, 10), (date(2026, 1, 1), date(2026, 4, 1))),
        (Period.THIS_QUARTER, date(2026, 11, 30), (date(2026, 10, 1), date(2027, 1, 1))),
        (Period.LAST_QUARTER, date(2026, 2, 1), (date(2025, 10, 1), date(2026, 1, 1))),
        (Period.ALL, date(2026, 3, 10), (None, None)),
    ],
)
def test_period_bounds(period: Period, today: date, bounds: tuple[date | None, date | None]) -> None:
    assert period_bounds(period, today) == bounds


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        (Period.THIS_MONTH, ("2026-03-01", "2026-03-31")),
        (Period.LAST_MONTH, ("2026-02-01", "2026-02-28")),
        (Period.THIS_QUARTER, ("2026-01-01", "2026-03-31")),
        (Period.LAST_QUARTER, ("2025-10-01", "2025-12-31")),
        (Period.ALL, ("any date", "any date")),
    ],
)
def test_greyed_dates_show_the_period_chosen(page: ReportsPage, period: Period, shown: tuple[str, str]) -> None:
    choose(page, ReportKind.SLA, Period.CUSTOM)
    page.date_from.setDate(page.date_from.date().fromString("2024-06-03", "yyyy-MM-dd"))
    choose(page, ReportKind.SLA, period)
    assert (page.date_from.text(), page.date_to.text()) == shown
    assert not page.date_from.isEnabled() and not page.date_to.isEnabled()


def test_custom_starts_from_the_preset_shown(qtbot: Any, page: ReportsPage) -> None:
    choose(page, ReportKind.DEFECTS, Period.LAST_QUARTER)
    page.period.setFocus()
    qtbot.keyClick(page.period, Qt.Key.Key_End)  # Custom, the last choice
    assert page.period.currentData() is Period.CUSTOM and page.date_from.isEnabled()
    assert (page.date_from.text(), page.date_to.text()) == ("2025-10-01", "2025-12-31")
    assert page.period_note.text().startswith("Fixes deployed 2025-10-01 to 2025-12-31.")
    choose(page, ReportKind.DEFECTS, Period.ALL)
    choose(page, ReportKind.DEFECTS, Period.CUSTOM)  # after All dates: this month so far
    assert (page.date_from.text(), page.date_to.text()) == ("2026-03-01", "2026-03-10")


def test_the_export_message_goes_when_the_form_changes(
    qtbot: Any, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def export(path: str) -> None:
        save_as(monkeypatch, tmp_path / path)
        with qtbot.waitSignal(page.export_finished, timeout=30_000):
            qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        assert page.result_message.text().startswith("SLA report of 3 tickets") and page.open_button.isVisible()

    def changed_by(action: Any) -> None:
        action()
        assert page.result_message.text() == ""
        assert not page.open_button.isVisible() and not page.folder_button.isVisible()
        assert page.last_export is None

    choose(page, ReportKind.SLA)
    export("a.xlsx")
    page.kind.setFocus()
    changed_by(lambda: qtbot.keyClick(page.kind, Qt.Key.Key_Down))  # the next report: Defect report
    choose(page, ReportKind.SLA)
    export("b.xlsx")
    changed_by(lambda: page.period.setCurrentIndex(page.period.findData(Period.THIS_QUARTER)))
    export("c.xlsx")
    changed_by(lambda: qtbot.mouseClick(page.all_customers, Qt.MouseButton.LeftButton))
    qtbot.mouseClick(page.all_customers, Qt.MouseButton.LeftButton)
    export("d.xlsx")
    changed_by(lambda: qtbot.mouseClick(page.severity_boxes[Severity.LOW], Qt.MouseButton.LeftButton))
    qtbot.mouseClick(page.severity_boxes[Severity.LOW], Qt.MouseButton.LeftButton)
    export("e.xlsx")
    page.refresh()  # coming back to the page keeps a message that still describes the form
    assert page.result_message.text().startswith("SLA report of 3 tickets") and page.open_button.isVisible()

"""The Import… dialog on files in tamdesk's own columns, on a history file, and choosing columns by hand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.ticket_import import TICKET_FIELDS
from tamdesk.services.tickets import TicketInput, count_tickets, create_ticket, ticket_detail, ticket_numbers
from tamdesk.views.import_customers_panel import Decision
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.ticket_import_dialog import PROBLEMS_TAB, TicketImportDialog
from tamdesk.views.ticket_import_mapping import FileHead, column_box

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def _customer(ctx: Context, name: str, zone: str = "Europe/Berlin") -> int:
    return create_customer(ctx, CustomerInput(name, time_zone=zone, country="DE"))


def _ticket(ctx: Context, customer: int, number: str, severity: Severity, opened: datetime) -> int:
    return create_ticket(ctx, TicketInput(number, customer, f"Problem {number}", severity, opened))


def _settled(dialog: TicketImportDialog) -> bool:
    return dialog.head is not None and not dialog._inspecting and not dialog.progress.isVisible()


def _wait(qtbot, dialog: TicketImportDialog) -> None:
    qtbot.waitUntil(lambda: _settled(dialog), timeout=10000)


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
    _wait(qtbot, importer)
    mapping = {r.field.label: r.column for r in importer.columns.mapping_model.rows()}
    assert mapping["First response"] == "First Response"
    assert mapping["Opened"] == "Opened"
    assert importer.columns.unused.text() == "Columns not imported: Channel"
    assert importer.preview_model.rowCount() == 2
    assert importer.preview_model.data(importer.preview_model.index(1, 1)) == "Globex"
    assert importer.import_button.isEnabled()
    importer.import_button.click()
    qtbot.waitUntil(lambda: not importer.running())
    assert importer.summary == "Imported tickets: 2 created, 0 updated, 2 events recorded."
    assert importer.status.text().startswith("✓")
    assert importer.cancel_button.text() == "Close"
    assert count_tickets() == 2


def test_a_bad_row_is_listed_an_unknown_customer_asked_and_nothing_imported(qtbot, importer, tmp_path: Path) -> None:
    bad = TICKETS_CSV + "SUP-903,Initech,Fax broken,urgentish,open,2026-03-10T09:00:00Z,,,\n"
    bad += "SUP-904,Umbrella,Fax broken,Sev3,open,2026-03-10T09:00:00Z,,,\n"
    importer.set_path(_write(tmp_path, bad))
    _wait(qtbot, importer)
    assert importer.tabs.tabText(PROBLEMS_TAB) == "✖ Problems (1)"
    problem = "row 4: Severity 'urgentish' is not one of 1-4 (Urgent, High, Normal, Low)"
    assert importer.problems.toPlainText() == problem
    assert [u.name for u in importer.customers.items] == ["Initech", "Umbrella"]  # a choice each, not an error
    importer.customers.decide_undecided(Decision.CREATE)
    assert not importer.import_button.isEnabled()
    assert importer.status.text().startswith("✖ Nothing can be imported until the file is fixed: 1 problem")
    importer.import_button.click()  # a disabled button does nothing
    assert not importer.running() and count_tickets() == 0


def test_a_missing_required_column_is_flagged_before_importing(qtbot, importer, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, "Ticket,Customer,Severity\nSUP-1,Acme,1\n"))
    _wait(qtbot, importer)
    missing = [r for r in importer.columns.mapping_model.rows() if r.missing]
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
    _wait(qtbot, dialog)
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
    _wait(qtbot, importer)
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
    model = importer.columns.mapping_model
    return {model.data(model.index(n, 0)).rstrip(" *"): model.data(model.index(n, 2)) for n in range(model.rowCount())}


def test_columns_are_chosen_in_the_mapping_and_imported(qtbot, importer, tmp_path: Path) -> None:
    importer.set_path(_write(tmp_path, CASES_CSV, "cases.csv"))
    _wait(qtbot, importer)
    assert importer.detected.text().startswith("Not an export tamdesk knows: it nearly matches a Jira Service")
    assert importer.source.currentText() == "Jira Service Management"  # the closest
    _pick(qtbot, importer.source, "tamdesk columns")
    _wait(qtbot, importer)
    boxes = importer.columns.column_boxes
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
    _wait(qtbot, importer)
    assert importer.import_button.isEnabled()
    assert importer.status.text() == "Ready: 2 tickets to import."
    assert not [r for r in importer.columns.mapping_model.rows() if r.missing]
    assert _first_values(importer) == {
        "Ticket": "C-901", "Customer": "Acme", "Subject": "VPN drops", "Severity": "Sev2", "Status": "",
        "Opened": "2026-03-10T09:00:00Z", "First response": "", "Resolved": "",
    }  # fmt: skip
    assert importer.columns.unused.text() == "Columns not imported: Responded, Channel"
    _pick(qtbot, boxes["firstresponse"], "Responded")
    assert _first_values(importer)["First response"] == "2026-03-10T09:30:00Z"
    assert importer.columns.unused.text() == "Columns not imported: Channel"
    _wait(qtbot, importer)

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
    _wait(qtbot, importer)
    assert importer.import_button.isEnabled()
    _pick(qtbot, importer.columns.column_boxes["customer"], "Ticket")
    assert not importer.import_button.isEnabled()
    assert importer.status.text() == (
        "✖ The column “Ticket” is chosen for both Ticket and Customer; a column can feed only one field."
    )
    assert [r.field.label for r in importer.columns.mapping_model.rows() if r.wrong] == ["Ticket", "Customer"]
    assert _first_values(importer)["Customer"] == "SUP-901"
    importer.import_button.click()  # a disabled button does nothing
    assert not importer.running() and count_tickets() == 0

    _pick(qtbot, importer.columns.column_boxes["customer"], "Customer")
    _wait(qtbot, importer)
    assert importer.import_button.isEnabled()
    assert importer.status.text() == "Ready: 2 tickets to import."
    _pick(qtbot, importer.columns.column_boxes["status"], "— not imported")  # an optional field can be left out
    _wait(qtbot, importer)
    assert importer.import_button.isEnabled()
    assert importer.columns.unused.text() == "Columns not imported: Status, Channel"


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
    _wait(qtbot, importer)
    importer.activateWindow()
    qtbot.waitActive(importer)
    boxes = list(importer.columns.column_boxes.values())
    importer.zone.setFocus()
    seen = []
    for _ in range(len(boxes) + 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [*boxes, importer.tabs.tabBar()]

"""Monthly pack… on the Reports page: choose the period, folder and recipients, run it off the UI thread, read
what it wrote and sent; a bad address, a missing folder, an SMTP failure or Cancel leave no file."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tamdesk.domain.severity import Severity
from tamdesk.reports import pack as pack_module
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import save_smtp_settings
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.reports import ReportsPage
from tamdesk.views.report_pack_dialog import ReportPackDialog
from tests.db.test_email import Server, free_port, run_server

NAMES = [f"tamdesk-{kind}-2026-02.xlsx" for kind in ("sla", "defects", "escalations", "seats", "onboarding")]


@pytest.fixture
def server() -> Iterator[Server]:
    yield from run_server()


@pytest.fixture
def page(window: MainWindow, ctx: Context) -> ReportsPage:
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    create_ticket(ctx, TicketInput("T-1", acme, "Down", Severity.URGENT, datetime(2026, 2, 3, 9, tzinfo=UTC)))
    row = next(n for n, p in enumerate(window.pages) if p.title == "Reports")
    window.show_page(row)
    found = window.pages[row]
    assert isinstance(found, ReportsPage)
    return found


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    return folder


def open_dialog(qtbot: Any, page: ReportsPage) -> ReportPackDialog:
    qtbot.mouseClick(page.pack_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(ReportPackDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def run(qtbot: Any, dialog: ReportPackDialog) -> str:
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=30_000)
    return dialog.message.text()


def test_the_pack_is_written_to_the_chosen_folder(
    qtbot: Any, page: ReportsPage, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, page)
    assert dialog.period.currentText() == "Last month"
    assert dialog.period_note.text().startswith("February 2026: 2026-02-01 to 2026-02-28, files named tamdesk-sla-")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(out))
    dialog.choose_folder()
    assert dialog.folder.text() == str(out)
    text = run(qtbot, dialog)
    assert text == f"Report pack for February 2026: 5 workbooks written to {out} ({', '.join(NAMES)})."
    assert sorted(os.listdir(out)) == sorted(NAMES)
    tickets = openpyxl.load_workbook(out / NAMES[0])["Tickets"]
    assert "T-1" in [tickets.cell(r, 1).value for r in range(1, tickets.max_row + 1)]
    assert dialog.folder_button.isVisible() and dialog.run_button.isEnabled()
    assert not dialog.progress.isVisible()


def test_a_custom_period_and_recipients(qtbot: Any, page: ReportsPage, out: Path, server: Server, ctx: Context) -> None:
    save_smtp_settings(ctx, server.settings)
    dialog = open_dialog(qtbot, page)
    dialog.period.setCurrentIndex(dialog.period.findData(""))
    dialog.date_from.setDate(dialog.date_from.date().fromString("2026-02-02", "yyyy-MM-dd"))
    dialog.date_to.setDate(dialog.date_to.date().fromString("2026-02-08", "yyyy-MM-dd"))
    dialog.folder.setText(str(out))
    dialog.recipients.setText("mia@vendor.example; lu@vendor.example")
    text = run(qtbot, dialog)
    assert text.endswith("; sent to mia@vendor.example, lu@vendor.example.")
    assert "tamdesk-sla-2026-02-02_2026-02-08.xlsx" in os.listdir(out)
    [(envelope, message)] = server.mailbox.received
    assert sorted(envelope.rcpt_tos) == ["lu@vendor.example", "mia@vendor.example"]
    assert len(list(message.iter_attachments())) == 5


def test_bad_input_says_so_and_writes_nothing(
    qtbot: Any, page: ReportsPage, out: Path, server: Server, ctx: Context
) -> None:
    dialog = open_dialog(qtbot, page)
    dialog.folder.setText(str(out))
    dialog.recipients.setText("mia@vendor.example, bo@@vendor")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.task is None
    assert dialog.message.text() == "'bo@@vendor' is not a valid email address; nothing was written or sent."
    dialog.recipients.setText("")
    dialog.folder.setText(str(out / "gone"))
    assert run(qtbot, dialog) == f"Cannot write the report pack to {out / 'gone'}: the folder does not exist."
    save_smtp_settings(ctx, replace(server.settings, port=free_port()))
    dialog.folder.setText(str(out))
    dialog.recipients.setText("mia@vendor.example")
    assert run(qtbot, dialog).startswith(f"The pack was not sent, so nothing was written to {out}: The SMTP server")
    assert os.listdir(out) == []


def test_cancel_leaves_nothing(qtbot: Any, page: ReportsPage, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started, gate = threading.Event(), threading.Event()
    kind, label, write = pack_module.WORKBOOKS[1]

    def held(*args: Any) -> object:
        started.set()
        gate.wait(10)
        return write(*args)

    monkeypatch.setattr(pack_module, "WORKBOOKS", (pack_module.WORKBOOKS[0], (kind, label, held),
                                                   *pack_module.WORKBOOKS[2:]))  # fmt: skip
    dialog = open_dialog(qtbot, page)
    dialog.folder.setText(str(out))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert started.wait(10)
    assert dialog.cancel_button.isVisible() and dialog.progress.isVisible()
    dialog.reject()  # Escape while it runs does not close the dialog
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=30_000)
    assert dialog.message.text() == "Cancelled; nothing was written or sent."
    assert os.listdir(out) == []


def test_greyed_dates_show_each_named_period(qtbot: Any, page: ReportsPage, out: Path) -> None:
    dialog = open_dialog(qtbot, page)
    shown = {}
    for row in range(dialog.period.count()):
        dialog.period.setCurrentIndex(row)
        shown[dialog.period.currentText()] = (
            dialog.date_from.text(),
            dialog.date_to.text(),
            dialog.date_to.isEnabled(),
        )
    assert shown == {
        "Last month": ("2026-02-01", "2026-02-28", False),
        "This month": ("2026-03-01", "2026-03-31", False),
        "Last quarter": ("2025-10-01", "2025-12-31", False),
        "Custom": ("2025-10-01", "2025-12-31", True),  # starts from the period shown before
    }


def test_the_pack_message_goes_when_the_period_changes(qtbot: Any, page: ReportsPage, out: Path) -> None:
    dialog = open_dialog(qtbot, page)
    dialog.folder.setText(str(out))
    assert run(qtbot, dialog).startswith("Report pack for February 2026")
    assert dialog.folder_button.isVisible()
    dialog.period.setCurrentIndex(dialog.period.findText("Last quarter"))
    assert dialog.message.text() == "" and not dialog.folder_button.isVisible()

"""The customer's "Export quarterly review…" button: choose a quarter (this one by default, earlier ones offered),
choose a file, and the workbook is written in the background with a message saying where."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.customer_detail.quarter_dialog import QuarterDialog
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.tasks import TaskRunner


@pytest.fixture
def page(qtbot, db_path: Path, ctx: Context) -> CustomersPage:
    widget = CustomersPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.refresh()
    return widget


@pytest.fixture
def acme(ctx: Context, db_path: Path) -> int:
    """Acme with one Sev1 ticket in Q4 2025 and two tickets in Q1 2026 (the fixed clock's quarter)."""
    acme = create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", email_domains=("acme.com",)))
    for number, severity, opened in (
        ("T-1", Severity.URGENT, datetime(2025, 11, 4, 10, tzinfo=UTC)),
        ("T-2", Severity.HIGH, datetime(2026, 1, 20, 10, tzinfo=UTC)),
        ("T-3", Severity.LOW, datetime(2026, 2, 2, 10, tzinfo=UTC)),
    ):
        create_ticket(ctx, TicketInput(number, acme, f"Subject {number}", severity, opened))
    return acme


def _choose(qtbot, index: int | None, seen: list[list[str]]) -> None:
    """When the quarter dialog opens: note its choices, pick ``index`` (None: keep the default) and export."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QuarterDialog)
        box = dialog.quarter_box
        seen.append([box.itemText(i) for i in range(box.count())])
        if index is not None:
            box.setCurrentIndex(index)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def _volume(path: Path) -> list[list[object]]:
    summary = openpyxl.load_workbook(path)["Summary"]
    top = next(r for r in range(1, 80) if summary.cell(r, 1).value == "Measure")
    return [[c.value for c in row] for row in summary.iter_rows(min_row=top, max_row=top + 5, max_col=3)]


def test_the_current_quarter_is_exported_by_default(
    page: CustomersPage, acme: int, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.open_customer(acme)
    target = tmp_path / "acme-q1.xlsx"
    suggested: list[str] = []
    monkeypatch.setattr(
        "tamdesk.views.customer_detail.view.ask_save_path", lambda _p, _t, name: suggested.append(name) or target
    )
    seen: list[list[str]] = []
    _choose(qtbot, None, seen)
    with qtbot.wait_signal(page.detail.status_message, timeout=20000) as blocker:
        qtbot.mouseClick(page.detail.review_button, Qt.MouseButton.LeftButton)
    assert seen[0][:2] == ["Q1 2026 (1 Jan – 10 Mar 2026 so far)", "Q4 2025 (1 Oct – 31 Dec 2025)"]
    assert len(seen[0]) == 8
    assert suggested == ["Acme - QBR 2026Q1.xlsx"]
    assert blocker.args == [f"Quarterly review of Acme, Q1 2026 (2 tickets) saved to {target}"]
    assert _volume(target) == [
        ["Measure", "Q1 2026", "Q4 2025"], ["Tickets opened", 2, 1],
        ["  Sev1 Urgent", 0, 1], ["  Sev2 High", 1, 0], ["  Sev3 Normal", 0, 0], ["  Sev4 Low", 1, 0],
    ]  # fmt: skip


def test_the_previous_quarter_can_be_chosen(
    page: CustomersPage, acme: int, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.open_customer(acme)
    target = tmp_path / "acme-q4.xlsx"
    monkeypatch.setattr("tamdesk.views.customer_detail.view.ask_save_path", lambda *args: target)
    _choose(qtbot, 1, [])
    with qtbot.wait_signal(page.detail.status_message, timeout=20000) as blocker:
        qtbot.mouseClick(page.detail.review_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [f"Quarterly review of Acme, Q4 2025 (1 ticket) saved to {target}"]
    wb = openpyxl.load_workbook(target)
    assert wb["Summary"]["A1"].value == "Quarterly business review — Acme, Q4 2025"
    assert _volume(target)[2] == ["  Sev1 Urgent", 1, 0]


def test_cancelling_the_quarter_writes_nothing(
    page: CustomersPage, acme: int, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.open_customer(acme)
    asked: list[object] = []
    monkeypatch.setattr("tamdesk.views.customer_detail.view.ask_save_path", lambda *args: asked.append(args))

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QuarterDialog)
        dialog.reject()

    QTimer.singleShot(0, cancel)
    qtbot.mouseClick(page.detail.review_button, Qt.MouseButton.LeftButton)
    assert asked == [] and list(tmp_path.glob("*.xlsx")) == []


def test_a_folder_that_is_gone_is_said_in_a_message_and_nothing_is_written(
    page: CustomersPage, acme: int, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.open_customer(acme)
    target = tmp_path / "gone" / "acme.xlsx"
    monkeypatch.setattr("tamdesk.views.customer_detail.view.ask_save_path", lambda *args: target)
    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "tamdesk.views.widgets.QMessageBox.warning", lambda _parent, title, text: warned.append((title, text))
    )
    _choose(qtbot, None, [])
    qtbot.mouseClick(page.detail.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(warned), timeout=20000)
    assert warned == [("Export quarterly review", f"Cannot write {target}: folder {target.parent} does not exist")]
    assert list(tmp_path.rglob("*.xlsx")) == []

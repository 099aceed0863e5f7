"""Compare before saving…: a TAM types a draft in Settings, compares it with the rules in force, reads the table and
the tickets whose verdict changes, exports the comparison; nothing is saved, and a bad draft is refused first."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.report_data import ReportCancelled
from tamdesk.services.sla import policy
from tamdesk.views import what_if_dialog
from tamdesk.views.pages.settings import HoursSection, SettingsPage, SlaSection
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.what_if_dialog import WhatIfDialog
from tests.db.test_what_if import at, ticket


@pytest.fixture(autouse=True)
def no_unexpected_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(*args: object) -> None:
        raise AssertionError(f"unexpected question: {args[1:3]}")

    monkeypatch.setattr(QMessageBox, "question", unexpected)


@pytest.fixture
def page(qtbot: Any, db_path: Path, ctx: Context) -> Iterator[SettingsPage]:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    ticket(ctx, acme, "H-1", Severity.HIGH, at(2, 10), at(2, 10, 30))  # met either way
    ticket(ctx, acme, "H-2", Severity.HIGH, at(2, 10), at(2, 11, 30))  # met within 2 hours, not within 1
    ticket(ctx, acme, "C-1", Severity.HIGH, at(2, 16, 30), at(3, 10))  # due Tue 09:30; closing at 17:00, 10:30
    runner = TaskRunner()
    settings = SettingsPage(ctx, runner, secrets=SecretStore())
    qtbot.addWidget(settings)
    settings.resize(1100, 800)
    settings.show()
    settings.refresh()
    yield settings
    runner.wait(5000)


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def compared(qtbot: Any, section: SlaSection | HoursSection) -> WhatIfDialog:
    click(qtbot, section.compare_button)
    dialog = section.findChild(WhatIfDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.task is None and dialog.result is not None, timeout=30_000)
    return dialog


def cells(model: Any) -> list[list[str]]:
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_a_shorter_sev2_target_is_compared_before_saving(qtbot: Any, page: SettingsPage, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    section = page.show_section(SlaSection)
    assert not section.compare_button.isEnabled()  # nothing typed yet
    section.rows[Severity.HIGH][0].amount.setValue(1)
    dialog = compared(qtbot, section)
    assert dialog.heading.text() == "SLA policy Standard: Sev2 first response 2 business hours → 1 business hour"
    assert "Nothing is saved by comparing." in dialog.notes.text()
    rows = cells(dialog.lines)
    assert rows[0] == ["2026-02", "Sev2 High", "3", "66.7% → 33.3%", "100.0%", "FR −33.3 pts; 1 ticket change"]
    assert rows[-1][:3] == ["Total", "All severities", "3"]
    assert [row[0] for row in cells(dialog.changes)] == ["H-2"]
    assert cells(dialog.changes)[0][-1] == "First response met → missed"
    assert dialog.changes_label.text() == "<b>Tickets whose verdict changes: 1</b>"
    standard = t.SlaPolicy.get(t.SlaPolicy.name == "Standard")
    assert policy(standard.id).target(Severity.HIGH).first_response == timedelta(hours=2)  # nothing saved
    assert section.save_button.isEnabled()  # the draft is still in the form

    out = tmp_path / "compare.xlsx"
    monkeypatch.setattr(what_if_dialog, "ask_save_path", lambda *args: out)
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Comparison exported"), timeout=30_000)
    book = openpyxl.load_workbook(out)
    changed = list(book["Changed tickets"].iter_rows(values_only=True))
    assert [row[0] for row in changed[1:]] == ["H-2"]
    dialog.close()


def test_hours_closing_at_17_are_compared_before_saving(qtbot: Any, page: SettingsPage) -> None:
    section = page.show_section(HoursSection)
    for day in section.days[:5]:
        day.hours.setText("09:00–17:00")
    dialog = compared(qtbot, section)
    assert dialog.heading.text().endswith("Weekly hours 09:00–18:00 Mon–Fri → 09:00–17:00 Mon–Fri")
    [change] = cells(dialog.changes)
    assert change[0] == "C-1" and change[-1] == "First response missed → met"
    assert (change[5], change[6]) == ("Tue 03 Feb 2026 09:30", "Tue 03 Feb 2026 10:30")
    assert '"18:00"' in t.BusinessCalendar.select().first().weekly_hours  # nothing saved


def test_bad_hours_are_refused_beside_their_field_before_comparing(qtbot: Any, page: SettingsPage) -> None:
    section = page.show_section(HoursSection)
    section.days[0].hours.setText("09:00–13:00, 12:00–18:00")
    click(qtbot, section.compare_button)
    assert section.findChild(WhatIfDialog) is None
    assert section.messages["hours_0"].text() == "Mon 09:00–13:00 overlaps 12:00–18:00"
    section.days[0].hours.setText("nine to five")
    click(qtbot, section.compare_button)
    assert section.findChild(WhatIfDialog) is None
    assert section.messages["hours_0"].text() == "Mon: 'nine to five' is not a time range like 09:00–12:30"


def test_a_long_comparison_can_be_cancelled(qtbot: Any, page: SettingsPage, monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(*args: object, progress: Any, cancelled: Any, **kwargs: object) -> None:
        progress(1, 10)
        while not cancelled():
            time.sleep(0.01)
        raise ReportCancelled("The export was cancelled.")

    monkeypatch.setattr(what_if_dialog, "compare", endless)
    section = page.show_section(SlaSection)
    section.rows[Severity.HIGH][0].amount.setValue(1)
    click(qtbot, section.compare_button)
    dialog = section.findChild(WhatIfDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.progress.value() == 100)
    assert dialog.progress.isVisible() and not dialog.export_button.isEnabled()
    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=10_000)
    assert dialog.message.text() == "Cancelled; nothing was compared or saved."
    assert not dialog.progress.isVisible() and not dialog.export_button.isEnabled()

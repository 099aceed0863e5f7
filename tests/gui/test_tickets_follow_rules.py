"""A Tickets list already loaded follows a calendar change saved in Settings: its deadlines move at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from tamdesk.domain.severity import Severity
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.pages.settings import HoursSection, SettingsPage
from tamdesk.views.pages.tickets import TicketsPage
from tamdesk.views.tasks import TaskRunner

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # Tue 15:30 in Berlin


@pytest.fixture
def pages(qtbot, db_path: Path, ctx: Context) -> Iterator[tuple[TicketsPage, SettingsPage]]:
    acme = create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))
    opened = NOW - timedelta(minutes=30)  # Sev2: answered within 2 business hours, by 17:00 today
    create_ticket(ctx, TicketInput("SUP-201", acme, "Slow", Severity.HIGH, opened))
    runner = TaskRunner()
    tickets = TicketsPage(ctx, runner)
    settings = SettingsPage(ctx, runner, secrets=SecretStore())
    for widget in (tickets, settings):
        qtbot.addWidget(widget)
        widget.resize(1200, 800)
        widget.show()
        widget.refresh()
    qtbot.waitUntil(lambda: not tickets.list.busy() and tickets.list.total() == 1)
    yield tickets, settings
    tickets.list.reader.wait(5000)
    runner.wait(5000)


def _sla_cell(page: TicketsPage) -> tuple[str, str]:
    model = page.list.model
    column = [c.title for c in model.columns].index("SLA")
    index = model.index(0, column)
    return model.data(index), model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_a_closed_day_saved_in_settings_moves_the_deadlines_of_the_loaded_list(qtbot, pages) -> None:
    tickets, settings = pages
    text, tip = _sla_cell(tickets)
    assert text == "Response due in 1 h 30 m"
    section = settings.show_section(HoursSection)
    section.country.set_value("DE")
    section.new_day.setDate(QDate(2026, 3, 10))
    section.new_day_name.setText("Company offsite")
    qtbot.mouseClick(section.add_day_button, Qt.MouseButton.LeftButton)
    assert "closed day" in section.messages["holiday"].text()
    # closed today: the two business hours run tomorrow from 09:00, due Wed 11:00 in Berlin
    qtbot.waitUntil(lambda: _sla_cell(tickets)[0] != text and not tickets.list.busy(), timeout=10000)
    assert _sla_cell(tickets)[0] == "Response due in 19 h 30 m"
    assert _sla_cell(tickets)[1] != tip

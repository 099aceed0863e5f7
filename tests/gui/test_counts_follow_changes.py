"""Counts follow every change, whichever page or window made it: the status bar, the customer list behind a
customer, the Today page shown while a ticket is saved elsewhere, and after Ctrl+Z."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.identity import save_name
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.today import Section
from tamdesk.views.changes import ticket_changes
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.pages.today import TodayPage
from tamdesk.views.undo import undo_stack

TICKETS_COLUMN = 5


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    save_name("Tess Tam")
    return create_customer(
        ctx, CustomerInput("Acme", tam="Tess Tam", time_zone="Europe/Berlin", onboarding_started=date(2026, 3, 1))
    )


def _saved_in_its_window(ctx: Context, customer: int, number: str, now: datetime) -> None:
    """A ticket saved in the ticket window: the window tells the change hub, as every ticket window does."""
    ticket = create_ticket(ctx, TicketInput(number, customer, "Down", Severity.URGENT, now - timedelta(minutes=50)))
    ticket_changes().changed.emit(ticket)


def _customers(window: MainWindow) -> CustomersPage:
    row = next(n for n, p in enumerate(window.pages) if p.title == "Customers")
    window.show_page(row)
    page = window.pages[row]
    assert isinstance(page, CustomersPage)
    return page


def test_the_status_bar_counts_every_added_ticket_and_an_undo(
    window: MainWindow, acme: int, ctx: Context, qtbot: QtBot, fixed_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.refresh_status()
    assert window.counts_status.text() == "1 customer · 0 tickets"
    _saved_in_its_window(ctx, acme, "SUP-1", fixed_now)
    _saved_in_its_window(ctx, acme, "SUP-2", fixed_now)
    qtbot.waitUntil(lambda: window.counts_status.text() == "1 customer · 2 tickets", timeout=3000)
    page = _customers(window)
    undo_stack().clear()
    monkeypatch.setattr(page, "_confirm_archive", lambda name: True)
    page.set_customer_archived(acme, True)
    qtbot.waitUntil(lambda: window.counts_status.text() == "0 customers · 2 tickets", timeout=3000)
    window.undo_action.trigger()  # Ctrl+Z
    assert window.counts_status.text() == "1 customer · 2 tickets"
    assert window.statusBar().currentMessage() == "Undone: Archive Acme"


def test_the_customer_list_behind_a_customer_follows_its_tickets(
    window: MainWindow, acme: int, ctx: Context, qtbot: QtBot, fixed_now: datetime
) -> None:
    page = _customers(window)
    page.open_customer(acme)
    _saved_in_its_window(ctx, acme, "SUP-1", fixed_now)  # from the customer's Tickets tab
    badge = page.detail.badges[page.detail.tickets]
    qtbot.waitUntil(lambda: badge.text() == "1", timeout=3000)
    page.detail.back_button.click()
    model = page.table.model()
    qtbot.waitUntil(lambda: model.index(0, TICKETS_COLUMN).data() == "1", timeout=3000)
    _saved_in_its_window(ctx, acme, "SUP-2", fixed_now)  # a sync, say, while the list is shown
    qtbot.waitUntil(lambda: model.index(0, TICKETS_COLUMN).data() == "2", timeout=3000)


def test_today_shown_follows_a_ticket_saved_elsewhere(
    window: MainWindow, acme: int, ctx: Context, qtbot: QtBot, fixed_now: datetime
) -> None:
    today = window.pages[0]
    assert isinstance(today, TodayPage) and today.isVisible()
    qtbot.waitUntil(lambda: today.current is not None and not today.busy, timeout=10_000)
    tile = today.tiles[Section.TICKETS]
    before = tile.count.text()
    _saved_in_its_window(ctx, acme, "SUP-1", fixed_now)  # its first response due in 10 minutes
    qtbot.waitUntil(lambda: tile.count.text() != before, timeout=10_000)
    assert tile.count.text() == "1"

"""The customer detail's counts follow every change, and showing them never moves the tabs under the pointer."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.changes import ticket_changes
from tamdesk.views.pages.customers import CustomersPage
from tamdesk.views.tasks import TaskRunner


@pytest.fixture
def page(qtbot: QtBot, db_path: Path, ctx: Context) -> CustomersPage:
    widget = CustomersPage(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.refresh()
    return widget


def _acme(ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", email_domains=("acme.com",)))


def _open_ticket(ctx: Context, customer_id: int, number: str, now: datetime) -> int:
    """A ticket saved in its own window: the window says so on the change hub, as the ticket dialog does."""
    ticket_id = create_ticket(ctx, TicketInput(number, customer_id, "Crash", Severity.HIGH, now - timedelta(hours=2)))
    ticket_changes().changed.emit(ticket_id)
    return ticket_id


def _tab_rects(page: CustomersPage) -> list[tuple[int, int, int, int]]:
    bar = page.detail.tabs.tabBar()
    return [bar.tabRect(i).getRect() for i in range(bar.count())]


def test_open_counts_do_not_move_the_tabs(page: CustomersPage, ctx: Context, qtbot: QtBot, fixed_now: datetime) -> None:
    acme = _acme(ctx)
    page.open_customer(acme)
    detail = page.detail
    before = _tab_rects(page)
    badge = detail.badges[detail.tickets]
    assert badge.text() == "0"
    assert detail.tabs.tabToolTip(detail.tabs.indexOf(detail.tickets)) == "No open tickets"

    _open_ticket(ctx, acme, "SUP-1", fixed_now)
    _open_ticket(ctx, acme, "SUP-2", fixed_now)
    qtbot.waitUntil(lambda: badge.text() == "2")

    assert _tab_rects(page) == before
    assert detail.tabs.tabToolTip(detail.tabs.indexOf(detail.tickets)) == "2 open tickets"
    assert badge.accessibleName() == "2 open tickets"
    # the click aimed at Escalations where it was before the count appeared lands on Escalations
    bar = detail.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(detail.tabs.indexOf(detail.escalations)).center())
    assert detail.tabs.currentWidget() is detail.escalations


def test_many_open_tickets_keep_the_badge_s_room(page: CustomersPage, ctx: Context) -> None:
    page.open_customer(_acme(ctx))
    badge = page.detail.badges[page.detail.tickets]
    width = badge.width()
    cases = (
        (0, "0", "No open tickets"),
        (1, "1", "1 open ticket"),
        (99, "99", "99 open tickets"),
        (1500, "99+", "1,500 open tickets"),
    )
    for count, shown, said in cases:
        badge.show_count(count)
        assert (badge.text(), badge.summary, badge.width()) == (shown, said, width)
        assert badge.fontMetrics().horizontalAdvance(badge.text()) < width


def test_the_detail_follows_a_change_only_while_shown(
    page: CustomersPage, ctx: Context, qtbot: QtBot, fixed_now: datetime
) -> None:
    acme = _acme(ctx)
    page.open_customer(acme)
    page.show_list()
    _open_ticket(ctx, acme, "SUP-1", fixed_now)
    qtbot.wait(300)
    assert page.detail.badges[page.detail.tickets].text() == "0"  # hidden: nothing read
    page.open_customer(acme)
    assert page.detail.badges[page.detail.tickets].text() == "1"

"""The Tickets page holds the user's customers' tickets by default, every customer's one click away."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.identity import save_name
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.pages.tickets import TicketsPage
from tamdesk.views.tasks import TaskRunner

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def book(db_path: Path, ctx: Context) -> None:
    for name, tam, count in (("Acme", "Tess Tam", 2), ("Globex", "Omar Other", 3)):
        customer = create_customer(ctx, CustomerInput(name, "Europe/Berlin", "DE", tam=tam))
        for n in range(count):
            opened = NOW - timedelta(hours=n + 1)
            create_ticket(ctx, TicketInput(f"{name[:3].upper()}-{n}", customer, "Slow", Severity.HIGH, opened))


def _open(qtbot, ctx: Context) -> TicketsPage:
    page = TicketsPage(ctx, TaskRunner())
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    page.refresh()
    _settle(qtbot, page)
    return page


def _settle(qtbot, page: TicketsPage) -> None:
    qtbot.waitUntil(lambda: not page.list.busy() and page.list.total() is not None, timeout=10_000)
    qtbot.waitUntil(lambda: page._customers_task is None, timeout=10_000)


def _numbers(page: TicketsPage) -> list[str]:
    model = page.list.model
    return sorted(model.data(model.index(r, 0)) for r in range(model.rowCount()))


@pytest.fixture
def page(qtbot, book: None, ctx: Context) -> Iterator[TicketsPage]:
    save_name("Tess Tam")
    widget = _open(qtbot, ctx)
    yield widget
    widget.list.reader.wait(5000)


def test_the_list_holds_my_customers_tickets_and_every_customers_one_click_away(qtbot, page: TicketsPage) -> None:
    assert page.mine_button.isChecked() and page.mine_button.isEnabled()
    assert _numbers(page) == ["ACM-0", "ACM-1"]
    assert page.count_label.text() == "2 tickets of your customers"
    assert [page.customer.itemText(i) for i in range(page.customer.count())] == ["All customers", "Acme"]

    qtbot.mouseClick(page.all_button, LEFT)
    _settle(qtbot, page)

    assert _numbers(page) == ["ACM-0", "ACM-1", "GLO-0", "GLO-1", "GLO-2"]
    assert page.count_label.text() == "5 tickets"
    assert page.customer.count() == 3
    assert QSettings().value("tickets/scope") == "all"  # and the next start opens on every customer's


def test_the_choice_is_remembered(qtbot, page: TicketsPage, ctx: Context) -> None:
    qtbot.mouseClick(page.all_button, LEFT)
    _settle(qtbot, page)

    again = _open(qtbot, ctx)

    assert again.all_button.isChecked() and len(_numbers(again)) == 5
    again.list.reader.wait(5000)


def test_without_a_name_that_is_some_customers_tam_every_customer_is_shown_and_the_button_says_why(
    qtbot, book: None, ctx: Context
) -> None:
    save_name("Tina Nobody")
    page = _open(qtbot, ctx)

    assert page.all_button.isChecked() and not page.mine_button.isEnabled()
    assert page.mine_button.toolTip().startswith("No customer has “Tina Nobody” as TAM, so every customer is shown.")
    assert len(_numbers(page)) == 5 and page.count_label.text() == "5 tickets"
    page.list.reader.wait(5000)

"""Customer health where a TAM sees it: the Customers list sorted and filtered by health, the weights in Settings,
a customer's Overview, and Today's customers whose health dropped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tamdesk.domain.health import Factor, HealthWeights
from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.health import get_weights, record_week
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.today import Section
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.customers import HEALTH_COLUMN, CustomersPage
from tamdesk.views.pages.settings import HealthSection, SettingsPage
from tamdesk.views.pages.today import TodayPage
from tamdesk.views.tasks import TaskRunner

TODAY = date(2026, 3, 10)


def _book(ctx: Context, now: datetime) -> dict[str, int]:
    """Acme in trouble (two open Sev1 tickets, both escalated), Globex with one open Sev2, Initech calm."""
    t.Person.create(name="Maya Support", role="support_manager")
    ids = {
        name: create_customer(ctx, CustomerInput(name=name, tam="Tess Tam", onboarding_started=TODAY))
        for name in ("Acme", "Globex", "Initech")
    }
    for number in ("SUP-1", "SUP-2"):
        opened = now - timedelta(minutes=5)
        ticket = create_ticket(ctx, TicketInput(number, ids["Acme"], "Down", Severity.URGENT, opened))
        request_escalation(ctx, ticket, EscalationInput("customer", "Ana", "Cluster down", "Orders stop"))
    create_ticket(ctx, TicketInput("SUP-3", ids["Globex"], "Slow", Severity.HIGH, now - timedelta(minutes=5)))
    return ids


@pytest.fixture
def customers(qtbot: QtBot, db_path: Path, ctx: Context, fixed_now: datetime) -> Iterator[CustomersPage]:
    _book(ctx, fixed_now)
    runner = TaskRunner()
    page = CustomersPage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: not page.health_loading, timeout=10_000)
    yield page
    runner.wait(10_000)


def _column(page: CustomersPage, column: int) -> list[str]:
    model = page.table.model()
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_customers_sort_by_health(customers: CustomersPage, qtbot: QtBot) -> None:
    header = customers.table.horizontalHeader()
    assert customers.table.model().headerData(HEALTH_COLUMN, Qt.Orientation.Horizontal) == "Health"
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(customers, HEALTH_COLUMN))
    assert header.sortIndicatorSection() == HEALTH_COLUMN
    shown = list(zip(_column(customers, 0), _column(customers, HEALTH_COLUMN), strict=True))
    if header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder:
        shown.reverse()
    assert shown == [("Acme", "45 ✖ Red"), ("Globex", "83 ● Green"), ("Initech", "85 ● Green")]
    model = customers.table.model()
    row = _column(customers, 0).index("Acme")
    tooltip = model.data(model.index(row, HEALTH_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.splitlines()[:3] == ["Health 45 of 100 (Red)", "−20: 2 open Sev1 tickets", "−20: 2 open escalations"]
    colour = model.data(model.index(row, HEALTH_COLUMN), Qt.ItemDataRole.ForegroundRole)
    assert colour.color().name() == "#b3261e"


def _section_centre(page: CustomersPage, column: int):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint

    header = page.table.horizontalHeader()
    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)


def test_customers_filter_red_then_needs_attention(customers: CustomersPage, qtbot: QtBot) -> None:
    customers.health_filter.setCurrentText("Red")
    assert _column(customers, 0) == ["Acme"]
    assert customers.count_label.text() == "1 customer found"
    runner = TaskRunner()
    again = CustomersPage(customers.ctx, runner)  # the next start of the app keeps the filter
    qtbot.addWidget(again)
    assert again.health_filter.currentText() == "Red"
    runner.wait(5000)
    customers.health_filter.setCurrentText("Needs attention (red or amber)")
    assert _column(customers, 0) == ["Acme"]
    customers.health_filter.setCurrentText("Green")
    assert sorted(_column(customers, 0)) == ["Globex", "Initech"]
    customers.health_filter.setCurrentText("Amber")
    assert customers.content.currentWidget() is customers.empty
    assert customers.empty.button.text() == "Show all"
    customers.empty.button.click()
    assert customers.health_filter.currentIndex() == 0
    assert sorted(_column(customers, 0)) == ["Acme", "Globex", "Initech"]


@pytest.fixture
def settings(qtbot: QtBot, db_path: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[SettingsPage]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail(f"unexpected question {a[1:3]}"))
    runner = TaskRunner()
    page = SettingsPage(ctx, runner, secrets=SecretStore())
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    page.refresh()
    yield page
    runner.wait(5000)


def test_weights_that_sum_to_nothing_are_refused_beside_the_spinboxes(settings: SettingsPage, qtbot: QtBot) -> None:
    section: HealthSection = settings.show_section(HealthSection)
    assert section.total.text().startswith("Weights sum to 100 points.")
    below = section.save_button.mapTo(section, section.save_button.rect().topLeft()).y()
    for spin in section.spins.values():
        spin.setValue(0)
    assert section.total.text() == (
        "Weights sum to 0 points.\nThe health weights sum to 0: give at least one factor some points."
    )
    assert section.total.isVisible()
    assert not section.save_button.isEnabled()
    assert section.save_button.mapTo(section, section.save_button.rect().topLeft()).y() == below  # nothing moved
    section.spins[Factor.OPEN_ESCALATIONS].setValue(30)
    assert section.total.text().startswith("Weights sum to 30 points.")
    assert "give at least one factor" not in section.total.text()
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    assert section.status.text() == "Saved. Health is computed with these weights from now on."
    assert get_weights() == HealthWeights(**dict.fromkeys(HealthWeights().as_dict(), 0) | {"open_escalations": 30})
    qtbot.mouseClick(section.defaults_button, Qt.MouseButton.LeftButton)
    assert section.total.text().startswith("Weights sum to 100 points.") and section.save_button.isEnabled()


def test_overview_explains_health_with_its_trend(
    window: MainWindow, ctx: Context, fixed_now: datetime, qtbot: QtBot
) -> None:
    ids = _book(ctx, fixed_now)
    record_week(ctx, fixed_now - timedelta(days=7), TODAY - timedelta(days=7))
    t.HealthSnapshot.update(score=90, band="green").where(t.HealthSnapshot.customer == ids["Acme"]).execute()
    record_week(ctx, fixed_now, TODAY)
    assert window.open_item("customer", ids["Acme"])
    overview = window.current_page().detail.overview  # type: ignore[attr-defined]
    assert overview.values["health"].text() == "45 of 100 · ✖ Red"
    assert overview.values["health_reasons"].text().splitlines() == [
        "−20: 2 open Sev1 tickets", "−20: 2 open escalations", "−10: no contact on the timeline",
        "−5: 5 unused of 5 portal seats",
    ]  # fmt: skip
    assert overview.values["health_trend"].text() == "90 → 45 over 2 weeks (weekly snapshots, the week of 09 Mar last)"
    assert [(p.score, p.band.value) for p in overview.trend_chart.points] == [(90, "green"), (45, "red")]
    assert overview.trend_chart.isVisible()
    window.runner.wait(10_000)


def test_today_shows_a_customer_whose_health_dropped(
    window: MainWindow, ctx: Context, fixed_now: datetime, qtbot: QtBot
) -> None:
    ids = _book(ctx, fixed_now)
    record_week(ctx, fixed_now - timedelta(days=7), TODAY - timedelta(days=7))
    t.HealthSnapshot.update(score=90, band="green").where(t.HealthSnapshot.customer == ids["Acme"]).execute()
    page = window.pages[0]
    assert isinstance(page, TodayPage)
    with qtbot.wait_signal(page.loaded, timeout=15_000):
        page.reload()
    view = page.sections[Section.HEALTH]
    assert view.heading.text() == "Health dropped"
    assert page.tiles[Section.HEALTH].count.text() == "1"
    model = view.model
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row == ["45 ✖ Red", "−45", "Acme", "−20: 2 open Sev1 tickets", "Open ›"]
    with qtbot.wait_signal(page.open_requested) as opened:
        view.table.selectRow(0)
        view.open_selected()
    assert opened.args == ["customer", ids["Acme"]]
    window.runner.wait(10_000)


def test_the_app_records_this_weeks_health_soon_after_start(
    window: MainWindow, ctx: Context, fixed_now: datetime, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk import app

    _book(ctx, fixed_now)
    monkeypatch.setattr(app, "HEALTH_FIRST_DELAY_MS", 10)
    app._record_health_daily(window)
    assert t.HealthSnapshot.select().count() == 0  # not before the window has painted and the delay passed
    qtbot.waitUntil(lambda: t.HealthSnapshot.select().count() == 3, timeout=10_000)
    week = {s.week for s in t.HealthSnapshot.select()}
    assert week == {date(2026, 3, 9)}
    window.runner.wait(10_000)


def test_searching_reuses_the_health_computed(
    customers: CustomersPage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.views.pages import customers as customers_module

    computed: list[datetime] = []
    real = customers_module.all_health
    monkeypatch.setattr(customers_module, "all_health", lambda now: computed.append(now) or real(now))
    qtbot.keyClicks(customers.search, "glo")
    qtbot.waitUntil(lambda: _column(customers, 0) == ["Globex"], timeout=5_000)
    assert _column(customers, HEALTH_COLUMN) == ["83 ● Green"]
    assert computed == []
    customers.refresh()  # shown again: things may have changed elsewhere
    qtbot.waitUntil(lambda: len(computed) == 1 and not customers.health_loading, timeout=10_000)


def test_todays_minute_refresh_keeps_the_drops_for_ten_minutes(
    window: MainWindow, ctx: Context, fixed_now: datetime, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tamdesk.services import health

    ids = _book(ctx, fixed_now)
    record_week(ctx, fixed_now - timedelta(days=7), TODAY - timedelta(days=7))
    t.HealthSnapshot.update(score=90, band="green").where(t.HealthSnapshot.customer == ids["Acme"]).execute()
    computed: list[datetime] = []
    real = health.health_drops
    monkeypatch.setattr(health, "health_drops", lambda now, *a: computed.append(now) or real(now, *a))
    page = window.pages[0]
    assert isinstance(page, TodayPage)
    with qtbot.wait_signal(page.loaded, timeout=15_000):
        page.reload()
    assert len(computed) == 1
    with qtbot.wait_signal(page.loaded, timeout=15_000):
        page._tick()  # the minute's refresh
    assert len(computed) == 1
    assert page.tiles[Section.HEALTH].count.text() == "1"
    assert page.sections[Section.HEALTH].model.rowCount() == 1
    page._health_at = fixed_now - timedelta(minutes=10)
    with qtbot.wait_signal(page.loaded, timeout=15_000):
        page._tick()
    assert len(computed) == 2
    window.runner.wait(10_000)

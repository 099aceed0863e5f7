"""The Today page as a TAM meets it in the morning: counts, sections, My/All customers, one click to each item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.identity import save_name
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.tickets import TicketInput, add_event, create_ticket
from tamdesk.services.today import Section
from tamdesk.views.main_window import MainWindow
from tamdesk.views.pages.today import SCOPE_KEY, TodayPage, greeting
from tamdesk.views.pages.today_sections import day_text, due_text, waited
from tamdesk.views.sla_format import business_days
from tamdesk.views.table_model import local_time
from tamdesk.views.tasks import TaskRunner


def make_book(ctx: Context, now: datetime) -> dict[str, int]:
    """Acme (Tess Tam's) with one of each thing that needs attention, and Globex (Omar's) with a breached Sev1."""
    t.Person.create(name="Maya Support", role="support_manager")
    acme = create_customer(
        ctx,
        CustomerInput(
            name="Acme",
            time_zone="Europe/Berlin",
            tam="Tess Tam",
            email_domains=("acme.example",),
            onboarding_started=date(2026, 3, 1),
        ),
    )
    globex = create_customer(ctx, CustomerInput(name="Globex", tam="Omar Other", onboarding_started=date(2026, 3, 10)))
    ids = {"acme": acme, "globex": globex}
    ids["SUP-1"] = create_ticket(
        ctx, TicketInput("SUP-1", acme, "Cluster down", Severity.URGENT, now - timedelta(hours=2))
    )
    ids["SUP-2"] = create_ticket(
        ctx, TicketInput("SUP-2", acme, "Slow queries", Severity.HIGH, now - timedelta(hours=1, minutes=45))
    )
    ids["SUP-4"] = create_ticket(
        ctx, TicketInput("SUP-4", acme, "Export fails", Severity.HIGH, now - timedelta(days=7))
    )
    add_event(ctx, ids["SUP-4"], TicketEventKind.RESPONSE, now - timedelta(days=6))
    ids["SUP-5"] = create_ticket(
        ctx, TicketInput("SUP-5", globex, "Login broken", Severity.URGENT, now - timedelta(hours=3))
    )
    ids["escalation"] = request_escalation(
        ctx, ids["SUP-1"], EscalationInput("customer", "Ana", "Cluster down", "Orders stop")
    )
    ids["seat"] = request_seat(ctx, acme, SeatInput("Ana Ruiz", "ana@acme.example"))
    return ids  # fmt: skip


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    ids = make_book(ctx, fixed_now)
    save_name("Tess Tam")
    return ids


def today_page(window: MainWindow) -> TodayPage:
    page = window.pages[0]
    assert isinstance(page, TodayPage)
    return page


def load(qtbot: QtBot, page: TodayPage) -> None:
    """Reload and wait until the page shows the result."""
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.reload()


def settle(window: MainWindow, qtbot: QtBot) -> None:
    """Let the background reads of the pages shown finish while the window still exists (they call back into it)."""
    for page in window.pages:
        reader = getattr(getattr(page, "list", None), "reader", None)
        if reader is not None:
            reader.wait(10_000)
    window.runner.wait(10_000)
    qtbot.wait(50)


def click_open(qtbot: QtBot, page: TodayPage, section: Section, row: int = 0) -> None:
    """Click the row's visible "Open ›"."""
    view = page.sections[section]
    page.go_to(section)
    index = view.model.index(row, view.open_column)
    view.table.scrollTo(index)
    rect = view.table.visualRect(index)
    assert view.model.data(index) == "Open ›"
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_counts_are_shown_as_tiles(window: MainWindow, book: dict[str, int], qtbot: QtBot) -> None:
    page = today_page(window)
    load(qtbot, page)
    counts = {s: page.tiles[s].count.text() for s in Section}
    assert counts == {Section.TICKETS: "2", Section.UPDATES: "1", Section.ESCALATIONS: "1", Section.ONBOARDING: "6",
                      Section.SEATS: "1", Section.STAKEHOLDERS: "0", Section.FOLLOW_UPS: "0",
                      Section.ACCOUNTS: "0", Section.HEALTH: "0"}  # fmt: skip
    assert page.tiles[Section.TICKETS].caption.text() == "1 breached"
    assert page.tiles[Section.ONBOARDING].caption.text() == "4 overdue"
    assert page.heading.text().endswith(", Tess")
    assert "11 things need you across your 1 customer" in page.subtitle.text()
    assert page.mine_button.isChecked() and not page.banner.isVisible()
    tickets = page.sections[Section.TICKETS]
    assert [tickets.model.row_at(r).number for r in range(tickets.model.rowCount())] == ["SUP-1", "SUP-2"]
    assert tickets.model.index(0, 0).data() == "✖ breached 1 h ago"
    assert tickets.model.index(1, 0).data() == "⚠ due in 15 m"
    assert page.sections[Section.UPDATES].model.index(0, 1).data() == "SUP-4"


def test_section_models_pass_the_model_tester(window: MainWindow, book: dict[str, int], qtbot: QtBot,
                                              qtmodeltester) -> None:  # fmt: skip
    page = today_page(window)
    load(qtbot, page)
    for view in page.sections.values():
        qtmodeltester.check(view.model)


def test_open_click_emits_the_escalation_and_shows_it(window: MainWindow, book: dict[str, int], qtbot: QtBot) -> None:
    page = today_page(window)
    load(qtbot, page)
    with qtbot.wait_signal(page.open_requested) as signal:
        click_open(qtbot, page, Section.ESCALATIONS)
    assert signal.args == ["escalation", book["escalation"]]
    escalations = window.current_page()
    assert escalations.title == "Escalations"
    assert escalations.stack.currentWidget() is escalations.detail
    assert escalations.detail.escalation_id == book["escalation"]


def test_an_escalation_owing_the_vp_is_listed_first_and_opens_with_the_vp_banner(
    window: MainWindow, book: dict[str, int], ctx: Context, fixed_now: datetime, qtbot: QtBot
) -> None:
    six_days_ago = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=6))
    owed = request_escalation(six_days_ago, book["SUP-4"], EscalationInput("tam", "Tess Tam", "Stalled", "Late"))
    page = today_page(window)
    load(qtbot, page)
    view = page.sections[Section.ESCALATIONS]
    cells = [view.model.index(0, c).data() for c in range(view.model.columnCount())]
    assert cells[:3] == ["Tess Tam (TAM)", "✖ VP of Customer Success to be apprised", f"#{owed} · SUP-4"]
    due = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)  # Wed 4 Mar 15:30 Berlin + 3 business days
    tip = view.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(
        f"VP of Customer Success to be apprised: open more than 3 business days, since {local_time(due)}"
    )
    assert view.model.index(1, 1).data() == "acknowledge the escalation"  # the Sev1 one: the VP heard at once
    assert page.tiles[Section.ESCALATIONS].caption.text() == "1 VP to be apprised"
    assert view.badge.text().strip() == "2 · 1 VP to be apprised"
    with qtbot.wait_signal(page.open_requested) as signal:
        click_open(qtbot, page, Section.ESCALATIONS)
    assert signal.args == ["escalation", owed]
    detail = window.current_page().detail
    assert detail.escalation_id == owed and detail.vp_banner.isVisible()
    assert detail.vp_banner.text().startswith("VP of Customer Success to be apprised")
    settle(window, qtbot)


def test_enter_on_a_ticket_opens_it_on_the_tickets_page(
    window: MainWindow, book: dict[str, int], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    monkeypatch.setattr(type(window.pages[2]), "open_ticket", lambda self, ticket_id: opened.append(ticket_id))
    page = today_page(window)
    load(qtbot, page)
    page.go_to(Section.TICKETS)
    table = page.sections[Section.TICKETS].table
    assert table.hasFocus() or table.selectionModel().hasSelection()
    with qtbot.wait_signal(page.open_requested) as signal:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert signal.args == ["ticket", book["SUP-1"]]
    assert window.current_page().title == "Tickets"
    assert opened == [book["SUP-1"]]
    settle(window, qtbot)


def test_double_click_on_an_onboarding_step_opens_the_checklist(
    window: MainWindow, book: dict[str, int], qtbot: QtBot
) -> None:
    page = today_page(window)
    load(qtbot, page)
    view = page.sections[Section.ONBOARDING]
    page.go_to(Section.ONBOARDING)
    rect = view.table.visualRect(view.model.index(0, 2))
    with qtbot.wait_signal(page.open_requested) as signal:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a step: not yet
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["onboarding", book["acme"]]
    customers = window.current_page()
    assert customers.title == "Customers"
    assert customers.stack.currentWidget() is customers.detail
    assert customers.detail.tabs.currentWidget() is customers.detail.onboarding


def test_a_pending_seat_opens_the_customers_portal_seats(
    window: MainWindow, book: dict[str, int], qtbot: QtBot
) -> None:
    page = today_page(window)
    load(qtbot, page)
    click_open(qtbot, page, Section.SEATS)
    customers = window.current_page()
    assert customers.detail.customer_id == book["acme"]
    assert customers.detail.tabs.currentWidget() is customers.detail.seats


def test_my_and_all_customers(window: MainWindow, book: dict[str, int], qtbot: QtBot) -> None:
    page = today_page(window)
    load(qtbot, page)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.all_button, Qt.MouseButton.LeftButton)
    assert page.tiles[Section.TICKETS].count.text() == "3"
    assert "across all 2 customers" in page.subtitle.text()
    assert QSettings().value(SCOPE_KEY) == "all"
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.set_scope(mine=True)
    assert page.tiles[Section.TICKETS].count.text() == "2"


def test_without_a_name_it_explains_and_shows_everyone(
    window: MainWindow, book: dict[str, int], ctx: Context, qtbot: QtBot
) -> None:
    save_name("")
    page = today_page(window)
    load(qtbot, page)
    assert page.banner.isVisible()
    assert "Settings › You" in page.banner_text.text()
    assert not page.mine_button.isEnabled() and page.all_button.isChecked()
    assert page.tiles[Section.TICKETS].count.text() == "3"
    assert page.heading.text() == "Today"
    qtbot.mouseClick(page.settings_button, Qt.MouseButton.LeftButton)
    assert window.current_page().title == "Settings"
    assert window.open_item("invoice", 1) is False and window.current_page().title == "Settings"


def test_a_name_no_customer_has_lists_the_tams(window: MainWindow, book: dict[str, int], ctx: Context, qtbot: QtBot):
    save_name("Tessa")
    page = today_page(window)
    load(qtbot, page)
    assert "No customer has “Tessa” as TAM" in page.banner_text.text()
    assert "Omar Other, Tess Tam" in page.banner_text.text()


def test_tile_click_goes_to_its_section(window: MainWindow, book: dict[str, int], qtbot: QtBot) -> None:
    page = today_page(window)
    load(qtbot, page)
    qtbot.mouseClick(page.tiles[Section.SEATS], Qt.MouseButton.LeftButton)
    table = page.sections[Section.SEATS].table
    assert table.selectionModel().selectedRows()[0].row() == 0


def test_an_empty_section_says_so(window: MainWindow, db_path: Path, ctx: Context, qtbot: QtBot) -> None:
    create_customer(ctx, CustomerInput(name="Quiet", tam="Tess Tam"))
    save_name("Tess Tam")
    page = today_page(window)
    load(qtbot, page)
    view = page.sections[Section.TICKETS]
    assert not view.table.isVisible() and view.clear.isVisible()
    assert page.tiles[Section.TICKETS].caption.text() == "all clear"


def test_an_empty_database_offers_sample_data(window: MainWindow, qtbot: QtBot) -> None:
    page = today_page(window)
    load(qtbot, page)
    assert page.content.currentWidget() is page.empty
    assert page.empty.button.text() == "Load sample data…"
    with qtbot.wait_signal(page.sample_data_requested):
        page.empty.button.click()


def test_loading_is_shown_until_the_first_result(db_path: Path, ctx: Context, qtbot: QtBot) -> None:
    runner = TaskRunner()
    page = TodayPage(ctx, runner)
    qtbot.addWidget(page)
    loads: list[bool] = []
    page.loaded.connect(lambda: loads.append(page.current is not None))
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.reload()
        page.reload()  # again while loading: once more afterwards, then one "loaded"
        assert page.content.currentWidget() is page.loading
        assert page.status.text() == "Loading…"
    assert page.current is not None and not page.current.mine
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.reload()
        page.set_scope(mine=False)  # another scope while loading: loaded once more afterwards
    runner.wait()
    qtbot.wait(50)
    assert loads == [True, True] and QSettings().value(SCOPE_KEY) == "all"


def test_refreshes_every_minute_while_shown(window: MainWindow, qtbot: QtBot) -> None:
    page = today_page(window)
    assert page.timer.isActive() and page.timer.interval() == 60_000
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.timer.timeout.emit()


@pytest.mark.parametrize(
    ("due", "late", "text"),
    [(timedelta(minutes=15), "overdue", "due in 15 m"), (timedelta(seconds=20), "overdue", "due now"),
     (-timedelta(hours=2, minutes=5), "overdue", "overdue 2 h 5 m"),
     (-timedelta(days=1, hours=3), "breached", "breached 1 d 3 h ago")],
)  # fmt: skip
def test_due_text(fixed_now: datetime, due: timedelta, late: str, text: str) -> None:
    assert due_text(fixed_now + due, fixed_now, late) == text


def test_words_for_days_and_waits(fixed_now: datetime) -> None:
    today = date(2026, 3, 10)
    assert [day_text(today + timedelta(days=d), today) for d in (-2, -1, 0, 1, 2)] == [
        "overdue 2 days", "overdue 1 day", "due today", "due tomorrow", "due Thu 12 Mar"]  # fmt: skip
    assert waited(fixed_now - timedelta(days=3, hours=5), fixed_now) == "3 days"
    assert waited(fixed_now - timedelta(hours=5), fixed_now) == "5 h"
    assert greeting(fixed_now, "") == "Today"


@pytest.mark.parametrize(
    ("days", "text"),
    [(0.05, "under 1 business hour"), (0.5, "under 1 business day"), (1, "1 business day"),
     (1.4, "1 business day"), (2.0, "2 business days"), (4.9, "4 business days")],
)  # fmt: skip
def test_how_long_an_escalation_is_open_reads_in_whole_business_days(days: float, text: str) -> None:
    assert business_days(days) == text

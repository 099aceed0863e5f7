"""The History window: filters by text, kind, who, customer and dates; before and after side by side; pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer, get_customer, update_customer
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.views import history_dialog
from tamdesk.views.history_dialog import HistoryDialog, period_bounds, value_text
from tamdesk.views.main_window import MainWindow
from tamdesk.views.tasks import TaskRunner


@pytest.fixture
def trail(db_path: Path, fixed_now: datetime) -> dict[str, int]:
    """Acme created by Tess two days ago and renamed today; Globex created by Omar yesterday with a seat."""
    tess_then = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=2))
    omar = Context(actor="Omar Ops", clock=lambda: fixed_now - timedelta(days=1))
    tess = Context(actor="Tess Tam", clock=lambda: fixed_now)
    acme = create_customer(tess_then, CustomerInput(name="Acme", email_domains=["acme.com"], notes="first"))
    globex = create_customer(omar, CustomerInput(name="Globex", email_domains=["globex.com"]))
    seat = request_seat(omar, globex, SeatInput("Gina Glo", "gina@globex.com"))
    renamed = CustomerInput(name="Acme Europe", email_domains=["acme.com"], notes="first")
    update_customer(tess, acme, get_customer(acme).version, renamed)
    return {"acme": acme, "globex": globex, "seat": seat}


@pytest.fixture(params=["background", "inline"])
def dialog(request: pytest.FixtureRequest, qtbot, ctx: Context, trail: dict[str, int]) -> HistoryDialog:
    runner = TaskRunner() if request.param == "background" else None
    window = HistoryDialog(ctx, runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        window.open_history()
    yield window
    if runner is not None:
        runner.wait(5000)


def shown(dialog: HistoryDialog) -> list[tuple[str, str]]:
    return [(row.actor, row.summary) for row in dialog.model.rows()]


def reload_after(qtbot, dialog: HistoryDialog, change: Callable[[], object]) -> None:
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        change()


def test_newest_first_with_the_first_entry_selected(dialog: HistoryDialog) -> None:
    rows = dialog.model.rows()
    assert len(rows) == t.AuditEntry.select().count()
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert rows[0].action == "update" and rows[0].customer == "Acme Europe"
    assert dialog.selected_entry() == rows[0]
    assert dialog.model.index(0, 2).data() == "Customer · update"
    assert dialog.count_label.text() == f"{len(rows)} entries"


def test_selected_change_shows_before_and_after_side_by_side(dialog: HistoryDialog) -> None:
    changes = dialog.changes_model.rows()
    assert changes[0].field == "name"
    model = dialog.changes_model
    assert [model.index(0, c).data() for c in range(3)] == ["name", "Acme", "Acme Europe"]
    assert model.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is not None  # changed: highlighted
    unchanged = next(n for n, c in enumerate(changes) if not c.changed) if any(not c.changed for c in changes) else None
    if unchanged is not None:
        assert model.index(unchanged, 2).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "Tess Tam" in dialog.detail_title.text()
    assert "changed" in dialog.detail_title.text()


def test_text_filter_finds_values_and_is_plain_text(qtbot, dialog: HistoryDialog) -> None:
    reload_after(qtbot, dialog, lambda: qtbot.keyClicks(dialog.search, "gina@"))
    assert [a for a, _ in shown(dialog)] == ["Omar Ops"]
    assert dialog.clear_button.isEnabled()
    for text in ("%", "Acme_Europe", "Acme%Europe", ".*", "'; DROP TABLE audit_entry; --", "x" * 10_000):
        reload_after(qtbot, dialog, lambda text=text: dialog.search.setText(text))
        assert dialog.model.rowCount() == 0, text
        assert dialog.list_stack.currentWidget() is dialog.empty
        assert dialog.empty.heading.text() == "No changes match these filters"
    reload_after(qtbot, dialog, lambda: qtbot.mouseClick(dialog.empty.button, Qt.MouseButton.LeftButton))
    assert dialog.search.text() == ""
    assert dialog.model.rowCount() == t.AuditEntry.select().count()
    assert not dialog.clear_button.isEnabled()


def test_kind_who_and_customer_filters(qtbot, dialog: HistoryDialog, trail: dict[str, int]) -> None:
    kinds = [dialog.entity.itemText(i) for i in range(dialog.entity.count())]
    assert kinds[0] == "All records" and "Portal seat" in kinds and "Customer" in kinds
    reload_after(qtbot, dialog, lambda: dialog.entity.setCurrentIndex(kinds.index("Portal seat")))
    assert {r.entity for r in dialog.model.rows()} == {"portal_seat"}
    reload_after(qtbot, dialog, lambda: dialog.entity.setCurrentIndex(0))
    actors = [dialog.actor.itemText(i) for i in range(dialog.actor.count())]
    assert actors == ["Everyone", "Omar Ops", "Tess Tam"]
    reload_after(qtbot, dialog, lambda: dialog.actor.setCurrentIndex(2))
    assert {r.actor for r in dialog.model.rows()} == {"Tess Tam"}
    reload_after(qtbot, dialog, lambda: dialog.actor.setCurrentIndex(0))
    reload_after(qtbot, dialog, lambda: dialog.set_customer(trail["globex"]))
    assert dialog.model.rows() and {r.customer_id for r in dialog.model.rows()} == {trail["globex"]}


def test_date_filters(qtbot, dialog: HistoryDialog, fixed_now: datetime) -> None:
    reload_after(qtbot, dialog, lambda: dialog.period.setCurrentText("Today"))
    assert {r.at for r in dialog.model.rows()} == {fixed_now}
    assert not dialog.first_day.isVisible()
    reload_after(qtbot, dialog, lambda: dialog.period.setCurrentText("Between dates"))
    assert dialog.first_day.isVisible() and dialog.last_day.isVisible()
    yesterday = (fixed_now - timedelta(days=1)).astimezone().date()
    dialog.first_day.setDate(QDate(yesterday))
    reload_after(qtbot, dialog, lambda: dialog.last_day.setDate(QDate(yesterday)))
    assert {r.actor for r in dialog.model.rows()} == {"Omar Ops"}


def test_period_bounds() -> None:
    on = date(2026, 3, 10)
    assert period_bounds("Any time", on, on, on) == (None, None)
    since, until = period_bounds("Last 7 days", on, on, on)
    assert since is not None and since.date() == date(2026, 3, 4) and until is None
    since, until = period_bounds("Between dates", on, date(2026, 3, 9), date(2026, 3, 1))  # reversed: swapped
    assert since is not None and until is not None
    assert (since.date(), until.date()) == (date(2026, 3, 1), date(2026, 3, 10))


def test_values_read_like_a_person_wrote_them() -> None:
    assert value_text(None) == "—"
    assert value_text(True) == "Yes"
    assert value_text(["acme.com", "acme.de"]) == "acme.com, acme.de"
    assert value_text("2026-03-10T14:30:00+00:00")[-5:].count(":") == 1  # a local time, not ISO text
    assert value_text("2026-03-10") == "2026-03-10"
    assert value_text(5) == "5"


def test_pages_load_more(qtbot, dialog: HistoryDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    total = dialog.model.rowCount()
    monkeypatch.setattr(history_dialog, "PAGE_SIZE", 2)
    reload_after(qtbot, dialog, dialog.reload)
    assert dialog.model.rowCount() == 2
    assert dialog.more_button.isVisible()
    assert "more below" in dialog.count_label.text()
    while dialog.more_button.isVisible():
        reload_after(qtbot, dialog, lambda: qtbot.mouseClick(dialog.more_button, Qt.MouseButton.LeftButton))
    assert dialog.model.rowCount() == total
    assert len({r.id for r in dialog.model.rows()}) == total


def test_open_record(qtbot, dialog: HistoryDialog, trail: dict[str, int]) -> None:
    assert dialog.open_button.isEnabled()
    with qtbot.waitSignal(dialog.open_requested) as opened:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == ["customer", trail["acme"]]
    seat_row = next(n for n, r in enumerate(dialog.model.rows()) if r.entity == "portal_seat")
    dialog.table.selectRow(seat_row)
    with qtbot.waitSignal(dialog.open_requested) as opened:
        dialog.open_selected()
    assert opened.args == ["seat", trail["seat"]]


def test_models_pass_the_model_tester(dialog: HistoryDialog, qtmodeltester) -> None:
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(dialog.changes_model)


def test_history_action_opens_the_window(qtbot, window: MainWindow, trail: dict[str, int]) -> None:
    window.history_action.trigger()
    dialog = window.history_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == t.AuditEntry.select().count(), timeout=5000)
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.open_requested):
        dialog.open_selected()
    qtbot.waitUntil(lambda: window.current_page().title == "Customers")
    assert window.current_page().detail.customer_id == trail["acme"]  # type: ignore[attr-defined]


def test_history_follows_a_switch_to_another_database(
    qtbot, window: MainWindow, trail: dict[str, int], tmp_path: Path
) -> None:
    window.history_action.trigger()
    dialog = window.history_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=5000)
    assert window.switch_database(tmp_path / "other.db", create=True)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=5000)
    assert dialog.empty.heading.text() == "No changes recorded yet"
    assert [dialog.actor.itemText(i) for i in range(dialog.actor.count())] == ["Everyone"]

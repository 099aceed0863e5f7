"""Reloading a list keeps nothing of the previous load: no background task, no open database connection, no
widget or model accumulates (the regression guard of issue 19's growing memory; the figures themselves are
measured by benchmarks/bench_memory.py)."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView

from tamdesk.services.base import Context
from tamdesk.services.database import open_database
from tamdesk.services.demo import generate_demo
from tamdesk.views.main_window import PAGES, MainWindow
from tamdesk.views.tasks import Task, TaskRunner

RELOADS = 5


def _tracked() -> list[object]:
    """Every object the cycle collector tracks; the ticket list freezes what a load built (see
    ``collector_paused``), and frozen objects are only listed once unfrozen."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.unfreeze()
    return gc.get_objects()


def _open(connection: sqlite3.Connection) -> bool:
    try:
        connection.total_changes  # noqa: B018 (raises once closed)
    except sqlite3.ProgrammingError:
        return False
    return True


def census(window: MainWindow) -> dict[str, int]:
    objects = _tracked()
    return {
        "background tasks": sum(isinstance(o, Task) for o in objects),
        "open database connections": sum(isinstance(o, sqlite3.Connection) and _open(o) for o in objects),
        "objects of the window": len(window.findChildren(QObject)),
        "item views": len(window.findChildren(QAbstractItemView)),
    }


@pytest.fixture
def sample(db_path: Path, ctx: Context) -> Path:
    generate_demo(ctx, customers=6, tickets=300, seed=3)
    return db_path


def _row(title: str) -> int:
    return next(n for n, spec in enumerate(PAGES) if spec.title == title)


def _reloaded_counts(qtbot, window: MainWindow, reload: Callable[[], None], settled: Callable[[], bool]):  # type: ignore[no-untyped-def]
    counts = []
    for _ in range(RELOADS):
        reload()
        qtbot.waitUntil(settled, timeout=20_000)
        qtbot.wait(50)  # the finished tasks' last callbacks
        counts.append(census(window))
    return counts


def test_reloading_the_tickets_list_keeps_nothing_of_earlier_loads(qtbot, sample: Path, window: MainWindow) -> None:
    window.show_page(_row("Tickets"))
    page = window.pages[_row("Tickets")]

    def settled() -> bool:
        return not page.list.busy() and page.list.total() is not None

    qtbot.waitUntil(settled, timeout=20_000)
    assert page.list.total() == 300
    counts = _reloaded_counts(qtbot, window, page.reload, settled)
    assert counts[-1] == counts[0], f"after the first reload: {counts[0]}; after the last: {counts[-1]}"
    assert page.list.total() == 300


def test_coming_back_to_a_stale_tickets_list_keeps_nothing(qtbot, sample: Path, fixed_now: datetime) -> None:
    clock = [fixed_now]
    window = MainWindow(Context(actor="Tess Tam", clock=lambda: clock[0]), open_database)
    qtbot.addWidget(window)
    window.show()
    tickets = _row("Tickets")
    window.show_page(tickets)
    page = window.pages[tickets]

    def settled() -> bool:
        return not page.list.busy() and page.list.total() is not None and not window.pages[0].busy

    qtbot.waitUntil(settled, timeout=20_000)

    def visit() -> None:  # away on Today for a minute, then back: a list older than 30 s is read again
        window.show_page(0)
        clock[0] += timedelta(minutes=1)
        window.show_page(tickets)

    try:
        counts = _reloaded_counts(qtbot, window, visit, settled)
    finally:
        for runner in window.findChildren(TaskRunner):
            runner.wait(30_000)
    assert counts[-1] == counts[0], f"after the first visit: {counts[0]}; after the last: {counts[-1]}"


def test_a_working_day_of_today_and_notifications_keeps_nothing(qtbot, sample: Path, fixed_now: datetime) -> None:
    clock = [fixed_now]
    window = MainWindow(Context(actor="Tess Tam", clock=lambda: clock[0]), open_database)
    qtbot.addWidget(window)
    window.show()
    today, notifier = window.pages[0], window.notifier
    qtbot.waitUntil(lambda: today.current is not None and not today.busy, timeout=20_000)

    def next_minutes() -> None:  # what the page's minute timer and the notifier's check timer do, 5 minutes on
        clock[0] += timedelta(minutes=5)
        with qtbot.waitSignal(notifier.checked, timeout=20_000):
            today.timer.timeout.emit()
            notifier.timer.timeout.emit()

    try:
        counts = _reloaded_counts(qtbot, window, next_minutes, lambda: not today.busy)
    finally:
        window.close()
        for runner in window.findChildren(TaskRunner):
            runner.wait(30_000)
    assert today.current is not None and today.current.items.now == clock[0]
    assert counts[-1] == counts[0], f"after the first refresh: {counts[0]}; after the last: {counts[-1]}"

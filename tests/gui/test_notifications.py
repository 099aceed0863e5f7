"""Desktop notifications: once per event across restarts, off when turned off, the tray when there is one and the
status bar when there is none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import open_database
from tamdesk.services.identity import save_name
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.today import needs_attention
from tamdesk.views.main_window import MainWindow
from tamdesk.views.notifications import ENABLED_KEY, INTERVAL_KEY, Notifier, alerts_of
from tamdesk.views.tasks import TaskRunner
from tests.gui.test_today_page import make_book


@pytest.fixture
def no_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))


@pytest.fixture
def tray_messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """A system tray that records the messages it is asked to show."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, title, text, *args: shown.append((title, text)))
    return shown


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[QMainWindow]:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    yield window
    for notifier in window.findChildren(Notifier):  # as the main window does when it closes: no check after
        notifier.stop()  # this test's database is gone (the first one is due 20 s after start)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait(10_000)


def breach(ctx: Context, now: datetime) -> int:
    """One customer of Tess's with one Sev1 ticket whose first response is an hour late."""
    customer = create_customer(ctx, CustomerInput(name="Acme", tam="Tess Tam"))
    save_name("Tess Tam")
    return create_ticket(ctx, TicketInput("SUP-1", customer, "Cluster down", Severity.URGENT, now - timedelta(hours=2)))


def notifications(qtbot: QtBot, notifier: Notifier) -> list[tuple[str, str]]:
    """Run one check to the end; the notifications it gave."""
    got: list[tuple[str, str]] = []
    notifier.notified.connect(lambda title, message: got.append((title, message)))
    with qtbot.wait_signal(notifier.checked, timeout=10_000):
        assert notifier.check() is not None
    return got


def test_without_a_tray_it_falls_back_to_the_status_bar(
    no_tray: None, host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context, fixed_now: datetime,
    qtbot: QtBot,
) -> None:  # fmt: skip
    breach(ctx, fixed_now)
    notifier = Notifier(host, ctx, runner)
    assert notifier.tray is None
    assert notifications(qtbot, notifier) == [
        ("SUP-1: first response breached 1 h ago", "Acme · Sev1 Urgent · Cluster down")
    ]
    assert host.statusBar().currentMessage() == "⚠ SUP-1: first response breached 1 h ago — see Today"
    assert [title for _, title, _ in notifier.inbox] == ["SUP-1: first response breached 1 h ago"]


def test_each_event_once_even_after_a_restart(
    no_tray: None, host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context, fixed_now: datetime,
    qtbot: QtBot,
) -> None:  # fmt: skip
    make_book(ctx, fixed_now)
    save_name("Tess Tam")
    notifier = Notifier(host, ctx, runner)
    first = notifications(qtbot, notifier)
    assert [title for title, _ in first] == ["3 new SLA alerts: deadlines at risk or passed"]
    assert "SUP-1: first response breached 1 h ago" in first[0][1]
    assert notifications(qtbot, notifier) == []
    restarted = Notifier(host, ctx, runner)
    assert notifications(qtbot, restarted) == []
    customer = create_customer(ctx, CustomerInput(name="Initech", tam="Tess Tam"))
    create_ticket(ctx, TicketInput("SUP-9", customer, "Data loss", Severity.URGENT, fixed_now - timedelta(hours=3)))
    assert [title for title, _ in notifications(qtbot, restarted)] == ["SUP-9: first response breached 2 h ago"]


def test_a_new_state_of_the_same_ticket_is_a_new_event(db_path: Path, ctx: Context, fixed_now: datetime) -> None:
    breach(ctx, fixed_now)
    at_risk = alerts_of(needs_attention(fixed_now - timedelta(hours=1, minutes=10), tam=None))
    breached = alerts_of(needs_attention(fixed_now, tam=None))
    assert [a.key.split(":")[:3] for a in at_risk] == [["ticket", "1", "at_risk"]]
    assert [a.key.split(":")[:3] for a in breached] == [["ticket", "1", "breached"]]
    assert at_risk[0].target == breached[0].target == ("ticket", 1)


def test_turned_off_means_none(
    no_tray: None, host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context, fixed_now: datetime,
    qtbot: QtBot,
) -> None:  # fmt: skip
    breach(ctx, fixed_now)
    notifier = Notifier(host, ctx, runner)
    got: list[str] = []
    notifier.notified.connect(lambda title, _: got.append(title))
    notifier.toggle_action.trigger()
    assert not notifier.enabled and QSettings().value(ENABLED_KEY, type=bool) is False
    assert notifier.check() is None
    notifier.timer.timeout.emit()
    runner.wait(10_000)
    qtbot.wait(50)
    assert got == [] and host.statusBar().currentMessage() == ""
    assert not Notifier(host, ctx, runner).toggle_action.isChecked()


def test_turning_it_back_on_checks_at_once(
    no_tray: None, host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context, fixed_now: datetime,
    qtbot: QtBot,
) -> None:  # fmt: skip
    breach(ctx, fixed_now)
    QSettings().setValue(ENABLED_KEY, False)
    notifier = Notifier(host, ctx, runner)
    with qtbot.wait_signal(notifier.notified, timeout=10_000):
        notifier.toggle_action.setChecked(True)


def test_the_tray_shows_it_and_its_menu_pauses_and_opens(
    tray_messages: list[tuple[str, str]], host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context,
    fixed_now: datetime, qtbot: QtBot,
) -> None:  # fmt: skip
    ticket = breach(ctx, fixed_now)
    opened: list[tuple[str, int]] = []
    host.open_item = lambda kind, item_id: opened.append((kind, item_id))  # type: ignore[attr-defined]
    notifier = Notifier(host, ctx, runner)
    assert notifier.tray is not None
    menu = notifier.tray.contextMenu()
    assert [a.text() for a in menu.actions()] == ["&Show tamdesk", "&Pause notifications", "", "&Quit"]
    notifications(qtbot, notifier)
    assert tray_messages == [("SUP-1: first response breached 1 h ago", "Acme · Sev1 Urgent · Cluster down")]
    assert host.statusBar().currentMessage() == ""
    host.hide()
    notifier.tray.messageClicked.emit()
    assert host.isVisible() and opened == [("ticket", ticket)]
    notifier.pause_action.trigger()
    assert not notifier.enabled and not notifier.toggle_action.isChecked()


def test_works_while_the_window_is_hidden(
    tray_messages: list[tuple[str, str]], host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context,
    fixed_now: datetime, qtbot: QtBot,
) -> None:  # fmt: skip
    breach(ctx, fixed_now)
    notifier = Notifier(host, ctx, runner)
    notifier.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)  # type: ignore[union-attr]
    assert not host.isVisible()
    notifications(qtbot, notifier)
    assert len(tray_messages) == 1
    notifier.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)  # type: ignore[union-attr]
    assert host.isVisible()


def test_quit_from_the_tray(
    tray_messages: list[tuple[str, str]], host: QMainWindow, runner: TaskRunner, db_path: Path, ctx: Context,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    quits: list[bool] = []
    monkeypatch.setattr(QCoreApplication, "quit", staticmethod(lambda: quits.append(True)))
    notifier = Notifier(host, ctx, runner)
    notifier.tray.contextMenu().actions()[-1].trigger()  # type: ignore[union-attr]
    assert quits == [True] and not host.isVisible()


def test_the_interval_is_configurable(no_tray: None, host: QMainWindow, runner: TaskRunner, ctx: Context) -> None:
    assert Notifier(host, ctx, runner).timer.interval() == 5 * 60_000
    QSettings().setValue(INTERVAL_KEY, 2)
    assert Notifier(host, ctx, runner).timer.interval() == 2 * 60_000
    assert Notifier(host, ctx, runner, interval_ms=500).timer.interval() == 500


def test_the_main_window_has_a_notifier_and_its_switch(db_path: Path, qtbot: QtBot) -> None:
    window = MainWindow(Context(), open_database)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.notifier.toggle_action in file_menu.actions()
    assert window.notifier.toggle_action.isChecked()
    window.runner.wait(10_000)

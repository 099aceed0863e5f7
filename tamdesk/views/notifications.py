"""Desktop notifications: a ticket of the TAM's customers at risk or breached, or a customer update falling due.

Every few minutes the ``Notifier`` asks the Today service (on the task runner) for first responses and customer
updates at risk or overdue, and notifies each event once: an event is a (kind, id, state, deadline) key,
remembered in memory and in QSettings so a restart does not repeat it. Several new events at once make one summary
notification. With a system tray the notifier shows a tray icon (Show tamdesk, Pause notifications, Quit) and keeps
working while the window is hidden; without one it falls back silently to the status bar and an in-app list
(``inbox``). Notifications can be turned off (``toggle_action``, QSettings ``notifications/enabled``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QSystemTrayIcon

from tamdesk.services.base import Context
from tamdesk.services.scope import my_tam_name
from tamdesk.services.today import Section, TodayItems, UpdateDue, UpdateSource, needs_attention
from tamdesk.views.icons import icon
from tamdesk.views.pages.today_sections import due_text
from tamdesk.views.tasks import Task, TaskControl, TaskRunner

log = logging.getLogger(__name__)

ENABLED_KEY = "notifications/enabled"
INTERVAL_KEY = "notifications/interval_minutes"
SEEN_KEY = "notifications/seen"
DEFAULT_INTERVAL_MINUTES = 5
FIRST_CHECK_MS = 20_000  # after start-up, once the window has settled
MAX_SEEN = 2000  # keys remembered across restarts (each event's key carries its deadline, so old ones never recur)
INBOX_SIZE = 50
SHOWN_MS = 10_000


@dataclass(frozen=True)
class Alert:
    """One event worth a notification."""

    key: str
    title: str
    message: str
    target: tuple[str, int]


def _customer_key(update: UpdateDue) -> str:
    """A defect's update is due per customer, so its alert key names the customer; a ticket has one customer."""
    return f":{update.customer_id}" if update.source is UpdateSource.DEFECT else ""


def alerts_of(items: TodayItems) -> list[Alert]:
    """The notifiable events among ``items``: first responses and customer updates at risk or overdue."""
    now = items.now
    alerts = []
    for ticket in items.tickets:
        when = due_text(ticket.deadline, now, "breached")
        alerts.append(
            Alert(
                f"ticket:{ticket.ticket_id}:{ticket.state.value}:{int(ticket.deadline.timestamp())}",
                f"{ticket.number}: first response {when}",
                f"{ticket.customer} · {ticket.severity.label} · {ticket.subject}",
                ticket.target,
            )
        )
    for update in items.updates:
        state = "overdue" if update.overdue else "due"
        alerts.append(
            Alert(
                f"{update.source.value}-update:{update.item_id}{_customer_key(update)}:{state}:{int(update.due.timestamp())}",
                f"{update.reference}: customer update {due_text(update.due, now)}",
                f"{update.customer} · {update.severity.label} · {update.title}",
                update.target,
            )
        )
    return alerts


def check_alerts(now: datetime) -> list[Alert]:
    """Read the events of the user's customers (or everyone's); runs on the task runner."""
    items = needs_attention(now, tam=my_tam_name(), sections=(Section.TICKETS, Section.UPDATES))
    return alerts_of(items)


class Notifier(QObject):
    """Checks for new events on a timer and notifies them once, through the tray or the window's status bar."""

    notified = Signal(str, str)  # title, message: every notification, shown by the tray or in the app
    checked = Signal()  # a check finished (with or without news)

    def __init__(
        self, window: QMainWindow, ctx: Context, runner: TaskRunner, *, interval_ms: int | None = None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.runner = runner
        self.settings = QSettings()
        self.seen: list[str] = str(self.settings.value(SEEN_KEY, "") or "").split()
        self._seen = set(self.seen)
        self.inbox: list[tuple[datetime, str, str]] = []
        self._checking = False
        self._stopped = False
        self._last_target: tuple[str, int] | None = None
        self.toggle_action = QAction("Desktop &notifications", self)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip("Notify me when a first response or a customer update falls due")
        self.toggle_action.setChecked(self.enabled)
        self.toggle_action.toggled.connect(self.set_enabled)
        self.tray = self._build_tray() if QSystemTrayIcon.isSystemTrayAvailable() else None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms or self._interval_ms())
        self.timer.timeout.connect(self.check)
        self.timer.start()
        QTimer.singleShot(FIRST_CHECK_MS, self, self.check)

    # -- construction -------------------------------------------------------------------------------------

    def _interval_ms(self) -> int:
        minutes = self.settings.value(INTERVAL_KEY, DEFAULT_INTERVAL_MINUTES)
        try:
            return max(1, int(minutes)) * 60_000  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return DEFAULT_INTERVAL_MINUTES * 60_000

    def _build_tray(self) -> QSystemTrayIcon:
        tray = QSystemTrayIcon(icon("tamdesk"), self)
        tray.setToolTip("tamdesk")
        menu = QMenu()
        menu.addAction("&Show tamdesk", self.show_window)
        self.pause_action = menu.addAction("&Pause notifications")
        self.pause_action.setCheckable(True)
        self.pause_action.setChecked(not self.enabled)
        self.pause_action.toggled.connect(lambda paused: self.set_enabled(not paused))
        menu.addSeparator()
        menu.addAction("&Quit", self.quit)
        self._tray_menu = menu  # the tray does not own its menu
        tray.setContextMenu(menu)
        tray.activated.connect(self._tray_activated)
        tray.messageClicked.connect(self._message_clicked)
        tray.show()
        return tray

    # -- state --------------------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return bool(self.settings.value(ENABLED_KEY, True, type=bool))

    def set_enabled(self, enabled: bool) -> None:
        """Turn notifications on or off (remembered); the menu and tray checkmarks follow."""
        self.settings.setValue(ENABLED_KEY, enabled)
        for action, checked in ((self.toggle_action, enabled), (getattr(self, "pause_action", None), not enabled)):
            if action is not None and action.isChecked() != checked:
                action.setChecked(checked)
        if enabled:
            self.check()

    # -- checking -----------------------------------------------------------------------------------------

    def check(self) -> Task | None:
        """Look for new events in the background; None when turned off or a check is already running."""
        if not self.enabled or self._checking or self._stopped:
            return None
        self._checking = True
        now = self.ctx.now()

        def work(control: TaskControl) -> list[Alert]:
            return check_alerts(now)

        return self.runner.run(work, self._checked, self._failed)

    def stop(self) -> None:
        """The window is closing: no more checks (a pending first check included)."""
        self._stopped = True
        self.timer.stop()

    def _checked(self, alerts: list[Alert]) -> None:
        self._checking = False
        fresh = [a for a in alerts if a.key not in self._seen]
        if fresh and self.enabled:
            self._remember(a.key for a in fresh)
            self.notify(fresh)
        self.checked.emit()

    def _failed(self, exc: BaseException, details: str) -> None:
        self._checking = False
        log.warning("Notification check failed: %s", details)  # the next check tries again; Today shows errors
        self.checked.emit()

    def _remember(self, keys: object) -> None:
        for key in keys:  # type: ignore[attr-defined]
            self._seen.add(key)
            self.seen.append(key)
        if len(self.seen) > MAX_SEEN:
            self.seen = self.seen[-MAX_SEEN:]
            self._seen = set(self.seen)
        self.settings.setValue(SEEN_KEY, "\n".join(self.seen))  # one string: QSettings turns a 1-item list into a str

    # -- showing ------------------------------------------------------------------------------------------

    def notify(self, alerts: Sequence[Alert]) -> None:
        """One notification: the event itself, or a summary of several."""
        if len(alerts) == 1:
            title, message = alerts[0].title, alerts[0].message
            self._last_target = alerts[0].target
        else:
            title = f"{len(alerts)} new SLA alerts: deadlines at risk or passed"
            lines = [a.title for a in alerts[:4]]
            message = "\n".join(lines + ([f"…and {len(alerts) - 4} more on Today"] if len(alerts) > 4 else []))
            self._last_target = None
        self.inbox = [(self.ctx.now(), title, message), *self.inbox][:INBOX_SIZE]
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, message, icon("tamdesk"), SHOWN_MS)
        else:
            self.window.statusBar().showMessage(f"⚠ {title} — see Today", 30_000)
        self.notified.emit(title, message)

    def show_window(self) -> None:
        """Bring the window back, even from the tray."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible() and not self.window.isMinimized():
                self.window.hide()  # notifications go on while the window is hidden
            else:
                self.show_window()

    def _message_clicked(self) -> None:
        self.show_window()
        opener = getattr(self.window, "open_item", None)
        if self._last_target is not None and opener is not None:
            opener(*self._last_target)
        elif hasattr(self.window, "show_page"):
            self.window.show_page(0)

    def quit(self) -> None:
        """Quit from the tray, even while the window is hidden."""
        self.window.close()
        QCoreApplication.quit()

"""The application's change hub: views say here what they changed, and every open list and count follows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

FOLLOW_DELAY_MS = 150  # a burst of saves (an import, a bulk step) reads once


class DataChanges(QObject):
    """Emitted after anything was saved (``changed`` carries what: "ticket", "customer", …), so that counts and
    messages anywhere in the window (the status bar's) follow every change, whichever page made it."""

    changed = Signal(str)


_data: DataChanges | None = None


def data_changes() -> DataChanges:
    """The application's one ``DataChanges`` hub; every ticket change is one too."""
    global _data
    if _data is None:
        _data = DataChanges()
    return _data


def changed(what: str) -> None:
    """Say that ``what`` ("customer", "seat", …) was saved."""
    data_changes().changed.emit(what)


class ChangeFollower(QObject):
    """Calls ``refresh`` after changes saved anywhere in the app, once per burst, while ``widget`` is on screen.

    A widget that is hidden reads nothing; with ``catch_up`` a change it missed is read when it is shown again
    (for a view that is shown without being reloaded, such as a list behind a detail view).
    """

    def __init__(self, widget: QWidget, refresh: Callable[[], object], *, catch_up: bool = True) -> None:
        super().__init__(widget)
        self.widget, self.refresh, self.catch_up = widget, refresh, catch_up
        self.missed = False
        self.timer = QTimer(self, singleShot=True, interval=FOLLOW_DELAY_MS)
        self.timer.timeout.connect(self._follow)
        data_changes().changed.connect(self._changed)  # a bound slot: disconnected when the widget goes
        widget.installEventFilter(self)

    def read(self) -> None:
        """The widget just read everything (shown, or reloaded for its own reasons): nothing to catch up."""
        self.missed = False

    def _changed(self, _what: str) -> None:
        self.missed = True
        if self.widget.isVisible():
            self.timer.start()

    def _follow(self) -> None:
        if self.missed and self.widget.isVisible():
            self.missed = False
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.Show:
            if self.catch_up and self.missed:
                self.timer.start()
            elif not self.catch_up:
                self.missed = False  # whoever showed it reads it afresh
        return False


def follow_changes(widget: QWidget, refresh: Callable[[], object], *, catch_up: bool = True) -> ChangeFollower:
    """Keep what ``widget`` shows current: ``refresh`` runs after every change saved anywhere (see ChangeFollower)."""
    return ChangeFollower(widget, refresh, catch_up=catch_up)


class TicketChanges(QObject):
    """Emitted after a ticket was saved anywhere in the app, so every open list shows the change."""

    changed = Signal(int)  # ticket id
    imported = Signal()


_changes: TicketChanges | None = None


def ticket_changes() -> TicketChanges:
    """The application's one ``TicketChanges`` hub."""
    global _changes
    if _changes is None:
        _changes = TicketChanges()
        _changes.changed.connect(lambda _id: changed("ticket"))
        _changes.imported.connect(lambda: changed("ticket"))
    return _changes

"""The application's change hub: views say here what they changed, and every open list and count follows."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


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

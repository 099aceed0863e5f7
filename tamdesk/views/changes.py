"""The application's change hub: views say here what they changed, and every open list and count follows."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


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
    return _changes

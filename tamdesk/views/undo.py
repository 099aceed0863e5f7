"""Undo for deletions and revocations: one undo stack per app session, shown as Edit › Undo / Redo.

A command is pushed after its action succeeded; undoing runs the inverse use case and redoing runs the action
again. A failure (someone re-issued the slot meanwhile, say) is shown as a message and the stack moves on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication, QMessageBox

from tamdesk.services.base import DomainError

_stack: QUndoStack | None = None


def undo_stack() -> QUndoStack:
    """The session's undo stack (created on first use, owned by the application)."""
    global _stack
    if _stack is None:
        _stack = QUndoStack(QApplication.instance())
    return _stack


class DoneCommand(QUndoCommand):
    """An action already carried out; ``undo``/``redo`` run its inverse and the action again."""

    def __init__(self, text: str, undo: Callable[[], object], redo: Callable[[], object]) -> None:
        super().__init__(text)
        self._undo, self._redo = undo, redo
        self._first = True
        self.refused = False  # its last undo or redo was refused (and the user told why)

    def redo(self) -> None:
        if self._first:  # pushed after the action ran
            self._first = False
            return
        self.refused = not _run(self.text(), self._redo)

    def undo(self) -> None:
        self.refused = not _run(self.text(), self._undo)


def _run(text: str, action: Callable[[], object]) -> bool:
    """Run an undo or redo; False (after saying why) when the use case refused it."""
    try:
        action()
    except DomainError as exc:
        QMessageBox.warning(QApplication.activeWindow(), f"Undo {text[:1].lower()}{text[1:]}", str(exc))
        done = False
    else:
        done = True
    stack = undo_stack()
    stack.indexChanged.emit(stack.index())  # pages reload on index changes, even after a failed step
    return done


def push_done(text: str, undo: Callable[[], object], redo: Callable[[], object]) -> None:
    """Record an action that just succeeded so the user can take it back (Ctrl+Z)."""
    undo_stack().push(DoneCommand(text, undo, redo))

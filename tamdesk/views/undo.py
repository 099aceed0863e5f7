"""Undo for deletions and revocations: one undo stack per app session, shown as Edit › Undo / Redo.

A command is pushed after its action succeeded; undoing runs the inverse use case and redoing runs the action
again. A failure (someone re-issued the slot meanwhile, say) is shown as a message and the stack moves on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

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
        self.refused = not _run(f"Redo {self.text()}", self._redo)

    def undo(self) -> None:
        self.refused = not _run(f"Undo {self.text()}", self._undo)


def _run(title: str, action: Callable[[], object]) -> bool:
    """Run an undo or redo (``title``: ``Redo Edit SUP-1``); False (after saying why) when the use case refused it."""
    try:
        action()
    except DomainError as exc:
        verb, _, text = title.partition(" ")
        QMessageBox.warning(QApplication.activeWindow(), f"{verb} {text[:1].lower()}{text[1:]}", str(exc))
        done = False
    else:
        done = True
    stack = undo_stack()
    stack.indexChanged.emit(stack.index())  # pages reload on index changes, even after a failed step
    return done


def push_done(text: str, undo: Callable[[], object], redo: Callable[[], object]) -> None:
    """Record an action that just succeeded so the user can take it back (Ctrl+Z)."""
    undo_stack().push(DoneCommand(text, undo, redo))


def add_undo_actions(window: QWidget) -> tuple[QAction, QAction]:
    """Undo and Redo (Ctrl+Z, Ctrl+Shift+Z) of the session's stack inside ``window``: a modal dialog (the ticket,
    escalation and defect windows) blocks the main window's Edit menu.

    In a text field of ``window`` the keys undo its typing as usual; with no typing to take back they reach the
    stack, so Ctrl+Z straight after Solved works though the note field has the focus.
    """
    stack = undo_stack()
    undo, redo = stack.createUndoAction(window, "&Undo"), stack.createRedoAction(window, "&Redo")
    undo.setShortcuts(QKeySequence.StandardKey.Undo)
    redo.setShortcuts(QKeySequence.StandardKey.Redo)
    for action in (undo, redo):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(action)
    keys = _TypingFirst(window)
    for field in window.findChildren(QWidget):
        if isinstance(field, QLineEdit | QAbstractSpinBox | QPlainTextEdit | QTextEdit):
            field.installEventFilter(keys)
    return undo, redo


class _TypingFirst(QObject):
    """Lets a text field claim Ctrl+Z (Ctrl+Shift+Z) only while it has typing to undo (redo)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if event.matches(QKeySequence.StandardKey.Undo):
            return not _typing(watched, undo=True)
        if event.matches(QKeySequence.StandardKey.Redo):
            return not _typing(watched, undo=False)
        return False


def _typing(field: QObject, *, undo: bool) -> bool:
    """Whether ``field`` has typing to undo (or redo)."""
    if isinstance(field, QAbstractSpinBox):
        field = field.findChild(QLineEdit) or field
    if isinstance(field, QLineEdit):
        return field.isUndoAvailable() if undo else field.isRedoAvailable()
    if isinstance(field, QPlainTextEdit | QTextEdit):
        document = field.document()
        return document.isUndoAvailable() if undo else document.isRedoAvailable()
    return True

"""What the detail of an escalation and of a defect have in common: the header with the way back to the list, the
title, subtitle and state badge; a reload after every action; and the window that shows the view for a tab."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from tamdesk.services.base import Context
from tamdesk.views.escalation_dialog import FormDialog, Outcome
from tamdesk.views.icons import icon
from tamdesk.views.undo import add_undo_actions, undo_stack


def heading(text: str, scale: float = 1.5) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def value_label() -> QLabel:
    """A read-only value in a facts form: wraps, selectable."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class RecordDetailView(QWidget):
    """One record in full, in place of its list or in a window; ``changed`` follows every saved action."""

    back_requested = Signal()
    changed = Signal(int)
    list_title = ""
    """The list the back button returns to (``Defects``)."""
    noun = ""
    """What one record is called in a sentence (``defect``)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record_id: int | None = None
        undo_stack().indexChanged.connect(self._undo_moved)

    @Slot(int)
    def _undo_moved(self, _index: int) -> None:
        """An undo or redo may have changed the record shown: show it as it is now (``changed`` when it did)."""
        if self.record_id is None or not self.isVisible():
            return
        before = self.shown_version()
        self.reload()
        if self.shown_version() != before:
            self.changed.emit(self.record_id)

    def shown_version(self) -> int | None:
        """The version of the record shown (subclasses say), to tell whether an undo changed it."""
        return None

    def _build_header(self, show_back: bool) -> QHBoxLayout:
        self.back_button = QToolButton()
        self.back_button.setIcon(icon("back"))
        self.back_button.setText(self.list_title)
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setToolTip(f"Back to the {self.noun} list (Alt+Left)")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.back_button.clicked.connect(self.back_requested)
        self.back_button.setVisible(show_back)
        self.title = heading("")
        self.title.setWordWrap(True)
        self.subtitle = value_label()
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.state_badge = QLabel()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addSpacing(8)
        header.addLayout(titles, 1)
        header.addWidget(self.state_badge, 0, Qt.AlignmentFlag.AlignTop)
        return header

    def show_record(self, record_id: int) -> bool:
        """Show the record ``record_id``; False (with the reason in the subtitle) when it does not exist."""
        self.record_id = record_id
        return self.reload()

    def reload(self) -> bool:
        """Read the record again; False (with the reason in the subtitle) when it no longer exists."""
        raise NotImplementedError

    def _finished(self, outcome: Outcome) -> None:
        """Reload after a save or a stale edit, and tell the host about a save."""
        self.reload()
        if outcome is Outcome.DONE and self.record_id is not None:
            self.changed.emit(self.record_id)

    def _after(self, dialog: FormDialog) -> None:
        """Run ``dialog``; reload after a save or a stale edit."""
        dialog.exec()
        self._finished(dialog.outcome)  # reloads also after a cancel: the dialog may have met changes made elsewhere


class RecordDetailDialog(QDialog):
    """A detail view in its own window, for the tabs of a customer or a ticket; ``changed`` once anything was saved."""

    def __init__(self, view: RecordDetailView, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.changed = False
        self.view = view
        view.changed.connect(lambda _: setattr(self, "changed", True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)
        # Ctrl+Z / Ctrl+Shift+Z here: the window is modal, so the main window's Edit menu does not reach it
        self.undo_action, self.redo_action = add_undo_actions(self)

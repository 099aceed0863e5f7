"""The frame every settings section shares: heading, explanation, a form whose Save is enabled while it changed."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.base import DomainError, FieldError, StaleEdit, ValidationFailed
from tamdesk.views.pages.settings.helpers import text_label
from tamdesk.views.table_model import RowTableModel
from tamdesk.views.widgets import FieldMessage, Tone

if TYPE_CHECKING:
    from tamdesk.views.pages.settings.page import SettingsPage

FORM_WIDTH = 760


def _focusable_in(layout: QLayout) -> list[QWidget]:
    """Widgets that take Tab focus, in the order the layouts show them."""
    found: list[QWidget] = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        widget, inner = item.widget(), item.layout()
        if inner is not None:
            found += _focusable_in(inner)
        elif widget is not None:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.layout() is None:
                found.append(widget)
            elif widget.layout() is not None:
                found += _focusable_in(widget.layout())
    return found


def _tab_in_layout_order(layout: QLayout) -> None:
    """Tab moves through a section top to bottom, left to right, whatever order its widgets were created in."""
    chain = _focusable_in(layout)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)


class Section(QWidget):
    """One settings section: heading, explanation, a form whose Save is enabled only while something changed.

    Subclasses build their widgets in ``build``, read the database in ``read``, return the form's comparable
    ``values`` and store them in ``write``; errors a user can cause come back next to their field.
    """

    title = ""
    intro = ""
    saved_text = "Saved."
    save_label = "Save"
    expanding = False  # True: the section's list grows with the window

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.ctx = page.ctx
        self.messages: dict[str, FieldMessage] = {}
        self.fields: dict[str, QWidget] = {}
        self._snapshot: object = None
        self.loaded = False
        self._loading = False
        self.setObjectName(f"section-{self.title.lower().replace(' ', '-')}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        heading = QLabel(self.title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        heading.setFont(font)
        outer.addWidget(heading)
        if self.intro:
            intro = text_label(self.intro)
            intro.setMaximumWidth(760)
            outer.addWidget(intro)
        outer.addSpacing(8)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1 if self.expanding else 0)
        self.status = FieldMessage()
        self.save_button = QPushButton(self.save_label)
        self.save_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.extra_buttons: list[QWidget] = []
        self._save_row_placed = False
        self.build()
        if not self._save_row_placed:
            outer.addSpacing(6)
            outer.addLayout(self.save_row())
        if not self.expanding:
            outer.addStretch(1)
        _tab_in_layout_order(outer)

    # -- for subclasses

    def build(self) -> None:
        """Create the section's widgets in ``self.body``."""

    def read(self) -> None:
        """Fill the widgets from the database."""

    def values(self) -> object:
        """What the form holds, comparable with what was loaded (Save is enabled while they differ)."""
        return None

    def write(self) -> None:
        """Store the form; raise the service's errors."""

    # -- shared behaviour

    def add_form(self, form: QFormLayout) -> None:
        """Put a form in the section at a width that keeps it readable."""
        holder = QWidget()
        holder.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        holder.setMaximumWidth(FORM_WIDTH)
        self.body.addWidget(holder)

    def save_row(self) -> QHBoxLayout:
        """Save, the section's extra buttons and its status message, for ``build`` to place (else at the end)."""
        self._save_row_placed = True
        row = QHBoxLayout()
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        for widget in self.extra_buttons:
            row.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.status, 1)
        row.addStretch(0)
        return row

    def form(self, parent: QWidget | None = None) -> QFormLayout:
        form = QFormLayout(parent)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return form

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget, hint: str = "") -> FieldMessage:
        """A labelled row: the widget, its (hidden) message, and an optional hint under it."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        message = FieldMessage()
        column.addWidget(message)
        if hint:
            column.addWidget(text_label(hint, hint=True))
        caption = QLabel(label)
        caption.setBuddy(widget)
        if not widget.accessibleName():
            widget.setAccessibleName(label.replace("&", ""))
        form.addRow(caption, box)
        self.messages[key] = message
        self.fields[key] = widget
        return message

    def track(self, *signals: Any) -> None:
        """Re-check whether the form changed whenever one of ``signals`` fires."""
        for signal in signals:
            signal.connect(self.changed)

    @property
    def dirty(self) -> bool:
        return self.loaded and self.values() != self._snapshot

    def changed(self, *_: object) -> None:
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        if dirty and self.status.tone is Tone.OK:
            self.status.clear()

    def mark_clean(self) -> None:
        """What the form holds now is what the database holds."""
        self._snapshot = self.values()
        self.changed()

    def load(self) -> None:
        """Read the database into the form and forget unsaved edits."""
        self.clear_messages()
        self._loading = True
        try:
            self.read()
        finally:
            self._loading = False
        self.loaded = True
        self.mark_clean()

    def may_discard(self) -> bool:
        """True when the form holds no unsaved edits, or the user agrees to drop them."""
        if self._loading or not self.dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Discard your unsaved changes in {self.title}?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def pick_row(self, table: QTableView, current: QModelIndex, previous: QModelIndex) -> bool:
        """Whether the form may follow the table to ``current``; if not, the table goes back to ``previous``."""
        if not current.isValid():
            return False
        if self.may_discard():
            return True
        selection = table.selectionModel()
        selection.blockSignals(True)
        if previous.isValid():
            table.selectRow(previous.row())
        else:
            table.clearSelection()
            selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
        selection.blockSignals(False)
        return False

    def clear_messages(self) -> None:
        for message in self.messages.values():
            message.clear()
        self.status.clear()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each error next to its field (or under the section when it has no field); focus the first."""
        first = None
        for key, text in errors.items():
            self.messages.get(key, self.status).set_error(text)
            first = first or self.fields.get(key)
        if first is not None:
            first.setFocus()

    def attempt(
        self, action: Callable[[], object], done: str | None = None, reload: Callable[[], None] | None = None
    ) -> bool:
        """Run a change; on success reload and say ``done`` (default: ``saved_text`` as the action left it),
        else show why next to the field or under the section."""
        self.clear_messages()
        try:
            action()
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return False
        except FieldError as exc:
            self.show_errors({exc.field: str(exc)})
            return False
        except StaleEdit as exc:
            (reload or self.load)()
            self.status.set_warning(f"{exc} What is shown now includes their changes.")
            return False
        except DomainError as exc:
            self.status.set_error(str(exc))
            return False
        (reload or self.load)()
        self.status.show_message(Tone.OK, self.saved_text if done is None else done)
        return True

    def save(self) -> None:
        if self.dirty:
            self.attempt(self.write)


class RowEditorSection(Section):
    """A section whose form edits one row of its table: picking a row fills the form (unless the user keeps
    unsaved edits), New empties it. Subclasses set ``table`` and ``model`` in ``build``, call ``follow_table``,
    and provide ``_fill`` (a row, or None for a new one) and ``first_field``."""

    table: QTableView
    model: RowTableModel[Any]

    def _fill(self, row: Any) -> None:
        raise NotImplementedError

    def first_field(self) -> QWidget:
        raise NotImplementedError

    def follow_table(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._selected)

    def _selected(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.pick_row(self.table, current, previous):
            self.clear_messages()
            self._fill(self.model.row_at(current.row()))
            self.mark_clean()

    def start_new(self) -> None:
        """An empty form for a new row."""
        if not self.may_discard():
            return
        self.table.clearSelection()
        self.clear_messages()
        self._fill(None)
        self.mark_clean()
        self.first_field().setFocus()

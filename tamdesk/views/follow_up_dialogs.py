"""Done, Defer… and Reassign… for a follow-up: the buttons under Today's follow-ups and their small dialogs, whose
message has its own reserved lines so nothing moves when one appears; each change is saved by
``services.follow_ups`` (audited, refused if someone changed the follow-up meanwhile)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.calendar import day_label
from tamdesk.services.base import Context, DomainError
from tamdesk.services.follow_ups import FollowUpRow, complete, defer, owner_choices, reassign
from tamdesk.views.widgets import FieldMessage, Tone, reserve_space, set_tone_style

MESSAGE_LINES = 3


class _FollowUpDialog(QDialog):
    """A follow-up named at the top, one field, a reserved message line, OK and Cancel."""

    def __init__(self, ctx: Context, row: FollowUpRow, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.row = ctx, row
        self.summary = ""
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        what = QLabel(f"“{row.what}” — {row.customer}, {row.owner or 'no owner'}, due {day_label(row.due_on)}")
        what.setWordWrap(True)
        self.form = QFormLayout()
        self.message = reserve_space(FieldMessage(), MESSAGE_LINES)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _save(self) -> None:
        try:
            self.summary = self.apply()
        except DomainError as exc:
            self.message.set_error(str(exc))
            return
        self.accept()

    def apply(self) -> str:
        raise NotImplementedError


class DeferDialog(_FollowUpDialog):
    """Choose the new due date; a day that is not a business day of the customer moves to the next one (said so)."""

    def __init__(self, ctx: Context, row: FollowUpRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, row, "Defer follow-up", parent)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.date.setAccessibleName("New due date")
        later = max(row.due_on, ctx.now().astimezone().date())
        self.date.setDate(QDate(later.year, later.month, later.day).addDays(7))
        self.date.dateChanged.connect(lambda *_: self.message.clear())
        self.form.addRow("&New due date:", self.date)

    def chosen(self) -> date:
        picked = self.date.date()
        return date(picked.year(), picked.month(), picked.day())

    def apply(self) -> str:
        return defer(self.ctx, self.row.id, self.row.version, self.chosen())


class ReassignDialog(_FollowUpDialog):
    """Choose the new owner: a person of our side or a contact of the customer."""

    def __init__(self, ctx: Context, row: FollowUpRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, row, "Reassign follow-up", parent)
        self.owner = QComboBox()
        self.owner.setAccessibleName("New owner")
        for choice in owner_choices(row.customer_id):
            self.owner.addItem(f"{choice.name} ({choice.detail})", choice.owner)
        self.owner.currentIndexChanged.connect(lambda *_: self.message.clear())
        self.form.addRow("&New owner:", self.owner)

    def apply(self) -> str:
        owner = self.owner.currentData()
        if owner is None:
            raise DomainError("Choose the new owner.")
        return reassign(self.ctx, self.row.id, self.row.version, owner)


class FollowUpActions(QWidget):
    """Done, Defer… and Reassign… for the follow-up selected in ``table`` (a table of ``FollowUpRow``), and a line
    saying what happened; ``changed`` follows every attempt (the list is read again, even after a refusal)."""

    changed = Signal()

    def __init__(self, ctx: Context, table: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.table = ctx, table
        self.dialog: DeferDialog | ReassignDialog | None = None
        self.done_button = QPushButton("Do&ne")
        self.done_button.setToolTip("Mark the selected follow-up done")
        self.done_button.clicked.connect(self.complete)
        self.defer_button = QPushButton("De&fer…")
        self.defer_button.setToolTip("Move the selected follow-up to another day")
        self.defer_button.clicked.connect(lambda: self._open(DeferDialog))
        self.reassign_button = QPushButton("Reassi&gn…")
        self.reassign_button.setToolTip("Give the selected follow-up to someone else")
        self.reassign_button.clicked.connect(lambda: self._open(ReassignDialog))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.done_button, self.defer_button, self.reassign_button):
            row.addWidget(button)
        row.addWidget(self.status, 1)
        table.selectionModel().selectionChanged.connect(self._selected)
        table.model().modelReset.connect(self._selected)
        self._selected()

    def selected(self) -> FollowUpRow | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.table.model().row_at(rows[0].row()) if rows else None  # type: ignore[attr-defined]
        return row if isinstance(row, FollowUpRow) else None

    def _selected(self, *_: object) -> None:
        chosen = self.selected() is not None
        for button in (self.done_button, self.defer_button, self.reassign_button):
            button.setEnabled(chosen)

    def _report(self, text: str, tone: Tone | None = None) -> None:
        self.status.setText(text)
        set_tone_style(self.status, tone, plain="color: palette(placeholder-text);")
        self.changed.emit()

    def complete(self) -> None:
        """Mark the selected follow-up done."""
        row = self.selected()
        if row is None:
            return
        try:
            self._report(complete(self.ctx, row.id, row.version))
        except DomainError as exc:
            self._report(str(exc), Tone.ERROR)

    def _open(self, kind: type[DeferDialog] | type[ReassignDialog]) -> None:
        """Ask for the new date or owner of the selected follow-up (the dialog is ``dialog`` while open)."""
        row = self.selected()
        if row is None:
            return
        dialog = kind(self.ctx, row, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._report(dialog.summary))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

"""Defer… and Reassign… a follow-up: small dialogs whose message has its own reserved line, so nothing moves when
one appears; the change is saved by ``services.follow_ups`` (audited, refused if someone changed it meanwhile)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.calendar import day_label
from tamdesk.services.base import Context, DomainError
from tamdesk.services.follow_ups import FollowUpRow, defer, owner_choices, reassign
from tamdesk.views.widgets import FieldMessage

MESSAGE_LINES = 3


def reserve_space(message: FieldMessage, lines: int = MESSAGE_LINES) -> FieldMessage:
    """Keep ``message``'s room in the layout while it is hidden and give it ``lines`` lines, so showing or hiding a
    message never moves the fields and buttons under the pointer."""
    policy = message.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setVerticalPolicy(QSizePolicy.Policy.Fixed)
    message.setSizePolicy(policy)
    message.setFixedHeight(message.fontMetrics().lineSpacing() * lines + 6)
    return message


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
        self.message = reserve_space(FieldMessage())
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

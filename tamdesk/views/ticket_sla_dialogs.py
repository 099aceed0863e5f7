"""Changing a ticket's severity as of a time, and excusing an SLA breach with a reason (issue 15).

Both save through the services, show a refused value's message beside its field, and push an Undo step
(Edit › Undo) once saved, as views.undo does for deletions.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.exemptions import ExemptClock
from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.exemptions import excuse_breach, unexcuse_breach
from tamdesk.services.tickets import TicketDetail, change_severity, undo_severity_change
from tamdesk.views import sla_format
from tamdesk.views.datetime_field import DateTimeField
from tamdesk.views.table_model import local_time
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import FieldMessage, grow_to_fit, reserve_space, size_to_content

SEVERITY_HINT = (
    "The SLA applies the new severity from this time on: a pending first response takes the new target from the "
    "opening (never later on a raise, never earlier on a lowering, and a breach stays a breach); the update "
    "cadence restarts at the change."
)


def _column(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class SeverityDialog(QDialog):
    """Change a ticket's severity as of a time (now by default)."""

    def __init__(self, ctx: Context, detail: TicketDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.detail = ctx, detail
        self.setWindowTitle(f"Change severity of ticket {detail.input.number}")
        self.setMinimumWidth(540)
        self.severity = QComboBox()
        self.severity.setAccessibleName("New severity")
        for severity in Severity:
            if severity is not detail.input.severity:
                self.severity.addItem(severity.label, int(severity))
                self.severity.setItemData(self.severity.count() - 1, severity.definition, Qt.ItemDataRole.ToolTipRole)
        self.definition = reserve_space(_hint(), 2)  # the chosen level's definition, one to two lines long
        self.at = DateTimeField(ctx.now, "Changed at")
        self.at.set_value(ctx.now())
        self.at.set_customer_zone(detail.customer_zone)  # the line under it says the time at the customer
        self.severity_message, self.general = reserve_space(FieldMessage()), reserve_space(FieldMessage())
        # the time field's own message says what is wrong with the time; "before the opening" takes two lines
        self.at_message = reserve_space(self.at.message, 2)
        self.severity.currentIndexChanged.connect(self._update_hints)
        self.severity.currentIndexChanged.connect(self.severity_message.clear)
        self.at.changed.connect(self.at_message.clear)
        form = QFormLayout()
        form.addRow("Now", QLabel(detail.input.severity.label))
        form.addRow("New &severity", _column(self.severity, self.definition, self.severity_message))
        form.addRow("Changed &at", self.at)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint(SEVERITY_HINT))
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self._update_hints()
        size_to_content(self)

    def chosen(self) -> Severity:
        return Severity(self.severity.currentData())

    def _update_hints(self, *_: object) -> None:
        self.definition.setText(self.chosen().definition)

    def save(self) -> None:
        for message in (self.severity_message, self.at_message, self.general):
            message.clear()
        severity, at = self.chosen(), self.at.value()
        if at is None:  # the field says why
            self.at.setFocus()
            grow_to_fit(self)
            return
        ctx, ticket_id = self.ctx, self.detail.id
        try:
            change_id = change_severity(ctx, ticket_id, self.detail.version, severity, at)
        except ValidationFailed as exc:
            self.severity_message.set_error(exc.errors.get("severity", ""))
            self.at_message.set_error(exc.errors.get("severity_changed_at", ""))
            grow_to_fit(self)
            return
        except StaleEdit:
            self.general.set_error("Someone changed this ticket since you opened it. Close this window and try again.")
            return
        except DomainError as exc:
            self.general.set_error(str(exc))
            return
        push_severity_undo(ctx, ticket_id, change_id, severity, at)
        self.accept()


def push_severity_undo(ctx: Context, ticket_id: int, change_id: int, after: Severity, at: datetime) -> None:
    """Let the user take a severity change back (and redo it, as a new change at the same time)."""
    current = [change_id]

    def redo() -> None:
        from tamdesk.services.tickets import ticket_detail

        version = ticket_detail(ticket_id, ctx.now()).version
        current[:] = [change_severity(ctx, ticket_id, version, after, at)]

    undo = lambda: undo_severity_change(ctx, current[0])  # noqa: E731
    push_done(f"Change severity to {after.label} at {local_time(at)}", undo=undo, redo=redo)


class ExcuseDialog(QDialog):
    """Excuse a breached clock (the first response, or one missed update) with a reason."""

    def __init__(self, ctx: Context, detail: TicketDetail, clock: ExemptClock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.detail, self.clock = ctx, detail, clock
        self.setWindowTitle(f"Excuse a breach of ticket {detail.input.number}")
        self.setMinimumWidth(540)
        self.breach = QComboBox()
        self.breach.setAccessibleName("Breach")
        zone = detail.customer_zone
        if clock is ExemptClock.FIRST_RESPONSE:
            due = sla_format.at_customer(detail.sla.first_response_due, zone)
            self.breach.addItem(f"First response, due {due}", None)
        else:
            for missed in detail.missed_updates:
                if missed.exemption is None:
                    due = sla_format.at_customer(missed.deadline, zone)
                    self.breach.addItem(f"Customer update due {due}", missed.deadline)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("What caused the breach, e.g. the customer's own outage, or a mis-filed ticket")
        self.reason.setFixedHeight(self.fontMetrics().height() * 4)
        self.reason.setTabChangesFocus(True)
        # "A reason is required …" takes two lines
        self.reason_message, self.general = reserve_space(FieldMessage(), 2), reserve_space(FieldMessage())
        self.reason.textChanged.connect(self.reason_message.clear)
        form = QFormLayout()
        form.addRow("&Breach", self.breach)
        form.addRow("&Reason", _column(self.reason, self.reason_message))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.excuse_button = buttons.addButton("E&xcuse", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint("The breach stays in the raw figures; reports also count it as met where they say "
                               "“excused met”. Edit › Undo takes the excuse back."))  # fmt: skip
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        size_to_content(self)

    def save(self) -> None:
        self.reason_message.clear()
        self.general.clear()
        ctx, ticket_id, clock = self.ctx, self.detail.id, self.clock
        deadline, reason = self.breach.currentData(), self.reason.toPlainText()
        try:
            exemption_id = excuse_breach(ctx, ticket_id, clock, deadline, reason)
        except ValidationFailed as exc:
            self.reason_message.set_error(exc.errors.get("reason", " ".join(exc.errors.values())))
            self.reason.setFocus()
            grow_to_fit(self)
            return
        except DomainError as exc:
            self.general.set_error(str(exc))
            return
        push_excuse_undo(ctx, ticket_id, exemption_id, clock, deadline, reason)
        self.accept()


def push_excuse_undo(
    ctx: Context, ticket_id: int, exemption_id: int, clock: ExemptClock, deadline: datetime | None, reason: str
) -> None:
    """Let the user take an excuse back (and make it again)."""
    current = [exemption_id]

    def redo() -> None:
        current[:] = [excuse_breach(ctx, ticket_id, clock, deadline, reason)]

    what = "first response" if clock is ExemptClock.FIRST_RESPONSE else "missed update"
    push_done(f"Excuse {what} breach", undo=lambda: unexcuse_breach(ctx, current[0]), redo=redo)

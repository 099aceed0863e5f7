"""Create or edit a ticket: the severity chosen beside the policy's definition of each level, the reporter from the
customer's seat holders, every field checked by the service and each message shown beside its field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaPolicy, format_duration
from tamdesk.domain.states import ClockKind, PersonRole, TicketStatus
from tamdesk.domain.typed_time import whole_minute
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.customers import get_customer, list_customers
from tamdesk.services.people import list_people
from tamdesk.services.seats import seat_overview
from tamdesk.services.sla import SlaResolver
from tamdesk.services.ticket_undo import redo_ticket_edit, undo_ticket_edit
from tamdesk.services.tickets import (
    TicketDetail,
    TicketEdit,
    TicketInput,
    check_ticket_input,
    create_ticket,
    ticket_detail,
    update_ticket,
)
from tamdesk.views.changes import ticket_changes
from tamdesk.views.datetime_field import DateTimeField
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import (
    FieldMessage,
    SearchableComboBox,
    grow_to_fit,
    reserve_space,
    size_to_content,
    today,
)

STATUS_HINT = (
    "Solved, reopened, waiting on the customer and the customer's reply go into the timeline as of saving; "
    "for an earlier time, record them with the ticket's buttons."
)


# -- severity ---------------------------------------------------------------------------------------------------


def target_text(policy: SlaPolicy, severity: Severity) -> str:
    """``First response within 2 business hours · an update every business day · business hours``."""
    target = policy.target(severity)
    business = target.clock is ClockKind.BUSINESS_HOURS
    return (
        f"First response within {format_duration(target.first_response, business)} · an update every "
        f"{format_duration(target.update_cadence, business)} · {target.clock.label.lower()} ({policy.label})"
    )


class SeverityChooser(QWidget):
    """One radio button per level with the policy's definition beside it, and the customer's targets under it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[Severity, QRadioButton] = {}
        self.targets: dict[Severity, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for n, severity in enumerate(Severity):
            button = QRadioButton(severity.label)
            button.setAccessibleName(severity.label)
            button.setAccessibleDescription(severity.definition)
            definition = QLabel(severity.definition)
            definition.setWordWrap(True)
            definition.setBuddy(button)
            target = reserve_space(QLabel())  # filled once a customer is chosen, without moving the rows beneath
            target.setStyleSheet("color: palette(placeholder-text);")
            self.group.addButton(button, int(severity))
            self.buttons[severity], self.targets[severity] = button, target
            grid.addWidget(button, 2 * n, 0)
            grid.addWidget(definition, 2 * n, 1)
            grid.addWidget(target, 2 * n + 1, 1)
        grid.setColumnStretch(1, 1)
        self.group.idToggled.connect(lambda _id, checked: checked and self.changed.emit())

    def value(self) -> Severity | None:
        checked = self.group.checkedId()
        return Severity(checked) if checked > 0 else None

    def set_value(self, severity: Severity | None) -> None:
        if severity is not None:
            self.buttons[severity].setChecked(True)

    def show_policy(self, policy: SlaPolicy | None) -> None:
        """The targets of the customer's policy under each definition (hidden without a customer)."""
        for severity, label in self.targets.items():
            label.setText(target_text(policy, severity) if policy else "")
            label.setVisible(policy is not None)


# -- the dialog -------------------------------------------------------------------------------------------------


PLACES = {
    "number": (0, 0, 1),
    "customer": (0, 1, 1),
    "subject": (1, 0, 3),
    "severity": (2, 0, 3),
    "severity_changed_at": (3, 0, 3),
    "opened_at": (4, 0, 1),
    "engineer": (4, 1, 1),
    "status": (5, 0, 1),
    "reporter": (5, 1, 1),
    "notes": (6, 0, 3),
}
"""Where each field sits in the form's grid: (row, 0 for the left pair or 1 for the right, columns it spans).
The form adds them row by row, left to right, so Tab and the first error's focus follow that reading order."""


class TicketDialog(QDialog):
    """The ticket form; ``ticket_id`` holds the saved ticket after ``accept``.

    Args:
        customers: (id, name) pairs for the customer field; read from the database when not given.
        customer_id: the customer a new ticket starts with (from a customer's Tickets tab).
    """

    def __init__(
        self,
        ctx: Context,
        detail: TicketDetail | None = None,
        *,
        customer_id: int | None = None,
        customers: Sequence[tuple[int, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._detail = detail
        self.ticket_id: int | None = detail.id if detail else None
        self.messages: dict[str, FieldMessage] = {}
        self._captions: dict[str, QLabel] = {}
        self.setWindowTitle(f"Edit ticket {detail.input.number}" if detail else "New ticket")
        self.setMinimumWidth(900)
        self._build(customers if customers is not None else _customers(ctx))
        self._load(detail.input if detail else _blank(ctx, customer_id))
        size_to_content(self)

    # -- construction -------------------------------------------------------------------------------------

    def _build(self, customers: Sequence[tuple[int, str]]) -> None:
        # a grid of label-field pairs, two to a row where fields are short (see PLACES), so the form fits a
        # 1024×700 screen with a message line kept under every field
        self.form = QGridLayout()
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(4)  # the message lines kept under the fields space the rows already
        self.form.setColumnStretch(1, 1)
        self.form.setColumnStretch(3, 1)
        self.number = QLineEdit()
        self.number.setPlaceholderText("The number in the support system, e.g. 104233")
        self.customer = SearchableComboBox([(name, str(cid)) for cid, name in customers])
        self.customer.lineEdit().setPlaceholderText("Type to search customers")
        self.subject = QLineEdit()
        self.severity = SeverityChooser()
        # editing: a new severity is a dated change the SLA applies from then on (domain.sla)
        self.severity_changed_at = DateTimeField(self.ctx.now, "Severity changed at")
        self.severity_changed_at.setToolTip("When the severity changed: the SLA applies it from then")
        self.severity_changed_at.set_value(self.ctx.now())
        self.opened_at = DateTimeField(self.ctx.now, "Opened")
        self.status = QComboBox()
        for status in TicketStatus:
            # a new ticket has no resolved time to start solved with: it is solved with the Solved button
            if self._detail is not None or status not in (TicketStatus.SOLVED, TicketStatus.CLOSED):
                self.status.addItem(status.label, status.value)
        self.status_hint = QLabel(STATUS_HINT if self._detail is not None else "")
        self.status_hint.setWordWrap(True)
        self.status_hint.setStyleSheet("color: palette(placeholder-text);")
        self.status_hint.setVisible(self._detail is not None)
        self.reporter = QComboBox()
        self.engineer = QComboBox()
        self.engineer.setEditable(True)
        self.engineer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.engineer.addItems(["", *(p.name for p in list_people(PersonRole.SUPPORT_ENGINEER))])
        self.engineer.lineEdit().setPlaceholderText("Name of the engineer")
        self.engineer.setToolTip("A support engineer of the people directory, or a new name")
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(self.fontMetrics().height() * 4)
        self.notes.setTabChangesFocus(True)
        rows: list[tuple[str, str, QWidget]] = [
            ("number", "Ticket &number", self.number),
            ("customer", "&Customer", self.customer),
            ("subject", "S&ubject", self.subject),
            ("severity", "Se&verity", self.severity),
            ("severity_changed_at", "Severity c&hanged at", self.severity_changed_at),
            ("opened_at", "&Opened", self.opened_at),
            ("engineer", "Support &engineer", self.engineer),
            ("status", "S&tatus", self.status),
            ("reporter", "&Reporter", self.reporter),
            ("notes", "No&tes", self.notes),
        ]
        for key, label, widget in rows:
            self._add_row(key, label, widget)
        self.severity.changed.connect(self._show_severity_change)
        self._show_severity_change()
        self.status.parentWidget().layout().insertWidget(1, self.status_hint)
        self.general = reserve_space(FieldMessage())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.customer.currentIndexChanged.connect(self._customer_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _add_row(self, key: str, label: str, widget: QWidget) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        caption = QLabel(label)
        caption.setBuddy(widget if key != "severity" else self.severity.buttons[Severity.URGENT])
        caption.setMinimumHeight(QLineEdit().sizeHint().height())  # level with the first line of its field
        row, pair, span = PLACES[key]
        if pair:
            caption.setContentsMargins(12, 0, 0, 0)  # a gap between the two pairs of a row
        top = Qt.AlignmentFlag.AlignTop
        self.form.addWidget(caption, row, 2 * pair, top)
        self.form.addWidget(box, row, 2 * pair + 1, 1, span, top)
        self._captions[key] = caption
        widget.setAccessibleName(label.replace("&", ""))
        if key == "notes":  # the service finds no fault with notes: no room kept for a message
            return
        if isinstance(widget, DateTimeField):  # a time field has its own message line: one is enough
            self.messages[key] = widget.message
        else:
            # a message appearing moves no field beneath it; the customer's, in the narrow right column, takes two lines
            message = reserve_space(FieldMessage(), 2 if key == "customer" else 1)
            column.addWidget(message)
            self.messages[key] = message
        for signal in ("textChanged", "currentTextChanged", "dateTimeChanged", "changed"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(lambda *_, k=key: self.messages[k].clear())

    def _load(self, data: TicketInput) -> None:
        self.number.setText(data.number)
        self.customer.blockSignals(True)
        self.customer.set_value(str(data.customer_id) if data.customer_id else "")
        self.customer.blockSignals(False)
        self.subject.setText(data.subject)
        self.severity.set_value(data.severity if self._detail else None)
        self.opened_at.show_stored(data.opened_at)  # a new ticket's default is already a whole minute
        self.status.setCurrentIndex(max(self.status.findData(data.status.value), 0))
        self.engineer.setCurrentText(data.engineer)
        self.notes.setPlainText(data.notes)
        self._customer_changed()
        self._select_reporter(data.reporter_seat_id)

    # -- the customer decides the reporters, the targets and the time zone -----------------------------------

    def _customer_id(self) -> int:
        value = self.customer.value()
        return int(value) if value.isdigit() else 0

    def _customer_changed(self, *_: object) -> None:
        customer_id = self._customer_id()
        policy, zone = None, None
        if customer_id:
            try:
                policy = SlaResolver().policy(customer_id)
                zone = get_customer(customer_id).input.time_zone
            except (DomainError, KeyError):
                policy = None
        self.severity.show_policy(policy)
        self._fill_reporters(customer_id)
        self.opened_at.set_customer_zone(zone)
        self.severity_changed_at.set_customer_zone(zone)
        grow_to_fit(self)

    def _fill_reporters(self, customer_id: int) -> None:
        keep = self.reporter.currentData()
        self.reporter.clear()
        self.reporter.addItem("Not recorded", None)
        if customer_id:
            try:
                overview = seat_overview(customer_id)
            except DomainError:
                overview = None
            if overview is not None:
                for seat in overview.seats:
                    self.reporter.addItem(f"{seat.full_name} <{seat.email}>", seat.id)
                for seat in overview.history:
                    self.reporter.addItem(f"{seat.full_name} <{seat.email}> (seat revoked)", seat.id)
        none = self.reporter.count() == 1
        self.reporter.setItemText(0, "No seat holders yet" if none and customer_id else "Not recorded")
        self.reporter.setToolTip("One of the customer's portal seat holders")
        self._select_reporter(keep)

    def _select_reporter(self, seat_id: int | None) -> None:
        index = self.reporter.findData(seat_id) if seat_id is not None else 0
        self.reporter.setCurrentIndex(max(index, 0))

    def _severity_changes(self) -> bool:
        """Editing a ticket whose severity the form changes."""
        chosen = self.severity.value()
        return self._detail is not None and chosen is not None and chosen is not self._detail.input.severity

    def _show_severity_change(self, *_: object) -> None:
        """The time of the change is asked only when an edit changes the severity: the row is on an edit's form
        throughout (so nothing beneath moves when a severity is clicked) and takes a time only then."""
        for part in (self.severity_changed_at.parentWidget(), self._captions["severity_changed_at"]):
            part.setVisible(self._detail is not None)
        self.severity_changed_at.setEnabled(self._severity_changes())

    # -- saving -------------------------------------------------------------------------------------------

    def input(self, opened_at: datetime, severity_changed_at: datetime | None = None) -> TicketInput:
        """The ticket as the form holds it, opened at ``opened_at`` (the field's value, read first since it may be
        None); with no severity chosen, it stands in as Normal (``save`` refuses)."""
        return TicketInput(
            number=self.number.text(),
            customer_id=self._customer_id(),
            subject=self.subject.text(),
            severity=self.severity.value() or Severity.NORMAL,
            opened_at=opened_at,
            status=TicketStatus(self.status.currentData()),
            reporter_seat_id=self.reporter.currentData(),
            engineer=self.engineer.currentText(),
            notes=self.notes.toPlainText(),
            severity_changed_at=severity_changed_at,
        )

    def save(self) -> None:
        """Save through the service; on bad fields show each message beside its field and stay open."""
        for message in (*self.messages.values(), self.general):
            message.clear()
        opened_at = self.opened_at.value()
        if opened_at is None:  # the field says why; nothing is saved until it names a time
            self.opened_at.setFocus()
            grow_to_fit(self)
            return
        severity_changed_at = None
        if self._severity_changes():
            severity_changed_at = self.severity_changed_at.value()
            if severity_changed_at is None:
                self.severity_changed_at.setFocus()
                grow_to_fit(self)
                return
        data = self.input(opened_at, severity_changed_at)
        if self.severity.value() is None:  # every other field's error too, not one round each
            try:
                errors = check_ticket_input(data, self._detail.id if self._detail else None, self.ctx.now())
            except DomainError as exc:
                errors = {"": str(exc)}
            errors["severity"] = "Choose a severity: read each level's definition beside it."
            self.show_errors(errors)
            return
        try:
            if self._detail is None:
                self.ticket_id = create_ticket(self.ctx, data)
            else:
                edit = update_ticket(self.ctx, self._detail.id, self._detail.version, data)
                if edit is not None:
                    push_edit_undo(self.ctx, edit)
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return
        except StaleEdit:
            self._resolve_stale()
            return
        except DomainError as exc:
            self.general.set_error(str(exc))
            grow_to_fit(self)
            return
        assert self.ticket_id is not None
        ticket_changes().changed.emit(self.ticket_id)
        self.accept()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; the first field of the form with an error takes the focus."""
        first: QWidget | None = None
        for key, text in errors.items():
            if key not in self.messages:
                self.general.set_error(text)
        for key, message in self.messages.items():  # in the order of the form
            if key not in errors:
                continue
            message.set_error(errors[key])
            widget = self.severity.buttons[Severity.URGENT] if key == "severity" else getattr(self, key, None)
            if first is None and isinstance(widget, QWidget):
                first = widget
        if first is not None:
            first.setFocus()
        grow_to_fit(self)

    def _resolve_stale(self) -> None:
        """Someone saved the ticket meanwhile: save over theirs, load theirs, or keep editing."""
        assert self._detail is not None
        try:
            theirs = ticket_detail(self._detail.id, self.ctx.now())
        except DomainError as exc:
            self.general.set_error(str(exc))
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Changed by someone else")
        box.setText(f"Ticket {theirs.input.number} was saved by someone else after you opened it.")
        box.setInformativeText("Save yours over theirs, or load theirs and edit again?")
        overwrite = box.addButton("Save mine", QMessageBox.ButtonRole.AcceptRole)
        load = box.addButton("Load theirs", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        self._detail = theirs
        if box.clickedButton() is overwrite:
            self.save()
        elif box.clickedButton() is load:
            self._load(theirs.input)


def push_edit_undo(ctx: Context, edit: TicketEdit) -> None:
    """Ctrl+Z takes the whole edit back (its fields, and the events and severity change it recorded), refused in one
    sentence when the ticket changed since; Ctrl+Shift+Z makes it again."""
    current, version = [edit], [0]  # the version an undo leaves, for the redo

    def undo() -> None:
        version[0] = undo_ticket_edit(ctx, current[0])
        ticket_changes().changed.emit(edit.ticket_id)

    def redo() -> None:
        current[0] = redo_ticket_edit(ctx, current[0], version[0])
        ticket_changes().changed.emit(edit.ticket_id)

    push_done(f"Edit {edit.before.number}", undo=undo, redo=redo)


def _customers(ctx: Context) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in list_customers(today(ctx))]


def _blank(ctx: Context, customer_id: int | None) -> TicketInput:
    return TicketInput(
        number="", customer_id=customer_id or 0, subject="", severity=Severity.NORMAL, opened_at=whole_minute(ctx.now())
    )

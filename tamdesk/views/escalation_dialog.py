"""Request an escalation of a ticket to support management; and the form plumbing the escalation and defect
dialogs share (messages beside fields, confirm-and-retry, stale edits).

The request form names who will receive the escalation, says when the VP of Customer Success is apprised, warns
before escalating a solved ticket, and refuses a second open escalation with a button to open the first one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import NoReturn

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import PersonRole, TicketStatus
from tamdesk.services.base import Context, DomainError, FieldError, NotFound, StaleEdit, ValidationFailed
from tamdesk.services.escalations import EscalationInput, NeedsConfirmation, request_escalation
from tamdesk.services.people import list_people
from tamdesk.services.settings import get_setting
from tamdesk.services.ticket_choice import choose_ticket, require_ticket, ticket_choices
from tamdesk.services.tickets import TicketDetail, ticket_detail
from tamdesk.views.datetime_field import DateTimeField
from tamdesk.views.widgets import (
    TONE_BANNER,
    FieldMessage,
    SearchableComboBox,
    Tone,
    grow_to_fit,
    reserve_space,
    set_tone_style,
    size_to_content,
)


class Outcome(Enum):
    """How a use case run from a form ended."""

    DONE = "done"
    FAILED = "failed"  # messages are shown; the user can correct and try again
    CANCELLED = "cancelled"  # the user said no to a confirmation
    STALE = "stale"  # someone else changed the record; the caller reloads


def perform(
    parent: QWidget,
    title: str,
    action: Callable[[bool], object],
    messages: Mapping[str, FieldMessage],
    general: FieldMessage | None = None,
) -> Outcome:
    """Run ``action(confirm)`` and show what went wrong beside the field it concerns.

    A ``NeedsConfirmation`` becomes a Yes/Cancel question; Yes runs the action again with ``confirm=True``.
    A ``StaleEdit`` is explained in a message box and the caller reloads. Messages without a field go to
    ``general`` (or a message box when there is none).
    """
    for message in (*messages.values(), general):
        if message is not None:
            message.clear()
    confirm = False
    while True:
        try:
            action(confirm)
        except NeedsConfirmation as exc:
            if confirm or not ask_yes(parent, title, str(exc)):
                return Outcome.CANCELLED
            confirm = True
        except ValidationFailed as exc:
            for name, text in exc.errors.items():
                _show_error(parent, title, messages.get(name) or general, text)
            return Outcome.FAILED
        except FieldError as exc:
            _show_error(parent, title, messages.get(exc.field) or general, str(exc))
            return Outcome.FAILED
        except StaleEdit as exc:
            QMessageBox.warning(parent, title, f"{exc}\n\nThe latest values are shown now.")
            return Outcome.STALE
        except DomainError as exc:
            _show_error(parent, title, general, str(exc))
            return Outcome.FAILED
        else:
            return Outcome.DONE


def _show_error(parent: QWidget, title: str, message: FieldMessage | None, text: str) -> None:
    if message is None:
        QMessageBox.warning(parent, title, text)
    else:
        message.set_error(text)


def ask_yes(parent: QWidget, title: str, question: str) -> bool:
    """A Yes/Cancel question whose safe answer (Cancel) is the default."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def field_box(widget: QWidget | None, message: FieldMessage | None, hint: str = "") -> QWidget:
    """A field with its hint (grey) and its message (if any) underneath."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    if widget is not None:
        column.addWidget(widget)
    if hint:
        column.addWidget(hint_label(hint))
    if message is not None:
        column.addWidget(message)
    return box


def add_form_field(
    form: QFormLayout,
    messages: dict[str, FieldMessage],
    fields: dict[str, QWidget],
    name: str,
    label: str,
    widget: QWidget | None,
    hint: str = "",
    focus: QWidget | None = None,
    lines: int = 1,
) -> FieldMessage | None:
    """Add a labelled row to ``form``: ``widget``, its hint, and the message for the service's field ``name``.

    ``focus`` is the input inside ``widget`` that the label's shortcut and an error focus (default ``widget``).
    The message keeps ``lines`` lines of room while empty, so the rows beneath stay put when it appears; with
    ``lines=0`` (a field the service never finds fault with) there is no message row, and anything said about the
    field goes to the form's general message.
    """
    if isinstance(widget, DateTimeField):  # a time field has its own message line: one is enough
        message, shared = widget.message, widget.message
    else:
        message, shared = (reserve_space(FieldMessage(), lines) if lines else None), None
    if message is not None:
        messages[name] = message
    caption = QLabel(label)
    target = focus or widget
    if target is not None:
        fields[name] = target
        target.setAccessibleName(label.replace("&", "").rstrip(":"))
        caption.setBuddy(target)
    form.addRow(caption, field_box(widget, None if message is shared else message, hint))
    return message


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def plain_text(placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
    """A multi-line field about ``lines`` high; Tab moves on instead of typing a tab."""
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class FormDialog(QDialog):
    """A form dialog whose OK runs ``action``; messages appear beside their fields and OK can be retried."""

    def __init__(self, title: str, intro: str = "", ok_text: str = "OK", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.outcome: Outcome | None = None
        self._sized = False
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.general = reserve_space(FieldMessage())
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.messages: dict[str, FieldMessage] = {}
        self.fields: dict[str, QWidget] = {}
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.intro)
        self.body.addSpacing(4)
        self.body.addLayout(self.form)
        self.body.addWidget(self.general)
        self.body.addStretch(1)
        self.body.addWidget(self.buttons)

    def add_field(
        self,
        name: str,
        label: str,
        widget: QWidget | None,
        hint: str = "",
        focus: QWidget | None = None,
        lines: int = 1,
    ) -> FieldMessage | None:
        """A labelled row with ``widget``, an optional hint and the message for the service's field ``name``, which
        keeps ``lines`` lines of room."""
        return add_form_field(self.form, self.messages, self.fields, name, label, widget, hint, focus, lines)

    def action(self, confirm: bool) -> None:
        """The use case; raise the service's errors. Subclasses override."""
        raise NotImplementedError

    def setVisible(self, visible: bool) -> None:
        if visible and not self._sized:  # sized before it is placed, so it opens centred
            self._sized = True
            size_to_content(self)
        super().setVisible(visible)

    def submit(self) -> None:
        self.outcome = perform(self, self.windowTitle(), self.action, self.messages, self.general)
        if self.outcome is Outcome.DONE:
            self.accept()
        elif self.outcome is Outcome.STALE:
            self.reject()
        else:
            grow_to_fit(self)
            if self.outcome is Outcome.FAILED:
                self._focus_first_error()

    def _focus_first_error(self) -> None:
        for name, message in self.messages.items():
            if message.isVisibleTo(self) and name in self.fields:
                self.fields[name].setFocus(Qt.FocusReason.OtherFocusReason)
                return


# -- choosing a ticket -------------------------------------------------------------------------------------------


class TicketChooser(SearchableComboBox):
    """A searchable list of tickets (one customer's, or all) by number and subject; ``ticket_id()`` is the chosen
    one. What is typed matches numbers and subjects only, never a database id."""

    def __init__(self, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        choices = ticket_choices(customer_id)
        super().__init__([(c.label, str(c.id)) for c in choices], parent)
        self.choices = choices
        # as wide as the form, not as the longest subject (the chosen ticket's summary shows beneath in full)
        self.setSizeAdjustPolicy(SearchableComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(28)
        self.setEditText("")
        self.lineEdit().setPlaceholderText("Type a ticket number or subject")

    def ticket_id(self) -> int | None:
        """The ticket typed or chosen; None while the text names none (or a subject several tickets share)."""
        try:
            return choose_ticket(self.choices, self.currentText())
        except FieldError:
            return None

    def require(self, empty_message: str) -> int:
        """The chosen ticket.

        Raises:
            FieldError: ``empty_message`` when nothing is typed, else why the text names no single ticket.
        """
        return require_ticket(self.choices, self.currentText(), empty_message)


NO_TICKET = "The chosen ticket's subject, customer, severity and status show here."
NO_TICKET_STYLE = "color: palette(placeholder-text);"


def ticket_summary(detail: TicketDetail) -> str:
    """``SUP-1 — Cluster down · Acme · Sev1 Urgent · Open``."""
    data = detail.input
    return f"{data.number} — {data.subject} · {detail.customer} · {data.severity.label} · {data.status.label}"


def directory_person(role: PersonRole) -> str:
    """Who the directory names for ``role`` (the Settings choice, else the first active person)."""
    people = list_people(role)
    preferred = get_setting(f"escalation_{role.value}")
    chosen = next((p for p in people if p.name == preferred), people[0] if people else None)
    return chosen.name if chosen else ""


# -- the request form -------------------------------------------------------------------------------------------


class EscalationDialog(FormDialog):
    """Request an escalation of one ticket. After ``accept`` ``escalation_id`` is the new escalation.

    ``open_escalation_requested`` carries the id of the ticket's open escalation when the TAM chooses to open it
    instead (the dialog closes).
    """

    open_escalation_requested = Signal(int)

    def __init__(
        self, ctx: Context, ticket_id: int | None = None, customer_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Request an escalation",
            "Escalate a ticket to support management. The support manager and the senior director of support "
            "coordinate it; every change is a dated entry on its timeline.",
            "Request escalation",
            parent,
        )
        self.ctx = ctx
        self.escalation_id: int | None = None
        self.open_escalation_id: int | None = None
        self.ticket: TicketDetail | None = None
        self._build_ticket(ticket_id, customer_id)
        self._build_request()
        self._build_vp()
        self._build_people()
        self._build_refusal()
        self.resize(620, self.sizeHint().height())
        self._ticket_changed()

    # -- construction -------------------------------------------------------------------------------------

    def _build_ticket(self, ticket_id: int | None, customer_id: int | None) -> None:
        self.fixed_ticket = ticket_id
        self.chooser: TicketChooser | None = None
        if ticket_id is None:
            self.chooser = TicketChooser(customer_id)
            self.chooser.currentIndexChanged.connect(self._ticket_changed)
            self.chooser.editTextChanged.connect(self._ticket_changed)
        # the chosen ticket's summary and its severity's meaning keep their room: choosing a ticket moves nothing
        self.ticket_info = reserve_space(QLabel(), 1 if self.chooser is None else 2)
        self.ticket_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if self.chooser is not None:
            column.addWidget(self.chooser)
        column.addWidget(self.ticket_info)
        self.add_field("ticket", "Ticket:" if self.chooser is None else "&Ticket:", box, focus=self.chooser)

    def _build_request(self) -> None:
        self.by_customer = QRadioButton("The &customer")
        self.by_tam = QRadioButton("The &TAM")
        self.requested_by = QButtonGroup(self)
        for button in (self.by_customer, self.by_tam):
            self.requested_by.addButton(button)
        self.by_tam.toggled.connect(self._requester_default)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.by_customer)
        line.addWidget(self.by_tam)
        line.addStretch(1)
        self.add_field("requested_by", "Requested by:", row, focus=self.by_customer)
        self.requester = QLineEdit()
        self.requester.setPlaceholderText("Name of the person asking")
        self.add_field("requester_name", "Re&quester:", self.requester)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Production down for 2 hours, no workaround")
        self.reason.setToolTip("One line; it becomes the email's subject")
        self.add_field("reason", "&Reason:", self.reason)
        self.impact = plain_text("Orders cannot be taken; 300 users affected")
        self.add_field("business_impact", "Business &impact:", self.impact, lines=2)
        self.outcome_edit = plain_text("Restore service today; a root cause analysis within a week")
        self.add_field("desired_outcome", "Desired &outcome:", self.outcome_edit, lines=0)

    def _build_vp(self) -> None:
        self.apprise = QCheckBox("&Apprise the VP of Customer Success now")
        self.apprise.toggled.connect(self._vp_toggled)
        self.vp_note = plain_text("What the VP should know or advise on", lines=2)
        self.vp_note.setEnabled(False)
        self.vp_hint = reserve_space(hint_label(""), 2)  # its text follows the ticket's severity
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.apprise)
        column.addWidget(self.vp_note)
        column.addWidget(self.vp_hint)
        self.add_field("vp_note", "VP:", box, focus=self.vp_note, lines=0)
        self.vp_note.setAccessibleName("Advisory note for the VP")

    def _build_people(self) -> None:
        manager = directory_person(PersonRole.SUPPORT_MANAGER) or "no support manager in the directory"
        director = directory_person(PersonRole.SENIOR_DIRECTOR) or "no senior director in the directory"
        self.people = hint_label(f"Goes to {manager} (support manager) and {director} (senior director of support).")
        self.form.addRow("", self.people)

    def _build_refusal(self) -> None:
        self.refusal = QFrame()
        self.refusal.setObjectName("refusal")
        set_tone_style(self.refusal, Tone.WARNING, f"QFrame#refusal {{{{ {TONE_BANNER} }}}}")
        self.refusal_text = reserve_space(QLabel(), 2)  # as tall empty as with its two lines
        set_tone_style(self.refusal_text, Tone.WARNING)
        self.open_button = QPushButton("Open that escalation")
        self.open_button.clicked.connect(self._open_existing)
        line = QHBoxLayout(self.refusal)
        line.addWidget(self.refusal_text, 1)
        line.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.refusal.layout().setContentsMargins(8, 4, 8, 4)
        # the refusal takes the intro's place (its room is kept for the taller of the two): the fields stay where
        # they are when a chosen ticket already has an open escalation
        self.top = QStackedWidget()
        self.body.replaceWidget(self.intro, self.top)
        self.top.addWidget(self.intro)
        self.top.addWidget(self.refusal)

    # -- reacting --------------------------------------------------------------------------------------------

    def ticket_id(self) -> int | None:
        return self.fixed_ticket if self.chooser is None else self.chooser.ticket_id()

    def _ticket_changed(self, *_: object) -> None:
        ticket_id = self.ticket_id()
        self.ticket = None
        if ticket_id is not None:
            try:
                self.ticket = ticket_detail(ticket_id, self.ctx.now())
            except DomainError as exc:
                self.messages["ticket"].set_error(str(exc))
        self._show_ticket()

    def _show_ticket(self) -> None:
        ticket = self.ticket
        self.ticket_info.setStyleSheet("" if ticket else NO_TICKET_STYLE)
        self.open_escalation_id = ticket.open_escalation_id if ticket else None
        if ticket is None:
            self.ticket_info.setText(NO_TICKET)
            self.ticket_info.setToolTip("")
            self.messages["ticket"].clear()
            self._show_vp(None)
            self._show_refusal()
            return
        self.ticket_info.setText(ticket_summary(ticket))
        self.ticket_info.setToolTip(f"{ticket.input.severity.label}: {ticket.input.severity.definition}")
        if ticket.input.status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
            self.messages["ticket"].set_warning(
                f"This ticket is {ticket.input.status.label.lower()}; you will be asked to confirm."
            )
        else:
            self.messages["ticket"].clear()
        self._show_vp(ticket.input.severity)
        self._show_refusal()
        grow_to_fit(self)

    def _show_vp(self, severity: Severity | None) -> None:
        automatic = severity is Severity.URGENT
        if automatic:
            self.apprise.setChecked(True)
        self.apprise.setEnabled(not automatic)
        self.vp_hint.setText(
            "Sev1 ticket: the VP of Customer Success is apprised automatically. Add an advisory note if useful."
            if automatic
            else "The VP is apprised automatically for Sev1 tickets and for escalations open more than "
            "3 business days; tick the box to apprise them now."
        )
        self._vp_toggled(self.apprise.isChecked())

    def _vp_toggled(self, checked: bool) -> None:
        self.vp_note.setEnabled(checked)

    def _requester_default(self, tam: bool) -> None:
        if tam and not self.requester.text().strip():
            self.requester.setText(self.ctx.actor)

    def _show_refusal(self) -> None:
        esc_id = self.open_escalation_id
        self.top.setCurrentWidget(self.refusal if esc_id is not None else self.intro)
        self.ok_button.setEnabled(esc_id is None)
        if esc_id is not None and self.ticket is not None:
            self.refusal_text.setText(
                f"Ticket {self.ticket.input.number} already has an open escalation (#{esc_id}). "
                "Update that one instead of requesting another."
            )
            self.open_button.setText(f"Open escalation #{esc_id}")

    def _open_existing(self) -> None:
        if self.open_escalation_id is not None:
            self.open_escalation_requested.emit(self.open_escalation_id)
            self.reject()

    # -- saving ----------------------------------------------------------------------------------------------

    def input(self) -> EscalationInput:
        by = "customer" if self.by_customer.isChecked() else "tam" if self.by_tam.isChecked() else ""
        return EscalationInput(
            requested_by=by,
            requester_name=self.requester.text(),
            reason=self.reason.text(),
            business_impact=self.impact.toPlainText(),
            desired_outcome=self.outcome_edit.toPlainText(),
            apprise_vp=self.apprise.isChecked(),
            vp_note=self.vp_note.toPlainText() if self.apprise.isChecked() else "",
        )

    def action(self, confirm: bool) -> None:
        ticket_id = self.fixed_ticket
        if self.chooser is not None:
            try:
                ticket_id = self.chooser.require("Choose the ticket to escalate.")
            except FieldError as exc:
                self._no_ticket(str(exc))
        assert ticket_id is not None
        self.escalation_id = request_escalation(self.ctx, ticket_id, self.input(), confirm=confirm)

    def _no_ticket(self, message: str) -> NoReturn:
        """No ticket chosen: say why together with what else the service finds wrong in the form."""
        errors = {"ticket": message}
        try:  # the service checks the fields before it looks for the ticket; no ticket has id 0
            request_escalation(self.ctx, 0, self.input())
        except ValidationFailed as exc:
            errors.update(exc.errors)
        except NotFound:
            pass
        raise ValidationFailed(errors)

    def submit(self) -> None:
        super().submit()
        if self.outcome is Outcome.FAILED and self.ticket_id() is not None:
            self._ticket_changed()  # someone may have escalated it meanwhile: show the refusal and its button
            if self.open_escalation_id is not None:
                self.general.clear()


class TextDialog(FormDialog):
    """One text field sent to a use case: a note, a reason, what the customer was told."""

    def __init__(
        self,
        title: str,
        intro: str,
        label: str,
        field: str,
        submit: Callable[[str, bool], object],
        ok_text: str = "OK",
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, intro, ok_text, parent)
        self._submit = submit
        self.text = plain_text(placeholder, lines=4)
        self.field = field
        self.add_field(field, label, self.text)
        self.text.setFocus()

    def action(self, confirm: bool) -> None:
        self._submit(self.text.toPlainText(), confirm)

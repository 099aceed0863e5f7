"""One escalation in full: its state, the people it names, its dated timeline, and the actions that move it on
(advance, decline, note, apprise the VP) plus the escalation email to copy or open in the mail client."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.states import EscalationState
from tamdesk.domain.vp_rule import VpStatus
from tamdesk.services.base import Context, DomainError
from tamdesk.services.escalations import (
    ORDER,
    EmailDraft,
    EscalationDetail,
    TimelineEntry,
    add_note,
    advance_escalation,
    apprise_vp,
    draft_email,
    escalation_detail,
    take_back_state_change,
)
from tamdesk.views.changes import changed
from tamdesk.views.email_dialogs import send_escalation_email
from tamdesk.views.escalation_dialog import FormDialog, TextDialog, plain_text
from tamdesk.views.icons import icon
from tamdesk.views.record_detail import RecordDetailDialog, RecordDetailView, value_label
from tamdesk.views.record_detail import heading as heading  # the Reports page takes it from here
from tamdesk.views.sla_format import business_days, short_duration
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import TONE_BANNER, Tone, configure_table, fit_rows_to_text, set_tone_style

STATE_TONES = {
    EscalationState.REQUESTED: Tone.WARNING,
    EscalationState.RESOLVED: Tone.OK,
    EscalationState.DECLINED: Tone.ERROR,
}
BADGE = "padding: 6px 12px; background: palette(midlight); color: palette(window-text); border-radius: 13px;"
"""The look of a state badge in no particular tone (a tone gives it ``TONE_BANNER``)."""
VP_APPRISED = re.compile(r"^VP of Customer Success apprised \((?P<why>[^)]*)\)")


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area, so a narrow window scrolls instead of squeezing it."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(body)
    return scroll


class Facts(QGroupBox):
    """A titled form of label/value pairs, filled by key."""

    def __init__(self, title: str, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.form = form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(12)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for key, label in rows:
            self.values[key] = value_label()
            form.addRow(f"{label}:", self.values[key])

    def set(self, key: str, text: str, tone: Tone | None = None) -> None:
        label = self.values[key]
        label.setText(text or "—")
        set_tone_style(label, tone)

    def show_row(self, key: str, visible: bool) -> None:
        self.form.setRowVisible(self.values[key], visible)


class StateSteps(QWidget):
    """A row of the states a record walks through: done ✓, the current one bold, the rest grey."""

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(6)
        self.labels: list[QLabel] = []
        for number, text in enumerate(labels):
            if number:
                arrow = QLabel("→")
                arrow.setStyleSheet("color: palette(placeholder-text);")
                line.addWidget(arrow)
            label = QLabel(text)
            self.labels.append(label)
            line.addWidget(label)
        line.addStretch(1)
        self._texts = list(labels)

    def set_current(self, index: int, *, stopped: str = "") -> None:
        """Mark steps before ``index`` done and ``index`` current; ``stopped`` replaces the current step's text."""
        for number, label in enumerate(self.labels):
            text = self._texts[number]
            if number < index:
                label.setText(f"✓ {text}")
                set_tone_style(label, Tone.OK)
            elif number == index:
                label.setText(f"● {stopped or text}")
                set_tone_style(label, None, plain="font-weight: bold;")
            else:
                label.setText(text)
                set_tone_style(label, None, plain="color: palette(placeholder-text);")


def timeline_columns() -> list[Column[TimelineEntry]]:
    return [
        Column[TimelineEntry]("When", lambda e: local_time(e.at)),
        Column[TimelineEntry]("By", lambda e: e.author),
        Column[TimelineEntry]("State", lambda e: e.state.label if e.state else "Note"),
        Column[TimelineEntry]("Entry", lambda e: e.text, tooltip=lambda e: e.text),
    ]


def _limit(days: int) -> str:
    return f"{days} business day{'s' if days != 1 else ''}"


def _late(late_by: timedelta) -> str:
    """Business time past the limit: ``2 h 30 m`` under a business day, else ``1.4 business days``."""
    return f"{late_by / BUSINESS_DAY:.1f} business days" if late_by >= BUSINESS_DAY else short_duration(late_by)


def vp_banner_text(detail: EscalationDetail) -> str:
    """The banner over an escalation that owes the VP an apprisal (the VP rule); empty when it does not."""
    vp = detail.row.vp
    if not vp.owed:
        return ""
    return (
        f"VP of Customer Success to be apprised: open more than {_limit(vp.days)}, since "
        f"{local_time(vp.due_at)}. Apprise VP… records it."
    )


def vp_text(detail: EscalationDetail) -> tuple[str, Tone | None]:
    """Whether the VP of Customer Success was apprised, when and why; or when it falls due, or why none was."""
    vp, due, limit = detail.row.vp, local_time(detail.row.vp.due_at), _limit(detail.row.vp.days)
    if vp.status is VpStatus.TO_BE_APPRISED:
        return f"To be apprised since {due} (open more than {limit}).", Tone.ERROR
    if vp.status is VpStatus.NOT_YET_DUE:
        return (
            f"Not apprised. To be apprised from {due} if still open ({limit}); Sev1 tickets and requests "
            "apprise the VP at once.",
            None,
        )
    if vp.status is VpStatus.MISSED:
        return f"Not apprised: closed {_late(vp.late_by)} past the limit of {limit} ({due}).", Tone.WARNING
    if vp.status is VpStatus.NOT_NEEDED:
        return f"Not apprised; none needed: closed within {limit}.", None
    why = ""
    for entry in detail.timeline:
        match = VP_APPRISED.match(entry.text)
        if match:
            why = match["why"]
    when = local_time(detail.vp_apprised_at) if detail.vp_apprised_at else ""
    text = "Apprised" + (f" {when}" if when else "") + (f" ({why})" if why else "")
    if vp.status is VpStatus.LATE:
        text += f"\nLate: {_late(vp.late_by)} past the limit of {limit} ({due})."
    if detail.vp_note:
        text += f"\nAdvice/note: {detail.vp_note}"
    return text, Tone.WARNING if vp.status is VpStatus.LATE else Tone.OK


class AdvanceDialog(FormDialog):
    """Move an escalation to a later state, with an optional note on the timeline."""

    def __init__(self, ctx: Context, detail: EscalationDetail, parent: QWidget | None = None) -> None:
        current = detail.row.state
        later = ORDER[ORDER.index(current) + 1 :]
        super().__init__(
            f"Advance escalation #{detail.row.id}",
            f"Escalation #{detail.row.id} of ticket {detail.row.ticket_number} is at the step: {current.label}.",
            "Advance",
            parent,
        )
        self.ctx = ctx
        self.detail = detail
        self.state = QComboBox()
        for state in later:
            self.state.addItem(state.label, state.value)
        self.add_field("state", "&New state:", self.state, "Usually the next one; later states skip steps.")
        self.note = plain_text("What happened: the action plan agreed, who does what …", lines=3)
        self.add_field("note", "N&ote:", self.note)
        self.note.setFocus()

    def chosen(self) -> EscalationState:
        return EscalationState(self.state.currentData())

    def action(self, confirm: bool) -> None:
        row, state, note = self.detail.row, self.chosen(), self.note.toPlainText()
        entry_id = advance_escalation(self.ctx, row.id, row.version, state, note=note)
        push_state_change(self.ctx, row.id, row.version + 1, entry_id, state, note=note)


def decline_undoably(ctx: Context, esc_id: int, version: int, reason: str) -> None:
    """Decline the escalation (``version``: as the user saw it) and offer Ctrl+Z to take it back."""
    declined = EscalationState.DECLINED
    entry_id = advance_escalation(ctx, esc_id, version, declined, decline_reason=reason)
    push_state_change(ctx, esc_id, version + 1, entry_id, declined, reason=reason)


def push_state_change(
    ctx: Context, esc_id: int, version: int, entry_id: int, state: EscalationState, note: str = "", reason: str = ""
) -> None:
    """Offer Ctrl+Z for a state change just saved (``version``: the escalation's after it): undo takes it back,
    refused in one sentence when someone changed the escalation since; redo makes the change again."""
    place = [version, entry_id]

    def undo() -> None:
        take_back_state_change(ctx, esc_id, place[0], place[1])
        place[0] += 1
        changed("escalation")

    def redo() -> None:
        place[1] = advance_escalation(ctx, esc_id, place[0], state, note=note, decline_reason=reason)
        place[0] += 1
        changed("escalation")

    declined = state is EscalationState.DECLINED
    text = f"Decline escalation #{esc_id}" if declined else f"Advance escalation #{esc_id} to {state.label}"
    push_done(text, undo=undo, redo=redo)


class EmailDraftDialog(QDialog):
    """The escalation email: to, cc, subject and body, to copy or open in the mail client."""

    def __init__(self, draft: EmailDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setWindowTitle("Escalation email")
        self.resize(760, 600)
        self.to = self._line(", ".join(draft.to) or "— (no support manager or senior director with an email)")
        self.cc = self._line(", ".join(draft.cc) or "—")
        self.subject = self._line(draft.subject)
        self.body = QPlainTextEdit(draft.body)
        self.body.setReadOnly(True)
        self.body.setAccessibleName("Body")
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        form = QFormLayout()
        for label, widget in (("To:", self.to), ("Cc:", self.cc), ("Subject:", self.subject)):
            form.addRow(label, widget)
        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip("Copy to, cc, subject and body to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self.mail_button = QPushButton("&Open in mail client")
        self.mail_button.setDefault(True)
        self.mail_button.clicked.connect(self.open_in_mail_client)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.mail_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.send_button = QPushButton("&Send from tamdesk")
        self.send_button.setToolTip("Send it through the SMTP server set up in Settings › Email")
        self.send_button.setVisible(False)  # shown by whoever can send it
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    @staticmethod
    def _line(text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setReadOnly(True)
        edit.setCursorPosition(0)
        return edit

    def full_text(self) -> str:
        d = self.draft
        return f"To: {', '.join(d.to)}\nCc: {', '.join(d.cc)}\nSubject: {d.subject}\n\n{d.body}"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.full_text())
        self.status.setText("Copied to the clipboard.")

    def open_in_mail_client(self) -> None:
        if QDesktopServices.openUrl(QUrl(self.draft.mailto())):
            self.status.setText("Opened in your mail client.")
        else:
            self.status.setText("No mail client answered. Use Copy and paste the text into an email.")


class EscalationDetailView(RecordDetailView):
    """The escalation with its people, timeline and actions; ``changed`` follows every saved action."""

    list_title = "Escalations"
    noun = "escalation"

    def __init__(self, ctx: Context, *, show_back: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._mail_runner = TaskRunner(self)
        self.detail: EscalationDetail | None = None
        self.timeline_model = RowTableModel[TimelineEntry](timeline_columns(), self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header(show_back))
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        self.steps = StateSteps([s.label for s in ORDER])
        column.addWidget(self.steps)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        column.addWidget(self.banner)
        self.vp_banner = QLabel()
        self.vp_banner.setObjectName("vpBanner")
        self.vp_banner.setWordWrap(True)
        self.vp_banner.setVisible(False)
        set_tone_style(self.vp_banner, Tone.ERROR, TONE_BANNER)
        column.addWidget(self.vp_banner)
        column.addLayout(self._build_actions())
        column.addLayout(self._build_facts())
        column.addWidget(self._build_timeline(), 1)
        layout.addWidget(scrolling(body), 1)

    # -- construction -------------------------------------------------------------------------------------

    def _build_actions(self) -> QHBoxLayout:
        self.advance_button = QPushButton("Advance…")
        self.advance_button.clicked.connect(self.advance)
        self.advance_button.setToolTip("Move the escalation on, with a note on its timeline; Ctrl+Z takes it back")
        self.decline_button = QPushButton("&Decline…")
        self.decline_button.setToolTip("Close the escalation with a reason; Ctrl+Z takes it back")
        self.decline_button.clicked.connect(self.decline)
        self.note_button = QPushButton("Add &note…")
        self.note_button.clicked.connect(self.add_note)
        self.vp_button = QPushButton("Apprise &VP…")
        self.vp_button.setToolTip("Mark the VP of Customer Success apprised, with an advisory note")
        self.vp_button.clicked.connect(self.apprise_vp)
        self.email_button = QPushButton("Draft escalation &email…")
        self.email_button.setIcon(icon("mail"))
        self.email_button.clicked.connect(self.draft_email)
        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        row = QHBoxLayout()
        for button in (self.advance_button, self.decline_button, self.note_button, self.vp_button):
            row.addWidget(button)
        row.addSpacing(12)
        row.addWidget(self.next_step, 1)
        row.addWidget(self.email_button)
        return row

    def _build_facts(self) -> QGridLayout:
        self.request = Facts(
            "Request",
            [("requested_by", "Requested by"), ("reason", "Reason"), ("impact", "Business impact"),
             ("outcome", "Desired outcome"), ("decline", "Declined because")],
        )  # fmt: skip
        self.people = Facts(
            "People",
            [("manager", "Support manager"), ("director", "Senior director of support"),
             ("vp", "VP of Customer Success")],
        )  # fmt: skip
        grid = QGridLayout()
        grid.addWidget(self.request, 0, 0)
        grid.addWidget(self.people, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        return grid

    def _build_timeline(self) -> QGroupBox:
        box = QGroupBox("Timeline")
        self.timeline = QTableView()
        self.timeline.setAccessibleName("Timeline")
        configure_table(self.timeline)
        self.timeline.setModel(self.timeline_model)
        fit_rows_to_text(self.timeline)
        self.timeline.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        for column, width in enumerate((170, 120, 110)):
            self.timeline.setColumnWidth(column, width)
        layout = QVBoxLayout(box)
        layout.addWidget(self.timeline)
        return box

    # -- loading ------------------------------------------------------------------------------------------

    @property
    def escalation_id(self) -> int | None:
        """The escalation shown, or last asked for."""
        return self.record_id

    def show_escalation(self, esc_id: int) -> bool:
        return self.show_record(esc_id)

    def shown_version(self) -> int | None:
        return self.detail.row.version if self.detail is not None else None

    def reload(self) -> bool:
        """Read the escalation again; False (with a message) when it no longer exists."""
        if self.escalation_id is None:
            return False
        try:
            detail = escalation_detail(self.escalation_id, self.ctx.now())
        except DomainError as exc:
            self.detail = None
            self.title.setText("Escalation not found")
            self.subtitle.setText(str(exc))
            for button in (self.advance_button, self.decline_button, self.note_button, self.vp_button):
                button.setEnabled(False)
            self.email_button.setEnabled(False)
            return False
        self.detail = detail
        self._show(detail)
        return True

    def _show(self, detail: EscalationDetail) -> None:
        row = detail.row
        self.title.setText(f"Escalation #{row.id} — {row.customer}")
        opened = local_time(row.opened_at)
        closed = f" · closed {local_time(row.closed_at)}" if row.closed_at else ""
        self.subtitle.setText(
            f"Ticket {row.ticket_number} · {row.severity.label} · opened {opened}{closed} · "
            f"open {business_days(row.age_business_days)}"
        )
        self._show_state(detail)
        self._show_request(detail)
        self._show_people(detail)
        self.timeline_model.set_rows(detail.timeline)  # its rows re-fit to their text once laid out
        self.timeline.scrollToBottom()
        self._update_actions(detail)

    def _show_state(self, detail: EscalationDetail) -> None:
        state = detail.row.state
        tone = STATE_TONES.get(state)
        self.state_badge.setText(state.label)
        set_tone_style(self.state_badge, tone, TONE_BANNER, plain=BADGE)
        if state is EscalationState.DECLINED:
            reached = max((ORDER.index(e.state) for e in detail.timeline if e.state in ORDER), default=0)
            self.steps.set_current(reached, stopped=f"Declined at {ORDER[reached].label.lower()}")
        else:
            self.steps.set_current(ORDER.index(state))
        self.banner.setVisible(state is EscalationState.DECLINED)
        self.banner.setText(f"Declined: {detail.decline_reason}")
        set_tone_style(self.banner, Tone.ERROR, TONE_BANNER)
        owed = vp_banner_text(detail)
        self.vp_banner.setText(owed)
        self.vp_banner.setAccessibleName(owed)
        self.vp_banner.setVisible(bool(owed))

    def _show_request(self, detail: EscalationDetail) -> None:
        data = detail.input
        who = "The customer" if data.requested_by == "customer" else "The TAM"
        self.request.set("requested_by", f"{who} ({data.requester_name})" if data.requester_name else who)
        self.request.set("reason", data.reason)
        self.request.set("impact", data.business_impact)
        self.request.set("outcome", data.desired_outcome)
        self.request.set("decline", detail.decline_reason)
        self.request.show_row("decline", bool(detail.decline_reason))

    def _show_people(self, detail: EscalationDetail) -> None:
        row = detail.row
        self.people.set("manager", row.support_manager or "No support manager in the directory (Settings)")
        self.people.set("director", row.senior_director or "No senior director in the directory (Settings)")
        text, tone = vp_text(detail)
        self.people.set("vp", text, tone)

    def _update_actions(self, detail: EscalationDetail) -> None:
        state = detail.row.state
        is_open = state.is_open
        following = ORDER[ORDER.index(state) + 1] if is_open else None
        self.advance_button.setText(f"&Advance to {following.label}…" if following else "&Advance…")
        self.advance_button.setEnabled(is_open)
        self.decline_button.setEnabled(is_open)
        self.note_button.setEnabled(True)
        self.vp_button.setEnabled(not detail.row.vp_apprised)
        self.vp_button.setToolTip(
            "Already apprised"
            if detail.row.vp_apprised
            else "The VP of Customer Success is to be apprised now: record it"
            if detail.row.vp.owed
            else "Apprise the VP now"
        )
        self.email_button.setEnabled(True)
        owner = detail.row.next_owner[:1].upper() + detail.row.next_owner[1:]
        self.next_step.setText(f"Next: <b>{owner}</b> to {detail.row.next_step}." if is_open else "")

    # -- actions ------------------------------------------------------------------------------------------

    def advance(self) -> None:
        if self.detail is not None and self.detail.row.state.is_open:
            self._after(AdvanceDialog(self.ctx, self.detail, self))

    def decline(self) -> None:
        detail = self.detail
        if detail is None or not detail.row.state.is_open:
            return
        row = detail.row

        def submit(text: str, confirm: bool) -> None:
            decline_undoably(self.ctx, row.id, row.version, text)

        self._after(
            TextDialog(
                f"Decline escalation #{row.id}",
                "Declining closes the escalation. The reason is kept on its timeline and in the escalation email.",
                "&Reason:", "decline_reason", submit, "Decline", "Working as designed; handled as a normal ticket",
                self,
            )
        )  # fmt: skip

    def add_note(self) -> None:
        if self.detail is None:
            return
        esc_id = self.detail.row.id
        self._after(
            TextDialog(
                f"Note on escalation #{esc_id}", "The note is a dated entry on the timeline.", "&Note:", "note",
                lambda text, _: add_note(self.ctx, esc_id, text), "Add note", "Customer confirms the workaround",
                self,
            )
        )  # fmt: skip

    def apprise_vp(self) -> None:
        detail = self.detail
        if detail is None or detail.row.vp_apprised:
            return
        row = detail.row
        self._after(
            TextDialog(
                f"Apprise the VP — escalation #{row.id}",
                "Mark the VP of Customer Success apprised of this escalation. Note what they should know or "
                "what they advised.",
                "Advisory &note:", "vp_note",
                lambda text, _: apprise_vp(self.ctx, row.id, row.version, text), "Apprise VP", "",
                self,
            )
        )  # fmt: skip

    def draft_email(self) -> None:
        if self.escalation_id is None:
            return
        try:
            draft = draft_email(self.escalation_id, self.ctx.now())
        except DomainError as exc:
            QMessageBox.warning(self, "Escalation email", str(exc))
            return
        dialog = EmailDraftDialog(draft, self)
        escalation_id = self.escalation_id

        def sent(message: str) -> None:
            dialog.send_button.setEnabled(True)
            dialog.status.setText(message)
            if message.startswith("Escalation emailed"):
                self.changed.emit(escalation_id)

        def send() -> None:
            dialog.send_button.setEnabled(False)
            dialog.status.setText("Sending…")
            send_escalation_email(dialog, self.ctx, escalation_id, self._mail_runner, sent)

        dialog.send_button.clicked.connect(send)
        dialog.send_button.setVisible(bool(draft.to))
        dialog.exec()


class EscalationDetailDialog(RecordDetailDialog):
    """The detail view in its own window, for the Escalations tabs of a customer or a ticket."""

    def __init__(self, ctx: Context, esc_id: int, parent: QWidget | None = None) -> None:
        super().__init__(EscalationDetailView(ctx, show_back=False), f"Escalation #{esc_id}", parent)
        self.resize(1000, 720)
        self.view.show_record(esc_id)

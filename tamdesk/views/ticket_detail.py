"""One ticket in full: both SLA clocks explained in words, the timeline, and what happened recorded or corrected.

Every event carries a time the TAM can edit, because tickets are often logged after the fact; the SLA shown is
always recomputed from the events by the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.exemptions import ExemptClock, Exemption
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.typed_time import has_seconds, whole_minute
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.contracts import outside_entitlement
from tamdesk.services.ticket_undo import record_event
from tamdesk.services.tickets import (
    EventRow,
    SeverityChangeRow,
    TicketDetail,
    add_event,
    delete_event,
    edit_event,
    ticket_detail,
)
from tamdesk.views import sla_format
from tamdesk.views.changes import ticket_changes
from tamdesk.views.datetime_field import STORED_WITH_SECONDS, DateTimeField
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.ticket_actions import TicketActions, TicketTarget, push_recorded_event
from tamdesk.views.ticket_dialog import TicketDialog
from tamdesk.views.ticket_sla_dialogs import ExcuseDialog, SeverityDialog
from tamdesk.views.undo import add_undo_actions, push_done, undo_stack
from tamdesk.views.widgets import FieldMessage, Tone, configure_table, remember_header, set_tone_style


@dataclass(frozen=True)
class RecordAction:
    """A button that appends an event: what it records and the note it suggests."""

    key: str
    label: str
    kind: TicketEventKind
    note: str
    tooltip: str
    undo_text: str  # what Edit › Undo names, with the ticket's {number}


RECORD_ACTIONS = (
    RecordAction("response", "&Response", TicketEventKind.RESPONSE, "",
                 "Support replied to the customer: stops the first-response clock, then resets the update clock.",
                 "Record response on {number}"),
    RecordAction("update", "Customer &update", TicketEventKind.RESPONSE, "Customer update",
                 "A scheduled update to the customer: resets the update clock.", "Record customer update on {number}"),
    RecordAction("waiting", "&Waiting on customer", TicketEventKind.WAITING_ON_CUSTOMER, "",
                 "The ball is in the customer's court: the update clock pauses (the first-response clock never does).",
                 "Mark {number} waiting on customer"),
    RecordAction("replied", "Customer re&plied", TicketEventKind.CUSTOMER_REPLIED, "",
                 "The customer answered: the update clock runs again.", "Record customer reply on {number}"),
    RecordAction("solved", "&Solved", TicketEventKind.SOLVED, "", "The ticket is solved: the update clock stops.",
                 "Mark {number} solved"),
    RecordAction("reopened", "Re&opened", TicketEventKind.REOPENED, "",
                 "The ticket is open again: the update clock restarts.", "Reopen {number}"),
)  # fmt: skip


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline: the opening of the ticket, or one of its events."""

    at: datetime
    what: str
    note: str
    author: str
    event: EventRow | None = None
    severity_change: SeverityChangeRow | None = None


def timeline(detail: TicketDetail) -> list[TimelineEntry]:
    """The ticket's life in order, starting with its opening (at the severity it was opened with); a severity
    change comes after the events of its instant, as the SLA applies it."""
    changes = detail.severity_changes
    opening = changes[0].before if changes else detail.input.severity
    opened = TimelineEntry(detail.input.opened_at, "Opened", opening.label, "")
    events = [
        TimelineEntry(e.at, e.kind.label, e.note, e.author.replace("import:", "imported from "), e)
        for e in detail.events
    ]
    changed = [
        TimelineEntry(c.at, "Severity changed", f"{c.before.label} → {c.after.label}", c.author, severity_change=c)
        for c in changes
    ]
    return [opened, *sorted([*events, *changed], key=lambda entry: (entry.at, entry.severity_change is not None))]


def excuse_text(exemption: Exemption) -> str:
    """``✓ Excused: <reason> (Tess Tam, Tue 10 Mar 15:30)``."""
    when = f", {local_time(exemption.excused_at)}" if exemption.excused_at else ""
    return f"✓ Excused: {exemption.reason} ({exemption.author}{when})"


SECONDS_EXPLAINED = (
    "Times showing seconds were stored with them (imported or entered before whole minutes). The SLA counts them "
    "as stored, so a deadline counted from one falls on its seconds too."
)


def _seconds_tip(entry: TimelineEntry) -> str:
    return STORED_WITH_SECONDS if has_seconds(entry.at) else ""


def timeline_columns(zone: str) -> list[Column[TimelineEntry]]:
    return [
        Column[TimelineEntry](
            "When (your time)", lambda e: local_time(e.at, seconds=True), tooltip=_seconds_tip, width=180
        ),
        Column[TimelineEntry](
            "At the customer", lambda e: sla_format.at_customer(e.at, zone), tooltip=_seconds_tip, width=170
        ),
        Column[TimelineEntry]("What", lambda e: e.what, width=160),
        Column[TimelineEntry](
            "Note", lambda e: e.note, tooltip=lambda e: e.note, width=330, stretch=True, min_width=160
        ),
        Column[TimelineEntry]("By", lambda e: e.author),
    ]


def _bold(text: str = "", scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def _wrapping(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class TicketDetailDialog(QDialog):
    """A ticket's SLA position explained, its timeline, and buttons to record or correct what happened."""

    def __init__(self, ctx: Context, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ticket_id = ticket_id
        self.detail: TicketDetail | None = None
        self.changed = False
        self.setWindowTitle("Ticket")
        self.setMinimumSize(860, 640)
        self.model = RowTableModel[TimelineEntry](timeline_columns("UTC"), self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_sla())
        layout.addWidget(self._build_timeline(), 1)
        layout.addWidget(self._build_record())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Enter in a field (the note, the time) presses no button: in a dialog it would press the first one
        # (Edit ticket…, Change severity…) or the focused one (Solved, after Waiting on customer passed it on)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        # Ctrl+Z / Ctrl+Shift+Z here (the window is modal: the main window's Edit menu does not reach it)
        self.undo_action, self.redo_action = add_undo_actions(self)
        undo_stack().indexChanged.connect(self._undo_moved)

    @Slot(int)
    def _undo_moved(self, _index: int) -> None:
        """An undo or redo (here or anywhere) may have changed this ticket: show it as it is now."""
        if self.isVisible():
            self.changed = True
            self.load()

    # -- construction -------------------------------------------------------------------------------------

    def _build_header(self) -> QHBoxLayout:
        self.heading = _bold(scale=1.4)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = _wrapping()
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.heading)
        titles.addWidget(self.subtitle)
        self.entitlement = _wrapping()  # "Outside the entitlement: …" when the contract says so
        self.entitlement.setAccessibleName("Entitlement")
        self.entitlement.setVisible(False)
        titles.addWidget(self.entitlement)
        self.edit_button = QPushButton("&Edit ticket…")
        self.edit_button.setToolTip("Change the ticket's fields and status; Ctrl+Z takes a saved edit back.")
        self.edit_button.clicked.connect(self.edit_ticket)
        self.severity_button = QPushButton("Change se&verity…")
        self.severity_button.setToolTip("Raise or lower the severity as of a time; the SLA applies it from then on")
        self.severity_button.clicked.connect(self.change_severity)
        edits = QHBoxLayout()
        edits.addStretch(1)
        edits.addWidget(self.severity_button)
        edits.addWidget(self.edit_button)
        buttons = QVBoxLayout()
        buttons.addLayout(edits)
        buttons.addLayout(self._build_actions())
        buttons.addStretch(1)
        header = QHBoxLayout()
        header.addLayout(titles, 1)
        header.addLayout(buttons)
        return header

    def _build_actions(self) -> QHBoxLayout:
        """Escalate…, Report defect…, Copy number and Open in support system, as buttons and shortcuts (the Response
        button below records a response at the chosen time, so the list's Record response is not repeated here)."""
        self.actions = TicketActions(self.ctx, self, self._target, Qt.ShortcutContext.WindowShortcut)
        self.actions.acted.connect(lambda _: self._acted())
        self.removeAction(self.actions.record_response)
        row = QHBoxLayout()
        row.addStretch(1)
        self.action_buttons: dict[str, QToolButton] = {}
        for action in (self.actions.escalate, self.actions.report_defect, self.actions.copy_number,
                       self.actions.open_in_source):  # fmt: skip
            button = QToolButton()
            button.setDefaultAction(action)  # its text without the mnemonic, which Edit and Delete hold here
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.action_buttons[button.text()] = button
            row.addWidget(button)
        return row

    def _target(self) -> TicketTarget | None:
        detail = self.detail
        if detail is None:
            return None
        return TicketTarget(detail.id, detail.input.number, detail.input.customer_id, detail.input.status)

    def _acted(self) -> None:
        self.changed = True
        self.load()

    def _build_sla(self) -> QGroupBox:
        box = QGroupBox("SLA")
        self.sla_state = _bold(scale=1.2)
        self.sla_state.setAccessibleName("SLA state")
        self.first_response = _wrapping()
        self.first_response_state = _wrapping()
        self.updates = _wrapping()
        self.updates_state = _wrapping()
        self.policy = _wrapping()
        self.policy.setStyleSheet("color: palette(placeholder-text);")
        self.seconds_note = _wrapping(SECONDS_EXPLAINED)
        self.seconds_note.setStyleSheet("color: palette(placeholder-text);")
        self.severity_story = _wrapping()
        self.severity_story.setAccessibleName("Severity history")
        self.first_response_excuse = _wrapping()
        self.first_response_excuse.setAccessibleName("First response excuse")
        self.updates_excuse = _wrapping()
        self.updates_excuse.setAccessibleName("Customer update excuses")
        self.excuse_first_button = QPushButton("E&xcuse…")
        self.excuse_first_button.setToolTip("Excuse the first-response breach with a reason (the customer's outage…)")
        self.excuse_first_button.clicked.connect(lambda: self.excuse(ExemptClock.FIRST_RESPONSE))
        self.excuse_update_button = QPushButton("Excuse an &update…")
        self.excuse_update_button.setToolTip("Excuse a missed customer update with a reason")
        self.excuse_update_button.clicked.connect(lambda: self.excuse(ExemptClock.UPDATE))
        grid = QGridLayout(box)
        grid.addWidget(self.sla_state, 0, 0, 1, 3)
        grid.addWidget(_bold("Severity"), 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.severity_story, 1, 1, 1, 2)
        grid.addWidget(_bold("First response"), 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.first_response, 2, 1, 1, 2)
        grid.addWidget(self.first_response_state, 3, 1)
        grid.addWidget(self.excuse_first_button, 3, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.first_response_excuse, 4, 1, 1, 2)
        grid.addWidget(_bold("Customer updates"), 5, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.updates, 5, 1, 1, 2)
        grid.addWidget(self.updates_state, 6, 1)
        grid.addWidget(self.excuse_update_button, 6, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.updates_excuse, 7, 1, 1, 2)
        grid.addWidget(self.policy, 8, 0, 1, 3)
        grid.addWidget(self.seconds_note, 9, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        return box

    def _build_timeline(self) -> QGroupBox:
        box = QGroupBox("Timeline")
        self.table = QTableView()
        self.table.setAccessibleName("Timeline")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        remember_header(self.table, "ticket_timeline")
        self.table.doubleClicked.connect(lambda _: self.edit_selected_event())
        self.table.selectionModel().selectionChanged.connect(self._update_event_buttons)
        self.edit_event_button = QPushButton("Correct &time or note…")
        self.edit_event_button.clicked.connect(self.edit_selected_event)
        self.delete_event_button = QPushButton("&Delete event…")
        self.delete_event_button.clicked.connect(self.delete_selected_event)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.edit_event_button)
        buttons.addWidget(self.delete_event_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        return box

    def _build_record(self) -> QGroupBox:
        box = QGroupBox("Record what happened")
        self.record_at = DateTimeField(self.ctx.now, "Happened at")
        self.record_at.set_value(self.ctx.now())
        self.record_at.setToolTip("Correct it when you log something after the fact")
        self.now_button = QPushButton("No&w")
        self.now_button.setToolTip("Set the time to now")
        self.now_button.clicked.connect(lambda: self.record_at.set_value(self.ctx.now()))
        self.record_note = QLineEdit()
        self.record_note.setPlaceholderText("Note (optional), e.g. what was sent to the customer")
        self.record_note.setAccessibleName("Note")
        self.record_message = FieldMessage()
        self.record_at.changed.connect(self.record_message.clear)
        when = QHBoxLayout()
        when.addWidget(QLabel("At"), 0, Qt.AlignmentFlag.AlignTop)
        when.addWidget(self.record_at, 3)
        when.addWidget(self.now_button, 0, Qt.AlignmentFlag.AlignTop)
        when.addSpacing(12)
        when.addWidget(self.record_note, 2, Qt.AlignmentFlag.AlignTop)
        self.record_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for action in RECORD_ACTIONS:
            button = QPushButton(action.label)
            button.setToolTip(f"{action.tooltip} Ctrl+Z takes it back.")
            button.clicked.connect(lambda _=False, a=action: self.record(a))
            self.record_buttons[action.key] = button
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(when)
        layout.addWidget(self.record_message)
        layout.addLayout(actions)
        return box

    # -- showing ------------------------------------------------------------------------------------------

    def load(self) -> bool:
        """Read the ticket again (after any change); False, with a message, when it cannot be read."""
        try:
            detail = ticket_detail(self.ticket_id, self.ctx.now())
        except DomainError as exc:
            QMessageBox.warning(self, "Ticket", str(exc))
            return False
        self.detail = detail
        self._show(detail)
        return True

    def _show(self, detail: TicketDetail) -> None:
        data = detail.input
        self.setWindowTitle(f"Ticket {data.number} · {detail.customer}")
        self.heading.setText(f"Ticket {data.number}: {data.subject or '(no subject)'}")
        parts = [detail.customer, data.severity.label, data.status.label]
        parts.append(f"reporter {detail.reporter}" if detail.reporter else "reporter not recorded")
        parts.append(f"engineer {data.engineer}" if data.engineer else "no engineer assigned")
        if detail.open_escalation_id:
            parts.append("escalated")
        if detail.defect_ids:
            parts.append(f"{len(detail.defect_ids)} defect{'s' if len(detail.defect_ids) != 1 else ''}")
        self.subtitle.setText(" · ".join(parts))
        self.subtitle.setToolTip(data.notes)
        outside = outside_entitlement(detail.id)
        self.entitlement.setText(f"⚠ Outside the entitlement: {outside}." if outside else "")
        self.entitlement.setToolTip("The customer's contract (its Contract tab) sets the entitlement's dates")
        set_tone_style(self.entitlement, Tone.WARNING)
        self.entitlement.setVisible(bool(outside))
        self._show_sla(detail)
        self.model.columns = timeline_columns(detail.customer_zone)
        entries = timeline(detail)
        self.model.set_rows(entries)
        self.seconds_note.setVisible(any(has_seconds(entry.at) for entry in entries))
        self.record_at.set_customer_zone(detail.customer_zone)
        self._update_record_buttons(detail)
        self._update_event_buttons()
        self.actions.refresh()

    def _show_sla(self, detail: TicketDetail) -> None:
        now = self.ctx.now()
        shown_now = whole_minute(now)  # the clock's seconds mean nothing here; a stored time's do
        sla = detail.sla
        text = sla_format.describe(sla, now)
        self.sla_state.setText(f"{text.text}  ({text.state.label})" if text.state.needs_attention else text.text)
        tone = sla_format.state_tone(text.state)
        set_tone_style(self.sla_state, tone if tone is not Tone.OK else None)  # as sla_format.foreground colours it
        self.first_response.setText(detail.first_response_explained)
        self.first_response_state.setText(sla_format.first_response_line(sla, detail.customer_zone))
        self._tone(self.first_response_state, sla.first_response_state)
        self.updates.setText(detail.update_explained or "—")
        missed = sla.missed_updates
        state_line = f"State: {sla.update_state.label}"
        if missed:
            state_line += f" · ✖ {missed} update{'s' if missed != 1 else ''} missed so far"
        if sla.time_to_resolve is not None and sla.resolved_at is not None:
            took = sla_format.short_duration(sla.time_to_resolve)
            state_line += (
                f" · solved {sla_format.at_customer(sla.resolved_at, detail.customer_zone)}, {took} after it was opened"
            )
        self.updates_state.setText(state_line)
        self._tone(self.updates_state, SlaState.MISSED if missed else sla.update_state)
        self._show_severity_and_excuses(detail)
        here = sla_format.at_customer(shown_now, detail.customer_zone)
        self.policy.setText(
            f"SLA policy applied: {detail.policy_label} · customer's time zone {detail.customer_zone} "
            f"(now {here} there) · evaluated {local_time(shown_now)} your time"
        )

    def _show_severity_and_excuses(self, detail: TicketDetail) -> None:
        """How the severity went, and each excused breach with its reason; Excuse… where a breach is not excused."""
        self.severity_story.setText(detail.severity_story or f"{detail.input.severity.label} since it was opened")
        first = detail.first_response_exemption
        self.first_response_excuse.setText(excuse_text(first) if first else "")
        self.first_response_excuse.setVisible(first is not None)
        self.excuse_first_button.setVisible(detail.first_response_breached and first is None)
        zone = detail.customer_zone
        lines = [
            f"Update due {sla_format.at_customer(m.deadline, zone)}: {excuse_text(m.exemption)}"
            for m in detail.missed_updates
            if m.exemption is not None
        ]
        lines += [f"No longer a breach, so it excuses nothing: {excuse_text(e)}" for e in detail.stale_exemptions]
        self.updates_excuse.setText("\n".join(lines))
        self.updates_excuse.setVisible(bool(lines))
        self.excuse_update_button.setVisible(any(m.exemption is None for m in detail.missed_updates))

    @staticmethod
    def _tone(label: QLabel, state: SlaState) -> None:
        set_tone_style(label, sla_format.state_tone(state))

    def _update_record_buttons(self, detail: TicketDetail) -> None:
        status = detail.input.status
        closed = status in (TicketStatus.SOLVED, TicketStatus.CLOSED)
        waiting = detail.sla.paused or status is TicketStatus.WAITING_ON_CUSTOMER
        enabled = {
            "response": not closed,
            "update": not closed and detail.sla.first_response_at is not None,
            "waiting": not closed and not waiting,
            "replied": not closed and waiting,
            "solved": not closed,
            "reopened": closed,
        }
        for key, button in self.record_buttons.items():
            button.setEnabled(enabled[key])

    def selected_entry(self) -> TimelineEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_event_buttons(self, *_: object) -> None:
        entry = self.selected_entry()
        has_event = entry is not None and entry.event is not None
        self.edit_event_button.setEnabled(has_event)
        self.delete_event_button.setEnabled(has_event)
        opening = entry is not None and entry.event is None and entry.severity_change is None
        self.edit_event_button.setToolTip("Change the opening time with Edit ticket" if opening else "")

    # -- changing -----------------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.changed = True
        ticket_changes().changed.emit(self.ticket_id)
        self.load()

    def record(self, action: RecordAction) -> None:
        """Append the event at the chosen time; a bad time is explained beside the time field."""
        self.record_message.clear()
        at = self.record_at.value()
        if at is None:  # the field says why; nothing is recorded until it names a time
            self.record_at.setFocus()
            return
        note = self.record_note.text().strip() or action.note
        try:
            recorded = record_event(self.ctx, self.ticket_id, action.kind, at, note)
        except ValidationFailed as exc:
            self.record_message.set_error(" ".join(exc.errors.values()))
            return
        except DomainError as exc:
            self.record_message.set_error(str(exc))
            return
        number = self.detail.input.number if self.detail else ""
        push_recorded_event(self.ctx, recorded, action.kind, at, note, action.undo_text.format(number=number))
        self.record_note.clear()
        self.record_at.set_value(self.ctx.now())  # the next thing usually happens "now"
        self._changed()
        # the button just clicked may now be disabled: Qt would pass the focus to the next enabled one (Solved
        # after Waiting on customer); the note field is where the next event starts
        self.record_note.setFocus()

    def edit_selected_event(self) -> None:
        entry = self.selected_entry()
        if entry is None or entry.event is None or self.detail is None:
            return
        event, number = entry.event, self.detail.input.number
        dialog = EventDialog(self.ctx, event, self.detail.customer_zone, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved is None:
            return
        ctx, ticket_id, version = self.ctx, self.ticket_id, [event.version + 1]

        def put(at: datetime, note: str) -> None:
            edit_event(ctx, event.id, version[0], at, note)  # refused when corrected by someone else since
            version[0] += 1
            ticket_changes().changed.emit(ticket_id)

        before, after = (event.at, event.note), dialog.saved
        push_done(f"Correct {event.kind.label.lower()} on {number}", undo=lambda: put(*before),
                  redo=lambda: put(*after))  # fmt: skip
        self._changed()

    def delete_selected_event(self) -> None:
        entry = self.selected_entry()
        if entry is None or entry.event is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete event",
            f"Delete “{entry.what}” at {local_time(entry.at)}?\n\nThe SLA is recomputed without it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        event, ticket_id, ctx = entry.event, self.ticket_id, self.ctx
        try:
            delete_event(ctx, event.id, event.version)
        except DomainError as exc:
            QMessageBox.warning(self, "Delete event", str(exc))
        else:
            restored: list[int] = []  # the id the event gets back when undone (a new record)

            def undo() -> None:
                restored[:] = [add_event(ctx, ticket_id, event.kind, event.at, event.note)]

            push_done(f"Delete {entry.what.lower()} at {local_time(entry.at)}", undo=undo,
                      redo=lambda: delete_event(ctx, restored[0], 1))  # fmt: skip
        self._changed()

    def change_severity(self) -> None:
        """Ask for the new severity and when it changed; the change is saved, audited and undoable."""
        if self.detail is None:
            return
        if SeverityDialog(self.ctx, self.detail, self).exec() == QDialog.DialogCode.Accepted:
            self._changed()

    def excuse(self, clock: ExemptClock) -> None:
        """Ask for the reason a breach of ``clock`` is excused; saved, audited and undoable."""
        if self.detail is None:
            return
        if ExcuseDialog(self.ctx, self.detail, clock, self).exec() == QDialog.DialogCode.Accepted:
            self._changed()

    def edit_ticket(self) -> None:
        if self.detail is None:
            return
        dialog = TicketDialog(self.ctx, self.detail, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed = True
            self.load()


class EventDialog(QDialog):
    """Correct when an event happened, or its note; the kind stays (delete and record anew to change it)."""

    def __init__(self, ctx: Context, event: EventRow, zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ticket_event = event  # not ``self.event``: that would hide QObject.event() from Qt
        self.saved: tuple[datetime, str] | None = None  # the time and note saved
        self.setWindowTitle(f"Correct “{event.kind.label}”")
        self.at = DateTimeField(ctx.now, "Happened at")
        self.at.set_customer_zone(zone)
        self.at.show_stored(event.at)
        self.at_message = FieldMessage()
        self.note = QLineEdit(event.note)
        self.note.setAccessibleName("Note")
        self.general = FieldMessage()
        self.at.changed.connect(self.at_message.clear)
        at_box = QVBoxLayout()
        at_box.addWidget(self.at)
        at_box.addWidget(self.at_message)
        form = QFormLayout()
        for caption, buddy, field in (("Happened &at", self.at.edit, at_box), ("&Note", self.note, self.note)):
            label = QLabel(caption)
            label.setBuddy(buddy)  # the shortcut focuses the field (and the & is not shown)
            form.addRow(label, field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(buttons)

    def save(self) -> None:
        at = self.at.value()
        if at is None:  # the field says why; nothing is saved until it names a time
            self.at.setFocus()
            return
        note = self.note.text().strip()
        try:
            edit_event(self.ctx, self.ticket_event.id, self.ticket_event.version, at, note)
        except ValidationFailed as exc:
            self.at_message.set_error(exc.errors.get("at", " ".join(exc.errors.values())))
            return
        except StaleEdit as exc:
            self.general.set_error(f"{exc} Close this window and open the event again.")
            return
        except DomainError as exc:
            self.general.set_error(str(exc))
            return
        self.saved = (at, note)
        self.accept()

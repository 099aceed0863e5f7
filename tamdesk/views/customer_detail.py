"""One customer in full: Overview, Onboarding, Portal seats, Tickets, Escalations, Defects and History tabs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPaintEvent, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.onboarding import OnboardingState
from tamdesk.domain.states import SeatStatus
from tamdesk.reports.access_form import export_access_form
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.seats import export_seat_roster
from tamdesk.services.access_form import AccessFormResult, mark_access_form_sent
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import CustomerDetail, get_customer
from tamdesk.services.history import AuditRow, CustomerActivity, customer_activity, list_audit
from tamdesk.services.onboarding import (
    AUTOMATIC,
    Checklist,
    StepRow,
    checklist,
    set_step_done,
    set_step_due,
    start_onboarding,
)
from tamdesk.services.seats import (
    SeatOverview,
    SeatRow,
    confirm_welcome,
    current_seat_version,
    grant_seat,
    revoke_seat,
    seat_overview,
    undo_revoke,
)
from tamdesk.views.access_form_dialog import import_returned_form
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState
from tamdesk.views.pages.defects import DefectsTab
from tamdesk.views.pages.escalations import EscalationsTab
from tamdesk.views.pages.tickets import CustomerTicketsTab
from tamdesk.views.seat_dialog import RevokeSeatDialog, SeatDialog
from tamdesk.views.table_model import Column, RowTableModel, local_date, local_time
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import (
    TONE_BANNER,
    TONE_BOLD,
    Tone,
    ask_date,
    ask_save_path,
    configure_table,
    country_name,
    remember_header,
    run_with_progress,
    safe_file_name,
    set_empty_text,
    set_tone_style,
    show_failure,
    today,
    tone_background,
    tone_color,
)

Index = QModelIndex | QPersistentModelIndex

STATE_TONES = {OnboardingState.OVERDUE: Tone.ERROR, OnboardingState.COMPLETE: Tone.OK}


def state_text(state: OnboardingState) -> str:
    """The onboarding state as a user reads it; overdue carries a sign besides its colour."""
    return f"⚠ {state.label}" if state is OnboardingState.OVERDUE else state.label


def _heading(text: str, scale: float = 1.6) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


# -- Overview ---------------------------------------------------------------------------------------------------


class OverviewTab(QWidget):
    """The customer's fields and where onboarding and seats stand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("tam", "TAM"),
            ("time_zone", "Time zone"),
            ("country", "Holiday calendar"),
            ("email_domains", "Email domains"),
            ("sla_policy", "SLA policy"),
            ("seats", "Portal seats"),
            ("onboarding", "Onboarding"),
            ("access_form", "Access form"),
            ("created", "Customer since"),
            ("notes", "Notes"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            self.form.addRow(f"{label}:", value)

    def show_customer(self, detail: CustomerDetail, steps: Checklist, seats_used: int, now: datetime) -> None:
        data = detail.input
        shown = {
            "tam": data.tam or "No TAM assigned",
            "time_zone": _zone_text(data.time_zone, now),
            "country": f"{country_name(data.country)} ({data.country})" if data.country else "None",
            "email_domains": ", ".join(map(_domain_text, detail.email_domains))
            or "None on record (no domain warnings for seats)",
            "sla_policy": data.sla_policy,
            "seats": f"{seats_used} of {data.seat_allowance} used",
            "onboarding": f"{state_text(steps.state)} — {steps.done} of {steps.total} steps done"
            + (f", started {local_date(steps.started)}" if steps.started else ""),
            "access_form": _form_text(detail),
            "created": local_time(detail.created_at),
            "notes": data.notes or "—",
        }
        for key, text in shown.items():
            self.values[key].setText(text)
        tone = STATE_TONES.get(steps.state)
        set_tone_style(self.values["onboarding"], tone)


def _form_text(detail: CustomerDetail) -> str:
    """``Sent 09 Feb 2026, returned 12 Feb 2026`` or ``Not sent yet``."""
    sent = f"Sent {_short(detail.access_form_sent_at)}" if detail.access_form_sent_at else "Not sent yet"
    back = f", returned {_short(detail.access_form_returned_at)}" if detail.access_form_returned_at else ""
    return f"{sent}{back}"


def _short(moment: datetime | None) -> str:
    """A UTC moment as the user's local calendar date: ``09 Feb 2026``."""
    return local_date(moment.astimezone().date()) if moment else ""


def _domain_text(domain: str) -> str:
    """``xn--mller-kva.de`` as the customer writes it: ``müller.de``."""
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain


def _zone_text(zone: str, now: datetime) -> str:
    """``Europe/Berlin (15:30 there now)``."""
    try:
        there = now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return zone
    return f"{zone} ({there:%a %H:%M} there now)"


# -- Onboarding -------------------------------------------------------------------------------------------------


def _status_text(step: StepRow, on: date) -> str:
    if step.done:
        return "Completed itself" if step.done_by == AUTOMATIC else "Done"
    if step.overdue and step.due_date is not None:
        days = (on - step.due_date).days
        return f"Overdue by {days} day{'s' if days != 1 else ''}"
    if step.auto_rule is not None:
        return step.auto_rule.explanation
    return "Open"


class ChecklistModel(RowTableModel[StepRow]):
    """The checklist grid: a tick box per step the TAM ticks by hand; due date and note edit in place.

    Edits are not applied to the rows: ``step_edited`` asks the view to save them, which then reloads.
    """

    step_edited = Signal(object, str, object)  # step, "done" | "due_date" | "note", value

    DONE, STEP, DUE, STATUS, BY, AT, NOTE = range(7)

    def __init__(self, today_: Callable[[], date], parent: Any = None) -> None:
        self._today = today_
        overdue_bg: Callable[[StepRow], Any] = lambda s: tone_background(Tone.ERROR) if s.overdue else None  # noqa: E731
        super().__init__(
            [
                Column[StepRow]("Done", lambda s: "", tooltip=self._done_tip, background=overdue_bg),
                Column[StepRow]("Step", lambda s: f"{s.position}. {s.title}", tooltip=lambda s: s.description,
                                background=overdue_bg),
                Column[StepRow]("Due", lambda s: local_date(s.due_date), background=overdue_bg,
                                tooltip=lambda s: "Double-click to change the due date"),
                Column[StepRow]("Status", lambda s: _status_text(s, self._today()), background=overdue_bg,
                                foreground=self._status_colour),
                Column[StepRow]("Done by", lambda s: s.done_by, background=overdue_bg),
                Column[StepRow]("Done at", lambda s: local_time(s.done_at), background=overdue_bg),
                Column[StepRow]("Note", lambda s: s.note, tooltip=lambda s: s.note, background=overdue_bg),
            ],
            parent,
        )  # fmt: skip

    @staticmethod
    def _done_tip(step: StepRow) -> str:
        if step.auto_rule is not None:
            return f"{step.auto_rule.explanation} It cannot be ticked by hand."
        return "Untick to reopen the step" if step.done else "Tick when the step is done"

    @staticmethod
    def _status_colour(step: StepRow) -> Any:
        if step.overdue:
            return tone_color(Tone.ERROR)
        return tone_color(Tone.OK) if step.done else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        step = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.DONE:
            return Qt.CheckState.Checked if step.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return self._status_icon(step)
        if role == Qt.ItemDataRole.EditRole and column == self.DUE:
            return QDate(step.due_date) if step.due_date else QDate.currentDate()
        if role == Qt.ItemDataRole.EditRole and column == self.NOTE:
            return step.note
        return super().data(index, role)

    @staticmethod
    def _status_icon(step: StepRow) -> QIcon | None:
        # made at paint time, so the tone colours are those of the palette shown now
        if step.overdue:
            return icon("warning", tone_color(Tone.ERROR))
        if step.done:
            return icon("ok", tone_color(Tone.OK))
        if step.auto_rule is not None:
            return icon("refresh")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not index.isValid():
            return flags
        step = self.row_at(index.row())
        if index.column() == self.DONE:
            flags &= ~Qt.ItemFlag.ItemIsUserCheckable
            if step.auto_rule is None:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() in (self.DUE, self.NOTE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        step = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.DONE and step.auto_rule is None:
            checked = (
                Qt.CheckState(value) == Qt.CheckState.Checked
                if isinstance(value, int)
                else value == Qt.CheckState.Checked
            )
            self.step_edited.emit(step, "done", checked)
            return True
        if role == Qt.ItemDataRole.EditRole and column == self.DUE and isinstance(value, QDate) and value.isValid():
            self.step_edited.emit(step, "due_date", value.toPython())
            return True
        if role == Qt.ItemDataRole.EditRole and column == self.NOTE:
            self.step_edited.emit(step, "note", str(value or "").strip())
            return True
        return False


class DueDateDelegate(QStyledItemDelegate):
    """Edits a due date with a calendar popup."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QDateEdit(parent)
        editor.setCalendarPopup(True)
        editor.setDisplayFormat("dd MMM yyyy")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QDateEdit)
        editor.setDate(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QDateEdit)
        model.setData(index, editor.date(), Qt.ItemDataRole.EditRole)


class OnboardingTab(QWidget):
    """The checklist: tick boxes, due dates, who and when, notes; overdue steps in red with a warning sign."""

    changed = Signal()
    export_requested = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.checklist: Checklist | None = None
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m steps done")
        self.progress.setAccessibleName("Onboarding progress")
        self.progress.setMinimumWidth(220)
        self.progress.setMaximumWidth(360)
        self.state = QLabel()
        self.started = QLabel()
        self.start_button = QPushButton("Set start date…")
        self.start_button.setToolTip("Moves the due dates of the open steps with the new start")
        self.start_button.clicked.connect(self.choose_start)
        self.export_button = QPushButton("Export checklist…")
        self.export_button.setToolTip("A printable checklist workbook to share with the customer")
        self.export_button.clicked.connect(self.export_requested)
        top = QHBoxLayout()
        for widget in (self.progress, self.state):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.started, self.start_button, self.export_button):
            top.addWidget(widget)
        self.model = ChecklistModel(lambda: today(ctx), self)
        self.model.step_edited.connect(self._save_step)
        self.table = QTableView()
        self.table.setAccessibleName("Onboarding checklist")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ChecklistModel.DUE, DueDateDelegate(self.table))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        remember_header(self.table, "onboarding", widths=(56, 330, 110, 260, 140, 160))
        toggle = QShortcut(QKeySequence(Qt.Key.Key_Space), self.table)
        toggle.setContext(Qt.ShortcutContext.WidgetShortcut)
        toggle.activated.connect(self.toggle_current)
        self.hint = QLabel(
            "Tick a step when it is done (Space on the selected step). Double-click a due date or a note to change it "
            "(F2 on the keyboard). Steps that say “Completes itself when …” are ticked by tamdesk once the data proves "
            "them."
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

    def show_checklist(self, steps: Checklist) -> None:
        self.checklist = steps
        self.model.set_rows(steps.steps)
        self.progress.setMaximum(max(steps.total, 1))
        self.progress.setValue(steps.done)
        self.state.setText(f"  {state_text(steps.state)}")
        tone = STATE_TONES.get(steps.state)
        set_tone_style(self.state, tone, TONE_BOLD)
        self.started.setText(f"Started {local_date(steps.started)}" if steps.started else "Not started")

    def toggle_current(self) -> None:
        """Tick or untick the step of the current row (Space), unless the data completes it."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        step = self.model.row_at(index.row())
        if step.auto_rule is not None:
            QMessageBox.information(self, "Onboarding", f"{step.title}: {step.auto_rule.explanation}")
            return
        self._save_step(step, "done", not step.done)
        self.table.selectRow(index.row())

    def _save_step(self, step: StepRow, what: str, value: object) -> None:
        try:
            if what == "done":
                set_step_done(self.ctx, step.id, step.version, bool(value))
            elif what == "note":
                set_step_done(self.ctx, step.id, step.version, step.done, note=str(value))
            else:
                set_step_due(self.ctx, step.id, step.version, value)  # type: ignore[arg-type]
        except DomainError as exc:
            QMessageBox.warning(self, "Onboarding", str(exc))
        self.changed.emit()

    def choose_start(self) -> None:
        if self.checklist is None:
            return
        chosen = ask_date(self, "Onboarding start", "Onboarding &starts on:", self.checklist.started or today(self.ctx))
        if chosen is None:
            return
        try:
            start_onboarding(self.ctx, self.checklist.customer_id, chosen)
        except DomainError as exc:
            show_failure(self, "Onboarding start", exc)
        self.changed.emit()


# -- Portal seats -----------------------------------------------------------------------------------------------

SEAT_TONES = {SeatStatus.REQUESTED: Tone.WARNING, SeatStatus.GRANTED: Tone.INFO, SeatStatus.ACTIVE: Tone.OK}
SEAT_STATE_TEXT = {
    SeatStatus.REQUESTED: "Requested · awaiting access",
    SeatStatus.GRANTED: "Granted · awaiting welcome",
    SeatStatus.ACTIVE: "Active",
    SeatStatus.REVOKED: "Revoked",
}
SEAT_STATE_TIPS = {
    SeatStatus.REQUESTED: "Portal access is still to be provisioned: Grant once it is.",
    SeatStatus.GRANTED: "Portal access is provisioned; the user has not confirmed the welcome email yet.",
    SeatStatus.ACTIVE: "The user confirmed the welcome email with the portal link.",
    SeatStatus.REVOKED: "The seat was revoked; its slot is free.",
}


class SlotsBar(QWidget):
    """The allowance as a row of slots: filled by the seat holding each, coloured by its state, empty when free."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.allowance = 0
        self.holders: dict[int, SeatStatus] = {}
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def show_slots(self, allowance: int, seats: Sequence[SeatRow]) -> None:
        self.allowance = allowance
        self.holders = {s.seat_no: s.status for s in seats}
        used = len(seats)
        self.setAccessibleName(f"{used} of {allowance} seats used")
        self.setToolTip("\n".join(f"Seat {s.seat_no}: {s.full_name}, {s.status.label.lower()}" for s in seats))
        self.updateGeometry()
        self.update()

    def _slots(self) -> int:
        return max(self.allowance, max(self.holders, default=0))

    def sizeHint(self) -> QSize:
        return QSize(self._slots() * 40, 30)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        for index in range(self._slots()):
            seat_no = index + 1
            rect = QRectF(index * 40 + 1, 1, 34, 26)
            status = self.holders.get(seat_no)
            over = seat_no > self.allowance
            border = tone_color(Tone.ERROR) if over else palette.color(QPalette.ColorRole.Mid)
            painter.setPen(QPen(border, 1.2))
            if status is None:
                painter.setBrush(palette.color(QPalette.ColorRole.Base))
            else:
                tone = SEAT_TONES.get(status)
                fill = tone_background(tone) if tone else palette.color(QPalette.ColorRole.AlternateBase)
                painter.setBrush(fill)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(palette.color(QPalette.ColorRole.Text if status else QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(seat_no))
        painter.end()


def _seat_colour(seat: SeatRow) -> QColor | None:
    tone = SEAT_TONES.get(seat.status)
    return tone_color(tone) if tone else None


def _moment_tip(label: str, moment: Callable[[SeatRow], datetime | None]) -> Callable[[SeatRow], str]:
    return lambda s: f"{label} {local_time(moment(s))}" if moment(s) else ""


def seat_columns() -> list[Column[SeatRow]]:
    """The columns of the held seats grid (dates in short; the tooltip has the time)."""
    return [
        Column[SeatRow]("Seat", lambda s: str(s.seat_no), align_right=True),
        Column[SeatRow]("Full name", lambda s: s.full_name),
        Column[SeatRow]("Email", lambda s: s.email, tooltip=lambda s: s.email),
        Column[SeatRow]("Job title", lambda s: s.job_title, tooltip=lambda s: s.job_title),
        Column[SeatRow]("Phone", lambda s: s.phone),
        Column[SeatRow]("State", lambda s: SEAT_STATE_TEXT[s.status], foreground=_seat_colour,
                        tooltip=lambda s: SEAT_STATE_TIPS[s.status]),
        Column[SeatRow]("Requested", lambda s: _short(s.requested_at),
                        tooltip=_moment_tip("Requested", lambda s: s.requested_at)),
        Column[SeatRow]("Granted", lambda s: _short(s.granted_at),
                        tooltip=_moment_tip("Granted", lambda s: s.granted_at)),
        Column[SeatRow]("Welcome confirmed", lambda s: _short(s.welcome_confirmed_at),
                        tooltip=_moment_tip("Confirmed", lambda s: s.welcome_confirmed_at)),
    ]  # fmt: skip


def revoked_columns() -> list[Column[SeatRow]]:
    """The columns of the revoked seats history."""
    return [
        Column[SeatRow]("Seat", lambda s: str(s.seat_no), align_right=True),
        Column[SeatRow]("Full name", lambda s: s.full_name),
        Column[SeatRow]("Email", lambda s: s.email, tooltip=lambda s: s.email),
        Column[SeatRow]("Requested", lambda s: _short(s.requested_at),
                        tooltip=_moment_tip("Requested", lambda s: s.requested_at)),
        Column[SeatRow]("Revoked", lambda s: _short(s.revoked_at),
                        tooltip=_moment_tip("Revoked", lambda s: s.revoked_at)),
        Column[SeatRow]("Reason", lambda s: s.revoke_reason, tooltip=lambda s: s.revoke_reason),
    ]  # fmt: skip


def _button(text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class SeatsTab(QWidget):
    """The allowance as slots, each held seat with its state and actions, the access form, revoked seats."""

    changed = Signal()
    export_requested = Signal(str)  # "access_form" | "roster"
    import_requested = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.overview: SeatOverview | None = None
        self.customer_id: int | None = None
        self.slots = SlotsBar()
        self.used_label = _heading("", 1.15)
        self.free_label = QLabel()
        self.model = RowTableModel[SeatRow](seat_columns(), self)
        self.table = self._table(self.model, "Portal seats", "seats", (48, 150, 200, 130, 120, 190, 96, 96))
        self.history_model = RowTableModel[SeatRow](revoked_columns(), self)
        self.history_table = self._table(self.history_model, "Revoked seats", "revoked_seats", (48, 150, 200, 96, 96))
        self.no_history = QLabel("No seat has been revoked.")
        self.no_history.setStyleSheet("color: palette(placeholder-text);")
        self.form_label = QLabel()
        self._build_buttons()
        self._layout()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.history_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())

    def _table(self, model: RowTableModel[SeatRow], name: str, key: str, widths: tuple[int, ...]) -> QTableView:
        table = QTableView()
        table.setAccessibleName(name)
        configure_table(table)
        table.setModel(model)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        remember_header(table, key, widths=widths)
        return table

    def _build_buttons(self) -> None:
        self.request_button = _button("&Request seat…", self.request_seat, "Request portal access for a new user")
        self.edit_button = _button("E&dit…", self.edit_selected, "Correct the selected seat holder's details")
        self.grant_button = _button("&Grant", self.grant_selected, "Record that portal access was provisioned")
        self.confirm_button = _button(
            "Confirm &welcome", self.confirm_selected, "Record that the user confirmed the welcome email"
        )
        self.revoke_button = _button("Re&voke…", self.revoke_selected, "Revoke the seat with a reason and date")
        self.reissue_button = _button(
            "Re-&issue…", self.reissue_selected, "Give the selected revoked slot to someone new"
        )
        self.export_form_button = _button(
            "Export &form…", lambda: self.export_requested.emit("access_form"), "The access form the customer fills in"
        )
        self.email_form_button = _button(
            "E&mail form…", self.email_form, "Email the access form to the customer's contacts; marks it sent"
        )
        self.mark_sent_button = _button(
            "Mark form sent", self.mark_form_sent, "Record that the access form went to the customer"
        )
        self.import_button = _button(
            "I&mport returned form…", self.import_requested.emit, "Preview and apply the form the customer returned"
        )
        self.roster_button = _button(
            "Export roster…", lambda: self.export_requested.emit("roster"), "Every seat of this customer as a workbook"
        )

    def _layout(self) -> None:
        summary = QHBoxLayout()
        summary.addWidget(self.used_label)
        summary.addSpacing(12)
        summary.addWidget(self.slots)
        summary.addSpacing(12)
        summary.addWidget(self.free_label, 1)
        summary.addWidget(self.roster_button)
        actions = QHBoxLayout()
        for button in (self.request_button, self.edit_button, self.grant_button, self.confirm_button):
            actions.addWidget(button)
        actions.addWidget(self.revoke_button)
        actions.addStretch(1)
        form = QHBoxLayout()
        for button in (self.export_form_button, self.email_form_button, self.mark_sent_button, self.import_button):
            form.addWidget(button)
        form.addStretch(1)
        history_header = QHBoxLayout()
        history_header.addWidget(_heading("Revoked seats", 1.05), 1)
        history_header.addWidget(self.reissue_button)
        layout = QVBoxLayout(self)
        layout.addLayout(summary)
        layout.addLayout(actions)
        layout.addWidget(self.table, 5)
        layout.addWidget(self.form_label)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addLayout(history_header)
        layout.addWidget(self.history_table, 2)
        layout.addWidget(self.no_history)
        layout.addStretch(0)

    # -- showing --------------------------------------------------------------------------------------------

    @property
    def used(self) -> int:
        return self.overview.used if self.overview else 0

    def show_customer(self, detail: CustomerDetail) -> None:
        self.customer_id = detail.id
        self.overview = seat_overview(detail.id)
        overview = self.overview
        self.model.set_rows(overview.seats)
        self.history_model.set_rows(overview.history)
        self.history_table.setVisible(bool(overview.history))
        self.no_history.setVisible(not overview.history)
        self.slots.show_slots(overview.allowance, overview.seats)
        self.used_label.setText(f"{overview.used} of {overview.allowance} seats used")
        if overview.free:
            self.free_label.setText(f"{overview.free} free")
        else:
            self.free_label.setText("All seats in use: revoke one to free a slot")
        set_tone_style(self.free_label, None if overview.free else Tone.WARNING)
        text = _form_text(detail)
        self.form_label.setText(f"Access form: {text[:1].lower()}{text[1:]}.")
        self._update_buttons()

    def selected_seat(self) -> SeatRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def selected_revoked(self) -> SeatRow | None:
        rows = self.history_table.selectionModel().selectedRows()
        return self.history_model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        seat = self.selected_seat()
        free = self.overview.free if self.overview else 0
        self.request_button.setEnabled(self.overview is not None and free > 0)
        self.request_button.setToolTip(
            "Request portal access for a new user" if free else "All seats are in use: revoke one to free a slot"
        )
        self.edit_button.setEnabled(seat is not None)
        self.grant_button.setEnabled(seat is not None and seat.status is SeatStatus.REQUESTED)
        self.confirm_button.setEnabled(seat is not None and seat.status is SeatStatus.GRANTED)
        self.revoke_button.setEnabled(seat is not None)
        self.reissue_button.setEnabled(self.selected_revoked() is not None and free > 0)

    # -- actions --------------------------------------------------------------------------------------------

    def request_seat(self) -> None:
        if self.customer_id is not None:
            self._dialog(SeatDialog(self.ctx, self.customer_id, parent=self))

    def edit_selected(self) -> None:
        seat = self.selected_seat()
        if seat is not None and self.customer_id is not None:
            self._dialog(SeatDialog(self.ctx, self.customer_id, seat=seat, parent=self))

    def reissue_selected(self) -> None:
        seat = self.selected_revoked()
        if seat is not None and self.customer_id is not None:
            self._dialog(SeatDialog(self.ctx, self.customer_id, reissue_of=seat, parent=self))

    def revoke_selected(self) -> None:
        seat = self.selected_seat()
        if seat is None:
            return
        dialog = RevokeSeatDialog(self.ctx, seat, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ctx, reason, on = self.ctx, dialog.reason.text(), dialog.revoked_on()
        push_done(
            f"Revoke seat {seat.seat_no} ({seat.email})",
            undo=lambda: undo_revoke(ctx, seat.id, current_seat_version(seat.id)),
            redo=lambda: revoke_seat(ctx, seat.id, current_seat_version(seat.id), reason, on),
        )
        self.changed.emit()

    def _dialog(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()

    def grant_selected(self) -> None:
        seat = self.selected_seat()
        if seat is not None:
            self._act("Grant", lambda: grant_seat(self.ctx, seat.id, seat.version))

    def confirm_selected(self) -> None:
        seat = self.selected_seat()
        if seat is not None:
            self._act("Confirm welcome", lambda: confirm_welcome(self.ctx, seat.id, seat.version))

    def email_form(self) -> None:
        """Email the access form to chosen seat holders and contacts (sending marks it sent)."""
        from tamdesk.views.email_dialogs import EmailAccessFormDialog

        if self.customer_id is None or self.overview is None:
            return
        holders = [(seat.full_name, seat.email) for seat in self.overview.seats]
        dialog = EmailAccessFormDialog(self.ctx, self.customer_id, self.overview.customer_name, holders, self)
        if dialog.exec():
            QMessageBox.information(self, "Email access form", dialog.result_text)
            self.changed.emit()

    def mark_form_sent(self) -> None:
        if self.customer_id is not None:
            customer_id = self.customer_id
            self._act("Mark form sent", lambda: mark_access_form_sent(self.ctx, customer_id))

    def _act(self, title: str, action: Callable[[], object]) -> None:
        """Run one quick use case; its error is shown as a message, and the tab reloads either way."""
        selected = self.selected_seat()
        try:
            action()
        except DomainError as exc:
            QMessageBox.warning(self, title, str(exc))
        self.changed.emit()
        if selected is not None:
            self.select_seat(selected.id)

    def select_seat(self, seat_id: int) -> None:
        for row, seat in enumerate(self.model.rows()):
            if seat.id == seat_id:
                self.table.selectRow(row)
                return


# -- History and the tabs later features fill --------------------------------------------------------------------


def _audit_tooltip(row: AuditRow) -> str:
    keys = sorted(set(row.before) | set(row.after))
    lines = [f"{k}: {row.before.get(k, '—')} → {row.after.get(k, '—')}" for k in keys]
    return "\n".join([row.summary, *lines])


class HistoryTab(QWidget):
    """Every audited change to the customer, its seats and its onboarding, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RowTableModel[AuditRow](
            [
                Column[AuditRow]("When", lambda r: local_time(r.at)),
                Column[AuditRow]("Who", lambda r: r.actor),
                Column[AuditRow]("Change", lambda r: r.summary, tooltip=_audit_tooltip),
            ],
            self,
        )
        self.table = QTableView()
        self.table.setAccessibleName("Customer history")
        configure_table(self.table)
        self.table.setModel(self.model)
        remember_header(self.table, "customer_history", widths=(170, 140))
        self.empty_state = EmptyState(icon("history"), "", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

    def show_entries(self, customer: str, entries: list[AuditRow]) -> None:
        self.model.set_rows(entries)
        self.stack.setCurrentWidget(self.table if entries else self.empty_state)
        if not entries:
            set_empty_text(
                self.empty_state,
                "No changes recorded yet",
                f"Every change made in tamdesk to {customer}, its portal seats and its onboarding checklist is "
                "listed here, newest first: who made it, when, and what changed.",
            )


class CustomerDetailView(QWidget):
    """The customer header with Back, Edit and Archive, and the tabs."""

    back_requested = Signal()
    edit_requested = Signal(int)
    archive_requested = Signal(int, bool)  # customer id, archive (True) or restore (False)
    changed = Signal(int)
    status_message = Signal(str)

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.customer_id: int | None = None
        self.detail: CustomerDetail | None = None
        self._build_header()
        self._build_tabs()
        layout = QVBoxLayout(self)
        layout.addLayout(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

    def _build_header(self) -> None:
        self.back_button = QToolButton()
        self.back_button.setIcon(icon("back"))
        self.back_button.setText("Customers")
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setAccessibleName("Back to the customer list")
        self.back_button.setToolTip("Back to the customer list (Alt+Left)")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.back_button.clicked.connect(self.back_requested)
        self.name = _heading("")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.name)
        titles.addWidget(self.subtitle)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(lambda: self.customer_id and self.edit_requested.emit(self.customer_id))
        self.archive_button = QPushButton("Archive…")
        self.archive_button.clicked.connect(self._archive_clicked)
        self.header = QHBoxLayout()
        self.header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        self.header.addSpacing(8)
        self.header.addLayout(titles, 1)
        self.header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.header.addWidget(self.archive_button, 0, Qt.AlignmentFlag.AlignTop)
        self.banner = QLabel()
        self.banner.setVisible(False)
        self.banner.setWordWrap(True)

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.overview = OverviewTab()
        self.onboarding = OnboardingTab(self.ctx)
        self.onboarding.changed.connect(self.reload)
        self.onboarding.export_requested.connect(lambda: self.export("checklist"))
        self.seats = SeatsTab(self.ctx)
        self.seats.changed.connect(self.reload)
        self.seats.export_requested.connect(self.export)
        self.seats.import_requested.connect(self.import_form)
        self.tickets = CustomerTicketsTab(None, self.ctx, self.runner)
        self.escalations = EscalationsTab(self.ctx)
        self.escalations.changed.connect(self.reload)
        self.defects = DefectsTab(self.ctx)
        self.defects.changed.connect(self.reload)
        self.history = HistoryTab()
        for widget, title in (
            (self.overview, "&Overview"),
            (self.onboarding, "O&nboarding"),
            (self.seats, "&Portal seats"),
            (self.tickets, "&Tickets"),
            (self.escalations, "&Escalations"),
            (self.defects, "De&fects"),
            (self.history, "&History"),
        ):
            self.tabs.addTab(widget, title)

    def _archive_clicked(self) -> None:
        if self.detail is not None:
            self.archive_requested.emit(self.detail.id, not self.detail.archived)

    def show_customer(self, customer_id: int) -> None:
        """Load ``customer_id`` into every tab (the Overview tab first)."""
        self.customer_id = customer_id
        self.tabs.setCurrentIndex(0)
        self.reload(emit=False)

    def reload(self, emit: bool = True) -> None:
        """Read the customer again (after any change in a tab or elsewhere)."""
        if self.customer_id is None:
            return
        try:
            detail = get_customer(self.customer_id)
            steps = checklist(self.customer_id, today(self.ctx))
            activity = customer_activity(self.customer_id)
            entries = list_audit(self.customer_id)
        except DomainError as exc:
            QMessageBox.warning(self, "Customer", str(exc))
            self.back_requested.emit()
            return
        self.detail = detail
        self.seats.show_customer(detail)
        self._show_header(detail, steps)
        self.overview.show_customer(detail, steps, self.seats.used, self.ctx.now())
        self.onboarding.show_checklist(steps)
        self._show_activity(detail.input.name, activity)
        self.history.show_entries(detail.input.name, entries)
        if emit:
            self.changed.emit(self.customer_id)

    def _show_header(self, detail: CustomerDetail, steps: Checklist) -> None:
        self.name.setText(detail.input.name)
        parts = [f"TAM {detail.input.tam}" if detail.input.tam else "No TAM", detail.input.time_zone]
        parts.append(f"Onboarding {state_text(steps.state).lower()} ({steps.done}/{steps.total})")
        self.subtitle.setText(" · ".join(parts))
        self.archive_button.setText("Restore" if detail.archived else "Archive…")
        self.archive_button.setToolTip(
            "Bring the customer back to the list" if detail.archived else "Hide the customer"
        )
        self.banner.setVisible(detail.archived)
        self.banner.setText("This customer is archived: it is hidden from the customer list until restored.")
        set_tone_style(self.banner, Tone.WARNING, TONE_BANNER)

    def _show_activity(self, name: str, activity: CustomerActivity) -> None:
        """Fill the Tickets, Escalations and Defects tabs; their titles carry the open counts."""
        if self.customer_id is None:
            return
        if self.tickets.customer_id != self.customer_id:
            self.tickets.show_customer(self.customer_id)
        self.escalations.show_for(customer_id=self.customer_id)
        self.defects.show_for(customer_id=self.customer_id)
        for widget, title, count in (
            (self.tickets, "&Tickets", activity.open_tickets),
            (self.escalations, "&Escalations", activity.open_escalations),
            (self.defects, "De&fects", activity.open_defects),
        ):
            self.tabs.setTabText(self.tabs.indexOf(widget), f"{title} ({count} open)" if count else title)

    # -- exports and the returned form ------------------------------------------------------------------------

    def export(self, kind: str) -> None:
        """Write the customer's checklist, access form or seat roster workbook in the background."""
        if self.detail is None:
            return
        customer_id, name, ctx = self.detail.id, self.detail.input.name, self.ctx
        titles = {"checklist": "Onboarding checklist", "access_form": "Portal access form", "roster": "Seat roster"}
        writers: dict[str, Callable[[Path], Path]] = {
            "checklist": lambda path: export_onboarding(path, customer_id, ctx=ctx),
            "access_form": lambda path: export_access_form(customer_id, path, ctx=ctx),
            "roster": lambda path: export_seat_roster(path, customer_id, ctx=ctx),
        }
        title = titles[kind]
        path = ask_save_path(self, f"Export {title.lower()}", safe_file_name(f"{name} - {title}.xlsx"))
        if path is None:
            return

        def work(control: TaskControl) -> Path:
            return writers[kind](path)

        def done(written: Path) -> None:
            self.status_message.emit(f"{title} of {name} saved to {written}")
            if kind == "access_form" and self.detail is not None and self.detail.access_form_sent_at is None:
                self._offer_mark_sent(name, written)

        run_with_progress(self, self.runner, f"Export {title.lower()}", f"Writing {path.name}…", work, done)

    def _offer_mark_sent(self, name: str, written: Path) -> None:
        answer = QMessageBox.question(
            self,
            "Access form saved",
            f"The access form is saved to {written}.\n\nRecord now that it was sent to {name}? "
            "(You can also do this later with Mark form sent.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.seats.mark_form_sent()

    def import_form(self) -> None:
        """Preview a returned access form and apply it."""
        if self.detail is None:
            return

        def applied(result: AccessFormResult) -> None:
            self.reload()
            self.status_message.emit(result.summary)

        import_returned_form(self, self.ctx, self.runner, self.detail.id, self.detail.input.name, applied)

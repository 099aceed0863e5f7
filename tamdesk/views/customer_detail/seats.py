"""The Portal seats tab: the allowance as slots, the held and revoked seats, their actions and the access form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.states import SeatStatus
from tamdesk.services.access_form import mark_access_form_sent
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.services.customers import CustomerDetail
from tamdesk.services.seat_batches import (
    confirm_welcomes,
    current_seat_versions,
    grant_seats,
    revoke_seats,
    unconfirm_welcomes,
    undo_revokes,
    ungrant_seats,
)
from tamdesk.services.seats import (
    SeatOverview,
    SeatRow,
    current_seat_version,
    reissue_seat,
    revoke_seat,
    seat_overview,
    undo_reissue,
    undo_revoke,
)
from tamdesk.views.customer_detail.common import form_text, heading, short_date
from tamdesk.views.customer_detail.seat_actions import revoked_seat_actions, seat_actions
from tamdesk.views.seat_dialog import RevokeSeatDialog, SeatDialog
from tamdesk.views.table_model import Column, Priority, RowTableModel, local_time
from tamdesk.views.undo import push_done
from tamdesk.views.widgets import (
    FieldMessage,
    Tone,
    configure_table,
    remember_header,
    set_tone_style,
    tone_background,
    tone_color,
)

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
        Column[SeatRow]("Full name", lambda s: s.full_name, priority=Priority.KEEP),
        Column[SeatRow]("Email", lambda s: s.email, email=True, stretch=True, min_width=160),
        Column[SeatRow]("Job title", lambda s: s.job_title, tooltip=lambda s: s.job_title, priority=Priority.LOW),
        Column[SeatRow]("Phone", lambda s: s.phone, priority=Priority.LOW),
        Column[SeatRow]("State", lambda s: SEAT_STATE_TEXT[s.status], foreground=_seat_colour,
                        tooltip=lambda s: SEAT_STATE_TIPS[s.status], priority=Priority.KEEP),
        Column[SeatRow]("Requested", lambda s: short_date(s.requested_at), priority=Priority.LOW,
                        tooltip=_moment_tip("Requested", lambda s: s.requested_at)),
        Column[SeatRow]("Granted", lambda s: short_date(s.granted_at), priority=Priority.LOW,
                        tooltip=_moment_tip("Granted", lambda s: s.granted_at)),
        Column[SeatRow]("Welcome confirmed", lambda s: short_date(s.welcome_confirmed_at),
                        tooltip=_moment_tip("Confirmed", lambda s: s.welcome_confirmed_at)),
    ]  # fmt: skip


def revoked_columns() -> list[Column[SeatRow]]:
    """The columns of the revoked seats history."""
    return [
        Column[SeatRow]("Seat", lambda s: str(s.seat_no), align_right=True),
        Column[SeatRow]("Full name", lambda s: s.full_name),
        Column[SeatRow]("Email", lambda s: s.email, email=True),
        Column[SeatRow]("Requested", lambda s: short_date(s.requested_at),
                        tooltip=_moment_tip("Requested", lambda s: s.requested_at)),
        Column[SeatRow]("Revoked", lambda s: short_date(s.revoked_at),
                        tooltip=_moment_tip("Revoked", lambda s: s.revoked_at)),
        Column[SeatRow]("Reason", lambda s: s.revoke_reason, tooltip=lambda s: s.revoke_reason, stretch=True),
    ]  # fmt: skip


EMAIL_FORM_TIP = "Email the access form to the customer's contacts; marks it sent"


def _button(text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def seats_text(count: int) -> str:
    """``1 seat``, ``3 seats``."""
    return f"{count} seat" if count == 1 else f"{count} seats"


def _names(seats: Sequence[SeatRow]) -> str:
    """``seat 2 (bob@acme.com)`` for one seat, ``3 seats`` for more, as undo entries and status lines name them."""
    return f"seat {seats[0].seat_no} ({seats[0].email})" if len(seats) == 1 else seats_text(len(seats))


def _revoked(ids: set[int]) -> Callable[[SeatOverview], bool]:
    return lambda overview: ids <= {s.id for s in overview.history}


def _in_status(ids: set[int], status: SeatStatus) -> Callable[[SeatOverview], bool]:
    return lambda overview: ids <= {s.id for s in overview.seats if s.status is status}


def _as_made(made: Sequence[tuple[int, int]]) -> Callable[[SeatOverview], bool]:
    """While the re-issued seat is as the re-issue made it (``made`` follows a redo)."""
    return lambda overview: any((s.id, s.version) == made[0] for s in overview.seats)


class RevokeSeatsDialog(QDialog):
    """Revoke several seats today with one reason, asked once for all of them."""

    def __init__(self, ctx: Context, seats: Sequence[SeatRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.seats = list(seats)
        self.setWindowTitle(f"Revoke {seats_text(len(seats))}")
        self.setMinimumWidth(460)
        listed = ", ".join(f"{s.seat_no} ({s.full_name})" for s in self.seats)
        intro = QLabel(
            f"Revoke seats {listed} today? Their slots are freed for someone new, and the people stay in the seat "
            "history."
        )
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. Left the company")
        self.reason.setAccessibleName("Reason")
        self.message = FieldMessage()
        policy = self.message.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # its line stays reserved, so nothing moves when a message appears
        self.message.setSizePolicy(policy)
        self.reason.textChanged.connect(lambda: self.message.clear())
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.reason)
        box.addWidget(self.message)
        caption = QLabel("&Reason")
        caption.setBuddy(self.reason)
        form = QFormLayout()
        form.addRow(caption, box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.revoke_button = QPushButton(f"Revoke {seats_text(len(seats))}")
        buttons.addButton(self.revoke_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)

    def save(self) -> None:
        try:
            revoke_seats(self.ctx, [(s.id, s.version) for s in self.seats], self.reason.text())
        except FieldError as exc:
            self.message.set_error(str(exc))
            return
        except DomainError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()


class SeatsTab(QWidget):
    """The allowance as slots, each held seat with its state and actions, the access form, revoked seats."""

    changed = Signal()
    export_requested = Signal(str)  # "access_form" | "roster"
    import_requested = Signal()
    status_message = Signal(str)  # what an action did, for the status bar

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.overview: SeatOverview | None = None
        self.customer_id: int | None = None
        self._said: tuple[str, int | None, Callable[[SeatOverview], bool]] | None = None
        self.slots = SlotsBar()
        self.used_label = heading("", 1.15)
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
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.history_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self._email_ready = False
        self.row_actions = seat_actions(self)
        self.revoked_actions = revoked_seat_actions(self)

    def _table(self, model: RowTableModel[SeatRow], name: str, key: str, widths: tuple[int, ...]) -> QTableView:
        table = QTableView()
        table.setAccessibleName(name)
        configure_table(table)
        table.setModel(model)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        remember_header(table, key, widths=widths)
        return table

    def _build_buttons(self) -> None:
        # Mnemonics stay distinct from the detail's tabs and the menu bar (see CustomerDetailView._build_tabs).
        self.request_button = _button("&Request seat…", self.request_seat, "Request portal access for a new user")
        self.edit_button = _button("Ed&it…", self.edit_selected, "Correct the selected seat holder's details")
        self.grant_button = _button(
            "Gr&ant", self.grant_selected, "Record that portal access was provisioned for the selected requested seats"
        )
        self.confirm_button = _button(
            "Confirm &welcome",
            self.confirm_selected,
            "Record that the users of the selected granted seats confirmed the welcome email",
        )
        self.revoke_button = _button("Re&voke…", self.revoke_selected, "Revoke the selected seats with a reason")
        # the widest count they may show, so the row of buttons does not move as the selection changes
        for button, widest in ((self.grant_button, "Grant 999 seats"), (self.confirm_button, "Confirm 999 welcomes"),
                               (self.revoke_button, "Revoke 999 seats…")):  # fmt: skip
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(widest) + 24)
        self.reissue_button = _button(
            "Re-iss&ue…", self.reissue_selected, "Give the selected revoked slot to someone new"
        )
        self.export_form_button = _button(
            "E&xport form…", lambda: self.export_requested.emit("access_form"), "The access form the customer fills in"
        )
        self.email_form_button = _button("Emai&l form…", self.email_form, EMAIL_FORM_TIP)
        self.mark_sent_button = _button(
            "&Mark form sent", self.mark_form_sent, "Record that the access form went to the customer"
        )
        self.import_button = _button(
            "Import retur&ned form…", self.import_requested.emit, "Preview and apply the form the customer returned"
        )
        self.roster_button = _button(
            "Export ro&ster…", lambda: self.export_requested.emit("roster"), "Every seat of this customer as a workbook"
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
        history_header.addWidget(heading("Revoked seats", 1.05), 1)
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
        if detail.id != self.customer_id:
            self.customer_id = None  # what was said about the last customer's seats goes
            self._withdraw_if_stale()
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
        text = form_text(detail)
        self.form_label.setText(f"Access form: {text[:1].lower()}{text[1:]}.")
        self._update_buttons()
        self._update_email_button()
        self._withdraw_if_stale()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_email_button()  # email may have been set up in Settings meanwhile

    def _update_email_button(self) -> None:
        """Email form… only once email is set up: said before anything is chosen or typed, with where to do it."""
        from tamdesk.views.email_dialogs import NOT_SET_UP, email_set_up

        ready = self.overview is not None and email_set_up()
        self._email_ready = ready
        self.email_form_button.setEnabled(ready)
        self.email_form_button.setToolTip(EMAIL_FORM_TIP if ready or self.overview is None else NOT_SET_UP)
        self.row_actions.refresh()

    def email_problem(self) -> str | None:
        """Why the access form cannot be emailed now (None: it can)."""
        from tamdesk.views.email_dialogs import NOT_SET_UP

        return None if self._email_ready else NOT_SET_UP

    def free_slots(self) -> int:
        return self.overview.free if self.overview else 0

    def show_status(self, text: str) -> None:
        self.status_message.emit(text)

    # -- what the status bar says -----------------------------------------------------------------------------

    def _say(self, text: str, holds: Callable[[SeatOverview], bool]) -> None:
        """Tell the status bar what an action did; ``holds`` says whether the seats still show it, so the message
        goes once an undo, a change elsewhere or another customer makes it untrue."""
        self._said = (text, self.customer_id, holds)
        self.status_message.emit(text)

    def _withdraw_if_stale(self) -> None:
        if self._said is None:
            return
        text, customer_id, holds = self._said
        if customer_id == self.customer_id and self.overview is not None and holds(self.overview):
            return
        self._said = None
        window = self.window()
        if isinstance(window, QMainWindow) and window.statusBar().currentMessage() == text:
            window.statusBar().clearMessage()

    def selected_seat(self) -> SeatRow | None:
        """The selected seat when exactly one is selected."""
        seats = self.selected_seats()
        return seats[0] if len(seats) == 1 else None

    def selected_seats(self) -> list[SeatRow]:
        """The selected held seats, in table order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row) for row in rows]

    def _in_state(self, status: SeatStatus) -> list[SeatRow]:
        return [seat for seat in self.selected_seats() if seat.status is status]

    def selected_revoked(self) -> SeatRow | None:
        rows = self.history_table.selectionModel().selectedRows()
        return self.history_model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        seat = self.selected_seat()
        selected = self.selected_seats()
        free = self.overview.free if self.overview else 0
        self.request_button.setEnabled(self.overview is not None and free > 0)
        self.request_button.setToolTip(
            "Request portal access for a new user" if free else "All seats are in use: revoke one to free a slot"
        )
        self.edit_button.setEnabled(seat is not None)
        grant, confirm = len(self._in_state(SeatStatus.REQUESTED)), len(self._in_state(SeatStatus.GRANTED))
        self.grant_button.setText(f"Gr&ant {seats_text(grant)}" if grant else "Gr&ant")
        self.grant_button.setEnabled(grant > 0)
        welcomes = f"{confirm} &welcome" if confirm == 1 else f"{confirm} &welcomes"
        self.confirm_button.setText(f"Confirm {welcomes}" if confirm else "Confirm &welcome")
        self.confirm_button.setEnabled(confirm > 0)
        self.revoke_button.setText(f"Re&voke {seats_text(len(selected))}…" if selected else "Re&voke…")
        self.revoke_button.setEnabled(bool(selected))
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
        """Give the selected revoked slot to someone new; Ctrl+Z takes the re-issue back while the seat is as made."""
        old = self.selected_revoked()
        if old is None or self.customer_id is None:
            return
        dialog = SeatDialog(self.ctx, self.customer_id, reissue_of=old, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.seat_id is None:
            return
        ctx, data = self.ctx, dialog.input()
        made = [(dialog.seat_id, current_seat_version(dialog.seat_id))]  # redo makes a new seat, under a new id

        def undo() -> None:
            undo_reissue(ctx, *made[0])

        def redo() -> None:
            seat_id = reissue_seat(ctx, old.id, data, accept_warnings=True)
            made[:] = [(seat_id, current_seat_version(seat_id))]

        push_done(f"Re-issue seat {old.seat_no} to {data.email}", undo=undo, redo=redo)
        self.changed.emit()
        self._say(f"Seat {old.seat_no} re-issued to {data.full_name}; Ctrl+Z takes it back.", _as_made(made))
        self.select_seat(made[0][0])

    def revoke_selected(self) -> None:
        """Revoke the selected seat (with a date), or several selected seats today with one reason."""
        seats = self.selected_seats()
        if len(seats) > 1:
            self._revoke_several(seats)
            return
        if not seats:
            return
        seat = seats[0]
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
        self._say(f"Seat {seat.seat_no} ({seat.email}) revoked; Ctrl+Z brings it back.", _revoked({seat.id}))

    def _revoke_several(self, seats: Sequence[SeatRow]) -> None:
        dialog = RevokeSeatsDialog(self.ctx, seats, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ctx, reason, ids = self.ctx, dialog.reason.text(), [s.id for s in seats]
        push_done(
            f"Revoke {_names(seats)}",
            undo=lambda: undo_revokes(ctx, current_seat_versions(ids)),
            redo=lambda: revoke_seats(ctx, current_seat_versions(ids), reason),
        )
        self.changed.emit()
        self._say(f"{seats_text(len(seats))} revoked; Ctrl+Z brings them back.", _revoked(set(ids)))

    def _dialog(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()

    def grant_selected(self) -> None:
        """Grant every selected requested seat at once; one undo entry takes them all back."""
        seats = self._in_state(SeatStatus.REQUESTED)
        ctx, ids = self.ctx, [s.id for s in seats]
        self._act_on_several(
            f"Grant {_names(seats)}",
            seats,
            action=lambda: grant_seats(ctx, [(s.id, s.version) for s in seats]),
            undo=lambda: ungrant_seats(ctx, current_seat_versions(ids)),
            redo=lambda: grant_seats(ctx, current_seat_versions(ids)),
            done="granted portal access",
            now=SeatStatus.GRANTED,
        )

    def confirm_selected(self) -> None:
        """Confirm the welcome email of every selected granted seat at once; one undo entry takes them all back."""
        seats = self._in_state(SeatStatus.GRANTED)
        ctx, ids = self.ctx, [s.id for s in seats]
        self._act_on_several(
            f"Confirm the welcome of {_names(seats)}",
            seats,
            action=lambda: confirm_welcomes(ctx, [(s.id, s.version) for s in seats]),
            undo=lambda: unconfirm_welcomes(ctx, current_seat_versions(ids)),
            redo=lambda: confirm_welcomes(ctx, current_seat_versions(ids)),
            done="active: welcome confirmed",
            now=SeatStatus.ACTIVE,
        )

    def _act_on_several(
        self,
        text: str,
        seats: Sequence[SeatRow],
        *,
        action: Callable[[], object],
        undo: Callable[[], object],
        redo: Callable[[], object],
        done: str,
        now: SeatStatus,
    ) -> None:
        """Run a use case on several seats in one go: on success one undo entry, else one message and no change."""
        if not seats:
            return
        try:
            action()
        except DomainError as exc:
            QMessageBox.warning(self, text, str(exc))
        else:
            push_done(text, undo=undo, redo=redo)
            what = f"Seat {seats[0].seat_no} ({seats[0].email})" if len(seats) == 1 else seats_text(len(seats))
            said = f"{what} {done}; Ctrl+Z takes {'it' if len(seats) == 1 else 'them'} back."
            self._say(said, _in_status({s.id for s in seats}, now))
        self.changed.emit()
        self.select_seats([s.id for s in seats])

    def email_form(self, seats: Sequence[SeatRow] | None = None) -> None:
        """Email the access form to chosen seat holders (``seats``, else every one) and contacts; sending marks it
        sent."""
        from tamdesk.views.email_dialogs import EmailAccessFormDialog

        if self.customer_id is None or self.overview is None:
            return
        holders = [(seat.full_name, seat.email) for seat in (self.overview.seats if seats is None else seats)]
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
        self.select_seats([seat_id])

    def select_seats(self, seat_ids: Sequence[int]) -> None:
        """Select the rows of these seats (those still held), the first one current."""
        wanted = set(seat_ids)
        rows = [row for row, seat in enumerate(self.model.rows()) if seat.id in wanted]
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in rows:
            selection.select(self.model.index(row, 0), flags)
        if rows:
            selection.setCurrentIndex(self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(self.model.index(rows[0], 0))

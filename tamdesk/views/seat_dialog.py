"""Request, edit or re-issue a portal seat with every rule checked as the TAM types; revoke a seat with a reason.

Errors show in red beside their field and block Save; warnings show in amber and need "I confirm these warnings".
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.seats import Problem, SeatCheck, SeatField
from tamdesk.services.base import Context, DomainError, FieldError, StaleEdit, ValidationFailed
from tamdesk.services.seats import (
    SeatInput,
    SeatRejected,
    SeatRow,
    check_seat_input,
    edit_seat,
    reissue_seat,
    request_seat,
    revoke_seat,
    seat_overview,
)
from tamdesk.views.widgets import Debouncer, FieldMessage, Tone, grow_to_fit, reserve_space, size_to_content, today

CHECK_DELAY_MS = 300
FIELDS = ("full_name", "email", "job_title", "phone")


MESSAGE_LINES = {"full_name": 2, "email": 2}
"""Lines kept under a field for its error and warning: a name's and an address's quote the seat and its address
and take two lines."""


def _field_box(widget: QWidget, *messages: FieldMessage, lines: int = 1) -> QWidget:
    """``widget`` above its messages, which share ``lines`` lines of room kept while they are empty."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(_message_room(messages, lines))
    return box


def _message_room(messages: tuple[FieldMessage, ...], lines: int) -> QWidget:
    """``messages`` stacked in a space at least ``lines`` lines high, so one appearing moves nothing beneath."""
    room = QWidget()
    column = QVBoxLayout(room)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    for message in messages:
        column.addWidget(message)
    column.addStretch(1)
    return reserve_space(room, lines)


class SeatDialog(QDialog):
    """The seat form. Exactly one mode: request (no seat), edit (``seat``) or re-issue (``reissue_of``).

    After ``accept`` ``seat_id`` holds the saved seat.
    """

    def __init__(
        self,
        ctx: Context,
        customer_id: int,
        *,
        seat: SeatRow | None = None,
        reissue_of: SeatRow | None = None,
        check_delay_ms: int = CHECK_DELAY_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.seat = seat
        self.reissue_of = reissue_of
        self.seat_id: int | None = seat.id if seat else None
        self.check: SeatCheck | None = None
        self._touched: set[str] = set()
        self._warned: tuple[str, ...] = ()
        self.overview = seat_overview(customer_id)
        self.setMinimumWidth(540)
        self._build()
        self._debouncer = Debouncer(check_delay_ms, self.run_check, self)
        for name in FIELDS:
            self.inputs[name].textEdited.connect(lambda _=None, n=name: self._edited(n))
        self._fill()
        self.run_check()
        size_to_content(self)

    # -- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        name = self.overview.customer_name
        if self.seat is not None:
            self.setWindowTitle(f"Edit seat {self.seat.seat_no} — {name}")
            intro = f"Correct the details of {self.seat.label}."
        elif self.reissue_of is not None:
            self.setWindowTitle(f"Re-issue seat {self.reissue_of.seat_no} — {name}")
            intro = (
                f"Give the slot {self.reissue_of.full_name} ({self.reissue_of.email}) held to someone new. "
                "The new holder starts as requested."
            )
        else:
            self.setWindowTitle(f"Request a portal seat — {name}")
            intro = f"{name} has {self.overview.used} of {self.overview.allowance} seats in use."
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.seat_error = FieldMessage()
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict[str, FieldMessage] = {}
        self.warnings: dict[str, FieldMessage] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, placeholder in (
            ("full_name", "&Full name", "Ana Silva"),
            ("email", "&Email", "ana.silva@acme.com"),
            ("job_title", "&Job title", "Platform engineer"),
            ("phone", "&Phone", "+49 30 1234567"),
        ):
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(label.replace("&", ""))
            self.inputs[key] = edit
            self.errors[key] = FieldMessage()
            self.warnings[key] = FieldMessage()
            caption = QLabel(label)
            caption.setBuddy(edit)
            lines = MESSAGE_LINES.get(key, 1)
            form.addRow(caption, _field_box(edit, self.errors[key], self.warnings[key], lines=lines))
        self.warnings["seat"] = FieldMessage()
        self.confirm = QCheckBox("I confirm these warnings")
        self.confirm.setVisible(False)
        policy = self.confirm.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the buttons stay put when it appears
        self.confirm.setSizePolicy(policy)
        self.confirm.toggled.connect(self._update_buttons)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Request seat" if self.seat is None else "Save")
        if self.reissue_of is not None:
            self.save_button.setText("Re-issue seat")
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        # what concerns the seat rather than a field, under the form: the fields never move for it
        layout.addWidget(_message_room((self.seat_error, self.warnings["seat"]), 2))
        layout.addWidget(self.confirm)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _fill(self) -> None:
        if self.seat is None:
            return
        for name in FIELDS:
            self.inputs[name].setText(getattr(self.seat, name))
        self._touched.update(FIELDS)

    # -- live checking --------------------------------------------------------------------------------------

    def input(self) -> SeatInput:
        return SeatInput(**{name: self.inputs[name].text() for name in FIELDS})

    def _edited(self, name: str) -> None:
        self._touched.add(name)
        self.save_button.setEnabled(False)  # until the check of what was typed has run
        self._debouncer.trigger()

    def run_check(self) -> None:
        """Check the form against every seat rule and show each problem beside its field."""
        self._debouncer.timer.stop()
        seat_id = self.seat.id if self.seat else (self.reissue_of.id if self.reissue_of else None)
        try:
            check = check_seat_input(self.customer_id, self.input(), seat_id)
        except ValidationFailed as exc:
            self._show_field_errors(exc.errors)
            self.check = None
            self._update_buttons()
            return
        except DomainError as exc:
            self.seat_error.set_error(str(exc))
            self.check = None
            self._update_buttons()
            return
        self.show_check(check)

    def show_check(self, check: SeatCheck) -> None:
        """Errors in red, warnings in amber, beside the field each concerns; the confirm box when warned."""
        self.check = check
        self._show_problems(check.errors, self.errors, Tone.ERROR)
        self._show_problems(check.warnings, self.warnings, Tone.WARNING)
        seat_errors = [p.message for p in check.errors if p.field is SeatField.SEAT]
        self.seat_error.set_error(_sentences(seat_errors))
        warned = tuple(p.message for p in check.warnings)
        if warned != self._warned:  # a confirmation covers the warnings it was given for, no others
            self.confirm.setChecked(False)
            self._warned = warned
        self.confirm.setVisible(bool(warned))
        self._update_buttons()
        grow_to_fit(self)

    def _show_problems(self, problems: tuple[Problem, ...], messages: dict[str, FieldMessage], tone: Tone) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            if problem.field is SeatField.SEAT and tone is Tone.ERROR:
                continue  # shown above the form
            field = problem.field.value
            if field in FIELDS and field not in self._touched and tone is Tone.ERROR:
                continue  # no scolding for a field not typed in yet
            by_field.setdefault(field, []).append(problem.message)
        for key, message in messages.items():
            message.show_message(tone, _sentences(by_field.get(key, [])))

    def _show_field_errors(self, errors: dict[str, str]) -> None:
        for key, message in self.errors.items():
            message.set_error(errors.get(key, ""))
        grow_to_fit(self)

    def _update_buttons(self) -> None:
        check = self.check
        ok = check is not None and check.ok and (not check.warnings or self.confirm.isChecked())
        self.save_button.setEnabled(ok)
        if check is not None and check.errors:
            self.save_button.setToolTip("Fix the problems shown in red first")
        elif check is not None and check.warnings and not self.confirm.isChecked():
            self.save_button.setToolTip("Confirm the warnings shown in amber first")
        else:
            self.save_button.setToolTip("")

    # -- saving ---------------------------------------------------------------------------------------------

    def save(self) -> None:
        """Save through the service; a rule broken meanwhile shows beside its field and the dialog stays open."""
        self._touched.update(FIELDS)
        self.run_check()
        if not self.save_button.isEnabled():
            return
        data, accept = self.input(), self.confirm.isChecked()
        try:
            if self.seat is not None:
                edit_seat(self.ctx, self.seat.id, self.seat.version, data, accept_warnings=accept)
            elif self.reissue_of is not None:
                self.seat_id = reissue_seat(self.ctx, self.reissue_of.id, data, accept_warnings=accept)
            else:
                self.seat_id = request_seat(self.ctx, self.customer_id, data, accept_warnings=accept)
        except SeatRejected as exc:
            self.show_check(exc.check)
            return
        except ValidationFailed as exc:
            self._show_field_errors(exc.errors)
            return
        except StaleEdit:
            self._stale()
            return
        except DomainError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()

    def _stale(self) -> None:
        """Someone saved this seat meanwhile: show their values; the TAM's entries stay for a second Save."""
        assert self.seat is not None
        current = next((s for s in seat_overview(self.customer_id).seats if s.id == self.seat.id), None)
        if current is None:
            QMessageBox.warning(self, self.windowTitle(), f"{self.seat.label} was revoked by someone else meanwhile.")
            self.reject()
            return
        theirs = "\n".join(
            f"{label}: {getattr(current, name) or '—'} (yours: {self.inputs[name].text().strip() or '—'})"
            for name, label in (("full_name", "Full name"), ("email", "Email"), ("job_title", "Job title"),
                                ("phone", "Phone"))
            if getattr(current, name) != self.inputs[name].text().strip()
        )  # fmt: skip
        QMessageBox.warning(
            self,
            "Changed by someone else",
            f"{current.label} was saved by someone else after you opened it; it is now "
            f"{current.status.label.lower()}.\n\n{theirs or 'Their details match yours.'}\n\n"
            "Your entries are kept: Save again to replace theirs, or Cancel.",
        )
        self.seat = current


def _sentences(messages: list[str]) -> str:
    return "\n".join(m if m.endswith(".") else f"{m}." for m in messages)


class RevokeSeatDialog(QDialog):
    """Revoke a seat: a reason (kept in the history) and the date access ended."""

    def __init__(self, ctx: Context, seat: SeatRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.seat = seat
        self.setWindowTitle(f"Revoke seat {seat.seat_no}")
        self.setMinimumWidth(460)
        intro = QLabel(
            f"Revoke {seat.label} held by {seat.full_name}? The slot is freed for someone new, and "
            f"{seat.full_name} stays in the seat history."
        )
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. Left the company")
        self.reason.setAccessibleName("Reason")
        self.on = QDateEdit()
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("ddd d MMM yyyy")
        self.on.setAccessibleName("Revoked on")
        now = today(ctx)
        self.on.setDate(QDate(now.year, now.month, now.day))
        self.on.setMaximumDate(QDate(now.year, now.month, now.day))
        requested = seat.requested_at.astimezone().date()
        self.on.setMinimumDate(QDate(requested.year, requested.month, requested.day))
        self.messages = {"reason": reserve_space(FieldMessage()), "on": reserve_space(FieldMessage())}
        self.reason.textChanged.connect(lambda: self.messages["reason"].clear())
        form = QFormLayout()
        for key, label, widget in (("reason", "&Reason", self.reason), ("on", "Revoked &on", self.on)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, _field_box(widget, self.messages[key]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.revoke_button = QPushButton("Revoke seat")
        buttons.addButton(self.revoke_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        size_to_content(self)

    def revoked_on(self) -> date:
        return self.on.date().toPython()  # type: ignore[no-any-return]

    def save(self) -> None:
        try:
            revoke_seat(self.ctx, self.seat.id, self.seat.version, self.reason.text(), self.revoked_on())
        except FieldError as exc:
            self.messages.get(exc.field, self.messages["reason"]).set_error(str(exc))
            grow_to_fit(self)
            return
        except DomainError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()

"""The Contacts tab: a customer's stakeholders beyond the seats, with role, influence, seat and last contact.

Add, edit (or double-click), mark as left, link to a portal seat; make the seat holders contacts in one go; import
contacts from a CRM's export.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.contacts import ContactRole
from tamdesk.domain.states import SeatStatus
from tamdesk.services.base import Context, DomainError
from tamdesk.services.contact_import import ContactImportSummary, import_contacts
from tamdesk.services.contacts import (
    ContactRow,
    add_seat_holders,
    link_seat,
    list_contacts,
    mark_left,
    mark_returned,
)
from tamdesk.services.seats import seat_overview
from tamdesk.views.contact_dialog import ContactDialog
from tamdesk.views.customer_detail.common import heading, short_date
from tamdesk.views.seat_dialog import RevokeSeatDialog
from tamdesk.views.table_model import Column, Priority, RowTableModel, local_time
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import (
    Tone,
    ask_date,
    ask_open_path,
    configure_table,
    remember_header,
    run_with_progress,
    today,
    tone_color,
)

NO_SEAT = "No portal seat"


def _muted_if_left(row: ContactRow) -> QColor | None:
    return QApplication.palette().color(QPalette.ColorRole.PlaceholderText) if row.left_at else None


def _name(row: ContactRow) -> str:
    return f"{row.full_name} (left {short_date(row.left_at)})" if row.left_at else row.full_name


def _role_colour(row: ContactRow) -> QColor | None:
    if row.left_at:
        return _muted_if_left(row)
    return tone_color(Tone.INFO) if row.role.is_key else None


def _seat_colour(row: ContactRow) -> QColor | None:
    return tone_color(Tone.WARNING) if row.seat_status is SeatStatus.REVOKED and row.role.is_key else None


def contact_columns() -> list[Column[ContactRow]]:
    """Name, title, role, influence, email, seat and last contact (from the timeline)."""
    return [
        Column[ContactRow]("Name", _name, tooltip=lambda r: r.notes, foreground=_muted_if_left),
        Column[ContactRow]("Title", lambda r: r.title, tooltip=lambda r: r.title, foreground=_muted_if_left),
        Column[ContactRow]("Role", lambda r: r.role.label, foreground=_role_colour),
        Column[ContactRow]("Influence", lambda r: r.influence.label if r.influence else "", foreground=_muted_if_left,
                           priority=Priority.LOW),
        Column[ContactRow]("Email", lambda r: r.email, foreground=_muted_if_left, email=True, stretch=True,
                           min_width=160),
        Column[ContactRow]("Seat", lambda r: r.seat_label, foreground=_seat_colour,
                           tooltip=lambda r: "Their portal seat was revoked" if r.seat_status is SeatStatus.REVOKED
                           else ""),
        Column[ContactRow]("Last contact", lambda r: short_date(r.last_contact_at),
                           tooltip=lambda r: f"Last timeline entry they attended: {local_time(r.last_contact_at)}"
                           if r.last_contact_at else "No meeting, call or email with them on the timeline yet"),
    ]  # fmt: skip


class ContactTableModel(RowTableModel[ContactRow]):
    """The contacts grid: one row per contact, those who left greyed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(contact_columns(), parent)


def _button(text: str, slot: Callable[[], object], tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class ContactsTab(QWidget):
    """A customer's contacts and their actions."""

    changed = Signal()
    seats_changed = Signal()  # a seat was revoked from here: the Portal seats tab and the header read again
    status_message = Signal(str)

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.customer_id: int | None = None
        self.customer_name = ""
        self.last_import: ContactImportSummary | None = None
        self.title = heading("", 1.15)
        self.model = ContactTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Contacts")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        remember_header(self.table, "contacts", widths=(230, 160, 130, 80, 230, 110, 100))
        self.empty = QLabel("No contacts yet: add the people you work with, or make the seat holders contacts.")
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        self.show_left = QCheckBox("Show people &who left")
        self.show_left.toggled.connect(self.reload)
        self._build_buttons()
        self._layout()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())

    def _build_buttons(self) -> None:
        # Mnemonics stay distinct from the detail's tabs and the menu bar (see CustomerDetailView._build_tabs).
        self.add_button = _button("&Add contact…", self.add_contact, "Add a stakeholder of this customer")
        self.edit_button = _button("Ed&it…", self.edit_selected, "Correct the selected contact (or double-click)")
        self.left_button = _button("Mark &left…", self.toggle_left, "Record that the contact left the customer")
        self.link_button = _button("Link to &seat…", self.link_selected, "Link the contact to their portal seat")
        self.seat_holders_button = _button(
            "Add seat holde&rs as contacts", self.add_seat_holders,
            "Make each portal seat holder a contact linked to their seat (no one is added twice)",
        )  # fmt: skip
        self.import_button = _button(
            "I&mport contacts…", self.import_file,
            "Contacts from a Salesforce contact report, a HubSpot or Gainsight export (.csv or .xlsx)",
        )  # fmt: skip

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.seat_holders_button)
        top.addWidget(self.import_button)
        actions = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.left_button, self.link_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.show_left)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)

    # -- showing --------------------------------------------------------------------------------------------

    def show_customer(self, customer_id: int, name: str) -> None:
        self.customer_id = customer_id
        self.customer_name = name
        self.reload()

    def reload(self) -> None:
        if self.customer_id is None:
            return
        selected = self.selected()
        rows = list_contacts(self.customer_id, include_left=self.show_left.isChecked())
        self.model.set_rows(rows)
        current = sum(1 for r in rows if r.left_at is None)
        self.title.setText(f"{current} contact{'s' if current != 1 else ''}")
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if selected is not None:
            self.select_contact(selected.id)
        self._update_buttons()

    def selected(self) -> ContactRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_contact(self, contact_id: int) -> None:
        for row, contact in enumerate(self.model.rows()):
            if contact.id == contact_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        contact = self.selected()
        for button in (self.edit_button, self.left_button, self.link_button):
            button.setEnabled(contact is not None)
        left = contact is not None and contact.left_at is not None
        self.left_button.setText("Back with customer" if left else "Mark &left…")
        self.left_button.setToolTip(
            "Take back that the contact left" if left else "Record that the contact left the customer"
        )

    # -- actions --------------------------------------------------------------------------------------------

    def add_contact(self) -> None:
        if self.customer_id is not None:
            self._dialog(ContactDialog(self.ctx, self.customer_id, self.customer_name, parent=self))

    def edit_selected(self) -> None:
        contact = self.selected()
        if contact is not None and self.customer_id is not None:
            dialog = ContactDialog(self.ctx, self.customer_id, self.customer_name, contact=contact, parent=self)
            self._dialog(dialog)

    def _dialog(self, dialog: ContactDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed()
            if dialog.contact_id is not None:
                self.select_contact(dialog.contact_id)

    def toggle_left(self) -> None:
        """Ask the day a contact left and record it; for one who left, take it back."""
        contact = self.selected()
        if contact is None:
            return
        if contact.left_at is not None:
            self._act("Back with customer", lambda: mark_returned(self.ctx, contact.id, contact.version))
            return
        day = ask_date(self, f"{contact.full_name} left", "&Left the customer on", today(self.ctx),
                       latest=today(self.ctx))  # fmt: skip
        if day is not None:
            self.mark_left(contact, day)

    def mark_left(self, contact: ContactRow, day: date) -> None:
        """Record the day a contact left; when they hold a portal seat, offer to revoke it."""
        if self._act("Mark left", lambda: mark_left(self.ctx, contact.id, contact.version, day)):
            role = "" if contact.role is ContactRole.OTHER else f", {contact.role.label.lower()},"
            self.status_message.emit(f"{contact.full_name}{role} recorded as having left {self.customer_name}.")
            self._offer_revoke(contact, day)

    def _offer_revoke(self, contact: ContactRow, day: date) -> None:
        if self.customer_id is None or contact.seat_id is None:
            return
        seat = next((s for s in seat_overview(self.customer_id).seats if s.id == contact.seat_id), None)
        if seat is None:
            return  # no seat, or one revoked already
        answer = QMessageBox.question(
            self,
            "Revoke their portal seat?",
            f"{contact.full_name} holds {seat.label}. Revoke it now, so the slot is free for someone else?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        dialog = RevokeSeatDialog(self.ctx, seat, parent=self)
        dialog.reason.setText(f"Left {self.customer_name}")
        dialog.on.setDate(QDate(day.year, day.month, day.day))  # clamped to the day the seat was requested
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.seats_changed.emit()
            self.status_message.emit(f"{seat.label} of {contact.full_name} revoked.")

    def link_selected(self) -> None:
        """Choose the portal seat the selected contact holds (or none)."""
        contact = self.selected()
        if contact is None or self.customer_id is None:
            return
        overview = seat_overview(self.customer_id)
        seats = [*overview.seats, *overview.history]
        labels = [NO_SEAT] + [f"Seat {s.seat_no} · {s.full_name} <{s.email}> · {s.status.label.lower()}" for s in seats]
        current = next((n + 1 for n, s in enumerate(seats) if s.id == contact.seat_id), 0)
        label, ok = QInputDialog.getItem(
            self, f"Link {contact.full_name} to a seat", "&Portal seat:", labels, current, False
        )
        if ok:
            index = labels.index(label)
            self.link_to(contact, seats[index - 1].id if index else None)

    def link_to(self, contact: ContactRow, seat_id: int | None) -> None:
        self._act("Link to seat", lambda: link_seat(self.ctx, contact.id, seat_id))

    def add_seat_holders(self) -> None:
        if self.customer_id is None:
            return
        customer_id = self.customer_id
        try:
            result = add_seat_holders(self.ctx, customer_id)
        except DomainError as exc:
            QMessageBox.warning(self, "Add seat holders as contacts", str(exc))
            return
        self._changed()
        if result.skipped:
            QMessageBox.warning(self, "Add seat holders as contacts", "\n".join([result.summary, "", *result.skipped]))
        self.status_message.emit(f"{self.customer_name}: {result.summary}")

    def import_file(self) -> None:
        path = ask_open_path(self, "Import contacts", "Contact exports (*.csv *.xlsx);;All files (*)")
        if path is not None:
            self.import_path(path)

    def import_path(self, path: Path) -> None:
        """Import a contact export in the background; its summary (or every problem) is said when it ends."""
        ctx = self.ctx

        def work(control: TaskControl) -> ContactImportSummary:
            return import_contacts(ctx, path)

        def done(result: ContactImportSummary) -> None:
            self._changed()
            self.last_import = result
            self.status_message.emit(f"{path.name}: {result.summary}")
            QMessageBox.information(self, "Import contacts", result.summary)

        run_with_progress(self, self.runner, "Import contacts", f"Reading {path.name}…", work, done)

    def _act(self, title: str, action: Callable[[], object]) -> bool:
        """Run one quick use case; its error is shown as a message, and the tab reloads either way."""
        ok = True
        try:
            action()
        except DomainError as exc:
            QMessageBox.warning(self, title, str(exc))
            ok = False
        self._changed()
        return ok

    def _changed(self) -> None:
        selected = self.selected()
        self.reload()
        if selected is not None:
            self.select_contact(selected.id)
        self.changed.emit()

"""Add or edit a contact of a customer, every rule checked as the TAM types.

Each field has room reserved under it for its message, so a message appearing (a role address, the same mailbox as
another contact) never moves the fields or resizes the dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.contacts import ContactRole, Influence
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.contacts import (
    ContactInput,
    ContactRow,
    add_contact,
    contact_problems,
    edit_contact,
    get_contact,
)
from tamdesk.views.widgets import Debouncer, FieldMessage, reserve_space, size_to_content

CHECK_DELAY_MS = 300
TEXT_FIELDS = ("full_name", "email", "title", "phone")
MESSAGE_LINES = {"full_name": 2, "email": 2}
"""Lines of text reserved under a field: an address's messages quote it and take two lines at the dialog's width;
the other fields' ("Title is longer than 200 characters.") take one."""


def _field_box(widget: QWidget, message: FieldMessage) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(message)
    return box


class ContactDialog(QDialog):
    """The contact form: a new contact of ``customer_id``, or ``contact`` to edit. After ``accept`` ``contact_id``
    holds the saved contact."""

    def __init__(
        self,
        ctx: Context,
        customer_id: int,
        customer_name: str,
        *,
        contact: ContactRow | None = None,
        check_delay_ms: int = CHECK_DELAY_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.contact = contact
        self.contact_id: int | None = contact.id if contact else None
        self._touched: set[str] = set()
        self.setWindowTitle(
            f"Edit {contact.full_name} — {customer_name}" if contact else f"Add a contact — {customer_name}"
        )
        self.setMinimumWidth(560)
        self._build(customer_name)
        self._debouncer = Debouncer(check_delay_ms, self.run_check, self)
        for name in TEXT_FIELDS:
            self.inputs[name].textEdited.connect(lambda _=None, n=name: self._edited(n))
        self._fill()
        size_to_content(self)

    def _build(self, customer_name: str) -> None:
        intro = (
            f"A stakeholder at {customer_name}: their own address, never a shared one such as support@."
            if self.contact is None
            else "Correct the contact's details."
        )
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict[str, FieldMessage] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, placeholder in (
            ("full_name", "&Name", "Ana Ruiz"),
            ("email", "&Email", "ana.ruiz@kestrel.example"),
            ("title", "&Title", "VP Operations"),
            ("phone", "&Phone", "+49 40 5550 1001"),
        ):
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(label.replace("&", ""))
            self.inputs[key] = edit
            self._row(form, key, label, edit)
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for role in ContactRole:
            self.role.addItem(role.label, role.value)
        self.role.setCurrentIndex(self.role.findData(ContactRole.OTHER.value))
        self._row(form, "role", "&Role", self.role)
        self.influence = QComboBox()
        self.influence.setAccessibleName("Influence")
        self.influence.addItem("Not judged", "")
        for level in Influence:
            self.influence.addItem(level.label, level.value)
        self._row(form, "influence", "&Influence", self.influence)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("What matters to them, who they report to …")
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.notes.setTabChangesFocus(True)
        self._row(form, "notes", "N&otes", self.notes)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Add contact" if self.contact is None else "Save")
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _row(self, form: QFormLayout, key: str, label: str, widget: QWidget) -> None:
        self.errors[key] = reserve_space(FieldMessage(), MESSAGE_LINES.get(key, 1))
        caption = QLabel(label)
        caption.setBuddy(widget)
        form.addRow(caption, _field_box(widget, self.errors[key]))

    def _fill(self) -> None:
        if self.contact is None:
            return
        c = self.contact
        for name in TEXT_FIELDS:
            self.inputs[name].setText(getattr(c, name))
        self.role.setCurrentIndex(self.role.findData(c.role.value))
        self.influence.setCurrentIndex(self.influence.findData(c.influence.value if c.influence else ""))
        self.notes.setPlainText(c.notes)
        self._touched.update(TEXT_FIELDS)

    # -- checking -------------------------------------------------------------------------------------------

    def input(self) -> ContactInput:
        return ContactInput(
            full_name=self.inputs["full_name"].text(),
            email=self.inputs["email"].text(),
            title=self.inputs["title"].text(),
            role=ContactRole(self.role.currentData()),
            influence=self.influence.currentData() or None,
            phone=self.inputs["phone"].text(),
            notes=self.notes.toPlainText(),
        )

    def _edited(self, name: str) -> None:
        self._touched.add(name)
        self._debouncer.trigger()

    def run_check(self) -> dict[str, str]:
        """Show the problem of each field typed in so far beside it; returns every problem."""
        self._debouncer.timer.stop()
        problems = contact_problems(self.customer_id, self.input(), self.contact_id)
        self._show(problems, only_touched=True)
        return problems

    def _show(self, problems: dict[str, str], *, only_touched: bool) -> None:
        for key, message in self.errors.items():
            shown = not only_touched or key in self._touched or key not in TEXT_FIELDS
            message.set_error(problems.get(key, "") if shown else "")

    # -- saving ---------------------------------------------------------------------------------------------

    def save(self) -> None:
        """Save through the service; a broken rule shows beside its field and the dialog stays open."""
        self._touched.update(TEXT_FIELDS)
        data = self.input()
        try:
            if self.contact is None:
                self.contact_id = add_contact(self.ctx, self.customer_id, data)
            else:
                edit_contact(self.ctx, self.contact.id, self.contact.version, data)
        except ValidationFailed as exc:
            self._show(exc.errors, only_touched=False)
            first = next((k for k in self.errors if k in exc.errors), None)
            if first in self.inputs:
                self.inputs[first].setFocus()
            return
        except StaleEdit:
            self._stale()
            return
        except DomainError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        self.accept()

    def _stale(self) -> None:
        """Someone saved this contact meanwhile: say so; the TAM's entries stay for a second Save."""
        assert self.contact is not None
        try:
            current = get_contact(self.contact.id)
        except DomainError:
            QMessageBox.warning(self, self.windowTitle(), "This contact was deleted by someone else meanwhile.")
            self.reject()
            return
        QMessageBox.warning(
            self,
            "Changed by someone else",
            f"{current.full_name} was saved by someone else after you opened it. Your entries are kept: Save again "
            "to replace theirs, or Cancel.",
        )
        self.contact = current

"""The People directory section: TAMs, support managers, directors and the VP; deactivated, never deleted."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from tamdesk.domain.states import PersonRole
from tamdesk.services.directory import (
    DirectoryEntry,
    PersonInput,
    add_person,
    list_directory,
    set_active,
    update_person,
)
from tamdesk.views.pages.settings.section import RowEditorSection
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.widgets import configure_table, remember_header


def _people_columns() -> list[Column[DirectoryEntry]]:
    muted = QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return [
        Column[DirectoryEntry]("Name", lambda p: p.name, foreground=lambda p: None if p.active else muted),
        Column[DirectoryEntry]("Role", lambda p: p.role.label),
        Column[DirectoryEntry]("Email", lambda p: p.email or "—", email=True, stretch=True),
        Column[DirectoryEntry]("Status", lambda p: "Active" if p.active else "Left (inactive)"),
        Column[DirectoryEntry]("Customers", lambda p: str(p.customers) if p.role is PersonRole.TAM else "",
                               align_right=True),
    ]  # fmt: skip


class PeopleSection(RowEditorSection):
    title = "People directory"
    intro = (
        "TAMs, support managers, senior directors and the VP of Customer Success. Customers name their TAM from "
        "here and escalations name support management. Someone who leaves is deactivated, not deleted, so "
        "history keeps their name."
    )
    saved_text = "Saved to the directory."
    expanding = True

    def build(self) -> None:
        self._editing: int | None = None
        self.show_inactive = QCheckBox("Show people who &left")
        self.model = RowTableModel[DirectoryEntry](_people_columns(), self)
        self.table = QTableView()
        self.table.setAccessibleName("People")
        configure_table(self.table)
        self.table.setModel(self.model)
        self.table.setMinimumHeight(220)
        remember_header(self.table, "people", widths=(170, 190, 230, 110, 90))
        self.follow_table()
        self.new_button = QPushButton("&New person")
        self.active_button = QPushButton("&Deactivate")
        self.active_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_inactive)
        self.body.addLayout(buttons)
        self.body.addWidget(self.table, 1)
        self.group = QGroupBox("New person")
        form = self.form(self.group)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Full name, e.g. Maria Lopez")
        self.email = QLineEdit()
        self.email.setPlaceholderText("maria.lopez@example.com")
        self.role = QComboBox()
        for role in PersonRole:
            self.role.addItem(role.label, role)
        self.add_field(form, "name", "N&ame", self.name)
        self.add_field(form, "email", "&Email", self.email, "Optional; checked as you save (no mail is sent).")
        self.add_field(form, "role", "&Role", self.role)
        form.addRow(self.save_row())
        self.body.addWidget(self.group)
        self.new_button.clicked.connect(self.start_new)
        self.active_button.clicked.connect(self._toggle_active)
        self.show_inactive.toggled.connect(self._inactive_toggled)
        self.track(self.name.textChanged, self.email.textChanged, self.role.currentIndexChanged)

    def read(self) -> None:
        self.model.set_rows(list_directory(include_inactive=self.show_inactive.isChecked()))
        rows = self.model.rows()
        match = next((i for i, p in enumerate(rows) if p.id == self._editing), None)
        if match is None:
            self._fill(None)
        else:
            self.table.selectRow(match)
            self._fill(rows[match])

    def values(self) -> object:
        return self.name.text().strip(), self.email.text().strip(), PersonRole(self.role.currentData())

    def write(self) -> None:
        data = PersonInput(self.name.text(), self.email.text(), PersonRole(self.role.currentData()))
        if self._editing is None:
            self._editing = add_person(self.ctx, data)
        else:
            update_person(self.ctx, self._editing, self._current().version, data)

    def _inactive_toggled(self, checked: bool) -> None:
        if self.may_discard():
            self.load()
        else:
            self.show_inactive.blockSignals(True)
            self.show_inactive.setChecked(not checked)
            self.show_inactive.blockSignals(False)

    def _current(self) -> DirectoryEntry:
        return next(p for p in self.model.rows() if p.id == self._editing)

    def _fill(self, person: DirectoryEntry | None) -> None:
        self._editing = person.id if person else None
        self.name.setText(person.name if person else "")
        self.email.setText(person.email if person else "")
        self.role.setCurrentIndex(self.role.findData(person.role if person else PersonRole.TAM))
        self.group.setTitle(f"Edit {person.name}" if person else "New person")
        self.save_button.setText("Save changes" if person else "Add person")
        self.active_button.setEnabled(person is not None)
        self.active_button.setText("Re&activate" if person and not person.active else "&Deactivate")

    def first_field(self) -> QWidget:
        return self.name

    def _toggle_active(self) -> None:
        person = self._current()
        verb = "reactivated" if not person.active else "deactivated; they stay on past records"
        self.attempt(lambda: set_active(self.ctx, person.id, person.version, not person.active),
                     f"{person.name} {verb}.")  # fmt: skip

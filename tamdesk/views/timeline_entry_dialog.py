"""Log (or edit) a meeting, call, email or note on a customer's timeline: when, who took part, what it was about,
which tickets, escalations and defects it mentions, and the follow-ups it created.

Every message has its own reserved room under its group of fields, so a message appearing never moves a field or
a button under the pointer and the dialog keeps its size. Someone typed as an attendee who is not yet a contact of
the customer (nor a person of our side) can be added as a contact on the spot.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.timeline import EntryKind, Owner
from tamdesk.services.base import Context, DomainError, StaleEdit, ValidationFailed
from tamdesk.services.contacts import ContactInput, add_contact, list_contacts
from tamdesk.services.customers import get_customer
from tamdesk.services.directory import list_directory
from tamdesk.services.follow_ups import owner_choices
from tamdesk.services.timeline import (
    EntryDetail,
    EntryInput,
    FollowUpInput,
    SavedEntry,
    add_entry,
    edit_entry,
    find_party,
    link_choices,
)
from tamdesk.views.datetime_field import DateTimeField
from tamdesk.views.widgets import FieldMessage, reserve_space, resize_within_screen

ROLE = Qt.ItemDataRole.UserRole
_NAMED_ADDRESS = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*$")

# which message shows a service error, by the error's field
_GROUPS = {"kind": "top", "at": "top", "title": "top", "attendees": "people", "links": "people", "body": "body"}


def split_person(text: str) -> tuple[str, str]:
    """``Ana Ruiz <ana@acme.com>`` -> (``Ana Ruiz``, ``ana@acme.com``); a bare address gives its local part as the
    name; anything else is a name without an address."""
    match = _NAMED_ADDRESS.match(text)
    if match:
        return match["name"] or match["email"].split("@")[0], match["email"]
    stripped = text.strip()
    if "@" in stripped and " " not in stripped:
        return stripped.split("@")[0].replace(".", " ").title(), stripped
    return stripped, ""


class TimelineEntryDialog(QDialog):
    """The entry form; ``saved`` holds what the service answered once the entry is saved."""

    def __init__(
        self,
        ctx: Context,
        customer_id: int,
        customer_name: str,
        *,
        kind: EntryKind = EntryKind.MEETING,
        existing: EntryDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.customer_id, self.customer_name, self.existing = ctx, customer_id, customer_name, existing
        self.saved: SavedEntry | None = None
        self.setWindowTitle(f"{'Edit' if existing else 'Log'} timeline entry — {customer_name}")
        resize_within_screen(self, 900, 760)  # the notes take what room the screen leaves
        # lines kept for each part's message: an attendee's or a follow-up's problem quotes it and takes two
        lines = {"top": 1, "people": 2, "body": 1, "follow_ups": 2}
        self.messages = {key: reserve_space(FieldMessage(), n) for key, n in lines.items()}
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_top(kind))
        layout.addWidget(self.messages["top"])
        layout.addLayout(self._build_people())
        layout.addWidget(self.messages["people"])
        layout.addWidget(QLabel("&Notes:", buddy=self._build_body()))
        layout.addWidget(self.body, 1)
        layout.addWidget(self.messages["body"])
        layout.addLayout(self._build_follow_ups())
        layout.addWidget(self.messages["follow_ups"])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if existing is not None:
            self._show_existing(existing)

    # -- building ---------------------------------------------------------------------------------------------

    def _build_top(self, kind: EntryKind) -> QFormLayout:
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for k in EntryKind:
            self.kind.addItem(k.label, k)
        self.kind.setCurrentIndex(list(EntryKind).index(kind))
        self.at = DateTimeField(self.ctx.now, "When")
        self.at.set_customer_zone(get_customer(self.customer_id).input.time_zone)
        reserve_space(self.at.message, 1)
        self.at.set_value(self.ctx.now())
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("e.g. Quarterly business review")
        form = QFormLayout()
        form.addRow("&Kind:", self.kind)
        form.addRow("&When:", self.at)
        form.addRow("&Title:", self.title_edit)
        for widget in (self.kind, self.title_edit):
            signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.textEdited
            signal.connect(lambda *_: self.messages["top"].clear())
        return form

    def _build_people(self) -> QGridLayout:
        self.attendees = QListWidget()
        self.attendees.setAccessibleName("Attendees")
        for contact in list_contacts(self.customer_id):
            detail = f" <{contact.email}>" if contact.email else ""
            self._add_attendee_item(f"{contact.full_name}{detail}", ("contact", contact.id))
        for person in list_directory(include_inactive=False):
            self._add_attendee_item(f"{person.name} (our side)", ("person", person.id))
        self.attendee_text = QLineEdit()
        self.attendee_text.setAccessibleName("Add an attendee")
        self.attendee_text.setPlaceholderText("Someone else: Name <email>")
        self.attendee_text.returnPressed.connect(self.add_attendee)
        self.add_attendee_button = QPushButton("Add &attendee")
        self.add_attendee_button.clicked.connect(self.add_attendee)
        self.links = QListWidget()
        self.links.setAccessibleName("Mentions")
        for choice in link_choices(self.customer_id):
            item = QListWidgetItem(choice.label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(ROLE, (choice.kind, choice.id))
            self.links.addItem(item)
        for view in (self.attendees, self.links):
            view.itemChanged.connect(lambda *_: self.messages["people"].clear())
            view.setMinimumHeight(90)
        adder = QHBoxLayout()
        adder.addWidget(self.attendee_text, 1)
        adder.addWidget(self.add_attendee_button)
        grid = QGridLayout()
        grid.addWidget(QLabel("Atte&ndees (the customer's contacts and our side):", buddy=self.attendees), 0, 0)
        grid.addWidget(QLabel("&Mentions (tickets, escalations, defects):", buddy=self.links), 0, 1)
        grid.addWidget(self.attendees, 1, 0)
        grid.addWidget(self.links, 1, 1)
        grid.addLayout(adder, 2, 0)
        return grid

    def _add_attendee_item(self, label: str, key: tuple[str, int], checked: bool = False) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setData(ROLE, key)
        self.attendees.addItem(item)
        return item

    def _build_body(self) -> QPlainTextEdit:
        self.body = QPlainTextEdit()
        self.body.setAccessibleName("Notes")
        self.body.setPlaceholderText("What was said and agreed (plain text; line breaks are kept)")
        self.body.textChanged.connect(lambda: self.messages["body"].clear())
        return self.body

    def _build_follow_ups(self) -> QVBoxLayout:
        self.follow_ups = QTableWidget(0, 3)
        self.follow_ups.setAccessibleName("Follow-ups")
        self.follow_ups.setHorizontalHeaderLabels(["What", "Owner", "Due"])
        self.follow_ups.verticalHeader().setVisible(False)
        self.follow_ups.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.follow_ups.setMinimumHeight(96)
        header = self.follow_ups.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.add_follow_up_button = QPushButton("Add &follow-up")
        self.add_follow_up_button.clicked.connect(lambda: self.add_follow_up())
        self.remove_follow_up_button = QPushButton("&Remove follow-up")
        self.remove_follow_up_button.clicked.connect(self.remove_follow_up)
        title = QHBoxLayout()
        title.addWidget(QLabel("Follow-ups (due on a business day of the customer):"), 1)
        title.addWidget(self.add_follow_up_button)
        title.addWidget(self.remove_follow_up_button)
        column = QVBoxLayout()
        column.addLayout(title)
        column.addWidget(self.follow_ups)
        if self.existing is not None:
            column.addWidget(QLabel(f"New follow-ups are added; the {len(self.existing.follow_up_ids)} made before "
                                    "are done, deferred or reassigned on Today."))  # fmt: skip
        return column

    # -- follow-ups -------------------------------------------------------------------------------------------

    def add_follow_up(self, what: str = "", owner: str = "", due: date | None = None) -> int:
        """Add a follow-up row (optionally filled) and return its row number."""
        row = self.follow_ups.rowCount()
        self.follow_ups.insertRow(row)
        what_edit = QLineEdit(what)
        what_edit.setAccessibleName(f"Follow-up {row + 1}: what")
        what_edit.textEdited.connect(lambda *_: self.messages["follow_ups"].clear())
        owners = QComboBox()
        owners.setAccessibleName(f"Follow-up {row + 1}: owner")
        owners.addItem("— choose —", None)
        for choice in owner_choices(self.customer_id):
            owners.addItem(f"{choice.name} ({choice.detail})", choice.owner)
        if owner:
            found = owners.findText(owner, Qt.MatchFlag.MatchStartsWith)
            owners.setCurrentIndex(max(found, 0))
        due_edit = QDateEdit()
        due_edit.setCalendarPopup(True)
        due_edit.setDisplayFormat("ddd d MMM yyyy")
        due_edit.setAccessibleName(f"Follow-up {row + 1}: due")
        start = due or self.ctx.now().astimezone().date()
        due_edit.setDate(QDate(start.year, start.month, start.day))
        self.follow_ups.setCellWidget(row, 0, what_edit)
        self.follow_ups.setCellWidget(row, 1, owners)
        self.follow_ups.setCellWidget(row, 2, due_edit)
        return row

    def remove_follow_up(self) -> None:
        rows = sorted({index.row() for index in self.follow_ups.selectedIndexes()}, reverse=True)
        for row in rows or ([self.follow_ups.rowCount() - 1] if self.follow_ups.rowCount() else []):
            self.follow_ups.removeRow(row)
        self.messages["follow_ups"].clear()

    def follow_up_widgets(self, row: int) -> tuple[QLineEdit, QComboBox, QDateEdit]:
        what, owner, due = (self.follow_ups.cellWidget(row, c) for c in range(3))
        assert isinstance(what, QLineEdit) and isinstance(owner, QComboBox) and isinstance(due, QDateEdit)
        return what, owner, due

    def _follow_up_inputs(self) -> list[FollowUpInput]:
        inputs = []
        for row in range(self.follow_ups.rowCount()):
            what, owners, due = self.follow_up_widgets(row)
            owner: Owner | None = owners.currentData()
            picked = due.date()
            inputs.append(
                FollowUpInput(what.text(), date(picked.year(), picked.month(), picked.day()),
                              owner.person_id if owner else None, owner.contact_id if owner else None)
            )  # fmt: skip
        return inputs

    # -- attendees --------------------------------------------------------------------------------------------

    def _item_for(self, key: tuple[str, int]) -> QListWidgetItem | None:
        for i in range(self.attendees.count()):
            if self.attendees.item(i).data(ROLE) == tuple(key):
                return self.attendees.item(i)
        return None

    def add_attendee(self) -> None:
        """Tick the contact or person typed; someone unknown can be added as a contact of the customer."""
        text = self.attendee_text.text().strip()
        if not text:
            return
        party = find_party(self.customer_id, text)
        if party is not None:
            key = ("contact", party.contact_id) if party.contact_id is not None else ("person", party.person_id)
            item = self._item_for(key)  # type: ignore[arg-type]
            if item is None:
                item = self._add_attendee_item(party.name, key)  # type: ignore[arg-type]
            item.setCheckState(Qt.CheckState.Checked)
            self.attendee_text.clear()
            return
        name, email = split_person(text)
        answer = QMessageBox.question(
            self,
            "Add a contact",
            f"{name}{f' <{email}>' if email else ''} is not a contact of {self.customer_name}. Add them as a "
            "contact of the customer and as an attendee?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            contact_id = add_contact(self.ctx, self.customer_id, ContactInput(full_name=name, email=email))
        except ValidationFailed as exc:
            self.messages["people"].set_error(" ".join(exc.errors.values()))
            return
        except DomainError as exc:
            self.messages["people"].set_error(str(exc))
            return
        self._add_attendee_item(f"{name}{f' <{email}>' if email else ''}", ("contact", contact_id), checked=True)
        self.attendee_text.clear()

    def _checked(self, view: QListWidget) -> list[tuple[str, int]]:
        return [
            view.item(i).data(ROLE) for i in range(view.count()) if view.item(i).checkState() == Qt.CheckState.Checked
        ]

    def check_attendee(self, label_start: str) -> None:
        """Tick the attendee whose label starts with ``label_start`` (as a click on its box does)."""
        for i in range(self.attendees.count()):
            if self.attendees.item(i).text().startswith(label_start):
                self.attendees.item(i).setCheckState(Qt.CheckState.Checked)
                return
        raise LookupError(label_start)

    # -- saving -----------------------------------------------------------------------------------------------

    def entry_input(self) -> EntryInput | None:
        at = self.at.value()
        if at is None:
            return None
        attendees = self._checked(self.attendees)
        links = self._checked(self.links)
        return EntryInput(
            kind=self.kind.currentData(), at=at, title=self.title_edit.text(), body=self.body.toPlainText(),
            attendee_contact_ids=[i for k, i in attendees if k == "contact"],
            attendee_person_ids=[i for k, i in attendees if k == "person"],
            ticket_ids=[i for k, i in links if k == "ticket"],
            escalation_ids=[i for k, i in links if k == "escalation"],
            defect_ids=[i for k, i in links if k == "defect"],
            follow_ups=self._follow_up_inputs(),
        )  # fmt: skip

    def save(self) -> None:
        for message in self.messages.values():
            message.clear()
        data = self.entry_input()
        if data is None:
            return
        try:
            if self.existing is None:
                self.saved = add_entry(self.ctx, self.customer_id, data)
            else:
                self.saved = edit_entry(self.ctx, self.existing.id, self.existing.version, data)
        except ValidationFailed as exc:
            self._show_errors(exc.errors)
            return
        except StaleEdit as exc:
            self.messages["top"].set_error(str(exc))
            return
        except DomainError as exc:
            self.messages["top"].set_error(str(exc))
            return
        self.accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        grouped: dict[str, list[str]] = {}
        for field_name, text in errors.items():
            grouped.setdefault(_GROUPS.get(field_name, "follow_ups"), []).append(text)
        for group, texts in grouped.items():
            self.messages[group].set_error(" ".join(texts))

    def _show_existing(self, existing: EntryDetail) -> None:
        data = existing.input
        self.kind.setCurrentIndex(list(EntryKind).index(EntryKind(data.kind)))
        self.at.show_stored(data.at)
        self.title_edit.setText(data.title)
        self.body.setPlainText(data.body)
        for key in [("contact", c) for c in data.attendee_contact_ids] + [
            ("person", p) for p in data.attendee_person_ids
        ]:
            item = self._item_for(key)
            if item is not None:
                item.setCheckState(Qt.CheckState.Checked)
        wanted = {("ticket", i) for i in data.ticket_ids} | {("escalation", i) for i in data.escalation_ids}
        wanted |= {("defect", i) for i in data.defect_ids}
        for i in range(self.links.count()):
            if tuple(self.links.item(i).data(ROLE)) in wanted:
                self.links.item(i).setCheckState(Qt.CheckState.Checked)
        for message in self.messages.values():
            message.clear()

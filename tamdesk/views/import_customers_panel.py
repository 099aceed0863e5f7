"""The Import… dialog's list of organizations that match no customer, with a choice per name.

Each name gets one of: map it to a customer (the import remembers the name as one the customer is also known as),
create a customer of that name, or skip its tickets. Choices are kept by name across a new look at the file (another
time zone, another mapping), so the user never chooses twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from tamdesk.domain.names import name_key
from tamdesk.services.customer_match import NO_NAME, CustomerChoices, UnmatchedCustomer
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.widgets import SearchableComboBox, Tone, configure_table, set_tone_style, tone_color

CHOICE_COLUMN = 2
CUSTOMER_COLUMN = 3


class Decision(StrEnum):
    """What becomes of a name that matches no customer."""

    MAP = "Map to…"
    CREATE = "Create customer"
    SKIP = "Skip its tickets"


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _rows_text(item: UnmatchedCustomer) -> str:
    rows = ", ".join(str(n) for n in item.rows[:20]) + (" …" if item.tickets > 20 else "")
    domains = f"\nRequester domains: {', '.join(item.domains)}" if item.domains else ""
    return f"Rows {rows}{domains}"


class UnmatchedModel(RowTableModel[UnmatchedCustomer]):
    """The names, with their ticket counts; the Choice and Customer cells hold combo boxes."""

    def __init__(self, parent: object = None) -> None:
        super().__init__([], parent)
        self.decided: set[str] = set()  # name keys with a complete choice
        self.columns = [
            Column[UnmatchedCustomer]("In the file", lambda r: r.name, tooltip=_rows_text, width=200,
                                      foreground=lambda r: None if name_key(r.name) in self.decided
                                      else tone_color(Tone.WARNING)),
            Column[UnmatchedCustomer]("Tickets", lambda r: f"{r.tickets:,}", align_right=True, width=64),
            Column[UnmatchedCustomer]("Choice", lambda r: "", width=170),
            Column[UnmatchedCustomer]("Customer", lambda r: ""),
        ]  # fmt: skip


class ImportCustomersPanel(QWidget):
    """The unmatched names and a choice for each; ``choices_changed`` fires on every change."""

    choices_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[UnmatchedCustomer] = []
        self._choices: dict[str, tuple[Decision, str]] = {}  # name key → (decision, customer name for MAP)
        self.choice_boxes: dict[str, QComboBox] = {}
        self.customer_boxes: dict[str, SearchableComboBox] = {}
        self.customer_names: list[str] = []
        self._customer_model = QStandardItemModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.model = UnmatchedModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Organizations that match no customer")
        configure_table(self.table)
        self.table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setModel(self.model)
        for n, column in enumerate(self.model.columns):
            if column.width:
                self.table.setColumnWidth(n, column.width)
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(max(rows.defaultSectionSize(), QComboBox().sizeHint().height() + 4))
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.create_rest = QPushButton("Create the undecided")
        self.create_rest.setToolTip("Create a customer for every name not chosen yet")
        self.create_rest.clicked.connect(lambda: self.decide_undecided(Decision.CREATE))
        self.skip_rest = QPushButton("Skip the undecided")
        self.skip_rest.setToolTip("Skip the tickets of every name not chosen yet")
        self.skip_rest.clicked.connect(lambda: self.decide_undecided(Decision.SKIP))
        buttons.addStretch(1)
        buttons.addWidget(self.create_rest)
        buttons.addWidget(self.skip_rest)
        layout.addLayout(buttons)
        self._show_heading()

    # -- content ----------------------------------------------------------------------------------------------

    def set_unmatched(self, items: Sequence[UnmatchedCustomer], customers: Sequence[str]) -> None:
        """Show ``items`` with the choices already made for their names; ``customers`` are the names to map to."""
        if list(items) == self.items and list(customers) == self.customer_names:
            self._refresh()  # another look at the same file: keep the rows (and a half-typed name) as they are
            return
        self.items = list(items)
        self.customer_names = list(customers)
        self._customer_model.clear()
        for name in customers:
            self._customer_model.appendRow(QStandardItem(name))
        self.choice_boxes, self.customer_boxes = {}, {}  # the view deletes the old boxes on reset
        self.model.set_rows(self.items)
        for row, item in enumerate(self.items):
            self._build_row(row, item)
        self._refresh()

    def forget_choices(self) -> None:
        """Start another file with nothing chosen."""
        self._choices.clear()
        self.set_unmatched([], self.customer_names)

    def _build_row(self, row: int, item: UnmatchedCustomer) -> None:
        key = name_key(item.name)
        choice = QComboBox()
        choice.setAccessibleName(f"Choice for {item.name}")
        choice.addItems([d.value for d in Decision])
        choice.setPlaceholderText("✖ choose…")
        if item.name == NO_NAME:
            entry = choice.model().item(list(Decision).index(Decision.CREATE))  # type: ignore[attr-defined]
            entry.setEnabled(False)
            entry.setToolTip("A ticket without an organization cannot name a new customer")
        customer = SearchableComboBox()
        customer.setModel(self._customer_model)
        customer.setAccessibleName(f"Customer for {item.name}")
        decision, target = self._choices.get(key, (None, ""))
        choice.setCurrentIndex(list(Decision).index(decision) if decision else -1)
        customer.setCurrentIndex(-1)
        customer.setEditText(target)
        customer.setEnabled(decision is Decision.MAP)
        choice.currentIndexChanged.connect(lambda n, name=item.name: self._chose(name, n))
        customer.currentTextChanged.connect(lambda _, name=item.name: self._typed(name))
        self.table.setIndexWidget(self.model.index(row, CHOICE_COLUMN), choice)
        self.table.setIndexWidget(self.model.index(row, CUSTOMER_COLUMN), customer)
        self.choice_boxes[key] = choice
        self.customer_boxes[key] = customer

    def _chose(self, name: str, index: int) -> None:
        key = name_key(name)
        decision = list(Decision)[index] if index >= 0 else None
        customer = self.customer_boxes[key]
        customer.setEnabled(decision is Decision.MAP)
        if decision is None:
            self._choices.pop(key, None)
        else:
            self._choices[key] = (decision, customer.currentText().strip() if decision is Decision.MAP else "")
        if decision is Decision.MAP and not self._target_known(key):
            customer.setFocus()
        self._refresh()

    def _typed(self, name: str) -> None:
        key = name_key(name)
        if self._choices.get(key, (None, ""))[0] is Decision.MAP:
            self._choices[key] = (Decision.MAP, self.customer_boxes[key].currentText().strip())
            self._refresh()

    # -- choices ----------------------------------------------------------------------------------------------

    def decide(self, name: str, decision: Decision | None, customer: str = "") -> None:
        """Choose for ``name`` as a user does in its row (``customer`` for MAP)."""
        key = name_key(name)
        if decision is None:
            self._choices.pop(key, None)
        else:
            self._choices[key] = (decision, customer if decision is Decision.MAP else "")
        box, choice = self.customer_boxes.get(key), self.choice_boxes.get(key)
        if box is not None and choice is not None:
            for widget in (box, choice):
                widget.blockSignals(True)
            if decision is Decision.MAP:
                box.setEditText(customer)
            box.setEnabled(decision is Decision.MAP)
            choice.setCurrentIndex(list(Decision).index(decision) if decision else -1)
            for widget in (box, choice):
                widget.blockSignals(False)
        self._refresh()

    def decide_undecided(self, decision: Decision) -> None:
        for name in self.undecided():
            if decision is Decision.CREATE and name == NO_NAME:
                continue
            self.decide(name, decision)

    def _target_known(self, key: str) -> bool:
        target = self._choices.get(key, (None, ""))[1]
        return any(name_key(n) == name_key(target) for n in self.customer_names) if target else False

    def _complete(self, key: str) -> bool:
        decision = self._choices.get(key, (None, ""))[0]
        return decision is not None and (decision is not Decision.MAP or self._target_known(key))

    def undecided(self) -> list[str]:
        """Names still without a complete choice (MAP needs a customer that exists)."""
        return [item.name for item in self.items if not self._complete(name_key(item.name))]

    def choices(self) -> CustomerChoices:
        """What the import is told for the listed names."""
        mapped, created, skipped = {}, set(), set()
        for item in self.items:
            decision, target = self._choices.get(name_key(item.name), (None, ""))
            if decision is Decision.MAP and target:
                mapped[item.name] = target
            elif decision is Decision.CREATE:
                created.add(item.name)
            elif decision is Decision.SKIP:
                skipped.add(item.name)
        return CustomerChoices(mapped=mapped, created=frozenset(created), skipped=frozenset(skipped))

    def skipped_tickets(self) -> int:
        return sum(i.tickets for i in self.items if self._choices.get(name_key(i.name), (None,))[0] is Decision.SKIP)

    def row_labels(self) -> dict[int, str]:
        """File line → what becomes of its customer, for the preview."""
        labels: dict[int, str] = {}
        for item in self.items:
            key = name_key(item.name)
            decision, target = self._choices.get(key, (None, ""))
            if not self._complete(key):
                text = f"? {item.name}"
            elif decision is Decision.MAP:
                text = f"→ {target}"
            elif decision is Decision.CREATE:
                text = f"{item.name} (new customer)"
            else:
                text = f"{item.name}: skipped"
            labels.update(dict.fromkeys(item.rows, text))
        return labels

    # -- looks ------------------------------------------------------------------------------------------------

    def _refresh(self) -> None:
        self.model.decided = {name_key(i.name) for i in self.items if self._complete(name_key(i.name))}
        for key, box in self.customer_boxes.items():
            decision = self._choices.get(key, (None, ""))[0]
            set_tone_style(box, Tone.ERROR if decision is Decision.MAP and not self._target_known(key) else None)
            line = box.lineEdit()
            if line is not None:
                line.setPlaceholderText("type to find a customer" if decision is Decision.MAP else "")
        for key, choice in self.choice_boxes.items():
            set_tone_style(choice, None if key in self.model.decided or self._choices.get(key) else Tone.WARNING)
        if self.items:
            self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(len(self.items) - 1, 0))
        left = len(self.undecided())
        self.create_rest.setEnabled(left > 0)
        self.skip_rest.setEnabled(left > 0)
        self._show_heading()
        self.choices_changed.emit()

    def _show_heading(self) -> None:
        if not self.items:
            self.heading.setText("Every organization in the file matches a customer.")
            return
        tickets = sum(i.tickets for i in self.items)
        names = len(self.items)
        left = len(self.undecided())
        still = f" <b>{left} still to choose.</b>" if left else " All chosen."
        verb = "matches" if names == 1 else "match"
        self.heading.setText(
            f"{_count(names, 'name')} in the file ({_count(tickets, 'ticket')}) {verb} no customer by name, "
            "also-known-as name or email domain. For each: map it to a customer (it is remembered as a name that "
            f"customer is also known as), create it, or skip its tickets.{still}"
        )

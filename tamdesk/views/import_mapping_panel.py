"""The Import… dialog's column mapping: a combo box per field, saved mappings, and the columns left out.

Each field starts at its default column (the source's preset, or a column named like the field); the user picks
another, or none for an optional field. What differs from the defaults is what the import is told and what a saved
mapping keeps, so a mapping saved for one export still fits the next export of the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from tamdesk.domain.sources import ImportSource
from tamdesk.services.import_mappings import SavedMapping
from tamdesk.services.tabular import ImportField
from tamdesk.views.ticket_import_mapping import (
    Choices,
    FileHead,
    MappingModel,
    column_box,
    column_mapping,
    mapping_columns,
    unused_columns,
)
from tamdesk.views.widgets import Tone, configure_table, set_tone_style

FILE_COLUMN = 1  # the mapping table's column that holds a combo box per field
NO_SAVED_MAPPING = "— none"
SOURCE_NAMES = {ImportSource.ZENDESK: "Zendesk", ImportSource.SALESFORCE: "Salesforce",
                ImportSource.JSM: "Jira Service Management", ImportSource.TAMDESK: "tamdesk columns"}  # fmt: skip


class ColumnMappingPanel(QWidget):
    """Which file column feeds which field; ``columns_changed`` fires after every change of column."""

    columns_changed = Signal()
    saved_chosen = Signal(object)  # the SavedMapping the user picked
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.head: FileHead | None = None
        self.fields: tuple[ImportField, ...] = ()
        self.defaults: Choices = {}
        self.choices: Choices = {}
        self.column_boxes: dict[str, QComboBox] = {}
        self._lacking = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Which file column feeds which field</b> (* required)"))
        layout.addLayout(self._build_saved())
        layout.addWidget(self._build_table(), 1)
        self.unused = QLabel()
        self.unused.setStyleSheet("color: palette(placeholder-text);")
        self.unused.setWordWrap(True)
        self.unused.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 2)  # kept, so nothing moves
        self.unused.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.unused)

    def _build_saved(self) -> QHBoxLayout:
        self.saved = QComboBox()
        self.saved.setAccessibleName("Saved mapping")
        self.saved.setToolTip("A mapping saved earlier: its source and the columns chosen for its fields")
        self.saved.addItem(NO_SAVED_MAPPING, None)
        self.saved.activated.connect(lambda _: self.saved_chosen.emit(self.saved.currentData()))
        label = QLabel("Sa&ved mapping")
        label.setBuddy(self.saved)
        self.save_mapping_button = QPushButton("Save mapping…")
        self.save_mapping_button.setToolTip("Keep this source and these columns under a name, for the next export")
        self.save_mapping_button.clicked.connect(self.save_requested.emit)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.saved, 1)
        row.addWidget(self.save_mapping_button)
        return row

    def _build_table(self) -> QTableView:
        self.mapping_model = MappingModel(mapping_columns(), self)
        self.mapping = QTableView()
        self.mapping.setAccessibleName("Column mapping")
        configure_table(self.mapping)
        # Tab goes from combo box to combo box; the table itself has nothing else to act on.
        self.mapping.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mapping.setTabKeyNavigation(False)
        self.mapping.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.mapping.setModel(self.mapping_model)
        for n, column in enumerate(self.mapping_model.columns):
            if column.width:
                self.mapping.setColumnWidth(n, column.width)
        rows = self.mapping.verticalHeader()
        rows.setDefaultSectionSize(max(rows.defaultSectionSize(), QComboBox().sizeHint().height() + 4))
        self.mapping.setMinimumWidth(380)
        return self.mapping

    # -- the mapping --------------------------------------------------------------------------------------

    def show_mapping(
        self,
        head: FileHead | None,
        fields: Sequence[ImportField],
        defaults: Choices,
        choices: Choices | None = None,
        note: str = "",
    ) -> None:
        """Show a row per field of ``head``, each at ``choices`` (default: ``defaults``); emits ``columns_changed``.

        ``note`` is said under the table (a saved mapping naming a column the file lacks).
        """
        self.head, self.fields, self.defaults = head, tuple(fields), dict(defaults)
        self.choices = dict(choices if choices is not None else defaults)
        self._lacking = note
        self.column_boxes = {}  # the view deletes the old boxes on reset
        self.mapping_model.set_rows(column_mapping(head, fields, self.choices) if head else [])
        if head is not None:
            for row, field in enumerate(fields):
                box = column_box(field, head, self.choices.get(field.key))
                box.currentIndexChanged.connect(lambda _, k=field.key, b=box: self.choose_column(k, b.currentData()))
                self.mapping.setIndexWidget(self.mapping_model.index(row, FILE_COLUMN), box)
                self.column_boxes[field.key] = box
        self._changed()

    def chain_tab_order(self, before: QWidget, after: QWidget) -> None:
        """Tab goes from ``before`` through the column boxes to ``after``."""
        previous = before
        for box in self.column_boxes.values():
            QWidget.setTabOrder(previous, box)
            previous = box
        QWidget.setTabOrder(previous, after)

    def choose_column(self, key: str, index: int | None) -> None:
        """Feed the field ``key`` from the file column ``index`` (None: not imported)."""
        if self.head is None or key not in self.choices:
            return
        self.choices[key] = index
        self.mapping_model.update_rows(column_mapping(self.head, self.fields, self.choices))
        self._changed()

    def _changed(self) -> None:
        unused = unused_columns(self.head, self.choices) if self.head else []
        said = [self._lacking] if self._lacking else []
        if unused:
            said.append(f"Columns not imported: {', '.join(unused)}")
        self.unused.setText(" ".join(said))
        self.unused.setToolTip(" ".join(said))  # the line keeps two lines' height; the whole text is here
        set_tone_style(self.unused, Tone.WARNING if self._lacking else None, plain="color: palette(placeholder-text);")
        for row in self.mapping_model.rows():
            box = self.column_boxes.get(row.field.key)
            if box is not None:
                set_tone_style(box, Tone.ERROR if row.wrong else None)
        self.columns_changed.emit()

    def chosen_columns(self) -> dict[str, str]:
        """Field label → header of the chosen column ("" for a field not imported), for every field."""
        head = self.head
        if head is None:
            return {}
        indexes = {f.label: self.choices.get(f.key) for f in self.fields}
        return {label: "" if index is None else head.headers[index] for label, index in indexes.items()}

    def edited_columns(self) -> dict[str, str]:
        """The fields whose column differs from the default: what the import is told and a saved mapping keeps."""
        chosen = self.chosen_columns()
        return {f.label: chosen[f.label] for f in self.fields if self.choices.get(f.key) != self.defaults.get(f.key)}

    def missing(self) -> list[str]:
        """Required fields without a column."""
        return [r.field.label for r in self.mapping_model.rows() if r.missing]

    def shared_columns(self) -> dict[str, list[str]]:
        """File columns chosen for more than one field, with those fields."""
        shared: dict[str, list[str]] = {}
        for row in self.mapping_model.rows():
            if row.shared and row.column is not None:
                shared.setdefault(row.column, []).append(row.field.label)
        return shared

    def problem(self) -> str:
        """Why the chosen columns cannot be imported, or ""."""
        if self.head is None:
            return ""
        problems = [
            f"The column “{column}” is chosen for both {' and '.join(labels)}; a column can feed only one field."
            for column, labels in self.shared_columns().items()
        ]
        if self.missing():
            problems.append(
                f"There is no column for: {', '.join(self.missing())}. "
                "Choose the file column that holds it in the table on the left."
            )
        return "✖ " + " ".join(problems) if problems else ""

    # -- saved mappings -------------------------------------------------------------------------------------

    def fill_saved(self, mappings: Sequence[SavedMapping], select: str = "") -> None:
        """Offer ``mappings``, keeping the one chosen (or choosing the one named ``select``)."""
        current = self.saved.currentData()
        wanted = (" ".join(select.split()) or (current.name if current else "")).casefold()
        self.saved.clear()
        self.saved.addItem(NO_SAVED_MAPPING, None)
        for saved in mappings:
            where = f" ({SOURCE_NAMES[saved.source]})" if saved.source else ""
            self.saved.addItem(f"{saved.name}{where}", saved)
            if saved.name.casefold() == wanted:
                self.saved.setCurrentIndex(self.saved.count() - 1)

    @staticmethod
    def saved_choices(
        saved: SavedMapping, head: FileHead, fields: Sequence[ImportField], defaults: Choices
    ) -> tuple[Choices, str]:
        """``defaults`` with the saved mapping's columns, and what it names that ``head`` lacks (not guessed)."""
        choices = dict(defaults)
        headers = head.headers
        lacking = []
        for field in fields:
            header = saved.columns.get(field.label)
            if header is None:
                continue
            if not header:
                choices[field.key] = None
            elif header in headers:
                choices[field.key] = headers.index(header)
            else:
                lacking.append(f"{field.label} (“{header}”)")
        note = f"“{saved.name}” names columns this file lacks: {', '.join(lacking)}." if lacking else ""
        return choices, note

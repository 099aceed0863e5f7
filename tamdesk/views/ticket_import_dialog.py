"""Import tickets or their history from a support-system export (.csv/.xlsx).

First a preview: which file column feeds which field and the first rows of the file. Each field starts at the
column named like it (case, spaces and punctuation do not count); a combo box per field lets the user pick another
column, or none for an optional field. Import is enabled once every required field has a column and no column feeds
two fields. The import runs off the UI thread with progress and Cancel; it is all or nothing, so a bad row or a
cancel leaves the database as it was, and every bad row is listed.
"""

from __future__ import annotations

# First imports must not happen on a worker thread (PySide6's import hook crashes there, see pages/tickets.py):
# reading a workbook in the background needs openpyxl and the codec zipfile uses for member names.
import encodings.cp437  # noqa: F401
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services import tabular
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.services.customers import time_zones
from tamdesk.services.tabular import ImportFailed, ImportField, header_key, match_columns
from tamdesk.services.ticket_import import (
    EVENT_FIELDS,
    TICKET_FIELDS,
    TicketImportOptions,
    import_ticket_events,
    import_tickets,
)
from tamdesk.services.tickets import TicketsCancelled
from tamdesk.views.table_model import Column, RowTableModel
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.ticket_dialog import ticket_changes
from tamdesk.views.widgets import (
    FieldMessage,
    SearchableComboBox,
    Tone,
    ask_open_path,
    configure_table,
    set_tone_style,
    show_failure,
    tone_color,
)

PREVIEW_ROWS = 20
FILE_COLUMN = 1  # the mapping table's column that holds a combo box per field
NOT_IMPORTED = "— not imported"
Choices = dict[str, int | None]  # field key → index of the file column that feeds it


# -- the preview: the first rows of the file, read without loading all of it --------------------------------------


@dataclass(frozen=True)
class FileHead:
    """The header row as written in the file and the first data rows."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_head(path: str | Path, limit: int = PREVIEW_ROWS) -> FileHead:
    """The header and up to ``limit`` rows of a .csv/.xlsx file, read the way the import reads it.

    Raises:
        ImportFailed: missing, empty, unsupported or unreadable file.
    """
    path = Path(path)
    lines = [tuple(_text(v) for v in values) for _, values in tabular.preview_rows(path, limit)]
    if not lines:
        raise ImportFailed(path.name, ["the file is empty"])
    width = len(lines[0])
    return FileHead(lines[0], tuple((*r[:width], *("",) * (width - len(r))) for r in lines[1:]))


@dataclass(frozen=True)
class MappingRow:
    """Which file column feeds a field (None: no column), its first value, and whether another field reads it."""

    field: ImportField
    column: str | None
    example: str
    shared: bool = False

    @property
    def missing(self) -> bool:
        return self.field.required and self.column is None

    @property
    def wrong(self) -> bool:
        return self.missing or self.shared


def automatic_choices(head: FileHead, fields: Sequence[ImportField]) -> Choices:
    """Each field at the column named like it, by the import's own rule."""
    matched, _ = match_columns(head.headers, fields)
    return {f.key: matched.get(f.key) for f in fields}


def column_mapping(head: FileHead, fields: Sequence[ImportField], choices: Choices | None = None) -> list[MappingRow]:
    """A row per field: the chosen column (by default the automatic match), its first value, and clashes."""
    chosen = automatic_choices(head, fields) if choices is None else choices
    used = [chosen.get(f.key) for f in fields]
    rows = []
    for field, index in zip(fields, used, strict=True):
        if index is None:
            rows.append(MappingRow(field, None, ""))
            continue
        example = head.rows[0][index] if head.rows else ""
        rows.append(MappingRow(field, head.headers[index], example, used.count(index) > 1))
    return rows


def unused_columns(head: FileHead, choices: Choices) -> list[str]:
    used = set(choices.values())
    return [h for n, h in enumerate(head.headers) if h and n not in used]


def mapping_columns() -> list[Column[MappingRow]]:
    # The File column's cells hold combo boxes (see TicketImportDialog._build_column_boxes), so no text of their own.
    return [
        Column[MappingRow]("Field", lambda r: r.field.label + (" *" if r.field.required else ""),
                           tooltip=lambda r: r.field.meaning, width=130,
                           foreground=lambda r: tone_color(Tone.ERROR) if r.wrong else None),
        Column[MappingRow]("File column", lambda r: "", width=230),
        Column[MappingRow]("First value", lambda r: r.example, tooltip=lambda r: r.field.meaning),
    ]  # fmt: skip


class MappingModel(RowTableModel[MappingRow]):
    """The mapping rows; a change of column repaints them in place so the combo boxes in the cells stay."""

    def update_rows(self, rows: Sequence[MappingRow]) -> None:
        if len(rows) != self.rowCount():
            self.set_rows(rows)
            return
        self._rows = list(rows)
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))


def column_box(field: ImportField, head: FileHead, index: int | None) -> QComboBox:
    """The file's columns to choose from for ``field`` (and "not imported" when it is optional), at ``index``."""
    box = QComboBox()
    box.setAccessibleName(f"File column for {field.label}")
    box.setToolTip(f"The file column that holds {field.label}: {field.meaning}")
    if not field.required:
        box.addItem(NOT_IMPORTED, None)
    for n, header in enumerate(head.headers):
        # The import names a column by its header: one without a header cannot be named, and of two alike it
        # reads the first.
        if header and header not in head.headers[:n]:
            box.addItem(header, n)
    box.setPlaceholderText("✖ choose a column (required)")
    box.setCurrentIndex(box.findData(index) if index is not None else (-1 if field.required else 0))
    return box


def preview_columns(headers: tuple[str, ...]) -> list[Column[tuple[str, ...]]]:
    return [Column[tuple[str, ...]](h or f"(column {n + 1})", lambda r, n=n: r[n]) for n, h in enumerate(headers)]


# -- the dialog -------------------------------------------------------------------------------------------------


class TicketImportDialog(QDialog):
    """Choose a file, check the preview, import; ``summary`` holds the result line after a successful import."""

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.reader = TaskRunner(self)
        self.path: Path | None = None
        self.head: FileHead | None = None
        self.choices: Choices = {}
        self.column_boxes: dict[str, QComboBox] = {}
        self.summary: str | None = None
        self.task: Task | None = None
        self._close_when_done = False
        self._says_mapping_problem = False
        self.setWindowTitle("Import tickets")
        self.setMinimumSize(820, 640)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_choices())
        layout.addWidget(QLabel("<b>Which file column feeds which field</b> (* required)"))
        layout.addWidget(self._build_mapping())
        self.unused = QLabel()
        self.unused.setStyleSheet("color: palette(placeholder-text);")
        self.unused.setWordWrap(True)
        layout.addWidget(self.unused)
        self.preview_label = QLabel("<b>First rows of the file</b>")
        layout.addWidget(self.preview_label)
        layout.addWidget(self._build_preview(), 1)
        layout.addLayout(self._build_progress())
        layout.addWidget(self.errors, 1)
        layout.addWidget(self._build_buttons())
        self._update()

    # -- construction -------------------------------------------------------------------------------------

    def _build_choices(self) -> QFormLayout:
        self.tickets_kind = QRadioButton("&Tickets: Ticket, Customer, Subject, Severity, Status, Opened …")
        self.events_kind = QRadioButton("Ticket &history: Ticket, At, Event")
        self.tickets_kind.setChecked(True)
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.tickets_kind)
        self.kind.addButton(self.events_kind)
        self.kind.buttonToggled.connect(lambda *_: self._show_mapping())
        kinds = QVBoxLayout()
        kinds.addWidget(self.tickets_kind)
        kinds.addWidget(self.events_kind)
        self.file = QLineEdit()
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("A .csv or .xlsx export of the support system")
        self.file.setAccessibleName("File")
        self.choose_button = QPushButton("&Choose file…")
        self.choose_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        self.file_message = FieldMessage()
        file_box = QVBoxLayout()
        file_box.addLayout(file_row)
        file_box.addWidget(self.file_message)
        self.zone = SearchableComboBox([(z, z) for z in time_zones()])
        self.zone.set_value("UTC")
        self.zone.setAccessibleName("Time zone of times without an offset")
        self.zone.setToolTip("Times written with an offset or Z are exact; others are read in this zone")
        self.zone_message = FieldMessage()
        zone_box = QVBoxLayout()
        zone_box.addWidget(self.zone)
        zone_box.addWidget(self.zone_message)
        file_label = QLabel("&File")
        file_label.setBuddy(self.choose_button)
        zone_label = QLabel("Times without an offset are &in")
        zone_label.setBuddy(self.zone)
        form = QFormLayout()
        form.addRow("What", kinds)
        form.addRow(file_label, file_box)
        form.addRow(zone_label, zone_box)
        return form

    def _build_mapping(self) -> QTableView:
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
        count = max(len(TICKET_FIELDS), len(EVENT_FIELDS)) + 1  # every field and the header, without scrolling
        self.mapping.setMinimumHeight(count * rows.defaultSectionSize() + 4)
        return self.mapping

    def _build_preview(self) -> QTableView:
        self.preview_model = RowTableModel[tuple[str, ...]]([], self)
        self.preview = QTableView()
        self.preview.setAccessibleName("First rows of the file")
        configure_table(self.preview)
        self.preview.horizontalHeader().setStretchLastSection(False)
        self.preview.setModel(self.preview_model)
        return self.preview

    def _build_progress(self) -> QHBoxLayout:
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(240)
        self.errors = QPlainTextEdit()
        self.errors.setReadOnly(True)
        self.errors.setAccessibleName("Problems")
        self.errors.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.progress)
        return row

    def _build_buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.reject)
        return self.buttons

    # -- the preview --------------------------------------------------------------------------------------

    def fields(self) -> tuple[ImportField, ...]:
        return TICKET_FIELDS if self.tickets_kind.isChecked() else EVENT_FIELDS

    def choose_file(self) -> None:
        path = ask_open_path(self, "Import tickets", "Support-system exports (*.csv *.xlsx);;All files (*)")
        if path is not None:
            self.set_path(path)

    def set_path(self, path: str | Path) -> None:
        """Read the head of ``path`` in the background and show which column feeds which field."""
        self.path = Path(path)
        self.head = None
        self.summary = None
        self.file.setText(str(self.path))
        self.file_message.clear()
        self.errors.setVisible(False)
        self._set_status(f"Reading {self.path.name}…", None)
        self._show_head()
        task = self.reader.run(lambda control: read_head(self.path))  # type: ignore[arg-type]
        target = self.path
        task.succeeded.connect(lambda head: self._head_read(target, head))
        task.failed.connect(lambda exc, details: self._head_failed(target, exc, details))

    def _head_read(self, path: Path, head: FileHead) -> None:
        if path != self.path:
            return
        self.head = head
        keys = {header_key(h) for h in head.headers}
        history = {"at", "event"} <= keys and "customer" not in keys
        (self.events_kind if history else self.tickets_kind).setChecked(True)
        self._set_status("", None)
        self._show_head()

    def _head_failed(self, path: Path, exc: BaseException, details: str) -> None:
        if path != self.path:
            return
        if isinstance(exc, ImportFailed):
            self.file_message.set_error("; ".join(exc.problems))
        elif isinstance(exc, DomainError | OSError | ValueError):
            self.file_message.set_error(f"{path.name} cannot be read: {exc}")
        else:
            show_failure(self, "Import tickets", exc, details)
        self.status.setText("")
        self._update()

    def _show_head(self) -> None:
        head = self.head
        self.preview_model.columns = preview_columns(head.headers) if head else []
        self.preview_model.set_rows(list(head.rows) if head else [])
        self.preview_label.setText(
            f"<b>First rows of the file</b> ({len(head.rows)} shown)" if head else "<b>First rows of the file</b>"
        )
        self.preview.resizeColumnsToContents()
        self._show_mapping()

    def _show_mapping(self) -> None:
        """Start every field of the chosen kind at its automatic match."""
        fields = self.fields()
        head = self.head
        self.choices = automatic_choices(head, fields) if head else {}
        self.column_boxes = {}  # the view deletes the old boxes on reset
        self.mapping_model.set_rows(column_mapping(head, fields, self.choices) if head else [])
        if head is not None:
            self._build_column_boxes(head, fields)
        self._mapping_changed()

    def _build_column_boxes(self, head: FileHead, fields: Sequence[ImportField]) -> None:
        previous: QWidget = self.zone
        for row, field in enumerate(fields):
            box = column_box(field, head, self.choices[field.key])
            box.currentIndexChanged.connect(lambda _, k=field.key, b=box: self.choose_column(k, b.currentData()))
            self.mapping.setIndexWidget(self.mapping_model.index(row, FILE_COLUMN), box)
            self.column_boxes[field.key] = box
            QWidget.setTabOrder(previous, box)
            previous = box
        QWidget.setTabOrder(previous, self.preview)

    def choose_column(self, key: str, index: int | None) -> None:
        """Feed the field ``key`` from the file column ``index`` (None: not imported)."""
        if self.head is None or key not in self.choices:
            return
        self.choices[key] = index
        self.mapping_model.update_rows(column_mapping(self.head, self.fields(), self.choices))
        self._mapping_changed()

    def _mapping_changed(self) -> None:
        unused = unused_columns(self.head, self.choices) if self.head else []
        self.unused.setText(f"Columns not imported: {', '.join(unused)}" if unused else "")
        for row in self.mapping_model.rows():
            box = self.column_boxes.get(row.field.key)
            if box is not None:
                set_tone_style(box, Tone.ERROR if row.wrong else None)
        self._update()

    def chosen_columns(self) -> dict[str, str]:
        """What the import is told: field label → header of the chosen column, "" for a field not imported."""
        head = self.head
        if head is None:
            return {}
        indexes = {f.label: self.choices.get(f.key) for f in self.fields()}
        return {label: "" if index is None else head.headers[index] for label, index in indexes.items()}

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

    def mapping_problem(self) -> str:
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
                "Choose the file column that holds it in the table above."
            )
        return "✖ " + " ".join(problems) if problems else ""

    # -- importing ----------------------------------------------------------------------------------------

    def running(self) -> bool:
        return self.task is not None

    def _update(self) -> None:
        running = self.running()
        problem = self.mapping_problem()
        ready = self.head is not None and not problem and self.summary is None
        self.import_button.setEnabled(ready and not running)
        self.import_button.setVisible(self.summary is None)
        for widget in (self.tickets_kind, self.events_kind, self.choose_button, self.zone, *self.column_boxes.values()):
            widget.setEnabled(not running)
        self.cancel_button.setText("Cancel import" if running else ("Close" if self.summary else "Cancel"))
        self.progress.setVisible(running)
        if running or self.summary is not None:
            return
        if problem:
            self._set_status(problem, Tone.ERROR)
            self._says_mapping_problem = True
        elif self._says_mapping_problem:
            self._set_status("", None)

    def start_import(self) -> None:
        """Import the whole file in the background (all or nothing), reading the columns chosen in the table."""
        if self.path is None or self.head is None or self.running() or self.mapping_problem():
            return
        path, zone, events = self.path, self.zone.value(), self.events_kind.isChecked()
        columns = self.chosen_columns()
        ctx = self.ctx

        def work(control: TaskControl) -> str:
            if events:
                return import_ticket_events(ctx, path, zone, columns=columns, progress=control.progress,
                                            cancelled=control.cancelled).summary  # fmt: skip
            options = TicketImportOptions(tz=zone, columns=columns)
            return import_tickets(ctx, path, options, progress=control.progress, cancelled=control.cancelled).summary

        self.errors.setVisible(False)
        self.zone_message.clear()
        self._set_status(f"Importing {path.name}: checking every row…", None)
        self.progress.setRange(0, 0)
        self.task = self.runner.run(work, self._imported, self._failed, self._progressed)
        self._update()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if self.task is not None and not self.task.control.cancelled():
            self.status.setText(f"Importing: {done:,} of {total:,} rows written…")

    def _finish(self) -> None:
        self.task = None
        self._update()
        if self._close_when_done:
            super().reject()

    def _imported(self, summary: str) -> None:
        self.summary = summary
        self._set_status(f"✓ {summary}", Tone.OK)
        ticket_changes().imported.emit()
        self._finish()

    def _failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, TicketsCancelled):
            self._set_status("Import cancelled: nothing was imported.", Tone.WARNING)
        elif isinstance(exc, ImportFailed):
            count = len(exc.problems)
            self._set_status(
                f"✖ Nothing was imported: {count} problem{'s' if count != 1 else ''} to fix in the file.", Tone.ERROR
            )
            self.errors.setPlainText("\n".join(exc.problems))
            self.errors.setVisible(True)
        elif isinstance(exc, FieldError) and exc.field == "tz":
            self.zone_message.set_error(str(exc))
            self._set_status("✖ Nothing was imported.", Tone.ERROR)
        elif isinstance(exc, DomainError):
            self._set_status(f"✖ {exc}", Tone.ERROR)
        else:
            self._set_status("✖ The import failed; nothing was imported.", Tone.ERROR)
            show_failure(self, "Import tickets", exc, details)
        self._finish()

    def _set_status(self, text: str, tone: Tone | None) -> None:
        self.status.setText(text)
        set_tone_style(self.status, tone)
        self._says_mapping_problem = False

    def cancel_import(self) -> None:
        """Ask the running import to stop; it rolls back and reports "cancelled"."""
        if self.task is not None:
            self.task.cancel()
            self._set_status("Cancelling: undoing what was written…", Tone.WARNING)

    def reject(self) -> None:
        """Cancel (or Escape) stops a running import first and keeps the window open to say so."""
        if self.running():
            self.cancel_import()
            return
        super().reject()

    def closeEvent(self, event: Any) -> None:
        if self.running():
            self._close_when_done = True
            self.cancel_import()
            event.ignore()
            return
        super().closeEvent(event)

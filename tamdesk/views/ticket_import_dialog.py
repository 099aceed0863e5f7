"""Import tickets or their history from a support-system export (.csv/.xlsx).

Choosing a file reads it off the UI thread and says which tool wrote it (Zendesk, Salesforce, Jira Service
Management or tamdesk's own columns; the Source combo forces another). The file is then inspected as the import
would read it, again off the UI thread, and after every change (source, time zone, date order, a column): the
preview shows the rows converted, problems highlighted; names that match no customer get a choice each; where the
source states its own SLA verdict, the disagreements with tamdesk's are listed and can be saved as a workbook.
Import is enabled once the columns are complete, the file has no problem and every name has a choice. It runs
with progress and Cancel, all or nothing; a ticket history file (Ticket, At, Event) imports as before.

Messages go to space kept for them (the line under the file, the status line, the tabs), so nothing moves under
the mouse.
"""

from __future__ import annotations

# First imports must not happen on a worker thread (PySide6's import hook crashes there, see views/tasks.py):
# reading a workbook in the background needs openpyxl and the codec zipfile uses for member names.
import encodings.cp437  # noqa: F401
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl  # noqa: F401
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.export_dates import DateOrder
from tamdesk.domain.sources import ImportSource
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.services.customer_match import NO_NAME, CustomerChoices
from tamdesk.services.customers import time_zones
from tamdesk.services.import_mappings import SavedMapping, list_mappings, save_mapping
from tamdesk.services.reconciliation import Reconciliation
from tamdesk.services.report_data import customer_choices
from tamdesk.services.tabular import ImportFailed, ImportField
from tamdesk.services.ticket_export import fields_for
from tamdesk.services.ticket_import import (
    EVENT_FIELDS,
    ImportPreview,
    TicketImportOptions,
    TicketImportSummary,
    import_ticket_events,
    import_tickets,
    inspect_ticket_file,
)
from tamdesk.services.ticket_lists import TicketsCancelled
from tamdesk.views.changes import ticket_changes
from tamdesk.views.import_customers_panel import ImportCustomersPanel
from tamdesk.views.import_date_order import DateOrderRow
from tamdesk.views.import_mapping_panel import SOURCE_NAMES, ColumnMappingPanel
from tamdesk.views.import_reconciliation_bar import ReconciliationBar, user_zone
from tamdesk.views.table_model import RowTableModel
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.ticket_import_mapping import (
    NOT_IMPORTED,
    Choices,
    FileHead,
    FileLook,
    automatic_choices,
    look_at_file,
)
from tamdesk.views.ticket_import_models import DisagreementModel, ImportPreviewModel, raw_columns
from tamdesk.views.widgets import (
    SearchableComboBox,
    Tone,
    ask_open_path,
    configure_table,
    set_tone_style,
    show_failure,
)

__all__ = ["NOT_IMPORTED", "TicketImportDialog"]

PREVIEW_LIMIT = 200
SETTINGS_GEOMETRY = "ticket_import/geometry"
SETTINGS_SPLITTER = "ticket_import/splitter"
SOURCES = (ImportSource.ZENDESK, ImportSource.SALESFORCE, ImportSource.JSM, ImportSource.TAMDESK)
PREVIEW_TAB, CUSTOMERS_TAB, DISAGREEMENTS_TAB, PROBLEMS_TAB, NOTES_TAB = range(5)


@dataclass(frozen=True)
class Inspection:
    """What inspecting the file found, and the customers a name can be mapped to."""

    preview: ImportPreview
    customers: tuple[str, ...]


def _inspect(path: Path, options: TicketImportOptions, ctx: Context) -> Inspection:
    preview = inspect_ticket_file(path, options, ctx.now(), limit=PREVIEW_LIMIT)
    return Inspection(preview, tuple(name for _, name in customer_choices()))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class TicketImportDialog(QDialog):
    """Choose a file, check the preview, import; ``summary`` holds the result line after a successful import."""

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.reader = TaskRunner(self)
        self.path: Path | None = None
        self.look: FileLook | None = None
        self.head: FileHead | None = None
        self.date_order: DateOrder | None = None
        self.inspection: Inspection | None = None
        self.inspect_problems: list[str] = []
        self.reconciliation: Reconciliation | None = None
        self.summary: str | None = None
        self.import_result: TicketImportSummary | None = None
        self.task: Task | None = None
        self._generation = 0
        self._inspecting = False
        self._inspect_again = False
        self._first_preview = True
        self._close_when_done = False
        self.setWindowTitle("Import tickets")
        self.setMinimumSize(900, 600)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_top())
        layout.addSpacing(6)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_mapping())
        splitter.addWidget(self._build_tabs())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        layout.addWidget(splitter, 1)
        self.reconciled = ReconciliationBar(ctx, runner)
        self.reconciled.show_requested.connect(lambda: self.tabs.setCurrentIndex(DISAGREEMENTS_TAB))
        layout.addWidget(self.reconciled)
        layout.addLayout(self._build_progress())
        layout.addWidget(self._build_buttons())
        self._fit_to_screen()
        self._restore_layout()
        self._show_look()

    # -- construction -------------------------------------------------------------------------------------

    def _fit_to_screen(self) -> None:
        """Most of the screen, up to a size where wider stops helping (the preview has nine columns)."""
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1500, 900
        if screen is not None:
            width, height = min(1820, int(screen.width() * 0.92)), min(1000, int(screen.height() * 0.9))
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        self.splitter.setSizes([int(self.width() * 0.38), int(self.width() * 0.62)])

    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry, sizes = settings.value(SETTINGS_GEOMETRY), settings.value(SETTINGS_SPLITTER)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if sizes is not None:
            self.splitter.restoreState(sizes)

    def done(self, result: int) -> None:
        """Closing in any way keeps the window's size and the split for next time."""
        settings = QSettings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        super().done(result)

    def _build_top(self) -> QGridLayout:
        self.tickets_kind = QRadioButton("&Tickets")
        self.events_kind = QRadioButton("Ticket &history (Ticket, At, Event)")
        self.tickets_kind.setChecked(True)
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.tickets_kind)
        self.kind.addButton(self.events_kind)
        self.kind.buttonToggled.connect(self._kind_toggled)
        kinds = QHBoxLayout()
        kinds.addWidget(self.tickets_kind)
        kinds.addWidget(self.events_kind)
        kinds.addStretch(1)
        self.file = QLineEdit()
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("A ticket export of Zendesk, Salesforce or Jira Service Management (.csv, .xlsx)")
        self.file.setAccessibleName("File")
        self.choose_button = QPushButton("&Choose file…")
        self.choose_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        self.detected.setAccessibleName("What the file is")
        self.detected.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detected.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 4)  # kept, so nothing moves
        self.detected.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.source = QComboBox()
        self.source.setAccessibleName("Source")
        self.source.setToolTip("The tool that wrote the file; detected from its header row")
        for source in SOURCES:
            self.source.addItem(SOURCE_NAMES[source], source)
        self.source.currentIndexChanged.connect(lambda _: self._source_changed())
        self.zone = SearchableComboBox([(z, z) for z in time_zones()])
        self.zone.set_value(user_zone())
        self.zone.setAccessibleName("Exporter's time zone")
        self.zone.setToolTip("Times the file writes without an offset are read in this zone; exact times (Z or an "
                             "offset) are kept as they are")  # fmt: skip
        self.zone.setMinimumContentsLength(18)
        self.zone.currentIndexChanged.connect(lambda _: self._zone_changed())
        zone_line = self.zone.lineEdit()
        if zone_line is not None:
            zone_line.editingFinished.connect(self._zone_changed)
        self._zone_read = self.zone.value()
        settings = QHBoxLayout()
        source_label = QLabel("&Source")
        source_label.setBuddy(self.source)
        zone_label = QLabel("Exporter's time &zone")
        zone_label.setBuddy(self.zone)
        settings.addWidget(self.source)
        settings.addSpacing(16)
        settings.addWidget(zone_label)
        settings.addWidget(self.zone)
        settings.addStretch(1)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel("What"), 0, 0)
        grid.addLayout(kinds, 0, 1)
        file_label = QLabel("&File")
        file_label.setBuddy(self.choose_button)
        grid.addWidget(file_label, 1, 0)
        grid.addLayout(file_row, 1, 1)
        grid.addWidget(self.detected, 2, 1)
        grid.addWidget(source_label, 3, 0)
        grid.addLayout(settings, 3, 1)
        grid.addWidget(QLabel("Dates"), 4, 0)
        self.dates = DateOrderRow()
        self.dates.order_chosen.connect(self._date_order_chosen)
        grid.addWidget(self.dates, 4, 1)
        return grid

    def _build_mapping(self) -> ColumnMappingPanel:
        self.columns = ColumnMappingPanel()
        self.columns.columns_changed.connect(self._inspect)
        self.columns.saved_chosen.connect(self.apply_saved)
        self.columns.save_requested.connect(self.ask_save_mapping)
        return self.columns

    def _build_tabs(self) -> QTabWidget:
        self.tabs = QTabWidget()
        self.preview_model = ImportPreviewModel(self)
        self.raw_model = RowTableModel[tuple[str, ...]]([], self)
        self.preview = QTableView()
        self.preview.setAccessibleName("Preview")
        configure_table(self.preview)
        self.preview.setModel(self.preview_model)
        self._set_widths(self.preview)
        self.customers = ImportCustomersPanel()
        self.customers.choices_changed.connect(self._choices_changed)
        self.disagreements_model = DisagreementModel(self)
        self.disagreements = QTableView()
        self.disagreements.setAccessibleName("SLA disagreements")
        configure_table(self.disagreements)
        self.disagreements.setModel(self.disagreements_model)
        self._set_widths(self.disagreements)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName("Problems")
        self.problems.setPlaceholderText("No problems found in the file.")
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("What the export cannot tell tamdesk, and after the import what it did.")
        for widget in (self.preview, self.customers, self.disagreements, self.problems, self.notes):
            self.tabs.addTab(widget, "")
        self._title_tabs()
        return self.tabs

    @staticmethod
    def _set_widths(view: QTableView) -> None:
        model = view.model()
        for n, column in enumerate(getattr(model, "columns", [])):
            if column.width:
                view.setColumnWidth(n, column.width)

    def _build_progress(self) -> QHBoxLayout:
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 4)  # kept, so nothing moves
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setMinimumWidth(200)
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.progress.setVisible(False)
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

    # -- choosing and looking at the file -------------------------------------------------------------------

    def fields(self) -> tuple[ImportField, ...]:
        if self.events_kind.isChecked():
            return EVENT_FIELDS
        return fields_for(self.chosen_source())

    def chosen_source(self) -> ImportSource:
        data = self.source.currentData()  # Qt keeps a StrEnum as its text
        return ImportSource(data) if data else ImportSource.TAMDESK

    def forced_source(self) -> ImportSource | None:
        """The source the import is told: None while it is the one detected (so it finds the sheet itself)."""
        detected = self.look.detection.source if self.look else None
        chosen = self.chosen_source()
        return None if chosen is detected else chosen

    def choose_file(self) -> None:
        path = ask_open_path(self, "Import tickets", "Support-system exports (*.csv *.xlsx);;All files (*)")
        if path is not None:
            self.set_path(path)

    def set_path(self, path: str | Path) -> None:
        """Look at ``path`` in the background: which tool wrote it, its columns, then the preview."""
        self.path = Path(path)
        self.look = self.head = None
        self.summary = self.import_result = None
        self._first_preview = True
        self.date_order = None
        self.file.setText(str(self.path))
        self.dates.reset()  # no date order, and no choice for a name, carried over from another file
        self.customers.forget_choices()
        self._say_detected("", None)
        self._clear_inspection()
        self._show_look()
        self._set_status(f"Reading {self.path.name}…", None)
        self._busy(True)
        target = self.path
        task = self.reader.run(lambda control: look_at_file(target))
        task.succeeded.connect(lambda look: self._looked(target, look))
        task.failed.connect(lambda exc, details: self._look_failed(target, exc, details))

    def _looked(self, path: Path, look: FileLook) -> None:
        if path != self.path:
            return
        self._busy(False)
        self.look, self.head = look, look.head
        self.columns.fill_saved(look.mappings)
        self.source.blockSignals(True)
        near = look.detection.near_misses
        closest = look.detection.source or (near[0][0] if near else ImportSource.TAMDESK)
        self.source.setCurrentIndex(self.source.findData(closest))  # what is missing is then shown in the mapping
        self.source.blockSignals(False)
        self.kind.blockSignals(True)
        (self.events_kind if look.history else self.tickets_kind).setChecked(True)
        self.kind.blockSignals(False)
        self._set_status("", None)
        self._show_look()

    def _look_failed(self, path: Path, exc: BaseException, details: str) -> None:
        if path != self.path:
            return
        self._busy(False)
        if isinstance(exc, ImportFailed):
            self._say_detected("✖ " + "; ".join(exc.problems), Tone.ERROR)
        elif isinstance(exc, DomainError | OSError | ValueError):
            self._say_detected(f"✖ {path.name} cannot be read: {exc}", Tone.ERROR)
        else:
            self._say_detected(f"✖ {path.name} cannot be read.", Tone.ERROR)
            show_failure(self, "Import tickets", exc, details)
        self._set_status("", None)
        self._update()

    def _say_detected(self, text: str, tone: Tone | None) -> None:
        self.detected.setText(text)
        set_tone_style(self.detected, tone)

    def _describe_look(self) -> None:
        look = self.look
        if look is None:
            if self.path is None:
                self._say_detected("Choose a file to see which tool wrote it and what importing it would do.", None)
            elif not self.detected.text().startswith("✖"):
                self._say_detected(f"Reading {self.path.name}…", None)
            return
        if look.history:
            self._say_detected("A ticket history file: each row adds an event to a ticket already in tamdesk.", None)
            return
        found = look.detection.source
        sheet = f" (sheet “{look.sheet}”)" if look.sheet else ""
        if found is not None and found is not ImportSource.TAMDESK:
            self._say_detected(f"Detected a {found.label}{sheet}.", Tone.OK)
        elif found is ImportSource.TAMDESK:
            self._say_detected(f"Detected tamdesk's own ticket columns{sheet}.", Tone.OK)
        elif look.detection.near_misses:
            self._say_detected(
                f"Not an export tamdesk knows: {look.detection.describe()}. Choose the source, or the column for "
                "each field below.",
                Tone.WARNING,
            )
        else:
            self._say_detected(
                "Not a Zendesk, Salesforce or Jira Service Management export: choose the column for each field below.",
                Tone.WARNING,
            )

    def _show_look(self) -> None:
        """Show the file's head, start every field at its automatic column and inspect."""
        self._describe_look()
        tickets = self.tickets_kind.isChecked()
        for widget in (self.source, self.columns.saved, self.columns.save_mapping_button):
            widget.setEnabled(tickets)
        for tab in (CUSTOMERS_TAB, DISAGREEMENTS_TAB):
            self.tabs.setTabEnabled(tab, tickets)
        self._reset_mapping()

    def _kind_toggled(self, _: object, on: bool) -> None:
        if on:
            self._kind_changed()

    def _kind_changed(self) -> None:
        self._clear_inspection()
        self._show_look()

    def _source_changed(self) -> None:
        self.columns.saved.setCurrentIndex(0)
        self._clear_inspection()
        self._reset_mapping()

    def _zone_changed(self) -> None:
        if self.zone.value() == self._zone_read:
            return
        self._zone_read = self.zone.value()
        set_tone_style(self.zone, None)
        self._inspect()

    def _date_order_chosen(self, order: DateOrder) -> None:
        self.date_order = order
        self._inspect()

    # -- the mapping --------------------------------------------------------------------------------------

    def defaults(self) -> Choices:
        """Where each field starts: the source's preset, or (tamdesk's columns, history) the field's name."""
        head = self.head
        if head is None:
            return {}
        source = None if self.events_kind.isChecked() else self.chosen_source()
        return automatic_choices(head, self.fields(), source)

    def _reset_mapping(self) -> None:
        self.columns.show_mapping(self.head, self.fields(), self.defaults())
        self.columns.chain_tab_order(self.zone, self.tabs)

    def apply_saved(self, saved: SavedMapping | None) -> None:
        """Take the source and columns of a saved mapping."""
        if saved is None or self.head is None:
            return
        if saved.source is not None and saved.source is not self.chosen_source():
            self.source.blockSignals(True)
            self.source.setCurrentIndex(self.source.findData(saved.source))
            self.source.blockSignals(False)
            self._clear_inspection()
        fields, defaults = self.fields(), self.defaults()
        choices, note = self.columns.saved_choices(saved, self.head, fields, defaults)
        self.columns.show_mapping(self.head, fields, defaults, choices, note)
        self.columns.chain_tab_order(self.zone, self.tabs)

    def ask_save_mapping(self) -> None:
        """Ask for a name and save the source and the columns changed from it."""
        if self.head is None:
            return
        current = self.columns.saved.currentData()
        name, ok = QInputDialog.getText(
            self, "Save mapping", "Save this source and these columns as:", text=current.name if current else ""
        )
        if ok and name.strip():
            self.save_mapping_as(name)

    def save_mapping_as(self, name: str) -> Task:
        """Save in the background; the saved mapping is then the one chosen."""
        ctx, source, columns = self.ctx, self.chosen_source(), self.columns.edited_columns()

        def work(control: TaskControl) -> list[SavedMapping]:
            save_mapping(ctx, name, source, columns)
            return list_mappings()

        def saved(mappings: list[SavedMapping]) -> None:
            self.columns.fill_saved(mappings, select=name)
            self._set_status(f"Mapping “{' '.join(name.split())}” saved.", Tone.OK)

        def failed(exc: BaseException, details: str) -> None:
            if isinstance(exc, DomainError):
                self._set_status(f"✖ {exc}", Tone.ERROR)
            else:
                show_failure(self, "Save mapping", exc, details)

        return self.runner.run(work, saved, failed)

    # -- inspecting ---------------------------------------------------------------------------------------

    def _clear_inspection(self) -> None:
        self._generation += 1
        self.inspection = None
        self.inspect_problems = []
        self.reconciliation = None
        self.preview_model.set_rows([])
        self.customers.set_unmatched([], [])
        self.disagreements_model.set_rows([])
        self.problems.setPlainText("")
        self.notes.setPlainText("")
        self._show_reconciliation()
        self._title_tabs()

    def preview_options(self) -> TicketImportOptions:
        """What the preview reads: every unmatched name as if created, so each is listed and none is a problem."""
        return TicketImportOptions(
            source=self.forced_source(), tz=self.zone.value(), date_order=self.date_order,
            columns=self.columns.edited_columns(), customers=CustomerChoices(create_all=True),
        )  # fmt: skip

    def _inspect(self) -> None:
        """Inspect the file as the import would read it with what is chosen now (a newer request replaces any
        running one's result)."""
        self._generation += 1
        if self.events_kind.isChecked():
            self._show_raw()
            self._update()
            return
        if self.path is None or self.head is None or self.columns.problem():
            self._clear_inspection()
            self._inspect_again = False
            self._busy(self._inspecting)
            self._update()
            return
        self._set_status(f"Reading {self.path.name} as it would be imported…", None)
        self._busy(True)
        if self._inspecting:
            self._inspect_again = True
        else:
            self._start_inspection()
        self._update()

    def _start_inspection(self) -> None:
        assert self.path is not None
        self._inspecting, self._inspect_again = True, False
        generation, path, options, ctx = self._generation, self.path, self.preview_options(), self.ctx
        task = self.reader.run(lambda control: _inspect(path, options, ctx))
        task.succeeded.connect(lambda found: self._inspected(generation, found))
        task.failed.connect(lambda exc, details: self._inspect_failed(generation, exc, details))
        task.finished.connect(self._inspection_finished)

    def _inspection_finished(self) -> None:
        self._inspecting = False
        if self._inspect_again:
            self._start_inspection()
        else:
            self._busy(False)
        self._update()

    def _inspected(self, generation: int, found: Inspection) -> None:
        if generation != self._generation:
            return
        self._busy(False)
        preview = found.preview
        self.inspection = found
        self.date_order = preview.date_order if not preview.date_order_ambiguous else self.date_order
        # the question is asked beside the dates; a name without organization cannot be created (its row asks)
        no_name = [u for u in preview.unmatched if u.name == NO_NAME]
        asked = {f"row {u.rows[0]}: a ticket without an organization cannot create a customer" for u in no_name}
        self.inspect_problems = [p for p in preview.problems if p not in asked and not preview.date_order_ambiguous]
        self.preview.setModel(self.preview_model)
        self._set_widths(self.preview)
        self.preview_model.set_rows(preview.rows)
        self.customers.set_unmatched(sorted(preview.unmatched, key=lambda u: u.name.casefold()), found.customers)
        self.preview_model.set_customer_labels(self.customers.row_labels())
        self.problems.setPlainText("\n".join(self.inspect_problems))
        self.notes.setPlainText("\n".join(preview.notes))
        self.reconciliation = preview.reconciliation
        self.disagreements_model.set_rows(preview.reconciliation.disagreements if preview.reconciliation else [])
        self.dates.show_preview(preview, self.head)
        self._show_reconciliation()
        self._title_tabs()
        if self._first_preview:  # later looks (another zone, a column) leave the tab the user is on
            self._first_preview = False
            if self.inspect_problems:
                self.tabs.setCurrentIndex(PROBLEMS_TAB)
            elif preview.unmatched and self.customers.undecided():
                self.tabs.setCurrentIndex(CUSTOMERS_TAB)
            else:
                self.tabs.setCurrentIndex(PREVIEW_TAB)
        self._set_status("", None)
        self._update()

    def _inspect_failed(self, generation: int, exc: BaseException, details: str) -> None:
        if generation != self._generation:
            return
        self._busy(False)
        self._clear_inspection()
        if isinstance(exc, ImportFailed):
            self.inspect_problems = list(exc.problems)
            self.problems.setPlainText("\n".join(exc.problems))
            self.tabs.setCurrentIndex(PROBLEMS_TAB)
            self._set_status(f"✖ {exc.problems[0]}" if len(exc.problems) == 1 else
                             f"✖ The file cannot be imported: {_plural(len(exc.problems), 'problem')}, listed under "
                             "Problems.", Tone.ERROR)  # fmt: skip
        elif isinstance(exc, FieldError) and exc.field == "tz":
            self.inspect_problems = [str(exc)]
            set_tone_style(self.zone, Tone.ERROR)
            self._set_status(f"✖ The exporter's time zone: {str(exc).removeprefix('--tz: ')}", Tone.ERROR)
        elif isinstance(exc, DomainError):
            self.inspect_problems = [str(exc)]
            self._set_status(f"✖ {exc}", Tone.ERROR)
        else:
            self.inspect_problems = ["The file could not be read."]
            self._set_status("✖ The file could not be read.", Tone.ERROR)
            show_failure(self, "Import tickets", exc, details)
        self._title_tabs()
        self._update()

    def _show_raw(self) -> None:
        """A history file's first rows as the file writes them."""
        head = self.head
        self.raw_model.columns = raw_columns(head.headers) if head else []
        self.raw_model.set_rows(list(head.rows) if head else [])
        self.preview.setModel(self.raw_model)
        self.preview.resizeColumnsToContents()
        self._title_tabs()

    def _choices_changed(self) -> None:
        self.preview_model.set_customer_labels(self.customers.row_labels())
        self._title_tabs()
        self._update()

    def _show_reconciliation(self) -> None:
        partial = self.import_result is None and bool(self.customers.items)
        self.reconciled.show_found(self.reconciliation, self.path.name if self.path else "", partial=partial)

    def _title_tabs(self) -> None:
        found = self.inspection
        if self.events_kind.isChecked() and self.head is not None:
            preview = f"Preview ({_plural(len(self.head.rows), 'row')} as written)"
        elif found is not None:
            shown, total = len(found.preview.rows), found.preview.total_rows
            preview = f"Preview ({shown:,})"
            if shown >= PREVIEW_LIMIT:
                preview = f"Preview (first {shown:,} of {total:,} rows)"
        else:
            preview = "Preview"
        left = len(self.customers.undecided())
        unmatched = len(self.customers.items)
        customers = f"Customers ({unmatched})" if unmatched else "Customers"
        if left:
            customers = f"Customers ({left} to choose)"
        disagree = len(self.reconciliation.disagreements) if self.reconciliation else 0
        problems = len(self.inspect_problems)
        titles = {
            PREVIEW_TAB: preview,
            CUSTOMERS_TAB: ("⚠ " if left else "") + customers,
            DISAGREEMENTS_TAB: f"SLA disagreements ({disagree:,})" if disagree else "SLA disagreements",
            PROBLEMS_TAB: f"✖ Problems ({problems})" if problems else "Problems",
            NOTES_TAB: "Result" if self.import_result is not None else "Notes",
        }
        for tab, title in titles.items():
            self.tabs.setTabText(tab, title)

    # -- importing ----------------------------------------------------------------------------------------

    def running(self) -> bool:
        return self.task is not None

    def _busy(self, busy: bool) -> None:
        if self.running():
            return
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)

    def ready_problem(self) -> str:
        """Why Import is not possible yet ("" when it is)."""
        if self.path is None or self.head is None:
            return "" if self.path is None else " "
        if problem := self.columns.problem():
            return problem
        if self.events_kind.isChecked():
            return ""
        found = self.inspection
        if found is None or self._inspecting:
            return " "  # still reading (the preview would be stale), or the file cannot be read (said already)
        if found.preview.date_order_ambiguous:
            return (f"Every date in {', '.join(found.preview.date_columns)} reads both ways: choose whether the day "
                    "or the month comes first, beside Dates.")  # fmt: skip
        if self.inspect_problems:
            return (f"✖ Nothing can be imported until the file is fixed: "
                    f"{_plural(len(self.inspect_problems), 'problem')}, listed under Problems.")  # fmt: skip
        if left := self.customers.undecided():
            verb = "matches" if len(left) == 1 else "match"
            return f"Choose what to do with {_plural(len(left), 'name')} that {verb} no customer, under Customers."
        if found.preview.tickets - self.customers.skipped_tickets() <= 0:
            return "No ticket would be imported."
        return ""

    def _update(self) -> None:
        running = self.running()
        problem = self.ready_problem()
        done = self.summary is not None
        self.import_button.setEnabled(not problem and not running and not done)
        self.import_button.setVisible(not done)
        columns = self.columns
        widgets = (self.tickets_kind, self.events_kind, self.choose_button, self.zone, self.source, columns.saved,
                   columns.save_mapping_button, self.customers, self.dates, *columns.column_boxes.values())  # fmt: skip
        for widget in widgets:
            widget.setEnabled((not running and not done) or (widget is self.choose_button and not running))
        if not running and not done:
            tickets = self.tickets_kind.isChecked()
            self.source.setEnabled(tickets)
            columns.saved.setEnabled(tickets)
            columns.save_mapping_button.setEnabled(tickets and self.head is not None)
        self.cancel_button.setText("Cancel import" if running else ("Close" if done else "Cancel"))
        if running or done or self._inspecting or (self.path is not None and self.head is None):
            return
        if problem.strip():
            tone = Tone.ERROR if problem.startswith("✖") else Tone.WARNING
            self._set_status(problem, tone)
        elif self.inspection is not None and not self.events_kind.isChecked():
            preview = self.inspection.preview
            skipped = self.customers.skipped_tickets()
            count = preview.tickets - skipped
            skip = f" ({_plural(skipped, 'ticket')} of skipped names left out)" if skipped else ""
            self._set_status(f"Ready: {_plural(count, 'ticket')} to import{skip}.", None)
        elif self.events_kind.isChecked() and self.head is not None:
            self._set_status("", None)

    def import_options(self) -> TicketImportOptions:
        return TicketImportOptions(
            source=self.forced_source(), tz=self.zone.value(), date_order=self.date_order,
            columns=self.columns.edited_columns(), customers=self.customers.choices(),
        )  # fmt: skip

    def start_import(self) -> None:
        """Import the whole file in the background (all or nothing), with what the dialog shows."""
        if self.path is None or self.head is None or self.running() or self.ready_problem():
            return
        path, zone, events = self.path, self.zone.value(), self.events_kind.isChecked()
        columns = self.columns.chosen_columns()
        options = self.import_options()
        ctx = self.ctx

        def work(control: TaskControl) -> TicketImportSummary:
            if events:
                return import_ticket_events(ctx, path, zone, columns=columns, progress=control.progress,
                                            cancelled=control.cancelled)  # fmt: skip
            return import_tickets(ctx, path, options, progress=control.progress, cancelled=control.cancelled)

        self._set_status(f"Importing {path.name}: checking every row…", None)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.task = self.runner.run(work, self._imported, self._failed, self._progressed)
        self._update()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if self.task is not None and not self.task.control.cancelled():
            self.status.setText(f"Importing: {done:,} of {total:,} tickets written…")

    def _finish(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self._update()
        if self._close_when_done:
            super().reject()

    def _imported(self, result: TicketImportSummary) -> None:
        self.import_result = result
        self.summary = result.summary
        lines = result.lines if self.tickets_kind.isChecked() else [result.summary]
        self.notes.setPlainText("\n".join(lines))
        if result.reconciliation is not None:
            self.reconciliation = result.reconciliation
            self.disagreements_model.set_rows(result.reconciliation.disagreements)
            self._show_reconciliation()
        self._set_status(f"✓ {result.summary}", Tone.OK)
        self._title_tabs()
        self.tabs.setCurrentIndex(NOTES_TAB)
        ticket_changes().imported.emit()
        self._finish()

    def _failed(self, exc: BaseException, details: str) -> None:
        self.task = None
        self.progress.setVisible(False)
        self._update()  # controls back first; the status line then says what happened
        if isinstance(exc, TicketsCancelled):
            self._set_status("Import cancelled: nothing was imported.", Tone.WARNING)
        elif isinstance(exc, ImportFailed):
            count = len(exc.problems)
            self._set_status(f"✖ Nothing was imported: {_plural(count, 'problem')} to fix in the file, listed under "
                             "Problems.", Tone.ERROR)  # fmt: skip
            self.problems.setPlainText("\n".join(exc.problems))
            self.tabs.setTabText(PROBLEMS_TAB, f"✖ Problems ({count})")
            self.tabs.setCurrentIndex(PROBLEMS_TAB)
        elif isinstance(exc, FieldError) and exc.field == "tz":
            set_tone_style(self.zone, Tone.ERROR)
            self._set_status(f"✖ Nothing was imported: {exc}", Tone.ERROR)
        elif isinstance(exc, DomainError):
            self._set_status(f"✖ {exc}", Tone.ERROR)
        else:
            self._set_status("✖ The import failed; nothing was imported.", Tone.ERROR)
            show_failure(self, "Import tickets", exc, details)
        if self._close_when_done:
            super().reject()

    def _set_status(self, text: str, tone: Tone | None) -> None:
        self.status.setText(text)
        self.status.setToolTip(text if len(text) > 120 else "")
        set_tone_style(self.status, tone)

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

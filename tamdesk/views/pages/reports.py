"""The Reports page: choose a workbook, its period, customers and severities, and export it off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from enum import Enum
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QSettings, Qt, QTimeZone, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.timestamps import zone
from tamdesk.reports.defects import export_defect_report
from tamdesk.reports.escalations import export_escalation_log
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.seats import export_seat_roster
from tamdesk.reports.sla import ExportedReport, export_sla_report
from tamdesk.reports.xlsx import ExportCancelled
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import time_zones
from tamdesk.services.report_data import ReportScope, customer_choices, local_zone
from tamdesk.views.escalation_detail import heading
from tamdesk.views.pages.base import Page
from tamdesk.views.report_pack_dialog import ReportPackDialog
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.widgets import (
    FieldMessage,
    SearchableComboBox,
    Tone,
    ask_save_path,
    safe_file_name,
    show_failure,
)

PROGRESS_SCALE = 1000
ZONE_KEY = "reports/time_zone"
ANY_DATE = "any date"  # what the greyed From and To fields show for All dates


class ReportKind(Enum):
    SLA = "SLA report"
    DEFECTS = "Defect report"
    ESCALATIONS = "Escalations log"
    SEATS = "Seat roster"
    ONBOARDING = "Onboarding status"

    @property
    def scoped(self) -> bool:
        """Whether the period and severities apply (the seat roster and onboarding status are as of now)."""
        return self in (ReportKind.SLA, ReportKind.DEFECTS, ReportKind.ESCALATIONS)


DESCRIPTIONS = {
    ReportKind.SLA: "First-response and update compliance per month and severity with a chart, by customer, the "
    "breaches worst first and every ticket opened in the period.",
    ReportKind.DEFECTS: "Every defect open now by severity and age, overdue customer updates, and the fixes deployed "
    "in the period.",
    ReportKind.ESCALATIONS: "Every escalation opened in the period with its people, age and timeline.",
    ReportKind.SEATS: "The five portal seats of each customer, from request to active, with revoked seats kept.",
    ReportKind.ONBOARDING: "Where each customer stands in onboarding; for one customer, its printable checklist.",
}
PERIOD_OF = {
    ReportKind.SLA: "Tickets opened",
    ReportKind.DEFECTS: "Fixes deployed",
    ReportKind.ESCALATIONS: "Escalations opened",
}


class Period(Enum):
    THIS_MONTH = "This month"
    LAST_MONTH = "Last month"
    THIS_QUARTER = "This quarter"
    LAST_QUARTER = "Last quarter"
    ALL = "All dates"
    CUSTOM = "Custom"


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(
    period: Period, today: date, custom: tuple[date, date] | None = None
) -> tuple[date | None, date | None]:
    """The first day included and the first day excluded of ``period`` around ``today`` (custom: inclusive dates)."""
    if period is Period.ALL:
        return None, None
    if period is Period.CUSTOM:
        first, last = custom or (today, today)
        return first, last + timedelta(days=1)
    if period in (Period.THIS_MONTH, Period.LAST_MONTH):
        back = 0 if period is Period.THIS_MONTH else 1
        return _month_start(today, back), _month_start(today, back - 1)
    quarter = _month_start(today, (today.month - 1) % 3)
    if period is Period.LAST_QUARTER:
        return _month_start(quarter, 3), quarter
    return quarter, _month_start(quarter, -3)


def system_zone() -> tzinfo:
    """The computer's time zone by its IANA name as Qt reads it (on Windows too), else as the services find it."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    try:
        return ZoneInfo(name)
    except (ValueError, OSError):
        return local_zone()


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for, checked: the report, its scope and where to write it."""

    kind: ReportKind
    scope: ReportScope
    path: Path
    customer: str = ""  # the one customer ticked, by name (the roster and onboarding summaries name it)


class ReportsPage(Page):
    """Pick a workbook and its filters, export it with progress and Cancel, then open it or its folder."""

    title = "Reports"
    sample_data_requested = Signal()
    export_finished = Signal(object)  # the ExportedReport, or None when it failed or was cancelled

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.zone = system_zone()
        self.task: Task | None = None
        self.last_export: ExportedReport | None = None
        self._build()
        self._update_controls()

    # -- layout ---------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Reports", 1.6))
        intro = QLabel("Workbooks for managers: a summary first, real dates and numbers, tables to filter and print.")
        intro.setWordWrap(True)
        intro.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(intro)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._label("&Report:", self._report_picker()), _stacked(self.kind, self.description))
        form.addRow(self._label("&Period:", self._period_picker()), _stacked(self.period_row, self.period_note))
        form.addRow(self._label("Time &zone:", self._zone_picker()), _stacked(self.zone_picker, self.zone_note))
        form.addRow(self._label("&Customers:", self._customer_picker()), self.customer_box)
        form.addRow("Severities:", self._severity_picker())
        body = QWidget()
        body.setLayout(form)
        body.setMaximumWidth(960)  # a form stretched across a wide window is hard to read
        layout.addWidget(body)
        self.message = FieldMessage()
        layout.addWidget(self.message)
        layout.addLayout(self._action_row())
        self.result_message = FieldMessage()
        layout.addWidget(self.result_message)
        layout.addLayout(self._result_row())
        layout.addStretch(1)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _zone_picker(self) -> QComboBox:
        here = getattr(system_zone(), "key", "UTC")
        self.zone_picker = SearchableComboBox([(z, z) for z in time_zones()])
        self.zone_picker.setAccessibleName("Time zone")
        self.zone_picker.setMinimumWidth(260)
        self.zone_picker.lineEdit().setPlaceholderText("Type to search, e.g. Berlin")
        self.zone_picker.set_value(str(QSettings().value(ZONE_KEY, here)))
        self.zone_note = QLabel(f"Dates, months and times in the workbook are in this zone; this computer's is {here}.")
        self.zone_note.setStyleSheet("color: palette(placeholder-text);")
        self.zone_picker.currentTextChanged.connect(self._zone_changed)
        self._zone_changed()
        return self.zone_picker

    def _zone_changed(self) -> None:
        name = self.zone_picker.value()
        try:
            self.zone = zone(name)
        except ValueError:
            self.zone_valid = False
        else:
            self.zone_valid = True
            QSettings().setValue(ZONE_KEY, name)
        if hasattr(self, "message"):
            self._form_changed()

    def _report_picker(self) -> QComboBox:
        self.kind = QComboBox()
        self.kind.setAccessibleName("Report")
        self.kind.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for kind in ReportKind:
            self.kind.addItem(kind.value, kind)
        self.kind.currentIndexChanged.connect(self._form_changed)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(placeholder-text);")
        return self.kind

    def _period_picker(self) -> QComboBox:
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for period in Period:
            self.period.addItem(period.value, period)
        today = self._today()
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, name, day in ((self.date_from, "From", _month_start(today)), (self.date_to, "To", today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setSpecialValueText(ANY_DATE)  # shown at the minimum date, which only All dates sets
            edit.setAccessibleName(name)
            edit.setDate(_qdate(day))
            edit.dateChanged.connect(self._form_changed)
        self.period.currentIndexChanged.connect(self._form_changed)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.period, QLabel("from"), self.date_from, QLabel("to"), self.date_to):
            row.addWidget(widget)
        row.addStretch(1)
        self.period_row = QWidget()
        self.period_row.setLayout(row)
        self.period_note = QLabel()
        self.period_note.setStyleSheet("color: palette(placeholder-text);")
        return self.period

    def _customer_picker(self) -> QLineEdit:
        self.all_customers = QCheckBox("All customers")
        self.all_customers.setChecked(True)
        self.all_customers.toggled.connect(self._form_changed)
        self.customer_search = QLineEdit()
        self.customer_search.setPlaceholderText("Find a customer")
        self.customer_search.setAccessibleName("Find a customer")
        self.customer_search.setClearButtonEnabled(True)
        self.customer_search.textChanged.connect(self._filter_customers)
        self.customers = QListWidget()
        self.customers.setAccessibleName("Customers")
        self.customers.setMaximumHeight(150)
        self.customers.itemChanged.connect(self._form_changed)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.all_customers)
        top.addWidget(self.customer_search, 1)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(self.customers)
        self.customer_box = QWidget()
        self.customer_box.setLayout(box)
        return self.customer_search

    def _severity_picker(self) -> QWidget:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.severity_boxes: dict[Severity, QCheckBox] = {}
        for severity in Severity:
            box = QCheckBox(severity.label)
            box.setChecked(True)
            box.setToolTip(severity.definition)
            box.toggled.connect(self._form_changed)
            self.severity_boxes[severity] = box
            row.addWidget(box)
        row.addStretch(1)
        widget = QWidget()
        widget.setLayout(row)
        return widget

    def _action_row(self) -> QHBoxLayout:
        self.export_button = QPushButton("&Export…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_SCALE)
        self.progress.setAccessibleName("Export progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.pack_button = QPushButton("&Monthly pack…")
        self.pack_button.setToolTip("Every workbook of a month or quarter into one folder, optionally emailed")
        self.pack_button.clicked.connect(self.open_pack_dialog)
        self.sample_button = QPushButton("Load sample data…")
        self.sample_button.clicked.connect(self.sample_data_requested)
        row = QHBoxLayout()
        for widget in (self.export_button, self.pack_button, self.progress, self.cancel_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.sample_button)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        return row

    def _result_row(self) -> QHBoxLayout:
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open the workbook in your spreadsheet program")
        self.open_button.clicked.connect(self.open_workbook)
        self.folder_button = QPushButton("Show in &folder")
        self.folder_button.clicked.connect(self.show_folder)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        self._show_result_buttons(False)
        return row

    # -- state ----------------------------------------------------------------------------------------------------

    def _today(self) -> date:
        return self.ctx.now().astimezone(self.zone).date()

    def refresh(self) -> None:
        """Reload the customers, keeping the ones ticked."""
        ticked = self._ticked_customers()
        self.customers.blockSignals(True)
        self.customers.clear()
        for customer_id, name in customer_choices():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, customer_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if customer_id in ticked else Qt.CheckState.Unchecked)
            self.customers.addItem(item)
        self.customers.blockSignals(False)
        self.sample_button.setVisible(self.customers.count() == 0)
        self._filter_customers(self.customer_search.text())
        self._update_controls()

    def _ticked_names(self) -> list[str]:
        items = (self.customers.item(row) for row in range(self.customers.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked]

    def _ticked_customers(self) -> set[int]:
        items = (self.customers.item(row) for row in range(self.customers.count()))
        return {int(i.data(Qt.ItemDataRole.UserRole)) for i in items if i.checkState() == Qt.CheckState.Checked}

    def _filter_customers(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.customers.count()):
            item = self.customers.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def current_kind(self) -> ReportKind:
        kind: ReportKind = self.kind.currentData()
        return kind

    def _bounds(self) -> tuple[date | None, date | None]:
        custom = (self.date_from.date().toPython(), self.date_to.date().toPython())
        return period_bounds(self.period.currentData(), self._today(), custom)  # type: ignore[arg-type]

    def _form_changed(self) -> None:
        """The user changed the report, its period, zone, customers or severities: the last export's message and
        buttons no longer describe what the form shows, so they go (a running export keeps its own)."""
        if self.task is None:
            self.last_export = None
            self.result_message.clear()
            self._show_result_buttons(False)
        self._update_controls()

    def _show_period_dates(self) -> None:
        """The From and To fields show the days the chosen period covers (greyed for a preset); Custom starts
        from whatever they showed, or this month so far after All dates."""
        period: Period = self.period.currentData()
        today = self._today()
        if period is Period.CUSTOM:
            if self.date_from.date() != self.date_from.minimumDate():
                return
            start, last = _month_start(today), today
        elif period is Period.ALL:
            start = last = None
        else:
            first, end = period_bounds(period, today)
            start, last = first, end - timedelta(days=1) if end else None
        for edit, day in ((self.date_from, start), (self.date_to, last)):
            edit.blockSignals(True)
            edit.setDate(edit.minimumDate() if day is None else _qdate(day))
            edit.blockSignals(False)

    def _update_controls(self) -> None:
        kind = self.current_kind()
        self._show_period_dates()
        self.description.setText(DESCRIPTIONS[kind])
        custom = self.period.currentData() is Period.CUSTOM
        self.period_row.setEnabled(kind.scoped)
        self.date_from.setEnabled(kind.scoped and custom)
        self.date_to.setEnabled(kind.scoped and custom)
        for box in self.severity_boxes.values():
            box.setEnabled(kind.scoped)
        self.customers.setEnabled(not self.all_customers.isChecked())
        self.customer_search.setEnabled(not self.all_customers.isChecked())
        self.period_note.setText(self._period_note(kind))
        problem = self._problem(kind)
        if problem:
            self.message.set_warning(problem)
        else:
            self.message.clear()
        self.export_button.setEnabled(not problem and self.task is None)

    def _period_note(self, kind: ReportKind) -> str:
        if not kind.scoped:
            return "Not dated: the workbook shows today's state."
        start, end = self._bounds()
        scope = ReportScope(tz=self.zone, start=start, end=end) if not (start and end and start >= end) else None
        label = scope.period_label if scope else "an empty period"
        note = f"{PERIOD_OF[kind]} {label}."
        return note + (" Open defects are listed whatever their age." if kind is ReportKind.DEFECTS else "")

    def _problem(self, kind: ReportKind) -> str:
        """Why the export cannot start, in a sentence; empty when it can."""
        if not self.zone_valid:
            return f"Time zone '{self.zone_picker.value()}' is not an IANA time zone such as Europe/Berlin."
        start, end = self._bounds()
        if kind.scoped and start and end and start >= end:
            return "The period must end on or after the day it starts."
        if not self.all_customers.isChecked():
            ticked = len(self._ticked_customers())
            if not ticked:
                return "Tick at least one customer, or choose All customers."
        if kind.scoped and not any(box.isChecked() for box in self.severity_boxes.values()):
            return "Tick at least one severity."
        return ""

    def request(self, path: Path) -> ExportRequest:
        """The export the form describes, written to ``path``."""
        start, end = self._bounds() if self.current_kind().scoped else (None, None)
        ticked = frozenset() if self.all_customers.isChecked() else frozenset(self._ticked_customers())
        severities = frozenset(s for s, box in self.severity_boxes.items() if box.isChecked())
        if len(severities) == len(Severity) or not self.current_kind().scoped:
            severities = frozenset()
        scope = ReportScope(tz=self.zone, start=start, end=end, customer_ids=ticked, severities=severities)
        names = self._ticked_names()
        return ExportRequest(self.current_kind(), scope, path, names[0] if len(ticked) == 1 else "")

    def suggested_name(self) -> str:
        kind = self.current_kind()
        if not kind.scoped:
            ticked = [] if self.all_customers.isChecked() else self._ticked_names()
            name = ticked[0] if len(ticked) == 1 else ""
            what = "Onboarding checklist" if kind is ReportKind.ONBOARDING and name else kind.value
            return safe_file_name(f"{what}{f' {name}' if name else ''} {self._today().isoformat()}") + ".xlsx"
        start, end = self._bounds()
        label = ReportScope(tz=self.zone, start=start, end=end).period_label
        return safe_file_name(f"{kind.value} {label}") + ".xlsx"

    # -- actions --------------------------------------------------------------------------------------------------

    def export(self) -> None:
        """Ask where to save, then export off the UI thread with progress and Cancel."""
        if self.task is not None or self._problem(self.current_kind()):
            return
        path = ask_save_path(self, f"Export {self.current_kind().value}", self.suggested_name())
        if path is None:
            return
        self.start(self.request(path))

    def start(self, request: ExportRequest) -> Task:
        self.last_export = None
        self.result_message.clear()
        self._show_result_buttons(False)
        self.progress.setRange(0, PROGRESS_SCALE if request.kind.scoped else 0)  # else busy: no steps to report
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(request.kind.scoped)  # the roster and onboarding exports are quick
        self.task = self.runner.run(_work(request, self.ctx), self._succeeded, self._failed, self._progressed)
        self.task.finished.connect(self._finished)
        self._update_controls()
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.result_message.show_message(Tone.INFO, "Cancelling…")

    def open_pack_dialog(self) -> ReportPackDialog:
        """Monthly pack…: the dialog, in this page's time zone (shown, not waited for, so tests can drive it)."""
        dialog = ReportPackDialog(self.ctx, self.zone, self)
        dialog.open()
        return dialog

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(round(PROGRESS_SCALE * done / total) if total else 0)

    def _succeeded(self, result: ExportedReport) -> None:
        self.last_export = result
        self.result_message.show_message(Tone.OK, f"{result.summary} saved to {result.path}.")
        self._show_result_buttons(True)

    def _failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, ExportCancelled):
            self.result_message.show_message(Tone.INFO, "Export cancelled; no file was written.")
        elif isinstance(exc, DomainError):
            self.result_message.set_error(str(exc))
        else:
            self.result_message.set_error("The export failed; no file was written.")
            show_failure(self, "Export", exc, details)

    def _finished(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self._update_controls()
        self.export_finished.emit(self.last_export)

    def _show_result_buttons(self, visible: bool) -> None:
        self.open_button.setVisible(visible)
        self.folder_button.setVisible(visible)

    def open_workbook(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.path)))

    def show_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.path.parent)))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _stacked(*widgets: QWidget) -> QWidget:
    """Widgets one above the other, flush left: a field and the note under it."""
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    for widget in widgets:
        box.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft if isinstance(widget, QComboBox) else Qt.AlignmentFlag(0))
    holder = QWidget()
    holder.setLayout(box)
    return holder


def _work(request: ExportRequest, ctx: Context) -> Callable[[TaskControl], ExportedReport]:
    """The export, as a function of the task's controls (run on a worker thread; touches no widget)."""
    scope, path = request.scope, request.path
    one = next(iter(scope.customer_ids)) if len(scope.customer_ids) == 1 else None
    several = len(scope.customer_ids)
    of = f" of {request.customer}" if one else (f" of {several} customers" if several else "")

    def work(control: TaskControl) -> ExportedReport:
        kind, progress, cancelled = request.kind, control.progress, control.cancelled
        if kind is ReportKind.SLA:
            return export_sla_report(path, scope, ctx=ctx, progress=progress, cancelled=cancelled)
        if kind is ReportKind.DEFECTS:
            return export_defect_report(path, scope, ctx=ctx, progress=progress, cancelled=cancelled)
        if kind is ReportKind.ESCALATIONS:
            return export_escalation_log(path, scope, ctx=ctx, progress=progress, cancelled=cancelled)
        if kind is ReportKind.SEATS:
            written = export_seat_roster(path, ctx=ctx, scope=scope)
            return ExportedReport(written, f"Seat roster{of}")
        if one is not None:  # one customer: their printable checklist
            written = export_onboarding(path, one, ctx=ctx, tz=scope.tz)
            return ExportedReport(written, f"Onboarding checklist{of}")
        written = export_onboarding(path, ctx=ctx, scope=scope)
        return ExportedReport(written, f"Onboarding status{of}")

    return work

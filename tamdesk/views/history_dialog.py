"""The History window: every audited change in the database, filtered by text, record kind, who and when, with the
values before and after of the selected change side by side.

Entries load a page at a time (newest first) off the UI thread, so a team database with a long history opens at
once; "Load more" fetches the next page.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.services.audit import (
    AuditChoices,
    AuditRow,
    FieldChange,
    audit_choices,
    entity_label,
    field_changes,
    list_audit,
)
from tamdesk.services.base import Context
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.widgets import (
    Debouncer,
    SearchableComboBox,
    Tone,
    configure_table,
    remember_header,
    resize_within_screen,
    set_empty_text,
    today,
    tone_background,
    tone_color,
)

PAGE_SIZE = 500
OPENABLE = {"customer": "customer", "portal_seat": "seat", "ticket": "ticket", "defect": "defect",
            "escalation": "escalation"}  # fmt: skip
"""Audited records the window can open, as the kinds ``MainWindow.open_item`` takes."""

PERIODS = ("Any time", "Today", "Last 7 days", "Last 30 days", "Last 12 months", "Between dates")


@dataclass(frozen=True)
class AuditQuery:
    """The filters of one load of the History window (``list_audit``'s arguments)."""

    text: str = ""
    entity: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    customer_id: int | None = None

    @property
    def filtered(self) -> bool:
        return any(v not in (None, "") for v in (self.text, self.entity, self.actor, self.since, self.until,
                                                  self.customer_id))  # fmt: skip


def value_text(value: Any) -> str:
    """A value of an audit entry as a person reads it: times in the local zone, Yes/No, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return local_time(moment)
    return str(value)


def what_text(row: AuditRow) -> str:
    """``Portal seat · revoke``: the kind of record and what was done to it."""
    return f"{entity_label(row.entity)} · {row.action.replace('_', ' ')}"


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def period_bounds(period: str, on: date, first: date, last: date) -> tuple[datetime | None, datetime | None]:
    """The ``since``/``until`` moments (local midnights) of a period choice; ``until`` is exclusive."""
    starts = {"Today": 0, "Last 7 days": 6, "Last 30 days": 29, "Last 12 months": 364}
    if period in starts:
        return _local_midnight(on - timedelta(days=starts[period])), None
    if period == "Between dates":
        low, high = min(first, last), max(first, last)
        return _local_midnight(low), _local_midnight(high + timedelta(days=1))
    return None, None


@dataclass(frozen=True)
class _Page:
    """One load's answer: which load asked (stale answers are dropped), from where, and the rows."""

    generation: int
    offset: int
    rows: list[AuditRow]


class HistoryDialog(QDialog):
    """The History window; ``open_requested(kind, id)`` asks the main window to open an audited record."""

    open_requested = Signal(str, int)
    loaded = Signal(int)  # how many entries are listed after a load (tests, accessibility)

    def __init__(self, ctx: Context, runner: TaskRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.setWindowTitle("History")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._generation = 0
        self._query = AuditQuery()
        self._has_more = False
        self._build_filters()
        self._build_table()
        self._build_detail()
        self._layout()
        self.text_debouncer = Debouncer(250, self.reload, self)
        self._connect()
        self._restore()

    # -- construction -------------------------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find in summaries and values")
        self.search.setAccessibleName("Find in history")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.entity = QComboBox()
        self.entity.setAccessibleName("Record kind")
        self.actor = QComboBox()
        self.actor.setAccessibleName("Changed by")
        self.customer = SearchableComboBox()
        self.customer.setAccessibleName("Customer")
        self.customer.setMinimumContentsLength(22)
        self.period = QComboBox()
        self.period.setAccessibleName("When")
        self.period.addItems(PERIODS)
        on = QDate(today(self.ctx))
        self.first_day = QDateEdit(on.addDays(-30))
        self.last_day = QDateEdit(on)
        for edit, name in ((self.first_day, "From"), (self.last_day, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
            edit.setVisible(False)
        self.to_label = QLabel("to")
        self.to_label.setVisible(False)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setEnabled(False)

    def _build_table(self) -> None:
        self.model = RowTableModel[AuditRow](
            [
                Column[AuditRow]("When", lambda r: local_time(r.at)),
                Column[AuditRow]("Who", lambda r: r.actor),
                Column[AuditRow]("What", what_text),
                Column[AuditRow]("Customer", lambda r: r.customer or "—"),
                Column[AuditRow]("Summary", lambda r: r.summary, tooltip=lambda r: r.summary, stretch=True),
            ],
            self,
        )
        self.table = QTableView()
        self.table.setAccessibleName("History entries")
        configure_table(self.table)
        self.table.setModel(self.model)
        remember_header(self.table, "audit_history", widths=(170, 130, 190, 170))
        self.empty = EmptyState(icon("clock"), "No changes recorded yet", "Loading…")
        self.empty.button.setText("Clear filters")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        self.count_label = QLabel()
        self.more_button = QPushButton(f"Load {PAGE_SIZE} more")
        self.more_button.setVisible(False)

    def _build_detail(self) -> None:
        self.detail_title = QLabel("Select an entry to see the values before and after the change.")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open record")
        self.open_button.setEnabled(False)
        self.changes_model = RowTableModel[FieldChange](
            [
                Column[FieldChange]("Field", lambda c: c.field.replace("_", " ")),
                Column[FieldChange]("Before", lambda c: value_text(c.before), tooltip=lambda c: value_text(c.before),
                                    background=self._changed_background),
                Column[FieldChange]("After", lambda c: value_text(c.after), tooltip=lambda c: value_text(c.after),
                                    background=self._changed_background, foreground=self._changed_foreground),
            ],
            self,
        )  # fmt: skip
        self.changes = QTableView()
        self.changes.setAccessibleName("Values before and after")
        configure_table(self.changes)
        self.changes.setModel(self.changes_model)
        remember_header(self.changes, "audit_changes", widths=(170, 300))

    @staticmethod
    def _changed_background(change: FieldChange) -> QColor | None:
        return tone_background(Tone.WARNING) if change.changed else None

    @staticmethod
    def _changed_foreground(change: FieldChange) -> QColor | None:
        return tone_color(Tone.WARNING) if change.changed else None

    def _layout(self) -> None:
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.clear_button)
        filters = QHBoxLayout()
        for n, (label, widget) in enumerate((("&Kind", self.entity), ("&By", self.actor), ("C&ustomer", self.customer),
                                             ("W&hen", self.period))):  # fmt: skip
            caption = QLabel(label)
            caption.setBuddy(widget)
            if n:
                filters.addSpacing(10)
            filters.addWidget(caption)
            filters.addWidget(widget)
        for widget in (self.entity, self.actor, self.period):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        filters.addWidget(self.first_day)
        filters.addWidget(self.to_label)
        filters.addWidget(self.last_day)
        filters.addStretch(1)
        list_panel = QWidget()
        list_layout = QVBoxLayout(list_panel)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.list_stack, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        footer.addWidget(self.more_button)
        list_layout.addLayout(footer)
        self.detail_panel = detail_panel = QWidget()
        detail_layout = QVBoxLayout(detail_panel)
        detail_layout.setContentsMargins(0, 6, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.detail_title, 1)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        detail_layout.addLayout(head)
        detail_layout.addWidget(self.changes, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(list_panel)
        self.splitter.addWidget(detail_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.search.textChanged.connect(self.text_debouncer.trigger)
        self.search.returnPressed.connect(self.text_debouncer.flush)
        for combo in (self.entity, self.actor, self.period):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.customer.currentIndexChanged.connect(self._filters_changed)
        self.customer.lineEdit().editingFinished.connect(self._filters_changed)
        self.first_day.dateChanged.connect(self._filters_changed)
        self.last_day.dateChanged.connect(self._filters_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.empty.action_clicked.connect(self.clear_filters)
        self.more_button.clicked.connect(self.load_more)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)

    # -- state --------------------------------------------------------------------------------------------

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("history/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            resize_within_screen(self, 1100, 720)
        splitter = settings.value("history/splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([440, 260])

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._save()
        super().done(result)

    def _save(self) -> None:
        settings = QSettings()
        settings.setValue("history/geometry", self.saveGeometry())
        settings.setValue("history/splitter", self.splitter.saveState())

    # -- filters ------------------------------------------------------------------------------------------

    def refresh_choices(self) -> None:
        """Read the kind, who and customer choices again (off the UI thread), keeping what is chosen."""
        if self.runner is None:
            self.set_choices(audit_choices())
        else:
            self.runner.run(lambda _control: audit_choices(), self.set_choices)

    def set_choices(self, choices: AuditChoices) -> None:
        """Fill the kind, who and customer filters, keeping what is chosen where it is still offered."""
        kept = (self.entity.currentData(), self.actor.currentData(), self.customer.value())
        for widget in (self.entity, self.actor, self.customer):
            widget.blockSignals(True)
        self.entity.clear()
        self.entity.addItem("All records", None)
        for name in choices.entities:
            self.entity.addItem(entity_label(name), name)
        self.actor.clear()
        self.actor.addItem("Everyone", None)
        for name in choices.actors:
            self.actor.addItem(name, name)
        self.customer.set_items([("All customers", ""), *((name, str(cid)) for cid, name in choices.customers)])
        for combo, value in zip((self.entity, self.actor, self.customer), kept, strict=True):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        for widget in (self.entity, self.actor, self.customer):
            widget.blockSignals(False)
        self._filters_changed()

    def set_customer(self, customer_id: int | None) -> None:
        """Show only the changes about one customer's records (None: every customer)."""
        self.customer.setCurrentIndex(max(0, self.customer.findData(str(customer_id) if customer_id else "")))
        self._filters_changed()

    def current_query(self) -> AuditQuery:
        """The filters as chosen now."""
        period = self.period.currentText()
        custom = period == "Between dates"
        for widget in (self.first_day, self.to_label, self.last_day):
            widget.setVisible(custom)
        since, until = period_bounds(
            period, today(self.ctx), self.first_day.date().toPython(), self.last_day.date().toPython()
        )
        customer = self.customer.value()
        return AuditQuery(
            text=self.search.text().strip(),
            entity=self.entity.currentData(),
            actor=self.actor.currentData(),
            since=since,
            until=until,
            customer_id=int(customer) if customer.isdigit() else None,
        )

    def _filters_changed(self, *_: object) -> None:
        if self.current_query() != self._query:
            self.reload()

    def clear_filters(self) -> None:
        for widget in (self.search, self.entity, self.actor, self.customer, self.period):
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.entity, self.actor, self.customer, self.period):
            combo.setCurrentIndex(0)
        for widget in (self.search, self.entity, self.actor, self.customer, self.period):
            widget.blockSignals(False)
        self.reload()

    # -- loading ------------------------------------------------------------------------------------------

    def open_history(self) -> None:
        """Show the window with fresh filter choices and entries."""
        self.refresh_choices()
        self.show()
        self.raise_()
        self.activateWindow()
        self.reload()

    def database_switched(self, _label: str = "") -> None:
        """Another database was opened: while the window is shown, list its history instead."""
        if self.isVisible():
            self.refresh_choices()
            self.reload()

    def reload(self) -> None:
        """Load the first page for the filters chosen now."""
        self.text_debouncer.timer.stop()
        self._query = self.current_query()
        self.clear_button.setEnabled(self._query.filtered)
        self._load(self._query, 0)

    def load_more(self) -> None:
        self._load(self._query, self.model.rowCount())

    def _load(self, query: AuditQuery, offset: int) -> None:
        self._generation += 1
        generation = self._generation
        self.count_label.setText("Loading…")
        self.more_button.setEnabled(False)

        def work(_control: object = None) -> _Page:
            return _Page(generation, offset, list_audit(**asdict(query), limit=PAGE_SIZE + 1, offset=offset))

        if self.runner is None:
            self._loaded(work())
        else:  # bound methods: Qt drops the connections if the window is destroyed before the answer comes
            self.runner.run(work, self._loaded, self._load_failed)

    def _loaded(self, page: _Page) -> None:
        if page.generation == self._generation:  # an older load answered late: the filters moved on
            self._show_rows(page.rows, page.offset)

    def _load_failed(self, exc: BaseException, _details: str) -> None:
        self.count_label.setText(f"History could not be read: {exc}")
        self.more_button.setEnabled(True)

    def _show_rows(self, rows: list[AuditRow], offset: int) -> None:
        self._has_more = len(rows) > PAGE_SIZE
        page = rows[:PAGE_SIZE]
        if offset == 0:
            self.model.set_rows(page)
            if page:
                self.table.selectRow(0)
            else:
                self._show_changes(None)
        else:
            self.model.append_rows(page)
        shown = self.model.rowCount()
        self.list_stack.setCurrentWidget(self.table if shown else self.empty)
        self.detail_panel.setVisible(bool(shown))  # nothing to compare: the empty state gets the room
        if not shown:
            self._explain_empty()
        more = " (newest first; more below)" if self._has_more else ""
        self.count_label.setText(f"{shown:,} entr{'y' if shown == 1 else 'ies'}{more}" if shown else "")
        self.more_button.setVisible(self._has_more)
        self.more_button.setEnabled(True)
        self.loaded.emit(shown)

    def _explain_empty(self) -> None:
        if self._query.filtered:
            set_empty_text(self.empty, "No changes match these filters",
                           "Try fewer words, another person or a longer period.")  # fmt: skip
        else:
            set_empty_text(self.empty, "No changes recorded yet",
                           "Every change made in tamdesk is listed here: who made it, when, and the values "
                           "before and after.")  # fmt: skip
        self.empty.button.setVisible(self._query.filtered)

    # -- the selected entry ---------------------------------------------------------------------------------

    def selected_entry(self) -> AuditRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_changes(self.selected_entry())

    def _show_changes(self, row: AuditRow | None) -> None:
        if row is None:
            self.detail_title.setText("Select an entry to see the values before and after the change.")
            self.changes_model.set_rows([])
            self.open_button.setEnabled(False)
            return
        changes = field_changes(row)
        self.changes_model.set_rows(changes)
        changed = sum(1 for c in changes if c.changed)
        counted = f"{changed} field{'' if changed == 1 else 's'} changed" if changes else "No values recorded"
        self.detail_title.setText(
            f"<b>{_html(row.summary) or _html(what_text(row))}</b><br>"
            f"{_html(row.actor)} · {local_time(row.at)} · {_html(what_text(row))} · {counted}"
        )
        self.open_button.setEnabled(row.entity in OPENABLE and row.entity_id is not None)

    def open_selected(self) -> None:
        """Ask the main window to open the record of the selected entry."""
        row = self.selected_entry()
        if row is not None and row.entity in OPENABLE and row.entity_id is not None:
            self.open_requested.emit(OPENABLE[row.entity], row.entity_id)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""The Defects page (overdue customer updates first, filters, the detail on Enter) and the Defects tab that a
customer's or a ticket's detail embeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.states import DefectState
from tamdesk.services.base import Context, DomainError
from tamdesk.services.defects import DefectRow, list_defects
from tamdesk.views.defect_detail import STEP_LABELS, DefectDetailDialog, DefectDetailView
from tamdesk.views.defect_dialog import LinkDefectDialog, ReportDefectDialog
from tamdesk.views.escalation_detail import heading
from tamdesk.views.escalation_dialog import Outcome
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.pages.escalations import OPEN, RecordTable, combo, muted, severity_colour
from tamdesk.views.table_model import Column, local_time
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import Tone, set_tone_style, show_failure, tone_background, tone_color

OVERDUE = "⚠ Overdue"
UNPRIORITIZED = (DefectState.REPORTED, DefectState.VALIDATED, DefectState.ESCALATED)


def _short(value: object) -> str:
    return local_time(value)[4:] if value else ""  # type: ignore[arg-type]


def update_text(row: DefectRow) -> str:
    """The customer-update column: ``⚠ Overdue since …``, ``Due …`` or a dash once the fix is out."""
    if row.update_overdue and row.next_update_due:
        return f"{OVERDUE} since {_short(row.next_update_due)}"
    if row.next_update_due:
        return f"Due {_short(row.next_update_due)}"
    return "—"


def _overdue_fg(row: DefectRow) -> QColor | None:
    return tone_color(Tone.ERROR) if row.update_overdue else None


def _overdue_bg(row: DefectRow) -> QColor | None:
    return tone_background(Tone.ERROR) if row.update_overdue else None


def _muted_if_done(row: DefectRow) -> QColor | None:
    return None if row.state.is_open else muted()


def _state_colour(row: DefectRow) -> QColor | None:
    return tone_color(Tone.OK) if not row.state.is_open else None


def defect_columns() -> list[Column[DefectRow]]:
    """The columns of every defect grid; defects with a deployed fix are muted."""
    m = _muted_if_done
    return [
        Column[DefectRow]("#", lambda r: str(r.id), align_right=True, foreground=m),
        Column[DefectRow]("Title", lambda r: r.title, tooltip=lambda r: r.title, foreground=m),
        Column[DefectRow]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition,
                          foreground=lambda r: severity_colour(r.severity) if r.state.is_open else muted()),
        Column[DefectRow]("Priority", lambda r: r.priority if r.state not in UNPRIORITIZED else "—", foreground=m,
                          tooltip=lambda r: "Not prioritized yet" if r.state in UNPRIORITIZED else ""),
        Column[DefectRow]("State", lambda r: STEP_LABELS[r.state], foreground=_state_colour),
        Column[DefectRow]("Next update", update_text, foreground=_overdue_fg, background=_overdue_bg,
                          tooltip=lambda r: "The customers are overdue for an update on this defect"
                          if r.update_overdue else ""),
        Column[DefectRow]("Last update", lambda r: _short(r.last_update) or "None yet", foreground=m),
        Column[DefectRow]("Engineering", lambda r: r.engineering_key or "—", tooltip=lambda r: r.engineering_url,
                          foreground=m),
        Column[DefectRow]("Customers", lambda r: ", ".join(r.customers), tooltip=lambda r: ", ".join(r.customers),
                          foreground=m),
        Column[DefectRow]("Age (days)", lambda r: str(r.age_days), align_right=True, foreground=m,
                          tooltip=lambda r: f"Reported {local_time(r.reported_at)}"),
        Column[DefectRow]("Tickets", lambda r: ", ".join(r.tickets), tooltip=lambda r: ", ".join(r.tickets),
                          foreground=m),
    ]  # fmt: skip


SORT_KEYS: list[Any] = [
    lambda r: r.id,
    lambda r: r.title.casefold(),
    lambda r: int(r.severity),
    lambda r: r.priority,
    lambda r: list(DefectState).index(r.state),
    lambda r: (not r.update_overdue, r.next_update_due is None, r.next_update_due.timestamp() if r.next_update_due
               else 0),
    lambda r: (r.last_update is None, r.last_update.timestamp() if r.last_update else 0),
    lambda r: r.engineering_key,
    lambda r: ", ".join(r.customers).casefold(),
    lambda r: r.age_days,
    lambda r: ", ".join(r.tickets),
]  # fmt: skip
WIDTHS = (45, 280, 110, 65, 150, 230, 135, 95, 180, 80)


def matches(row: DefectRow, search: str) -> bool:
    """Whether ``search`` appears in the defect's number, title, engineering key, customers or tickets."""
    needle = search.strip().casefold()
    if not needle:
        return True
    hay = (f"#{row.id}", row.title, row.engineering_key, *row.customers, *row.tickets)
    return any(needle in text.casefold() for text in hay)


def defect_table(settings_key: str) -> RecordTable:
    table = RecordTable(defect_columns(), SORT_KEYS, settings_key, WIDTHS)
    table.setAccessibleName("Defects")
    return table


class DefectsPage(Page):
    """Every defect, overdue customer updates first; filters; the detail on Enter or double-click."""

    title = "Defects"
    sample_data_requested = Signal()
    loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.settings = QSettings()
        self.all_rows: list[DefectRow] = []
        self._generation = 0
        self.list_panel = self._build_list_panel()
        self.detail = DefectDetailView(ctx)
        self.detail.back_requested.connect(self.show_list)
        self.detail.changed.connect(lambda _: self.refresh())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_panel)
        self.stack.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)

    # -- construction -------------------------------------------------------------------------------------

    def _build_list_panel(self) -> QWidget:
        panel = QWidget()
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        title_row = QHBoxLayout()
        title_row.addWidget(heading("Defects", 1.6))
        title_row.addStretch(1)
        title_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        self.table = defect_table("defects")
        self.table.open_requested.connect(self.open_defect)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty = EmptyState(icon("defects"), "", "Loading…")
        self.empty.action_clicked.connect(self._empty_action)
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(panel)
        toolbar = self._build_toolbar()
        title_row.addSpacing(12)
        title_row.addWidget(self.report_button)
        title_row.addWidget(self.open_button)
        layout.addLayout(title_row)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        return panel

    def _build_toolbar(self) -> QHBoxLayout:
        states = [("Open", OPEN), ("All states", ""), *((STEP_LABELS[s], s.value) for s in DefectState)]
        self.state_filter = combo(states, "State")
        saved = self.settings.value("defects/state", OPEN)
        self.state_filter.setCurrentIndex(max(0, self.state_filter.findData(saved)))
        self.state_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.state_filter.setMinimumContentsLength(10)
        self.state_filter.currentIndexChanged.connect(self._state_changed)
        self.customer_filter = combo([("All customers", None)], "Customer")
        self.customer_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.customer_filter.setMinimumContentsLength(14)
        self.customer_filter.currentIndexChanged.connect(self.apply_filters)
        self.overdue_only = QCheckBox("O&verdue only")
        self.overdue_only.setToolTip("Only defects whose customers are overdue for an update")
        self.overdue_only.toggled.connect(self.apply_filters)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, engineering key, customer or ticket  (Ctrl+F)")
        self.search.setAccessibleName("Search defects")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(140)
        self.search.textChanged.connect(self.apply_filters)
        self.report_button = QPushButton("&Report defect…")
        self.report_button.setIcon(icon("defects"))
        self.report_button.clicked.connect(self.report_defect)
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(self.table.open_selected)
        toolbar = QHBoxLayout()
        for widget in (self.state_filter, self.customer_filter):
            toolbar.addWidget(widget)
        toolbar.addWidget(self.search, 1)
        toolbar.addWidget(self.overdue_only)
        return toolbar

    # -- loading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the list off the UI thread (the cadence of every defect is recomputed)."""
        self._generation += 1
        generation, ctx = self._generation, self.ctx
        self.count_label.setText("Loading…")

        def work(control: TaskControl) -> tuple[int, list[DefectRow]]:
            return generation, list_defects(ctx.now())

        self.runner.run(work, self._loaded, self._load_failed)

    def _loaded(self, result: tuple[int, list[DefectRow]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return
        self.all_rows = rows
        self._fill_customers(rows)
        self.apply_filters()
        if self.stack.currentWidget() is self.detail and not self.detail.reload():
            self.show_list()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException, details: str) -> None:
        self.count_label.setText("")
        show_failure(self, "Defects", exc, details)
        self.loaded.emit()

    def _fill_customers(self, rows: Sequence[DefectRow]) -> None:
        chosen = self.customer_filter.currentData()
        names = sorted({name for r in rows for name in r.customers}, key=str.casefold)
        self.customer_filter.blockSignals(True)
        self.customer_filter.clear()
        self.customer_filter.addItem("All customers", None)
        for name in names:
            self.customer_filter.addItem(name, name)
        self.customer_filter.setCurrentIndex(max(0, self.customer_filter.findData(chosen)))
        self.customer_filter.blockSignals(False)

    def filtered(self) -> list[DefectRow]:
        state = self.state_filter.currentData()
        customer = self.customer_filter.currentData()
        overdue = self.overdue_only.isChecked()
        search = self.search.text()
        return [
            r
            for r in self.all_rows
            if (not state or (r.state.is_open if state == OPEN else r.state.value == state))
            and (customer is None or customer in r.customers)
            and (not overdue or r.update_overdue)
            and matches(r, search)
        ]

    def apply_filters(self, *_: object) -> None:
        rows = self.filtered()
        self.table.set_rows(rows)
        open_count = sum(r.state.is_open for r in self.all_rows)
        overdue = sum(r.update_overdue for r in self.all_rows)
        shown = f"{len(rows):,} of {len(self.all_rows):,} shown · " if len(rows) != len(self.all_rows) else ""
        self.count_label.setText(f"{shown}{open_count:,} open · {overdue:,} overdue")
        self.count_label.setToolTip(f"{overdue:,} defects are overdue for a customer update")
        self._show_content(rows)
        self._update_buttons()

    def _filters_active(self) -> bool:
        return (
            bool(self.search.text().strip())
            or self.customer_filter.currentData() is not None
            or bool(self.state_filter.currentData())
            or self.overdue_only.isChecked()
        )

    def _show_content(self, rows: Sequence[DefectRow]) -> None:
        if rows:
            self.content.setCurrentWidget(self.table)
            return
        self.content.setCurrentWidget(self.empty)
        if self.all_rows and self._filters_active():
            self.empty.set_text("No matching defects", "No defect matches these filters.")
            self.empty.button.setText("Clear filters")
        else:
            self.empty.set_text(
                "No defects yet",
                "Report a product defect from a ticket to follow it from validation through engineering to the "
                "deployed fix, with the customers updated on a cadence.",
            )
            self.empty.button.setText("Report defect…")

    def _empty_action(self) -> None:
        if self.all_rows and self._filters_active():
            self.clear_filters()
        else:
            self.report_defect()

    def clear_filters(self) -> None:
        self.search.clear()
        self.overdue_only.setChecked(False)
        self.customer_filter.setCurrentIndex(0)
        self.state_filter.setCurrentIndex(self.state_filter.findData(""))

    def _state_changed(self) -> None:
        self.settings.setValue("defects/state", self.state_filter.currentData())
        self.apply_filters()

    def _update_buttons(self, *_: object) -> None:
        self.open_button.setEnabled(self.table.selected() is not None)

    def focus_search(self) -> None:
        self.show_list()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- actions ------------------------------------------------------------------------------------------

    def open_defect(self, defect_id: int) -> None:
        """Show one defect in full."""
        if self.detail.show_defect(defect_id):
            self.stack.setCurrentWidget(self.detail)
        else:
            show_failure(self, "Defects", DomainError(self.detail.subtitle.text()))
            self.refresh()

    def show_list(self) -> None:
        opened = self.detail.defect_id
        self.stack.setCurrentWidget(self.list_panel)
        if opened is not None:
            self.table.select_id(opened)
        self.table.setFocus()

    def report_defect(self) -> None:
        dialog = ReportDefectDialog(self.ctx, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.defect_id is not None:
            self.show_status(f"Defect #{dialog.defect_id} reported.")
            self.refresh()
            self.open_defect(dialog.defect_id)

    def show_status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)


class DefectsTab(QWidget):
    """The defects of one customer or one ticket: Report defect, Link to a known defect (for a ticket), Open.

    ``changed`` is emitted after anything was saved, so the host can refresh what it shows.
    """

    changed = Signal()

    def __init__(
        self, ctx: Context, customer_id: int | None = None, ticket_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.ticket_id = ticket_id
        self.summary = QLabel()
        self.report_button = QPushButton("&Report defect…")
        self.report_button.setIcon(icon("defects"))
        self.report_button.clicked.connect(self.report_defect)
        self.link_button = QPushButton("&Link to a known defect…")
        self.link_button.setIcon(icon("link"))
        self.link_button.clicked.connect(self.link_defect)
        self.open_button = QPushButton("&Open")
        self.table = defect_table("defects_tab")
        self.open_button.clicked.connect(self.table.open_selected)
        self.table.open_requested.connect(self.open_defect)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty = EmptyState(icon("defects"), "", "Loading…")
        self.empty.button.setVisible(False)
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.summary, 1)
        for button in (self.report_button, self.link_button, self.open_button):
            toolbar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        if customer_id is not None or ticket_id is not None:
            self.reload()
        else:
            self._update_buttons()

    def show_for(self, *, customer_id: int | None = None, ticket_id: int | None = None) -> None:
        """Show the defects of another customer or ticket."""
        self.customer_id = customer_id
        self.ticket_id = ticket_id
        self.reload()

    def reload(self) -> None:
        try:
            rows = list_defects(self.ctx.now(), customer_id=self.customer_id, ticket_id=self.ticket_id)
        except DomainError as exc:
            rows = []
            self.summary.setText(str(exc))
        self.table.set_rows(rows)
        open_count = sum(r.state.is_open for r in rows)
        overdue = sum(r.update_overdue for r in rows)
        noun = "defect" if len(rows) == 1 else "defects"
        text = f"{len(rows):,} {noun}, {open_count:,} open" if rows else ""
        self.summary.setText(text + (f" · {OVERDUE}: {overdue:,} need a customer update" if overdue else ""))
        set_tone_style(self.summary, Tone.ERROR if overdue else None)
        self.content.setCurrentWidget(self.table if rows else self.empty)
        whose = "this ticket" if self.ticket_id is not None else "this customer"
        self.empty.set_text("No defects", f"No product defect is linked to {whose}.")
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        self.open_button.setEnabled(self.table.selected() is not None)
        self.report_button.setEnabled(self.customer_id is not None or self.ticket_id is not None)
        self.link_button.setVisible(self.ticket_id is not None)

    def report_defect(self) -> None:
        dialog = ReportDefectDialog(self.ctx, ticket_id=self.ticket_id, customer_id=self.customer_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.defect_id is not None:
            self._saved()
            self.open_defect(dialog.defect_id)

    def link_defect(self) -> None:
        if self.ticket_id is None:
            return
        dialog = LinkDefectDialog(self.ctx, self.ticket_id, parent=self)
        dialog.exec()
        if dialog.outcome is Outcome.DONE:
            self._saved()

    def open_defect(self, defect_id: int) -> None:
        dialog = DefectDetailDialog(self.ctx, defect_id, self)
        dialog.exec()
        if dialog.changed:
            self._saved()

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()

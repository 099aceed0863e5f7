"""The Escalations page (open escalations first, filters, the detail on Enter) and the Escalations tab that a
customer's or a ticket's detail embeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import EscalationState
from tamdesk.services.base import Context, DomainError
from tamdesk.services.escalations import EscalationRow, list_escalations, sync_vp_apprisals
from tamdesk.views.escalation_detail import STATE_TONES, EscalationDetailDialog, EscalationDetailView, heading
from tamdesk.views.escalation_dialog import EscalationDialog
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.tasks import TaskControl, TaskRunner
from tamdesk.views.widgets import RowSortProxy, Tone, configure_table, remember_header, show_failure, tone_color

SEVERITY_TONES = {Severity.URGENT: Tone.ERROR, Severity.HIGH: Tone.WARNING}
OPEN = "open"


def severity_colour(severity: Severity) -> QColor | None:
    tone = SEVERITY_TONES.get(severity)
    return tone_color(tone) if tone else None


def _state_colour(row: EscalationRow) -> QColor | None:
    tone = STATE_TONES.get(row.state)
    return tone_color(tone) if tone else None


def _next_step(row: EscalationRow) -> str:
    owner = row.next_owner[:1].upper() + row.next_owner[1:]
    return f"{owner}: {row.next_step}" if row.next_step else "—"


def muted() -> QColor:
    """The colour of closed records' text: present, but behind the open ones."""
    return QApplication.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)


def _muted_if_closed(row: EscalationRow) -> QColor | None:
    return None if row.state.is_open else muted()


def escalation_columns() -> list[Column[EscalationRow]]:
    """The columns of every escalation grid; closed escalations are muted."""
    m = _muted_if_closed
    return [
        Column[EscalationRow]("#", lambda r: str(r.id), align_right=True, foreground=m),
        Column[EscalationRow]("Ticket", lambda r: r.ticket_number, foreground=m),
        Column[EscalationRow]("Customer", lambda r: r.customer, foreground=m),
        Column[EscalationRow]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition,
                              foreground=lambda r: severity_colour(r.severity) if r.state.is_open else muted()),
        Column[EscalationRow]("State", lambda r: r.state.label, foreground=_state_colour),
        Column[EscalationRow]("Age (business days)", lambda r: f"{r.age_business_days:.1f}", align_right=True,
                              foreground=m, tooltip=lambda r: f"{r.age_business_days:g} business days "
                              + ("open" if r.state.is_open else "from request to close")),
        Column[EscalationRow]("Next step", _next_step, tooltip=_next_step, foreground=m),
        Column[EscalationRow]("VP", lambda r: "Apprised" if r.vp_apprised else "—", foreground=m,
                              tooltip=lambda r: "VP of Customer Success apprised" if r.vp_apprised else
                              "VP of Customer Success not apprised"),
        Column[EscalationRow]("Opened", lambda r: local_time(r.opened_at), foreground=m),
        Column[EscalationRow]("Reason", lambda r: r.reason, tooltip=lambda r: r.reason, foreground=m),
    ]  # fmt: skip


SORT_KEYS: list[Any] = [
    lambda r: r.id,
    lambda r: r.ticket_number,
    lambda r: r.customer.casefold(),
    lambda r: int(r.severity),
    lambda r: (not r.state.is_open, list(EscalationState).index(r.state)),
    lambda r: r.age_business_days,
    lambda r: _next_step(r).casefold(),
    lambda r: r.vp_apprised,
    lambda r: r.opened_at,
    lambda r: r.reason.casefold(),
]
WIDTHS = (50, 100, 190, 110, 110, 140, 280, 80, 170)


def matches(row: EscalationRow, search: str) -> bool:
    """Whether ``search`` appears in the escalation's number, ticket, customer, reason or people."""
    needle = search.strip().casefold()
    if not needle:
        return True
    hay = (f"#{row.id}", row.ticket_number, row.customer, row.reason, row.support_manager, row.senior_director,
           row.next_owner)  # fmt: skip
    return any(needle in text.casefold() for text in hay)


class RecordTable(QTableView):
    """A sortable grid of plain rows with an ``id``, in the service's order until a header is clicked;
    Enter or a double-click asks to open the selected record."""

    open_requested = Signal(int)

    def __init__(
        self,
        columns: Sequence[Column[Any]],
        sort_keys: Sequence[Any],
        settings_key: str,
        widths: Sequence[int] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rows_model = RowTableModel[Any](columns, self)
        self.proxy = RowSortProxy(sort_keys, self)
        self.proxy.setSourceModel(self.rows_model)
        configure_table(self, sortable=True)
        self.setModel(self.proxy)
        self.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        remember_header(self, settings_key, widths)
        self.doubleClicked.connect(lambda _: self.open_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.open_selected)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows``, keeping the selected record selected."""
        selected = self.selected()
        self.rows_model.set_rows(rows)
        if selected is not None:
            self.select_id(selected.id)

    def selected(self) -> Any:
        rows = self.selectionModel().selectedRows()
        return self.proxy.row_at(rows[0].row()) if rows else None

    def select_id(self, record_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.row_at(row).id == record_id:
                self.selectRow(row)
                self.scrollTo(self.proxy.index(row, 0))
                return True
        return False

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_requested.emit(row.id)


def escalation_table(settings_key: str) -> RecordTable:
    table = RecordTable(escalation_columns(), SORT_KEYS, settings_key, WIDTHS)
    table.setAccessibleName("Escalations")
    return table


def run_request(dialog: EscalationDialog) -> int | None:
    """Run the request dialog; the escalation to open after it closes: the new one, or the ticket's open one."""
    wanted: list[int] = []
    dialog.open_escalation_requested.connect(wanted.append)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.escalation_id is not None:
        return dialog.escalation_id
    return wanted[0] if wanted else None


def combo(items: Sequence[tuple[str, object]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for label, value in items:
        combo.addItem(label, value)
    return combo


class EscalationsPage(Page):
    """Every escalation, open ones first; filters; the detail on Enter or double-click."""

    title = "Escalations"
    sample_data_requested = Signal()
    loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.settings = QSettings()
        self.all_rows: list[EscalationRow] = []
        self._generation = 0
        self.list_panel = self._build_list_panel()
        self.detail = EscalationDetailView(ctx)
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
        title_row.addWidget(heading("Escalations", 1.6))
        title_row.addStretch(1)
        title_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        self.table = escalation_table("escalations")
        self.table.open_requested.connect(self.open_escalation)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty = EmptyState(icon("escalations"), "", "Loading…")
        self.empty.action_clicked.connect(self._empty_action)
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(panel)
        toolbar = self._build_toolbar()
        title_row.addSpacing(12)
        title_row.addWidget(self.request_button)
        title_row.addWidget(self.open_button)
        layout.addLayout(title_row)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        return panel

    def _build_toolbar(self) -> QHBoxLayout:
        states = [("Open", OPEN), ("All states", ""), *((s.label, s.value) for s in EscalationState)]
        self.state_filter = combo(states, "State")
        saved = self.settings.value("escalations/state", "")
        self.state_filter.setCurrentIndex(max(0, self.state_filter.findData(saved)))
        self.state_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.state_filter.setMinimumContentsLength(10)
        self.state_filter.currentIndexChanged.connect(self._state_changed)
        self.customer_filter = combo([("All customers", None)], "Customer")
        self.customer_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.customer_filter.setMinimumContentsLength(14)
        self.customer_filter.currentIndexChanged.connect(self.apply_filters)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search ticket, customer, reason or person  (Ctrl+F)")
        self.search.setAccessibleName("Search escalations")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.search.textChanged.connect(self.apply_filters)
        self.request_button = QPushButton("&Request escalation…")
        self.request_button.setIcon(icon("escalations"))
        self.request_button.clicked.connect(self.request_escalation)
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(self.table.open_selected)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.state_filter)
        toolbar.addWidget(self.customer_filter)
        toolbar.addWidget(self.search, 1)
        return toolbar

    # -- loading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Apprise the VP where escalations have been open too long, then reload the list off the UI thread."""
        self._generation += 1
        generation, ctx = self._generation, self.ctx
        self.count_label.setText("Loading…")

        def work(control: TaskControl) -> tuple[int, list[int], list[EscalationRow]]:
            now = ctx.now()
            apprised = sync_vp_apprisals(ctx, now)
            return generation, apprised, list_escalations(now)

        self.runner.run(work, self._loaded, self._load_failed)

    def _loaded(self, result: tuple[int, list[int], list[EscalationRow]]) -> None:
        generation, apprised, rows = result
        if generation != self._generation:
            return  # a newer load is on its way
        self.all_rows = rows
        self._fill_customers(rows)
        self.apply_filters()
        if apprised:
            noun = "escalation" if len(apprised) == 1 else "escalations"
            self.show_status(
                f"VP of Customer Success apprised of {len(apprised)} {noun} open more than 3 business days."
            )
        if self.stack.currentWidget() is self.detail and not self.detail.reload():
            self.show_list()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException, details: str) -> None:
        self.count_label.setText("")
        show_failure(self, "Escalations", exc, details)
        self.loaded.emit()

    def _fill_customers(self, rows: Sequence[EscalationRow]) -> None:
        chosen = self.customer_filter.currentData()
        customers = sorted({(r.customer, r.customer_id) for r in rows}, key=lambda c: c[0].casefold())
        self.customer_filter.blockSignals(True)
        self.customer_filter.clear()
        self.customer_filter.addItem("All customers", None)
        for name, cid in customers:
            self.customer_filter.addItem(name, cid)
        self.customer_filter.setCurrentIndex(max(0, self.customer_filter.findData(chosen)))
        self.customer_filter.blockSignals(False)

    def filtered(self) -> list[EscalationRow]:
        state = self.state_filter.currentData()
        customer = self.customer_filter.currentData()
        search = self.search.text()
        return [
            r
            for r in self.all_rows
            if (not state or (r.state.is_open if state == OPEN else r.state.value == state))
            and (customer is None or r.customer_id == customer)
            and matches(r, search)
        ]

    def apply_filters(self, *_: object) -> None:
        rows = self.filtered()
        self.table.set_rows(rows)
        open_count = sum(r.state.is_open for r in self.all_rows)
        shown = f"{len(rows):,} of {len(self.all_rows):,} shown · " if len(rows) != len(self.all_rows) else ""
        self.count_label.setText(f"{shown}{open_count:,} open")
        self._show_content(rows)
        self._update_buttons()

    def _filters_active(self) -> bool:
        return (
            bool(self.search.text().strip())
            or self.customer_filter.currentData() is not None
            or bool(self.state_filter.currentData())
        )

    def _show_content(self, rows: Sequence[EscalationRow]) -> None:
        if rows:
            self.content.setCurrentWidget(self.table)
            return
        self.content.setCurrentWidget(self.empty)
        if self.all_rows and self._filters_active():
            self.empty.set_text("No matching escalations", "No escalation matches these filters.")
            self.empty.button.setText("Clear filters")
        else:
            self.empty.set_text(
                "No escalations yet",
                "Escalate a ticket to support management when the customer or you need more than the normal "
                "support process: a support manager and the senior director of support take it on.",
            )
            self.empty.button.setText("Request escalation…")
        self.empty.button.setVisible(True)

    def _empty_action(self) -> None:
        if self.all_rows and self._filters_active():
            self.clear_filters()
        else:
            self.request_escalation()

    def clear_filters(self) -> None:
        self.search.clear()
        self.customer_filter.setCurrentIndex(0)
        self.state_filter.setCurrentIndex(self.state_filter.findData(""))

    def _state_changed(self) -> None:
        self.settings.setValue("escalations/state", self.state_filter.currentData())
        self.apply_filters()

    def _update_buttons(self, *_: object) -> None:
        self.open_button.setEnabled(self.table.selected() is not None)

    def focus_search(self) -> None:
        self.show_list()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- actions ------------------------------------------------------------------------------------------

    def open_escalation(self, esc_id: int) -> None:
        """Show one escalation in full."""
        if self.detail.show_escalation(esc_id):
            self.stack.setCurrentWidget(self.detail)
            self.detail.advance_button.setFocus()
        else:
            show_failure(self, "Escalations", DomainError(self.detail.subtitle.text()))
            self.refresh()

    def show_list(self) -> None:
        opened = self.detail.escalation_id
        self.stack.setCurrentWidget(self.list_panel)
        if opened is not None:
            self.table.select_id(opened)
        self.table.setFocus()

    def request_escalation(self) -> None:
        dialog = EscalationDialog(self.ctx, parent=self)
        esc_id = run_request(dialog)
        if dialog.escalation_id is not None:
            self.show_status(f"Escalation #{dialog.escalation_id} requested.")
            self.refresh()
        if esc_id is not None:
            self.open_escalation(esc_id)

    def show_status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)


class EscalationsTab(QWidget):
    """The escalations of one customer or one ticket, with Request escalation and Open (in a window).

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
        self.request_button = QPushButton("&Request escalation…")
        self.request_button.setIcon(icon("escalations"))
        self.request_button.clicked.connect(self.request_escalation)
        self.open_button = QPushButton("&Open")
        self.table = escalation_table("escalations_tab")
        self.open_button.clicked.connect(self.table.open_selected)
        self.table.open_requested.connect(self.open_escalation)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty = EmptyState(icon("escalations"), "", "Loading…")
        self.empty.button.setVisible(False)
        self.content = QStackedWidget()
        self.content.addWidget(self.table)
        self.content.addWidget(self.empty)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.summary, 1)
        toolbar.addWidget(self.request_button)
        toolbar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.content, 1)
        if customer_id is not None or ticket_id is not None:
            self.reload()

    def show_for(self, *, customer_id: int | None = None, ticket_id: int | None = None) -> None:
        """Show the escalations of another customer or ticket."""
        self.customer_id = customer_id
        self.ticket_id = ticket_id
        self.reload()

    def reload(self) -> None:
        try:
            rows = list_escalations(self.ctx.now(), customer_id=self.customer_id, ticket_id=self.ticket_id)
        except DomainError as exc:
            rows = []
            self.summary.setText(str(exc))
        self.table.set_rows(rows)
        open_rows = [r for r in rows if r.state.is_open]
        noun = "escalation" if len(rows) == 1 else "escalations"
        self.summary.setText(f"{len(rows):,} {noun}, {len(open_rows):,} open" if rows else "")
        self.content.setCurrentWidget(self.table if rows else self.empty)
        whose = "this ticket" if self.ticket_id is not None else "this customer"
        self.empty.set_text(
            "No escalations",
            f"Nothing of {whose} has been escalated to support management. Request escalation starts one.",
        )
        has_open = self.ticket_id is not None and bool(open_rows)
        self.request_button.setToolTip(
            f"Ticket already has an open escalation (#{open_rows[0].id})" if has_open else "Escalate a ticket"
        )
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        self.open_button.setEnabled(self.table.selected() is not None)
        self.request_button.setEnabled(self.customer_id is not None or self.ticket_id is not None)

    def request_escalation(self) -> None:
        dialog = EscalationDialog(self.ctx, ticket_id=self.ticket_id, customer_id=self.customer_id, parent=self)
        esc_id = run_request(dialog)
        if dialog.escalation_id is not None:
            self.reload()
            self.changed.emit()
        if esc_id is not None:
            self.open_escalation(esc_id)

    def open_escalation(self, esc_id: int) -> None:
        dialog = EscalationDetailDialog(self.ctx, esc_id, self)
        dialog.exec()
        if dialog.changed:
            self.reload()
            self.changed.emit()

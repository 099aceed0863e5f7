"""The Defects page (overdue customer updates first, filters, the detail on Enter) and the Defects tab that a
customer's or a ticket's detail embeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from tamdesk.domain.states import DefectState
from tamdesk.services.base import Context
from tamdesk.services.defects import DefectRow, list_defects
from tamdesk.views.changes import changed
from tamdesk.views.defect_detail import STEP_LABELS, DefectDetailDialog, DefectDetailView
from tamdesk.views.defect_dialog import LinkDefectDialog, ReportDefectDialog
from tamdesk.views.escalation_dialog import Outcome
from tamdesk.views.icons import icon
from tamdesk.views.pages.escalations import muted, severity_colour
from tamdesk.views.pages.record_list import OPEN, RecordListPage, RecordTab, RecordTable
from tamdesk.views.record_actions import defect_actions
from tamdesk.views.row_actions import follow, show_status
from tamdesk.views.table_model import Column, Priority, local_time
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.widgets import Tone, set_tone_style, tone_background, tone_color

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


def clocks_tooltip(row: DefectRow) -> str:
    """Each linked customer's own next update, one line each (the cell shows the one due first)."""
    lines = []
    for update in row.customer_updates:
        due = update.clock.next_due
        if due is not None:
            state = "overdue since" if update.overdue else "due"
            lines.append(f"{update.customer}: {state} {_short(due)}")
    return "\n".join(lines)


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
        Column[DefectRow]("#", lambda r: str(r.id), align_right=True, foreground=m, priority=Priority.KEEP),
        Column[DefectRow]("Title", lambda r: r.title, tooltip=lambda r: r.title, foreground=m, stretch=True,
                          min_width=180),
        Column[DefectRow]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition,
                          priority=Priority.KEEP,
                          foreground=lambda r: severity_colour(r.severity) if r.state.is_open else muted()),
        Column[DefectRow]("Priority", lambda r: r.priority if r.state not in UNPRIORITIZED else "—", foreground=m,
                          priority=Priority.LOW,
                          tooltip=lambda r: "Not prioritized yet" if r.state in UNPRIORITIZED else ""),
        Column[DefectRow]("State", lambda r: STEP_LABELS[r.state], foreground=_state_colour),
        Column[DefectRow]("Next update", update_text, foreground=_overdue_fg, background=_overdue_bg,
                          tooltip=clocks_tooltip, priority=Priority.KEEP),
        Column[DefectRow]("Last update", lambda r: _short(r.last_update) or "None yet", foreground=m,
                          priority=Priority.LOW,
                          tooltip=lambda r: "The last update of the customer due next" if r.next_update_due else ""),
        Column[DefectRow]("Engineering", lambda r: r.engineering_key or "—", tooltip=lambda r: r.engineering_url,
                          foreground=m, priority=Priority.LOW),
        Column[DefectRow]("Customers", lambda r: ", ".join(r.customers), tooltip=lambda r: ", ".join(r.customers),
                          foreground=m),
        Column[DefectRow]("Age (days)", lambda r: str(r.age_days), align_right=True, foreground=m,
                          priority=Priority.LOW, tooltip=lambda r: f"Reported {local_time(r.reported_at)}"),
        Column[DefectRow]("Tickets", lambda r: ", ".join(r.tickets), tooltip=lambda r: ", ".join(r.tickets),
                          foreground=m, width=120, priority=Priority.LOW),
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


def next_step_button(action: QAction) -> QPushButton:
    """The row's Next step… beside Open: fixed text (nothing moves as the selection changes); the action's tooltip
    names the step."""
    button = QPushButton("&Next step…")
    follow(button, action)
    button.clicked.connect(action.trigger)
    return button


class DefectsPage(RecordListPage):
    """Every defect, overdue customer updates first; filters; the detail on Enter or double-click."""

    title = "Defects"
    new_item_text = "Report defect…"
    key = "defects"
    noun = "defect"
    add_label = "Report defect…"
    empty_intro = (
        "Report a product defect from a ticket to follow it from validation through engineering to the "
        "deployed fix, with the customers updated on a cadence."
    )
    all_rows: list[DefectRow]
    detail: DefectDetailView

    def new_item(self) -> None:
        self.report_defect()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, DefectDetailView(ctx), parent)

    # -- construction -------------------------------------------------------------------------------------

    def _build_table(self) -> RecordTable:
        return defect_table(self.key)

    def _build_row_actions(self) -> Sequence[QPushButton]:
        self.row_actions = defect_actions(self.ctx, self.table, self.open_record, self._row_saved)
        return (next_step_button(self.row_actions.actions()[1]),)

    def _row_saved(self, message: str) -> None:
        if message:
            self.show_status(message)
            changed("defect")
        self.refresh()

    def _build_toolbar(self) -> tuple[QHBoxLayout, QPushButton]:
        states = [("Open", OPEN), ("All states", ""), *((STEP_LABELS[s], s.value) for s in DefectState)]
        self._build_filters(states, OPEN)
        self.overdue_only = QCheckBox("O&verdue only")
        self.overdue_only.setToolTip("Only defects with a customer overdue for an update")
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
        toolbar = QHBoxLayout()
        for widget in (self.state_filter, self.customer_filter):
            toolbar.addWidget(widget)
        toolbar.addWidget(self.search, 1)
        toolbar.addWidget(self.overdue_only)
        return toolbar, self.report_button

    # -- loading ------------------------------------------------------------------------------------------

    @staticmethod
    def fetch(ctx: Context) -> tuple[list[DefectRow], str]:
        """Every defect, the cadence of each recomputed."""
        return list_defects(ctx.now()), ""

    def _customer_choices(self, rows: Sequence[DefectRow]) -> list[tuple[str, object]]:
        names = sorted({name for r in rows for name in r.customers}, key=str.casefold)
        return [(name, name) for name in names]

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
        return super()._filters_active() or self.overdue_only.isChecked()

    def clear_filters(self) -> None:
        self.overdue_only.setChecked(False)
        super().clear_filters()

    # -- actions ------------------------------------------------------------------------------------------

    def open_defect(self, defect_id: int) -> None:
        """Show one defect in full."""
        self.open_record(defect_id)

    def add_record(self) -> None:
        self.report_defect()

    def report_defect(self) -> None:
        dialog = ReportDefectDialog(self.ctx, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.defect_id is not None:
            self.show_status(f"Defect #{dialog.defect_id} reported.")
            self.refresh()
            self.open_defect(dialog.defect_id)


class DefectsTab(RecordTab):
    """The defects of one customer or one ticket: Report defect, Link to a known defect (for a ticket), Open."""

    key = "defects"

    def _build_buttons(self) -> Sequence[QPushButton]:
        self.report_button = QPushButton("&Report defect…")
        self.report_button.setIcon(icon("defects"))
        self.report_button.clicked.connect(self.report_defect)
        self.link_button = QPushButton("&Link to a known defect…")
        self.link_button.setIcon(icon("link"))
        self.link_button.clicked.connect(self.link_defect)
        return self.report_button, self.link_button

    def _build_table(self) -> RecordTable:
        return defect_table("defects_tab")

    def _build_row_actions(self) -> Sequence[QPushButton]:
        self.row_actions = defect_actions(self.ctx, self.table, self.open_record, self._row_saved)
        return (next_step_button(self.row_actions.actions()[1]),)

    def _row_saved(self, message: str) -> None:
        if message:
            show_status(self, message)
            changed("defect")
        self._saved()

    def fetch(self) -> list[Any]:
        return list(list_defects(self.ctx.now(), customer_id=self.customer_id, ticket_id=self.ticket_id))

    def _show_summary(self, rows: Sequence[Any]) -> None:
        open_count = sum(r.state.is_open for r in rows)
        overdue = sum(r.update_overdue for r in rows)
        noun = "defect" if len(rows) == 1 else "defects"
        text = f"{len(rows):,} {noun}, {open_count:,} open" if rows else ""
        self.summary.setText(text + (f" · {OVERDUE}: {overdue:,} need a customer update" if overdue else ""))
        set_tone_style(self.summary, Tone.ERROR if overdue else None)
        self.empty.set_text("No defects", f"No product defect is linked to {self.whose}.")

    def _update_buttons(self, *_: object) -> None:
        super()._update_buttons()
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

    def open_record(self, record_id: int) -> None:
        self.open_defect(record_id)

    def open_defect(self, defect_id: int) -> None:
        dialog = DefectDetailDialog(self.ctx, defect_id, self)
        dialog.exec()
        if dialog.changed:
            self._saved()

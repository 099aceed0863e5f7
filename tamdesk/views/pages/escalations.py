"""The Escalations page (open escalations first, filters, the detail on Enter) and the Escalations tab that a
customer's or a ticket's detail embeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import EscalationState
from tamdesk.domain.vp_rule import VpStatus
from tamdesk.services.base import Context
from tamdesk.services.escalations import EscalationRow, list_escalations
from tamdesk.views.changes import changed
from tamdesk.views.escalation_detail import STATE_TONES, EscalationDetailDialog, EscalationDetailView
from tamdesk.views.escalation_dialog import EscalationDialog
from tamdesk.views.icons import icon
from tamdesk.views.pages.record_list import OPEN, RecordListPage, RecordTab, RecordTable
from tamdesk.views.record_actions import escalation_actions
from tamdesk.views.row_actions import follow, show_status
from tamdesk.views.sla_format import short_duration
from tamdesk.views.table_model import Column, Priority, local_time
from tamdesk.views.tasks import TaskRunner
from tamdesk.views.widgets import Tone, tone_color

SEVERITY_TONES = {Severity.URGENT: Tone.ERROR, Severity.HIGH: Tone.WARNING}


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


VP_MARKS = {
    VpStatus.NOT_YET_DUE: "—",
    VpStatus.TO_BE_APPRISED: "✖ To be apprised",
    VpStatus.ON_TIME: "Apprised",
    VpStatus.LATE: "Apprised late",
    VpStatus.MISSED: "Not apprised",
    VpStatus.NOT_NEEDED: "—",
}
VP_ORDER = (VpStatus.TO_BE_APPRISED, VpStatus.MISSED, VpStatus.LATE, VpStatus.NOT_YET_DUE, VpStatus.ON_TIME,
            VpStatus.NOT_NEEDED)  # fmt: skip


def vp_mark(row: EscalationRow) -> str:
    """The log's VP column: ``✖ To be apprised`` while the VP rule says the apprisal is owed."""
    return VP_MARKS[row.vp.status]


def vp_tooltip(row: EscalationRow) -> str:
    """What the VP rule says about the escalation, with the times in the user's zone."""
    vp, due = row.vp, local_time(row.vp.due_at)
    limit = f"{vp.days} business day{'s' if vp.days != 1 else ''}"
    late = f"{vp.late_business_days:.1f} business days" if vp.late_by >= BUSINESS_DAY else short_duration(vp.late_by)
    return {
        VpStatus.NOT_YET_DUE: f"VP of Customer Success to be apprised from {due} if still open ({limit})",
        VpStatus.TO_BE_APPRISED: f"VP of Customer Success to be apprised: open more than {limit} since {due}",
        VpStatus.ON_TIME: f"VP of Customer Success apprised {local_time(row.vp_apprised_at)}",
        VpStatus.LATE: f"VP of Customer Success apprised {local_time(row.vp_apprised_at)}, {late} of business "
        f"time past the limit of {limit} ({due})",
        VpStatus.MISSED: f"Closed {late} of business time past the limit of {limit} without the VP apprised",
        VpStatus.NOT_NEEDED: f"Closed within {limit}: no VP apprisal needed",
    }[vp.status]


def _vp_colour(row: EscalationRow) -> QColor | None:
    if row.vp.owed:
        return tone_color(Tone.ERROR)
    return tone_color(Tone.WARNING) if row.vp.status in (VpStatus.LATE, VpStatus.MISSED) else _muted_if_closed(row)


def escalation_columns() -> list[Column[EscalationRow]]:
    """The columns of every escalation grid; closed escalations are muted."""
    m = _muted_if_closed
    return [
        Column[EscalationRow]("#", lambda r: str(r.id), align_right=True, foreground=m, priority=Priority.KEEP),
        Column[EscalationRow]("Ticket", lambda r: r.ticket_number, foreground=m, priority=Priority.KEEP),
        Column[EscalationRow]("Customer", lambda r: r.customer, foreground=m),
        Column[EscalationRow]("Severity", lambda r: r.severity.label, tooltip=lambda r: r.severity.definition,
                              priority=Priority.KEEP,
                              foreground=lambda r: severity_colour(r.severity) if r.state.is_open else muted()),
        Column[EscalationRow]("State", lambda r: r.state.label, foreground=_state_colour, priority=Priority.KEEP),
        Column[EscalationRow]("Age (business days)", lambda r: f"{r.age_business_days:.1f}", align_right=True,
                              foreground=m, priority=Priority.LOW,
                              tooltip=lambda r: f"{r.age_business_days:g} business days "
                              + ("open" if r.state.is_open else "from request to close")),
        Column[EscalationRow]("Next step", _next_step, tooltip=_next_step, foreground=m, stretch=True, min_width=160),
        Column[EscalationRow]("VP", vp_mark, foreground=_vp_colour, tooltip=vp_tooltip, priority=Priority.KEEP),
        Column[EscalationRow]("Opened", lambda r: local_time(r.opened_at), foreground=m, priority=Priority.LOW),
        Column[EscalationRow]("Reason", lambda r: r.reason, tooltip=lambda r: r.reason, foreground=m, width=220,
                              priority=Priority.LOW),
    ]  # fmt: skip


SORT_KEYS: list[Any] = [
    lambda r: r.id,
    lambda r: r.ticket_number,
    lambda r: r.customer.casefold(),
    lambda r: int(r.severity),
    lambda r: (not r.state.is_open, list(EscalationState).index(r.state)),
    lambda r: r.age_business_days,
    lambda r: _next_step(r).casefold(),
    lambda r: VP_ORDER.index(r.vp.status),
    lambda r: r.opened_at,
    lambda r: r.reason.casefold(),
]
WIDTHS = (50, 100, 190, 110, 110, 140, 280, 130, 170)


def matches(row: EscalationRow, search: str) -> bool:
    """Whether ``search`` appears in the escalation's number, ticket, customer, reason or people."""
    needle = search.strip().casefold()
    if not needle:
        return True
    hay = (f"#{row.id}", row.ticket_number, row.customer, row.reason, row.support_manager, row.senior_director,
           row.next_owner)  # fmt: skip
    return any(needle in text.casefold() for text in hay)


def escalation_table(settings_key: str) -> RecordTable:
    table = RecordTable(escalation_columns(), SORT_KEYS, settings_key, WIDTHS)
    table.setAccessibleName("Escalations")
    return table


def advance_button(action: QAction) -> QPushButton:
    """The row's Advance… beside Open: its own fixed text (nothing moves as the selection changes), the action's
    state and tooltip."""
    button = QPushButton("&Advance…")
    follow(button, action)
    button.clicked.connect(action.trigger)
    return button


def run_request(dialog: EscalationDialog) -> int | None:
    """Run the request dialog; the escalation to open after it closes: the new one, or the ticket's open one."""
    wanted: list[int] = []
    dialog.open_escalation_requested.connect(wanted.append)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.escalation_id is not None:
        return dialog.escalation_id
    return wanted[0] if wanted else None


class EscalationsPage(RecordListPage):
    """Every escalation, open ones first; filters; the detail on Enter or double-click."""

    title = "Escalations"
    new_item_text = "Request escalation…"
    key = "escalations"
    noun = "escalation"
    add_label = "Request escalation…"
    empty_intro = (
        "Escalate a ticket to support management when the customer or you need more than the normal "
        "support process: a support manager and the senior director of support take it on."
    )
    all_rows: list[EscalationRow]
    detail: EscalationDetailView

    def new_item(self) -> None:
        self.request_escalation()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, EscalationDetailView(ctx), parent)

    # -- construction -------------------------------------------------------------------------------------

    def _build_table(self) -> RecordTable:
        return escalation_table(self.key)

    def _build_row_actions(self) -> Sequence[QPushButton]:
        self.row_actions = escalation_actions(self.ctx, self.table, self.open_record, self._row_saved)
        return (advance_button(self.row_actions.actions()[1]),)

    def _row_saved(self, message: str) -> None:
        if message:
            self.show_status(message)
            changed("escalation")
        self.refresh()

    def _build_toolbar(self) -> tuple[QHBoxLayout, QPushButton]:
        states = [("Open", OPEN), ("All states", ""), *((s.label, s.value) for s in EscalationState)]
        self._build_filters(states, "")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search ticket, customer, reason or person  (Ctrl+F)")
        self.search.setAccessibleName("Search escalations")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.search.textChanged.connect(self.apply_filters)
        self.request_button = QPushButton("&Request escalation…")
        self.request_button.setIcon(icon("escalations"))
        self.request_button.clicked.connect(self.request_escalation)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.state_filter)
        toolbar.addWidget(self.customer_filter)
        toolbar.addWidget(self.search, 1)
        return toolbar, self.request_button

    # -- loading ------------------------------------------------------------------------------------------

    @staticmethod
    def fetch(ctx: Context) -> tuple[list[EscalationRow], str]:
        """Read every escalation (the VP rule is state: reading never apprises anyone)."""
        return list_escalations(ctx.now()), ""

    def _customer_choices(self, rows: Sequence[EscalationRow]) -> list[tuple[str, object]]:
        return sorted({(r.customer, r.customer_id) for r in rows}, key=lambda c: c[0].casefold())

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
        owed = sum(r.vp.owed for r in self.all_rows)
        vp = f" · {owed:,} VP of Customer Success to be apprised" if owed else ""
        self.count_label.setText(f"{shown}{open_count:,} open{vp}")
        self._show_content(rows)
        self._update_buttons()

    # -- actions ------------------------------------------------------------------------------------------

    def open_record(self, record_id: int) -> bool:
        """Show one escalation in full, ready to advance it."""
        opened = super().open_record(record_id)
        if opened:
            self.detail.advance_button.setFocus()
        return opened

    def open_escalation(self, esc_id: int) -> None:
        """Show one escalation in full."""
        self.open_record(esc_id)

    def add_record(self) -> None:
        self.request_escalation()

    def request_escalation(self) -> None:
        dialog = EscalationDialog(self.ctx, parent=self)
        esc_id = run_request(dialog)
        if dialog.escalation_id is not None:
            self.show_status(f"Escalation #{dialog.escalation_id} requested.")
            self.refresh()
        if esc_id is not None:
            self.open_escalation(esc_id)


class EscalationsTab(RecordTab):
    """The escalations of one customer or one ticket, with Request escalation and Open (in a window)."""

    key = "escalations"

    def _build_buttons(self) -> Sequence[QPushButton]:
        self.request_button = QPushButton("&Request escalation…")
        self.request_button.setIcon(icon("escalations"))
        self.request_button.clicked.connect(self.request_escalation)
        return (self.request_button,)

    def _build_row_actions(self) -> Sequence[QPushButton]:
        self.row_actions = escalation_actions(self.ctx, self.table, self.open_record, self._row_saved)
        return (advance_button(self.row_actions.actions()[1]),)

    def _row_saved(self, message: str) -> None:
        if message:
            show_status(self, message)
            changed("escalation")
        self._saved()

    def _build_table(self) -> RecordTable:
        table = escalation_table("escalations_tab")
        titles = [column.title for column in table.rows_model.columns]
        table.setColumnHidden(titles.index("Customer"), True)  # one customer's (or ticket's) escalations
        return table

    def fetch(self) -> list[Any]:
        return list(list_escalations(self.ctx.now(), customer_id=self.customer_id, ticket_id=self.ticket_id))

    def _show_summary(self, rows: Sequence[Any]) -> None:
        open_rows = [r for r in rows if r.state.is_open]
        noun = "escalation" if len(rows) == 1 else "escalations"
        self.summary.setText(f"{len(rows):,} {noun}, {len(open_rows):,} open" if rows else "")
        self.empty.set_text(
            "No escalations",
            f"Nothing of {self.whose} has been escalated to support management. Request escalation starts one.",
        )
        has_open = self.ticket_id is not None and bool(open_rows)
        self.request_button.setToolTip(
            f"Ticket already has an open escalation (#{open_rows[0].id})" if has_open else "Escalate a ticket"
        )

    def _update_buttons(self, *_: object) -> None:
        super()._update_buttons()
        self.request_button.setEnabled(self.customer_id is not None or self.ticket_id is not None)

    def request_escalation(self) -> None:
        dialog = EscalationDialog(self.ctx, ticket_id=self.ticket_id, customer_id=self.customer_id, parent=self)
        esc_id = run_request(dialog)
        if dialog.escalation_id is not None:
            self._saved()
        if esc_id is not None:
            self.open_escalation(esc_id)

    def open_record(self, record_id: int) -> None:
        self.open_escalation(record_id)

    def open_escalation(self, esc_id: int) -> None:
        dialog = EscalationDetailDialog(self.ctx, esc_id, self)
        dialog.exec()
        if dialog.changed:
            self._saved()

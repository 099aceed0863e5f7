"""The History tab: every audited change to the customer, newest first."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QTableView, QVBoxLayout, QWidget

from tamdesk.services.history import AuditRow
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.widgets import configure_table, remember_header, set_empty_text


def _audit_tooltip(row: AuditRow) -> str:
    keys = sorted(set(row.before) | set(row.after))
    lines = [f"{k}: {row.before.get(k, '—')} → {row.after.get(k, '—')}" for k in keys]
    return "\n".join([row.summary, *lines])


class HistoryTab(QWidget):
    """Every audited change to the customer, its seats and its onboarding, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RowTableModel[AuditRow](
            [
                Column[AuditRow]("When", lambda r: local_time(r.at)),
                Column[AuditRow]("Who", lambda r: r.actor),
                Column[AuditRow]("Change", lambda r: r.summary, tooltip=_audit_tooltip),
            ],
            self,
        )
        self.table = QTableView()
        self.table.setAccessibleName("Customer history")
        configure_table(self.table)
        self.table.setModel(self.model)
        remember_header(self.table, "customer_history", widths=(170, 140))
        self.empty_state = EmptyState(icon("history"), "", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

    def show_entries(self, customer: str, entries: list[AuditRow]) -> None:
        self.model.set_rows(entries)
        self.stack.setCurrentWidget(self.table if entries else self.empty_state)
        if not entries:
            set_empty_text(
                self.empty_state,
                "No changes recorded yet",
                f"Every change made in tamdesk to {customer}, its portal seats and its onboarding checklist is "
                "listed here, newest first: who made it, when, and what changed.",
            )

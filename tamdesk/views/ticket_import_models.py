"""The grids of the Import… dialog: the converted preview of a ticket export, and its SLA disagreements.

Both are ``RowTableModel``s over the service's plain rows (``PreviewRow``, ``ReconciliationLine``); the preview's
Customer column also says what the user chose for a name that matched no customer, so it reads as the import will.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from PySide6.QtGui import QColor

from tamdesk.services.reconciliation import ReconciliationLine
from tamdesk.services.ticket_import import PreviewRow
from tamdesk.views.table_model import Column, RowTableModel, local_time
from tamdesk.views.widgets import Tone, tone_background, tone_color

CUSTOMER_COLUMN = 1


def _when(value: datetime | None) -> str:
    return local_time(value)


def _problem_background(row: PreviewRow) -> QColor | None:
    return tone_background(Tone.ERROR) if row.problem else None


class ImportPreviewModel(RowTableModel[PreviewRow]):
    """The first rows of a ticket export as they will be imported, problems highlighted.

    ``customer_labels`` (file line → text) says what becomes of a row whose organization matched no customer:
    ``→ Acme Analytics``, ``new customer``, ``skipped``, or that it still needs a choice.
    """

    def __init__(self, parent: object = None) -> None:
        super().__init__([], parent)
        self.customer_labels: dict[int, str] = {}
        bg = _problem_background
        columns = [
            Column[PreviewRow]("Ticket", lambda r: r.number or f"row {r.line}", background=bg, width=90),
            Column[PreviewRow]("Customer (matched)", self._customer, background=bg, width=170,
                               tooltip=self._customer_tip,
                               foreground=lambda r: tone_color(Tone.WARNING) if self._undecided(r) else None),
            Column[PreviewRow]("Subject", lambda r: r.subject, tooltip=lambda r: r.subject, background=bg, width=220),
            Column[PreviewRow]("Severity", lambda r: r.severity.label if r.severity else "", background=bg, width=100),
            Column[PreviewRow]("Status", lambda r: r.status.label if r.status else "", background=bg, width=140),
            Column[PreviewRow]("Opened", lambda r: _when(r.opened), background=bg, width=165),
            Column[PreviewRow]("First response", lambda r: _when(r.first_response), background=bg, width=165),
            Column[PreviewRow]("Resolved", lambda r: _when(r.resolved), background=bg, width=165),
            Column[PreviewRow]("Problem", lambda r: r.problem, tooltip=lambda r: r.problem, background=bg,
                               foreground=lambda r: tone_color(Tone.ERROR) if r.problem else None),
        ]  # fmt: skip
        self.columns = columns

    def _customer(self, row: PreviewRow) -> str:
        if row.customer:
            return row.customer
        if row.problem and not row.number:
            return ""
        return self.customer_labels.get(row.line, row.organization)

    def _customer_tip(self, row: PreviewRow) -> str:
        if self._undecided(row):
            return "This name matches no customer: choose what to do with it under Customers"
        return f"In the file: {row.organization}" if row.organization else ""

    def _undecided(self, row: PreviewRow) -> bool:
        return not row.customer and self.customer_labels.get(row.line, "").startswith("?")

    def set_customer_labels(self, labels: Mapping[int, str]) -> None:
        """Say per file line what becomes of a row whose customer matched nothing; repaints that column."""
        self.customer_labels = dict(labels)
        if self._rows:
            self.dataChanged.emit(self.index(0, CUSTOMER_COLUMN), self.index(len(self._rows) - 1, CUSTOMER_COLUMN))


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


def disagreement_columns() -> list[Column[ReconciliationLine]]:
    return [
        Column[ReconciliationLine]("Ticket", lambda r: r.number, width=90),
        Column[ReconciliationLine]("Customer", lambda r: r.customer, width=150),
        Column[ReconciliationLine]("Severity", lambda r: r.severity.label, width=100),
        Column[ReconciliationLine]("tamdesk says", lambda r: f"{_verdict(r.tamdesk_met)}: {r.tamdesk_figure}",
                                   tooltip=lambda r: f"Under {r.policy}: {r.tamdesk_figure}", width=260),
        Column[ReconciliationLine]("Source says", lambda r: f"{_verdict(r.source_met)}: {r.source_figure}",
                                   width=200),
        Column[ReconciliationLine]("Reason", lambda r: r.reason or "tamdesk cannot tell why",
                                   tooltip=lambda r: r.reason),
    ]  # fmt: skip


class DisagreementModel(RowTableModel[ReconciliationLine]):
    """Tickets whose first-response verdict in the source differs from tamdesk's, with both figures and why."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(disagreement_columns(), parent)


def raw_columns(headers: Sequence[str]) -> list[Column[tuple[str, ...]]]:
    """A column per header of the file, for rows shown as the file writes them (a history file's preview)."""
    return [Column[tuple[str, ...]](h or f"(column {n + 1})", _cell(n)) for n, h in enumerate(headers)]


def _cell(n: int) -> Callable[[tuple[str, ...]], str]:
    return lambda row: row[n]

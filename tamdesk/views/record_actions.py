"""The next step of an escalation from its row: Advance…/Decline…, copy the ticket number, open the record or its
ticket. Every state change asks first in its form, as the record's own detail does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from tamdesk.domain.states import EscalationState
from tamdesk.services.base import Context, DomainError
from tamdesk.services.escalations import ORDER, EscalationRow, advance_escalation, escalation_detail
from tamdesk.views.escalation_detail import AdvanceDialog
from tamdesk.views.escalation_dialog import Outcome, TextDialog
from tamdesk.views.pages.record_list import RecordTable
from tamdesk.views.row_actions import ActionSpec, TableActions, show_status
from tamdesk.views.widgets import show_failure

OPEN = ActionSpec("&Open…", "", "Show the record in full")
ADVANCE = ActionSpec("&Advance…", "Ctrl+Shift+A", "Move the escalation to its next state, with a note")
DECLINE = ActionSpec("Dec&line…", "", "Decline the escalation with a reason; that closes it")
COPY_TICKET = ActionSpec("&Copy ticket number", "Ctrl+Shift+C", "Copy the escalated ticket's number")
OPEN_TICKET = ActionSpec("Open &ticket…", "Ctrl+Shift+T", "Open the ticket in its window")

Saved = Callable[[str], None]
"""Called after a state change with what happened, for the status bar; the host reloads its rows."""


def _open_ticket(parent: QWidget, ctx: Context, ticket_id: int) -> None:
    from tamdesk.views.pages.tickets import open_ticket_detail  # the ticket window, built on first use

    open_ticket_detail(parent, ctx, ticket_id)


def _copy(table: RecordTable, text: str) -> None:
    QGuiApplication.clipboard().setText(text)
    show_status(table, f"Copied {text}.")


# -- escalations --------------------------------------------------------------------------------------------------


def _following(row: EscalationRow) -> EscalationState | None:
    return ORDER[ORDER.index(row.state) + 1] if row.state in ORDER and row.state.is_open else None


def _escalation_open(rows: list[EscalationRow]) -> str | None:
    if len(rows) != 1:
        return "Select an escalation first"
    row = rows[0]
    return None if row.state.is_open else f"Escalation #{row.id} is {row.state.label.lower()}: it has no next step"


def escalation_actions(
    ctx: Context, table: RecordTable, open_record: Callable[[int], object], saved: Saved
) -> TableActions[EscalationRow]:
    """Open, Advance to its next state…, Decline…, Copy ticket number and Open ticket on an escalation's row."""
    actions = TableActions[EscalationRow](table, lambda: [row] if (row := table.selected()) is not None else [])

    def advance(rows: list[EscalationRow]) -> None:
        try:
            detail = escalation_detail(rows[0].id, ctx.now())
        except DomainError as exc:
            show_failure(table, "Advance escalation", exc)
            saved("")
            return
        dialog = AdvanceDialog(ctx, detail, table)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            saved(f"Escalation #{detail.row.id} of {detail.row.ticket_number} is now {dialog.chosen().label.lower()}.")
        elif dialog.outcome is Outcome.STALE:
            saved("")

    def decline(rows: list[EscalationRow]) -> None:
        row = rows[0]

        def submit(text: str, confirm: bool) -> None:
            advance_escalation(ctx, row.id, row.version, EscalationState.DECLINED, decline_reason=text)

        dialog = TextDialog(
            f"Decline escalation #{row.id}",
            "Declining closes the escalation. The reason is kept on its timeline and in the escalation email.",
            "&Reason:", "decline_reason", submit, "Decline", "Working as designed; handled as a normal ticket", table,
        )  # fmt: skip
        if dialog.exec() == QDialog.DialogCode.Accepted:
            saved(f"Escalation #{row.id} of {row.ticket_number} declined.")
        elif dialog.outcome is Outcome.STALE:
            saved("")

    def advance_text(rows: list[EscalationRow]) -> str:
        following = _following(rows[0]) if len(rows) == 1 else None
        return f"&Advance to {following.label}…" if following else ADVANCE.text

    actions.add(OPEN, lambda rows: open_record(rows[0].id), text=lambda rows: f"&Open #{rows[0].id}…", default=True)
    actions.add(ADVANCE, advance, _escalation_open, text=advance_text)
    actions.add(DECLINE, decline, _escalation_open)
    actions.separator()
    actions.add(COPY_TICKET, lambda rows: _copy(table, rows[0].ticket_number),
                text=lambda rows: f"&Copy {rows[0].ticket_number}")  # fmt: skip
    actions.add(OPEN_TICKET, lambda rows: _open_ticket(table, ctx, rows[0].ticket_id),
                text=lambda rows: f"Open &ticket {rows[0].ticket_number}…")  # fmt: skip
    return actions

"""The next step of an escalation or a defect from its row: Advance…/Decline… an escalation, a defect's next step
(Validate…, Escalate to engineering…, … Close…) in a small form, copy the ticket number or the engineering key, open
the record or its ticket. Every state change asks first in its form, as the record's own detail does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from tamdesk.domain.states import EscalationState
from tamdesk.services.base import Context, DomainError
from tamdesk.services.defects import DefectDetail, DefectRow, defect_detail
from tamdesk.services.escalations import ORDER, EscalationRow, escalation_detail
from tamdesk.views.defect_detail import STEP_FORMS, CloseStep, StepForm, linked_tickets, open_link
from tamdesk.views.escalation_detail import AdvanceDialog, decline_undoably
from tamdesk.views.escalation_dialog import Outcome, TextDialog
from tamdesk.views.pages.record_list import RecordTable
from tamdesk.views.row_actions import ActionSpec, Choice, TableActions, show_status
from tamdesk.views.widgets import show_failure

OPEN = ActionSpec("&Open…", "", "Show the record in full")
ADVANCE = ActionSpec("&Advance…", "Ctrl+Shift+A", "Move the escalation to its next state, with a note")
DECLINE = ActionSpec("Dec&line…", "", "Decline the escalation with a reason; that closes it")
COPY_TICKET = ActionSpec("&Copy ticket number", "Ctrl+Shift+C", "Copy the escalated ticket's number")
OPEN_TICKET = ActionSpec("Open &ticket…", "Ctrl+Shift+T", "Open the ticket in its window")
NEXT_STEP = ActionSpec("&Next step…", "Ctrl+Shift+A", "Take the defect's next step")
COPY_KEY = ActionSpec("&Copy engineering key", "Ctrl+Shift+C", "Copy the engineering tracker's key")
OPEN_TRACKER = ActionSpec("Open in t&racker", "Ctrl+Shift+O", "Open the defect in engineering's tracker")
OPEN_LINKED = ActionSpec("Open linked &ticket…", "Ctrl+Shift+T", "Open a ticket linked to the defect")

Saved = Callable[[str], None]
"""Called after a state change with what happened, for the status bar; the host reloads its rows."""


def _open_ticket(parent: QWidget, ctx: Context, ticket_id: int) -> None:
    from tamdesk.views.pages.tickets import open_ticket_detail  # the ticket window, built on first use

    open_ticket_detail(parent, ctx, ticket_id)


def _opener(parent: QWidget, ctx: Context, ticket_id: int) -> Callable[[], None]:
    return lambda: _open_ticket(parent, ctx, ticket_id)


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
            decline_undoably(ctx, row.id, row.version, text)

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


# -- defects ------------------------------------------------------------------------------------------------------


class DefectStepDialog(QDialog):
    """A defect's next step (the form its detail shows) in a dialog of its own, for the defect's row."""

    def __init__(self, ctx: Context, detail: DefectDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = detail.row
        step: Callable[[Context], StepForm] = STEP_FORMS[row.state]  # each step's form takes the context only
        self.form = step(ctx)
        self.setWindowTitle(f"{self.form.title} — defect #{row.id}")
        self.setMinimumWidth(520)
        self.outcome: Outcome | None = None
        self.form.load(detail)
        if isinstance(self.form, CloseStep):
            self.form.show_tickets(linked_tickets(detail, ctx))
        self.form.finished.connect(self._finished)
        about = QLabel(f"Defect #{row.id}: {row.title}")
        about.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.form.button, QDialogButtonBox.ButtonRole.AcceptRole)  # beside Cancel; it submits
        self.form.button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.form, 1)
        layout.addWidget(buttons)

    def _finished(self, outcome: Outcome) -> None:
        self.outcome = outcome
        if outcome is Outcome.DONE:
            self.accept()
        else:
            self.reject()


def _defect_open(rows: list[DefectRow]) -> str | None:
    if len(rows) != 1:
        return "Select a defect first"
    row = rows[0]
    return None if row.state in STEP_FORMS else f"Defect #{row.id} is {row.state.label.lower()}: no step is left"


def _with_key(rows: list[DefectRow]) -> str | None:
    if len(rows) != 1:
        return "Select a defect first"
    row = rows[0]
    return None if row.engineering_key else f"Defect #{row.id} has no engineering key yet: escalate it to engineering"


def _with_link(rows: list[DefectRow]) -> str | None:
    if len(rows) != 1:
        return "Select a defect first"
    row = rows[0]
    return None if row.engineering_url else f"Defect #{row.id} has no tracker link yet: escalate it to engineering"


def _with_tickets(rows: list[DefectRow]) -> str | None:
    if len(rows) != 1:
        return "Select a defect first"
    return None if rows[0].tickets else f"Defect #{rows[0].id} has no linked ticket"


def defect_actions(
    ctx: Context, table: RecordTable, open_record: Callable[[int], object], saved: Saved
) -> TableActions[DefectRow]:
    """Open, its next step…, Copy engineering key, Open in tracker and Open linked ticket on a defect's row."""
    actions = TableActions[DefectRow](table, lambda: [row] if (row := table.selected()) is not None else [])

    def next_step(rows: list[DefectRow]) -> None:
        try:
            detail = defect_detail(rows[0].id, ctx.now())
        except DomainError as exc:
            show_failure(table, "Defect", exc)
            saved("")
            return
        if detail.row.state not in STEP_FORMS:
            saved("")
            return
        dialog = DefectStepDialog(ctx, detail, table)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            after = defect_detail(detail.row.id, ctx.now()).row.state
            saved(f"Defect #{detail.row.id} is now {after.label.lower()}.")
        elif dialog.outcome is Outcome.STALE:
            saved("")

    def step_text(rows: list[DefectRow]) -> str:
        form = STEP_FORMS.get(rows[0].state) if len(rows) == 1 else None
        return f"&{form.title}…" if form is not None else NEXT_STEP.text

    def linked(rows: list[DefectRow]) -> list[Choice]:
        try:
            tickets = linked_tickets(defect_detail(rows[0].id, ctx.now()), ctx)
        except DomainError:
            return []
        return [(f"{t.number} — {t.subject}", _opener(table, ctx, t.id)) for t in tickets]

    def linked_text(rows: list[DefectRow]) -> str:
        numbers = rows[0].tickets if len(rows) == 1 else ()
        return f"Open &ticket {numbers[0]}…" if len(numbers) == 1 else OPEN_LINKED.text

    actions.add(OPEN, lambda rows: open_record(rows[0].id), text=lambda rows: f"&Open #{rows[0].id}…", default=True)
    actions.add(NEXT_STEP, next_step, _defect_open, text=step_text)
    actions.separator()
    actions.add(
        COPY_KEY,
        lambda rows: _copy(table, rows[0].engineering_key),
        _with_key,
        text=lambda rows: f"&Copy {rows[0].engineering_key}" if rows[0].engineering_key else COPY_KEY.text,
    )
    actions.add(OPEN_TRACKER, lambda rows: open_link(rows[0].engineering_url), _with_link)
    actions.add(OPEN_LINKED, lambda rows: None, _with_tickets, text=linked_text, choices=linked)
    return actions  # fmt: skip

"""What a TAM does to a ticket from wherever it is shown: escalate it, report a defect from it, record a response,
copy its number, open it in the support system. One set of actions serves a ticket list (its rows' context menu
and shortcuts) and the ticket window (its header buttons and shortcuts).

The shortcuts all hold Ctrl+Shift and none deletes anything: the two dialogs ask before saving, a response recorded
by mistake is taken back with Ctrl+Z.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QTableView, QWidget

from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.typed_time import whole_minute
from tamdesk.services.base import Context, DomainError
from tamdesk.services.ticket_links import support_link
from tamdesk.services.ticket_lists import TicketRow
from tamdesk.services.ticket_undo import RecordedEvent, record_event, take_back_event
from tamdesk.views.changes import changed, ticket_changes
from tamdesk.views.defect_dialog import ReportDefectDialog
from tamdesk.views.escalation_detail import EscalationDetailDialog
from tamdesk.views.escalation_dialog import EscalationDialog
from tamdesk.views.row_actions import ActionSpec, make_action, selecting_row_menu
from tamdesk.views.undo import push_done

CLOSED = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})


@dataclass(frozen=True)
class TicketTarget:
    """The ticket the actions apply to, as the list row or the ticket window knows it."""

    id: int
    number: str
    customer_id: int
    status: TicketStatus

    @classmethod
    def of(cls, row: TicketRow) -> TicketTarget:
        return cls(row.id, row.number, row.customer_id, row.status)


ESCALATE = ActionSpec("&Escalate…", "Ctrl+Shift+E", "Request an escalation of this ticket to support management")
REPORT_DEFECT = ActionSpec("Report &defect…", "Ctrl+Shift+D", "Report a product defect found through this ticket")
RECORD_RESPONSE = ActionSpec(
    "Record &response", "Ctrl+Shift+R", "Support replied to the customer now: stops the first-response clock"
)
COPY_NUMBER = ActionSpec("&Copy number", "Ctrl+Shift+C", "Copy the ticket number to the clipboard")
OPEN_IN_SOURCE = ActionSpec("Open in support &system", "Ctrl+Shift+O", "Open the ticket in the support system")


class TicketActions(QObject):
    """Escalate…, Report defect…, Record response, Copy number and Open in support system for ``target()``.

    The actions are added to ``owner`` with ``context`` (a table: its shortcuts work while it has the focus; a
    window: anywhere in it). Call ``refresh`` once built and whenever the ticket changes: it enables what applies,
    and a disabled action's tooltip says why.
    """

    acted = Signal(int)  # the ticket was escalated, linked to a new defect, or got a response

    def __init__(
        self,
        ctx: Context,
        owner: QWidget,
        target: Callable[[], TicketTarget | None],
        context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
    ) -> None:
        super().__init__(owner)
        self.ctx = ctx
        self.owner = owner
        self.target = target
        self.url = ""
        self.escalate = self._action(ESCALATE, self.escalate_ticket, context)
        self.report_defect = self._action(REPORT_DEFECT, self.report_ticket_defect, context)
        self.record_response = self._action(RECORD_RESPONSE, self.record_ticket_response, context)
        self.copy_number = self._action(COPY_NUMBER, self.copy_ticket_number, context)
        self.open_in_source = self._action(OPEN_IN_SOURCE, self.open_ticket_in_source, context)

    def _action(self, spec: ActionSpec, slot: Callable[[], None], context: Qt.ShortcutContext) -> QAction:
        return make_action(self.owner, self, spec, slot, context)

    def actions(self) -> list[QAction]:
        return [self.escalate, self.report_defect, self.record_response, self.copy_number, self.open_in_source]

    def add_to(self, menu: QMenu) -> None:
        """The actions, grouped: the two that open a form, the response, then the two that reach outside."""
        menu.addActions([self.escalate, self.report_defect])
        menu.addSeparator()
        menu.addAction(self.record_response)
        menu.addSeparator()
        menu.addActions([self.copy_number, self.open_in_source])

    def refresh(self) -> None:
        """Enable what applies to the ticket now; a disabled action's tooltip says why."""
        target = self.target()
        for action in self.actions():
            action.setEnabled(target is not None)
        if target is None:
            return
        closed = target.status in CLOSED
        self.record_response.setEnabled(not closed)
        self.record_response.setToolTip(
            f"Ticket {target.number} is {target.status.label.lower()}: reopen it to record a response"
            if closed
            else RECORD_RESPONSE.tip
        )
        link = support_link(target.id)
        self.url = link.url
        self.open_in_source.setEnabled(bool(link.url))
        self.open_in_source.setToolTip(f"Open {link.url}" if link.url else link.why)

    # -- the actions ------------------------------------------------------------------------------------------

    def escalate_ticket(self) -> None:
        """The escalation request form with this ticket chosen; its open escalation when the TAM asks for it."""
        target = self.target()
        if target is None:
            return
        dialog = EscalationDialog(self.ctx, ticket_id=target.id, customer_id=target.customer_id, parent=self.owner)
        wanted: list[int] = []
        dialog.open_escalation_requested.connect(wanted.append)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.escalation_id is not None:
            self._acted(target, "escalation", f"Escalation #{dialog.escalation_id} requested for {target.number}.")
        elif wanted:
            EscalationDetailDialog(self.ctx, wanted[0], self.owner).exec()

    def report_ticket_defect(self) -> None:
        """The defect form with this ticket linked."""
        target = self.target()
        if target is None:
            return
        dialog = ReportDefectDialog(self.ctx, ticket_id=target.id, customer_id=target.customer_id, parent=self.owner)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.defect_id is not None:
            self._acted(target, "defect", f"Defect #{dialog.defect_id} reported from {target.number}.")

    def record_ticket_response(self) -> None:
        """A response now, as the ticket window's Response button records it; Ctrl+Z takes it back."""
        target = self.target()
        if target is None or target.status in CLOSED:
            return
        ctx, ticket_id, at = self.ctx, target.id, whole_minute(self.ctx.now())
        try:
            recorded = record_event(ctx, ticket_id, TicketEventKind.RESPONSE, at)
        except DomainError as exc:
            self._show_status(f"No response recorded on {target.number}: {exc}")
            return
        push_recorded_event(ctx, recorded, TicketEventKind.RESPONSE, at, "", f"Record response on {target.number}")
        self._acted(target, "ticket", f"Response recorded on {target.number}; Ctrl+Z takes it back.")

    def copy_ticket_number(self) -> None:
        target = self.target()
        if target is not None:
            QGuiApplication.clipboard().setText(target.number)
            self._show_status(f"Copied {target.number}.")

    def open_ticket_in_source(self) -> None:
        self.refresh()  # the connection may have changed since the menu was built
        if self.url:
            QDesktopServices.openUrl(QUrl(self.url))

    # -- after an action --------------------------------------------------------------------------------------

    def _acted(self, target: TicketTarget, what: str, message: str) -> None:
        ticket_changes().changed.emit(target.id)
        if what != "ticket":
            changed(what)
        self._show_status(message)
        self.acted.emit(target.id)

    def _show_status(self, text: str) -> None:
        window = self.owner.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)


def push_recorded_event(
    ctx: Context, recorded: RecordedEvent, kind: TicketEventKind, at: datetime, note: str, text: str
) -> None:
    """Offer Ctrl+Z for an event just recorded: undo deletes exactly that event (refused when someone corrected or
    deleted it since) and the ticket has the status it had before, redo records it again under a new id; every open
    list and window follows."""
    current, ticket_id = [recorded], recorded.ticket_id

    def undo() -> None:
        take_back_event(ctx, current[0])
        ticket_changes().changed.emit(ticket_id)

    def redo() -> None:
        current[:] = [record_event(ctx, ticket_id, kind, at, note)]
        ticket_changes().changed.emit(ticket_id)

    push_done(text, undo=undo, redo=redo)


# -- on the rows of a ticket list ------------------------------------------------------------------------------


class RowActions(TicketActions):
    """The ticket actions on the selected row of ``table``: as shortcuts while the table has the focus, and on the
    context menu of every row (a right-click selects the row it is on, then the menu acts on it)."""

    def __init__(
        self, ctx: Context, table: QTableView, row_at: Callable[[int], TicketRow], open_ticket: Callable[[int], None]
    ) -> None:
        super().__init__(ctx, table, lambda: self.selected())
        self.table = table
        self.row_at = row_at
        self.open_ticket = open_ticket
        self.show_menu = selecting_row_menu(table, self.menu)
        table.selectionModel().selectionChanged.connect(lambda *_: self.refresh())
        self.refresh()

    def selected(self) -> TicketTarget | None:
        rows = self.table.selectionModel().selectedRows()
        return TicketTarget.of(self.row_at(rows[0].row())) if rows else None

    def menu(self) -> QMenu | None:
        """The menu for the selected row (the one right-clicked): Open first, then the actions."""
        self.refresh()
        target = self.selected()
        if target is None:
            return None
        menu = QMenu(self.table)
        opening = menu.addAction(f"Open {target.number}…")
        opening.triggered.connect(lambda _=False, ticket_id=target.id: self.open_ticket(ticket_id))
        menu.setDefaultAction(opening)
        menu.addSeparator()
        self.add_to(menu)
        return menu

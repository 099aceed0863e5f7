"""Report a product defect from a ticket, link more tickets (of any customer) to a defect, and log what a
customer was told about it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QVBoxLayout, QWidget

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context, DomainError, FieldError
from tamdesk.services.customers import get_customer
from tamdesk.services.defects import (
    cadence_days,
    link_ticket,
    list_defects,
    log_customer_update,
    priority_for,
    report_defect,
)
from tamdesk.services.tickets import TicketDetail, ticket_detail
from tamdesk.views.datetime_field import DateTimeField
from tamdesk.views.escalation_dialog import (
    NO_TICKET,
    NO_TICKET_STYLE,
    FormDialog,
    TicketChooser,
    hint_label,
    plain_text,
    ticket_summary,
)
from tamdesk.views.widgets import grow_to_fit, reserve_space


class TicketField:
    """A fixed ticket (shown as text) or a chooser of tickets, with the chosen ticket's summary underneath."""

    def __init__(self, ctx: Context, dialog: FormDialog, ticket_id: int | None, customer_id: int | None) -> None:
        self.ctx = ctx
        self.dialog = dialog
        self.fixed = ticket_id
        self.detail: TicketDetail | None = None
        self.listeners: list[Callable[[], object]] = []
        self.chooser = TicketChooser(customer_id) if ticket_id is None else None
        # the chosen ticket's summary keeps its room: choosing a ticket moves nothing beneath it
        self.summary = reserve_space(hint_label(""), 1 if self.chooser is None else 2)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if self.chooser is not None:
            column.addWidget(self.chooser)
            self.chooser.currentIndexChanged.connect(self.changed)
            self.chooser.editTextChanged.connect(self.changed)
        column.addWidget(self.summary)
        dialog.add_field("ticket", "Ticket:" if self.chooser is None else "&Ticket:", box, focus=self.chooser)

    def ticket_id(self) -> int | None:
        return self.fixed if self.chooser is None else self.chooser.ticket_id()

    def changed(self, *_: object) -> None:
        ticket_id = self.ticket_id()
        self.detail = None
        self.dialog.messages["ticket"].clear()
        if ticket_id is not None:
            try:
                self.detail = ticket_detail(ticket_id, self.ctx.now())
            except DomainError as exc:
                self.dialog.messages["ticket"].set_error(str(exc))
        self.summary.setText(ticket_summary(self.detail) if self.detail else NO_TICKET)
        self.summary.setStyleSheet("" if self.detail else NO_TICKET_STYLE)
        for listener in self.listeners:
            listener()
        grow_to_fit(self.dialog)

    def require(self) -> int:
        """The ticket fixed or chosen; FieldError (``Choose a ticket.``, ``No ticket SUP-9.``) when there is none."""
        if self.chooser is None:
            assert self.fixed is not None
            return self.fixed
        return self.chooser.require("Choose a ticket.")


class ReportDefectDialog(FormDialog):
    """Report a product defect from a ticket. After ``accept`` ``defect_id`` is the new defect."""

    def __init__(
        self, ctx: Context, ticket_id: int | None = None, customer_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Report a product defect",
            "Record a bug found through a ticket. Support validates it, escalates it to engineering's tracker and "
            "follows it until the fix is deployed; the customers are updated on a cadence meanwhile.",
            "Report defect",
            parent,
        )
        self.ctx = ctx
        self.defect_id: int | None = None
        self.ticket = TicketField(ctx, self, ticket_id, customer_id)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Coordinator runs out of memory on large joins")
        self.add_field("title", "T&itle:", self.title_edit)
        self.description = plain_text("What happens, where, since which version", lines=4)
        self.add_field("description", "&Description:", self.description)
        self.severity = QComboBox()
        self.severity.addItem("Same as the ticket", None)
        for level in Severity:
            self.severity.addItem(level.label, int(level))
            self.severity.setItemData(self.severity.count() - 1, level.definition, Qt.ItemDataRole.ToolTipRole)
        self.severity_hint = reserve_space(hint_label(""), 3)  # filled once a ticket gives the severity
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.severity)
        column.addWidget(self.severity_hint)
        self.add_field("severity", "&Severity:", box, focus=self.severity)
        self.severity.currentIndexChanged.connect(self._show_severity)
        self.ticket.listeners.append(self._show_severity)
        self.ticket.changed()
        self.resize(600, self.sizeHint().height())

    def chosen_severity(self) -> Severity | None:
        value = self.severity.currentData()
        if value is not None:
            return Severity(int(value))
        return self.ticket.detail.input.severity if self.ticket.detail else None

    def _show_severity(self, *_: object) -> None:
        severity = self.chosen_severity()
        if severity is None:
            self.severity_hint.setText(
                "Choose the ticket: its severity (or the one chosen here) sets the defect's backlog priority and how "
                "often its customers are updated."
            )
            return
        every = cadence_days()[severity]
        self.severity_hint.setText(
            f"{severity.label}: {severity.definition}\nBacklog priority {priority_for(severity)}; the customer is "
            f"updated every {every} business day{'s' if every != 1 else ''}."
        )

    def action(self, confirm: bool) -> None:
        ticket_id = self.ticket.require()
        value = self.severity.currentData()
        severity = Severity(int(value)) if value is not None else None
        self.defect_id = report_defect(
            self.ctx, ticket_id, self.title_edit.text(), self.description.toPlainText(), severity
        )


class LinkTicketDialog(FormDialog):
    """Link another ticket, of this or another customer, to a defect."""

    def __init__(
        self, ctx: Context, defect_id: int, title: str, linked: Sequence[int] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Link a ticket to defect #{defect_id}",
            f"“{title}”\n\nTickets of other customers can be linked too; the defect then follows every customer "
            "it affects.",
            "Link ticket",
            parent,
        )
        self.ctx = ctx
        self.defect_id = defect_id
        self.linked = set(linked)
        self.ticket = TicketField(ctx, self, None, None)
        self.ticket.changed()

    def action(self, confirm: bool) -> None:
        ticket_id = self.ticket.require()
        if ticket_id in self.linked:
            raise FieldError("ticket", "That ticket is already linked to this defect.")
        link_ticket(self.ctx, self.defect_id, ticket_id)


class LinkDefectDialog(FormDialog):
    """Link a ticket to an existing defect (from the ticket's side)."""

    def __init__(self, ctx: Context, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            "Link to a known defect",
            "When the ticket is caused by a defect already on record, link it so its customer is followed too.",
            "Link",
            parent,
        )
        self.ctx = ctx
        self.ticket_id = ticket_id
        self.defect = QComboBox()
        self.defect.setMinimumWidth(420)
        linked = set(ticket_detail(ticket_id, ctx.now()).defect_ids)
        for row in list_defects(ctx.now(), open_only=True):
            if row.id in linked:
                continue
            key = f" · {row.engineering_key}" if row.engineering_key else ""
            self.defect.addItem(f"#{row.id} {row.title} ({row.severity.label}{key}, {row.state.label})", row.id)
        self.add_field("defect", "&Defect:", self.defect, "Open defects; a deployed fix is no longer listed.")
        self.ok_button.setEnabled(self.defect.count() > 0)
        if not self.defect.count():
            self.messages["defect"].set_warning("There are no open defects this ticket is not already linked to.")

    def action(self, confirm: bool) -> None:
        defect_id = self.defect.currentData()
        if defect_id is None:
            raise FieldError("defect", "Choose a defect.")
        link_ticket(self.ctx, int(defect_id), self.ticket_id)


class LogUpdateDialog(FormDialog):
    """Log what a customer was told about a defect: that customer's next update falls due one cadence later.

    "Every linked customer" resets the clock of each customer linked at the time of the update.
    """

    def __init__(
        self,
        ctx: Context,
        defect_id: int,
        customers: Sequence[tuple[int, str]],
        cadence: str,
        parent: QWidget | None = None,
        *,
        chosen: int | None = None,
    ) -> None:
        super().__init__(
            f"Log a customer update — defect #{defect_id}",
            f"Record what the customer was told. {cadence}",
            "Log update",
            parent,
        )
        self.ctx = ctx
        self.defect_id = defect_id
        self.customer = QComboBox()
        if len(customers) != 1:
            self.customer.addItem("Every linked customer", None)
        for cid, name in customers:
            self.customer.addItem(name, cid)
        if chosen is not None and (index := self.customer.findData(chosen)) >= 0:
            self.customer.setCurrentIndex(index)  # the customer selected in the defect's update clocks
        self.add_field("customer", "&Customer:", self.customer)
        self.at = DateTimeField(ctx.now, "When")
        self.at.set_value(ctx.now())
        self.add_field("at", "&When:", self.at, focus=self.at.edit)
        self.customer.currentIndexChanged.connect(self._customer_chosen)
        self._customer_chosen()
        self.text = plain_text("Engineering reproduced the issue; a fix is planned for 4.36", lines=4)
        self.add_field("text", "&What they were told:", self.text)
        self.text.setFocus()

    def _customer_chosen(self, *_: object) -> None:
        """The chosen customer's clock is offered beside the time (every linked customer: only yours)."""
        customer_id = self.customer.currentData()
        try:
            zone = get_customer(customer_id).input.time_zone if customer_id is not None else None
        except DomainError:
            zone = None
        self.at.set_customer_zone(zone)

    def submit(self) -> None:
        if self.at.value() is not None:  # else the field says why, and nothing is logged
            super().submit()

    def action(self, confirm: bool) -> None:
        at = self.at.value()
        assert at is not None  # submit checked it
        if at > self.ctx.now():
            raise FieldError("at", "An update cannot be logged in the future.")
        log_customer_update(self.ctx, self.defect_id, self.text.toPlainText(), self.customer.currentData(), at)

"""The ticket detail: a severity change as of a time, shown in the timeline and the SLA explanation, and a breach
excused with a reason by clicking Excuse…; both refused beside the field when wrong, both undone with Edit › Undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, ticket_detail
from tamdesk.views.ticket_detail import TicketDetailDialog
from tamdesk.views.ticket_sla_dialogs import ExcuseDialog, SeverityDialog
from tamdesk.views.undo import undo_stack

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # Tue 15:30 CET


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))


def _ticket(ctx: Context, customer: int, severity: Severity, opened: datetime) -> int:
    return create_ticket(ctx, TicketInput("SUP-1", customer, "Cluster down", severity, opened))


def _detail(qtbot, ctx: Context, ticket_id: int) -> TicketDetailDialog:
    dialog = TicketDetailDialog(ctx, ticket_id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    dialog.show()
    return dialog


def _answer(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fill) -> list[QDialog]:
    """Stand in for the user in a modal dialog: ``fill`` types and clicks; exec returns what the dialog decided."""
    shown: list[QDialog] = []

    def exec_(self: QDialog) -> int:
        shown.append(self)
        fill(self)
        return int(self.result())

    monkeypatch.setattr(cls, "exec", exec_)
    return shown


def _save(dialog: QDialog) -> None:
    dialog.findChild(QDialogButtonBox).buttons()[0].click()  # Save / Excuse: the accepting button comes first


def test_lowering_after_a_workaround_reads_sev1_until_then_sev3(qtbot, acme: int, ctx: Context, monkeypatch) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=2))  # Tue 13:30 CET
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(hours=1, minutes=50))
    detail = _detail(qtbot, ctx, ticket)
    assert detail.severity_story.text() == "Sev1 Urgent since it was opened"

    def lower(dialog: SeverityDialog) -> None:
        dialog.severity.setCurrentIndex(dialog.severity.findData(int(Severity.NORMAL)))
        dialog.at.set_value(NOW - timedelta(hours=1, minutes=10))  # Tue 14:20 CET
        _save(dialog)

    _answer(monkeypatch, SeverityDialog, lower)
    detail.severity_button.click()
    assert detail.severity_story.text() == "Sev1 Urgent until Tue 10 Mar 14:20 CET, then Sev3 Normal"
    assert "Sev3 Normal" in detail.subtitle.text()
    assert [e.what for e in detail.model.rows()] == ["Opened", "Response", "Severity changed"]
    assert detail.model.rows()[0].note == "Sev1 Urgent" and detail.model.rows()[2].note == "Sev1 Urgent → Sev3 Normal"
    assert "from the lowering to Sev3 Normal at Tue 14:20" in detail.updates.text()
    undo_stack().undo()
    detail.load()
    assert detail.severity_story.text() == "Sev1 Urgent since it was opened"
    assert t.TicketSeverityChange.select().count() == 0
    undo_stack().redo()
    detail.load()
    assert detail.severity_story.text().endswith("then Sev3 Normal")


def test_a_change_before_the_opening_is_refused_beside_the_time(qtbot, acme: int, ctx: Context) -> None:
    ticket = _ticket(ctx, acme, Severity.NORMAL, NOW - timedelta(hours=2))
    dialog = SeverityDialog(ctx, ticket_detail(ticket, NOW))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.severity.currentText() == "Sev1 Urgent"  # the current severity is not offered
    dialog.at.set_value(NOW - timedelta(hours=3))
    _save(dialog)
    assert dialog.at_message.text() == (
        "Severity changed at 2026-03-10 11:30 UTC is before ticket SUP-1 was opened (2026-03-10 12:30 UTC)."
    )
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert t.Ticket.get_by_id(ticket).severity == 3 and t.TicketSeverityChange.select().count() == 0
    dialog.at.set_value(NOW + timedelta(days=1))
    _save(dialog)
    assert dialog.at_message.text() == "Severity changed at 2026-03-11 14:30 UTC is in the future."


def test_excusing_a_breached_first_response_by_clicking(qtbot, acme: int, ctx: Context, monkeypatch) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=3))  # nobody answered: breached
    detail = _detail(qtbot, ctx, ticket)
    assert detail.excuse_first_button.isVisible() and not detail.first_response_excuse.isVisible()
    messages: list[str] = []

    def excuse(dialog: ExcuseDialog) -> None:
        _save(dialog)  # no reason yet
        messages.append(dialog.reason_message.text())
        dialog.reason.setPlainText("The customer's data centre lost power")
        _save(dialog)

    _answer(monkeypatch, ExcuseDialog, excuse)
    detail.excuse_first_button.click()
    assert messages == ["A reason is required to excuse a breach (say what caused it, e.g. the customer's outage)."]
    assert detail.first_response_excuse.text().startswith("✓ Excused: The customer's data centre lost power (Tess Tam")
    assert not detail.excuse_first_button.isVisible()
    assert detail.sla_state.text().startswith("✖ Response breached")  # the breach itself stays
    undo_stack().undo()
    detail.load()
    assert detail.excuse_first_button.isVisible() and not detail.first_response_excuse.isVisible()


def test_excusing_one_missed_update(qtbot, acme: int, ctx: Context, monkeypatch) -> None:
    ticket = _ticket(ctx, acme, Severity.URGENT, NOW - timedelta(hours=6))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, NOW - timedelta(hours=5, minutes=50))  # updates due every 2 h
    detail = _detail(qtbot, ctx, ticket)
    assert detail.excuse_update_button.isVisible() and not detail.excuse_first_button.isVisible()
    offered: list[list[str]] = []

    def excuse(dialog: ExcuseDialog) -> None:
        offered.append([dialog.breach.itemText(n) for n in range(dialog.breach.count())])
        dialog.reason.setPlainText("Customer asked for no calls during the cutover")
        _save(dialog)

    _answer(monkeypatch, ExcuseDialog, excuse)
    detail.excuse_update_button.click()
    assert offered == [["Customer update due Tue 10 Mar 11:40 CET", "Customer update due Tue 10 Mar 13:40 CET"]]
    assert detail.updates_excuse.text().startswith(
        "Update due Tue 10 Mar 11:40 CET: ✓ Excused: Customer asked for no calls during the cutover"
    )
    assert detail.excuse_update_button.isVisible()  # the second missed update is still unexcused


def test_the_edit_dialog_asks_when_the_severity_changed(qtbot, acme: int, ctx: Context) -> None:
    from tamdesk.views.ticket_dialog import TicketDialog

    ticket = _ticket(ctx, acme, Severity.NORMAL, NOW - timedelta(hours=2))
    dialog = TicketDialog(ctx, ticket_detail(ticket, NOW))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.severity_changed_at.isEnabled()  # asked only when the severity changes
    dialog.severity.buttons[Severity.URGENT].click()
    assert dialog.severity_changed_at.isEnabled()
    dialog.severity_changed_at.set_value(NOW - timedelta(hours=5))
    dialog.save()
    assert (
        dialog.messages["severity_changed_at"]
        .text()
        .startswith("Severity changed at 2026-03-10 09:30 UTC is before ticket SUP-1 was opened")
    )
    assert t.Ticket.get_by_id(ticket).severity == 3
    dialog.severity_changed_at.set_value(NOW - timedelta(hours=1))
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    change = t.TicketSeverityChange.get()
    assert (change.at, change.before, change.after) == (NOW - timedelta(hours=1), 3, 1)
    undo_stack().undo()
    assert (t.Ticket.get_by_id(ticket).severity, t.TicketSeverityChange.select().count()) == (3, 0)

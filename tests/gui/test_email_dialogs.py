"""Emailing the access form from the app, against a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import save_smtp_settings
from tamdesk.services.onboarding import checklist
from tamdesk.views.email_dialogs import EmailAccessFormDialog
from tests.db.test_email import Server, free_port, run_server


@pytest.fixture
def server() -> Iterator[Server]:
    yield from run_server()


def _dialog(qtbot, ctx: Context) -> tuple[EmailAccessFormDialog, int]:
    cid = create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))
    dialog = EmailAccessFormDialog(ctx, cid, "Acme", [("Ana Ruiz", "ana@acme.com"), ("Bo Li", "bo@acme.com")])
    qtbot.addWidget(dialog)
    return dialog, cid


def test_send_to_chosen_holders_and_marks_sent(qtbot, db_path, ctx: Context, server: Server, fixed_now) -> None:
    save_smtp_settings(ctx, server.settings)
    dialog, cid = _dialog(qtbot, ctx)
    dialog.boxes[1][0].setChecked(False)
    dialog.others.setText("lead@acme.com")
    dialog.send_button.click()
    qtbot.waitUntil(lambda: bool(dialog.result_text), timeout=10_000)
    assert dialog.result_text == "Access form sent to ana@acme.com, lead@acme.com."
    [(envelope, _)] = server.mailbox.received
    assert envelope.rcpt_tos == ["ana@acme.com", "lead@acme.com"]
    assert any(s.title == "Access form sent" and s.done_at for s in checklist(cid, fixed_now.date()).steps)


def test_unreachable_server_is_shown_in_the_dialog(qtbot, db_path, ctx: Context, server: Server) -> None:
    save_smtp_settings(ctx, server.settings.__class__(**{**server.settings.__dict__, "port": free_port()}))
    dialog, _ = _dialog(qtbot, ctx)
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled() and "127.0.0.1" in dialog.status.text(), timeout=10_000)
    assert dialog.result_text == ""


def test_email_not_set_up_is_said_before_anything_is_filled_in(qtbot, db_path, ctx: Context) -> None:
    dialog, _ = _dialog(qtbot, ctx)
    assert dialog.status.text() == "Email is not set up: set the SMTP server and sender in Settings › Email first."
    assert not dialog.send_button.isEnabled()
    assert not dialog.others.isEnabled()
    assert not any(box.isEnabled() for box, _ in dialog.boxes)


def test_escalation_email_sent_from_the_app(qtbot, db_path, ctx: Context, server: Server, fixed_now) -> None:
    from datetime import timedelta

    from tamdesk.domain.severity import Severity
    from tamdesk.models import tables as t
    from tamdesk.services.escalations import EscalationInput, request_escalation
    from tamdesk.services.tickets import TicketInput, create_ticket
    from tamdesk.views.email_dialogs import send_escalation_email
    from tamdesk.views.tasks import TaskRunner

    save_smtp_settings(ctx, server.settings)
    t.Person.create(name="Maya", role="support_manager", email="maya@vendor.example")
    cid = create_customer(ctx, CustomerInput(name="Acme"))
    ticket = create_ticket(ctx, TicketInput("SUP-1", cid, "Down", Severity.HIGH, fixed_now - timedelta(hours=1)))
    esc = request_escalation(ctx, ticket, EscalationInput("tam", "", "Outage", "Orders stop"))
    results: list[str] = []
    parent = QMessageBox()
    qtbot.addWidget(parent)
    send_escalation_email(parent, ctx, esc, TaskRunner(), results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results == ["Escalation emailed to maya@vendor.example."]
    assert server.mailbox.received[0][1]["Subject"].startswith("[Escalation] Acme — SUP-1")

"""Emailing the access form and an escalation through a real SMTP server on loopback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta

import openpyxl
import pytest

from tamdesk.domain.severity import Severity
from tamdesk.models import tables as t
from tamdesk.reports.mail import email_access_form, email_escalation
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.email import EmailError
from tamdesk.services.escalations import EscalationInput, escalation_detail, request_escalation
from tamdesk.services.onboarding import checklist
from tamdesk.services.tickets import TicketInput, create_ticket
from tests.db.test_email import Server, free_port, run_server


@pytest.fixture
def server() -> Iterator[Server]:
    yield from run_server()


@pytest.fixture
def acme(db_path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"]))


def _form_sent(customer: int, fixed_now: datetime) -> bool:
    steps = {s.title: s for s in checklist(customer, fixed_now.date()).steps}
    return steps["Access form sent"].done_at is not None


def test_access_form_is_sent_with_the_workbook_and_marked(
    acme: int, ctx: Context, server: Server, fixed_now: datetime
) -> None:
    summary = email_access_form(ctx, acme, ["ana@acme.com"], server.settings, SecretStore())
    assert summary == "Access form sent to ana@acme.com."
    [(envelope, message)] = server.mailbox.received
    assert envelope.rcpt_tos == ["ana@acme.com"]
    assert message["Subject"] == "Customer portal access form — Acme"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Portal access form - Acme.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert any("Acme" in str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value)
    assert _form_sent(acme, fixed_now)


def test_a_failed_send_records_nothing(acme: int, ctx: Context, fixed_now: datetime, server: Server) -> None:
    settings = server.settings.__class__(**{**server.settings.__dict__, "port": free_port()})
    with pytest.raises(EmailError, match="127.0.0.1"):
        email_access_form(ctx, acme, ["ana@acme.com"], settings, SecretStore())
    assert not _form_sent(acme, fixed_now)
    assert t.Customer.get_by_id(acme).access_form_sent_at is None


def test_escalation_is_emailed_and_noted(acme: int, ctx: Context, server: Server, fixed_now: datetime) -> None:
    t.Person.create(name="Maya", role="support_manager", email="maya@vendor.example")
    t.Person.create(name="Dan", role="senior_director", email="dan@vendor.example")
    ticket = create_ticket(ctx, TicketInput("SUP-7", acme, "Down", Severity.HIGH, fixed_now - timedelta(hours=1)))
    esc = request_escalation(ctx, ticket, EscalationInput("customer", "Ana", "Outage", "Orders stop"))
    assert email_escalation(ctx, esc, fixed_now, server.settings, SecretStore()) == (
        "Escalation emailed to maya@vendor.example, dan@vendor.example."
    )
    [(envelope, message)] = server.mailbox.received
    assert sorted(envelope.rcpt_tos) == ["dan@vendor.example", "maya@vendor.example"]
    assert message["Subject"].startswith("[Escalation] Acme — SUP-7")
    assert escalation_detail(esc, fixed_now).timeline[-1].text.startswith("Escalation emailed to")

"""A small account for the timeline tests: Acme (Berlin) with two contacts, a ticket, an escalation, a defect and a
seat, and Globex with a contact and a ticket of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import report_defect
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.seats import SeatInput, request_seat
from tamdesk.services.tickets import TicketInput, add_event, create_ticket


@dataclass(frozen=True)
class Book:
    acme: int
    globex: int
    ana: int  # contact of Acme, with an address
    bo: int  # contact of Acme, with an address
    cy: int  # contact of Acme, no address
    gil: int  # contact of Globex
    tess: int  # person of our side (TAM)
    maya: int  # person of our side (support manager)
    ticket: int
    other_ticket: int  # Globex's
    escalation: int
    defect: int
    seat: int


def contact(customer: int, name: str, email: str, now: datetime) -> int:
    return int(t.Contact.create(customer=customer, full_name=name, email=email, created_at=now).id)


def make_book(ctx: Context, now: datetime) -> Book:
    tess = t.Person.create(name="Tess Tam", role="tam", email="tess@vendor.example").id
    maya = t.Person.create(name="Maya Support", role="support_manager", email="maya@vendor.example").id
    acme = create_customer(
        ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", email_domains=("acme.example",),
                           tam="Tess Tam", onboarding_started=date(2026, 3, 1)),
    )  # fmt: skip
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="Europe/Berlin", tam="Omar Other"))
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Orders fail", Severity.HIGH, now - timedelta(days=2)))
    add_event(ctx, ticket, TicketEventKind.RESPONSE, now - timedelta(days=2) + timedelta(hours=1), "Looking")
    other = create_ticket(ctx, TicketInput("SUP-2", globex, "Slow", Severity.LOW, now - timedelta(days=1)))
    escalation = request_escalation(ctx, ticket, EscalationInput("tam", "", "Outage", "Orders stop"))
    defect = report_defect(ctx, ticket, "Orders API drops requests")
    seat = request_seat(ctx, acme, SeatInput("Ana Ruiz", "ana@acme.example"))
    return Book(
        acme, globex,
        contact(acme, "Ana Ruiz", "ana@acme.example", now), contact(acme, "Bo Li", "bo@acme.example", now),
        contact(acme, "Cy Park", "", now), contact(globex, "Gil Globex", "gil@globex.example", now),
        tess, maya, ticket, other, escalation, defect, seat,
    )  # fmt: skip

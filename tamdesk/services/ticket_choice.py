"""The ticket a TAM picks in the escalation and defect forms: by its number or its subject, never by database id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tamdesk.models import tables as t
from tamdesk.services.base import FieldError, tuples
from tamdesk.services.tickets import number_key


@dataclass(frozen=True)
class TicketChoice:
    id: int
    number: str
    subject: str
    customer: str

    @property
    def label(self) -> str:
        """``SUP-1 — Cluster down · Acme``: what the picker lists and what choosing an entry fills in."""
        return f"{self.number} — {self.subject} · {self.customer}"


def ticket_choices(customer_id: int | None = None) -> list[TicketChoice]:
    """The tickets a form may pick from (one customer's, or every customer's), by number."""
    query = (
        t.Ticket.select(t.Ticket.id, t.Ticket.number, t.Ticket.subject, t.Customer.name)
        .join(t.Customer)
        .order_by(t.Ticket.number)
    )
    if customer_id is not None:
        query = query.where(t.Ticket.customer == customer_id)
    return [TicketChoice(int(tid), number, subject, customer) for tid, number, subject, customer in tuples(query)]


def choose_ticket(choices: Sequence[TicketChoice], text: str) -> int | None:
    """The id of the ticket ``text`` names: a listed entry, a number (any letter case) or a subject; None for none.

    A bare ``42`` is no ticket unless a ticket is numbered 42: ids are the database's, not the TAM's.

    Raises:
        FieldError: ``text`` is a subject several tickets share (field ``ticket``).
    """
    typed = " ".join(text.split())
    if not typed:
        return None
    for pick in (
        lambda c: c.label == typed,
        lambda c: c.number == typed,
        lambda c: number_key(c.number) == number_key(typed),
    ):
        found = [c for c in choices if pick(c)]
        if found:
            return found[0].id
    same_subject = [c for c in choices if " ".join(c.subject.split()).casefold() == typed.casefold()]
    if len(same_subject) > 1:
        numbers = ", ".join(c.number for c in same_subject)
        raise FieldError("ticket", f"Several tickets are about '{typed}' ({numbers}); type the number.")
    return same_subject[0].id if same_subject else None


def require_ticket(choices: Sequence[TicketChoice], text: str, empty_message: str) -> int:
    """Like ``choose_ticket``, but a ticket must be named: ``empty_message`` when nothing was typed.

    Raises:
        FieldError: nothing typed, ``No ticket SUP-999999.``, or an ambiguous subject (field ``ticket``).
    """
    ticket_id = choose_ticket(choices, text)
    if ticket_id is not None:
        return ticket_id
    typed = " ".join(text.split())
    raise FieldError("ticket", f"No ticket {typed}." if typed else empty_message)

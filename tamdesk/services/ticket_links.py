"""Open a ticket in the support system it came from: its address there, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass

from tamdesk.domain.sync import SourceKind
from tamdesk.domain.ticket_links import ticket_url
from tamdesk.models import tables as t


@dataclass(frozen=True)
class SupportLink:
    """A ticket's address in its support system (``url``), or ``why`` it has none, in one sentence."""

    url: str = ""
    why: str = ""


def support_link(ticket_id: int) -> SupportLink:
    """The address of the ticket in the system it was synced or imported from, through that system's connection.

    The ticket records the kind of system it came from, not the connection: with one connection of that kind its
    base URL is used; with none or several there is no address (and ``why`` says so).
    """
    ticket = t.Ticket.get_or_none(t.Ticket.id == ticket_id)
    if ticket is None:
        return SupportLink(why=f"Ticket #{ticket_id} no longer exists.")
    if not ticket.source:
        return SupportLink(why=f"Ticket {ticket.number} was entered in tamdesk, not taken from a support system.")
    try:
        kind = SourceKind(ticket.source)
    except ValueError:
        return SupportLink(why=f"Ticket {ticket.number} came from '{ticket.source}', which tamdesk cannot open.")
    if kind is SourceKind.SALESFORCE:
        return SupportLink(why="Salesforce opens a case by its record id, and tamdesk keeps only the case number.")
    bases = sorted({c.base_url for c in t.Connection.select(t.Connection.base_url).where(t.Connection.kind == kind)})
    if not bases:
        return SupportLink(why=f"No {kind.label} connection gives the address: add one in Settings › Connections.")
    if len(bases) > 1:
        return SupportLink(
            why=f"{len(bases)} {kind.label} connections have different addresses; the ticket does not say which "
            "one it came from."
        )
    url = ticket_url(kind, bases[0], ticket.number)
    return SupportLink(url=url) if url else SupportLink(why=f"Ticket {ticket.number} has no address in {kind.label}.")

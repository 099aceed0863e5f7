"""What a ticket's history says of its status: the one rule for an event added by hand, imported or synced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from tamdesk.domain.states import TicketEventKind, TicketStatus

__all__ = ["derived_status"]

T = TypeVar("T")  # a time: a datetime, or epoch seconds as a table stores them

_CLOSED = (TicketStatus.SOLVED, TicketStatus.CLOSED)
_SOLVED, _REOPENED = TicketEventKind.SOLVED.value, TicketEventKind.REOPENED.value
_WAITING = TicketEventKind.WAITING_ON_CUSTOMER.value


def derived_status(
    status: TicketStatus, resolved_at: T | None, events: Sequence[tuple[T, str]]
) -> tuple[TicketStatus, T | None]:
    """The status and resolved time that ``events`` (time, kind), in the order they happened, give a ticket.

    Statuses no event decides (closed, waiting on engineering, a status set by hand or an import) stay as they are
    until an event says otherwise: the last solve or reopen decides solved against open, the last other event
    whether the customer is waited on.
    """
    resolved = resolved_at if status in _CLOSED else None
    ends = [(at, kind) for at, kind in events if kind in (_SOLVED, _REOPENED)]
    if ends and ends[-1][1] == _SOLVED:
        status = status if status in _CLOSED else TicketStatus.SOLVED
        resolved = ends[-1][0]
    elif ends and status in _CLOSED:
        status, resolved = TicketStatus.OPEN, None
    if status not in _CLOSED:
        talk = [kind for _, kind in events if kind != _SOLVED]
        if talk and talk[-1] == _WAITING:
            status = TicketStatus.WAITING_ON_CUSTOMER
        elif talk and status in (TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.NEW):
            status = TicketStatus.OPEN
    return status, resolved

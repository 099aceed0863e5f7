"""The Tickets list of one TAM's customers: the SQL selects them, and their events, whatever the list's size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.services import ticket_lists
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.identity import save_name
from tamdesk.services.scope import customer_scope
from tamdesk.services.ticket_lists import TicketFilter, load_tickets
from tamdesk.services.tickets import TicketInput, add_event, create_ticket

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
TESS, OMAR = "Tess Tam", "Omar Other"


@pytest.fixture
def ctx() -> Context:
    return Context(actor=TESS, clock=lambda: NOW)


@pytest.fixture
def book(db_path: Path, ctx: Context) -> dict[str, int]:
    """Tess has Acme and Initech, Omar has Globex; each ticket of Acme waits on its customer."""
    ids = {}
    for name, tam in (("Acme", TESS), ("Globex", OMAR), ("Initech", TESS)):
        customer = create_customer(ctx, CustomerInput(name, "Europe/Berlin", "DE", tam=tam))
        for n in range(3):
            number = f"{name[:3].upper()}-{n}"
            opened = NOW - timedelta(hours=n + 1)
            ids[number] = create_ticket(ctx, TicketInput(number, customer, "Slow", Severity.HIGH, opened))
            if name == "Acme":
                add_event(ctx, ids[number], TicketEventKind.RESPONSE, opened + timedelta(minutes=5))
                add_event(ctx, ids[number], TicketEventKind.WAITING_ON_CUSTOMER, opened + timedelta(minutes=10))
    return ids


@pytest.mark.parametrize("in_list_limit", [900, 2], ids=["ids listed", "by the filter's condition"])
@pytest.mark.parametrize(
    ("tam", "expected"),
    [
        (TESS, ["ACM-0", "ACM-1", "ACM-2", "INI-0", "INI-1", "INI-2"]),
        ("  tess   TAM ", ["ACM-0", "ACM-1", "ACM-2", "INI-0", "INI-1", "INI-2"]),
        (OMAR, ["GLO-0", "GLO-1", "GLO-2"]),
        ("Nobody", []),
        (None, ["ACM-0", "ACM-1", "ACM-2", "GLO-0", "GLO-1", "GLO-2", "INI-0", "INI-1", "INI-2"]),
    ],
)
def test_a_scoped_list_holds_its_customers_tickets_each_with_its_own_history(
    book: dict[str, int], monkeypatch: pytest.MonkeyPatch, in_list_limit: int, tam: str | None, expected: list[str]
) -> None:
    monkeypatch.setattr(ticket_lists, "IN_LIST_LIMIT", in_list_limit)
    rows = load_tickets(TicketFilter(tam=tam), NOW)

    assert sorted(r.number for r in rows) == expected
    for row in rows:  # Acme's tickets wait on the customer: their events were read with them
        waiting = row.number.startswith("ACM")
        assert row.status is (TicketStatus.WAITING_ON_CUSTOMER if waiting else TicketStatus.NEW)
        assert (row.sla.state is SlaState.PAUSED) is waiting


def test_the_users_scope_follows_their_name_and_says_why_it_cannot(book: dict[str, int]) -> None:
    assert customer_scope(False).tam is None and not customer_scope(False).notice
    assert customer_scope(True).tam is None
    assert customer_scope(True).notice.startswith("Your name is not set, so every customer is shown.")

    save_name("Tina Nobody")
    assert customer_scope(True).notice == (
        "No customer has “Tina Nobody” as TAM, so every customer is shown. Your name in Settings › You must match "
        f"your entry in the people directory (TAMs: {OMAR}, {TESS})."
    )

    save_name("tess tam")
    assert customer_scope(True).tam == "tess tam" and customer_scope(True).mine
    assert {r.number[:3] for r in load_tickets(TicketFilter(tam=customer_scope(True).tam), NOW)} == {"ACM", "INI"}

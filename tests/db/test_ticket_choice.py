"""The ticket a form picks: by number (any letter case), listed entry or subject; never by database id."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context, FieldError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.ticket_choice import choose_ticket, require_ticket, ticket_choices
from tamdesk.services.tickets import TicketInput, create_ticket


@pytest.fixture
def ids(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    acme = create_customer(ctx, CustomerInput(name="Acme"))
    globex = create_customer(ctx, CustomerInput(name="Globex"))
    opened = fixed_now - timedelta(hours=1)
    made = {"acme": acme, "globex": globex}
    for number, customer, subject in [
        ("SUP-100042", globex, "Login broken"), ("SUP-2", acme, "Cluster down"), ("SUP-3", acme, "Cluster down"),
        ("SUP-1", acme, "Export slow"),
    ]:  # fmt: skip
        made[number] = create_ticket(ctx, TicketInput(number, customer, subject, Severity.NORMAL, opened))
    return made


def test_typed_text_names_a_number_an_entry_or_a_subject(ids: dict[str, int]) -> None:
    choices = ticket_choices()
    assert [c.label for c in choices][:2] == ["SUP-1 — Export slow · Acme", "SUP-100042 — Login broken · Globex"]
    assert str(ids["SUP-100042"]) == "1"
    assert choose_ticket(choices, "1") is None  # the id of SUP-100042, not a number of any ticket
    assert choose_ticket(choices, "SUP-1") == ids["SUP-1"]
    assert choose_ticket(choices, " sup-100042 ") == ids["SUP-100042"]
    assert choose_ticket(choices, "SUP-1 — Export slow · Acme") == ids["SUP-1"]
    assert choose_ticket(choices, "login BROKEN") == ids["SUP-100042"]
    assert choose_ticket(choices, "") is None
    with pytest.raises(FieldError, match=r"^Several tickets are about 'cluster down' \(SUP-2, SUP-3\); type the"):
        choose_ticket(choices, "cluster down")


def test_a_ticket_must_be_named(ids: dict[str, int]) -> None:
    acme_only = ticket_choices(ids["acme"])
    assert [c.number for c in acme_only] == ["SUP-1", "SUP-2", "SUP-3"]
    with pytest.raises(FieldError, match=r"^No ticket SUP-999999\.$"):
        require_ticket(acme_only, "SUP-999999", "Choose a ticket.")
    with pytest.raises(FieldError, match=r"^Choose a ticket\.$"):
        require_ticket(acme_only, "  ", "Choose a ticket.")
    assert require_ticket(acme_only, "sup-3", "Choose a ticket.") == ids["SUP-3"]

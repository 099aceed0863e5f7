"""A deployed fix closes a customer's update duty on a defect only once that customer runs the fix in production."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.versions import FixReach
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    close_defect,
    deploy_fix,
    escalate_to_engineering,
    link_ticket,
    list_defects,
    log_customer_update,
    prioritize_defect,
    report_defect,
    set_defect_product,
    start_fix,
    validate_defect,
)
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.services.today import UpdateSource, needs_attention
from tamdesk.services.versions import defect_reach, fix_reached, record_version, still_affected, waiting_for_fixes

DEPLOYED = date(2026, 3, 2)


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """Acme, Globex and Initech linked to one Sev2 defect escalated a month ago and fixed in 437-e.2 on 2 Mar."""
    month_ago = Context(actor=ctx.actor, clock=lambda: fixed_now - timedelta(days=30))
    ids: dict[str, int] = {}
    tickets = []
    for n, name in enumerate(("Acme", "Globex", "Initech"), start=1):
        ids[name] = create_customer(ctx, CustomerInput(name=name, time_zone="Europe/Berlin", country="DE"))
        opened = fixed_now - timedelta(days=31)
        tickets.append(create_ticket(ctx, TicketInput(f"SUP-{n}", ids[name], "Crash", Severity.HIGH, opened)))
    did = report_defect(month_ago, tickets[0], "Coordinator crash", severity=Severity.HIGH)
    for ticket in tickets[1:]:
        link_ticket(month_ago, did, ticket)
    validate_defect(month_ago, did, 1, "Sam", month_ago.now())
    escalate_to_engineering(month_ago, did, 2, "ENG-7", "https://eng.example.com/browse/ENG-7")
    prioritize_defect(month_ago, did, 3)
    start_fix(month_ago, did, 4)
    ids["defect"] = did
    return ids


def _deploy(ctx: Context, did: int, version: str = "437-e.2") -> None:
    deploy_fix(ctx, did, t.Defect.get_by_id(did).version, version, DEPLOYED)


def _owed(now: datetime) -> dict[str, bool]:
    """Per linked customer, whether its update clock still runs on the defect at ``now``."""
    row = list_defects(now)[0]
    return {u.customer: u.clock.next_due is not None for u in row.customer_updates}


def test_the_duty_runs_on_for_a_customer_on_an_older_version_until_it_installs_the_fix(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    record_version(ctx, book["Acme"], "", "436-e.9", "production", date(2026, 1, 5))
    record_version(ctx, book["Globex"], "", "437-e.3", "production", date(2026, 3, 3))  # newer than the fix
    record_version(ctx, book["Initech"], "", "437-e.2", "staging", date(2026, 3, 4))  # staging does not count
    assert _owed(fixed_now) == {"Acme": True, "Globex": True, "Initech": True}, "before deployment every clock runs"
    _deploy(ctx, book["defect"])
    defect = t.Defect.get_by_id(book["defect"])
    assert [fix_reached(book[n], defect) for n in ("Acme", "Globex", "Initech")] == [False, True, True]
    assert _owed(fixed_now) == {"Acme": True, "Globex": False, "Initech": False}
    assert list_defects(fixed_now)[0].update_overdue, "Acme heard nothing for a month: overdue"

    record_version(ctx, book["Acme"], "", "437-e.2", "production", date(2026, 3, 9))
    assert _owed(fixed_now) == {"Acme": False, "Globex": False, "Initech": False}
    assert fix_reached(book["Acme"], t.Defect.get_by_id(book["defect"]))


def test_an_update_resets_the_waiting_customers_clock_and_closing_ends_it(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    record_version(ctx, book["Acme"], "", "436-e.9", "production", date(2026, 1, 5))
    _deploy(ctx, book["defect"])
    log_customer_update(ctx, book["defect"], "Fixed in 437-e.2: please upgrade", customer_id=book["Acme"])
    row = list_defects(fixed_now)[0]
    (acme,) = [u for u in row.customer_updates if u.customer == "Acme"]
    assert (acme.clock.last_update, acme.overdue) == (fixed_now, False)
    assert acme.clock.next_due is not None and acme.clock.next_due > fixed_now
    close_defect(ctx, book["defect"], t.Defect.get_by_id(book["defect"]).version, confirm=True)
    assert _owed(fixed_now) == {"Acme": False, "Globex": False, "Initech": False}, "a closed defect owes nobody"


def test_today_lists_the_update_due_and_the_customer_waiting_for_the_fix(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    record_version(ctx, book["Acme"], "", "436-e.9", "production", date(2026, 1, 5))
    _deploy(ctx, book["defect"])
    items = needs_attention(fixed_now, tam=None)
    assert [u.customer for u in items.updates if u.source is UpdateSource.DEFECT] == ["Acme"]
    (alert,) = items.accounts
    assert (alert.customer, alert.headline, alert.target) == (
        "Acme", "Runs 436-e.9; the fix is in 437-e.2", ("defect", book["defect"])
    )  # fmt: skip
    (waiting,) = waiting_for_fixes()
    assert (waiting.customer, waiting.installed, waiting.fix_version) == ("Acme", "436-e.9", "437-e.2")
    assert waiting_for_fixes([book["Globex"]]) == []


def test_without_versions_recorded_the_duty_ends_at_deployment(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    _deploy(ctx, book["defect"])
    assert _owed(fixed_now) == {"Acme": False, "Globex": False, "Initech": False}
    assert fix_reached(book["Acme"], t.Defect.get_by_id(book["defect"]))
    assert [r.reach for r in defect_reach(book["defect"])] == [FixReach.UNKNOWN] * 3
    assert still_affected(book["defect"]) == []
    assert [u for u in needs_attention(fixed_now, tam=None).updates if u.source is UpdateSource.DEFECT] == []


def test_only_the_defects_product_counts(book: dict[str, int], ctx: Context, fixed_now: datetime) -> None:
    record_version(ctx, book["Acme"], "Galaxy", "436-e.9", "production", date(2026, 1, 5))
    record_version(ctx, book["Acme"], "", "438", "production", date(2026, 1, 5))
    _deploy(ctx, book["defect"])
    assert _owed(fixed_now)["Acme"] is False, "the one product (438) has the fix"
    set_defect_product(ctx, book["defect"], t.Defect.get_by_id(book["defect"]).version, " galaxy ")
    assert _owed(fixed_now)["Acme"] is True, "Galaxy 436-e.9 is older than the fix (products match without case)"
    assert [(r.customer, r.installed, r.reach) for r in still_affected(book["defect"])] == [
        ("Acme", "436-e.9", FixReach.WAITING)
    ]


def test_before_deployment_every_linked_customer_is_still_affected(book: dict[str, int]) -> None:
    assert [r.customer for r in still_affected(book["defect"])] == ["Acme", "Globex", "Initech"]
    assert {r.reach for r in still_affected(book["defect"])} == {FixReach.NOT_DEPLOYED}


def test_a_fix_version_outside_the_scheme_waits_for_nobody(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    record_version(ctx, book["Acme"], "", "436-e.9", "production", date(2026, 1, 5))
    _deploy(ctx, book["defect"], "hotfix-7")
    assert _owed(fixed_now)["Acme"] is False
    assert [r.reach for r in defect_reach(book["defect"]) if r.customer == "Acme"] == [FixReach.UNKNOWN]

"""What needs the TAM today, on a small book of customers made through the services, and checked against the
ticket, defect and escalation services on generated sample data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import EscalationState, SeatStatus, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    escalate_to_engineering,
    link_ticket,
    list_defects,
    log_customer_update,
    report_defect,
    validate_defect,
)
from tamdesk.services.demo import generate_demo
from tamdesk.services.escalations import (
    EscalationInput,
    apprise_vp,
    list_escalations,
    request_escalation,
    set_vp_limit,
)
from tamdesk.services.scope import tam_names
from tamdesk.services.seats import SeatInput, grant_seat, request_seat
from tamdesk.services.sla import SlaResolver
from tamdesk.services.ticket_lists import TicketFilter, load_tickets
from tamdesk.services.tickets import TicketInput, add_event, create_ticket
from tamdesk.services.today import Section, TodayItems, UpdateSource, needs_attention

TODAY = date(2026, 3, 10)  # FIXED_NOW is Tue 10 Mar 2026 14:30 UTC (15:30 in Berlin)
TESS = "Tess Tam"


def _ticket(ctx: Context, number: str, customer: int, severity: Severity, opened: datetime) -> int:
    return create_ticket(ctx, TicketInput(number, customer, f"Subject of {number}", severity, opened))


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """Acme (Tess's) and Globex (Omar's), with one of each kind of thing that needs attention."""
    t.Person.create(name="Maya Support", role="support_manager", email="maya@vendor.example")
    acme = create_customer(
        ctx,
        CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", email_domains=("acme.example",),
                      tam=TESS, onboarding_started=date(2026, 3, 1)),
    )  # fmt: skip
    globex = create_customer(
        ctx, CustomerInput(name="Globex", time_zone="Europe/Berlin", tam="Omar Other", onboarding_started=TODAY)
    )
    ids = {"acme": acme, "globex": globex}
    # Sev1 opened 2 h ago without a response: first response (1 h, 24x7) breached an hour ago
    ids["SUP-1"] = _ticket(ctx, "SUP-1", acme, Severity.URGENT, fixed_now - timedelta(hours=2))
    # Sev2 opened 1 h 45 min of business time ago: 87% of its 2 business hours used, due in 15 min
    ids["SUP-2"] = _ticket(ctx, "SUP-2", acme, Severity.HIGH, fixed_now - timedelta(hours=1, minutes=45))
    # a Sev3 that breached everything and was then solved: nothing is due any more
    ids["SUP-3"] = _ticket(ctx, "SUP-3", acme, Severity.NORMAL, fixed_now - timedelta(days=8))
    add_event(ctx, ids["SUP-3"], TicketEventKind.SOLVED, fixed_now - timedelta(hours=3))
    # Sev2 answered a week ago and never updated since: its update clock is breached
    ids["SUP-4"] = _ticket(ctx, "SUP-4", acme, Severity.HIGH, fixed_now - timedelta(days=7))
    add_event(ctx, ids["SUP-4"], TicketEventKind.RESPONSE, fixed_now - timedelta(days=7) + timedelta(minutes=30))
    # Omar's Sev1, opened 3 h ago: breached, but not Tess's
    ids["SUP-5"] = _ticket(ctx, "SUP-5", globex, Severity.URGENT, fixed_now - timedelta(hours=3))
    ten_days_ago = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=10))
    ids["defect"] = report_defect(ten_days_ago, ids["SUP-4"], "Export hangs", severity=Severity.HIGH)
    validate_defect(ten_days_ago, ids["defect"], 1, "Sam Support", fixed_now - timedelta(days=10))
    escalate_to_engineering(ten_days_ago, ids["defect"], 2, "ENG-1", "https://eng.example/browse/ENG-1")
    ids["escalation"] = request_escalation(
        ctx, ids["SUP-1"], EscalationInput("customer", "Ana", "Cluster down", "Orders stop")
    )
    ids["requested"] = request_seat(ctx, acme, SeatInput("Ana Ruiz", "ana@acme.example"))
    ids["granted"] = request_seat(ctx, acme, SeatInput("Bo Berg", "bo@acme.example"))
    grant_seat(ctx, ids["granted"], 1)
    return ids


def _refs(items: TodayItems, section: Section) -> list[str]:
    """Each row of a section as one short string, in the section's order."""
    rows = items.rows(section)
    if section is Section.TICKETS:
        return [f"{r.number} {r.state.value}" for r in items.tickets]
    if section is Section.UPDATES:
        return [f"{r.reference} {'overdue' if r.overdue else 'due'}" for r in items.updates]
    if section is Section.ESCALATIONS:
        return [f"#{r.escalation_id} {r.ticket_number} {r.waiting_on}: {r.next_step}" for r in items.escalations]
    if section is Section.ONBOARDING:
        return [f"{r.customer} {r.due.isoformat()}{' overdue' if r.overdue else ''}" for r in items.onboarding]
    assert section is Section.SEATS
    return [f"{r.customer} {r.seat_no} {r.status.value}" for r in rows]  # type: ignore[attr-defined]


CASES = [
    (Section.TICKETS, TESS, ["SUP-1 breached", "SUP-2 at_risk"]),
    (Section.TICKETS, None, ["SUP-5 breached", "SUP-1 breached", "SUP-2 at_risk"]),
    (Section.UPDATES, TESS, ["SUP-4 overdue", "Defect #1 overdue"]),
    (Section.ESCALATIONS, TESS, ["#1 SUP-1 Maya Support: acknowledge the escalation"]),
    (Section.ESCALATIONS, "Omar Other", []),
    (Section.ONBOARDING, TESS, ["Acme 2026-03-02 overdue", "Acme 2026-03-03 overdue", "Acme 2026-03-06 overdue",
                                "Acme 2026-03-06 overdue", "Acme 2026-03-11", "Acme 2026-03-13"]),
    (Section.ONBOARDING, "Omar Other", ["Globex 2026-03-10", "Globex 2026-03-12"]),
    (Section.SEATS, TESS, ["Acme 1 requested", "Acme 2 granted"]),
    (Section.SEATS, "Omar Other", []),
]  # fmt: skip


@pytest.mark.parametrize(("section", "tam", "expected"), CASES)
def test_sections(book: dict[str, int], fixed_now: datetime, section: Section, tam: str | None, expected: list[str]):
    items = needs_attention(fixed_now, tam=tam, today=TODAY)
    assert _refs(items, section) == expected


def test_my_customers_against_all(book: dict[str, int], fixed_now: datetime) -> None:
    mine = needs_attention(fixed_now, tam=TESS, today=TODAY)
    everyone = needs_attention(fixed_now, tam=None, today=TODAY)
    assert (mine.customers, everyone.customers) == (1, 2)
    assert mine.counts() == {Section.TICKETS: 2, Section.UPDATES: 2, Section.ESCALATIONS: 1, Section.ONBOARDING: 6,
                             Section.SEATS: 2, Section.FOLLOW_UPS: 0, Section.STAKEHOLDERS: 0,
                              Section.ACCOUNTS: 0, Section.HEALTH: 0}  # fmt: skip
    assert mine.urgent()[Section.TICKETS] == 1 and mine.urgent()[Section.ONBOARDING] == 4
    assert everyone.counts()[Section.TICKETS] == 3 and everyone.counts()[Section.ONBOARDING] == 8
    assert mine.total == 13


def test_names_match_without_case_or_extra_spaces(book: dict[str, int], fixed_now: datetime) -> None:
    assert needs_attention(fixed_now, tam="  tess   TAM ", today=TODAY).customers == 1
    assert needs_attention(fixed_now, tam="Nobody", today=TODAY).total == 0
    assert tam_names() == ["Omar Other", TESS]


def test_rows_say_what_is_due_and_what_opens_them(book: dict[str, int], fixed_now: datetime) -> None:
    items = needs_attention(fixed_now, tam=TESS, today=TODAY)
    sev1, sev2 = items.tickets
    assert (sev1.severity, sev1.deadline, sev1.target) == (Severity.URGENT, fixed_now - timedelta(hours=1),
                                                          ("ticket", book["SUP-1"]))  # fmt: skip
    assert (sev2.state, sev2.deadline) == (SlaState.AT_RISK, fixed_now + timedelta(minutes=15))
    update, defect = items.updates
    assert (defect.source, defect.target, defect.customer) == (UpdateSource.DEFECT, ("defect", book["defect"]), "Acme")
    assert (update.source, update.target) == (UpdateSource.TICKET, ("ticket", book["SUP-4"]))
    (esc,) = items.escalations
    assert (esc.state, esc.target, esc.customer) == (EscalationState.REQUESTED, ("escalation", book["escalation"]),
                                                     "Acme")  # fmt: skip
    assert esc.customer_tam == TESS
    assert items.onboarding[0].target == ("onboarding", book["acme"])
    requested, granted = items.seats
    assert (requested.status, requested.target, requested.since) == (SeatStatus.REQUESTED, ("seats", book["acme"]),
                                                                     fixed_now)  # fmt: skip
    assert granted.status is SeatStatus.GRANTED


def test_an_escalation_open_past_the_vp_limit_is_listed_first_until_the_vp_is_apprised(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    six_days_ago = Context(actor=TESS, clock=lambda: fixed_now - timedelta(days=6))
    late = request_escalation(six_days_ago, book["SUP-4"], EscalationInput("tam", TESS, "Stalled", "Reports late"))
    items = needs_attention(fixed_now, tam=TESS, today=TODAY)
    owed, sev1 = items.escalations
    assert (owed.escalation_id, owed.vp_owed, owed.vp_days) == (late, True, 3)
    assert owed.vp_due_at == fixed_now - timedelta(days=1)  # Wed 4 Mar 15:30 -> Mon 9 Mar 15:30 Berlin
    assert (sev1.escalation_id, sev1.vp_owed) == (book["escalation"], False)  # a Sev1 apprises the VP at once
    assert items.urgent()[Section.ESCALATIONS] == 1
    apprise_vp(ctx, late, t.Escalation.get_by_id(late).version, "Briefed")
    after = needs_attention(fixed_now, tam=TESS, today=TODAY)
    assert [e.vp_owed for e in after.escalations] == [False, False]
    assert after.urgent()[Section.ESCALATIONS] == 0


def test_the_vp_limit_setting_moves_the_due_time(book: dict[str, int], ctx: Context, fixed_now: datetime) -> None:
    six_days_ago = Context(actor=TESS, clock=lambda: fixed_now - timedelta(days=6))
    request_escalation(six_days_ago, book["SUP-4"], EscalationInput("tam", TESS, "Stalled", "Reports late"))
    set_vp_limit(ctx, 5)
    assert not any(e.vp_owed for e in needs_attention(fixed_now, tam=TESS, today=TODAY).escalations)
    set_vp_limit(ctx, 4)
    (owed,) = [e for e in needs_attention(fixed_now, tam=TESS, today=TODAY).escalations if e.vp_owed]
    assert owed.vp_days == 4


def test_a_defect_of_several_customers_is_one_row_per_customer_on_its_own_clock(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    eight_days_ago = Context(actor=TESS, clock=lambda: fixed_now - timedelta(days=8))
    link_ticket(eight_days_ago, book["defect"], book["SUP-5"])  # Globex, two days after the escalation

    def defect_rows(tam: str | None) -> list[tuple[str, datetime, bool]]:
        items = needs_attention(fixed_now, tam=tam, today=TODAY)
        return [(u.customer, u.due, u.overdue) for u in items.updates if u.source is UpdateSource.DEFECT]

    acme_due = datetime(2026, 3, 6, 17, tzinfo=UTC)  # escalated Sat 28 Feb: Mon 2 Mar 09:00 + 45 h = Fri 18:00 Berlin
    everyone = defect_rows(None)
    assert [name for name, _, _ in everyone] == ["Acme", "Globex"]
    assert all(overdue for _, _, overdue in everyone)
    assert everyone[0][1] < everyone[1][1], "Globex's clock started at its own link, two days later"
    assert defect_rows(TESS) == everyone[:1] and defect_rows("Omar Other") == everyone[1:]
    assert everyone[0][1] == acme_due

    log_customer_update(ctx, book["defect"], "A fix is planned", customer_id=book["acme"])
    assert defect_rows(TESS) == [], "Acme was just updated"
    assert defect_rows("Omar Other") == everyone[1:], "an update to Acme does not reset Globex's clock"


def test_only_the_sections_asked_for(book: dict[str, int], fixed_now: datetime) -> None:
    items = needs_attention(fixed_now, tam=TESS, sections={Section.UPDATES}, today=TODAY)
    assert items.counts() == {Section.TICKETS: 0, Section.UPDATES: 2, Section.ESCALATIONS: 0, Section.ONBOARDING: 0,
                              Section.SEATS: 0, Section.FOLLOW_UPS: 0, Section.STAKEHOLDERS: 0,
                              Section.ACCOUNTS: 0, Section.HEALTH: 0}  # fmt: skip


def test_archived_customers_are_left_out(book: dict[str, int], fixed_now: datetime) -> None:
    t.Customer.update(archived=True).where(t.Customer.id == book["globex"]).execute()
    items = needs_attention(fixed_now, tam=None, today=TODAY)
    assert items.customers == 1
    assert [r.number for r in items.tickets] == ["SUP-1", "SUP-2"]


def test_an_empty_database_needs_nothing(db_path: Path, fixed_now: datetime) -> None:
    items = needs_attention(fixed_now, tam=None)
    assert (items.customers, items.total) == (0, 0)


@pytest.mark.slow
def test_agrees_with_the_services_on_sample_data(db_path: Path, ctx: Context, fixed_now: datetime) -> None:
    """The SQL shortcuts give what the ticket, defect and escalation services compute the long way."""
    generate_demo(ctx, customers=8, tickets=600, seed=3)
    items = needs_attention(fixed_now, tam=None)
    assert items.total > 0
    attention = [r for r in load_tickets(TicketFilter(open_only=True), fixed_now) if r.sla.state.needs_attention]
    assert {a.ticket_id for a in items.tickets} == {r.id for r in attention if r.sla.first_response_at is None}
    ticket_updates = {u.item_id: u.due for u in items.updates if u.source is UpdateSource.TICKET}
    assert ticket_updates == {r.id: r.sla.deadline for r in attention if r.sla.first_response_at is not None}

    defects = {(u.item_id, u.customer_id): (u.due, u.overdue) for u in items.updates if u.source is UpdateSource.DEFECT}
    expected = {
        (row.id, u.customer_id): (u.clock.next_due, u.overdue)
        for row in list_defects(fixed_now, open_only=True)
        for u in row.customer_updates
        if u.clock.duty.needs_attention
    }
    assert defects == expected
    resolver = SlaResolver()
    for (_, cid), (due, _) in defects.items():
        assert due <= resolver.calendar(cid).add(fixed_now, BUSINESS_DAY)

    escalations = [
        (e.escalation_id, e.waiting_on, e.next_step, e.age_business_days, e.vp_due_at) for e in items.escalations
    ]
    listed = [
        (e.id, e.next_owner, e.next_step, e.age_business_days, e.vp.due_at if e.vp.owed else None)
        for e in list_escalations(fixed_now, open_only=True)
    ]
    assert escalations == sorted(listed, key=lambda e: e[4] is None)  # those owing the VP first
    assert tam_names() and needs_attention(fixed_now, tam=tam_names()[0]).customers < items.customers

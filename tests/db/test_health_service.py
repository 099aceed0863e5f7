"""Customer health on the database: the facts read for a small book, all customers at once against one at a time on
sample data, the weights in Settings, and the weekly snapshot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.exemptions import ExemptClock
from tamdesk.domain.health import Band, HealthFacts, HealthWeights
from tamdesk.domain.onboarding import OnboardingState
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context, FieldError
from tamdesk.services.customers import CustomerInput, create_customer, set_archived
from tamdesk.services.defects import escalate_to_engineering, report_defect, validate_defect
from tamdesk.services.demo import generate_demo
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.exemptions import excuse_breach
from tamdesk.services.health import (
    all_health,
    customer_health,
    get_weights,
    health_drops,
    health_facts,
    health_history,
    record_week,
    set_weights,
    snapshot_reasons,
    weights_version,
)
from tamdesk.services.report_data import ReportScope, sla_report
from tamdesk.services.seats import SeatInput, grant_seat, request_seat
from tamdesk.services.tickets import TicketInput, add_event, create_ticket

TODAY = date(2026, 3, 10)  # FIXED_NOW is Tue 10 Mar 2026 14:30 UTC
TESS = "Tess Tam"


def _ticket(ctx: Context, number: str, customer: int, severity: Severity, opened: datetime) -> int:
    return create_ticket(ctx, TicketInput(number, customer, f"Subject of {number}", severity, opened))


def _entry(customer: int, kind: str, at: datetime, contact: int | None = None) -> None:
    entry = t.TimelineEntry.create(customer=customer, kind=kind, at=at, title=kind, created_at=at)
    if contact is not None:
        t.TimelineAttendee.create(entry=entry, contact=contact)


@pytest.fixture
def book(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """Acme (Tess's), in trouble in every way; Globex (Omar's), calm; Initech, archived."""
    t.Person.create(name="Maya Support", role="support_manager", email="maya@vendor.example")
    acme = create_customer(
        ctx,
        CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", tam=TESS, email_domains=("acme.example",),
                      onboarding_started=date(2026, 3, 1)),
    )  # fmt: skip
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="Europe/Berlin", tam="Omar Other"))
    initech = create_customer(ctx, CustomerInput(name="Initech", tam=TESS))
    set_archived(ctx, initech, 1, True)
    ids = {"acme": acme, "globex": globex, "initech": initech}
    ids["SUP-1"] = _ticket(ctx, "SUP-1", acme, Severity.URGENT, fixed_now - timedelta(hours=2))  # breached now
    ids["SUP-2"] = _ticket(ctx, "SUP-2", acme, Severity.HIGH, fixed_now - timedelta(hours=1, minutes=45))  # at risk
    ids["SUP-3"] = _ticket(ctx, "SUP-3", acme, Severity.NORMAL, fixed_now - timedelta(days=8))  # missed, solved
    add_event(ctx, ids["SUP-3"], TicketEventKind.SOLVED, fixed_now - timedelta(hours=3))
    ids["SUP-4"] = _ticket(ctx, "SUP-4", acme, Severity.HIGH, fixed_now - timedelta(days=7))  # updates missed
    add_event(ctx, ids["SUP-4"], TicketEventKind.RESPONSE, fixed_now - timedelta(days=7) + timedelta(minutes=30))
    # a breach older than the 90 days, solved: neither open nor counted
    old = _ticket(ctx, "SUP-0", acme, Severity.URGENT, fixed_now - timedelta(days=120))
    add_event(ctx, old, TicketEventKind.SOLVED, fixed_now - timedelta(days=100))
    ten_days_ago = Context(actor="Tess Tam", clock=lambda: fixed_now - timedelta(days=10))
    defect = report_defect(ten_days_ago, ids["SUP-4"], "Export hangs", severity=Severity.HIGH)
    validate_defect(ten_days_ago, defect, 1, "Sam Support", fixed_now - timedelta(days=10))
    escalate_to_engineering(ten_days_ago, defect, 2, "ENG-1", "https://eng.example/browse/ENG-1")
    request_escalation(ctx, ids["SUP-1"], EscalationInput("customer", "Ana", "Cluster down", "Orders stop"))
    request_seat(ctx, acme, SeatInput("Ana Ruiz", "ana@acme.example"))
    grant_seat(ctx, request_seat(ctx, acme, SeatInput("Bo Berg", "bo@acme.example")), 1)
    _entry(acme, "call", fixed_now - timedelta(days=10))
    _entry(acme, "note", fixed_now - timedelta(days=1))  # a note is not contact
    _entry(acme, "meeting", fixed_now + timedelta(days=3))  # planned, not held yet
    t.Contract.create(customer=acme, renewal_on=date(2026, 4, 30))
    contact = t.Contact.create(customer=globex, full_name="Gil Globex", created_at=fixed_now)
    _entry(globex, "note", fixed_now - timedelta(days=5), contact=contact.id)  # a note with the customer is
    return ids


def test_facts_of_a_small_book(book: dict[str, int], fixed_now: datetime) -> None:
    facts = health_facts(fixed_now, today=TODAY)
    assert set(facts) == {book["acme"], book["globex"]}  # archived customers are left out
    assert facts[book["acme"]] == HealthFacts(
        open_sev1=1, open_sev2=2, sla_breaches=3, open_escalations=1, overdue_defect_updates=1,
        onboarding=OnboardingState.OVERDUE, unused_seats=3, pending_seats=2, seat_allowance=5,
        days_since_contact=10, days_to_renewal=51,
    )  # fmt: skip
    globex = facts[book["globex"]]
    assert (globex.sla_breaches, globex.days_since_contact, globex.days_to_renewal) == (0, 5, None)


def test_acme_health_is_explained(book: dict[str, int], fixed_now: datetime) -> None:
    health = customer_health(book["acme"], fixed_now, TODAY)
    assert [str(r) for r in health.reasons] == [
        "−10: 1 open Sev1 ticket",
        "−10: 1 open escalation",
        "−9: 3 SLA breaches in the last 90 days",
        "−5: 1 defect update overdue",
        "−5: onboarding overdue",
        "−5: renewal in 51 days",
        "−4: 2 open Sev2 tickets",
        "−4: 3 unused and 2 pending of 5 portal seats",
    ]
    assert (health.score, health.band) == (48, Band.RED)


def test_an_excused_breach_does_not_count(book: dict[str, int], ctx: Context, fixed_now: datetime) -> None:
    excuse_breach(ctx, book["SUP-3"], ExemptClock.FIRST_RESPONSE, None, "The customer's own outage")
    assert health_facts(fixed_now, [book["acme"]], TODAY)[book["acme"]].sla_breaches == 2


def test_weights_from_settings_and_refused(book: dict[str, int], ctx: Context, fixed_now: datetime) -> None:
    assert get_weights() == HealthWeights()
    set_weights(ctx, {"open_escalations": 40})
    assert get_weights().open_escalations == 40
    assert "−20: 1 open escalation" in [str(r) for r in customer_health(book["acme"], fixed_now, TODAY).reasons]
    version = weights_version()
    with pytest.raises(FieldError) as caught:
        set_weights(ctx, HealthWeights(**dict.fromkeys(HealthWeights().as_dict(), 0)), version)
    assert (caught.value.field, str(caught.value)) == (
        "weights",
        "The health weights sum to 0: give at least one factor some points.",
    )
    with pytest.raises(FieldError) as caught:
        set_weights(ctx, {"seats": -1}, version)
    assert caught.value.field == "seats"
    assert get_weights().open_escalations == 40 and weights_version() == version  # nothing stored
    assert t.AuditEntry.select().where(t.AuditEntry.summary == "Setting 'health.weights' changed").count() == 1


def test_weekly_snapshot_is_idempotent_and_gives_the_drops(
    book: dict[str, int], ctx: Context, fixed_now: datetime
) -> None:
    last_week = fixed_now - timedelta(days=7)
    assert record_week(ctx, last_week, TODAY - timedelta(days=7)) == 2
    # last week Acme looked better than it does now: pretend its snapshot said 80, green
    t.HealthSnapshot.update(score=80, band="green").where(t.HealthSnapshot.customer == book["acme"]).execute()
    assert record_week(ctx, fixed_now, TODAY) == 2
    assert record_week(ctx, fixed_now, TODAY) == 2  # the same week again replaces, never duplicates
    assert t.HealthSnapshot.select().count() == 4
    history = health_history(book["acme"])
    assert [(p.week, p.score, p.band) for p in history] == [
        (date(2026, 3, 2), 80, Band.GREEN),
        (date(2026, 3, 9), 48, Band.RED),
    ]
    week, score, band = history[-1]
    assert [str(r) for r in snapshot_reasons(book["acme"], week)][:2] == [
        "−10: 1 open Sev1 ticket", "−10: 1 open escalation",
    ]  # fmt: skip
    assert (score, band) == (48, Band.RED)
    assert snapshot_reasons(book["acme"], date(2026, 2, 23)) == ()
    drops = health_drops(fixed_now, today=TODAY)
    assert [(d.customer, d.before.score, d.now.score, d.points) for d in drops] == [("Acme", 80, 48, 32)]
    assert health_drops(fixed_now, tam="Omar Other", today=TODAY) == []
    assert [d.customer for d in health_drops(fixed_now, tam=" tess  tam", today=TODAY)] == ["Acme"]


def test_all_at_once_equals_one_at_a_time_on_sample_data(db_path: Path, fixed_now: datetime) -> None:
    ctx = Context(actor="Demo", clock=lambda: fixed_now)
    generate_demo(ctx, customers=14, tickets=900, seed=3)
    customers = [c.id for c in t.Customer.select(t.Customer.id).where(~t.Customer.archived)]
    for n, cid in enumerate(customers[:8]):  # timelines and renewals of every shape besides the sample's own
        when = fixed_now - timedelta(days=n * 13)
        _entry(cid, ("call", "note", "email", "meeting")[n % 4], when)
        t.Contract.update(renewal_on=TODAY + timedelta(days=n * 25 - 30)).where(t.Contract.customer == cid).execute()
    together = all_health(fixed_now, today=TODAY)
    assert set(together) == set(customers)
    alone = {cid: customer_health(cid, fixed_now, TODAY) for cid in customers}
    assert together == alone
    bands = {h.band for h in together.values()}
    reasons = {r.factor for h in together.values() for r in h.reasons}
    assert len(bands) >= 2 and len(reasons) >= 6  # the data is varied enough to mean something
    # the breaches are the SLA report's breaches (not wholly excused) of the tickets opened in the 90 days
    since = fixed_now - timedelta(days=90)
    report = sla_report(ReportScope(tz=UTC, start=since.date()), fixed_now)
    expected: dict[int, int] = {}
    for line in report.tickets:
        if since <= line.opened <= fixed_now and line.breached_unexcused:
            expected[line.customer_id] = expected.get(line.customer_id, 0) + 1
    facts = health_facts(fixed_now, today=TODAY)
    assert {cid: f.sla_breaches for cid, f in facts.items() if f.sla_breaches} == expected
    assert sum(expected.values()) > 10


def test_no_customers_no_health(db_path: Path, fixed_now: datetime) -> None:
    assert all_health(fixed_now) == {}
    assert health_drops(fixed_now) == []
    assert record_week(Context(clock=lambda: fixed_now), fixed_now) == 0
    assert health_history(1) == []

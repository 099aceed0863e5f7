"""Sample data: every entity and state, consistent histories, determinism, refusal, force and cancel."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tamdesk.domain.mailbox import mailbox_key
from tamdesk.domain.onboarding import OnboardingState, StepStatus, due_on, onboarding_state
from tamdesk.domain.states import (
    DefectState,
    EscalationState,
    PersonRole,
    SeatStatus,
    TicketEventKind,
    TicketStatus,
)
from tamdesk.domain.vp_rule import VpStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError
from tamdesk.services.database import check_database, close_database, open_database
from tamdesk.services.demo import DatabaseNotEmpty, DemoCancelled, DemoSummary, generate_demo
from tamdesk.services.escalations import list_escalations
from tamdesk.services.today import UpdateSource, needs_attention

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """One database with the default sample (40 customers, 2,000 tickets), generated once for the module."""
    path = tmp_path_factory.mktemp("demo") / "sample.db"
    open_database(path, create=True)
    try:
        summary = generate_demo(Context(actor="Tess Tam", clock=lambda: NOW), customers=40, tickets=2000)
    finally:
        close_database()
    return path, summary


@pytest.fixture
def sample(sample_file: tuple[Path, DemoSummary]) -> Iterator[DemoSummary]:
    path, summary = sample_file
    open_database(path)
    yield summary
    close_database()


def _sql(query: str, *params: object) -> list[tuple]:
    return list(database.execute_sql(query, params).fetchall())


def _values(query: str) -> set:
    return {row[0] for row in _sql(query)}


# -- the default sample ------------------------------------------------------------------------------------------------


def test_summary_matches_what_was_written(sample: DemoSummary) -> None:
    assert sample.customers == t.Customer.select().count() == 40
    assert sample.tickets == t.Ticket.select().count() == 2000
    assert sample.ticket_events == t.TicketEvent.select().count()
    assert sample.seats == t.PortalSeat.select().count()
    assert sample.onboarding_steps == t.OnboardingStep.select().count() == 40 * 10
    assert sample.escalations == t.Escalation.select().count() == 30  # 1.5 %
    assert sample.escalation_entries == t.EscalationEntry.select().count()
    assert sample.defects == t.Defect.select().count() == 20  # 1 %
    assert sample.defect_links == t.DefectTicket.select().count()
    assert sample.defect_updates == t.DefectUpdate.select().count()
    assert sample.summary == (
        f"Sample data: 40 customers, {sample.seats} seats, 2,000 tickets ({sample.ticket_events:,} events), "
        "30 escalations, 20 defects."
    )
    assert check_database().ok


def test_summary_line_counts_in_words() -> None:
    summary = DemoSummary(1, 7, 10, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, replaced_customers=0, seed=7)
    assert summary.summary == "Sample data: 1 customer, 1 seat, 1 ticket (1 event), 1 escalation, 1 defect."


def test_every_state_and_kind_is_present(sample: DemoSummary) -> None:
    assert _values("SELECT status FROM ticket") == {s.value for s in TicketStatus}
    assert _values("SELECT severity FROM ticket") == {1, 2, 3, 4}
    assert _values("SELECT kind FROM ticket_event") == {k.value for k in TicketEventKind}
    assert _values("SELECT status FROM portal_seat") == {s.value for s in SeatStatus}
    assert _values("SELECT state FROM escalation") == {s.value for s in EscalationState}
    assert _values("SELECT state FROM defect") == {s.value for s in DefectState}
    assert _values("SELECT role FROM person") == {r.value for r in PersonRole}
    assert len(_values("SELECT time_zone FROM customer")) >= 6
    assert len(_values("SELECT country FROM customer")) >= 6
    assert t.CalendarHoliday.select().count() > 0
    assert t.AuditEntry.select().where(t.AuditEntry.summary.startswith("Sample data generated")).count() == 1


def test_severity_mix_and_mostly_resolved_tickets(sample: DemoSummary) -> None:
    counts = dict(_sql("SELECT severity, count(*) FROM ticket GROUP BY severity"))
    assert counts[1] < counts[2] < counts[4] < counts[3]
    resolved = _sql("SELECT count(*) FROM ticket WHERE status IN ('solved', 'closed')")[0][0]
    assert resolved > 0.85 * 2000
    assert all(re.fullmatch(r"SUP-1\d{5}", n) for n in _values("SELECT number FROM ticket"))
    first = _sql("SELECT number FROM ticket ORDER BY opened_at, id LIMIT 1")[0][0]
    assert first == "SUP-100001"  # numbers grow with time


def test_onboarding_covers_every_state_with_due_dates_from_the_template(sample: DemoSummary) -> None:
    offsets = dict(_sql("SELECT position, offset_days FROM onboarding_template_step"))
    states = set()
    for customer in t.Customer.select():
        steps = list(customer.onboarding_steps.order_by(t.OnboardingStep.position))
        start = customer.onboarding_started
        for step in steps:
            if start is not None:
                assert step.due_date == due_on(start, offsets[step.position])
            assert bool(step.done_by) == (step.done_at is not None)
            assert step.done_at is None or step.done_at <= NOW
        states.add(onboarding_state([StepStatus(s.due_date, s.done_at) for s in steps], start, NOW.date()))
    assert states == set(OnboardingState)


def test_access_form_dates_follow_the_checklist(sample: DemoSummary) -> None:
    rows = _sql(
        "SELECT c.access_form_sent_at, c.access_form_returned_at, s.done_at FROM customer c "
        "JOIN onboarding_step s ON s.customer_id = c.id AND s.auto_rule = 'access_form_returned'"
    )
    assert any(returned for _, returned, _ in rows) and any(sent is None for sent, _, _ in rows)
    for sent, returned, step_done in rows:
        assert returned == step_done
        assert returned is None or (sent is not None and sent <= returned)


def test_seats_are_distinct_people_within_the_allowance(sample: DemoSummary) -> None:
    for customer in t.Customer.select():
        seats = list(customer.seats.order_by(t.PortalSeat.id))
        domains = customer.email_domains.split(",")
        counting = [s for s in seats if s.status != SeatStatus.REVOKED.value]
        assert len(counting) <= customer.seat_allowance
        assert len({s.mailbox_key for s in seats}) == len(seats)
        assert len({s.full_name for s in seats}) == len(seats)
        for seat in seats:
            assert seat.mailbox_key == mailbox_key(seat.email)
            assert seat.email.split("@")[1] in domains
            if seat.status == SeatStatus.REVOKED.value:
                assert seat.revoke_reason and seat.revoked_at is not None
                reissued = [s for s in seats if s.seat_no == seat.seat_no and s.requested_at >= seat.revoked_at]
                assert reissued, f"seat {seat.seat_no} of {customer.name} was not re-issued"


def test_customers_use_both_policies_and_premium_is_tighter(sample: DemoSummary) -> None:
    policies = dict(
        _sql("SELECT p.name, count(*) FROM customer c JOIN sla_policy p ON p.id = c.sla_policy_id GROUP BY 1")
    )
    assert 0 < policies["Premium"] < policies["Standard"]
    targets = {
        name: json.loads(text)
        for name, text in _sql(
            "SELECT p.name, r.targets FROM sla_policy_revision r JOIN sla_policy p ON p.id = r.policy_id "
            "WHERE r.revision = 1"
        )
    }
    for severity in "1234":
        premium, standard = targets["Premium"][severity], targets["Standard"][severity]
        assert premium["first_response_min"] < standard["first_response_min"]
        assert premium["update_cadence_min"] < standard["update_cadence_min"]


def test_ticket_histories_are_consistent(sample: DemoSummary) -> None:
    events = defaultdict(list)
    for ticket_id, at, kind in _sql("SELECT ticket_id, at, kind FROM ticket_event ORDER BY id"):
        events[ticket_id].append((at, kind))
    for ticket_id, status, opened, resolved in _sql("SELECT id, status, opened_at, resolved_at FROM ticket"):
        history = events[ticket_id]
        times = [at for at, _ in history]
        assert times == sorted(times)
        assert all(opened <= at <= NOW_TS for at in times)
        assert opened <= NOW_TS
        if status in ("solved", "closed"):
            assert history[-1] == (resolved, "solved")
        else:
            assert resolved is None
        if status == "new":
            assert not history
        else:
            assert history[0][1] == "response"
        if status == "waiting_on_customer":
            assert history[-1][1] == "waiting_on_customer"


def test_escalations_have_timelines_and_the_right_people(sample: DemoSummary) -> None:
    roles = dict(_sql("SELECT id, role FROM person"))
    for escalation in t.Escalation.select():
        entries = list(escalation.entries.where(t.EscalationEntry.state.is_null(False)).order_by(t.EscalationEntry.at))
        assert entries[0].state == EscalationState.REQUESTED.value
        assert entries[-1].state == escalation.state
        assert entries[0].at == escalation.opened_at >= escalation.ticket.opened_at
        assert roles[escalation.support_manager_id] == PersonRole.SUPPORT_MANAGER.value
        assert roles[escalation.senior_director_id] == PersonRole.SENIOR_DIRECTOR.value
        assert (escalation.closed_at is None) == EscalationState(escalation.state).is_open
        assert bool(escalation.decline_reason) == (escalation.state == EscalationState.DECLINED.value)
        if escalation.ticket.severity == 1:
            assert escalation.vp_apprised and escalation.vp_apprised_at is not None


def test_the_vp_rule_holds_but_for_one_deliberate_apprisal_owed(sample: DemoSummary) -> None:
    """No apprisal late or missed; one open escalation is left owing the VP on purpose, and Today lists it."""
    rows = list_escalations(NOW)
    statuses = {status: sum(r.vp.status is status for r in rows) for status in VpStatus}
    assert statuses[VpStatus.LATE] == statuses[VpStatus.MISSED] == 0
    assert statuses[VpStatus.ON_TIME] > 0 and statuses[VpStatus.NOT_NEEDED] > 0
    owed = [r.id for r in rows if r.vp.owed]
    assert len(owed) == 1
    assert [e.escalation_id for e in needs_attention(NOW, tam=None).escalations if e.vp_owed] == owed
    for escalation in t.Escalation.select().where(t.Escalation.vp_apprised):
        entries = [e.text for e in escalation.entries if e.text.startswith("VP of Customer Success apprised (")]
        assert len(entries) == 1 and escalation.vp_note and entries[0].endswith(escalation.vp_note)


@pytest.mark.parametrize(
    ("now", "seed"),
    [
        (datetime(2026, 3, 14, 11, tzinfo=UTC), 5),  # a Saturday
        (datetime(2026, 4, 6, 7, tzinfo=UTC), 6),  # Easter Monday morning
        (datetime(2026, 12, 24, 17, tzinfo=UTC), 7),  # Christmas Eve
    ],
)
def test_the_vp_rule_holds_whatever_the_day(db_path: Path, now: datetime, seed: int) -> None:
    generate_demo(Context(actor="Tess Tam", clock=lambda: now), customers=8, tickets=600, seed=seed)
    rows = list_escalations(now)
    assert not [r.id for r in rows if r.vp.status in (VpStatus.LATE, VpStatus.MISSED)]
    assert sum(r.vp.owed for r in rows) <= 1


def test_defects_link_tickets_and_log_customer_updates(sample: DemoSummary) -> None:
    order = list(DefectState)
    for defect in t.Defect.select():
        reached = order.index(DefectState(defect.state))
        has_key = reached >= order.index(DefectState.ESCALATED)
        assert (defect.engineering_key is not None) == has_key
        if has_key:
            assert re.fullmatch(r"ENG-\d{4,5}", defect.engineering_key)
            assert defect.engineering_url == f"https://eng.example.com/browse/{defect.engineering_key}"
        assert bool(defect.fix_version) == (reached >= order.index(DefectState.FIX_DEPLOYED))
        assert defect.ticket_links.count() >= 1
    customers_per_defect = _sql(
        "SELECT count(DISTINCT k.customer_id) FROM defect_ticket d JOIN ticket k ON k.id = d.ticket_id "
        "GROUP BY d.defect_id"
    )
    assert max(n for (n,) in customers_per_defect) >= 2
    assert t.DefectUpdate.select().count() > 0
    for link in t.DefectTicket.select():  # linked when reported, or when a later ticket of another customer came
        assert link.linked_at == max(link.defect.reported_at, link.ticket.opened_at)
    before_link = _sql(
        "SELECT count(*) FROM defect_update u WHERE u.at < (SELECT min(d.linked_at) FROM defect_ticket d"
        " JOIN ticket k ON k.id = d.ticket_id WHERE d.defect_id = u.defect_id AND k.customer_id = u.customer_id)"
    )
    assert before_link == [(0,)], "no customer is told about a defect before it was linked"


def test_today_shows_sla_pressure_right_after_generation(sample: DemoSummary) -> None:
    """A TAM trying the app sees a realistic morning: open tickets at risk and breached, on both SLA clocks."""
    items = needs_attention(NOW, tam=None)
    first = [(a.customer_id, a.severity, a.breached) for a in items.tickets]
    updates = [(u.customer_id, u.severity, u.overdue) for u in items.updates if u.source is UpdateSource.TICKET]
    alerts = first + updates
    assert sum(1 for *_, late in alerts if late) >= 4
    assert sum(1 for *_, late in alerts if not late) >= 4
    assert len({customer for customer, _, _ in alerts}) >= 3
    assert len({severity for _, severity, _ in alerts}) >= 2
    assert {late for *_, late in first} == {True, False}  # first responses at risk and breached
    assert {late for *_, late in updates} == {True, False}  # customer updates at risk and overdue


# -- behaviour -------------------------------------------------------------------------------------------------------


def _fingerprint() -> tuple:
    tickets = _sql("SELECT number, subject, opened_at, status FROM ticket ORDER BY id LIMIT 25")
    seats = _sql("SELECT email, status FROM portal_seat ORDER BY id LIMIT 25")
    names = _sql("SELECT name FROM customer ORDER BY id")
    return tickets, seats, names


def test_same_seed_gives_the_same_data(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    first = generate_demo(ctx, customers=8, tickets=300, seed=3)
    expected = _fingerprint()
    open_database(tmp_path / "second.db", create=True)
    second = generate_demo(ctx, customers=8, tickets=300, seed=3)
    assert second == first
    assert _fingerprint() == expected
    open_database(tmp_path / "third.db", create=True)
    generate_demo(ctx, customers=8, tickets=300, seed=4)
    assert _fingerprint() != expected


def test_refuses_a_database_that_holds_customers(db_path: Path, ctx: Context) -> None:
    generate_demo(ctx, customers=5, tickets=50)
    with pytest.raises(DatabaseNotEmpty, match=r"already holds 5 customers; use --force"):
        generate_demo(ctx, customers=5, tickets=50)
    assert t.Customer.select().count() == 5
    assert t.Ticket.select().count() == 50


def test_force_replaces_the_customer_data(db_path: Path, ctx: Context) -> None:
    generate_demo(ctx, customers=6, tickets=120, seed=1)
    people = t.Person.select().count()
    summary = generate_demo(ctx, customers=4, tickets=80, seed=2, force=True)
    assert summary.replaced_customers == 6
    assert summary.summary.endswith("Existing data replaced: 6 customers removed.")
    assert t.Customer.select().count() == 4
    assert t.Ticket.select().count() == 80
    assert t.Defect.select().count() == summary.defects
    assert t.Person.select().count() == people  # the same sample staff, merged by name
    assert t.SlaPolicy.select().where(t.SlaPolicy.name == "Premium").count() == 1
    assert t.AuditEntry.select().where(t.AuditEntry.summary.contains("replaced")).count() == 1
    assert check_database().ok


def test_cancel_rolls_everything_back(db_path: Path, ctx: Context) -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(DemoCancelled):
        generate_demo(ctx, customers=5, tickets=2500, progress=lambda d, n: calls.append((d, n)),
                      cancelled=lambda: len(calls) >= 3)  # fmt: skip
    assert calls[-1][0] > 5  # tickets were already written when the cancel came
    for model in (t.Customer, t.Person, t.Ticket, t.TicketEvent, t.PortalSeat, t.AuditEntry, t.CalendarHoliday):
        assert model.select().count() == 0, model.__name__
    assert not t.SlaPolicy.select().where(t.SlaPolicy.name == "Premium").exists()


def test_cancel_while_replacing_keeps_the_old_data(db_path: Path, ctx: Context) -> None:
    generate_demo(ctx, customers=3, tickets=30, seed=1)
    names = _values("SELECT name FROM customer")
    with pytest.raises(DemoCancelled):
        generate_demo(ctx, customers=3, tickets=30, seed=2, force=True, cancelled=lambda: True)
    assert _values("SELECT name FROM customer") == names
    assert t.Ticket.select().count() == 30


def test_progress_counts_up_to_the_total(db_path: Path, ctx: Context) -> None:
    calls: list[tuple[int, int]] = []
    generate_demo(ctx, customers=5, tickets=2500, progress=lambda d, n: calls.append((d, n)))
    assert calls[0] == (0, 2505) and calls[-1] == (2505, 2505)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) >= 5  # per 1,000 tickets


def test_company_names_stay_unique_for_many_customers(db_path: Path, ctx: Context) -> None:
    summary = generate_demo(ctx, customers=1200, tickets=0)
    assert summary.customers == 1200
    assert len(_values("SELECT name FROM customer")) == 1200
    domains = [d for (text,) in _sql("SELECT email_domains FROM customer") for d in text.split(",")]
    assert len(set(domains)) == len(domains)


@pytest.mark.parametrize(("customers", "tickets"), [(0, 10), (5, -1)])
def test_rejects_sizes_that_make_no_sense(db_path: Path, ctx: Context, customers: int, tickets: int) -> None:
    with pytest.raises(DomainError, match="at least 1 customer"):
        generate_demo(ctx, customers=customers, tickets=tickets)

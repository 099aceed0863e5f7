"""A Sev1 ticket walked through an escalation, and a bug from report to deployed fix, through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, EscalationState, TicketEventKind
from tamdesk.domain.vp_rule import VpStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, FieldError, StaleEdit, ValidationFailed
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    check_engineering_link,
    close_defect,
    deploy_fix,
    escalate_to_engineering,
    link_ticket,
    list_defects,
    log_customer_update,
    prioritize_defect,
    report_defect,
    start_fix,
    validate_defect,
)
from tamdesk.services.escalations import (
    VP_DAYS_SETTING,
    EscalationInput,
    NeedsConfirmation,
    VpLimit,
    add_note,
    advance_escalation,
    apprise_vp,
    draft_email,
    escalation_detail,
    list_escalations,
    request_escalation,
    set_vp_limit,
    vp_limit,
)
from tamdesk.services.settings import get_setting
from tamdesk.services.tickets import TicketInput, add_event, create_ticket


@pytest.fixture
def ticket(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    for name, role, email in [
        ("Maya Support", "support_manager", "maya@vendor.example"),
        ("Dan Director", "senior_director", "dan@vendor.example"),
        ("Vera VP", "vp_customer_success", "vera@vendor.example"),
    ]:
        t.Person.create(name=name, role=role, email=email)
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", tam="Tess Tam"))
    opened = fixed_now - timedelta(hours=2)
    return create_ticket(ctx, TicketInput("SUP-1", cid, "Cluster down", Severity.URGENT, opened))


def test_sev1_escalation_to_resolution(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    esc = request_escalation(ctx, ticket, EscalationInput("customer", "Ana Ruiz", "Production down 2 h", "Orders stop"))
    detail = escalation_detail(esc, fixed_now)
    assert (detail.row.support_manager, detail.row.senior_director) == ("Maya Support", "Dan Director")
    assert detail.row.vp_apprised  # Sev1
    assert detail.row.next_owner == "Maya Support"
    with pytest.raises(DomainError, match=r"already has an open escalation \(#1, requested\)"):
        request_escalation(ctx, ticket, EscalationInput("tam", "", "Again", "Orders stop"))
    version = detail.row.version
    for state in (EscalationState.ACKNOWLEDGED, EscalationState.ACTION_PLAN, EscalationState.MONITORING):
        advance_escalation(ctx, esc, version, state, note=f"now {state.value}")
        version += 1
    add_note(ctx, esc, "Customer confirms workaround")
    with pytest.raises(DomainError, match="cannot go from monitoring to acknowledged"):
        advance_escalation(ctx, esc, version, EscalationState.ACKNOWLEDGED)
    advance_escalation(ctx, esc, version, EscalationState.RESOLVED, note="Fix applied")
    detail = escalation_detail(esc, fixed_now)
    assert detail.row.state is EscalationState.RESOLVED
    texts = [e.text for e in detail.timeline]
    assert texts[0] == "Escalation requested by the customer: Production down 2 h"
    assert "VP of Customer Success apprised (Sev1 ticket)." in texts
    assert texts[-1] == "Monitoring → Resolved: Fix applied"
    assert list_escalations(fixed_now, open_only=True) == []


def test_decline_needs_a_reason(ticket: int, ctx: Context) -> None:
    esc = request_escalation(ctx, ticket, EscalationInput("tam", "", "Slow", "Reports late"))
    with pytest.raises(FieldError, match="needs a reason"):
        advance_escalation(ctx, esc, 1, EscalationState.DECLINED)
    advance_escalation(ctx, esc, 1, EscalationState.DECLINED, decline_reason="Working as designed")
    assert t.Escalation.get_by_id(esc).decline_reason == "Working as designed"


def test_escalating_a_solved_ticket_warns(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    add_event(ctx, ticket, TicketEventKind.SOLVED, fixed_now - timedelta(minutes=5))
    with pytest.raises(NeedsConfirmation, match="SUP-1 is solved"):
        request_escalation(ctx, ticket, EscalationInput("tam", "", "Customer unhappy", "Renewal at risk"))
    assert t.Escalation.select().count() == 0
    request_escalation(ctx, ticket, EscalationInput("tam", "", "Customer unhappy", "Renewal at risk"), confirm=True)


def test_missing_reason_and_business_impact(ticket: int, ctx: Context) -> None:
    with pytest.raises(ValidationFailed) as info:
        request_escalation(ctx, ticket, EscalationInput("someone", "", " ", " \n "))
    assert set(info.value.errors) == {"requested_by", "reason", "business_impact"}
    assert info.value.errors["business_impact"] == (
        "An escalation needs its business impact: what the problem costs the customer."
    )
    assert t.Escalation.select().count() == 0


def test_the_vp_is_owed_after_three_business_days_until_apprised(
    ticket: int, ctx: Context, fixed_now: datetime
) -> None:
    """The VP rule is state: reading an escalation past the limit apprises nobody; it shows the apprisal owed."""
    t.Ticket.update(severity=3).execute()
    esc = request_escalation(ctx, ticket, EscalationInput("tam", "", "Slow", "Reports late"))
    (row,) = list_escalations(fixed_now + timedelta(days=2))
    assert row.vp.status is VpStatus.NOT_YET_DUE
    assert row.vp.due_at == fixed_now + timedelta(days=3)  # Tue 14:30 UTC (a UTC calendar) + 3 business days
    later = fixed_now + timedelta(days=6)
    (row,) = list_escalations(later)
    assert row.vp.owed and not row.vp_apprised
    assert not t.Escalation.get_by_id(esc).vp_apprised  # reading changed nothing
    assert "VP of Customer Success to be apprised" in draft_email(esc, later).body
    late_ctx = Context(actor=ctx.actor, clock=lambda: later)
    apprise_vp(late_ctx, esc, row.version, "Told her at the weekly review")
    detail = escalation_detail(esc, later)
    assert detail.row.vp.status is VpStatus.LATE
    assert detail.row.vp.late_by == BUSINESS_DAY  # due Fri 15:30 Berlin, apprised Mon 15:30: the weekend is free
    assert detail.timeline[-1].text == (
        "VP of Customer Success apprised (open more than 3 business days). Told her at the weekly review"
    )


def test_an_apprisal_before_the_limit_is_on_request_and_on_time(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    t.Ticket.update(severity=2).execute()
    esc = request_escalation(ctx, ticket, EscalationInput("tam", "", "Slow", "Reports late"))
    apprise_vp(ctx, esc, t.Escalation.get_by_id(esc).version, "FYI")
    detail = escalation_detail(esc, fixed_now + timedelta(days=30))
    assert detail.row.vp.status is VpStatus.ON_TIME
    assert detail.timeline[-1].text == "VP of Customer Success apprised (on request). FYI"


def test_an_escalation_closed_past_the_limit_without_apprisal_missed_it(
    ticket: int, ctx: Context, fixed_now: datetime
) -> None:
    t.Ticket.update(severity=3).execute()
    esc = request_escalation(ctx, ticket, EscalationInput("tam", "", "Slow", "Reports late"))
    closing = Context(actor=ctx.actor, clock=lambda: fixed_now + timedelta(days=7))
    advance_escalation(closing, esc, t.Escalation.get_by_id(esc).version, EscalationState.RESOLVED)
    (row,) = list_escalations(fixed_now + timedelta(days=30))
    assert row.vp.status is VpStatus.MISSED and row.vp.status.flag == "Not apprised"
    assert row.vp.late_by == 2 * BUSINESS_DAY  # due Fri 14:30, closed Tue 14:30


@pytest.mark.parametrize("days", [0, 61, 2.5, "3"])
def test_the_vp_limit_refuses_values_outside_1_to_60(ctx: Context, days: object) -> None:
    with pytest.raises(FieldError) as info:
        set_vp_limit(ctx, days)
    assert info.value.field == "vp" and str(days) in str(info.value)
    assert vp_limit() == VpLimit(3, vp_limit().version)
    assert get_setting(VP_DAYS_SETTING) == 3


def test_the_vp_limit_is_read_and_stored_as_a_setting(ctx: Context) -> None:
    before = vp_limit()
    assert before.business_days == 3
    set_vp_limit(ctx, 5, before.version)
    assert vp_limit().business_days == 5 and get_setting(VP_DAYS_SETTING) == 5
    with pytest.raises(StaleEdit):
        set_vp_limit(ctx, 6, before.version)


def test_email_draft(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    esc = request_escalation(ctx, ticket, EscalationInput("customer", "Ana", "Down", "Orders stop", "Fix today"))
    draft = draft_email(esc, fixed_now)
    assert draft.to == ("maya@vendor.example", "dan@vendor.example")
    assert draft.cc == ("vera@vendor.example",)
    assert draft.subject == "[Escalation] Acme — SUP-1 (Sev1 Urgent): Down"
    assert "Business impact: Orders stop" in draft.body
    url = urlparse(draft.mailto())
    assert url.path == "maya@vendor.example,dan@vendor.example"
    assert parse_qs(url.query)["subject"] == [draft.subject]


@pytest.mark.parametrize(
    ("zone", "minutes_before", "said"),
    [
        ("Europe/Berlin", 0, "First response was due Tue 10 Mar 2026 14:30 CET — 1 h ago"),
        ("America/New_York", 0, "First response was due Tue 10 Mar 2026 09:30 EDT — 1 h ago"),
        ("Europe/Berlin", 80, "First response due Tue 10 Mar 2026 14:30 CET — in 20 min"),
    ],
)
def test_email_draft_gives_the_deadline_on_the_reader_s_clock(
    ticket: int, ctx: Context, fixed_now: datetime, monkeypatch: pytest.MonkeyPatch, zone: str, minutes_before: int,
    said: str,
) -> None:  # fmt: skip
    """The Sev1 ticket opened at 12:30 UTC: its first response was due at 13:30 UTC, an hour before now."""
    esc = request_escalation(ctx, ticket, EscalationInput("tam", "", "Down", "Orders stop"))
    monkeypatch.setenv("TZ", zone)  # the user's zone, as the computer gives it
    body = draft_email(esc, fixed_now - timedelta(minutes=minutes_before)).body
    assert said in body.splitlines()
    assert "UTC" not in body
    tokyo = draft_email(esc, fixed_now, ZoneInfo("Asia/Tokyo")).body
    assert "First response was due Tue 10 Mar 2026 22:30 JST — 1 h ago" in tokyo
    assert "  2026-03-10 23:30 JST  Tess Tam: Escalation requested by the TAM: Down" in tokyo


def test_defect_from_report_to_deployed_fix(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    did = report_defect(ctx, ticket, "Coordinator OOM on large joins")
    validate_defect(ctx, did, 1, "Sam Support", fixed_now, "Repro with TPC-H q9")
    with pytest.raises(ValidationFailed) as info:
        escalate_to_engineering(ctx, did, 2, "eng 12", "ftp://x")
    assert set(info.value.errors) == {"engineering_key", "engineering_url"}
    escalate_to_engineering(ctx, did, 2, "ENG-1234", "https://eng.example.com/browse/ENG-1234")
    with pytest.raises(FieldError, match="needs a reason"):
        prioritize_defect(ctx, did, 3, "P3")
    prioritize_defect(ctx, did, 3)
    start_fix(ctx, did, 4)
    with pytest.raises(FieldError, match="is before the defect was validated"):
        deploy_fix(ctx, did, 5, "435-e.2", date(2026, 1, 1))
    deploy_fix(ctx, did, 5, "435-e.2", date(2026, 3, 10))
    with pytest.raises(NeedsConfirmation, match=r"still has open tickets \(SUP-1\)"):
        close_defect(ctx, did, 6)
    close_defect(ctx, did, 6, confirm=True)
    row = list_defects(fixed_now)[0]
    assert (row.state, row.priority, row.engineering_key, row.fix_version) == (
        DefectState.CLOSED,
        "P1",
        "ENG-1234",
        "435-e.2",
    )


def _escalated(ctx: Context, ticket: int, severity: Severity = Severity.HIGH) -> int:
    """A defect reported, validated and escalated to engineering at ``ctx``'s now (version 3)."""
    did = report_defect(ctx, ticket, "Bug", severity=severity)
    validate_defect(ctx, did, 1, "Sam", ctx.now())
    escalate_to_engineering(ctx, did, 2, "ENG-1", "https://eng.example.com/browse/ENG-1")
    return did


def test_customer_update_cadence(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    did = report_defect(ctx, ticket, "Bug", severity=Severity.HIGH)  # every 5 business days
    row = list_defects(fixed_now + timedelta(days=30))[0]
    assert (row.next_update_due, row.update_overdue) == (None, False), "no defect clock before escalation"
    validate_defect(ctx, did, 1, "Sam", fixed_now)
    escalate_to_engineering(ctx, did, 2, "ENG-1", "https://eng.example.com/browse/ENG-1")
    row = list_defects(fixed_now)[0]
    assert row.next_update_due == datetime(2026, 3, 17, 14, 30, tzinfo=UTC)  # Tue 15:30 CET + 45 h
    assert not row.update_overdue
    later = fixed_now + timedelta(days=8)
    assert list_defects(later)[0].update_overdue
    log_customer_update(ctx, did, "Engineering reproduced it", at=later)
    assert not list_defects(later)[0].update_overdue


def test_each_linked_customer_has_its_own_clock(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    """Globex (New York), linked two days after escalation, counts from its link on its own calendar; an update
    to Acme leaves Globex's clock alone; an update to every linked customer resets both."""
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="America/New_York", country="US"))
    second = create_ticket(ctx, TicketInput("SUP-2", globex, "Same crash", Severity.NORMAL, fixed_now))
    did = _escalated(ctx, ticket)  # Tue 10 Mar 14:30 UTC
    two_days = Context(actor=ctx.actor, clock=lambda: fixed_now + timedelta(days=2))
    link_ticket(two_days, did, second)  # Thu 12 Mar 10:30 in New York
    assert t.DefectTicket.get(t.DefectTicket.ticket == second).linked_at == fixed_now + timedelta(days=2)
    acme_due = datetime(2026, 3, 17, 14, 30, tzinfo=UTC)
    globex_due = datetime(2026, 3, 19, 14, 30, tzinfo=UTC)  # Thu 10:30 EDT a week later (DST began 8 Mar)
    now = fixed_now + timedelta(days=8)  # Wed 18 Mar: Acme overdue, Globex not yet
    row = list_defects(now)[0]
    clocks = {u.customer: (u.clock.started_at, u.clock.next_due, u.overdue) for u in row.customer_updates}
    assert clocks == {"Acme": (fixed_now, acme_due, True), "Globex": (fixed_now + timedelta(days=2), globex_due, False)}
    assert (row.next_update_due, row.update_overdue) == (acme_due, True)

    log_customer_update(ctx, did, "Fix planned for 4.36", customer_id=globex, at=now)
    clocks = {u.customer: (u.clock.last_update, u.overdue) for u in list_defects(now)[0].customer_updates}
    assert clocks == {"Acme": (None, True), "Globex": (now, False)}, "Globex's update leaves Acme overdue"
    acme = t.Ticket.get_by_id(ticket).customer_id
    assert list_defects(now, customer_id=acme)[0].update_overdue, "Acme's Defects tab: Acme is owed an update"
    globex_row = list_defects(now, customer_id=globex)[0]
    assert (globex_row.update_overdue, globex_row.last_update) == (False, now), "Globex's tab: its own clock"

    log_customer_update(ctx, did, "Fix planned for 4.36", at=now + timedelta(hours=1))
    row = list_defects(now + timedelta(hours=1))[0]
    assert [u.clock.last_update for u in row.customer_updates] == [now + timedelta(hours=1)] * 2
    assert not row.update_overdue


def test_an_update_to_a_customer_not_linked_is_refused(ticket: int, ctx: Context) -> None:
    did = report_defect(ctx, ticket, "Bug")
    globex = create_customer(ctx, CustomerInput(name="Globex"))
    with pytest.raises(FieldError, match="Globex is not linked to defect #1"):
        log_customer_update(ctx, did, "Hello", customer_id=globex)


def test_defect_links_several_customers(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    other = create_customer(ctx, CustomerInput(name="Globex"))
    second = create_ticket(ctx, TicketInput("SUP-2", other, "Same crash", Severity.NORMAL, fixed_now))
    did = report_defect(ctx, ticket, "Crash")
    link_ticket(ctx, did, second)
    with pytest.raises(DomainError, match="already linked"):
        link_ticket(ctx, did, second)
    assert list_defects(fixed_now)[0].customers == ("Acme", "Globex")
    assert [r.id for r in list_defects(fixed_now, customer_id=other)] == [did]


def _in_progress(ctx: Context, ticket: int, validated: datetime) -> int:
    """A defect validated at ``validated`` and walked to fix in progress (version 5)."""
    did = report_defect(ctx, ticket, "Bug")
    t.Defect.update(reported_at=validated - timedelta(days=1)).execute()
    validate_defect(ctx, did, 1, "Sam", validated)
    escalate_to_engineering(ctx, did, 2, "ENG-1", "https://eng.example.com/browse/ENG-1")
    prioritize_defect(ctx, did, 3)
    start_fix(ctx, did, 4)
    return did


def test_a_fix_cannot_be_deployed_after_today(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    did = _in_progress(ctx, ticket, fixed_now - timedelta(days=3))
    with pytest.raises(FieldError, match=r"^Deployed 2026-03-20 is in the future \(today is 2026-03-10\)\.$") as info:
        deploy_fix(ctx, did, 5, "4.35.2", date(2026, 3, 20))
    assert info.value.field == "deployed_on"
    assert t.Defect.get_by_id(did).deployed_on is None
    deploy_fix(ctx, did, 5, "4.35.2", fixed_now.astimezone().date())
    assert list_defects(fixed_now)[0].deployed_on == fixed_now.astimezone().date()


def test_validation_cannot_be_in_the_future(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    did = report_defect(ctx, ticket, "Bug")
    later = fixed_now + timedelta(days=30)
    with pytest.raises(FieldError, match=r"^Validated .* is in the future \(now is .*\)\.$") as info:
        validate_defect(ctx, did, 1, "Sam", later)
    assert info.value.field == "validated_at"
    assert later.astimezone().strftime("%Y-%m-%d %H:%M") in str(info.value)
    assert t.Defect.get_by_id(did).validated_at is None
    validate_defect(ctx, did, 1, "Sam", fixed_now + timedelta(minutes=3))  # a clock a little ahead is no error
    assert t.Defect.get_by_id(did).state == "validated"


@pytest.mark.parametrize(
    ("key", "url", "errors"),
    [
        ("eng-12", "https://eng.example.com/browse/ENG-12", {}),
        (
            "ENG-12",
            "https://eng.example.com/browse/OTHER-99",
            {
                "engineering_url": (
                    "Link 'https://eng.example.com/browse/OTHER-99' names OTHER-99, not the engineering key ENG-12."
                )
            },
        ),
        (
            "eng-12",
            "https://eng.example.com/browse/ENG-123",
            {
                "engineering_url": (
                    "Link 'https://eng.example.com/browse/ENG-123' names ENG-123, not the engineering key ENG-12."
                )
            },
        ),
        ("ENG-12", "https://eng.example.com/secure/Board.jspa?rapidView=3&selectedIssue=ENG-12", {}),
        ("ENG-12", "https://github.com/acme/engine/issues/12", {}),  # a link without a key is fine
        ("ENG-12", "https://eng-7.example.com/browse/ENG-12", {}),  # the host is no key
        (
            "eng 12",
            "https://eng.example.com/browse/OTHER-99",
            {"engineering_key": "Engineering key 'eng 12' is not like ENG-1234."},
        ),
    ],
)
def test_engineering_key_and_link(key: str, url: str, errors: dict[str, str]) -> None:
    assert check_engineering_link(key, url) == errors


def test_engineering_key_is_stored_upper_case(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    did = report_defect(ctx, ticket, "Bug")
    validate_defect(ctx, did, 1, "Sam", fixed_now)
    with pytest.raises(ValidationFailed, match="names OTHER-99, not the engineering key ENG-12"):
        escalate_to_engineering(ctx, did, 2, "eng-12", "https://eng.example.com/browse/OTHER-99")
    escalate_to_engineering(ctx, did, 2, " eng-12 ", "https://eng.example.com/browse/ENG-12")
    assert list_defects(fixed_now)[0].engineering_key == "ENG-12"
    assert t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get().summary.endswith("as ENG-12")


def test_a_defect_title_longer_than_its_column_is_refused_on_every_engine(ticket: int, ctx: Context) -> None:
    """PostgreSQL refuses a title over 255 characters where SQLite would keep it: the form says so first."""
    with pytest.raises(ValidationFailed) as caught:
        report_defect(ctx, ticket, "Coordinator " * 30)
    assert caught.value.errors == {
        "title": "The title is 359 characters long (at most 255): say the rest in the description."
    }
    assert t.Defect.select().count() == 0

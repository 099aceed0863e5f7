"""Policies and calendars from the database: revisions, edited hours and holidays re-apply to past tickets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, SlaPolicy, SlaState, TicketEvent, TicketHistory, evaluate
from tamdesk.domain.states import ClockKind, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.reports.sla import export_sla_report
from tamdesk.services.base import Context, FieldError, StaleEdit
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.report_data import ReportScope, sla_report
from tamdesk.services.sla import (
    SlaResolver,
    clear_holiday,
    create_policy,
    list_policies,
    policy,
    revise_policy,
    set_holiday,
    set_weekly_hours,
)
from tamdesk.services.ticket_lists import TicketFilter, load_tickets
from tamdesk.services.tickets import TicketInput, add_event, create_ticket, ticket_detail
from tamdesk.services.today import needs_attention


def test_seeded_standard_policy_matches_the_domain(db_path: Path) -> None:
    standard = t.SlaPolicy.get(t.SlaPolicy.name == "Standard")
    assert policy(standard.id) == SlaPolicy.standard()
    assert policy(standard.id).label == "Standard v1"


def test_revision_keeps_the_old_one(db_path: Path, ctx: Context) -> None:
    pid = create_policy(ctx, "Premium")
    row = t.SlaPolicy.get_by_id(pid)
    targets = dict(policy(pid).targets)
    targets[Severity.HIGH] = SeverityTarget(timedelta(hours=1), timedelta(hours=4), ClockKind.TWENTY_FOUR_SEVEN)
    assert revise_policy(ctx, pid, row.version, targets, 0.8, note="Contract 2026") == 2
    assert policy(pid).label == "Premium v2"
    assert policy(pid).target(Severity.HIGH).clock is ClockKind.TWENTY_FOUR_SEVEN
    assert policy(pid, revision=1).target(Severity.HIGH).first_response == timedelta(hours=2)
    with pytest.raises(StaleEdit):
        revise_policy(ctx, pid, row.version, targets, 0.8)
    assert [p.name for p in list_policies()] == ["Premium", "Standard"]
    with pytest.raises(FieldError, match="already exists"):
        create_policy(ctx, "Premium")


def test_calendar_edits_reapply_to_past_tickets(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    history = TicketHistory(datetime(2026, 3, 6, 16, 30, tzinfo=UTC), Severity.HIGH)  # Fri 17:30 Berlin
    now = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    resolver = SlaResolver()
    due = evaluate(history, resolver.policy(cid), resolver.calendar(cid), now).first_response_due
    assert due == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)  # Mon 10:30 CET
    set_holiday(ctx, "DE", date(2026, 3, 9), name="Company offsite")
    resolver = SlaResolver()
    due = evaluate(history, resolver.policy(cid), resolver.calendar(cid), now).first_response_due
    assert due == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    clear_holiday(ctx, "DE", date(2026, 3, 9))
    cal = t.BusinessCalendar.select().first()
    set_weekly_hours(ctx, cal.id, cal.version, {d: (time(8), time(17)) for d in range(5)})
    resolver = SlaResolver()
    due = evaluate(history, resolver.policy(cid), resolver.calendar(cid), now).first_response_due
    assert due == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Mon 08:00 + 2 h = 10:00 CET


def test_bad_hours_are_refused(db_path: Path, ctx: Context) -> None:
    cal = t.BusinessCalendar.select().first()
    with pytest.raises(FieldError):
        set_weekly_hours(ctx, cal.id, cal.version, {0: (time(18), time(9))})


def _tighten_sev2(ctx: Context, name: str = "Standard") -> None:
    """Sev2 first response from 2 to 1 business hour, saved as the policy's next revision."""
    row = t.SlaPolicy.get(t.SlaPolicy.name == name)
    targets = dict(policy(row.id).targets)
    targets[Severity.HIGH] = SeverityTarget(timedelta(hours=1), targets[Severity.HIGH].update_cadence,
                                            ClockKind.BUSINESS_HOURS)  # fmt: skip
    revise_policy(ctx, row.id, row.version, targets, 0.75, note="Sev2 answered within the hour")


def test_a_revision_applies_to_tickets_opened_from_then_on(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    revised_at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    _tighten_sev2(Context(ctx.actor, clock=lambda: revised_at))
    resolver = SlaResolver()
    assert resolver.policy(cid).label == "Standard v2", "a ticket not yet opened gets the revision in force now"
    assert resolver.policy(cid, datetime(2025, 8, 4, 8, 0, tzinfo=UTC)).label == "Standard v1", "older than v1"
    assert resolver.policy(cid, revised_at - timedelta(seconds=1)).label == "Standard v1"
    assert resolver.policy(cid, revised_at).label == "Standard v2", "created at or before the opening"
    answered_in_66_min = [TicketEvent(datetime(2025, 8, 4, 9, 6, tzinfo=UTC), TicketEventKind.RESPONSE)]
    history = TicketHistory(datetime(2025, 8, 4, 8, 0, tzinfo=UTC), Severity.HIGH, answered_in_66_min)
    sla = evaluate(history, resolver.policy(cid, history.opened), resolver.calendar(cid), revised_at)
    assert sla.first_response_met is True


def test_revision_order_wins_over_a_clock_set_back(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    _tighten_sev2(Context(ctx.actor, clock=lambda: datetime(2026, 3, 2, tzinfo=UTC)))
    _tighten_sev2(Context(ctx.actor, clock=lambda: datetime(2026, 2, 1, tzinfo=UTC)))  # a laptop's clock was wrong
    resolver = SlaResolver()
    assert resolver.policy(cid, datetime(2026, 2, 15, tzinfo=UTC)).label == "Standard v1"
    assert resolver.policy(cid, datetime(2026, 3, 2, tzinfo=UTC)).label == "Standard v3"


def test_every_evaluation_keeps_the_revision_a_ticket_was_opened_under(
    db_path: Path, ctx: Context, fixed_now: datetime, tmp_path: Path
) -> None:
    """Tickets page, detail, Today and the SLA workbook: a revision saved today does not rewrite the past."""
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    old = create_ticket(
        ctx, TicketInput("OLD-1", cid, "From August", Severity.HIGH, datetime(2025, 8, 4, 8, tzinfo=UTC))
    )
    add_event(ctx, old, TicketEventKind.RESPONSE, datetime(2025, 8, 4, 9, 6, tzinfo=UTC))  # 66 minutes
    # Tue 10 Mar 2026 13:15 UTC, 75 min of business time before now: inside v1's 2 h, past v2's 1 h
    create_ticket(ctx, TicketInput("NOW-1", cid, "Today", Severity.HIGH, fixed_now - timedelta(minutes=75)))
    _tighten_sev2(Context(ctx.actor, clock=lambda: fixed_now - timedelta(minutes=10)))
    new = create_ticket(ctx, TicketInput("NEW-1", cid, "After", Severity.HIGH, fixed_now - timedelta(minutes=5)))

    rows = {r.number: r for r in load_tickets(TicketFilter(), fixed_now)}
    assert rows["OLD-1"].sla.first_response_met is True
    assert rows["NOW-1"].sla.first_response_state is SlaState.OK
    assert rows["NEW-1"].sla.first_response_due == fixed_now + timedelta(minutes=55)
    assert ticket_detail(old, fixed_now).policy_label == "Standard v1"
    assert ticket_detail(new, fixed_now).policy_label == "Standard v2"
    assert [(a.ticket_id, a.state) for a in needs_attention(fixed_now, tam=None).tickets] == [], "v1: 62% used"

    report = sla_report(ReportScope(), fixed_now)
    assert report.total.first_response_rate == 1.0
    assert report.policies == ("Standard v1 (tickets opened before 10 Mar 2026 14:20)", "Standard v2")
    assert [c.policy for c in report.customers] == ["Standard v1, Standard v2"]
    export_sla_report(tmp_path / "sla.xlsx", ReportScope(), ctx=ctx)
    sheet = openpyxl.load_workbook(tmp_path / "sla.xlsx")["Summary"]
    assert "SLA policy: Standard v1 (tickets opened before 10 Mar 2026 14:20), Standard v2" in [
        row[0] for row in sheet.iter_rows(max_row=12, max_col=1, values_only=True)
    ]

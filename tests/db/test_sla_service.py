"""Policies and calendars from the database: revisions, edited hours and holidays re-apply to past tickets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, SlaPolicy, TicketHistory, evaluate
from tamdesk.domain.states import ClockKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context, FieldError, StaleEdit
from tamdesk.services.customers import CustomerInput, create_customer
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

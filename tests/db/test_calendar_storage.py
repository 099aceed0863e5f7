"""Richer calendars in the database: several intervals a day, 24-hour days, date-specific hours, and onboarding due
dates that follow the customer's calendar."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from tamdesk.domain.calendar import END_OF_DAY
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import TicketHistory, evaluate
from tamdesk.domain.states import ClockKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context, FieldError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import check_database, close_database, open_database
from tamdesk.services.onboarding import checklist, start_onboarding
from tamdesk.services.sla import (
    SlaResolver,
    calendar,
    clear_date_hours,
    create_policy,
    date_hours,
    policy,
    revise_policy,
    set_date_hours,
    set_weekly_hours,
    support_tiers,
)

LUNCH = ((time(9), time(12, 30)), (time(13, 30), time(18)))
CHRISTMAS_EVE = date(2026, 12, 24)


def _standard() -> t.BusinessCalendar:
    return t.BusinessCalendar.select().order_by(t.BusinessCalendar.id).first()


def test_the_seeded_one_pair_hours_still_read(db_path: Path) -> None:
    row = _standard()
    assert json.loads(row.weekly_hours)["0"] == ["09:00", "18:00"]
    assert calendar(row.id, "UTC", "").weekly_hours[0] == ((time(9), time(18)),)


def test_several_intervals_and_24_hour_days_are_stored_and_read_back(db_path: Path, ctx: Context) -> None:
    row = _standard()
    hours = {0: LUNCH, 1: ((time(0), END_OF_DAY),), 2: (time(8), time(17))}
    set_weekly_hours(ctx, row.id, row.version, hours)
    stored = json.loads(_standard().weekly_hours)
    assert stored == {"0": [["09:00", "12:30"], ["13:30", "18:00"]], "1": ["00:00", "24:00"], "2": ["08:00", "17:00"]}
    assert dict(calendar(row.id, "UTC", "").weekly_hours) == {
        0: LUNCH,
        1: ((time(0), END_OF_DAY),),
        2: ((time(8), time(17)),),
    }


def test_overlapping_weekly_hours_are_refused_naming_them(db_path: Path, ctx: Context) -> None:
    row = _standard()
    with pytest.raises(FieldError, match="Mon 09:00–13:00 overlaps 12:00–18:00") as refused:
        set_weekly_hours(ctx, row.id, row.version, {0: ((time(9), time(13)), (time(12), time(18)))})
    assert refused.value.field == "weekly_hours"
    assert json.loads(_standard().weekly_hours)["0"] == ["09:00", "18:00"]


def test_a_half_day_moves_a_deadline(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    history = TicketHistory(datetime(2026, 12, 24, 11, tzinfo=UTC), Severity.HIGH)  # Thu 12:00 Berlin, 2 h target
    now = datetime(2026, 12, 24, 11, 30, tzinfo=UTC)

    def due() -> datetime | None:
        resolver = SlaResolver()
        return evaluate(history, resolver.policy(cid), resolver.calendar(cid), now).first_response_due

    assert due() == datetime(2026, 12, 24, 13, tzinfo=UTC)  # 14:00 Berlin
    set_date_hours(ctx, _standard().id, CHRISTMAS_EVE, ((time(9), time(13)),), "Christmas Eve")
    assert due() == datetime(2026, 12, 28, 9, tzinfo=UTC)  # 1 h on the 24th, then Mon 28th 09:00 + 1 h
    assert date_hours(_standard().id)[0].name == "Christmas Eve"
    clear_date_hours(ctx, _standard().id, CHRISTMAS_EVE)
    assert due() == datetime(2026, 12, 24, 13, tzinfo=UTC)
    assert date_hours(_standard().id) == []


def test_a_date_can_be_closed_and_set_again(db_path: Path, ctx: Context) -> None:
    cal = _standard().id
    set_date_hours(ctx, cal, date(2026, 12, 31), ())
    assert not calendar(cal, "UTC", "").is_business_day(date(2026, 12, 31))
    set_date_hours(ctx, cal, date(2026, 12, 31), ((time(10), time(12)),))
    assert [(d.day, d.hours) for d in date_hours(cal)] == [(date(2026, 12, 31), ((time(10), time(12)),))]
    assert json.loads(t.CalendarDay.get().hours) == [["10:00", "12:00"]]


@pytest.mark.parametrize(
    ("day", "hours", "message"),
    [
        (
            CHRISTMAS_EVE,
            ((time(9), time(13)), (time(12), time(14))),
            "Thu 24 Dec 2026 09:00–13:00 overlaps 12:00–14:00",
        ),
        (CHRISTMAS_EVE, ((time(13), time(13)),), "Thu 24 Dec 2026 13:00–13:00 is empty"),
        (date(2101, 12, 24), ((time(9), time(13)),), "Sat 24 Dec 2101 is outside the calendar's years"),
        (date(1999, 12, 24), (), "Fri 24 Dec 1999 is outside the calendar's years"),
    ],
)
def test_bad_date_hours_are_refused_naming_the_value(
    db_path: Path, ctx: Context, day: date, hours: tuple[tuple[time, time], ...], message: str
) -> None:
    with pytest.raises(FieldError, match=message) as refused:
        set_date_hours(ctx, _standard().id, day, hours)
    assert refused.value.field == "date_hours"
    assert t.CalendarDay.select().count() == 0


# -- onboarding due dates follow the customer's calendar ---------------------------------------------------------


def test_a_step_due_on_christmas_moves_to_the_next_business_day(db_path: Path, ctx: Context) -> None:
    start = date(2026, 12, 23)  # Wednesday; the second step (2 days) would fall due on Friday 25 December
    german = create_customer(ctx, CustomerInput(name="Acme", country="DE", onboarding_started=start))
    plain = create_customer(ctx, CustomerInput(name="Globex", onboarding_started=start))
    assert checklist(german, start).steps[1].due_date == date(2026, 12, 28)  # Christmas, Boxing Day, Sunday
    assert checklist(plain, start).steps[1].due_date == date(2026, 12, 25)  # no country: no holidays


def test_date_specific_closed_days_move_steps_when_onboarding_restarts(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", country="DE", onboarding_started=date(2026, 3, 2)))
    set_date_hours(ctx, _standard().id, date(2026, 12, 21), ())  # Monday, closed by date
    start_onboarding(ctx, cid, date(2026, 12, 21))
    steps = checklist(cid, date(2026, 12, 21)).steps
    assert steps[0].due_date == date(2026, 12, 22)  # the start day is closed
    assert steps[1].due_date == date(2026, 12, 23)
    every_due = [s.due_date for s in steps if s.due_date is not None]
    cal = calendar(_standard().id, "UTC", "DE")
    assert all(cal.is_business_day(day) for day in every_due)


@pytest.mark.sqlite_only
def test_v6_adds_date_specific_hours_to_an_old_database(tmp_path: Path, ctx: Context) -> None:
    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "schema-v2.db", path)
    open_database(path)
    try:
        cal = _standard()
        assert calendar(cal.id, "Europe/Berlin", "DE").weekly_hours[0] == ((time(9), time(18)),)
        set_date_hours(ctx, cal.id, CHRISTMAS_EVE, ((time(9), time(13)),))
        assert calendar(cal.id, "Europe/Berlin", "DE").hours_on(CHRISTMAS_EVE) == ((time(9), time(13)),)
        assert check_database().ok
    finally:
        close_database()


# -- a support tier is an SLA policy -----------------------------------------------------------------------------


def test_a_premium_tier_is_a_policy_with_24x7_clocks(db_path: Path, ctx: Context) -> None:
    pid = create_policy(ctx, "Premium")
    row = t.SlaPolicy.get_by_id(pid)
    targets = dict(policy(pid).targets)
    targets[Severity.HIGH] = replace(targets[Severity.HIGH], clock=ClockKind.TWENTY_FOUR_SEVEN)
    revise_policy(ctx, pid, row.version, targets, 0.75)
    assert support_tiers() == {
        "Premium": "Sev1 and Sev2 24×7; Sev3 and Sev4 in business hours",
        "Standard": "Sev1 24×7; Sev2, Sev3 and Sev4 in business hours",
    }

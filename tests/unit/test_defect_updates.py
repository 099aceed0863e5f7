"""The per-customer update clock of a defect: table-driven cases and the invariants that make it per customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.domain.calendar import BUSINESS_DAY, BusinessCalendar, TwentyFourSeven
from tamdesk.domain.defect_updates import (
    CustomerClock,
    LinkedCustomer,
    UpdateDuty,
    customer_clock,
    customer_clocks,
    first_due,
)

BERLIN = BusinessCalendar(zone="Europe/Berlin", country="DE")
NEW_YORK = BusinessCalendar(zone="America/New_York", country="US")
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # Tue 15:30 in Berlin, 10:30 in New York
ESCALATED = datetime(2026, 3, 2, 8, tzinfo=UTC)  # Mon 09:00 in Berlin
FIVE = 5 * BUSINESS_DAY


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def clock(
    linked: datetime,
    updates: tuple[datetime, ...] = (),
    *,
    shared: tuple[datetime, ...] = (),
    escalated: datetime | None = ESCALATED,
    ended: bool = False,
    calendar: BusinessCalendar = BERLIN,
) -> CustomerClock:
    customer = LinkedCustomer(1, linked, calendar, updates)
    return customer_clock(
        customer, cadence=FIVE, escalated_at=escalated, duty_ended=ended, shared_updates=shared, now=NOW
    )


CASES = [
    # linked before escalation: the clock starts at escalation, Mon 09:00 + 45 business hours = Fri 18:00 Berlin
    ("linked before escalation", clock(utc(1, 12)), utc(2, 8), None, utc(6, 17), UpdateDuty.OVERDUE),
    # linked after escalation: from the link, Wed 10:00 Berlin + 45 h = Wed 10:00 a week later
    ("linked after escalation", clock(utc(4, 9)), utc(4, 9), None, utc(11, 9), UpdateDuty.DUE_SOON),
    # its own update on Tue 10 Mar 09:00 Berlin: 45 business hours later is Mon 16 Mar at closing time, 18:00
    ("own update resets", clock(utc(1, 12), (utc(10, 8),)), utc(2, 8), utc(10, 8), utc(16, 17), UpdateDuty.OK),
    # a shared update after the link counts
    ("shared update counts", clock(utc(1, 12), shared=(utc(10, 8),)), utc(2, 8), utc(10, 8), utc(16, 17),
     UpdateDuty.OK),
    # a shared update before the customer was linked went to the others only
    ("shared update before link", clock(utc(4, 9), shared=(utc(3, 8),)), utc(4, 9), None, utc(11, 9),
     UpdateDuty.DUE_SOON),
    # an own update before the clock started is the last update, but the clock counts from its start
    ("update before start", clock(utc(1, 12), (utc(1, 13),)), utc(2, 8), utc(1, 13), utc(6, 17),
     UpdateDuty.OVERDUE),
    # an update logged after now is not known yet
    ("future update ignored", clock(utc(4, 9), (utc(11, 8),)), utc(4, 9), None, utc(11, 9), UpdateDuty.DUE_SOON),
    ("not escalated", clock(utc(1, 12), escalated=None), None, None, None, UpdateDuty.NOT_RUNNING),
    ("fix deployed", clock(utc(1, 12), (utc(3, 8),), ended=True), None, utc(3, 8), None, UpdateDuty.NOT_RUNNING),
    # New York's calendar: escalated Mon 04:00 there, so from Mon 09:00 EST -> Fri 18:00 EST (23:00 UTC)
    ("own calendar", clock(utc(1, 12), calendar=NEW_YORK), utc(2, 8), None, utc(6, 23), UpdateDuty.OVERDUE),
]  # fmt: skip


@pytest.mark.parametrize(("name", "result", "started", "last", "due", "duty"), CASES, ids=[c[0] for c in CASES])
def test_rule(
    name: str, result: CustomerClock, started: datetime | None, last: datetime | None, due: datetime | None,
    duty: UpdateDuty,
) -> None:  # fmt: skip
    assert (result.started_at, result.last_update, result.next_due, result.duty) == (started, last, due, duty)
    assert result.overdue is (duty is UpdateDuty.OVERDUE)


def test_waiting_since_is_the_last_update_else_the_link() -> None:
    assert clock(utc(1, 12)).waiting_since == utc(1, 12)
    assert clock(utc(1, 12), (utc(9, 8),)).waiting_since == utc(9, 8)


def test_an_update_to_one_customer_leaves_the_other_overdue() -> None:
    acme = LinkedCustomer(1, utc(1, 12), BERLIN, (utc(10, 8),))
    globex = LinkedCustomer(2, utc(1, 12), NEW_YORK)
    a, g = customer_clocks([acme, globex], cadence=FIVE, escalated_at=ESCALATED, duty_ended=False, now=NOW)
    assert (a.duty, g.duty) == (UpdateDuty.OK, UpdateDuty.OVERDUE)
    assert first_due([a, g]) is g
    assert first_due([]) is None


def test_24x7_clock_counts_every_hour() -> None:
    customer = LinkedCustomer(1, utc(9, 0), TwentyFourSeven())
    result = customer_clock(
        customer, cadence=BUSINESS_DAY, escalated_at=utc(9, 0), duty_ended=False, shared_updates=(), now=NOW
    )
    assert result.next_due == utc(9, 9) and result.overdue


# -- invariants ------------------------------------------------------------------------------------------------

invariant = settings(max_examples=200, deadline=None)
moments = st.integers(min_value=0, max_value=60 * 24 * 60).map(lambda m: datetime(2026, 1, 1, tzinfo=UTC)
                                                              + timedelta(minutes=m))  # fmt: skip
calendars = st.sampled_from([BERLIN, NEW_YORK, TwentyFourSeven("Asia/Tokyo")])
cadences = st.integers(min_value=1, max_value=20).map(lambda d: d * BUSINESS_DAY)
update_lists = st.lists(moments, max_size=4).map(tuple)


@invariant
@given(moments, moments, calendars, calendars, cadences, update_lists, update_lists, update_lists, moments, moments)
def test_an_update_to_one_customer_never_moves_anothers_clock(
    linked_a, linked_b, cal_a, cal_b, cadence, updates_a, updates_b, shared, escalated, now
) -> None:  # type: ignore[no-untyped-def]
    b = LinkedCustomer(2, linked_b, cal_b, updates_b)
    kwargs = {"cadence": cadence, "escalated_at": escalated, "duty_ended": False, "shared_updates": shared, "now": now}
    before = customer_clocks([LinkedCustomer(1, linked_a, cal_a, updates_a), b], **kwargs)  # type: ignore[arg-type]
    after = customer_clocks([LinkedCustomer(1, linked_a, cal_a, (*updates_a, now)), b], **kwargs)  # type: ignore[arg-type]
    assert before[1] == after[1]
    assert after[0].duty is not UpdateDuty.OVERDUE  # A was just updated


@invariant
@given(moments, calendars, cadences, update_lists, update_lists, moments, moments)
def test_the_due_time_never_precedes_the_clock_start_nor_the_last_update(
    linked, calendar, cadence, updates, shared, escalated, now
) -> None:  # type: ignore[no-untyped-def]
    result = customer_clock(
        LinkedCustomer(1, linked, calendar, updates), cadence=cadence, escalated_at=escalated, duty_ended=False,
        shared_updates=shared, now=now,
    )  # fmt: skip
    assert result.started_at == max(linked, escalated)
    assert result.next_due is not None and result.next_due > result.started_at
    if result.last_update is not None:
        assert result.last_update <= now
        assert result.next_due > result.last_update
    assert result.overdue is (result.next_due < now)

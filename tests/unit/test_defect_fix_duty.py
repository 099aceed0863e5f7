"""A deployed fix ends a customer's update duty only once the fix has reached that customer (DESIGN §7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamdesk.domain.calendar import BUSINESS_DAY, BusinessCalendar
from tamdesk.domain.defect_updates import LinkedCustomer, UpdateDuty, customer_clock

BERLIN = BusinessCalendar(zone="Europe/Berlin", country="DE")
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
ESCALATED = datetime(2026, 3, 2, 8, tzinfo=UTC)
LINKED = datetime(2026, 3, 1, 12, tzinfo=UTC)


def duty(*, ended: bool, awaiting: bool, escalated: datetime | None = ESCALATED) -> UpdateDuty:
    customer = LinkedCustomer(1, LINKED, BERLIN, (), awaiting_fix=awaiting)
    clock = customer_clock(
        customer, cadence=5 * BUSINESS_DAY, escalated_at=escalated, duty_ended=ended, shared_updates=(), now=NOW
    )
    return clock.duty


@pytest.mark.parametrize(
    ("ended", "awaiting", "escalated", "expected"),
    [
        (False, False, ESCALATED, UpdateDuty.OVERDUE),  # the fix is not deployed: the clock runs (due Fri 6 Mar)
        (True, False, ESCALATED, UpdateDuty.NOT_RUNNING),  # deployed and reached (or not known): the duty ends
        (True, True, ESCALATED, UpdateDuty.OVERDUE),  # deployed, the customer runs an older version: still owed
        (True, True, None, UpdateDuty.NOT_RUNNING),  # never escalated: no defect clock at all
    ],
)
def test_the_duty_after_deployment(
    ended: bool, awaiting: bool, escalated: datetime | None, expected: UpdateDuty
) -> None:
    assert duty(ended=ended, awaiting=awaiting, escalated=escalated) is expected


@given(st.booleans())
def test_a_customer_awaiting_the_fix_is_owed_as_if_nothing_was_deployed(ended: bool) -> None:
    assert duty(ended=ended, awaiting=True) is duty(ended=False, awaiting=False)

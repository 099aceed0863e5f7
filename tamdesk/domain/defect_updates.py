"""The customer-update duty of a product defect, one clock per linked customer (DESIGN §7).

The rule, including the choices DESIGN leaves open:

- Each linked customer has its own clock, on its own calendar (the customer's business hours, holidays and zone).
- A customer's clock starts when the customer was linked to the defect or when the defect was escalated to
  engineering, whichever is later. Before escalation no clock runs: the linked tickets' own SLA update clocks cover
  the customer while support still owns the bug.
- An update logged to a customer resets that customer's clock only. An update logged to no particular customer
  ("every linked customer" in the log) went to every customer linked at that moment, so it resets the clock of each
  customer linked at or before it, and not of a customer linked later.
- The next update is due one cadence of business time (the severity's cadence in business days) after the later of
  the clock start and the customer's last update; an update before the clock started therefore does not count
  towards it, but is still the customer's last update.
- The duty ends when the fix is deployed (or the defect closed): no update is due any more. With installed
  versions known it ends per customer when the fix reaches that customer (DESIGN §7): a deployed fix that a
  customer does not run yet in production (``LinkedCustomer.awaiting_fix``) keeps that customer's clock running
  on the same cadence until the customer runs the fix version or later. A customer with no production version
  recorded is not known to wait, so its duty ends at deployment as before. Closing the defect ends every duty.
- Overdue: the due time has passed. Due soon: the due time falls within ``horizon`` of business time from now on the
  customer's calendar (one business day by default).
- Updates after ``now`` are ignored, so the rule can be evaluated as of a past instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tamdesk.domain.calendar import BUSINESS_DAY, Clock, to_utc
from tamdesk.domain.sla import cadence_deadline


class UpdateDuty(StrEnum):
    """Where one customer's update clock on a defect stands."""

    NOT_RUNNING = "not_running"  # not escalated yet, or the fix reached the customer (or the defect is closed)
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def needs_attention(self) -> bool:
        """True when the customer's update is due soon or overdue."""
        return self in (UpdateDuty.DUE_SOON, UpdateDuty.OVERDUE)


@dataclass(frozen=True)
class LinkedCustomer:
    """One customer linked to a defect: when its first ticket was linked, its calendar and its own updates."""

    customer_id: int
    linked_at: datetime
    calendar: Clock
    updates: tuple[datetime, ...] = ()  # updates logged to this customer
    awaiting_fix: bool = False  # the fix is deployed but the customer runs an older version in production


@dataclass(frozen=True)
class CustomerClock:
    """One customer's update clock on a defect, evaluated at ``now``."""

    customer_id: int
    linked_at: datetime
    started_at: datetime | None  # None while the clock does not run
    last_update: datetime | None  # the customer's own or a shared update, whichever is later
    next_due: datetime | None
    duty: UpdateDuty

    @property
    def overdue(self) -> bool:
        """Whether the customer's next update is past due."""
        return self.duty is UpdateDuty.OVERDUE

    @property
    def waiting_since(self) -> datetime:
        """Since when the customer has heard nothing: its last update, else when it was linked."""
        return self.last_update or self.linked_at


def _latest(moments: Iterable[datetime]) -> datetime | None:
    return max(moments, default=None)


def customer_clock(
    customer: LinkedCustomer,
    *,
    cadence: timedelta,
    escalated_at: datetime | None,
    duty_ended: bool,
    shared_updates: Sequence[datetime],
    now: datetime,
    horizon: timedelta = BUSINESS_DAY,
) -> CustomerClock:
    """One customer's update clock at ``now`` (see the module's rule).

    Args:
        customer: the linked customer, with the updates logged to it.
        cadence: business time between updates (the severity's cadence in business days × ``BUSINESS_DAY``).
        escalated_at: when the defect was escalated to engineering; None before.
        duty_ended: True once the fix is deployed or the defect closed; a customer ``awaiting_fix`` keeps its
            clock running (the caller sets it only while the defect is deployed, not closed).
        shared_updates: updates logged to no particular customer.
        now: the instant to evaluate at (timezone-aware).
        horizon: how much business time ahead counts as due soon.
    """
    now = to_utc(now)
    linked = to_utc(customer.linked_at)
    own = _latest(to_utc(at) for at in customer.updates if to_utc(at) <= now)
    shared = _latest(to_utc(at) for at in shared_updates if linked <= to_utc(at) <= now)
    last = _latest(at for at in (own, shared) if at is not None)
    if (duty_ended and not customer.awaiting_fix) or escalated_at is None:
        return CustomerClock(customer.customer_id, linked, None, last, None, UpdateDuty.NOT_RUNNING)
    started = max(linked, to_utc(escalated_at))
    since = max(started, last) if last is not None else started
    due = cadence_deadline(customer.calendar, since, cadence)
    if due < now:
        duty = UpdateDuty.OVERDUE
    elif due <= customer.calendar.add(now, horizon):
        duty = UpdateDuty.DUE_SOON
    else:
        duty = UpdateDuty.OK
    return CustomerClock(customer.customer_id, linked, started, last, due, duty)


def customer_clocks(
    customers: Sequence[LinkedCustomer],
    *,
    cadence: timedelta,
    escalated_at: datetime | None,
    duty_ended: bool,
    shared_updates: Sequence[datetime] = (),
    now: datetime,
    horizon: timedelta = BUSINESS_DAY,
) -> tuple[CustomerClock, ...]:
    """Every linked customer's update clock at ``now``, in the order given."""
    return tuple(
        customer_clock(
            c,
            cadence=cadence,
            escalated_at=escalated_at,
            duty_ended=duty_ended,
            shared_updates=shared_updates,
            now=now,
            horizon=horizon,
        )
        for c in customers
    )


def first_due(clocks: Iterable[CustomerClock]) -> CustomerClock | None:
    """The running clock whose update falls due first (the one a defect-level summary shows); None if none runs."""
    running = [(c.next_due, c.customer_id, c) for c in clocks if c.next_due is not None]
    return min(running, key=lambda item: item[:2])[2] if running else None

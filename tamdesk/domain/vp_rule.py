"""The VP rule: an escalation open longer than N business days owes the VP of Customer Success an apprisal.

The rule is derived state, not an event: nothing is written when the limit passes. From when an escalation opened,
closed and the VP was apprised, it says when the apprisal falls due (N business days after opening, on the
customer's calendar), whether it is owed now, and whether a past one came late or never came. An escalation that
closed before the limit needs no apprisal; one apprised at or before the limit was apprised on time (Sev1 tickets
and requests apprise the VP at once, so they always are).

Lateness is business time, like the limit: an apprisal (or a close) after the limit but before the customer's next
business hour (the limit fell at Friday's close, the VP heard on Saturday) cost no business time and is on time.
An open escalation owes the apprisal from the moment the limit passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tamdesk.domain.calendar import BUSINESS_DAY, Clock, to_utc

VP_DAYS_DEFAULT = 3
"""Business days an escalation may stay open before the VP is apprised (the support policy's default)."""
VP_DAYS_RANGE = range(1, 61)
"""The limits a user may choose; the app allowed up to 60 before this rule, so every stored value stays valid."""
_ZERO = timedelta(0)


class VpStatus(StrEnum):
    """Where an escalation stands against the VP rule."""

    NOT_YET_DUE = "not_yet_due"  # open, not apprised, the limit not reached
    TO_BE_APPRISED = "to_be_apprised"  # open, not apprised, the limit passed: owed now
    ON_TIME = "on_time"  # apprised at or before the limit
    LATE = "late"  # apprised after the limit
    MISSED = "missed"  # closed at or after the limit without an apprisal
    NOT_NEEDED = "not_needed"  # closed before the limit without an apprisal

    @property
    def flag(self) -> str:
        """The workbook's flag: ``Late apprisal``, ``Not apprised`` (owed or missed), else empty."""
        if self is VpStatus.LATE:
            return "Late apprisal"
        return "Not apprised" if self in (VpStatus.TO_BE_APPRISED, VpStatus.MISSED) else ""


@dataclass(frozen=True, slots=True)
class VpApprisal:
    """The VP rule applied to one escalation.

    Attributes:
        due_at: the moment ``days`` business days after opening (UTC).
        status: see ``VpStatus``.
        late_by: business time past ``due_at``: until the apprisal (late), the close (missed) or now (owed);
            zero otherwise.
        days: the limit applied, in business days.
    """

    due_at: datetime
    status: VpStatus
    late_by: timedelta
    days: int

    @property
    def owed(self) -> bool:
        """True while the VP is to be apprised: open, not apprised, past the limit."""
        return self.status is VpStatus.TO_BE_APPRISED

    @property
    def late_business_days(self) -> float:
        """``late_by`` in business days (9 business hours each)."""
        return self.late_by / BUSINESS_DAY


def vp_due_at(opened_at: datetime, days: int, calendar: Clock) -> datetime:
    """The moment ``days`` business days of ``calendar`` have run since ``opened_at`` (UTC).

    Raises:
        ValueError: ``days`` is outside ``VP_DAYS_RANGE``, or ``opened_at`` is naive.
    """
    if days not in VP_DAYS_RANGE:
        raise ValueError(f"{days} business days is not {VP_DAYS_RANGE.start} to {VP_DAYS_RANGE.stop - 1}")
    return calendar.add(to_utc(opened_at), days * BUSINESS_DAY)


def vp_apprisal(
    opened_at: datetime,
    closed_at: datetime | None,
    apprised_at: datetime | None,
    now: datetime,
    days: int,
    calendar: Clock,
) -> VpApprisal:
    """Apply the VP rule to one escalation at ``now``.

    Args:
        opened_at: when the escalation was requested.
        closed_at: when it was resolved or declined; None while open.
        apprised_at: when the VP was apprised; None if not (yet).
        now: the instant an open escalation is judged at.
        days: the limit in business days (``VP_DAYS_RANGE``).
        calendar: the customer's business calendar; the limit counts its business hours only.
    """
    due = vp_due_at(opened_at, days, calendar)
    if apprised_at is not None:
        late = calendar.elapsed(due, apprised_at)
        return VpApprisal(due, VpStatus.LATE if late > _ZERO else VpStatus.ON_TIME, late, days)
    if closed_at is not None:
        late = calendar.elapsed(due, closed_at)
        return VpApprisal(due, VpStatus.MISSED if late > _ZERO else VpStatus.NOT_NEEDED, late, days)
    if to_utc(now) < due:
        return VpApprisal(due, VpStatus.NOT_YET_DUE, _ZERO, days)
    return VpApprisal(due, VpStatus.TO_BE_APPRISED, calendar.elapsed(due, now), days)


def vp_days_problem(days: object) -> str | None:
    """Why ``days`` cannot be the VP rule's limit, naming the value; None when it can."""
    low, high = VP_DAYS_RANGE.start, VP_DAYS_RANGE.stop - 1
    if isinstance(days, bool) or not isinstance(days, int):
        return f"“{days}” is not a whole number of business days; use {low} to {high}."
    if days not in VP_DAYS_RANGE:
        unit = "business day" if abs(days) == 1 else "business days"
        return f"{days} {unit} is not allowed: the VP is apprised after {low} to {high} business days."
    return None

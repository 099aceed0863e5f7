"""SLA exemptions: a breach excused with a reason (issue 15, item 3).

The SLA evaluation stays the truth: an exemption never changes a due time, a state or a count. Reports apply
exemptions on top of it, counting an excused breach as met in the "excused met" rates beside the raw ones.

An exemption names one breach: the first response (missed, or overdue now), or one missed customer update by
its deadline (``missed_update_deadlines``). One whose breach no longer exists (a corrected event time moved the
deadline, or the response turned out to be in time) excuses nothing, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tamdesk.domain.sla import SlaEvaluation, SlaState

MAX_REASON_LENGTH = 1000


class ExemptClock(StrEnum):
    """Which clock's breach an exemption excuses."""

    FIRST_RESPONSE = "first_response"
    UPDATE = "update"

    @property
    def label(self) -> str:
        """``First response`` or ``Update``."""
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Exemption:
    """A breach excused: the first response (``deadline`` None) or the update due at ``deadline`` (UTC)."""

    clock: ExemptClock
    deadline: datetime | None
    reason: str
    id: int = 0
    author: str = ""
    excused_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Excused:
    """What a ticket's exemptions excuse of its evaluation."""

    first_response: Exemption | None = None
    updates: tuple[Exemption, ...] = ()  # one per excused missed update, in deadline order
    stale: tuple[Exemption, ...] = ()  # exemptions whose breach no longer exists

    @property
    def reasons(self) -> str:
        """``First response: customer outage; update due 2026-12-07 14:00 UTC: mis-filed``; empty when none."""
        parts = [f"First response: {self.first_response.reason}"] if self.first_response else []
        parts += [f"Update due {e.deadline:%Y-%m-%d %H:%M} UTC: {e.reason}" for e in self.updates if e.deadline]
        return "; ".join(parts)


def reason_problem(reason: str) -> str | None:
    """Why ``reason`` cannot excuse a breach (empty or too long), or None."""
    if not reason.strip():
        return "A reason is required to excuse a breach (say what caused it, e.g. the customer's outage)."
    if len(reason) > MAX_REASON_LENGTH:
        return f"The reason is {len(reason):,} characters long (at most {MAX_REASON_LENGTH:,})."
    return None


def first_response_breached(sla: SlaEvaluation) -> bool:
    """Whether the first response is a breach that can be excused: missed, or overdue now."""
    return sla.first_response_state in (SlaState.MISSED, SlaState.BREACHED)


def apply_exemptions(
    sla: SlaEvaluation, missed_deadlines: Sequence[datetime], exemptions: Sequence[Exemption]
) -> Excused:
    """Match ``exemptions`` to the breaches of ``sla`` (with ``missed_deadlines`` its missed updates' deadlines)."""
    first, updates, stale = None, [], []
    missed = {_to_second(deadline) for deadline in missed_deadlines}  # stored times are whole seconds
    for exemption in exemptions:
        if exemption.clock is ExemptClock.FIRST_RESPONSE and first_response_breached(sla) and first is None:
            first = exemption
        elif exemption.clock is ExemptClock.UPDATE and exemption.deadline and _to_second(exemption.deadline) in missed:
            missed.discard(_to_second(exemption.deadline))
            updates.append(exemption)
        else:
            stale.append(exemption)
    updates.sort(key=lambda e: e.deadline or sla.opened)
    return Excused(first, tuple(updates), tuple(stale))


def _to_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)

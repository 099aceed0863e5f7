"""Exemptions matched to the breaches of an evaluation: the truth stays, the excuse sits on top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.exemptions import ExemptClock, Exemption, apply_exemptions, reason_problem
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaPolicy, TicketEvent, TicketHistory, evaluate, missed_update_deadlines
from tamdesk.domain.states import TicketEventKind

OPENED = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Mon 09:00 in Berlin
BERLIN = BusinessCalendar("Europe/Berlin", country="DE")
POLICY = SlaPolicy.standard()
HOUR = timedelta(hours=1)
FR = Exemption(ExemptClock.FIRST_RESPONSE, None, "Customer outage")


def _excused(events: list[tuple[timedelta, TicketEventKind]], exemptions: list[Exemption], now: timedelta):
    history = TicketHistory(OPENED, Severity.URGENT, [TicketEvent(OPENED + at, kind) for at, kind in events])
    sla = evaluate(history, POLICY, BERLIN, OPENED + now)
    return apply_exemptions(sla, missed_update_deadlines(history, POLICY, BERLIN, OPENED + now), exemptions)


R = TicketEventKind.RESPONSE


@pytest.mark.parametrize(
    ("events", "now", "first_excused", "stale"),
    [
        ([], 3 * HOUR, True, 0),  # overdue now
        ([(2 * HOUR, R)], 3 * HOUR, True, 0),  # came late
        ([(HOUR / 2, R)], 3 * HOUR, False, 1),  # met: the exemption excuses nothing
        ([], HOUR / 2, False, 1),  # not due yet
    ],
)
def test_a_first_response_exemption_applies_only_to_a_breach(
    events: list[tuple[timedelta, TicketEventKind]], now: timedelta, first_excused: bool, stale: int
) -> None:
    excused = _excused(events, [FR], now)
    assert (excused.first_response is not None, len(excused.stale)) == (first_excused, stale)


def test_an_update_exemption_names_its_deadline() -> None:
    # answered at 09:10 UTC; the updates due 11:10 and 13:10 UTC are missed by 14:00 UTC
    due = [OPENED + timedelta(hours=3, minutes=10), OPENED + timedelta(hours=5, minutes=10)]
    wrong = Exemption(ExemptClock.UPDATE, OPENED + 4 * HOUR, "Typo")
    right = Exemption(ExemptClock.UPDATE, due[1], "Cutover freeze")
    excused = _excused([(timedelta(minutes=70), R)], [wrong, right], 6 * HOUR)
    assert excused.updates == (right,) and excused.stale == (wrong,)
    assert excused.reasons == "Update due 2026-12-07 13:10 UTC: Cutover freeze"


@pytest.mark.parametrize(
    ("reason", "problem"),
    [("", "A reason is required"), ("  \n ", "A reason is required"), ("x" * 1001, "1,001 characters long"),
     ("Mis-filed by the customer", None)],
)  # fmt: skip
def test_a_reason_is_required(reason: str, problem: str | None) -> None:
    found = reason_problem(reason)
    assert found is None if problem is None else (found is not None and problem in found)

"""SLA clocks recomputed from ticket history: DESIGN §2's worked examples, edge cases at the deadline, invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.domain.calendar import BUSINESS_DAY, BusinessCalendar, TwentyFourSeven
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import (
    SeverityTarget,
    SlaEvaluation,
    SlaPolicy,
    SlaState,
    TicketEvent,
    TicketHistory,
    cadence_deadline,
    clock_for,
    deadline_state,
    evaluate,
    explain_deadline,
    explain_first_response,
    explain_update,
    format_duration,
)
from tamdesk.domain.states import ClockKind, TicketEventKind

R = TicketEventKind.RESPONSE
W = TicketEventKind.WAITING_ON_CUSTOMER
C = TicketEventKind.CUSTOMER_REPLIED
S = TicketEventKind.SOLVED
O = TicketEventKind.REOPENED  # noqa: E741

POLICY = SlaPolicy.standard()
BERLIN = BusinessCalendar("Europe/Berlin", country="DE")
NEW_YORK = BusinessCalendar("America/New_York", country="US")
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


def berlin(m: int, d: int, hh: int, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Europe/Berlin"))


def new_york(m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=ZoneInfo("America/New_York"))


def ticket(opened: datetime, severity: Severity, *events: tuple[datetime, TicketEventKind]) -> TicketHistory:
    return TicketHistory(opened, severity, [TicketEvent(at, kind) for at, kind in events])


def sla(history: TicketHistory, now: datetime, calendar: BusinessCalendar = BERLIN) -> SlaEvaluation:
    return evaluate(history, POLICY, calendar, now)


# -- the worked examples ---------------------------------------------------------------------------------------


def test_friday_evening_sev2_in_berlin_is_due_monday_morning() -> None:
    history = ticket(berlin(3, 6, 17, 30), Severity.HIGH)
    result = sla(history, berlin(3, 6, 18))
    assert result.first_response_due == berlin(3, 9, 10, 30) == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert (result.first_response_state, result.first_response_met) == (SlaState.OK, None)
    assert (result.deadline, result.state) == (berlin(3, 9, 10, 30), SlaState.OK)
    assert result.first_response_remaining == berlin(3, 9, 10, 30) - berlin(3, 6, 18)
    assert explain_first_response(history, POLICY, BERLIN) == (
        "due Mon 09 Mar 10:30 CET: 2 business hours from Fri 17:30, hours 09:00–18:00 Mon–Fri, Europe/Berlin, "
        "DE holidays"
    )


@pytest.mark.parametrize(
    ("now", "state", "remaining"),
    [
        (berlin(3, 9, 9, 59), SlaState.OK, 31 * MINUTE),
        (berlin(3, 9, 10), SlaState.AT_RISK, 30 * MINUTE),  # 1.5 of 2 business hours gone
        (berlin(3, 9, 10, 30), SlaState.AT_RISK, timedelta(0)),  # due now: not breached yet
        (berlin(3, 9, 10, 31), SlaState.BREACHED, -MINUTE),
    ],
)
def test_first_response_clock_states(now: datetime, state: SlaState, remaining: timedelta) -> None:
    result = sla(ticket(berlin(3, 6, 17, 30), Severity.HIGH), now)
    assert (result.first_response_state, result.first_response_remaining) == (state, remaining)
    assert (result.deadline, result.state) == (berlin(3, 9, 10, 30), state)


@pytest.mark.parametrize(
    ("response", "met", "state", "late_by"),
    [
        (berlin(3, 9, 10, 30), True, SlaState.MET, None),
        (berlin(3, 9, 10, 31), False, SlaState.MISSED, MINUTE),
        (berlin(3, 7, 10), True, SlaState.MET, None),  # answered on the weekend
    ],
)
def test_first_response_is_met_at_or_before_the_due_time(
    response: datetime, met: bool, state: SlaState, late_by: timedelta | None
) -> None:
    result = sla(ticket(berlin(3, 6, 17, 30), Severity.HIGH, (response, R)), berlin(3, 9, 11))
    assert (result.first_response_at, result.first_response_met) == (response, met)
    assert (result.first_response_state, result.first_response_late_by) == (state, late_by)
    assert result.first_response_remaining == berlin(3, 9, 10, 30) - response


def test_us_sev3_across_the_march_dst_change() -> None:
    history = ticket(new_york(3, 6, 14), Severity.NORMAL, (new_york(3, 9, 11), R))
    before = sla(history, new_york(3, 6, 15), NEW_YORK)
    assert before.first_response_due == new_york(3, 9, 14) == datetime(2026, 3, 9, 18, tzinfo=UTC)
    # 27 business hours from Mon 11:00: 7 + 9 + 9 + 2, due Thu 11:00 EDT.
    cases = [
        (new_york(3, 11, 12), SlaState.OK, 0),
        (new_york(3, 11, 14), SlaState.AT_RISK, 0),  # 21 of 27 hours >= 75%
        (new_york(3, 12, 11, 1), SlaState.BREACHED, 1),
    ]
    for now, state, missed in cases:
        result = sla(history, now, NEW_YORK)
        assert result.first_response_met is True
        assert (result.next_update_due, result.update_state, result.missed_updates) == (
            new_york(3, 12, 11),
            state,
            missed,
        )
        assert (result.deadline, result.state) == (new_york(3, 12, 11), state)


def test_german_easter_holidays_are_skipped() -> None:
    normal = ticket(berlin(4, 2, 15), Severity.NORMAL)
    low = ticket(berlin(4, 2, 15), Severity.LOW)
    assert sla(normal, berlin(4, 2, 16)).first_response_due == berlin(4, 7, 15)
    assert sla(low, berlin(4, 2, 16)).first_response_due == berlin(4, 8, 15)
    assert explain_first_response(normal, POLICY, BERLIN) == (
        "due Tue 07 Apr 15:00 CEST: 1 business day from Thu 15:00, hours 09:00–18:00 Mon–Fri, Europe/Berlin, "
        "DE holidays; skips Good Friday (Fri 03 Apr), Easter Monday (Mon 06 Apr)"
    )


def test_sev1_runs_round_the_clock_from_a_saturday() -> None:
    history = ticket(berlin(3, 7, 10), Severity.URGENT, (berlin(3, 7, 10, 40), R))
    assert explain_first_response(history, POLICY, BERLIN) == (
        "due Sat 07 Mar 11:00 CET: 1 hour from Sat 10:00, 24×7, Europe/Berlin"
    )
    cases = [
        (berlin(3, 7, 12), SlaState.OK, 0),
        (berlin(3, 7, 12, 15), SlaState.AT_RISK, 0),
        (berlin(3, 7, 12, 41), SlaState.BREACHED, 1),
        (berlin(3, 7, 14, 41), SlaState.BREACHED, 2),
    ]
    for now, state, missed in cases:
        result = sla(history, now)
        assert (result.first_response_due, result.first_response_state) == (berlin(3, 7, 11), SlaState.MET)
        assert (result.next_update_due, result.update_state, result.missed_updates) == (
            berlin(3, 7, 12, 40),
            state,
            missed,
        )
        assert result.update_remaining == berlin(3, 7, 12, 40) - now


# -- missed updates --------------------------------------------------------------------------------------------

OPENED = datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("responses", "missed"),
    [
        ([30, 150], 0),  # exactly at the 2-hour deadline: in time
        ([30, 151], 1),
        ([30, 270], 1),  # the second deadline falls at the response: in time
        ([30, 271], 2),
        ([30, 100, 220, 340], 0),
        ([30, 200, 400], 2),  # one late each time
    ],
)
def test_each_deadline_passed_without_a_response_is_one_missed_update(responses: list[int], missed: int) -> None:
    history = ticket(OPENED, Severity.URGENT, *((OPENED + m * MINUTE, R) for m in responses))
    result = sla(history, OPENED + (responses[-1] + 10) * MINUTE, BusinessCalendar("UTC"))
    assert result.missed_updates == missed
    assert result.update_state is SlaState.OK


@pytest.mark.parametrize(
    ("first", "second", "missed"),
    [
        (berlin(3, 5, 9), berlin(3, 5, 18), 0),  # the deadline is closing time
        (berlin(3, 5, 9), berlin(3, 6, 8), 1),  # no business time ran, but the deadline instant passed
        (berlin(3, 6, 17), berlin(3, 9, 16, 59), 0),  # 1 h on Friday, 8 h on Monday
        (berlin(3, 6, 17), berlin(3, 9, 17, 1), 1),
        (berlin(3, 2, 9), berlin(3, 6, 17), 4),  # Mon 18:00, Tue 18:00, Wed 18:00, Thu 18:00
    ],
)
def test_business_hours_update_deadlines(first: datetime, second: datetime, missed: int) -> None:
    history = ticket(first - HOUR, Severity.HIGH, (first, R), (second, R))
    assert sla(history, second).missed_updates == missed


def test_a_late_update_keeps_counting_until_answered() -> None:
    history = ticket(berlin(3, 2, 8), Severity.HIGH, (berlin(3, 2, 9), R))
    result = sla(history, berlin(3, 4, 12))
    assert (result.missed_updates, result.update_state) == (2, SlaState.BREACHED)
    assert result.next_update_due == berlin(3, 2, 18)  # overdue since the first deadline after the response
    assert result.update_remaining == berlin(3, 2, 18) - berlin(3, 4, 12)


# -- waiting on the customer -------------------------------------------------------------------------------------


def test_waiting_on_the_customer_pauses_the_update_clock() -> None:
    events = [(berlin(3, 9, 9), R), (berlin(3, 9, 12), W), (berlin(3, 10, 12), C)]
    result = sla(ticket(berlin(3, 9, 8), Severity.HIGH, *events), berlin(3, 10, 17))
    assert (result.next_update_due, result.update_state, result.paused) == (berlin(3, 10, 18), SlaState.AT_RISK, False)


def test_a_paused_ticket_has_no_next_deadline() -> None:
    events = [(berlin(3, 9, 9), R), (berlin(3, 9, 12), W)]
    result = sla(ticket(berlin(3, 9, 8), Severity.HIGH, *events), berlin(3, 20, 12))
    assert (result.paused, result.update_state, result.next_update_due, result.update_remaining) == (
        True,
        SlaState.PAUSED,
        None,
        None,
    )
    assert (result.deadline, result.state, result.missed_updates) == (None, SlaState.PAUSED, 0)


def test_a_response_ends_the_wait() -> None:
    events = [(berlin(3, 9, 9), R), (berlin(3, 9, 12), W), (berlin(3, 9, 15), R)]
    result = sla(ticket(berlin(3, 9, 8), Severity.HIGH, *events), berlin(3, 9, 16))
    assert (result.paused, result.next_update_due) == (False, berlin(3, 10, 15))


@pytest.mark.parametrize("order", [[R, W], [W, R]])
def test_a_reply_sent_with_waiting_status_pauses(order: list[TicketEventKind]) -> None:
    events = [(berlin(3, 9, 9), kind) for kind in order]
    result = sla(ticket(berlin(3, 9, 8), Severity.HIGH, *events), berlin(3, 11, 9))
    assert (result.paused, result.state, result.missed_updates) == (True, SlaState.PAUSED, 0)


@pytest.mark.parametrize(
    ("events", "missed"),
    [
        ([(berlin(3, 9, 18), W), (berlin(3, 10, 10), C), (berlin(3, 10, 11), R)], 1),  # paused right at the deadline
        ([(berlin(3, 9, 17, 59), W), (berlin(3, 10, 10), C), (berlin(3, 10, 10, 30), R)], 1),
        ([(berlin(3, 9, 17, 59), W), (berlin(3, 10, 10), C), (berlin(3, 10, 10, 1), R)], 0),  # 1 minute left
    ],
)
def test_a_pause_moves_the_deadline_by_the_paused_business_time(
    events: list[tuple[datetime, TicketEventKind]], missed: int
) -> None:
    history = ticket(berlin(3, 9, 8), Severity.HIGH, (berlin(3, 9, 9), R), *events)
    assert sla(history, berlin(3, 10, 12)).missed_updates == missed


# -- solved and reopened ------------------------------------------------------------------------------------------


def test_solved_stops_the_clock() -> None:
    history = ticket(OPENED, Severity.URGENT, (OPENED + 30 * MINUTE, R), (OPENED + HOUR, S))
    result = sla(history, OPENED + timedelta(days=30))
    assert (result.missed_updates, result.update_state, result.next_update_due) == (0, SlaState.SOLVED, None)
    assert (result.deadline, result.state) == (None, SlaState.SOLVED)
    assert (result.resolved_at, result.time_to_resolve) == (OPENED + HOUR, HOUR)


@pytest.mark.parametrize(("solved", "missed"), [(150, 0), (151, 1)])
def test_solving_at_the_deadline_is_in_time(solved: int, missed: int) -> None:
    history = ticket(OPENED, Severity.URGENT, (OPENED + 30 * MINUTE, R), (OPENED + solved * MINUTE, S))
    assert sla(history, OPENED + timedelta(days=1)).missed_updates == missed


def test_solved_while_waiting_is_not_paused() -> None:
    history = ticket(OPENED, Severity.URGENT, (OPENED + 30 * MINUTE, R), (OPENED + HOUR, W), (OPENED + 2 * HOUR, S))
    result = sla(history, OPENED + timedelta(days=1))
    assert (result.paused, result.state) == (False, SlaState.SOLVED)


def test_reopen_restarts_the_update_clock() -> None:
    reopened = OPENED + timedelta(days=1)
    events = [(OPENED + 30 * MINUTE, R), (OPENED + HOUR, S), (OPENED + 2 * HOUR, R), (reopened, O)]
    history = ticket(OPENED, Severity.URGENT, *events)
    while_solved = sla(history, OPENED + 10 * HOUR)  # the response while solved does not restart the clock
    assert (while_solved.state, while_solved.deadline, while_solved.missed_updates) == (SlaState.SOLVED, None, 0)
    soon = sla(history, reopened + HOUR)
    assert (soon.next_update_due, soon.state, soon.missed_updates) == (reopened + 2 * HOUR, SlaState.OK, 0)
    assert (soon.resolved_at, soon.time_to_resolve) == (None, None)
    later = sla(history, reopened + 5 * HOUR)
    assert (later.state, later.missed_updates) == (SlaState.BREACHED, 2)
    solved_again = ticket(OPENED, Severity.URGENT, *events, (reopened + 3 * HOUR, R), (reopened + 4 * HOUR, S))
    result = sla(solved_again, reopened + timedelta(days=2))
    assert (result.missed_updates, result.resolved_at) == (1, reopened + 4 * HOUR)
    assert result.time_to_resolve == timedelta(days=1, hours=4)


@pytest.mark.parametrize(
    ("solved_after", "state", "met", "late_by"),
    [(30 * MINUTE, SlaState.SOLVED, None, None), (90 * MINUTE, SlaState.MISSED, False, 30 * MINUTE)],
)
def test_solved_without_a_response(
    solved_after: timedelta, state: SlaState, met: bool | None, late_by: timedelta | None
) -> None:
    history = ticket(OPENED, Severity.URGENT, (OPENED + solved_after, S))
    result = sla(history, OPENED + timedelta(days=1))
    assert (result.first_response_state, result.first_response_met, result.first_response_late_by) == (
        state,
        met,
        late_by,
    )
    assert (result.update_state, result.state, result.deadline) == (SlaState.SOLVED, SlaState.SOLVED, None)
    reopened = ticket(OPENED, Severity.URGENT, (OPENED + solved_after, S), (OPENED + 2 * HOUR, O))
    pending = sla(reopened, OPENED + 3 * HOUR)
    assert (pending.first_response_state, pending.deadline) == (SlaState.BREACHED, OPENED + HOUR)


# -- history handling ----------------------------------------------------------------------------------------------


def test_events_after_now_are_ignored() -> None:
    history = ticket(OPENED, Severity.URGENT, (OPENED + 2 * HOUR, R), (OPENED + 3 * HOUR, S))
    as_of = sla(history, OPENED + 30 * MINUTE)
    assert (as_of.first_response_at, as_of.resolved_at, as_of.state) == (None, None, SlaState.OK)


def test_events_are_sorted_and_normalized() -> None:
    events = [
        TicketEvent(berlin(3, 2, 12), S),
        TicketEvent(datetime(2026, 3, 2, 10, tzinfo=UTC), R),  # 11:00 Berlin
        TicketEvent(berlin(3, 2, 10, 30), "response"),  # type: ignore[arg-type]
    ]
    history = TicketHistory(berlin(3, 2, 10), Severity.HIGH, events)
    assert [(e.at, e.kind) for e in history.events] == [
        (datetime(2026, 3, 2, 9, 30, tzinfo=UTC), R),
        (datetime(2026, 3, 2, 10, tzinfo=UTC), R),
        (datetime(2026, 3, 2, 11, tzinfo=UTC), S),
    ]
    assert history.opened.tzinfo is UTC
    assert sla(history, berlin(3, 3, 9)).first_response_at == berlin(3, 2, 10, 30)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ticket(OPENED, Severity.HIGH, (OPENED - MINUTE, R)), "'Response' at 2026-03-02 07:59 UTC is before"),
        (lambda: ticket(OPENED, Severity.HIGH, (datetime(2026, 3, 2, 9), R)), "no time zone"),
        (lambda: ticket(datetime(2026, 3, 2, 9), Severity.HIGH), "no time zone"),
        (lambda: TicketHistory(OPENED, Severity.HIGH, [TicketEvent(OPENED, "escalated")]), "not one of"),  # type: ignore[arg-type]
        (lambda: sla(ticket(OPENED, Severity.HIGH), OPENED - MINUTE), "before it was opened"),
        (lambda: sla(ticket(OPENED, Severity.HIGH), datetime(2026, 3, 3)), "no time zone"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


# -- policy, helpers -----------------------------------------------------------------------------------------------


def test_the_standard_policy() -> None:
    h, b = ClockKind.TWENTY_FOUR_SEVEN, ClockKind.BUSINESS_HOURS
    assert POLICY.label == "Standard v1"
    assert POLICY.at_risk_fraction == 0.75
    targets = {sev: POLICY.target(sev) for sev in Severity}
    assert {sev: (t.first_response, t.update_cadence, t.clock) for sev, t in targets.items()} == {
        Severity.URGENT: (HOUR, 2 * HOUR, h),
        Severity.HIGH: (2 * HOUR, 9 * HOUR, b),
        Severity.NORMAL: (9 * HOUR, 27 * HOUR, b),
        Severity.LOW: (18 * HOUR, 45 * HOUR, b),
    }
    assert SlaPolicy.standard() == POLICY and hash(SlaPolicy.standard()) == hash(POLICY)


def test_policies_are_validated() -> None:
    with pytest.raises(ValueError, match="positive"):
        SeverityTarget(timedelta(0), HOUR, ClockKind.BUSINESS_HOURS)
    with pytest.raises(ValueError, match="at-risk fraction"):
        SlaPolicy("Odd", 1, POLICY.targets, at_risk_fraction=1.5)
    partial = SlaPolicy("Partial", 3, {Severity.URGENT: POLICY.target(Severity.URGENT)})
    with pytest.raises(ValueError, match="Partial v3 has no targets for Sev4 Low"):
        evaluate(ticket(OPENED, Severity.LOW), partial, BERLIN, OPENED)


def test_clock_for_picks_the_customer_zone() -> None:
    assert clock_for(ClockKind.BUSINESS_HOURS, BERLIN) is BERLIN
    assert clock_for(ClockKind.TWENTY_FOUR_SEVEN, BERLIN) == TwentyFourSeven("Europe/Berlin")


def test_a_defect_update_cadence_uses_the_same_engine() -> None:
    last_update = berlin(3, 6, 15)
    assert cadence_deadline(BERLIN, last_update, BUSINESS_DAY) == berlin(3, 9, 15)
    assert cadence_deadline(BERLIN, last_update, 5 * BUSINESS_DAY) == berlin(3, 13, 15)
    assert deadline_state(BERLIN, last_update, BUSINESS_DAY, berlin(3, 9, 9)) is SlaState.OK
    assert deadline_state(BERLIN, last_update, BUSINESS_DAY, berlin(3, 9, 13)) is SlaState.AT_RISK
    assert deadline_state(BERLIN, last_update, BUSINESS_DAY, berlin(3, 9, 15, 1)) is SlaState.BREACHED
    assert explain_deadline(BERLIN, last_update, 5 * BUSINESS_DAY) == (
        "due Fri 13 Mar 15:00 CET: 5 business days from Fri 06 Mar 15:00, hours 09:00–18:00 Mon–Fri, "
        "Europe/Berlin, DE holidays"
    )


@pytest.mark.parametrize(
    ("duration", "business", "text"),
    [
        (HOUR, True, "1 business hour"),
        (90 * MINUTE, True, "1 h 30 min of business time"),
        (90 * MINUTE, False, "1 h 30 min"),
    ],
)
def test_explained_durations(duration: timedelta, business: bool, text: str) -> None:
    clock = BusinessCalendar("UTC") if business else TwentyFourSeven("UTC")
    assert f": {text} from " in explain_deadline(clock, datetime(2026, 3, 2, 10, tzinfo=UTC), duration)


def test_state_labels() -> None:
    assert [s.label for s in (SlaState.OK, SlaState.AT_RISK, SlaState.NOT_STARTED)] == ["OK", "At risk", "Not started"]
    assert {s for s in SlaState if s.needs_attention} == {SlaState.AT_RISK, SlaState.BREACHED}


# -- invariants ------------------------------------------------------------------------------------------------------

KINDS = list(TicketEventKind)
offsets = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda minutes: minutes * MINUTE)
event_lists = st.lists(st.tuples(offsets, st.sampled_from(KINDS)), max_size=12)
openings = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
severities = st.sampled_from(list(Severity))
calendars = st.sampled_from([BERLIN, NEW_YORK])
invariant = settings(max_examples=250, deadline=None)


def _history(opened: datetime, severity: Severity, events: list[tuple[timedelta, TicketEventKind]]) -> TicketHistory:
    return ticket(opened, severity, *((opened + offset, kind) for offset, kind in events))


@invariant
@given(openings, severities, event_lists, offsets, calendars)
def test_evaluation_is_consistent(
    opened: datetime,
    severity: Severity,
    events: list[tuple[timedelta, TicketEventKind]],
    after: timedelta,
    calendar: BusinessCalendar,
) -> None:
    now = opened + after
    result = evaluate(_history(opened, severity, events), POLICY, calendar, now)
    assert result.first_response_due > opened
    assert result.missed_updates >= 0
    assert (result.deadline is None) == (result.state in (SlaState.PAUSED, SlaState.SOLVED))
    if result.first_response_at is not None:
        assert result.first_response_met == (result.first_response_at <= result.first_response_due)
    if result.next_update_due is not None:
        assert result.update_state in (SlaState.OK, SlaState.AT_RISK, SlaState.BREACHED)
        assert (result.update_state is SlaState.BREACHED) == (result.next_update_due < now)
    reversed_order = evaluate(_history(opened, severity, events[::-1]), POLICY, calendar, now)
    assert reversed_order == result


@invariant
@given(openings, severities, event_lists, offsets, offsets, calendars)
def test_missed_updates_never_decrease_with_time(
    opened: datetime,
    severity: Severity,
    events: list[tuple[timedelta, TicketEventKind]],
    first: timedelta,
    second: timedelta,
    calendar: BusinessCalendar,
) -> None:
    history = _history(opened, severity, events)
    earlier, later = sorted((opened + first, opened + second))
    assert evaluate(history, POLICY, calendar, earlier).missed_updates <= (
        evaluate(history, POLICY, calendar, later).missed_updates
    )


@invariant
@given(
    openings,
    severities,
    st.lists(st.tuples(offsets, st.sampled_from([R, S, O])), max_size=10),
    offsets,
    offsets,
    offsets,
    calendars,
)
def test_pauses_never_shorten_a_deadline(
    opened: datetime,
    severity: Severity,
    events: list[tuple[timedelta, TicketEventKind]],
    pause_at: timedelta,
    pause_for: timedelta,
    after: timedelta,
    calendar: BusinessCalendar,
) -> None:
    now = opened + after
    plain = evaluate(_history(opened, severity, events), POLICY, calendar, now)
    paused_events = [*events, (pause_at, W), (pause_at + pause_for, C)]
    paused = evaluate(_history(opened, severity, paused_events), POLICY, calendar, now)
    assert paused.first_response_due == plain.first_response_due
    assert paused.missed_updates <= plain.missed_updates
    if paused.next_update_due is not None and plain.next_update_due is not None:
        assert paused.next_update_due >= plain.next_update_due


@invariant
@given(openings, severities, event_lists, offsets, offsets, calendars)
def test_waiting_on_the_customer_never_brings_a_deadline_forward(
    opened: datetime,
    severity: Severity,
    events: list[tuple[timedelta, TicketEventKind]],
    waiting_at: timedelta,
    after: timedelta,
    calendar: BusinessCalendar,
) -> None:
    now = opened + after
    plain = evaluate(_history(opened, severity, events), POLICY, calendar, now)
    waiting = evaluate(_history(opened, severity, [*events, (waiting_at, W)]), POLICY, calendar, now)
    assert waiting.missed_updates <= plain.missed_updates
    if waiting.next_update_due is not None and plain.next_update_due is not None:
        assert waiting.next_update_due >= plain.next_update_due


# -- the update explanation comes from the evaluation itself ---------------------------------------------------


def test_update_explanation_counts_the_pause_as_the_state_does() -> None:
    history = ticket(berlin(11, 23, 8, 30), Severity.HIGH,
                     (berlin(11, 23, 9), R), (berlin(11, 23, 10), W), (berlin(11, 24, 10), C))  # fmt: skip
    result = sla(history, berlin(11, 25, 9))
    assert (result.next_update_due, result.update_state) == (berlin(11, 24, 18), SlaState.BREACHED)
    assert result.update_basis == (berlin(11, 23, 9), False, 24 * HOUR)
    assert explain_update(result, POLICY.target(Severity.HIGH), BERLIN) == (
        "Next update due Tue 24 Nov 18:00 CET: 1 business day from Mon 09:00, paused 24 h while waiting on the "
        "customer, hours 09:00–18:00 Mon–Fri, Europe/Berlin, DE holidays"
    )


def test_update_explanation_restarts_at_a_reopening() -> None:
    history = ticket(berlin(11, 25, 21), Severity.URGENT,
                     (berlin(11, 25, 21, 30), R), (berlin(11, 25, 22), S), (berlin(11, 26, 2), O))  # fmt: skip
    result = sla(history, berlin(11, 26, 5))
    assert (result.next_update_due, result.update_state) == (berlin(11, 26, 4), SlaState.BREACHED)
    assert explain_update(result, POLICY.target(Severity.URGENT), BERLIN) == (
        "Next update due Thu 26 Nov 04:00 CET: 2 hours from the reopening at Thu 02:00, 24×7, Europe/Berlin"
    )


def test_a_pause_after_the_deadline_does_not_move_it() -> None:
    history = ticket(berlin(11, 23, 8, 30), Severity.HIGH,
                     (berlin(11, 23, 9), R), (berlin(11, 24, 10), W), (berlin(11, 24, 11), C))  # fmt: skip
    result = sla(history, berlin(11, 24, 12))
    assert (result.next_update_due, result.update_basis) == (berlin(11, 23, 18), (berlin(11, 23, 9), False, 0 * HOUR))
    assert "paused" not in explain_update(result, POLICY.target(Severity.HIGH), BERLIN)


@pytest.mark.parametrize(
    ("events", "text"),
    [
        ((), "Update clock starts with the first response."),
        (((berlin(11, 23, 9), R), (berlin(11, 23, 10), W)), "Update clock paused: waiting on the customer."),
        (((berlin(11, 23, 9), R), (berlin(11, 23, 10), S)), "Update clock stopped: the ticket is solved."),
    ],
)
def test_update_explanation_when_the_clock_does_not_run(
    events: tuple[tuple[datetime, TicketEventKind], ...], text: str
) -> None:
    result = sla(ticket(berlin(11, 23, 8, 30), Severity.HIGH, *events), berlin(11, 23, 12))
    assert explain_update(result, POLICY.target(Severity.HIGH), BERLIN) == text


@invariant
@given(openings, event_lists, offsets)
def test_round_the_clock_update_due_is_its_basis_plus_the_cadence_plus_the_pauses(
    opened: datetime, events: list[tuple[timedelta, TicketEventKind]], after: timedelta
) -> None:
    result = evaluate(_history(opened, Severity.URGENT, events), POLICY, BERLIN, opened + after)
    assert (result.update_basis is None) == (result.next_update_due is None)
    if result.update_basis is not None:
        since, _, paused = result.update_basis
        assert result.next_update_due == since + POLICY.target(Severity.URGENT).update_cadence + paused


@pytest.mark.parametrize(
    ("duration", "business", "text"),
    [
        (30 * MINUTE, False, "30 min"),
        (5 * MINUTE, True, "5 min of business time"),
        (90 * MINUTE, False, "1 h 30 min"),
        (90 * MINUTE, True, "1 h 30 min of business time"),
        (HOUR, False, "1 hour"),
        (2 * HOUR, True, "2 business hours"),
        (BUSINESS_DAY, True, "1 business day"),
    ],
)
def test_durations_read_naturally(duration: timedelta, business: bool, text: str) -> None:
    assert format_duration(duration, business) == text


def test_a_premium_half_hour_target_reads_without_zero_hours() -> None:
    assert explain_deadline(clock_for(ClockKind.TWENTY_FOUR_SEVEN, BERLIN), berlin(3, 6, 7, 11), 30 * MINUTE) == (
        "due Fri 06 Mar 07:41 CET: 30 min from Fri 07:11, 24×7, Europe/Berlin"
    )

"""Severity changes as dated events (issue 15, item 2): the rule in domain/sla.py's docstring, table by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import (
    SeverityChange,
    SlaEvaluation,
    SlaPolicy,
    SlaState,
    TicketEvent,
    TicketHistory,
    describe_severities,
    evaluate,
    explain_first_response,
    explain_update,
    missed_update_deadlines,
)
from tamdesk.domain.states import TicketEventKind

R = TicketEventKind.RESPONSE
W = TicketEventKind.WAITING_ON_CUSTOMER
POLICY = SlaPolicy.standard()
BERLIN = BusinessCalendar("Europe/Berlin", country="DE")
NEW_YORK = BusinessCalendar("America/New_York", country="US")
MINUTE = timedelta(minutes=1)
S1, S2, S3, S4 = Severity.URGENT, Severity.HIGH, Severity.NORMAL, Severity.LOW


def at(d: int, hh: int, mm: int = 0) -> datetime:
    """A time in the week of Mon 07 Dec 2026, Berlin."""
    return datetime(2026, 12, d, hh, mm, tzinfo=ZoneInfo("Europe/Berlin"))


OPENED = at(7, 9)  # Monday 09:00


def history(
    opened: Severity, changes: list[tuple[datetime, Severity]], events: list[tuple[datetime, TicketEventKind]]
) -> TicketHistory:
    chain, before = [], opened
    for when, after in changes:
        chain.append(SeverityChange(when, before, after))
        before = after
    return TicketHistory(OPENED, before, [TicketEvent(w, k) for w, k in events], chain)


def sla(h: TicketHistory, now: datetime) -> SlaEvaluation:
    return evaluate(h, POLICY, BERLIN, now)


# -- first response ----------------------------------------------------------------------------------------------

FIRST_RESPONSE = [
    # (what, opened as, changes, events, now, due, state)
    ("lowered before the due: the Sev3 target from opened", S1, [(at(7, 9, 40), S3)], [], at(7, 11), at(7, 18),
     SlaState.OK),
    ("lowered after the due passed: stays breached", S1, [(at(7, 10, 30), S3)], [], at(7, 11), at(7, 10),
     SlaState.BREACHED),
    ("lowered after the breach, answered later: missed", S1, [(at(7, 10, 30), S3)], [(at(7, 11), R)], at(7, 12),
     at(7, 10), SlaState.MISSED),
    ("raised before the due: the earlier Sev1 target", S3, [(at(7, 9, 30), S1)], [(at(7, 9, 50), R)], at(7, 12),
     at(7, 10), SlaState.MET),
    ("raised, answered after the Sev1 target: missed", S3, [(at(7, 9, 30), S1)], [(at(7, 10, 10), R)], at(7, 12),
     at(7, 10), SlaState.MISSED),
    ("raised once the Sev1 target had run out: breached at once", S3, [(at(7, 11), S1)], [], at(7, 11), at(7, 10),
     SlaState.BREACHED),
    ("raised after the first response: untouched", S3, [(at(7, 12), S1)], [(at(7, 9, 30), R)], at(7, 13),
     at(7, 18), SlaState.MET),
    ("lowered after the first response: untouched", S1, [(at(7, 12), S3)], [(at(7, 9, 30), R)], at(7, 13),
     at(7, 10), SlaState.MET),
    ("raised then lowered while pending: the later again", S3, [(at(7, 9, 30), S1), (at(7, 9, 45), S3)], [],
     at(7, 11), at(7, 18), SlaState.OK),
    ("a change after now is ignored", S1, [(at(7, 9, 40), S3)], [], at(7, 9, 30), at(7, 10), SlaState.OK),
    ("Sev4 raised to Sev2: 2 business hours from opened", S4, [(at(7, 9, 30), S2)], [], at(7, 10, 40), at(7, 11),
     SlaState.AT_RISK),
]  # fmt: skip


@pytest.mark.parametrize(
    ("opened", "changes", "events", "now", "due", "state"),
    [case[1:] for case in FIRST_RESPONSE],
    ids=[case[0] for case in FIRST_RESPONSE],
)
def test_first_response_after_a_severity_change(
    opened: Severity,
    changes: list[tuple[datetime, Severity]],
    events: list[tuple[datetime, TicketEventKind]],
    now: datetime,
    due: datetime,
    state: SlaState,
) -> None:
    result = sla(history(opened, changes, events), now)
    assert (result.first_response_due, result.first_response_state) == (due, state)


# -- update cadence ----------------------------------------------------------------------------------------------

UPDATES = [
    # (what, opened as, changes, events, now, next update due, missed)
    ("raised after the first response: Sev1's 2 hours from the raise", S3, [(at(7, 12), S1)], [(at(7, 9, 30), R)],
     at(7, 13), at(7, 14), 0),
    ("raised and not answered: Sev1 deadlines count from the raise", S3, [(at(7, 12), S1)], [(at(7, 9, 30), R)],
     at(7, 16, 30), at(7, 14), 2),
    ("lowered after the first response: 3 business days from the lowering", S1, [(at(7, 10), S3)],
     [(at(7, 9, 10), R)], at(9, 12), at(10, 10), 0),
    ("lowered after a missed Sev1 update: it stays missed", S1, [(at(7, 12), S3)], [(at(7, 9, 10), R)],
     at(8, 9), at(10, 12), 1),
    ("raised just before the Sev2 deadline: that deadline stands", S2, [(at(8, 8, 45), S1)], [(at(7, 9, 30), R)],
     at(8, 9), at(8, 9, 30), 0),
    ("... and Sev1's cadence counts on from it", S2, [(at(8, 8, 45), S1)], [(at(7, 9, 30), R)], at(8, 12),
     at(8, 9, 30), 2),
    ("a deadline at the change instant is missed", S1, [(at(7, 11, 10), S3)], [(at(7, 9, 10), R)], at(7, 12),
     at(10, 11, 10), 1),
    ("a reply with the change counts first", S1, [(at(7, 11, 10), S3)], [(at(7, 9, 10), R), (at(7, 11, 10), R)],
     at(7, 12), at(10, 11, 10), 0),
    ("lowered before the first response: the clock starts with it, at Sev3", S1, [(at(7, 9, 5), S3)],
     [(at(7, 9, 30), R)], at(7, 12), at(10, 9, 30), 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("opened", "changes", "events", "now", "due", "missed"),
    [case[1:] for case in UPDATES],
    ids=[case[0] for case in UPDATES],
)
def test_update_cadence_after_a_severity_change(
    opened: Severity,
    changes: list[tuple[datetime, Severity]],
    events: list[tuple[datetime, TicketEventKind]],
    now: datetime,
    due: datetime,
    missed: int,
) -> None:
    result = sla(history(opened, changes, events), now)
    assert (result.next_update_due, result.missed_updates) == (due, missed)


def test_waiting_at_a_change_stays_waiting() -> None:
    h = history(S3, [(at(7, 12), S1)], [(at(7, 9, 30), R), (at(7, 11), W)])
    result = sla(h, at(7, 15))
    assert (result.update_state, result.next_update_due) == (SlaState.PAUSED, None)


def test_a_ticket_without_changes_is_evaluated_as_before() -> None:
    events = [TicketEvent(at(7, 9, 30), R)]
    plain = TicketHistory(OPENED, S2, events)
    assert plain.severity_changes == () and plain.opening_severity is S2
    assert sla(plain, at(9, 12)).update_change is None


# -- explanation and bad input ------------------------------------------------------------------------------------


def test_the_history_says_when_the_severity_changed() -> None:
    h = history(S1, [(at(7, 9, 40), S3)], [(at(7, 9, 10), R)])
    assert describe_severities(h, "Europe/Berlin") == "Sev1 Urgent until Mon 07 Dec 09:40 CET, then Sev3 Normal"
    assert describe_severities(h, "Europe/Berlin", at(7, 9, 30)) == "Sev1 Urgent"
    assert h.severity_at(at(7, 9, 39)) is S1 and h.severity_at(at(7, 9, 40)) is S3


def test_the_explanations_name_the_rule() -> None:
    lowered = history(S1, [(at(7, 9, 40), S3)], [])
    result = sla(lowered, at(7, 11))
    first = explain_first_response(lowered, POLICY, BERLIN, result)
    assert first.startswith("due Mon 07 Dec 18:00 CET: 1 business day from Mon 09:00")
    assert first.endswith("(Sev3 Normal target; Sev1 Urgent until Mon 07 Dec 09:40 CET, then Sev3 Normal)")
    raised = history(S2, [(at(8, 8, 45), S1)], [(at(7, 9, 30), R)])
    result = sla(raised, at(8, 9))
    text = explain_update(result, POLICY.target(S1), BERLIN)
    assert text.startswith("Next update due Tue 08 Dec 09:30 CET: 45 min from the raise to Sev1 Urgent at Tue 08:45")
    assert text.endswith("; the Sev2 High deadline stands (a raise never makes an update due later)")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([SeverityChange(at(7, 8), S1, S3)], "Severity change to Sev3 Normal at 2026-12-07 07:00 UTC is before"),
        ([SeverityChange(at(7, 10), S3, S3)], "does not change the severity (Sev3 Normal)"),
        (
            [SeverityChange(at(7, 10), S1, S3), SeverityChange(at(7, 11), S2, S4)],
            "starts from Sev2 High, but the ticket was Sev3 Normal then",
        ),
    ],
)
def test_bad_severity_changes_are_refused(changes: list[SeverityChange], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TicketHistory(OPENED, S3, [], changes)


# -- the bounds, for any history -----------------------------------------------------------------------------------

KINDS = list(TicketEventKind)
offsets = st.integers(min_value=0, max_value=60 * 24 * 12).map(lambda minutes: minutes * MINUTE)
event_lists = st.lists(st.tuples(offsets, st.sampled_from(KINDS)), max_size=10)
openings = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
pairs = st.tuples(st.sampled_from(list(Severity)), st.sampled_from(list(Severity))).filter(lambda p: p[0] != p[1])
calendars = st.sampled_from([BERLIN, NEW_YORK])
bounds = settings(max_examples=300, deadline=None)


def _with_and_without(
    opened: datetime,
    pair: tuple[Severity, Severity],
    events: list[tuple[timedelta, TicketEventKind]],
    change_at: timedelta,
    after: timedelta,
    calendar: BusinessCalendar,
) -> tuple[SlaEvaluation, SlaEvaluation, SlaEvaluation, datetime]:
    """(with the change, without it at the same instant, without it at the change) for events before the change."""
    change = opened + change_at
    kept = [TicketEvent(opened + offset, kind) for offset, kind in events if offset <= change_at]
    before, after_severity = pair
    plain = TicketHistory(opened, before, kept)
    changed = TicketHistory(opened, after_severity, kept, [SeverityChange(change, before, after_severity)])
    now = change + after
    return (
        evaluate(changed, POLICY, calendar, now),
        evaluate(plain, POLICY, calendar, now),
        evaluate(plain, POLICY, calendar, change),
        change,
    )


@bounds
@given(openings, pairs, event_lists, offsets, offsets, calendars)
def test_a_raise_never_makes_a_deadline_later(
    opened: datetime,
    pair: tuple[Severity, Severity],
    events: list[tuple[timedelta, TicketEventKind]],
    change_at: timedelta,
    after: timedelta,
    calendar: BusinessCalendar,
) -> None:
    assume(pair[1] < pair[0])
    raised, plain, at_change, change = _with_and_without(opened, pair, events, change_at, after, calendar)
    assert raised.first_response_due <= plain.first_response_due
    assert raised.missed_updates >= plain.missed_updates
    pending = at_change.next_update_due is not None and at_change.next_update_due > change
    if pending and raised.next_update_due is not None and plain.next_update_due is not None:
        assert raised.next_update_due <= plain.next_update_due


@bounds
@given(openings, pairs, event_lists, offsets, offsets, calendars)
def test_a_lowering_never_revives_a_breach(
    opened: datetime,
    pair: tuple[Severity, Severity],
    events: list[tuple[timedelta, TicketEventKind]],
    change_at: timedelta,
    after: timedelta,
    calendar: BusinessCalendar,
) -> None:
    assume(pair[1] > pair[0])
    lowered, plain, at_change, _change = _with_and_without(opened, pair, events, change_at, after, calendar)
    assert lowered.first_response_due >= plain.first_response_due or (
        at_change.first_response_state is SlaState.BREACHED
    )
    if at_change.first_response_state is SlaState.BREACHED:
        assert lowered.first_response_due == plain.first_response_due
        assert lowered.first_response_state is SlaState.BREACHED
    assert lowered.missed_updates >= at_change.missed_updates


# -- the missed updates by their deadlines (what an exemption names) ---------------------------------------------


def test_each_missed_update_is_named_by_its_deadline() -> None:
    raised = history(S3, [(at(7, 12), S1)], [(at(7, 9, 30), R)])
    assert missed_update_deadlines(raised, POLICY, BERLIN, at(7, 16, 30)) == (
        at(7, 14).astimezone(UTC),
        at(7, 16).astimezone(UTC),
    )
    answered_at_the_deadline = history(S1, [], [(at(7, 9), R), (at(7, 11), R)])
    assert missed_update_deadlines(answered_at_the_deadline, POLICY, BERLIN, at(7, 12)) == ()


@bounds
@given(openings, pairs, event_lists, offsets, offsets, calendars, st.booleans())
def test_the_missed_deadlines_are_as_many_as_the_missed_updates(
    opened: datetime,
    pair: tuple[Severity, Severity],
    events: list[tuple[timedelta, TicketEventKind]],
    change_at: timedelta,
    after: timedelta,
    calendar: BusinessCalendar,
    changed: bool,
) -> None:
    before, after_severity = pair
    kept = [TicketEvent(opened + offset, kind) for offset, kind in events]
    changes = [SeverityChange(opened + change_at, before, after_severity)] if changed else []
    h = TicketHistory(opened, after_severity if changed else before, kept, changes)
    now = opened + change_at + after
    deadlines = missed_update_deadlines(h, POLICY, calendar, now)
    assert len(deadlines) == evaluate(h, POLICY, calendar, now).missed_updates
    assert list(deadlines) == sorted(deadlines) and all(d < now for d in deadlines)

"""What-if: past compliance under the current rules and under a draft policy or calendar, side by side.

Nothing is saved. A draft is either new targets for a policy (:class:`PolicyDraft`) or new hours for a calendar
(:class:`CalendarDraft`). Only the customers on that policy or calendar are evaluated: every other customer's
tickets keep their verdicts by definition, so they are left out of the figures (the comparison says so).

How each side is measured:

- A policy draft would be saved as a new revision; the comparison asks what the period's tickets would show had
  the draft been in force. "Now" is the revision in force now applied to every ticket of the period, "draft" the
  draft applied to the same tickets, so every difference is the draft's. (The SLA report measures a ticket against
  the revision in force when it was opened, so where an older revision covered the period its figures differ.)
- A calendar edit re-applies to past tickets (SLA state is recomputed from history), so "now" is exactly what the
  SLA report shows: each ticket against its policy revision and the calendar as saved; "draft" is the same with the
  draft hours.

Each ticket's history is read once and evaluated once per rule set; a severity whose rules the draft leaves alone
(unchanged targets, or a 24×7 clock under a calendar draft) is evaluated once and its verdict used on both sides.
Verdicts follow the SLA report: a first response overdue now counts as missed; *updates kept* are the tickets with
a first response and no missed customer update.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from tamdesk.domain.calendar import (
    BusinessCalendar,
    DayHours,
    check_weekly_hours,
    day_hours,
    day_label,
    describe_hours,
)
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import (
    SeverityTarget,
    SlaEvaluation,
    SlaPolicy,
    SlaState,
    TicketEvent,
    evaluate,
    format_duration,
)
from tamdesk.domain.states import ClockKind, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import FieldError, NotFound, tuples
from tamdesk.services.report_data import (
    Cancelled,
    Progress,
    ReportCancelled,
    ReportScope,
    _Phase,
    _ticket_where,
)
from tamdesk.services.severity_history import severity_changes_for, ticket_history
from tamdesk.services.sla import SlaResolver, calendar, policy_revisions

PERIOD_MONTHS = 12


# -- drafts ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyDraft:
    """Targets typed for a policy but not saved."""

    policy_id: int
    targets: Mapping[Severity, SeverityTarget]
    at_risk_fraction: float = 0.75


@dataclass(frozen=True)
class CalendarDraft:
    """Hours typed for a calendar but not saved; ``date_hours`` None keeps the saved date-specific hours."""

    calendar_id: int
    weekly_hours: Mapping[int, DayHours]
    date_hours: Mapping[date, DayHours] | None = None


Draft = PolicyDraft | CalendarDraft


def check_draft(draft: Draft) -> None:
    """Refuse a draft that could not be saved, naming the field, before anything is compared.

    Raises:
        FieldError: ``targets`` (a severity missing), ``at_risk_fraction`` (outside 0–100%),
            ``weekly_hours`` or ``date_hours`` (intervals empty, reversed or overlapping).
    """
    if isinstance(draft, PolicyDraft):
        if set(draft.targets) != set(Severity):  # each target is positive: SeverityTarget refuses anything else
            raise FieldError("targets", "Every severity needs its targets.")
        if not 0 < draft.at_risk_fraction <= 1:
            raise FieldError(
                "at_risk_fraction", f"At risk at {draft.at_risk_fraction:.0%} must be above 0% and at most 100%."
            )
        return
    try:
        check_weekly_hours(draft.weekly_hours)
    except ValueError as exc:
        raise FieldError("weekly_hours", str(exc)) from None
    for day, hours in (draft.date_hours or {}).items():
        try:
            day_hours(hours, day_label(day))
        except ValueError as exc:
            raise FieldError("date_hours", str(exc)) from None


# -- results -----------------------------------------------------------------------------------------------------


@dataclass
class Compliance:
    """First responses due and met, tickets with updates tracked and kept: one side of one comparison line."""

    first_responses_due: int = 0
    first_responses_met: int = 0
    updates_tracked: int = 0
    updates_kept: int = 0

    def add(self, verdict: Verdict) -> None:
        if verdict.met is not None:
            self.first_responses_due += 1
            self.first_responses_met += verdict.met
        if verdict.responded:
            self.updates_tracked += 1
            self.updates_kept += verdict.missed == 0

    def merge(self, other: Compliance) -> None:
        self.first_responses_due += other.first_responses_due
        self.first_responses_met += other.first_responses_met
        self.updates_tracked += other.updates_tracked
        self.updates_kept += other.updates_kept

    @property
    def first_response_rate(self) -> float | None:
        return self.first_responses_met / self.first_responses_due if self.first_responses_due else None

    @property
    def update_rate(self) -> float | None:
        return self.updates_kept / self.updates_tracked if self.updates_tracked else None


@dataclass
class ComparisonLine:
    """One month and severity (or a total, where ``month`` is ``Total`` and ``severity`` may be None)."""

    month: str  # "2026-03" in the comparison's zone, or "Total"
    severity: Severity | None
    tickets: int = 0
    changed: int = 0  # tickets whose verdict the draft changes
    now: Compliance = field(default_factory=Compliance)
    draft: Compliance = field(default_factory=Compliance)

    def merge(self, other: ComparisonLine) -> None:
        self.tickets += other.tickets
        self.changed += other.changed
        self.now.merge(other.now)
        self.draft.merge(other.draft)

    @property
    def first_response_change(self) -> float | None:
        """Draft minus now, as a fraction (0.02 is two points); None when either side has no rate."""
        return _difference(self.now.first_response_rate, self.draft.first_response_rate)

    @property
    def update_change(self) -> float | None:
        return _difference(self.now.update_rate, self.draft.update_rate)


def _difference(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the comparison keeps of one evaluation."""

    first_response_due: datetime
    met: bool | None  # None: not yet due, or solved in time without a response
    missed: int  # missed customer updates
    first_response_at: datetime | None

    @property
    def responded(self) -> bool:
        """A first response came, so the update clock started."""
        return self.first_response_at is not None


@dataclass(frozen=True)
class VerdictChange:
    """A ticket whose verdict the draft changes: first response met ↔ missed, or a different missed-update count."""

    number: str
    customer: str
    subject: str
    severity: Severity
    opened: datetime
    now: Verdict
    draft: Verdict

    @property
    def first_response_at(self) -> datetime | None:
        return self.now.first_response_at

    @property
    def change(self) -> str:
        """In words, e.g. ``First response met → missed; missed updates 0 → 2``."""
        parts = []
        if self.now.met != self.draft.met:
            parts.append(f"First response {_met_word(self.now.met)} → {_met_word(self.draft.met)}")
        if self.now.missed != self.draft.missed:
            parts.append(f"{'missed' if parts else 'Missed'} updates {self.now.missed} → {self.draft.missed}")
        return "; ".join(parts)


def _met_word(met: bool | None) -> str:
    return "not due" if met is None else "met" if met else "missed"


@dataclass(frozen=True)
class WhatIf:
    """The comparison: per month and severity, per severity, the total, and the tickets whose verdict changes."""

    subject: str  # what the draft changes, e.g. "SLA policy Standard" or "Business hours of Standard"
    now_rules: str  # e.g. "Standard v3" or "the hours as saved"
    draft_rules: str
    scope: ReportScope
    now: datetime
    customers: int  # customers on the policy or calendar
    other_customers: int  # customers the draft cannot change, left out
    lines: list[ComparisonLine]  # per month, then severity; only months and severities with tickets
    severities: list[ComparisonLine]  # per severity over the period
    total: ComparisonLine
    changes: list[VerdictChange]  # by opened time
    notes: tuple[str, ...] = ()
    draft_changes: str = ""  # what the draft changes, e.g. "Sev2 first response 2 business hours → 1 business hour"

    @property
    def tickets(self) -> int:
        return self.total.tickets


# -- comparison --------------------------------------------------------------------------------------------------


def default_period(now: datetime, tz: tzinfo) -> tuple[date, date]:
    """The last 12 months: from the first day of the month eleven months back up to today included."""
    today = now.astimezone(tz).date()
    month = today.year * 12 + today.month - 1 - (PERIOD_MONTHS - 1)
    return date(month // 12, month % 12 + 1, 1), today + timedelta(days=1)


class _Rules:
    """The two rule sets of a comparison, per ticket: (policy, calendar) now and under the draft."""

    def __init__(self, draft: Draft, resolver: SlaResolver) -> None:
        self.draft, self.resolver = draft, resolver
        self._draft_calendars: dict[int, BusinessCalendar] = {}  # by id() of the saved calendar it replaces
        self.current: SlaPolicy | None = None
        self.proposed: SlaPolicy | None = None
        self.changed: frozenset[Severity] = frozenset()
        self.calendar_changed = False
        if isinstance(draft, CalendarDraft):
            saved = calendar(draft.calendar_id, "UTC", "")
            same_week = dict(saved.weekly_hours) == dict(check_weekly_hours(draft.weekly_hours))
            same_dates = draft.date_hours is None or dict(draft.date_hours) == dict(saved.date_hours)
            self.calendar_changed = not (same_week and same_dates)  # unchanged: every verdict is evaluated once
        else:
            current = policy_revisions(draft.policy_id).policies[-1]
            self.current = current
            self.proposed = SlaPolicy(current.name, current.version + 1, draft.targets, draft.at_risk_fraction)
            # the at-risk share never changes a verdict: only severities with other targets are evaluated twice
            self.changed = frozenset(s for s in Severity if draft.targets[s] != current.targets.get(s))

    def now(self, customer_id: int, opened: datetime) -> tuple[SlaPolicy, BusinessCalendar]:
        return self.current or self.resolver.policy(customer_id, opened), self.resolver.calendar(customer_id)

    def under_draft(
        self, severity: Severity, now: tuple[SlaPolicy, BusinessCalendar]
    ) -> tuple[SlaPolicy, BusinessCalendar] | None:
        """The draft's rules for the ticket, or None when they give the same verdict as ``now``."""
        policy, calendar = now
        if self.proposed is not None:
            return (self.proposed, calendar) if severity in self.changed else None
        if not self.calendar_changed or policy.target(severity).clock is ClockKind.TWENTY_FOUR_SEVEN:
            return None  # a 24×7 clock reads only the customer's zone, which no calendar draft changes
        return policy, self._calendar(calendar)

    def _calendar(self, saved: BusinessCalendar) -> BusinessCalendar:
        """The draft of a saved calendar, one per zone and country like the saved ones (each caches its years)."""
        found = self._draft_calendars.get(id(saved))
        if found is None:
            assert isinstance(self.draft, CalendarDraft)
            dated = saved.date_hours if self.draft.date_hours is None else self.draft.date_hours
            found = replace(saved, weekly_hours=self.draft.weekly_hours, date_hours=dated)
            self._draft_calendars[id(saved)] = found
        return found


def _verdict(sla: SlaEvaluation) -> Verdict:
    met = False if sla.first_response_state is SlaState.BREACHED else sla.first_response_met
    return Verdict(sla.first_response_due, met, sla.missed_updates, sla.first_response_at)


def _affected(draft: Draft) -> tuple[list[int], int]:
    """The ids of the customers on the draft's policy or calendar, and how many customers are not."""
    column = t.Customer.sla_policy if isinstance(draft, PolicyDraft) else t.Customer.calendar
    wanted = draft.policy_id if isinstance(draft, PolicyDraft) else draft.calendar_id
    ids, others = [], 0
    for cid, owner in tuples(t.Customer.select(t.Customer.id, column)):
        if owner == wanted:
            ids.append(int(cid))
        else:
            others += 1
    return ids, others


def _draft_changes(draft: Draft, rules: _Rules) -> str:
    """What the draft changes against the rules in force, the way the policy or the hours say it."""
    if isinstance(draft, PolicyDraft):
        assert rules.current is not None
        parts = []
        for severity, new in sorted(draft.targets.items()):
            old = rules.current.targets.get(severity)
            if old is None or old == new:
                continue
            for label, a, b in (("first response", old.first_response, new.first_response),
                                ("updates every", old.update_cadence, new.update_cadence)):  # fmt: skip
                if a != b or old.clock is not new.clock:
                    parts.append(f"Sev{int(severity)} {label} {_target(a, old.clock)} → {_target(b, new.clock)}")
        if draft.at_risk_fraction != rules.current.at_risk_fraction:
            parts.append(f"at risk {rules.current.at_risk_fraction:.0%} → {draft.at_risk_fraction:.0%}")
        return "; ".join(parts) or "No change to the targets"
    saved = calendar(draft.calendar_id, "UTC", "")
    parts = []
    if dict(saved.weekly_hours) != dict(check_weekly_hours(draft.weekly_hours)):
        parts.append(f"Weekly hours {describe_hours(saved.weekly_hours)} → {describe_hours(draft.weekly_hours)}")
    if draft.date_hours is not None and dict(draft.date_hours) != dict(saved.date_hours):
        parts.append("date-specific hours as typed")
    return "; ".join(parts) or "No change to the hours"


def _target(duration: timedelta, clock: ClockKind) -> str:
    text = format_duration(duration, clock is ClockKind.BUSINESS_HOURS)
    return text if clock is ClockKind.BUSINESS_HOURS else f"{text} (24×7)"


def _describe(draft: Draft, rules: _Rules) -> tuple[str, str, str]:
    """What the draft changes, the rules now and the draft rules, in words."""
    if isinstance(draft, PolicyDraft):
        assert rules.current is not None
        return f"SLA policy {rules.current.name}", rules.current.label, f"{rules.current.name} draft"
    row = t.BusinessCalendar.get_or_none(t.BusinessCalendar.id == draft.calendar_id)
    if row is None:
        raise NotFound(f"Calendar #{draft.calendar_id} no longer exists.")
    return f"Business hours of {row.name}", "hours as saved", "draft hours"


def compare(
    draft: Draft,
    now: datetime,
    *,
    tz: tzinfo = UTC,
    start: date | None = None,
    end: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> WhatIf:
    """Past compliance of the tickets opened from ``start`` to before ``end`` (days in ``tz``; default the last
    12 months) as of ``now``, under the rules in force and under ``draft``. Nothing is saved.

    Raises:
        FieldError: the draft could not be saved (see :func:`check_draft`). NotFound: its policy or calendar is
            gone. ReportCancelled: ``cancelled`` returned True.
    """
    check_draft(draft)
    if start is None or end is None:
        first, last = default_period(now, tz)
        start, end = start or first, end or last
    resolver = SlaResolver()
    rules = _Rules(draft, resolver)
    subject, now_rules, draft_rules = _describe(draft, rules)
    customers, others = _affected(draft)
    scope = ReportScope(tz=tz, start=start, end=end)
    cells: dict[tuple[str, Severity], ComparisonLine] = {}
    changes: list[VerdictChange] = []
    if customers:
        with _collector_paused():
            _evaluate_all(scope, frozenset(customers), now, rules, cells, changes, _Phase(progress, cancelled))
    found = _result(draft, subject, now_rules, draft_rules, scope, now, len(customers), others, cells, changes)
    return replace(found, draft_changes=_draft_changes(draft, rules))


_TICKETS = """
SELECT t.id, t.number, t.customer_id, c.name, t.subject, t.severity, t.opened_at
FROM ticket t JOIN customer c ON c.id = t.customer_id
"""
_CHUNK = 5000


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the tickets are evaluated, and restore it however the block ends.

    The histories allocate some 600,000 small tuples, and the collector's passes over them took a tenth of the time
    at 100,000 tickets; nothing here makes reference cycles, so reference counting frees it all the same.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _tickets(scope: ReportScope, customers: frozenset[int]) -> list[tuple]:
    """The tickets opened in the period by customers in ``customers``, in id order.

    Read in one query on the period alone and sifted here: a long ``IN`` list of customers made the database sort
    the period's tickets again for every chunk (3 s of 6 at 100,000 tickets).
    """
    clauses, params = _ticket_where(ReportScope(tz=scope.tz, start=scope.start, end=scope.end))
    sql = f"{_TICKETS}{' WHERE ' + ' AND '.join(clauses) if clauses else ''} ORDER BY t.id"
    return [row for row in database.execute_sql(sql, params) if row[2] in customers]


def _events(first: int, last: int, wanted: Mapping[int, object]) -> dict[int, list[TicketEvent]]:
    """The events of the tickets in ``wanted`` whose ids run from ``first`` to ``last``: one index range scan."""
    p = database.obj.param
    kinds = {k.value: k for k in TicketEventKind}
    fromts = datetime.fromtimestamp
    found: dict[int, list[TicketEvent]] = {}
    sql = f"SELECT ticket_id, at, kind FROM ticket_event WHERE ticket_id >= {p} AND ticket_id <= {p}"
    for tid, at, kind in database.execute_sql(sql, [first, last]):
        if tid in wanted:
            found.setdefault(tid, []).append(TicketEvent(fromts(at, UTC), kinds[kind]))
    return found


def _evaluate_all(
    scope: ReportScope,
    customers: frozenset[int],
    now: datetime,
    rules: _Rules,
    cells: dict[tuple[str, Severity], ComparisonLine],
    changes: list[VerdictChange],
    phase: _Phase,
) -> None:
    """Evaluate every ticket of the period under both rule sets a chunk at a time, adding to ``cells``/``changes``.

    Each history is built once; a ticket the draft cannot change is evaluated once and counted on both sides.
    """
    tickets = _tickets(scope, customers)
    total = len(tickets)
    phase.tick(0, total)
    severities = {int(s): s for s in Severity}
    fromts, tz = datetime.fromtimestamp, scope.tz
    empty: Sequence[TicketEvent] = ()
    dated = severity_changes_for()  # a ticket whose severity changed is measured by each severity in turn
    for offset in range(0, total, _CHUNK):
        chunk = tickets[offset : offset + _CHUNK]
        events = _events(chunk[0][0], chunk[-1][0], {row[0]: None for row in chunk})
        for tid, number, cid, customer, subject, severity_value, opened_at in chunk:
            opened = fromts(opened_at, UTC)
            severity = severities[severity_value]
            steps = dated.get(tid, ())
            history = ticket_history(opened, severity, events.get(tid, empty), steps)
            at = now if now > opened else opened
            current = rules.now(cid, opened)
            before = _verdict(evaluate(history, *current, at))
            under = rules.under_draft(severity, current)
            for change in steps if under is None else ():  # the draft may touch a severity it had before
                under = rules.under_draft(change.before, current) or rules.under_draft(change.after, current)
                if under is not None:
                    break
            after = before if under is None else _verdict(evaluate(history, *under, at))
            month = f"{opened.astimezone(tz):%Y-%m}"
            line = cells.get((month, severity))
            if line is None:
                line = cells[(month, severity)] = ComparisonLine(month, severity)
            line.tickets += 1
            line.now.add(before)
            line.draft.add(after)
            if before.met != after.met or before.missed != after.missed:
                line.changed += 1
                changes.append(VerdictChange(number, customer, subject, severity, opened, before, after))
        phase.tick(offset + len(chunk), total)


def _result(
    draft: Draft,
    subject: str,
    now_rules: str,
    draft_rules: str,
    scope: ReportScope,
    now: datetime,
    customers: int,
    others: int,
    cells: dict[tuple[str, Severity], ComparisonLine],
    changes: list[VerdictChange],
) -> WhatIf:
    """The comparison from the month × severity cells: lines in order, per-severity and overall totals, notes."""
    lines = [cells[key] for key in sorted(cells)]
    by_severity: dict[Severity, ComparisonLine] = {}
    total = ComparisonLine("Total", None)
    for line in lines:
        severity = line.severity
        assert severity is not None  # the cells are per month and severity
        by_severity.setdefault(severity, ComparisonLine("Total", severity)).merge(line)
        total.merge(line)
    changes.sort(key=lambda c: (c.opened, c.number))
    return WhatIf(
        subject, now_rules, draft_rules, scope, now, customers, others, lines,
        [by_severity[s] for s in sorted(by_severity)], total, changes, _notes(draft, customers, others),
    )  # fmt: skip


def _notes(draft: Draft, customers: int, others: int) -> tuple[str, ...]:
    """What the figures cover and how each side was measured, for the dialog and the workbook."""
    what = "policy" if isinstance(draft, PolicyDraft) else "calendar"
    notes = [
        f"{_count(customers, 'customer')} on this {what}"
        + (f"; the {_count(others, 'other customer')} are not affected by the draft and are left out." if others
           else ".")
    ]  # fmt: skip
    if isinstance(draft, PolicyDraft):
        notes.append(
            "Both sides apply one revision to every ticket of the period: now the revision in force, draft the "
            "targets typed. The SLA report measures each ticket against the revision in force when it was opened."
        )
    else:
        notes.append("Each ticket is measured against its policy revision, with the hours as saved and as typed.")
    notes.append("Nothing is saved by comparing.")
    return tuple(notes)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


__all__ = [
    "CalendarDraft",
    "ComparisonLine",
    "Compliance",
    "Draft",
    "PolicyDraft",
    "ReportCancelled",
    "Verdict",
    "VerdictChange",
    "WhatIf",
    "check_draft",
    "compare",
    "default_period",
]

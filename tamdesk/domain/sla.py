"""SLA clocks of a ticket, recomputed from its history and the policy and calendar in force (DESIGN §2).

Semantics, including the choices DESIGN leaves open:

- A severity's clock is 24×7 or the customer's business hours (``SeverityTarget.clock``); all durations below are
  measured on that clock, all instants are UTC.
- First response: due ``first_response`` of clock time after *opened*; never pauses. Met when the first ``response``
  is at or before the due instant. A ticket solved before any response stops this clock: on time it is ``SOLVED``
  (nothing was owed, ``met`` is None), after the due instant it is ``MISSED``. A reopen makes it pending again.
- Update clock: starts at the first response; every later ``response`` and every ``reopened`` resets it. Deadline *k*
  of a reset falls when the clock has run *k* cadences since that reset, not counting time waiting on the customer.
  A deadline is missed when it passes before the next reset or solve: a response or solve at the deadline instant is
  in time, a pause starting at it does not save it. Deadlines passed while the ticket is still open count already.
- Waiting on the customer runs from ``waiting_on_customer`` to the next ``customer_replied``, ``response`` or
  ``reopened``: a support response takes the ticket back into support's court. Events at the same instant apply in
  the order reopened, customer_replied, response, waiting_on_customer, solved, so a reply sent together with a
  "waiting on customer" or "solved" status change counts as the reply first.
- ``solved`` stops the update clock and ends waiting; a response while solved does not restart it (it can still be
  the first response); ``reopened`` restarts it as a reset.
- At risk: once ``at_risk_fraction`` of the target has run on the clock and the due instant has not passed.
- Remaining times are wall time to the due instant (negative once past it); events after ``now`` are ignored, so a
  report can evaluate "as of" a past instant.

Severity changes (``TicketHistory.severity_changes``: dated, each from one severity to another; a ticket without
any is evaluated exactly as above with ``severity``). A *raise* makes the ticket more severe (Sev3 to Sev1), a
*lowering* less. A change at the same instant as events applies after them (a reply sent with the change counts
under the old severity); changes after ``now`` are ignored like events.

- First response, while not yet given at the change: the new severity's target is re-applied from *opened*, as
  Zendesk re-applies an SLA target when a ticket's priority changes (the customer has been waiting since the
  ticket was opened, whatever it was filed as). Bounded both ways: a raise takes the earlier of the pending due
  and the re-applied one (a raise never makes it later, and may breach at once when the new target has already
  run out: that is what an exemption is for); a lowering takes the later of the two (never earlier). A due that
  had already passed at the change stays as it was: a lowering never revives a breach, and a raise does not
  deepen one. A change after the first response (or a solve without one) leaves it alone.
- Update cadence, while the update clock has started and the ticket is not solved: the change is a reset of the
  update clock to the new severity's cadence and clock, from the instant of the change (a rhythm going forward,
  unlike the first response's promise, is not applied backwards: re-applying Sev1's 2 hours from a Sev3 reply two
  days old would make the raise itself a missed update). Deadlines passed before the change stay missed, and so
  does one falling at the change instant (a change is no reply, and a reply at that instant already counted). A
  raise never makes the next update later: when the old severity's next deadline (counted as if the clock ran on
  from the change) falls before one new cadence from the change, that deadline stands and the new cadence counts
  on from it. Waiting on the customer at the change stays waiting. A lowering gives the new cadence in full.
- Both bounds hold for a policy whose targets do not grow as the severity rises (the standard one): then a raise
  never makes the first response or the next pending update due later, nor leaves fewer missed updates.
- The severity in force at ``now`` decides the clock an at-risk first response is measured on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from tamdesk.domain.calendar import (
    BUSINESS_DAY,
    MONTH_NAMES,
    WEEKDAY_NAMES,
    BusinessCalendar,
    Clock,
    TwentyFourSeven,
    to_utc,
)
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import ClockKind, TicketEventKind

_ZERO = timedelta(0)


class SlaState(StrEnum):
    """Where one SLA clock (or a ticket's next deadline) stands."""

    OK = "ok"  # running, less than the at-risk fraction used
    AT_RISK = "at_risk"  # running, at-risk fraction used, not yet due
    BREACHED = "breached"  # running and past its due instant
    MET = "met"  # first response came at or before its due instant
    MISSED = "missed"  # first response came late (or the ticket was solved late without one)
    PAUSED = "paused"  # update clock paused: waiting on the customer
    SOLVED = "solved"  # clock stopped because the ticket is solved
    NOT_STARTED = "not_started"  # update clock waits for the first response

    @property
    def label(self) -> str:
        """Human label: ``at_risk`` -> ``At risk``."""
        return "OK" if self is SlaState.OK else self.value.replace("_", " ").capitalize()

    @property
    def needs_attention(self) -> bool:
        """True for a running clock that is at risk or breached."""
        return self in (SlaState.AT_RISK, SlaState.BREACHED)


@dataclass(frozen=True, slots=True)
class SeverityTarget:
    """The targets of one severity: first response, customer-update cadence and which clock counts."""

    first_response: timedelta
    update_cadence: timedelta
    clock: ClockKind

    def __post_init__(self) -> None:
        if self.first_response <= _ZERO or self.update_cadence <= _ZERO:
            raise ValueError("SLA targets must be positive durations")


@dataclass(frozen=True)
class SlaPolicy:
    """A named, versioned set of targets per severity; reports name the version they applied."""

    name: str
    version: int
    targets: Mapping[Severity, SeverityTarget]
    at_risk_fraction: float = 0.75

    def __post_init__(self) -> None:
        if not 0 < self.at_risk_fraction <= 1:
            raise ValueError(f"The at-risk fraction must be above 0 and at most 1, not {self.at_risk_fraction}")
        object.__setattr__(self, "targets", MappingProxyType(dict(self.targets)))

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    @property
    def label(self) -> str:
        """E.g. ``Standard v1``."""
        return f"{self.name} v{self.version}"

    def target(self, severity: Severity) -> SeverityTarget:
        """The targets for ``severity``.

        Raises:
            ValueError: when the policy has none for it.
        """
        try:
            return self.targets[severity]
        except KeyError:
            raise ValueError(f"SLA policy {self.label} has no targets for {severity.label}") from None

    @classmethod
    def standard(cls, version: int = 1) -> SlaPolicy:
        """DESIGN §2's "Standard" policy."""
        hours = timedelta(hours=1)
        business = ClockKind.BUSINESS_HOURS
        targets = {
            Severity.URGENT: SeverityTarget(1 * hours, 2 * hours, ClockKind.TWENTY_FOUR_SEVEN),
            Severity.HIGH: SeverityTarget(2 * hours, BUSINESS_DAY, business),
            Severity.NORMAL: SeverityTarget(BUSINESS_DAY, 3 * BUSINESS_DAY, business),
            Severity.LOW: SeverityTarget(2 * BUSINESS_DAY, 5 * BUSINESS_DAY, business),
        }
        return cls("Standard", version, targets)


class SeverityChange(NamedTuple):
    """A dated change of a ticket's severity."""

    at: datetime
    before: Severity
    after: Severity

    @property
    def raised(self) -> bool:
        """True for a change to a more severe level (Sev3 to Sev1)."""
        return self.after < self.before


class TicketEvent(NamedTuple):
    """One event of a ticket's history (a named tuple: cheap to build, and 100,000 tickets hold ~500,000 events)."""

    at: datetime
    kind: TicketEventKind


_SAME_INSTANT_ORDER = {
    TicketEventKind.REOPENED: 0,
    TicketEventKind.CUSTOMER_REPLIED: 1,
    TicketEventKind.RESPONSE: 2,
    TicketEventKind.WAITING_ON_CUSTOMER: 3,
    TicketEventKind.SOLVED: 4,
}


def _event_key(event: TicketEvent) -> tuple[datetime, int]:
    return event.at, _SAME_INSTANT_ORDER[event.kind]


def _normalized(event: TicketEvent) -> TicketEvent:
    """The event with a UTC time and an enum kind (raising ValueError for a naive time or an unknown kind)."""
    if event.at.tzinfo is UTC and type(event.kind) is TicketEventKind:
        return event
    kind = cast(TicketEventKind, TicketEventKind.parse(event.kind))
    return TicketEvent(to_utc(event.at), kind)


@dataclass(frozen=True, slots=True)
class TicketHistory:
    """What SLA state is computed from: when a ticket opened, its severity and its events.

    Events are stored in UTC, sorted by time and, at one instant, in the order the module docstring gives.
    ``severity`` is the ticket's severity now; ``severity_changes`` (sorted, UTC) say when it changed, the first
    change's ``before`` being the severity it was opened with.

    Raises:
        ValueError: for a naive timestamp, an event or severity change before the ticket was opened, or severity
            changes that do not follow on from one another.
    """

    opened: datetime
    severity: Severity
    events: Sequence[TicketEvent] = ()
    severity_changes: Sequence[SeverityChange] = ()

    def __post_init__(self) -> None:
        opened = to_utc(self.opened)
        events = [_normalized(event) for event in self.events]
        events.sort(key=_event_key)
        if events and events[0].at < opened:
            early = events[0]
            raise ValueError(
                f"Ticket event '{early.kind.label}' at {early.at:%Y-%m-%d %H:%M} UTC is before the ticket "
                f"was opened ({opened:%Y-%m-%d %H:%M} UTC)"
            )
        object.__setattr__(self, "opened", opened)
        object.__setattr__(self, "events", tuple(events))
        if self.severity_changes:
            object.__setattr__(self, "severity_changes", _checked_changes(opened, self.severity_changes))

    @property
    def opening_severity(self) -> Severity:
        """The severity the ticket was opened with."""
        return self.severity_changes[0].before if self.severity_changes else self.severity

    def changes_until(self, now: datetime) -> tuple[SeverityChange, ...]:
        """The severity changes at or before ``now``."""
        return tuple(change for change in self.severity_changes if change.at <= now)

    def severity_at(self, moment: datetime) -> Severity:
        """The severity in force at ``moment`` (a change applies from its instant on)."""
        changes = self.changes_until(to_utc(moment))
        return changes[-1].after if changes else self.opening_severity


def _checked_changes(opened: datetime, changes: Sequence[SeverityChange]) -> tuple[SeverityChange, ...]:
    """The changes in UTC and in time order, each following on from the one before."""
    ordered = sorted(
        (SeverityChange(to_utc(c.at), Severity(c.before), Severity(c.after)) for c in changes), key=lambda c: c.at
    )
    for previous, change in zip([None, *ordered], ordered, strict=False):
        when = f"{change.at:%Y-%m-%d %H:%M} UTC"
        if change.at < opened:
            raise ValueError(
                f"Severity change to {change.after.label} at {when} is before the ticket was opened "
                f"({opened:%Y-%m-%d %H:%M} UTC)"
            )
        if change.before is change.after:
            raise ValueError(f"Severity change at {when} does not change the severity ({change.after.label})")
        if previous is not None and previous.after is not change.before:
            raise ValueError(
                f"Severity change at {when} starts from {change.before.label}, but the ticket was "
                f"{previous.after.label} then"
            )
    return tuple(ordered)


class UpdateBasis(NamedTuple):
    """What a running update clock's deadline counts from: the last reset and the waits on the customer since."""

    since: datetime  # the last response, reopening or severity change
    reopened: bool  # whether ``since`` is a reopening
    paused: timedelta  # wall time waiting on the customer between ``since`` and the deadline


@dataclass(frozen=True, slots=True)
class SlaEvaluation:
    """A ticket's SLA position at one instant; every time is UTC. Derived figures are properties.

    Attributes:
        opened: when the ticket was opened.
        now: the instant evaluated at.
        first_response_due: when the first response is due.
        first_response_at: the first response, or None.
        first_response_state: OK, AT_RISK or BREACHED while pending; MET, MISSED or SOLVED once decided.
        next_update_due: the first deadline since the last reset; None unless the update clock is running.
        update_state: OK, AT_RISK, BREACHED, PAUSED, SOLVED or NOT_STARTED.
        missed_updates: update deadlines passed without a response over the ticket's whole life.
        paused: waiting on the customer now.
        resolved_at: when the ticket was solved, if it is solved now.
        update_basis: what ``next_update_due`` counts from; None when it is None.
        update_change: the severity change ``update_basis`` counts from, when its last reset is one.
    """

    opened: datetime
    now: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    first_response_state: SlaState
    next_update_due: datetime | None
    update_state: SlaState
    missed_updates: int
    paused: bool
    resolved_at: datetime | None
    update_basis: UpdateBasis | None = None
    update_change: UpdateChange | None = None

    @property
    def first_response_met(self) -> bool | None:
        """True or False once decided; None while pending, or when solved in time without a response."""
        state = self.first_response_state
        return True if state is SlaState.MET else False if state is SlaState.MISSED else None

    @property
    def first_response_remaining(self) -> timedelta:
        """Due minus the first response (or the solve, or now): negative when late or breached."""
        return self.first_response_due - (self.first_response_at or self.resolved_at or self.now)

    @property
    def first_response_late_by(self) -> timedelta | None:
        """How late the first response (or a late solve without one) came; None unless missed."""
        return -self.first_response_remaining if self.first_response_state is SlaState.MISSED else None

    @property
    def update_remaining(self) -> timedelta | None:
        """Time to ``next_update_due`` (negative when overdue); None unless the update clock is running."""
        return None if self.next_update_due is None else self.next_update_due - self.now

    @property
    def time_to_resolve(self) -> timedelta | None:
        """Wall time from opened to ``resolved_at``."""
        return None if self.resolved_at is None else self.resolved_at - self.opened

    @property
    def deadline(self) -> datetime | None:
        """The ticket's next SLA deadline: the first response while pending, else the next update; None if none."""
        if self.resolved_at is not None:
            return None
        return self.first_response_due if self.first_response_at is None else self.next_update_due

    @property
    def state(self) -> SlaState:
        """The state that goes with ``deadline`` (SOLVED or PAUSED when there is none)."""
        if self.resolved_at is not None:
            return SlaState.SOLVED
        return self.first_response_state if self.first_response_at is None else self.update_state


class _Deadline(NamedTuple):
    """An instant given as "``after`` of clock time from ``start``", worked out only when it is needed."""

    start: datetime
    after: timedelta


class _Replayed(NamedTuple):
    """The ticket's status and update clock after replaying its events up to ``now`` (a tuple: built per ticket)."""

    clock: Clock
    cadence: timedelta
    first_response_at: datetime | None
    solved_at: datetime | None
    waiting: bool
    run: timedelta  # update-clock time run since the last reset
    first_deadline: _Deadline | None  # the first deadline since the last reset, once the clock reached it
    passed_now: int  # deadlines passed since the last reset
    missed: int  # deadlines passed without a response over the ticket's life, including `passed_now`


def _replay(history: TicketHistory, clock: Clock, cadence: timedelta, now: datetime) -> _Replayed:
    """Replay the events up to ``now`` in order, by the rules of the module docstring.

    The update clock runs while a response has been given, the ticket is not solved and not waiting on the customer.
    One flat loop over locals, since it runs for every ticket of every list and report.
    """
    first_response_at: datetime | None = None
    solved_at: datetime | None = None
    first_deadline: _Deadline | None = None
    waiting = False
    run, missed, mark = _ZERO, 0, history.opened
    elapsed = clock.elapsed
    last_start, last_span = mark, _ZERO  # the last stretch of running: where the run reached its current value
    for at, kind in history.events:
        if at > now:
            break
        if first_response_at is not None and solved_at is None and not waiting and (span := elapsed(mark, at)):
            if run < cadence <= run + span:
                first_deadline = _Deadline(mark, cadence - run)
            run += span
            last_start, last_span = mark, span
        mark = at
        if kind is TicketEventKind.WAITING_ON_CUSTOMER:
            waiting = solved_at is None
        elif kind is TicketEventKind.CUSTOMER_REPLIED:
            waiting = False
        elif kind is not TicketEventKind.SOLVED or solved_at is None:  # a reset: a response, reopen or solve
            if run >= cadence:
                missed += _passed(clock, cadence, run, last_start, last_span, at)
            run, first_deadline, waiting = _ZERO, None, False
            if kind is TicketEventKind.RESPONSE:
                first_response_at = first_response_at or at
            else:
                solved_at = at if kind is TicketEventKind.SOLVED else None
    if first_response_at is not None and solved_at is None and not waiting and (span := elapsed(mark, now)):
        if run < cadence <= run + span:
            first_deadline = _Deadline(mark, cadence - run)
        run += span
        last_start, last_span = mark, span
    passed_now = _passed(clock, cadence, run, last_start, last_span, now) if run >= cadence else 0
    missed += passed_now
    return _Replayed(clock, cadence, first_response_at, solved_at, waiting, run, first_deadline, passed_now, missed)


def _passed(
    clock: Clock, cadence: timedelta, run: timedelta, last_start: datetime, last_span: timedelta, end: datetime
) -> int:
    """How many deadlines passed before ``end``, for a clock that has run ``run`` since its reset.

    ``last_span`` of clock time from ``last_start`` is the stretch in which the run reached its present value.
    """
    count = run // cadence
    if not run % cadence and clock.add(last_start, last_span) >= end:
        count -= 1  # the last deadline falls exactly at `end`: a response then is in time
    return count


def clock_for(kind: ClockKind, calendar: BusinessCalendar) -> Clock:
    """The clock a target counts on: the customer's business hours, or 24×7 in the customer's zone."""
    return calendar if kind is ClockKind.BUSINESS_HOURS else _round_the_clock(calendar.zone)


@lru_cache(maxsize=256)
def _round_the_clock(zone: str) -> TwentyFourSeven:
    return TwentyFourSeven(zone)


def cadence_deadline(clock: Clock, since: datetime, cadence: timedelta) -> datetime:
    """When the next update is due: ``cadence`` of clock time after ``since`` (e.g. a defect's last update)."""
    return clock.add(since, cadence)


def deadline_state(
    clock: Clock, since: datetime, target: timedelta, now: datetime, at_risk_fraction: float = 0.75
) -> SlaState:
    """OK, AT_RISK or BREACHED for a running clock that started at ``since`` with ``target`` to go."""
    if clock.add(since, target) < to_utc(now):
        return SlaState.BREACHED
    if clock.elapsed(since, now) >= target * at_risk_fraction:
        return SlaState.AT_RISK
    return SlaState.OK


def evaluate(history: TicketHistory, policy: SlaPolicy, calendar: BusinessCalendar, now: datetime) -> SlaEvaluation:
    """Recompute a ticket's SLA position at ``now`` from its history, the policy and the customer's calendar.

    Raises:
        ValueError: when ``now`` is naive or before the ticket was opened, or the policy lacks the severity.
    """
    now = to_utc(now)
    opened = history.opened
    if now < opened:
        raise ValueError(
            f"Cannot evaluate a ticket at {now:%Y-%m-%d %H:%M} UTC, before it was opened ({opened:%Y-%m-%d %H:%M} UTC)"
        )
    changes = history.changes_until(now) if history.severity_changes else ()
    if changes:
        return _evaluate_changed(history, changes, policy, calendar, now)
    target = policy.target(history.opening_severity)
    clock = clock_for(target.clock, calendar)
    fraction = policy.at_risk_fraction
    replay = _replay(history, clock, target.update_cadence, now)
    first_due, first_state = _first_response(opened, replay, target.first_response, fraction, now)
    update_due, update_state = _update_position(replay, fraction, now)
    return SlaEvaluation(
        opened,
        now,
        first_due,
        replay.first_response_at,
        first_state,
        update_due,
        update_state,
        replay.missed,
        replay.waiting,
        replay.solved_at,
        None if update_due is None else _update_basis(history.events, update_due, now),
    )


_RESETS = frozenset({TicketEventKind.RESPONSE, TicketEventKind.REOPENED})


def _update_basis(
    events: Sequence[TicketEvent], due: datetime, now: datetime, change: UpdateChange | None = None
) -> UpdateBasis:
    """The basis of a running update clock's ``due`` as ``_replay`` counted it, for the tickets whose clock runs.

    While the clock runs, the last response or reopening up to ``now`` is its last reset (a response while solved
    comes before the reopening that ended the solve), and only waits and customer replies follow it; a wait from
    the due instant on does not move the due. A severity change after that reset is the reset instead (``change``).
    """
    if change is not None:
        return _change_basis(events, due, now, change)
    last = len(events) - 1
    while events[last].at > now or events[last].kind not in _RESETS:
        last -= 1
    paused, waiting_since = _ZERO, None
    for at, kind in events[last + 1 :]:
        if at >= due or at > now:
            break
        if kind is TicketEventKind.WAITING_ON_CUSTOMER:
            waiting_since = waiting_since or at
        elif kind is TicketEventKind.CUSTOMER_REPLIED and waiting_since is not None:
            paused += at - waiting_since
            waiting_since = None
    reset = events[last]
    return UpdateBasis(reset.at, reset.kind is TicketEventKind.REOPENED, paused)


def _change_basis(events: Sequence[TicketEvent], due: datetime, now: datetime, basis: UpdateChange) -> UpdateBasis:
    """``_update_basis`` when the last reset is a severity change (events at its instant came before it)."""
    since = basis.change.at
    paused, waiting_since = _ZERO, since if basis.waiting else None
    for at, kind in events:
        if at <= since:
            continue
        if at >= due or at > now:
            break
        if kind is TicketEventKind.WAITING_ON_CUSTOMER:
            waiting_since = waiting_since or at
        elif kind is TicketEventKind.CUSTOMER_REPLIED and waiting_since is not None:
            paused += at - waiting_since
            waiting_since = None
    return UpdateBasis(since, False, paused)


def _first_response(
    opened: datetime, replay: _Replayed, target: timedelta, fraction: float, now: datetime
) -> tuple[datetime, SlaState]:
    """The first response's due instant and state."""
    due = replay.clock.add(opened, target)
    stop = replay.first_response_at or replay.solved_at
    if stop is not None:
        if stop > due:
            return due, SlaState.MISSED
        return due, SlaState.SOLVED if replay.first_response_at is None else SlaState.MET
    if due < now:
        return due, SlaState.BREACHED
    if replay.clock.elapsed(opened, now) >= target * fraction:
        return due, SlaState.AT_RISK
    return due, SlaState.OK


def _update_position(replay: _Replayed, fraction: float, now: datetime) -> tuple[datetime | None, SlaState]:
    """The update clock's first deadline since the last reset and its state."""
    if replay.solved_at is not None:
        return None, SlaState.SOLVED
    if replay.first_response_at is None:
        return None, SlaState.NOT_STARTED
    if replay.waiting:
        return None, SlaState.PAUSED
    if replay.first_deadline is None:
        due = replay.clock.add(now, replay.cadence - replay.run)
    else:
        due = replay.clock.add(*replay.first_deadline)
    if replay.passed_now:
        return due, SlaState.BREACHED
    if replay.run >= replay.cadence * fraction:
        return due, SlaState.AT_RISK
    return due, SlaState.OK


# -- severity changes (the module docstring's rules); a ticket without any never comes here ----------------------


class UpdateChange(NamedTuple):
    """The severity change that last reset a running update clock (``UpdateBasis.since`` is its instant)."""

    change: SeverityChange
    carried: timedelta  # new-cadence time counted as run at the change: a raise kept the earlier old deadline
    waiting: bool  # whether the ticket was waiting on the customer at the change


def _clock_and_cadence(policy: SlaPolicy, severity: Severity, calendar: BusinessCalendar) -> tuple[Clock, timedelta]:
    target = policy.target(severity)
    return clock_for(target.clock, calendar), target.update_cadence


def _evaluate_changed(
    history: TicketHistory,
    changes: Sequence[SeverityChange],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> SlaEvaluation:
    """``evaluate`` for a ticket whose severity changed at or before ``now``."""
    fraction = policy.at_risk_fraction
    replay, change_basis = _replay_changed(history, changes, policy, calendar, now)
    first_due, first_state = _first_response_changed(history, changes, replay, policy, calendar, fraction, now)
    update_due, update_state = _update_position(replay, fraction, now)
    basis = None if update_due is None else _update_basis(history.events, update_due, now, change_basis)
    return SlaEvaluation(
        history.opened,
        now,
        first_due,
        replay.first_response_at,
        first_state,
        update_due,
        update_state,
        replay.missed,
        replay.waiting,
        replay.solved_at,
        basis,
        None if basis is None else change_basis,
    )


def _replay_changed(
    history: TicketHistory,
    changes: Sequence[SeverityChange],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
    missed_at: list[datetime] | None = None,
) -> tuple[_Replayed, UpdateChange | None]:
    """``_replay`` with severity changes merged in (after the events of their instant); each change switches the
    clock and cadence, and resets a running update clock as the module docstring says.

    Slower than ``_replay``, so only tickets with changes come here, and lists that need the instants of the
    missed updates (``missed_at`` collects them, in time order; ``changes`` may then be empty).
    """
    clock, cadence = _clock_and_cadence(policy, history.opening_severity, calendar)
    crossed: list[datetime] = []  # deadlines reached since the last reset, when collecting
    items = sorted(
        [(at, _SAME_INSTANT_ORDER[kind], kind, None) for at, kind in history.events if at <= now]
        + [(change.at, len(_SAME_INSTANT_ORDER), None, change) for change in changes],
        key=lambda item: (item[0], item[1]),
    )
    first_response_at: datetime | None = None
    solved_at: datetime | None = None
    first_deadline: _Deadline | None = None
    change_basis: UpdateChange | None = None
    waiting = False
    run, missed, mark = _ZERO, 0, history.opened
    last_start, last_span = mark, _ZERO
    for at, _order, kind, change in items:
        if first_response_at is not None and solved_at is None and not waiting and (span := clock.elapsed(mark, at)):
            if run < cadence <= run + span:
                first_deadline = _Deadline(mark, cadence - run)
            if missed_at is not None:
                crossed.extend(_crossings(clock, cadence, run, span, mark))
            run += span
            last_start, last_span = mark, span
        mark = at
        if change is not None:
            new_clock, new_cadence = _clock_and_cadence(policy, change.after, calendar)
            if first_response_at is not None and solved_at is None:
                missed += run // cadence  # a change is no reply: a deadline at its instant has passed too
                if missed_at is not None:
                    missed_at.extend(crossed)
                    crossed = []
                carried = _carried(change, clock, cadence, run, new_clock, new_cadence)
                run, first_deadline, last_start, last_span = carried, None, at, _ZERO
                change_basis = UpdateChange(change, carried, waiting)
            clock, cadence = new_clock, new_cadence
        elif kind is TicketEventKind.WAITING_ON_CUSTOMER:
            waiting = solved_at is None
        elif kind is TicketEventKind.CUSTOMER_REPLIED:
            waiting = False
        elif kind is not TicketEventKind.SOLVED or solved_at is None:
            if run >= cadence:
                missed += _passed(clock, cadence, run, last_start, last_span, at)
            if missed_at is not None:
                missed_at.extend(deadline for deadline in crossed if deadline < at)
                crossed = []
            run, first_deadline, waiting, change_basis = _ZERO, None, False, None
            if kind is TicketEventKind.RESPONSE:
                first_response_at = first_response_at or at
            else:
                solved_at = at if kind is TicketEventKind.SOLVED else None
    if first_response_at is not None and solved_at is None and not waiting and (span := clock.elapsed(mark, now)):
        if run < cadence <= run + span:
            first_deadline = _Deadline(mark, cadence - run)
        if missed_at is not None:
            crossed.extend(_crossings(clock, cadence, run, span, mark))
        run += span
        last_start, last_span = mark, span
    passed_now = _passed(clock, cadence, run, last_start, last_span, now) if run >= cadence else 0
    missed += passed_now
    if missed_at is not None:
        missed_at.extend(deadline for deadline in crossed if deadline < now)
    replayed = _Replayed(clock, cadence, first_response_at, solved_at, waiting, run, first_deadline, passed_now, missed)
    return replayed, change_basis


def _crossings(clock: Clock, cadence: timedelta, run: timedelta, span: timedelta, start: datetime) -> list[datetime]:
    """The deadlines a clock at ``run`` since its reset reaches while it runs ``span`` more from ``start``."""
    found, k = [], run // cadence + 1
    while k * cadence <= run + span:
        found.append(clock.add(start, k * cadence - run))
        k += 1
    return found


def missed_update_deadlines(
    history: TicketHistory, policy: SlaPolicy, calendar: BusinessCalendar, now: datetime
) -> tuple[datetime, ...]:
    """The deadlines of the updates missed up to ``now``, in time order: one per ``missed_updates``, so a single
    missed update can be named (and excused) by its deadline."""
    now = to_utc(now)
    found: list[datetime] = []
    _replay_changed(history, history.changes_until(now), policy, calendar, now, found)
    return tuple(found)


def _carried(
    change: SeverityChange, clock: Clock, cadence: timedelta, run: timedelta, new_clock: Clock, new_cadence: timedelta
) -> timedelta:
    """The new cadence's time counted as already run at a change, so that a raise keeps an earlier old deadline.

    Zero (a fresh cadence from the change) unless the change is a raise and the old severity's next deadline,
    counted as if the clock ran on from the change, falls before one new cadence from it.
    """
    if not change.raised:
        return _ZERO
    old_due = clock.add(change.at, cadence - run % cadence)
    if old_due >= new_clock.add(change.at, new_cadence):
        return _ZERO
    return max(_ZERO, new_cadence - new_clock.elapsed(change.at, old_due))


def _first_response_changed(
    history: TicketHistory,
    changes: Sequence[SeverityChange],
    replay: _Replayed,
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    fraction: float,
    now: datetime,
) -> tuple[datetime, SlaState]:
    """The first response's due instant and state under the module docstring's severity-change rule."""
    opened = history.opened
    due = first_response_due_with_changes(
        history, changes, policy, calendar, replay.first_response_at or replay.solved_at
    )
    stop = replay.first_response_at or replay.solved_at
    if stop is not None:
        if stop > due:
            return due, SlaState.MISSED
        return due, SlaState.SOLVED if replay.first_response_at is None else SlaState.MET
    if due < now:
        return due, SlaState.BREACHED
    clock = clock_for(policy.target(changes[-1].after).clock, calendar)
    if clock.elapsed(opened, now) >= clock.elapsed(opened, due) * fraction:
        return due, SlaState.AT_RISK
    return due, SlaState.OK


def first_response_due_with_changes(
    history: TicketHistory,
    changes: Sequence[SeverityChange],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    stop: datetime | None,
) -> datetime:
    """The first response's due instant after ``changes``; only changes before ``stop`` (the first response or a
    solve without one) count, and none once the due has passed."""
    opened = history.opened
    target = policy.target(history.opening_severity)
    due = clock_for(target.clock, calendar).add(opened, target.first_response)
    for change in changes:
        if (stop is not None and change.at >= stop) or due < change.at:
            break
        target = policy.target(change.after)
        again = clock_for(target.clock, calendar).add(opened, target.first_response)
        due = min(due, again) if change.raised else max(due, again)
    return due


def describe_severities(history: TicketHistory, zone: str, now: datetime | None = None) -> str:
    """How the severity went, e.g. ``Sev1 Urgent until Mon 07 Dec 09:40 CET, then Sev3 Normal``; just the
    severity when it never changed (up to ``now``, when given)."""
    changes = history.severity_changes if now is None else history.changes_until(to_utc(now))
    if not changes:
        return history.opening_severity.label
    local = ZoneInfo(zone)
    parts = [changes[0].before.label]
    for change in changes:
        parts.append(f"until {format_local(change.at.astimezone(local))}, then {change.after.label}")
    return " ".join(parts[:1]) + " " + ", ".join(parts[1:])


def explain_deadline(clock: Clock, since: datetime, duration: timedelta) -> str:
    """Why a deadline falls when it does, e.g.

    ``due Mon 09 Mar 10:30 CET: 2 business hours from Fri 17:30, hours 09:00–18:00 Mon–Fri, Europe/Berlin``.
    """
    return _explained(clock, clock.add(since, duration), since, duration)


def _explained(
    clock: Clock,
    due: datetime,
    since: datetime,
    duration: timedelta,
    *,
    reopened: bool = False,
    paused: timedelta = _ZERO,
    starting: str = "",
) -> str:
    """``due …: <duration> from [the reopening at] <since>[, paused … while waiting on the customer], <clock>``."""
    zone = ZoneInfo(clock.zone)
    local_since, local_due = to_utc(since).astimezone(zone), due.astimezone(zone)
    with_date = local_due - local_since >= timedelta(days=6)
    starting = starting or ("the reopening at " if reopened else "")
    start = starting + format_local(local_since, with_date=with_date, with_zone=False)
    pause = f", paused {format_wall_time(paused)} while waiting on the customer" if paused else ""
    text = (
        f"due {format_local(local_due)}: {format_duration(duration, clock.business_time)} "
        f"from {start}{pause}, {clock.describe()}"
    )
    if isinstance(clock, BusinessCalendar):
        skipped = clock.holidays_between(local_since.date(), local_due.date())
        if skipped:
            text += "; skips " + ", ".join(f"{name} ({format_day(day)})" for day, name in skipped)
    return text


def explain_first_response(
    history: TicketHistory, policy: SlaPolicy, calendar: BusinessCalendar, sla: SlaEvaluation | None = None
) -> str:
    """Why the ticket's first response is due when it is (see ``explain_deadline``); after severity changes (up to
    ``sla.now`` when given), which severity's target decided it and how the severity went."""
    changes = history.severity_changes if sla is None else history.changes_until(sla.now)
    if not changes:
        target = policy.target(history.severity if sla is None else history.opening_severity)
        return explain_deadline(clock_for(target.clock, calendar), history.opened, target.first_response)
    if sla is None:
        due = first_response_due_with_changes(history, changes, policy, calendar, None)
    else:
        due = sla.first_response_due
    story = describe_severities(history, calendar.zone, changes[-1].at)
    for severity in (changes[0].before, *(change.after for change in changes)):
        target = policy.target(severity)
        clock = clock_for(target.clock, calendar)
        if clock.add(history.opened, target.first_response) == due:
            text = explain_deadline(clock, history.opened, target.first_response)
            return f"{text} ({severity.label} target; {story})"
    return f"due {format_local(due.astimezone(ZoneInfo(calendar.zone)))} ({story})"


_UPDATE_CLOCK_STOPPED = {
    SlaState.PAUSED: "Update clock paused: waiting on the customer.",
    SlaState.SOLVED: "Update clock stopped: the ticket is solved.",
    SlaState.NOT_STARTED: "Update clock starts with the first response.",
}


def explain_update(sla: SlaEvaluation, target: SeverityTarget, calendar: BusinessCalendar) -> str:
    """Why the next customer update is due when it is, from the same evaluation as its state, e.g.

    ``Next update due Tue 24 Nov 18:00 CET: 1 business day from Mon 09:00, paused 24 h while waiting on the
    customer, hours …``; or why the update clock is not running.
    """
    basis = sla.update_basis
    if sla.next_update_due is None or basis is None:
        return _UPDATE_CLOCK_STOPPED.get(sla.update_state, "")
    clock = clock_for(target.clock, calendar)
    if sla.update_change is not None:
        change, carried = sla.update_change.change, sla.update_change.carried
        starting = f"the {'raise' if change.raised else 'lowering'} to {change.after.label} at "
        text = "Next update " + _explained(
            clock, sla.next_update_due, basis.since, target.update_cadence - carried,
            starting=starting, paused=basis.paused,
        )  # fmt: skip
        if carried:
            text += f"; the {change.before.label} deadline stands (a raise never makes an update due later)"
        return text
    return "Next update " + _explained(
        clock, sla.next_update_due, basis.since, target.update_cadence, reopened=basis.reopened, paused=basis.paused
    )


def format_local(moment: datetime, *, with_date: bool = True, with_zone: bool = True) -> str:
    """E.g. ``Mon 09 Mar 10:30 CET``; English names whatever the process locale (Qt sets it from the system).

    Seconds are shown only when the time has them (``10:30:17``): a time stored with seconds, or a deadline counted
    from one, so the explanation shows why a response in the due minute was late.
    """
    text = format_day(moment) if with_date else WEEKDAY_NAMES[moment.weekday()]
    text += f" {moment.hour:02d}:{moment.minute:02d}"
    if moment.second or moment.microsecond:
        text += f":{moment.second:02d}"
    return f"{text} {moment.tzname()}" if with_zone else text


def format_day(day: date) -> str:
    """E.g. ``Fri 03 Apr``."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day:02d} {MONTH_NAMES[day.month - 1]}"


def format_wall_time(duration: timedelta) -> str:
    """Elapsed wall time: ``45 min``, ``24 h``, ``1 h 30 min``, ``3 d 2 h`` (days from 48 hours on)."""
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{days} d {hours} h" if hours else f"{days} d"
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def format_duration(duration: timedelta, business: bool) -> str:
    """E.g. ``2 business hours``, ``3 business days``, ``1 hour``, ``1 h 30 min``, ``30 min``."""
    if business and duration >= BUSINESS_DAY and not duration % BUSINESS_DAY:
        days = duration // BUSINESS_DAY
        return f"{days} business day{'s' if days != 1 else ''}"
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    kind = "business " if business else ""
    if minutes:
        text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
        return f"{text} of {kind}time" if business else text
    return f"{hours} {kind}hour{'s' if hours != 1 else ''}"

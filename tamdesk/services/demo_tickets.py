"""Sample tickets and their histories, and the few live tickets under SLA pressure at now."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from enum import Enum, auto
from typing import Any

from tamdesk.domain.calendar import Clock
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, clock_for
from tamdesk.domain.states import PersonRole, TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.services.demo_plan import BuilderBase, Customer, Seat, Sla, Ticket, ids_by, insert_all, model_fields, quota
from tamdesk.services.demo_time import BUSINESS_DAY, DAY, HOUR, MINUTE, clock_back, is_weekday
from tamdesk.services.demo_words import (
    AREAS,
    CLOSED_AFTER_DAYS,
    ERRORS,
    FEATURES,
    LATE_FIRST_RESPONSE,
    MEDIAN_WORK,
    MISSED_UPDATE,
    NOTES,
    REOPEN,
    SEVERITY_WEIGHTS,
    SUBJECTS,
    WAIT_ON_CUSTOMER,
)
from tamdesk.services.sla import SlaResolver

_RESPONSE = TicketEventKind.RESPONSE.value
_WAITING = TicketEventKind.WAITING_ON_CUSTOMER.value
_REPLIED = TicketEventKind.CUSTOMER_REPLIED.value
_SOLVED = TicketEventKind.SOLVED.value
_REOPENED = TicketEventKind.REOPENED.value


class _Pressure(Enum):
    """Where a live ticket's SLA stands at ``now``."""

    FIRST_AT_RISK = auto()
    FIRST_BREACHED = auto()
    UPDATE_AT_RISK = auto()
    UPDATE_OVERDUE = auto()
    WAITING = auto()  # update clock paused: waiting on the customer


# Live tickets take these in turn: at the default size, 5 at risk, 4 breached or overdue, 1 waiting on the customer.
_LIVE_ORDER = (
    _Pressure.FIRST_AT_RISK,
    _Pressure.FIRST_BREACHED,
    _Pressure.UPDATE_AT_RISK,
    _Pressure.UPDATE_OVERDUE,
    _Pressure.WAITING,
    _Pressure.FIRST_AT_RISK,
    _Pressure.UPDATE_OVERDUE,
    _Pressure.FIRST_BREACHED,
    _Pressure.UPDATE_AT_RISK,
    _Pressure.FIRST_AT_RISK,
    _Pressure.WAITING,
    _Pressure.FIRST_BREACHED,
)
_LIVE_SEVERITY_WEIGHTS = {3: 4, 2: 3, 4: 2, 1: 1}  # every severity once (from four tickets), then by weight
_LIVE_PER_TICKETS = 200
_LIVE_PER_TAM = 4
_LIVE_ATTEMPTS = 12  # customers tried for one live ticket before it is left out (all onboarded too recently)
_LATE = (1.15, 1.9)  # of a target: past due, but less than twice (one missed update, not two)


class TicketsPart(BuilderBase):
    """Plans and writes the tickets and their events, a chunk at a time."""

    # -- tickets -------------------------------------------------------------------------------------------------------

    def _plan_tickets(self) -> list[tuple[int, int, int, int]]:
        """(opened, customer index, severity, live history or -1) per ticket, oldest first: numbers grow with time."""
        rng = self.rng
        eligible = [c for c in self.customers if (c.active_from or self.now) < self.now - HOUR]
        if not eligible or not self.n_tickets:
            return []
        plans = self._plan_live(eligible)
        regular = self.n_tickets - len(plans)
        cumulative, total = [], 0.0
        for c in eligible:  # busier customers file more, and longer-served ones have had more time to
            total += min(rng.paretovariate(1.6), 15.0) * (self.now - (c.active_from or self.now))
            cumulative.append(total)
        picks = rng.choices(eligible, cum_weights=cumulative, k=regular)
        severities = rng.choices((1, 2, 3, 4), weights=SEVERITY_WEIGHTS, k=regular)
        plans += [(self._opened_at(c, sev), c.index, sev, -1) for c, sev in zip(picks, severities, strict=True)]
        plans.sort()
        return plans

    def _opened_at(self, c: Customer, severity: int) -> int:
        """Mostly during the customer's working hours; urgent tickets come at any time."""
        rng = self.rng
        earliest = c.active_from or self.now
        at = rng.randrange(earliest, self.now)
        if rng.random() < (0.5 if severity == 1 else 0.85):
            day = c.clock.to_local(at) // DAY
            while not is_weekday(day):
                day -= 1
            moved = c.clock.at(day, rng.randrange(8 * HOUR, 18 * HOUR + 30 * MINUTE))
            if earliest <= moved < self.now:
                at = moved
        return at

    def _ticket_chunk(self, chunk: Sequence[tuple[int, int, int, int]], first_number: int) -> None:
        rows, stories = [], []
        engineers = self.staff[PersonRole.SUPPORT_ENGINEER]
        for offset, (opened, index, severity, live) in enumerate(chunk):
            c = self.customers[index]
            number = f"SUP-{first_number + offset}"
            area = self.rng.randrange(len(AREAS))
            reporter = self._reporter(c, opened)
            engineer = self.rng.choice(engineers).name
            name = reporter.full_name if reporter else "Customer"
            if live < 0:
                events = self._story(c, severity, opened, engineer, name)
            else:
                events = self._live_story(self._live[live], severity, opened, engineer, name)
            status, resolved = self._status(events, severity)
            rows.append(
                (
                    number,
                    c.id,
                    self._subject(severity, area),
                    severity,
                    status.value,
                    opened,
                    resolved,
                    reporter.id if reporter else None,
                    engineer if events else "",
                    "",
                    1,
                )
            )
            stories.append((number, events))
            self.tickets.append(
                Ticket(0, number, c, severity, opened, resolved, status, area, reporter.full_name if reporter else "")
            )
        fields = model_fields(
            t.Ticket,
            "number, customer, subject, severity, status, opened_at, resolved_at, reporter, engineer, notes, version",
        )
        self.counts.tickets += insert_all(fields, rows)
        ids = ids_by(t.Ticket.number, [number for number, _ in stories])
        for record in self.tickets[-len(chunk) :]:
            record.id = ids[record.number]
        event_rows = [(ids[number], *event, 1) for number, events in stories for event in events]
        self.counts.ticket_events += insert_all(
            model_fields(t.TicketEvent, "ticket, at, kind, note, author, version"), event_rows
        )

    def _reporter(self, c: Customer, opened: int) -> Seat | None:
        """A seat holder with portal access when the ticket was opened."""
        holders = [
            s for s in c.seats if s.granted is not None and s.granted <= opened and (s.revoked or opened + 1) > opened
        ]
        return self.rng.choice(holders) if holders else None

    def _subject(self, severity: int, area: int) -> str:
        rng = self.rng
        text = rng.choice(SUBJECTS[severity]).format(
            area=AREAS[area],
            error=rng.choice(ERRORS),
            version=f"{rng.randint(430, 455)}-e.{rng.randint(1, 12)}",
            feature=rng.choice(FEATURES),
        )
        return text[0].upper() + text[1:]

    def _story(self, c: Customer, severity: int, opened: int, engineer: str, reporter: str) -> list[tuple[Any, ...]]:
        """The ticket's history: (at, kind, note, author) up to now, never before ``opened``, in order."""
        rng, sla = self.rng, c.slas[severity]
        events: list[tuple[Any, ...]] = []
        late = rng.random() < LATE_FIRST_RESPONSE[severity]
        at = c.clock.add(
            opened, sla.first_response * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.9)), sla.business
        )
        first_notes = NOTES["first_sev1" if severity == 1 else "first"]
        events.append((at, _RESPONSE, rng.choice(first_notes), engineer))
        long_running = severity >= 3 and opened > self.now - 90 * DAY and rng.random() < 0.04
        budget = (
            math.inf
            if long_running
            else min(rng.lognormvariate(math.log(MEDIAN_WORK[severity]), 0.8), 8 * MEDIAN_WORK[severity])
        )
        at = self._converse(events, c, sla, at, budget, engineer, reporter)
        if not long_running:
            at = self._solve(events, c, sla, at, engineer)
            if rng.random() < REOPEN:
                at = c.clock.add(at, rng.uniform(2 * HOUR, 3 * BUSINESS_DAY), True)
                events.append((at, _REOPENED, rng.choice(NOTES["reopened"]), reporter))
                at = c.clock.add(at, sla.cadence * rng.uniform(0.2, 0.9), sla.business)
                events.append((at, _RESPONSE, rng.choice(NOTES["update"]), engineer))
                at = self._converse(events, c, sla, at, sla.cadence * rng.uniform(0, 2), engineer, reporter)
                self._solve(events, c, sla, at, engineer)
        return _clean_history(events, opened, self.now)

    def _converse(
        self,
        events: list[tuple[Any, ...]],
        c: Customer,
        sla: Sla,
        at: int,
        budget: float,
        engineer: str,
        reporter: str,
    ) -> int:
        """Updates on the cadence (a few late), sometimes waiting on the customer, until ``budget`` is spent."""
        rng, spent = self.rng, 0.0
        while at <= self.now:
            missed = rng.random() < MISSED_UPDATE
            gap = sla.cadence * (rng.uniform(1.05, 1.9) if missed else rng.uniform(0.35, 0.95))
            if spent + gap >= budget:
                break
            spent += gap
            if rng.random() < WAIT_ON_CUSTOMER:
                events.append((at, _WAITING, rng.choice(NOTES["wait"]), engineer))
                reply = (
                    rng.uniform(10 * MINUTE, 3 * HOUR) if not sla.business else rng.uniform(HOUR, 1.5 * BUSINESS_DAY)
                )
                at = c.clock.add(at, reply, sla.business)
                events.append((at, _REPLIED, rng.choice(NOTES["reply"]), reporter))
                at = c.clock.add(at, sla.cadence * rng.uniform(0.1, 0.6), sla.business)
            else:
                at = c.clock.add(at, gap, sla.business)
            events.append((at, _RESPONSE, rng.choice(NOTES["update"]), engineer))
        return at

    def _solve(self, events: list[tuple[Any, ...]], c: Customer, sla: Sla, at: int, engineer: str) -> int:
        at = c.clock.add(at, sla.cadence * self.rng.uniform(0.2, 0.9), sla.business)
        events.append((at, _SOLVED, self.rng.choice(NOTES["solved"]), engineer))
        return at

    def _status(self, events: Sequence[tuple[Any, ...]], severity: int) -> tuple[TicketStatus, int | None]:
        """The status the history leads to, and when it was solved."""
        if not events:
            return TicketStatus.NEW, None
        at, kind = events[-1][0], events[-1][1]
        if kind == _SOLVED:
            closed = at < self.now - CLOSED_AFTER_DAYS * DAY
            return (TicketStatus.CLOSED if closed else TicketStatus.SOLVED), at
        if kind == _WAITING:
            return TicketStatus.WAITING_ON_CUSTOMER, None
        if severity > 1 and self.rng.random() < 0.2:
            return TicketStatus.WAITING_ON_ENGINEERING, None
        return TicketStatus.OPEN, None

    # -- live tickets: SLA pressure at now -----------------------------------------------------------------------------

    def _plan_live(self, eligible: Sequence[Customer]) -> list[tuple[int, int, int, int]]:
        """Plans of the live tickets, their histories in ``self._live``; a customer too new for one is passed over."""
        n = _live_count(self.n_tickets, len(self.staff[PersonRole.TAM]))
        if not n:
            return []
        resolver = SlaResolver()
        customers = self._live_customers(eligible)
        plans = []
        for slot, severity in enumerate(quota(self.rng, _LIVE_SEVERITY_WEIGHTS, n)):
            pressure = _LIVE_ORDER[slot % len(_LIVE_ORDER)]
            for attempt in range(min(len(customers), _LIVE_ATTEMPTS)):
                c = customers[(slot + attempt) % len(customers)]
                policy = resolver.policy(c.id)
                target = policy.target(Severity(severity))
                clock = clock_for(target.clock, resolver.calendar(c.id))
                planned = self._live_history(pressure, clock, target, policy.at_risk_fraction)
                if planned is not None and planned[0] > (c.active_from or self.now):
                    opened, events = planned
                    plans.append((opened, c.index, severity, len(self._live)))
                    self._live.append(events)
                    break
        return plans

    def _live_customers(self, eligible: Sequence[Customer]) -> list[Customer]:
        """The customers, one TAM's after another's in turn (the TAM with most first), so every TAM gets some."""
        by_tam: dict[int, list[Customer]] = {}
        for c in eligible:
            by_tam.setdefault(c.tam.id, []).append(c)
        groups = sorted(by_tam.values(), key=len, reverse=True)
        for group in groups:
            self.rng.shuffle(group)
        return [c for turn in itertools.zip_longest(*groups) for c in turn if c is not None]

    def _live_history(
        self, pressure: _Pressure, clock: Clock, target: SeverityTarget, fraction: float
    ) -> tuple[int, tuple[tuple[int, str], ...]] | None:
        """(opened, events) of a ticket in ``pressure`` at now, worked backwards on ``clock``; None if it has no hours.

        At risk is 20–80 % of the way from the at-risk fraction to the target, so it neither shows as OK nor turns
        breached in the minutes after generation.
        """
        rng = self.rng
        first = target.first_response.total_seconds()
        cadence = target.update_cadence.total_seconds()
        if pressure in (_Pressure.FIRST_AT_RISK, _Pressure.UPDATE_AT_RISK):
            share = rng.uniform(fraction + 0.2 * (1 - fraction), fraction + 0.8 * (1 - fraction))
        elif pressure is _Pressure.WAITING:
            share = rng.uniform(0.1, 0.6)
        else:
            share = rng.uniform(*_LATE)
        if pressure in (_Pressure.FIRST_AT_RISK, _Pressure.FIRST_BREACHED):
            opened = clock_back(clock, self.now, first * share)
            return None if opened is None else (opened, ())
        last = clock_back(clock, self.now, cadence * share)
        if last is None:
            return None
        events = [(last, _RESPONSE)] + ([(last, _WAITING)] if pressure is _Pressure.WAITING else [])
        for _ in range(rng.choice((0, 1, 1, 2))):  # earlier updates, each in time
            earlier = clock_back(clock, last, cadence * rng.uniform(0.4, 0.9))
            if earlier is None:
                return None
            asked = [(earlier, _WAITING), ((earlier + last) // 2, _REPLIED)] if rng.random() < 0.3 else []
            events = [(earlier, _RESPONSE), *asked, *events]
            last = earlier
        opened = clock_back(clock, last, first * rng.uniform(0.1, 0.8))
        return None if opened is None else (opened, tuple(events))

    def _live_story(
        self, history: Sequence[tuple[int, str]], severity: int, opened: int, engineer: str, reporter: str
    ) -> list[tuple[Any, ...]]:
        """A live ticket's planned history with notes and authors, as ``_story`` gives them."""
        rng = self.rng
        events: list[tuple[Any, ...]] = []
        for at, kind in history:
            if kind == _REPLIED:
                events.append((at, kind, rng.choice(NOTES["reply"]), reporter))
                continue
            if kind == _WAITING:
                notes = NOTES["wait"]
            elif events:
                notes = NOTES["update"]
            else:
                notes = NOTES["first_sev1" if severity == 1 else "first"]
            events.append((at, kind, rng.choice(notes), engineer))
        return _clean_history(events, opened, self.now)


def _clean_history(events: list[tuple[Any, ...]], opened: int, now: int) -> list[tuple[Any, ...]]:
    """Keep events up to ``now``, never before ``opened`` and never out of order (DST rounding can nudge them)."""
    kept, previous = [], opened
    for event in events:
        at = max(event[0], previous)
        if at > now:
            break
        kept.append((at, *event[1:]) if at != event[0] else event)
        previous = at
    return kept


def _live_count(tickets: int, tams: int) -> int:
    """How many live tickets: one per ``_LIVE_PER_TICKETS`` (three for a small sample), at most a few per TAM."""
    return min(max(round(tickets / _LIVE_PER_TICKETS), min(3, tickets // 10)), _LIVE_PER_TAM * tams)

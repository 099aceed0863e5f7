"""Sample escalations on the tickets, the VP rule kept on the customers' real calendars."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tamdesk.domain.states import EscalationState, PersonRole, TicketStatus
from tamdesk.domain.vp_rule import vp_due_at
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_dicts
from tamdesk.services.demo_plan import BuilderBase, Pool, Ticket, ids_by, insert_all, model_fields, quota
from tamdesk.services.demo_time import BUSINESS_DAY, DAY, HOUR, MINUTE, fit_times
from tamdesk.services.demo_words import (
    BUSINESS_IMPACTS,
    DECLINE_REASONS,
    DESIRED_OUTCOMES,
    ESCALATION_HOURS,
    ESCALATION_NOTES,
    ESCALATION_RATE,
    ESCALATION_REASONS,
    ESCALATION_SEVERITY_WEIGHT,
    ESCALATION_WEIGHTS,
    VP_NOTES,
)
from tamdesk.services.escalations import vp_limit
from tamdesk.services.sla import SlaResolver


class _VpRule:
    """The VP rule on the customers' real calendars (as the app reads them), in epoch seconds."""

    def __init__(self, resolver: SlaResolver, days: int) -> None:
        self.resolver = resolver
        self.days = days
        self.why_limit = f"approaching {days} business day{'s' if days != 1 else ''} open"

    def owed_opening(self, ticket: Ticket, now: int) -> int:
        """An opening whose limit passed an hour or a few ago (earlier across a weekend or holidays)."""
        start = now - self.days * DAY
        while self.due(ticket, start) > now - HOUR:
            start -= 6 * HOUR
        return start

    def due(self, ticket: Ticket, opened: int) -> int:
        """When an escalation opened at ``opened`` owes the VP an apprisal."""
        calendar = self.resolver.calendar(ticket.customer.id)
        return int(vp_due_at(datetime.fromtimestamp(opened, UTC), self.days, calendar).timestamp())

    def before_due(self, ticket: Ticket, opened: int, fraction: float) -> int:
        """The moment ``fraction`` of the limit's business time has run: during business hours, before it is due."""
        calendar = self.resolver.calendar(ticket.customer.id)
        run = timedelta(seconds=int(fraction * self.days * BUSINESS_DAY))
        return int(calendar.add(datetime.fromtimestamp(opened, UTC), run).timestamp())


class EscalationsPart(BuilderBase):
    """Plans and writes the escalations and their timelines."""

    def _escalations(self) -> None:
        n = round(len(self.tickets) * ESCALATION_RATE)
        weights = ESCALATION_SEVERITY_WEIGHT
        unresolved = [k for k in self.tickets if k.resolved is None and k.status is not TicketStatus.NEW]
        recent = [k for k in self.tickets if k.resolved is not None and k.resolved > self.now - 10 * DAY]
        fallback = Pool([k for k in self.tickets if k.opened < self.now - 3 * DAY] or self.tickets, weights)
        ongoing = Pool(unresolved, weights) or fallback
        pools = {
            EscalationState.REQUESTED: ongoing,
            EscalationState.ACKNOWLEDGED: ongoing,
            EscalationState.ACTION_PLAN: ongoing,
            EscalationState.MONITORING: Pool(unresolved + recent, weights) or fallback,
        }
        used: set[int] = set()
        entries: list[tuple[Any, ...]] = []
        vp = _VpRule(SlaResolver(), vp_limit().business_days)
        states = quota(self.rng, ESCALATION_WEIGHTS, n)
        if n and EscalationState.ACTION_PLAN in states:
            owing = self._escalation_owing_the_vp(unresolved, used, vp)
            if owing:  # it takes the place of one of the quota's escalations in action plan
                states.remove(EscalationState.ACTION_PLAN)
                entries.extend(owing)
        for state in states:
            ticket = pools.get(state, fallback).pick(self.rng, used)
            if ticket is not None:
                entries.extend(self._escalation(ticket, state, vp))
        insert_dicts(t.Escalation, self._escalation_rows)
        ids = ids_by(t.Escalation.ticket, [row["ticket"] for row in self._escalation_rows])
        entries = [(ids[ticket_id], *rest) for ticket_id, *rest in entries]
        fields = model_fields(t.EscalationEntry, "escalation, at, author, state, text")
        self.counts.escalation_entries = insert_all(fields, entries)

    def _escalation_owing_the_vp(
        self, unresolved: Sequence[Ticket], used: set[int], vp: _VpRule
    ) -> list[tuple[Any, ...]]:
        """One deliberate exception to the VP rule, so Today shows it at work right after generation: an escalation
        in action plan on the youngest open Sev2-4 ticket old enough, whose limit passed an hour or a few ago with
        the VP not yet apprised. None when no open ticket is old enough."""
        for ticket in sorted(unresolved, key=lambda k: (-k.opened, k.id)):
            if ticket.severity != 1 and ticket.id not in used and ticket.opened <= vp.owed_opening(ticket, self.now):
                used.add(ticket.id)
                return self._escalation(ticket, EscalationState.ACTION_PLAN, vp, owing=True)
        return []

    def _escalation(
        self, ticket: Ticket, state: EscalationState, vp: _VpRule, *, owing: bool = False
    ) -> list[tuple[Any, ...]]:
        """Write one escalation in ``state`` (``owing``: past the VP rule's limit, the VP not apprised); returns its
        timeline entries."""
        rng = self.rng
        path = _escalation_path(rng, state)
        start = ticket.opened + rng.randrange(30 * MINUTE, 36 * HOUR)
        gaps = [rng.uniform(*ESCALATION_HOURS[s]) * HOUR for s in path[1:]]
        if state.is_open:  # an open escalation moved recently, even on a ticket that has been open for weeks
            start = max(start, self.now - int(sum(gaps)) - rng.randrange(HOUR, 3 * DAY))
        if owing:
            start = max(vp.owed_opening(ticket, self.now) - rng.randrange(MINUTE, HOUR), ticket.opened)
        times = fit_times(start, gaps, max(self.now - MINUTE, ticket.opened))
        by_customer = rng.random() < 0.6 and bool(ticket.reporter)
        manager = rng.choice(self.staff[PersonRole.SUPPORT_MANAGER])
        director = rng.choice(self.staff[PersonRole.SENIOR_DIRECTOR])
        closed = times[-1] if not state.is_open else None
        apprisal = None if owing else self._vp_apprised(ticket, times[0], closed, vp)
        vp_at = apprisal[0] if apprisal else None
        vp_note = rng.choice(VP_NOTES) if apprisal else ""
        escalation_id = ticket.id  # one escalation per ticket: its id is read back by ticket (``_escalations``)
        self._escalation_rows.append(dict(
            ticket=ticket.id,
            requested_by="customer" if by_customer else "tam",
            requester_name=ticket.reporter if by_customer else ticket.customer.tam.name,
            reason=rng.choice(ESCALATION_REASONS),
            business_impact=rng.choice(BUSINESS_IMPACTS),
            desired_outcome=rng.choice(DESIRED_OUTCOMES),
            state=state.value,
            support_manager=manager.id,
            senior_director=director.id,
            vp_apprised=vp_at is not None,
            vp_apprised_at=vp_at,
            vp_note=vp_note,
            decline_reason=rng.choice(DECLINE_REASONS) if state is EscalationState.DECLINED else "",
            opened_at=times[0],
            closed_at=closed,
        ))  # fmt: skip
        self.counts.escalations += 1
        authors = {
            EscalationState.REQUESTED: ticket.reporter if by_customer else ticket.customer.tam.name,
            EscalationState.MONITORING: ticket.customer.tam.name,
            EscalationState.DECLINED: director.name,
        }
        rows: list[tuple[Any, ...]] = [
            (escalation_id, at, authors.get(s, manager.name), s.value, _escalation_text(s, manager.name))
            for s, at in zip(path, times, strict=True)
        ]
        rows += self._escalation_notes(escalation_id, times, ticket.customer.tam.name)
        if apprisal is not None:
            at, why = apprisal
            rows.append((escalation_id, at, director.name, None, f"VP of Customer Success apprised ({why}). {vp_note}"))
        return rows

    def _vp_apprised(self, ticket: Ticket, opened: int, closed: int | None, vp: _VpRule) -> tuple[int, str] | None:
        """When the VP was apprised, and why: Sev1 tickets at once, now and then on request, and every escalation
        still open at the VP rule's limit before it (on the customer's real calendar), so none is late."""
        rng = self.rng
        end = closed if closed is not None else self.now
        due = vp.due(ticket, opened)
        if ticket.severity == 1:
            return min(opened + rng.randrange(30 * MINUTE, 6 * HOUR), end), "Sev1 ticket"
        if rng.random() < 0.08:
            return min(opened + rng.randrange(HOUR, 2 * DAY), due, end), "on request"
        if end < due:
            return None  # closed (or still open) within the limit: no apprisal needed
        return min(vp.before_due(ticket, opened, rng.uniform(0.6, 0.95)), due), vp.why_limit

    def _escalation_notes(self, escalation_id: int, times: Sequence[int], author: str) -> list[tuple[Any, ...]]:
        rng = self.rng
        notes: list[tuple[Any, ...]] = []
        for before, after in itertools.pairwise(times):
            if after - before > 6 * HOUR and rng.random() < 0.5:
                notes.append(
                    (escalation_id, rng.randint(before + 1, after - 1), author, None, rng.choice(ESCALATION_NOTES))
                )
        return notes


def _escalation_path(rng: random.Random, state: EscalationState) -> list[EscalationState]:
    order: list[EscalationState] = [s for s in EscalationState if s is not EscalationState.DECLINED]
    if state is EscalationState.DECLINED:
        head = order[:2] if rng.random() < 0.5 else order[:1]
        return [*head, EscalationState.DECLINED]
    return order[: order.index(state) + 1]


def _escalation_text(state: EscalationState, manager: str) -> str:
    return {
        EscalationState.REQUESTED: "Escalation requested.",
        EscalationState.ACKNOWLEDGED: f"Acknowledged by {manager}; engineering lead assigned.",
        EscalationState.ACTION_PLAN: "Action plan agreed: daily sync with the customer, engineering on the root cause.",
        EscalationState.MONITORING: "Workaround in place; monitoring before closing.",
        EscalationState.RESOLVED: "Resolved: the customer confirmed the fix.",
        EscalationState.DECLINED: "Declined.",
    }[state]

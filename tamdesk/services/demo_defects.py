"""Sample defects found in tickets: engineering keys, releases, linked tickets and customer updates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tamdesk.domain.states import DefectState, PersonRole, TicketStatus
from tamdesk.models import tables as t
from tamdesk.services.demo_plan import BuilderBase, Pool, Ticket, insert_all, model_fields, quota
from tamdesk.services.demo_time import DAY, HOUR, date_of, fit_times
from tamdesk.services.demo_words import (
    AREAS,
    DEFECT_ACTIONS,
    DEFECT_HOURS,
    DEFECT_RATE,
    DEFECT_SEVERITY_WEIGHT,
    DEFECT_SYMPTOMS,
    DEFECT_WEIGHTS,
    ENG_URL,
    ERRORS,
    SPAN_DAYS,
)


@dataclass(slots=True)
class _DefectPlan:
    source: Ticket
    state: DefectState
    times: dict[DefectState, int]
    tickets: list[Ticket]
    key: str | None = None


class DefectsPart(BuilderBase):
    """Plans and writes the defects, their linked tickets and their customer updates."""

    def _defects(self) -> None:
        n = round(len(self.tickets) * DEFECT_RATE)
        if not n:
            return
        weights = DEFECT_SEVERITY_WEIGHT
        settled = Pool([k for k in self.tickets if k.opened < self.now - 3 * DAY] or self.tickets, weights)
        aged = Pool([k for k in self.tickets if k.opened < self.now - 45 * DAY], weights) or settled
        by_area: dict[int, list[Ticket]] = {}
        for ticket in self.tickets:
            by_area.setdefault(ticket.area, []).append(ticket)
        used: set[int] = set()
        plans = []
        for state in quota(self.rng, DEFECT_WEIGHTS, n):
            late_state = state in (DefectState.FIX_DEPLOYED, DefectState.CLOSED)
            source = (aged if late_state else settled).pick(self.rng, used)
            if source is not None:
                plans.append(self._plan_defect(source, state, by_area, used))
        self._assign_engineering_keys(plans)
        self._write_defects(plans)

    def _plan_defect(
        self, source: Ticket, state: DefectState, by_area: dict[int, list[Ticket]], used: set[int]
    ) -> _DefectPlan:
        rng = self.rng
        states = list(DefectState)
        path = states[: states.index(state) + 1]
        reported = max(min(source.opened + rng.randrange(4 * HOUR, 72 * HOUR), self.now - 2 * HOUR), source.opened)
        gaps = [rng.uniform(*DEFECT_HOURS[s]) * HOUR for s in path[1:]]
        times = fit_times(reported, gaps, max(self.now - HOUR, reported))
        plan = _DefectPlan(source, state, dict(zip(path, times, strict=True)), [source])
        if rng.random() < 0.35:
            end = times[-1] if not state.is_open else self.now
            for _ in range(rng.randint(1, 3)):
                other = self._related_ticket(by_area[source.area], plan, reported - 30 * DAY, end, used)
                if other is not None:
                    plan.tickets.append(other)
        return plan

    def _related_ticket(
        self, candidates: Sequence[Ticket], plan: _DefectPlan, earliest: int, latest: int, used: set[int]
    ) -> Ticket | None:
        """Another customer's ticket about the same area in the defect's lifetime."""
        customers = {k.customer.index for k in plan.tickets}
        for _ in range(12):
            ticket = self.rng.choice(candidates)
            if ticket.id not in used and ticket.customer.index not in customers and earliest <= ticket.opened <= latest:
                used.add(ticket.id)
                return ticket
        return None

    def _assign_engineering_keys(self, plans: list[_DefectPlan]) -> None:
        """Keys grow with the time the defect reached engineering, as a tracker numbers them."""
        escalated = sorted(
            (p for p in plans if DefectState.ESCALATED in p.times), key=lambda p: p.times[DefectState.ESCALATED]
        )
        numbers = sorted(self.rng.sample(range(1000, 1000 + 10 * max(len(escalated), 900)), len(escalated)))
        for plan, number in zip(escalated, numbers, strict=True):
            plan.key = f"ENG-{number}"

    def _write_defects(self, plans: Sequence[_DefectPlan]) -> None:
        links: list[tuple[int, int, int]] = []
        updates: list[tuple[Any, ...]] = []
        engineering: set[int] = set()
        for plan in plans:
            defect_id = t.Defect.insert(**self._defect_values(plan)).execute()
            links += [(defect_id, k.id, _linked_at(plan, k)) for k in plan.tickets]
            updates += self._defect_updates(defect_id, plan)
            if plan.state.is_open:
                engineering.update(k.id for k in plan.tickets if k.status is TicketStatus.OPEN)
        self.counts.defects = len(plans)
        self.counts.defect_links = insert_all(
            (t.DefectTicket.defect, t.DefectTicket.ticket, t.DefectTicket.linked_at), links
        )
        self.counts.defect_updates = insert_all(
            model_fields(t.DefectUpdate, "defect, customer, at, author, text"), updates
        )
        waiting = sorted(engineering)
        for start in range(0, len(waiting), 900):
            t.Ticket.update(status=TicketStatus.WAITING_ON_ENGINEERING.value).where(
                t.Ticket.id.in_(waiting[start : start + 900])
            ).execute()

    def _defect_values(self, plan: _DefectPlan) -> dict[str, Any]:
        rng, times, source = self.rng, plan.times, plan.source
        area = AREAS[source.area]
        symptom = rng.choice(DEFECT_SYMPTOMS).format(action=rng.choice(DEFECT_ACTIONS), error=rng.choice(ERRORS))
        values: dict[str, Any] = {
            "title": f"{area[0].upper()}{area[1:]}: {symptom}",
            "description": f"Found in {source.number} ({source.customer.name}).",
            "severity": source.severity,
            "state": plan.state.value,
            "reported_at": times[DefectState.REPORTED],
        }
        if DefectState.VALIDATED in times:
            values.update(
                validated_at=times[DefectState.VALIDATED],
                validated_by=rng.choice(self.staff[PersonRole.SUPPORT_ENGINEER]).name,
                repro_notes=f"Reproduced on {rng.randint(430, 455)}-e.{rng.randint(1, 12)} with a three-node cluster.",
            )
        if plan.key:
            values.update(
                engineering_key=plan.key, engineering_url=ENG_URL + plan.key, escalated_at=times[DefectState.ESCALATED]
            )
        if DefectState.PRIORITIZED in times:
            values.update(_priority(plan), prioritized_at=times[DefectState.PRIORITIZED])
        if DefectState.FIX_IN_PROGRESS in times:
            values["fix_started_at"] = times[DefectState.FIX_IN_PROGRESS]
        if DefectState.FIX_DEPLOYED in times:
            deployed = times[DefectState.FIX_DEPLOYED]
            values.update(fix_version=self._release(deployed), deployed_on=date_of(deployed).isoformat())
        if DefectState.CLOSED in times:
            values["closed_at"] = times[DefectState.CLOSED]
        return values

    def _release(self, at: int) -> str:
        """Monthly releases, numbered on from 430 at the start of the sample period."""
        month = (at - (self.now - SPAN_DAYS * DAY)) // (30 * DAY)
        return f"{430 + month}-e.{self.rng.randint(1, 9)}"

    def _defect_updates(self, defect_id: int, plan: _DefectPlan) -> list[tuple[Any, ...]]:
        """Customer updates on the severity's cadence per affected customer; some customers are overdue."""
        rng, times = self.rng, plan.times
        cadence = self.defect_cadence.get(plan.source.severity, 10) * 1.4 * DAY  # business days -> calendar days
        start = times.get(DefectState.VALIDATED, times[DefectState.REPORTED] + DAY)
        end: float = times.get(DefectState.FIX_DEPLOYED, self.now)
        if plan.state.is_open and rng.random() < 0.3:
            end = self.now - cadence * rng.uniform(1.2, 2.5)  # this defect's customers are overdue for an update
        rows = []
        customers = {k.customer.index: k.customer for k in plan.tickets}
        for c in customers.values():
            linked = min(_linked_at(plan, k) for k in plan.tickets if k.customer.index == c.index)
            # a defect open for months keeps its latest hundred cadences of updates, up to ``end``
            at = max(max(start, linked) + rng.uniform(0.1, 0.5) * cadence, end - 100 * cadence)
            for _ in range(200):
                if at >= end:
                    break
                rows.append((defect_id, c.id, int(at), c.tam.name, _update_text(plan, int(at))))
                at += cadence * rng.uniform(0.6, 1.0)
            if DefectState.FIX_DEPLOYED in times:
                told = min(times[DefectState.FIX_DEPLOYED] + rng.randrange(HOUR, 2 * DAY), self.now)
                rows.append((defect_id, c.id, told, c.tam.name, "Fix deployed; please upgrade and confirm."))
        return rows


def _linked_at(plan: _DefectPlan, ticket: Ticket) -> int:
    """A ticket joins its defect when the defect is reported, or when the ticket is opened if that is later."""
    return int(max(plan.times[DefectState.REPORTED], ticket.opened))


def _priority(plan: _DefectPlan) -> dict[str, str]:
    """Backlog priority from severity, one level up when the defect affects three or more customers."""
    severity = plan.source.severity
    customers = len({k.customer.index for k in plan.tickets})
    if customers >= 3 and severity > 1:
        return {"priority": f"P{severity - 1}", "priority_reason": f"Raised one level: affects {customers} customers."}
    return {"priority": f"P{severity}", "priority_reason": f"From the Sev{severity} ticket {plan.source.number}."}


def _update_text(plan: _DefectPlan, at: int) -> str:
    reached = [s for s, when in plan.times.items() if when <= at]
    state = reached[-1] if reached else DefectState.REPORTED
    key = plan.key or "the engineering ticket"
    if state is DefectState.REPORTED:
        return "We are reproducing the issue in our lab and will confirm it shortly."
    if state is DefectState.VALIDATED:
        return "We reproduced the issue and are preparing the engineering ticket."
    if state is DefectState.ESCALATED:
        return f"Escalated to engineering as {key}; waiting for prioritization."
    if state is DefectState.PRIORITIZED:
        return f"{key} is in the engineering backlog; no fix date yet."
    return f"Engineering is working on a fix for {key}; we will share the target release."

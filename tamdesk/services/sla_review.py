"""What a support director reads in the SLA workbook beyond the rows: the goal, this period against the previous one
and the same period a year earlier, a 12-month trend, each TAM and each customer worst first, and what to act on now.

Built on :func:`services.report_data.sla_report` (the period's tickets and figures) and the rules of
:mod:`domain.compliance`. A figure here is tallied from the same ticket lines as the detail sheets, so they agree.

- The goal a group is read against is its policies' compliance goal; a group (a month, a TAM, the whole report)
  whose customers have policies with different goals is read against the strictest of them.
- A group's *verdict* is the band of the lower of its two rates (first responses in time, updates kept).
- *Act now* lists the open tickets (whenever opened, within the report's customer and severity filters) whose first
  response or customer update is overdue or at risk, soonest due first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from peewee import JOIN

from tamdesk.domain.compliance import (
    DEFAULT_GOAL,
    Band,
    band,
    coverage,
    period_partial_note,
    previous_period,
    trend_months,
    year_earlier,
)
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState, format_duration
from tamdesk.domain.states import ClockKind, DefectState, TicketStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import tuples
from tamdesk.services.report_data import (
    Cancelled,
    Progress,
    ReportCancelled,
    ReportScope,
    SlaFigures,
    SlaReport,
    SlaTicketLine,
    _SlaLines,
    _SlaTally,
    _ticket_chunks,
    scaled_progress,
    sla_report,
)
from tamdesk.services.sla import compliance_goals, policy

NO_TAM = "(no TAM)"
ACT_NOW_LIMIT = 25
_OPEN = tuple(s.value for s in TicketStatus if s.is_open)
_WATCHED = (SlaState.BREACHED, SlaState.AT_RISK)


@dataclass(frozen=True)
class GroupLine:
    """A TAM's or a customer's figures for the period, read against the goal that applies to it."""

    name: str
    figures: SlaFigures
    goal: float
    open_breaches: int = 0
    tam: str = ""
    customers: int = 0
    severity_tickets: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def verdict(self) -> Band | None:
        return verdict(self.figures, self.goal)


@dataclass(frozen=True)
class ActNow:
    """An open ticket whose first response or customer update needs doing now."""

    line: SlaTicketLine
    what: str  # "First response overdue", "Customer update due soon", ...
    due: datetime
    tam: str


@dataclass(frozen=True)
class Compared:
    """A period's figures beside the report's own; ``figures`` is None when it had no tickets."""

    label: str
    start: date
    end: date
    figures: SlaFigures | None


@dataclass(frozen=True)
class TicketDefect:
    """One link between a ticket of the report and a defect: one value per cell, for a pivot."""

    ticket: str
    defect: str  # the engineering key, or #id before one exists
    title: str
    state: str


@dataclass(frozen=True)
class TargetLine:
    """One severity's targets under one policy, worded as the policy says them."""

    policy: str
    severity: Severity
    first_response: str
    updates: str
    clock: str


@dataclass(frozen=True)
class SlaReview:
    """Everything the SLA workbook shows a director."""

    report: SlaReport
    goal: float
    goals: dict[str, float]  # policy name -> goal
    targets: list[TargetLine]
    previous: Compared | None
    year_before: Compared | None
    trend: list[tuple[str, SlaFigures | None]]  # 12 months, oldest first: (label, figures)
    month_labels: dict[str, str]  # "2026-12" -> "2026-12 (1–7 Dec, partial)"
    partial: str | None
    tams: list[GroupLine]
    customers: list[GroupLine]
    act_now: list[ActNow]
    act_now_more: int  # open tickets needing action beyond the list
    act_now_overdue: int  # of all the open tickets needing action, those already overdue
    ticket_defects: list[TicketDefect]  # one row per ticket of the report and defect linked to it

    @property
    def verdict(self) -> Band | None:
        return verdict(self.report.total, self.goal)


def verdict(figures: SlaFigures | None, goal: float) -> Band | None:
    """The band of the lower of the two rates of ``figures``; None when neither was due."""
    if figures is None:
        return None
    rates = [r for r in (figures.first_response_rate, figures.update_rate) if r is not None]
    return band(min(rates), goal) if rates else None


# -- customers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Customer:
    id: int
    name: str
    tam: str
    policy_id: int
    archived: bool


def _customers(scope: ReportScope) -> dict[int, _Customer]:
    query = t.Customer.select(
        t.Customer.id, t.Customer.name, t.Person.name, t.Customer.sla_policy, t.Customer.archived
    ).join(t.Person, join_type=JOIN.LEFT_OUTER, on=(t.Customer.tam == t.Person.id))
    if scope.customer_ids:
        query = query.where(t.Customer.id.in_(sorted(scope.customer_ids)))
    return {
        int(cid): _Customer(int(cid), name, tam or NO_TAM, int(pid), bool(archived))
        for cid, name, tam, pid, archived in tuples(query)
    }


# -- gathering ---------------------------------------------------------------------------------------------------


def sla_review(
    scope: ReportScope, now: datetime, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> SlaReview:
    """The SLA report of ``scope`` at ``now`` with what a director reads from it.

    Raises:
        ReportCancelled: ``cancelled`` returned True.
    """
    report = sla_report(scope, now, progress=scaled_progress(progress, 0, 600), cancelled=cancelled)
    customers = _customers(scope)
    set_goals = compliance_goals()
    goal_of = {cid: set_goals.get(c.policy_id, DEFAULT_GOAL) for cid, c in customers.items()}
    shown = [
        c for c in customers.values() if not c.archived or any(line.customer_id == c.id for line in report.tickets)
    ]
    goal = max((goal_of[c.id] for c in shown), default=DEFAULT_GOAL)
    today = now.astimezone(scope.tz).date()
    open_lines = _open_lines(scope, now)
    previous, year_before, trend = _history(scope, now, today, report, cancelled)
    scaled = scaled_progress(progress, 600, 1000)
    if scaled is not None:
        scaled(1, 1)
    act_now = _act_now(open_lines, {c.id: c.tam for c in customers.values()})
    return SlaReview(
        report=report,
        goal=goal,
        goals=_policy_goals(shown, set_goals),
        targets=_targets(shown),
        previous=previous,
        year_before=year_before,
        trend=trend,
        month_labels=_month_labels(report, scope, today),
        partial=period_partial_note(scope.start, scope.end, today),
        tams=_tams(report, shown, goal_of, open_lines),
        customers=_customer_lines(report, shown, goal_of, open_lines),
        act_now=act_now[:ACT_NOW_LIMIT],
        act_now_more=max(0, len(act_now) - ACT_NOW_LIMIT),
        act_now_overdue=sum(item.what.endswith("overdue") for item in act_now),
        ticket_defects=_ticket_defects({line.number for line in report.tickets}),
    )


def _ticket_defects(numbers: set[str]) -> list[TicketDefect]:
    """The defect links of the report's tickets, by ticket then defect."""
    query = (
        t.DefectTicket.select(t.Ticket.number, t.Defect.id, t.Defect.engineering_key, t.Defect.title, t.Defect.state)
        .join(t.Defect).switch(t.DefectTicket).join(t.Ticket)
    )  # fmt: skip
    links = [
        TicketDefect(number, key or f"#{defect_id}", title, DefectState(state).label)
        for number, defect_id, key, title, state in tuples(query) if number in numbers
    ]  # fmt: skip
    return sorted(links, key=lambda link: (link.ticket, link.defect))


def _month_labels(report: SlaReport, scope: ReportScope, today: date) -> dict[str, str]:
    """Each month of the report as it is labelled: ``2026-12 (1–7 Dec, partial)`` when covered in part."""
    labels = {}
    for month in report.months:
        year, number = month.label.split("-")
        labels[month.label] = coverage(date(int(year), int(number), 1), scope.start, scope.end, today).label
    return labels


def _policy_goals(shown: Sequence[_Customer], set_goals: dict[int, float]) -> dict[str, float]:
    ids = sorted({c.policy_id for c in shown})
    return {policy(pid).name: set_goals.get(pid, DEFAULT_GOAL) for pid in ids}


def _targets(shown: Sequence[_Customer]) -> list[TargetLine]:
    """The targets in force now of every policy the report's customers have."""
    lines = []
    for pid in sorted({c.policy_id for c in shown}):
        current = policy(pid)
        for severity in Severity:
            target = current.target(severity)
            business = target.clock is ClockKind.BUSINESS_HOURS
            lines.append(TargetLine(
                current.label, severity, format_duration(target.first_response, business),
                format_duration(target.update_cadence, business), target.clock.label,
            ))  # fmt: skip
    return lines


def _lines(
    scope: ReportScope, now: datetime, extra: tuple[str, Sequence[object]] | None = None
) -> Iterable[SlaTicketLine]:
    maker = _SlaLines(scope, now)
    for chunk, events in _ticket_chunks(scope, extra):
        for raw in chunk:
            yield maker.line(raw, events.get(raw[0], ()))


def _open_lines(scope: ReportScope, now: datetime) -> list[SlaTicketLine]:
    """Every open ticket of the report's customers and severities, whenever it was opened."""
    unbounded = replace(scope, start=None, end=None)
    p = database.obj.param
    clause = f"t.status IN ({', '.join([p] * len(_OPEN))})"
    return list(_lines(unbounded, now, (clause, _OPEN)))


def _history(
    scope: ReportScope, now: datetime, today: date, report: SlaReport, cancelled: Cancelled | None
) -> tuple[Compared | None, Compared | None, list[tuple[str, SlaFigures | None]]]:
    """The previous period, the same period a year earlier and the 12 months ending with the period.

    The report's own tickets are counted from its lines; only the days around the period are read and evaluated.
    """
    months = trend_months((scope.end - timedelta(days=1)) if scope.end else today)
    ranges: dict[str, tuple[date, date]] = {}
    if scope.start is not None and scope.end is not None:
        ranges["previous"] = previous_period(scope.start, scope.end)
        ranges["year"] = year_earlier(scope.start, scope.end)
    first = min([months[0], *(r[0] for r in ranges.values())])
    end = max([_next_month(months[-1]), *(r[1] for r in ranges.values())])
    by_month: dict[str, _SlaTally] = defaultdict(_SlaTally)
    by_range: dict[str, _SlaTally] = defaultdict(_SlaTally)

    def add(line: SlaTicketLine) -> None:
        day = line.opened.astimezone(scope.tz).date()
        if not first <= day < end:
            return
        by_month[line.month].add(line)
        for key, (low, high) in ranges.items():
            if low <= day < high:
                by_range[key].add(line)

    for line in report.tickets:
        add(line)
    for low, high in _around(first, end, scope.start, scope.end):
        for line in _lines(replace(scope, start=low, end=high), now):
            if cancelled is not None and cancelled():
                raise ReportCancelled("The export was cancelled.")
            add(line)

    def compared(key: str, label: str) -> Compared | None:
        if key not in ranges:
            return None
        low, high = ranges[key]
        tally = by_range.get(key)
        return Compared(label, low, high, tally.figures(label) if tally and tally.tickets else None)

    trend = []
    for month in months:
        label = coverage(month, None, None, today).label
        tally = by_month.get(f"{month:%Y-%m}")
        trend.append((label, tally.figures(label) if tally and tally.tickets else None))
    return compared("previous", "Previous period"), compared("year", "A year earlier"), trend


def _around(first: date, end: date, start: date | None, stop: date | None) -> list[tuple[date, date]]:
    """The parts of the days ``first``–``end`` (end excluded) outside the period ``start``–``stop`` (None: open)."""
    parts = []
    if start is not None and first < start:
        parts.append((first, min(end, start)))
    if stop is not None and stop < end:
        parts.append((max(first, stop), end))
    return parts


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _act_now(open_lines: Iterable[SlaTicketLine], tam_of: dict[int, str]) -> list[ActNow]:
    items = []
    for line in open_lines:
        tam = tam_of.get(line.customer_id, NO_TAM)
        if line.first_response_at is None and line.first_response_state in _WATCHED:
            overdue = line.first_response_state is SlaState.BREACHED
            items.append(ActNow(line, "First response overdue" if overdue else "First response due soon",
                                line.first_response_due, tam))  # fmt: skip
        elif line.update_due is not None and line.update_state in _WATCHED:
            overdue = line.update_state is SlaState.BREACHED
            items.append(ActNow(line, "Customer update overdue" if overdue else "Customer update due soon",
                                line.update_due, tam))  # fmt: skip
    return sorted(items, key=lambda item: (item.due, int(item.line.severity), item.line.number))


def _open_breaches(open_lines: Iterable[SlaTicketLine]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for line in open_lines:
        counts[line.customer_id] += line.open_breach
    return counts


def _tams(
    report: SlaReport, shown: Sequence[_Customer], goal_of: dict[int, float], open_lines: list[SlaTicketLine]
) -> list[GroupLine]:
    tam_of = {c.id: c.tam for c in shown}
    tallies: dict[str, _SlaTally] = {tam: _SlaTally() for tam in tam_of.values()}
    for line in report.tickets:
        tallies.setdefault(tam_of.get(line.customer_id, NO_TAM), _SlaTally()).add(line)
    breaches = _open_breaches(open_lines)
    groups = []
    for tam, tally in tallies.items():
        members = [cid for cid, name in tam_of.items() if name == tam]
        goal = max((goal_of[cid] for cid in members), default=DEFAULT_GOAL)
        groups.append(GroupLine(tam, tally.figures(tam), goal, sum(breaches[c] for c in members), tam,
                                len(members)))  # fmt: skip
    return sorted(groups, key=_worst_first)


def _customer_lines(
    report: SlaReport, shown: Sequence[_Customer], goal_of: dict[int, float], open_lines: list[SlaTicketLine]
) -> list[GroupLine]:
    """Every customer in scope (those without tickets too), worst first."""
    tallies: dict[int, _SlaTally] = {c.id: _SlaTally() for c in shown}
    severities: dict[int, list[int]] = {c.id: [0, 0, 0, 0] for c in shown}
    policies: dict[int, dict[str, None]] = defaultdict(dict)
    for line in report.tickets:
        tallies.setdefault(line.customer_id, _SlaTally()).add(line)
        severities.setdefault(line.customer_id, [0, 0, 0, 0])[int(line.severity) - 1] += 1
        policies[line.customer_id][line.policy] = None
    breaches = _open_breaches(open_lines)
    by_id = {c.id: c for c in shown}
    groups = []
    for cid, tally in tallies.items():
        customer = by_id.get(cid)
        name = customer.name if customer else next(x.customer for x in report.tickets if x.customer_id == cid)
        label = ", ".join(policies[cid]) or (policy(customer.policy_id).label if customer else "")
        counts = severities[cid]
        groups.append(GroupLine(
            name, tally.figures(name, label), goal_of.get(cid, DEFAULT_GOAL), breaches[cid],
            customer.tam if customer else NO_TAM, 1, (counts[0], counts[1], counts[2], counts[3]),
        ))  # fmt: skip
    return sorted(groups, key=_worst_first)


def _worst_first(group: GroupLine) -> tuple[int, float, int, int, str]:
    """No tickets last; else the lowest rate first, then the most breaches, then by name."""
    f = group.figures
    rates = [r for r in (f.first_response_rate, f.update_rate) if r is not None]
    if not f.tickets:
        return (2, 0.0, 0, 0, group.name.casefold())
    return (0 if rates else 1, min(rates) if rates else 0.0, -group.open_breaches, -f.breaches, group.name.casefold())

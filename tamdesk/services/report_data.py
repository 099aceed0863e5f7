"""What the SLA, defect and escalation workbooks show: rows and summary figures for one scope, as plain dataclasses.

A :class:`ReportScope` is a period of days in the report's time zone, from ``start`` (included) to ``end`` (not
included), and optionally some customers and severities. Tickets and escalations fall in the period by the day they
were opened, fixes by the day they were deployed; open defects are listed whatever their age. Every summary figure
is computed here from the same rows the detail sheets list, so the two always agree.

Definitions the workbooks state in their headers:

- A ticket's first response is *due* once it came or its due time passed; it is *met* when it came in time. A
  ticket still waiting past its due time counts as missed already; one solved in time without a response, or still
  inside its target, is not counted.
- *Updates kept*: of the tickets that had a first response, those with no missed customer update.
- A *breach* is a ticket whose first response was missed or that missed at least one customer update.
- An *excused* breach (domain.exemptions) stays a breach in the raw figures; the "excused met" rates count it as
  met: a first response excused is met, and a ticket whose every missed update is excused kept its updates.
- Severity is the ticket's current one; a ticket whose severity changed is measured by domain.sla's rule for
  changes, and its changes are listed.
- Hours to first response and to resolve are elapsed (wall-clock) hours; percentiles are Excel's PERCENTILE.INC.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.exemptions import Excused, apply_exemptions
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import (
    SlaEvaluation,
    SlaPolicy,
    SlaState,
    TicketEvent,
    TicketHistory,
    clock_for,
    evaluate,
    missed_update_deadlines,
)
from tamdesk.domain.states import EscalationState, TicketEventKind, TicketStatus
from tamdesk.domain.vp_rule import VP_DAYS_DEFAULT, VpStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import DomainError, tuples
from tamdesk.services.defects import DefectRow, list_defects
from tamdesk.services.escalations import EscalationRow, list_escalations, vp_limit
from tamdesk.services.severity_history import exemptions_for, severity_changes_for, ticket_history
from tamdesk.services.sla import SlaResolver

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

_CHUNK = 5000
_SHOWN_NAMES = 10
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("Under 30 days", 0, 30),
    ("30–89 days", 30, 90),
    ("90–179 days", 90, 180),
    ("180 days or more", 180, None),
)


class ReportCancelled(DomainError):
    """The user cancelled while the report's rows were being gathered."""


# -- scope -------------------------------------------------------------------------------------------------------


def local_zone() -> tzinfo:
    """The user's time zone, by its IANA name when the system tells it (so months keep their daylight saving)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with_link = Path("/etc/localtime")
    if with_link.is_symlink():
        candidates.append(str(with_link.resolve()).partition("zoneinfo/")[2])
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                return ZoneInfo(name)
            except (ValueError, OSError):
                continue
    fixed = datetime.now().astimezone().tzinfo
    return fixed or UTC


@dataclass(frozen=True)
class ReportScope:
    """Which records a report covers: opened on days ``start`` ≤ day < ``end`` in ``tz``, customers, severities.

    ``None`` bounds are open; empty sets mean every customer or severity.
    """

    tz: tzinfo = UTC
    start: date | None = None
    end: date | None = None
    customer_ids: frozenset[int] = frozenset()
    severities: frozenset[Severity] = frozenset()

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise DomainError(
                f"The period must end after it starts: {self.start.isoformat()} is not before {self.end.isoformat()}."
            )

    def _instant(self, day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), self.tz).astimezone(UTC)

    @property
    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The period as UTC instants: first included, first excluded."""
        return self._instant(self.start), self._instant(self.end)

    def covers_day(self, day: date) -> bool:
        """Whether ``day`` (already in the report's zone) falls in the period."""
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in the period, read in the report's zone."""
        return self.covers_day(moment.astimezone(self.tz).date())

    @property
    def period_label(self) -> str:
        """E.g. ``2026-03-01 to 2026-03-31``: the days included, both ends inclusive."""
        last = (self.end - timedelta(days=1)).isoformat() if self.end else None
        if self.start and last:
            return f"{self.start.isoformat()} to {last}"
        if self.start:
            return f"from {self.start.isoformat()}"
        if last:
            return f"up to {last}"
        return "all dates"


def customer_names(ids: Iterable[int] = ()) -> list[str]:
    """Names of the customers ``ids`` (every customer when empty), sorted."""
    query = t.Customer.select(t.Customer.name)
    wanted = list(ids)
    if wanted:
        query = query.where(t.Customer.id.in_(wanted))
    return sorted((name for (name,) in tuples(query)), key=str.casefold)


def customer_choices() -> list[tuple[int, str]]:
    """``(id, name)`` of every customer not archived, by name: what a report's customer filter offers."""
    query = t.Customer.select(t.Customer.id, t.Customer.name).where(~t.Customer.archived)
    return sorted(((int(cid), str(name)) for cid, name in tuples(query)), key=lambda pair: pair[1].casefold())


def scope_filters(scope: ReportScope) -> dict[str, str]:
    """The customer and severity filters of ``scope`` worded for a workbook header (empty: none)."""
    filters: dict[str, str] = {}
    if scope.customer_ids:
        names = customer_names(scope.customer_ids)
        shown = ", ".join(names[:_SHOWN_NAMES])
        more = len(names) - _SHOWN_NAMES
        filters["Customers"] = shown + (f" and {more} more" if more > 0 else "")
    if scope.severities:
        filters["Severities"] = ", ".join(s.label for s in sorted(scope.severities))
    return filters


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Excel's PERCENTILE.INC of ``values`` (sorted ascending): linear between the two closest ranks."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _hours(span: timedelta | None) -> float | None:
    return None if span is None else span.total_seconds() / 3600


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class _Phase:
    """Progress of one phase, reported every chunk, and the cancel check that goes with it."""

    def __init__(self, progress: Progress | None, cancelled: Cancelled | None) -> None:
        self.progress, self.cancelled = progress, cancelled

    def tick(self, done: int, total: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ReportCancelled("The export was cancelled.")
        if self.progress is not None:
            self.progress(done, total)


# -- SLA ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlaTicketLine:
    """One ticket of the SLA report, evaluated at the report's ``now``."""

    number: str
    customer: str
    subject: str
    severity: Severity
    status: TicketStatus
    opened: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    first_response_met: bool | None  # None: not yet due, or solved in time without a response
    first_response_late: timedelta | None  # how late it came, or how long overdue it is now
    missed_updates: int
    update_overdue: timedelta | None  # how long the running update clock is past its due time now
    resolved_at: datetime | None
    escalated: bool
    defects: str  # the linked defects' engineering keys, or #id before escalation
    policy: str
    month: str  # the month opened, in the report's zone: "2026-03"
    customer_id: int = 0
    is_open: bool = False  # not solved or closed now
    business_clock: bool = True  # the severity's targets run in the customer's business hours (else round the clock)
    first_response_late_clock: timedelta | None = None  # ``first_response_late`` in the clock's own time
    first_response_state: SlaState = SlaState.OK
    update_due: datetime | None = None  # the running update clock's due time
    update_state: SlaState = SlaState.NOT_STARTED
    severity_changes: str = ""  # "Sev1 Urgent until 2026-12-07 09:40, then Sev3 Normal" in the report's zone
    first_response_excused: str = ""  # the reason, when the first-response breach is excused
    updates_excused: int = 0  # missed updates excused
    excused_reasons: str = ""  # every excused breach with its reason

    @property
    def first_response_met_excused(self) -> bool | None:
        """``first_response_met`` with an excused breach counted as met."""
        return True if self.first_response_met is False and self.first_response_excused else self.first_response_met

    @property
    def missed_updates_unexcused(self) -> int:
        return self.missed_updates - self.updates_excused

    @property
    def updates_kept_excused(self) -> bool | None:
        """``updates_kept`` with excused missed updates counted as kept."""
        return None if self.first_response_at is None else self.missed_updates_unexcused == 0

    @property
    def breached_unexcused(self) -> bool:
        """A breach that is not wholly excused."""
        return self.first_response_met_excused is False or self.missed_updates_unexcused > 0

    @property
    def hours_to_first_response(self) -> float | None:
        return None if self.first_response_at is None else _hours(self.first_response_at - self.opened)

    @property
    def hours_to_resolve(self) -> float | None:
        return None if self.resolved_at is None else _hours(self.resolved_at - self.opened)

    @property
    def updates_kept(self) -> bool | None:
        """True when no customer update was missed; None before the update clock started."""
        return None if self.first_response_at is None else self.missed_updates == 0

    @property
    def breached(self) -> bool:
        return self.first_response_met is False or self.missed_updates > 0

    @property
    def breach(self) -> str:
        """What was breached, in words: ``First response``, ``Customer updates`` or both."""
        parts = ["First response"] if self.first_response_met is False else []
        if self.missed_updates:
            parts.append("customer updates" if parts else "Customer updates")
        return " and ".join(parts)

    @property
    def open_breach(self) -> bool:
        """A breach still running: the ticket is open and its first response or an update is overdue now."""
        return self.is_open and (
            self.first_response_state is SlaState.BREACHED or self.update_state is SlaState.BREACHED
        )

    def worst_first_key(self) -> tuple[bool, int, float, int, float, str]:
        """Breaches that matter first: still open, then the most severe, then the latest (in the clock's hours)."""
        late = self.first_response_late_clock or self.first_response_late
        seconds = late.total_seconds() if late else 0.0
        overdue = self.update_overdue.total_seconds() if self.update_overdue else 0.0
        return (not self.open_breach, int(self.severity), -seconds, -self.missed_updates, -overdue, self.number)


@dataclass(frozen=True)
class SlaFigures:
    """The SLA figures of a group of tickets (a month, a customer or the whole report)."""

    label: str
    tickets: int
    first_responses_due: int
    first_responses_met: int
    updates_tracked: int
    updates_kept: int
    breaches: int
    missed_updates: int
    escalated: int
    with_defect: int
    first_response_hours: tuple[float | None, float | None]  # median, 90th percentile
    resolve_hours: tuple[float | None, float | None]
    severity_rates: dict[Severity, tuple[float | None, float | None]]  # first response, updates kept
    policy: str = ""
    first_responses_met_excused: int = 0  # met, counting an excused breach as met
    updates_kept_excused: int = 0  # kept, counting excused missed updates as kept
    breaches_excused: int = 0  # breaches wholly excused

    @property
    def first_response_rate(self) -> float | None:
        return _rate(self.first_responses_met, self.first_responses_due)

    @property
    def update_rate(self) -> float | None:
        return _rate(self.updates_kept, self.updates_tracked)

    @property
    def first_response_rate_excused(self) -> float | None:
        """First responses met, excused breaches counted as met."""
        return _rate(self.first_responses_met_excused, self.first_responses_due)

    @property
    def update_rate_excused(self) -> float | None:
        """Updates kept, excused missed updates counted as kept."""
        return _rate(self.updates_kept_excused, self.updates_tracked)


@dataclass
class _SlaTally:
    """Adds tickets up into :class:`SlaFigures`."""

    tickets: int = 0
    breaches: int = 0
    missed_updates: int = 0
    escalated: int = 0
    with_defect: int = 0
    first_response: dict[Severity, list[int]] = field(default_factory=lambda: {s: [0, 0] for s in Severity})
    updates: dict[Severity, list[int]] = field(default_factory=lambda: {s: [0, 0] for s in Severity})
    response_hours: list[float] = field(default_factory=list)
    resolve_hours: list[float] = field(default_factory=list)
    excused: list[int] = field(default_factory=lambda: [0, 0, 0])  # first responses met, updates kept, breaches

    def add(self, line: SlaTicketLine) -> None:
        self.tickets += 1
        self.breaches += line.breached
        self.excused[0] += bool(line.first_response_met_excused)
        self.excused[1] += bool(line.updates_kept_excused)
        self.excused[2] += line.breached and not line.breached_unexcused
        self.missed_updates += line.missed_updates
        self.escalated += line.escalated
        self.with_defect += bool(line.defects)
        if line.first_response_met is not None:
            counts = self.first_response[line.severity]
            counts[0] += 1
            counts[1] += line.first_response_met
        if line.first_response_at is not None:
            counts = self.updates[line.severity]
            counts[0] += 1
            counts[1] += line.missed_updates == 0
            self.response_hours.append((line.first_response_at - line.opened).total_seconds() / 3600)
        if line.resolved_at is not None:
            self.resolve_hours.append((line.resolved_at - line.opened).total_seconds() / 3600)

    def merge(self, other: _SlaTally) -> None:
        """Add ``other``'s tickets to this tally."""
        self.tickets += other.tickets
        self.breaches += other.breaches
        self.missed_updates += other.missed_updates
        self.escalated += other.escalated
        self.with_defect += other.with_defect
        for mine, theirs in ((self.first_response, other.first_response), (self.updates, other.updates)):
            for severity, (due, met) in theirs.items():
                mine[severity][0] += due
                mine[severity][1] += met
        self.response_hours.extend(other.response_hours)
        self.resolve_hours.extend(other.resolve_hours)
        self.excused = [mine + theirs for mine, theirs in zip(self.excused, other.excused, strict=True)]

    def figures(self, label: str, policy: str = "") -> SlaFigures:
        response, resolve = sorted(self.response_hours), sorted(self.resolve_hours)
        fr, upd = self.first_response, self.updates
        return SlaFigures(
            label, self.tickets, sum(c[0] for c in fr.values()), sum(c[1] for c in fr.values()),
            sum(c[0] for c in upd.values()), sum(c[1] for c in upd.values()), self.breaches, self.missed_updates,
            self.escalated, self.with_defect, (percentile(response, 0.5), percentile(response, 0.9)),
            (percentile(resolve, 0.5), percentile(resolve, 0.9)),
            {s: (_rate(fr[s][1], fr[s][0]), _rate(upd[s][1], upd[s][0])) for s in Severity}, policy,
            *self.excused,
        )  # fmt: skip


@dataclass(frozen=True)
class SlaReport:
    """Everything the SLA workbook shows; ``tickets`` by opened time, ``breaches`` worst first."""

    scope: ReportScope
    now: datetime
    policies: tuple[str, ...]
    tickets: list[SlaTicketLine]
    months: list[SlaFigures]
    customers: list[SlaFigures]
    total: SlaFigures
    breaches: list[SlaTicketLine]


_TICKETS = """
SELECT t.id, t.number, t.customer_id, c.name, t.subject, t.severity, t.status, t.opened_at, t.resolved_at
FROM ticket t JOIN customer c ON c.id = t.customer_id
"""


def _ticket_where(scope: ReportScope) -> tuple[list[str], list[object]]:
    p = database.obj.param
    clauses: list[str] = []
    params: list[object] = []
    start, end = scope.bounds
    if start is not None:
        clauses.append(f"t.opened_at >= {p}")
        params.append(int(start.timestamp()))
    if end is not None:
        clauses.append(f"t.opened_at < {p}")
        params.append(int(end.timestamp()))
    for column, values in (("t.customer_id", sorted(scope.customer_ids)), ("t.severity", sorted(scope.severities))):
        if values:
            clauses.append(f"{column} IN ({', '.join([p] * len(values))})")
            params.extend(int(v) for v in values)
    return clauses, params


def _sql_where(clauses: Sequence[str]) -> str:
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def _ticket_chunks(
    scope: ReportScope, extra: tuple[str, Sequence[object]] | None = None
) -> Iterator[tuple[list[tuple], dict[int, list[TicketEvent]]]]:
    """The scope's tickets in id order, a chunk at a time, each chunk with its events (memory stays bounded).

    ``extra`` is one more SQL condition on ``t`` (the ticket) with its parameters.
    """
    p = database.obj.param
    clauses, params = _ticket_where(scope)
    if extra is not None:
        clauses.append(extra[0])
        params.extend(extra[1])
    kinds = {k.value: k for k in TicketEventKind}
    fromts = datetime.fromtimestamp
    event_sql = "SELECT e.ticket_id, e.at, e.kind FROM ticket_event e"
    if clauses:  # only the events of tickets in scope; without filters every ticket in the id range is
        event_sql += " JOIN ticket t ON t.id = e.ticket_id"
    last = 0
    while True:
        where = _sql_where([*clauses, f"t.id > {p}"])
        sql = f"{_TICKETS}{where} ORDER BY t.id LIMIT {_CHUNK}"
        chunk = list(database.execute_sql(sql, [*params, last]))
        if not chunk:
            return
        first, last = chunk[0][0], chunk[-1][0]
        events: dict[int, list[TicketEvent]] = defaultdict(list)
        event_where = _sql_where([*clauses, f"e.ticket_id >= {p}", f"e.ticket_id <= {p}"])
        for tid, at, kind in database.execute_sql(event_sql + event_where, [*params, first, last]):
            events[tid].append(TicketEvent(fromts(at, UTC), kinds[kind]))
        yield chunk, events


def _defect_keys() -> dict[int, str]:
    """Per ticket id, its defects as engineering keys (or ``#id`` before one exists)."""
    keys: dict[int, list[str]] = defaultdict(list)
    query = t.DefectTicket.select(t.DefectTicket.ticket, t.Defect.id, t.Defect.engineering_key).join(t.Defect)
    for ticket_id, defect_id, key in tuples(query.order_by(t.Defect.id)):
        keys[ticket_id].append(key or f"#{defect_id}")
    return {tid: ", ".join(found) for tid, found in keys.items()}


def _escalated_ids() -> set[int]:
    return {tid for (tid,) in tuples(t.Escalation.select(t.Escalation.ticket).distinct())}


class _SlaLines:
    """Turns raw ticket rows and their events into :class:`SlaTicketLine` objects."""

    def __init__(self, scope: ReportScope, now: datetime) -> None:
        self.scope, self.now = scope, now
        self.resolver = SlaResolver()
        self.defects = _defect_keys()
        self.escalated = _escalated_ids()
        self.severities = {int(s): s for s in Severity}
        self.statuses = {s.value: s for s in TicketStatus}
        self.changes = severity_changes_for()
        self.exemptions = exemptions_for()

    def line(self, raw: tuple, events: Sequence[TicketEvent]) -> SlaTicketLine:
        tid, number, cid, customer, subject, severity, status, opened_at, resolved_at = raw
        opened = datetime.fromtimestamp(opened_at, UTC)
        history = ticket_history(opened, self.severities[severity], events, self.changes.get(tid, ()))
        policy = self.resolver.policy(cid, opened)
        calendar = self.resolver.calendar(cid)
        now = max(self.now, opened)
        sla = evaluate(history, policy, calendar, now)
        excused = self._excused(tid, history, sla, policy, calendar)
        resolved = sla.resolved_at or (datetime.fromtimestamp(resolved_at, UTC) if resolved_at else None)
        met = _first_response_met(sla)
        state = self.statuses[status]
        clock = clock_for(policy.target(history.severity).clock, calendar)
        late_clock = None
        if met is False:
            late_clock = clock.elapsed(sla.first_response_due, sla.first_response_at or sla.resolved_at or now)
        return SlaTicketLine(
            number, customer, subject, history.severity, state, opened, sla.first_response_due,
            sla.first_response_at, met, -sla.first_response_remaining if met is False else None,
            sla.missed_updates, -sla.update_remaining if sla.update_state is SlaState.BREACHED and
            sla.update_remaining is not None else None, resolved, tid in self.escalated,
            self.defects.get(tid, ""), policy.label, f"{opened.astimezone(self.scope.tz):%Y-%m}",
            customer_id=cid, is_open=state.is_open, business_clock=clock.business_time,
            first_response_late_clock=late_clock, first_response_state=sla.first_response_state,
            update_due=sla.next_update_due, update_state=sla.update_state,
            severity_changes=_severity_story(history, now, self.scope.tz),
            first_response_excused=excused.first_response.reason if excused.first_response else "",
            updates_excused=len(excused.updates), excused_reasons=excused.reasons,
        )  # fmt: skip

    def _excused(
        self, tid: int, history: TicketHistory, sla: SlaEvaluation, policy: SlaPolicy, calendar: BusinessCalendar
    ) -> Excused:
        """What the ticket's exemptions excuse (the missed deadlines are worked out only for such tickets)."""
        exemptions = self.exemptions.get(tid)
        if not exemptions:
            return _NOTHING_EXCUSED
        missed = missed_update_deadlines(history, policy, calendar, sla.now) if sla.missed_updates else ()
        return apply_exemptions(sla, missed, exemptions)


_NOTHING_EXCUSED = Excused()


def _severity_story(history: TicketHistory, now: datetime, tz: tzinfo) -> str:
    """``Sev1 Urgent until 2026-12-07 09:40, then Sev3 Normal`` in the report's zone; empty without changes."""
    changes = history.changes_until(now)
    if not changes:
        return ""
    steps = [f"until {c.at.astimezone(tz):%Y-%m-%d %H:%M}, then {c.after.label}" for c in changes]
    return f"{changes[0].before.label} " + ", ".join(steps)


def _first_response_met(sla: SlaEvaluation) -> bool | None:
    """True when met, False when missed or overdue now, None when not yet due or not owed."""
    if sla.first_response_state is SlaState.BREACHED:
        return False
    return sla.first_response_met


def _ticket_count(scope: ReportScope) -> int:
    clauses, params = _ticket_where(scope)
    sql = f"SELECT COUNT(*) FROM ticket t{_sql_where(clauses)}"
    return int(database.execute_sql(sql, params).fetchone()[0])


def sla_report(
    scope: ReportScope, now: datetime, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> SlaReport:
    """The SLA position at ``now`` of every ticket in ``scope``, with the figures per month and per customer.

    Raises:
        ReportCancelled: ``cancelled`` returned True.
    """
    phase = _Phase(progress, cancelled)
    total = _ticket_count(scope)
    phase.tick(0, total)
    maker = _SlaLines(scope, now)
    lines: list[SlaTicketLine] = []
    for chunk, events in _ticket_chunks(scope):
        lines.extend(maker.line(raw, events.get(raw[0], ())) for raw in chunk)
        phase.tick(len(lines), total)
    lines.sort(key=lambda line: (line.opened, line.number))
    return _sla_figures(scope, now, lines, maker.resolver)


def _sla_figures(scope: ReportScope, now: datetime, lines: list[SlaTicketLine], resolver: SlaResolver) -> SlaReport:
    months: dict[str, _SlaTally] = defaultdict(_SlaTally)
    customers: dict[str, _SlaTally] = defaultdict(_SlaTally)
    policies_of: dict[str, dict[str, None]] = defaultdict(dict)  # per customer, the labels in the order first applied
    for line in lines:
        months[line.month].add(line)
        customers[line.customer].add(line)
        policies_of[line.customer][line.policy] = None
    total = _SlaTally()
    for month in months.values():
        total.merge(month)
    applied = {label for labels in policies_of.values() for label in labels}
    policies = _applied_revisions(applied, resolver, scope.tz) if applied else sorted(_scope_policies(scope, resolver))
    names = sorted(customers, key=str.casefold)
    return SlaReport(
        scope=scope,
        now=now,
        policies=tuple(policies),
        tickets=lines,
        months=[months[m].figures(m) for m in sorted(months)],
        customers=[customers[n].figures(n, ", ".join(policies_of[n])) for n in names],
        total=total.figures("Total"),
        breaches=sorted((line for line in lines if line.breached), key=SlaTicketLine.worst_first_key),
    )


def _applied_revisions(labels: set[str], resolver: SlaResolver, tz: tzinfo) -> list[str]:
    """Each policy revision applied, saying which tickets a superseded one covered, by policy name and version."""
    found = [(p.name, p.version, revisions.describe(p, tz))
             for revisions in resolver.loaded() for p in revisions.policies if p.label in labels]  # fmt: skip
    return [text for *_, text in sorted(found)]


def _scope_policies(scope: ReportScope, resolver: SlaResolver) -> set[str]:
    """The policies of the customers in scope: what an empty report would have applied."""
    query = t.Customer.select(t.Customer.id)
    if scope.customer_ids:
        query = query.where(t.Customer.id.in_(sorted(scope.customer_ids)))
    return {resolver.policy(cid).label for (cid,) in tuples(query)}


# -- defects -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectFigures:
    """Open defects of one severity (or all) by age, overdue customer updates, fixes deployed in the period."""

    label: str
    open: int
    by_age: tuple[int, ...]  # one count per AGE_BUCKETS entry
    update_overdue: int
    fixed: int


@dataclass(frozen=True)
class FixTime:
    """Calendar days from validation to the deployed fix, for the fixes of one severity (or all) in the period."""

    label: str
    fixes: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class DefectMonth:
    """One month of the period: defects reported and fixed in it, and those still open at its end."""

    month: str  # "2026-03"
    reported: int
    fixed: int
    open_at_end: int  # at the end of the month, or now for the current month


@dataclass(frozen=True)
class CustomerWaiting:
    """A customer owed updates on an open defect, and how long it has heard nothing (its own clock)."""

    customer: str
    defect: DefectRow
    waiting_since: datetime  # the customer's last update, else when it was linked
    days_waiting: float  # calendar days from ``waiting_since`` to the report's now
    last_update: datetime | None
    next_due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class DefectReport:
    """Open defects now, fixes deployed in the period, and the summary per severity."""

    scope: ReportScope
    now: datetime
    open_defects: list[DefectRow]
    deployed: list[DefectRow]
    by_severity: list[DefectFigures]
    total: DefectFigures
    fix_times: list[FixTime] = field(default_factory=list)  # per severity, then the total
    months: list[DefectMonth] = field(default_factory=list)
    waiting: list[CustomerWaiting] = field(default_factory=list)  # the longest waiting first


def age_bucket(days: int) -> int:
    """The index of the AGE_BUCKETS entry that holds an age of ``days``."""
    for index, (_, low, high) in enumerate(AGE_BUCKETS):
        if days >= low and (high is None or days < high):
            return index
    return 0


def _defect_figures(label: str, open_rows: Sequence[DefectRow], deployed: Sequence[DefectRow]) -> DefectFigures:
    ages = [0] * len(AGE_BUCKETS)
    for row in open_rows:
        ages[age_bucket(row.age_days)] += 1
    overdue = sum(row.update_overdue for row in open_rows)
    return DefectFigures(label, len(open_rows), tuple(ages), overdue, len(deployed))


def fix_days(row: DefectRow, tz: tzinfo) -> int | None:
    """Calendar days from the day the defect was validated (in ``tz``) to the day its fix was deployed."""
    if row.validated_at is None or row.deployed_on is None:
        return None
    return max(0, (row.deployed_on - row.validated_at.astimezone(tz).date()).days)


def _fix_time(label: str, rows: Sequence[DefectRow], tz: tzinfo) -> FixTime:
    days = sorted(d for d in (fix_days(r, tz) for r in rows) if d is not None)
    return FixTime(label, len(days), percentile(days, 0.5), percentile(days, 0.9))


def _month_starts(scope: ReportScope, rows: Sequence[DefectRow], now: datetime) -> list[date]:
    """The first day of each month of the period, up to the current month; an open start begins with the data."""
    today = now.astimezone(scope.tz).date()
    first = scope.start or min((r.reported_at.astimezone(scope.tz).date() for r in rows), default=today)
    last = min(today, scope.end - timedelta(days=1)) if scope.end else today
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _open_at(row: DefectRow, end: datetime, end_day: date) -> bool:
    """Whether ``row`` was reported before ``end`` and neither fixed (deployed before ``end_day``) nor closed."""
    fixed = row.deployed_on is not None and row.deployed_on < end_day
    closed = row.closed_at is not None and row.closed_at < end
    return row.reported_at < end and not fixed and not closed


def defect_months(scope: ReportScope, rows: Sequence[DefectRow], now: datetime) -> list[DefectMonth]:
    """Per month of the period: defects reported, fixes deployed, and defects open at the month's end (or now)."""
    found = []
    reported = [r.reported_at.astimezone(scope.tz).date() for r in rows]
    deployed = [r.deployed_on for r in rows if r.deployed_on is not None]
    for month in _month_starts(scope, rows, now):
        following = (month + timedelta(days=32)).replace(day=1)
        end = min(datetime.combine(following, time(), scope.tz), now)
        found.append(
            DefectMonth(
                f"{month:%Y-%m}",
                sum(month <= day < following for day in reported),
                sum(month <= day < following for day in deployed),
                sum(_open_at(r, end, following) for r in rows),
            )
        )
    return found


def customers_waiting(scope: ReportScope, open_rows: Sequence[DefectRow], now: datetime) -> list[CustomerWaiting]:
    """Every customer in scope whose own update clock runs on an open defect, the longest without news first."""
    waiting = []
    for row in open_rows:
        for update in row.customer_updates:
            clock = update.clock
            if clock.next_due is None or (scope.customer_ids and clock.customer_id not in scope.customer_ids):
                continue
            days = round(max(0.0, (now - clock.waiting_since).total_seconds() / 86400), 1)
            waiting.append(
                CustomerWaiting(update.customer, row, clock.waiting_since, days, clock.last_update, clock.next_due,
                                clock.overdue)
            )  # fmt: skip
    return sorted(waiting, key=lambda w: (w.waiting_since, w.customer.casefold(), w.defect.id))


def defect_report(
    scope: ReportScope, now: datetime, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> DefectReport:
    """Every defect open now and every fix deployed in the period, for the scope's customers and severities.

    The period selects fixes by the day they were deployed; open defects are listed whatever their age. Time to
    fix counts the fixes deployed in the period; the months run through the period (up to the current month, from
    the first defect when the period has no start) and count every defect in scope.
    """
    phase = _Phase(progress, cancelled)
    phase.tick(0, 1)
    names = set(customer_names(scope.customer_ids)) if scope.customer_ids else None
    rows = [
        row
        for row in list_defects(now)
        if (names is None or names.intersection(row.customers))
        and (not scope.severities or row.severity in scope.severities)
    ]
    phase.tick(1, 1)
    open_rows = sorted((r for r in rows if r.state.is_open), key=lambda r: (int(r.severity), -r.age_days, r.id))
    deployed = sorted(
        (r for r in rows if r.deployed_on is not None and scope.covers_day(r.deployed_on)),
        key=lambda r: (r.deployed_on, r.id),
    )
    by_severity = [
        _defect_figures(s.label, [r for r in open_rows if r.severity is s], [r for r in deployed if r.severity is s])
        for s in Severity
    ]
    fix_times = [_fix_time(s.label, [r for r in deployed if r.severity is s], scope.tz) for s in Severity]
    return DefectReport(
        scope, now, open_rows, deployed, by_severity, _defect_figures("Total", open_rows, deployed),
        [*fix_times, _fix_time("Total", deployed, scope.tz)], defect_months(scope, rows, now),
        customers_waiting(scope, open_rows, now),
    )  # fmt: skip


# -- escalations -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineLine:
    """One dated entry of an escalation's timeline."""

    escalation_id: int
    ticket: str
    customer: str
    at: datetime
    author: str
    state: EscalationState | None
    text: str


@dataclass(frozen=True)
class EscalationFigures:
    """The escalations of one severity (or all) opened in the period."""

    label: str
    escalations: int
    open: int
    resolved: int
    declined: int
    vp_apprised: int
    median_age_days: float | None
    oldest_open_days: float | None
    late_apprisals: int = 0  # the VP apprised after the VP rule's limit
    missing_apprisals: int = 0  # past the limit without the VP apprised: still open, or closed so


@dataclass(frozen=True)
class EscalationReport:
    """Escalations opened in the period (oldest first), their timelines and the summary per severity."""

    scope: ReportScope
    now: datetime
    escalations: list[EscalationRow]
    timeline: list[TimelineLine]
    by_severity: list[EscalationFigures]
    total: EscalationFigures
    vp_days: int = VP_DAYS_DEFAULT  # the VP rule's limit the rows were judged by


def _escalation_figures(label: str, rows: Sequence[EscalationRow]) -> EscalationFigures:
    ages = sorted(r.age_business_days for r in rows)
    open_ages = [r.age_business_days for r in rows if r.state.is_open]
    return EscalationFigures(
        label,
        len(rows),
        len(open_ages),
        sum(r.state is EscalationState.RESOLVED for r in rows),
        sum(r.state is EscalationState.DECLINED for r in rows),
        sum(r.vp_apprised for r in rows),
        percentile(ages, 0.5),
        max(open_ages, default=None),
        sum(r.vp.status is VpStatus.LATE for r in rows),
        sum(r.vp.status in (VpStatus.TO_BE_APPRISED, VpStatus.MISSED) for r in rows),
    )


def _timeline(rows: Sequence[EscalationRow]) -> list[TimelineLine]:
    by_id = {r.id: r for r in rows}
    if not by_id:
        return []
    entry = t.EscalationEntry
    query = entry.select(entry.escalation, entry.at, entry.author, entry.state, entry.text)
    query = query.where(entry.escalation.in_(sorted(by_id))).order_by(entry.escalation, entry.at, entry.id)
    lines = []
    for esc_id, at, author, state, text in tuples(query):
        row = by_id[esc_id]
        lines.append(TimelineLine(esc_id, row.ticket_number, row.customer, at, author, _state(state), text))
    order = {r.id: n for n, r in enumerate(rows)}
    lines.sort(key=lambda line: order[line.escalation_id])  # stable: each timeline stays in time order
    return lines


def _state(value: str | None) -> EscalationState | None:
    return EscalationState(value) if value else None


def escalation_report(
    scope: ReportScope, now: datetime, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> EscalationReport:
    """The escalations opened in the scope's period, for its customers and ticket severities."""
    phase = _Phase(progress, cancelled)
    phase.tick(0, 1)
    rows = [
        r
        for r in list_escalations(now)
        if scope.covers(r.opened_at)
        and (not scope.customer_ids or r.customer_id in scope.customer_ids)
        and (not scope.severities or r.severity in scope.severities)
    ]
    rows.sort(key=lambda r: (r.opened_at, r.id))
    phase.tick(1, 1)
    by_severity = [_escalation_figures(s.label, [r for r in rows if r.severity is s]) for s in Severity]
    total = _escalation_figures("Total", rows)
    return EscalationReport(scope, now, rows, _timeline(rows), by_severity, total, vp_limit().business_days)


def scaled_progress(progress: Progress | None, low: int, high: int, scale: int = 1000) -> Progress | None:
    """A progress callback that maps a phase's ``(done, total)`` onto ``low``..``high`` of ``scale``."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        fraction = min(done / total, 1.0) if total else 1.0
        progress(low + round((high - low) * fraction), scale)

    return report

"""A customer's quarterly business review: what happened on the account in one quarter, against the quarter before.

Every figure comes from the service that owns it: ticket volume and SLA compliance from the SLA report
(:mod:`services.report_data`, :mod:`services.sla_review`); escalations, defects, seats, onboarding, the contract,
the timeline's meetings and calls and the open follow-ups from their services; health from :mod:`services.health`
(computed now in the running quarter, else the quarter's last weekly reading; never recomputed here). The quarter's
days are read in the customer's time zone, since the review is about the customer's quarter. Seats, onboarding,
the contract and the follow-ups are as they stand now.

What is *internal* (ticket notes, an escalation's reason, business impact, VP note and decline reason, timeline
entry bodies, the customer's notes, seat revoke reasons, onboarding step notes, health reasons, ARR, engineering
keys) is kept apart: in :attr:`QuarterlyReview.internal_notes` and the health and contract fields, for the
workbook's internal sheets only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tamdesk.domain.compliance import Band as SlaBand
from tamdesk.domain.compliance import band
from tamdesk.domain.health import Band, Reason
from tamdesk.domain.quarters import Quarter, quarter_of
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, EscalationState, SeatStatus, TicketStatus
from tamdesk.domain.timeline import EntryKind, TimelineItem
from tamdesk.models import tables as t
from tamdesk.services.base import FieldError, NotFound, tuples
from tamdesk.services.contracts import get_contract
from tamdesk.services.defects import list_defects
from tamdesk.services.escalations import list_escalations
from tamdesk.services.follow_ups import open_follow_ups
from tamdesk.services.health import HealthPoint, customer_health, health_history, snapshot_reasons
from tamdesk.services.onboarding import checklist
from tamdesk.services.report_data import ReportScope, SlaFigures, SlaTicketLine, _open_at, sla_report
from tamdesk.services.seats import SeatRow, seat_overview
from tamdesk.services.sla_review import sla_review
from tamdesk.services.timeline_events import entry_items

HIGHLIGHT_KINDS = (EntryKind.MEETING, EntryKind.CALL)
HEALTH_TREND_WEEKS = 26


@dataclass(frozen=True)
class SeverityVolume:
    """Tickets opened at one severity in the quarter and in the quarter before."""

    severity: Severity
    this_quarter: int
    previous: int


@dataclass(frozen=True)
class ComplianceLine:
    """One SLA measure (a rate 0-1, None when nothing was due) this quarter and the one before, against the goal."""

    measure: str
    this_quarter: float | None
    previous: float | None
    goal: float

    @property
    def band(self) -> SlaBand | None:
        return band(self.this_quarter, self.goal)


@dataclass(frozen=True)
class TicketLine:
    number: str
    subject: str
    severity: Severity
    status: TicketStatus
    opened: datetime
    first_response_met: bool | None
    resolved: datetime | None


@dataclass(frozen=True)
class EscalationLine:
    """An escalation opened in the quarter and where it stands; its reasons are internal notes."""

    ticket: str
    subject: str
    severity: Severity
    state: EscalationState
    opened: datetime
    closed: datetime | None

    @property
    def outcome(self) -> str:
        """How it ended, or that it is still open and at which step, in words a customer reads."""
        if self.state is EscalationState.RESOLVED:
            return "Resolved"
        if self.state is EscalationState.DECLINED:
            return "Closed without escalation"
        return f"Open: {self.state.label.lower()}"


@dataclass(frozen=True)
class DefectLine:
    """A defect linked to the customer's tickets: fixed in the quarter, or open now."""

    title: str
    engineering_key: str  # internal: the engineering tracker's key
    severity: Severity
    state: DefectState
    tickets: tuple[str, ...]  # the customer's own tickets only
    fix_version: str
    deployed_on: date | None
    fixed_in_quarter: bool  # else it was open at the quarter's end (or is open now, in the running quarter)


@dataclass(frozen=True)
class SeatFigures:
    allowance: int
    active: int
    pending: int  # requested or granted, not yet in use
    revoked: int
    seats: tuple[SeatRow, ...]  # the seats in use, then the revoked ones


@dataclass(frozen=True)
class OnboardingStepLine:
    position: int
    title: str
    due: date | None
    done_at: datetime | None


@dataclass(frozen=True)
class OnboardingFigures:
    state: str
    done: int
    total: int
    steps: tuple[OnboardingStepLine, ...]


@dataclass(frozen=True)
class HealthFigures:
    """Internal: the customer's health (computed now in the running quarter, else the quarter's last weekly reading)
    with its reasons, and the weekly readings up to the quarter's end for the trend."""

    score: int
    band: Band
    as_of: date
    computed_now: bool  # True: computed at the review's now; False: the weekly reading of ``as_of``'s week
    reasons: tuple[Reason, ...]
    trend: tuple[HealthPoint, ...]  # oldest first

    @property
    def change(self) -> int | None:
        """Points gained (or lost, negative) since the first reading of the trend; None without an earlier one."""
        earlier = [p for p in self.trend if p.week < self.as_of] if not self.computed_now else list(self.trend)
        return self.score - earlier[0].score if earlier else None


@dataclass(frozen=True)
class ContractFigures:
    support_tier: str
    edition: str
    entitlement_start: date | None
    entitlement_end: date | None
    renewal_on: date | None
    arr: float | None  # internal
    currency: str


@dataclass(frozen=True)
class Highlight:
    at: datetime
    kind: str  # "Meeting", "Call"
    title: str


@dataclass(frozen=True)
class OpenFollowUp:
    what: str
    owner: str
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class InternalNote:
    """A text the customer must not see: where it belongs and what it says."""

    at: datetime | None
    about: str  # "Ticket T-1", "Escalation of T-5", "Meeting: Quarterly planning"
    what: str  # "Ticket notes", "Escalation reason", "Meeting notes"...
    text: str


@dataclass(frozen=True)
class QuarterlyReview:
    customer_id: int
    customer: str
    tam: str
    time_zone: ZoneInfo
    quarter: Quarter
    now: datetime
    sla_policy: str
    partial: str | None  # "Partial: 1 Jan–10 Mar so far; …" while the quarter runs
    volume: tuple[SeverityVolume, ...]
    compliance: tuple[ComplianceLine, ...]
    breaches: tuple[int, int]  # this quarter, previous
    tickets: tuple[TicketLine, ...]
    escalations: tuple[EscalationLine, ...]
    defects: tuple[DefectLine, ...]
    seats: SeatFigures
    onboarding: OnboardingFigures
    health: HealthFigures | None
    contract: ContractFigures | None
    highlights: tuple[Highlight, ...]
    follow_ups: tuple[OpenFollowUp, ...]
    internal_notes: tuple[InternalNote, ...]
    # The previous quarter, counted as this one is: escalations opened there (of them, resolved by now), defects
    # linked to the customer's tickets fixed there and open at its end.
    escalations_before: tuple[int, int] = (0, 0)
    defects_before: tuple[int, int] = (0, 0)

    @property
    def escalations_resolved(self) -> int:
        """Escalations opened this quarter that are resolved by now."""
        return sum(e.state is EscalationState.RESOLVED for e in self.escalations)

    @property
    def ticket_count(self) -> tuple[int, int]:
        """Tickets opened this quarter and the quarter before."""
        return sum(v.this_quarter for v in self.volume), sum(v.previous for v in self.volume)

    @property
    def goal(self) -> float:
        return self.compliance[0].goal

    @property
    def defects_fixed(self) -> int:
        return sum(d.fixed_in_quarter for d in self.defects)

    @property
    def defects_open(self) -> int:
        return sum(not d.fixed_in_quarter for d in self.defects)


def quarterly_review(customer_id: int, quarter: Quarter, now: datetime) -> QuarterlyReview:
    """The review of ``quarter`` for the customer, as of ``now``; a customer without any data gets an empty one.

    Raises:
        NotFound: the customer does not exist.
        FieldError: the quarter has not started yet (in the customer's time zone).
    """
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    tz = ZoneInfo(customer.time_zone)
    today = now.astimezone(tz).date()
    if quarter.start > today:
        current = quarter_of(today)
        raise FieldError(
            "quarter",
            f"{quarter.label} has not started yet: choose {current.code} ({current.label}) or an earlier one.",
        )
    scope = ReportScope(tz=tz, start=quarter.start, end=quarter.end, customer_ids=frozenset({customer_id}))
    previous_scope = ReportScope(
        tz=tz, start=quarter.previous.start, end=quarter.previous.end, customer_ids=frozenset({customer_id})
    )
    review = sla_review(scope, now)
    before = sla_report(previous_scope, now)
    this_lines, previous_lines = review.report.tickets, before.tickets
    notes = [InternalNote(None, "Account", "Customer notes", customer.notes)] if customer.notes.strip() else []
    return QuarterlyReview(
        customer_id=customer_id,
        customer=customer.name,
        tam=customer.tam.name if customer.tam else "",
        time_zone=tz,
        quarter=quarter,
        now=now,
        sla_policy=", ".join(review.report.policies) or customer.sla_policy.name,
        partial=_partial(quarter, today),
        volume=_volume(this_lines, previous_lines),
        compliance=_compliance(review.report.total, before.total if before.tickets else None, review.goal),
        breaches=(review.report.total.breaches, before.total.breaches),
        tickets=_tickets(this_lines),
        escalations=_escalations(customer_id, scope, now, notes),
        defects=_defects(customer_id, quarter, tz, now, notes),
        seats=_seats(customer_id, notes),
        onboarding=_onboarding(customer_id, today, notes),
        health=_health(customer_id, quarter, now, today, notes),
        contract=_contract(customer_id, today),
        highlights=_highlights(customer_id, scope, notes),
        follow_ups=_follow_ups(customer_id, today),
        internal_notes=tuple(_ticket_notes(customer_id, scope) + notes),
        escalations_before=_escalations_before(customer_id, previous_scope, now),
        defects_before=_defects_before(customer_id, quarter.previous, tz, now),
    )


def _partial(quarter: Quarter, today: date) -> str | None:
    """``Partial: 2026-01-01 to 2026-03-10 so far; the quarter runs to 2026-03-31.`` while the quarter runs."""
    if today >= quarter.last_day:
        return None
    return (
        f"Partial: {quarter.start.isoformat()} to {today.isoformat()} so far; the quarter runs to "
        f"{quarter.last_day.isoformat()}."
    )


# -- tickets and SLA ---------------------------------------------------------------------------------------------


def _volume(this: list[SlaTicketLine], previous: list[SlaTicketLine]) -> tuple[SeverityVolume, ...]:
    counts: dict[Severity, list[int]] = {s: [0, 0] for s in Severity}
    for which, lines in enumerate((this, previous)):
        for line in lines:
            counts[line.severity][which] += 1
    return tuple(SeverityVolume(s, *counts[s]) for s in Severity)


def _compliance(this: SlaFigures, previous: SlaFigures | None, goal: float) -> tuple[ComplianceLine, ...]:
    def line(measure: str, rate_of: int, severity: Severity | None = None) -> ComplianceLine:
        def rate(f: SlaFigures | None) -> float | None:
            if f is None:
                return None
            if severity is not None:
                return f.severity_rates[severity][rate_of]
            return f.first_response_rate if rate_of == 0 else f.update_rate

        return ComplianceLine(measure, rate(this if this.tickets else None), rate(previous), goal)

    lines = [line("First responses in time", 0)]
    lines += [line(f"  {s.label}", 0, s) for s in Severity]
    lines.append(line("Customer updates kept", 1))
    lines += [line(f"  {s.label}", 1, s) for s in Severity]
    return tuple(lines)


def _tickets(lines: list[SlaTicketLine]) -> tuple[TicketLine, ...]:
    ordered = sorted(lines, key=lambda x: (int(x.severity), x.opened, x.number))
    return tuple(
        TicketLine(x.number, x.subject, x.severity, x.status, x.opened, x.first_response_met, x.resolved_at)
        for x in ordered
    )


def _in_scope(scope: ReportScope, moment: datetime | None) -> bool:
    return moment is not None and scope.covers(moment)


def _ticket_notes(customer_id: int, scope: ReportScope) -> list[InternalNote]:
    """The notes on the quarter's tickets and on their history's entries."""
    low, high = scope.bounds
    query = t.Ticket.select(t.Ticket.id, t.Ticket.number, t.Ticket.opened_at, t.Ticket.notes).where(
        (t.Ticket.customer == customer_id) & (t.Ticket.opened_at >= low) & (t.Ticket.opened_at < high)
    )
    notes: list[InternalNote] = []
    numbers: dict[int, str] = {}
    for ticket_id, number, opened, text in tuples(query):
        numbers[int(ticket_id)] = number
        if text.strip():
            notes.append(InternalNote(opened, f"Ticket {number}", "Ticket notes", text))
    if numbers:
        events = t.TicketEvent.select(t.TicketEvent.ticket, t.TicketEvent.at, t.TicketEvent.note).where(
            t.TicketEvent.ticket.in_(sorted(numbers)) & (t.TicketEvent.note != "")
        )
        for ticket_id, at, text in tuples(events):
            notes.append(InternalNote(at, f"Ticket {numbers[int(ticket_id)]}", "Ticket history note", text))
    return notes


# -- escalations and defects -------------------------------------------------------------------------------------


def _escalations(
    customer_id: int, scope: ReportScope, now: datetime, notes: list[InternalNote]
) -> tuple[EscalationLine, ...]:
    rows = [r for r in list_escalations(now, customer_id=customer_id) if _in_scope(scope, r.opened_at)]
    rows.sort(key=lambda r: r.opened_at)
    if not rows:
        return ()
    records = {e.id: e for e in t.Escalation.select().where(t.Escalation.id.in_([r.id for r in rows]))}
    subjects = dict(tuples(t.Ticket.select(t.Ticket.number, t.Ticket.subject).where(t.Ticket.customer == customer_id)))
    entries: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for esc_id, at, text in tuples(
        t.EscalationEntry.select(t.EscalationEntry.escalation, t.EscalationEntry.at, t.EscalationEntry.text).where(
            t.EscalationEntry.escalation.in_(sorted(records)) & (t.EscalationEntry.text != "")
        )
    ):
        entries[int(esc_id)].append((at, text))
    lines = []
    for row in rows:
        esc = records[row.id]
        about = f"Escalation of {row.ticket_number}"
        for what, text in (
            ("Escalation reason", esc.reason),
            ("Business impact", esc.business_impact),
            ("Desired outcome", esc.desired_outcome),
            ("VP note", esc.vp_note),
            ("Decline reason", esc.decline_reason),
        ):
            if text.strip():
                notes.append(InternalNote(row.opened_at, about, what, text))
        notes.extend(InternalNote(at, about, "Escalation update", text) for at, text in entries[row.id])
        lines.append(EscalationLine(row.ticket_number, subjects.get(row.ticket_number, ""), row.severity,
                                    row.state, row.opened_at, row.closed_at))  # fmt: skip
    return tuple(lines)


def _escalations_before(customer_id: int, scope: ReportScope, now: datetime) -> tuple[int, int]:
    """Escalations opened in the previous quarter, and how many of them are resolved."""
    rows = [r for r in list_escalations(now, customer_id=customer_id) if _in_scope(scope, r.opened_at)]
    return len(rows), sum(r.state is EscalationState.RESOLVED for r in rows)


def _defects_before(customer_id: int, quarter: Quarter, tz: ZoneInfo, now: datetime) -> tuple[int, int]:
    """Defects linked to the customer's tickets fixed in ``quarter``, and open at its end."""
    end = datetime.combine(quarter.end, time(), tz)
    fixed = still_open = 0
    for row in list_defects(now, customer_id=customer_id):
        if row.deployed_on is not None and quarter.covers(row.deployed_on):
            fixed += 1
        elif _open_at(row, end, quarter.end):
            still_open += 1
    return fixed, still_open


def _defects(
    customer_id: int, quarter: Quarter, tz: ZoneInfo, now: datetime, notes: list[InternalNote]
) -> tuple[DefectLine, ...]:
    own: dict[int, list[str]] = defaultdict(list)
    links = (
        t.DefectTicket.select(t.DefectTicket.defect, t.Ticket.number)
        .join(t.Ticket)
        .where(t.Ticket.customer == customer_id)
        .order_by(t.Ticket.number)
    )
    for defect_id, number in tuples(links):
        own[int(defect_id)].append(number)
    lines = []
    internal = {}
    if own:
        query = t.Defect.select(t.Defect.id, t.Defect.repro_notes, t.Defect.priority_reason).where(
            t.Defect.id.in_(sorted(own))
        )
        internal = {int(i): (repro, why) for i, repro, why in tuples(query)}
    end = datetime.combine(quarter.end, time(), tz)
    for row in list_defects(now, customer_id=customer_id):
        fixed = row.deployed_on is not None and quarter.covers(row.deployed_on)
        if not (fixed or _open_at(row, end, quarter.end)):
            continue  # neither fixed in the quarter nor open at its end
        lines.append(DefectLine(row.title, row.engineering_key, row.severity, row.state, tuple(own.get(row.id, ())),
                                row.fix_version, row.deployed_on, fixed))  # fmt: skip
        repro, why = internal.get(row.id, ("", ""))
        about = f"Defect {row.engineering_key or '#' + str(row.id)}: {row.title}"
        for what, text in (("Reproduction notes", repro), ("Priority reason", why)):
            if text.strip():
                notes.append(InternalNote(row.reported_at, about, what, text))
    lines.sort(key=lambda d: (not d.fixed_in_quarter, int(d.severity), d.title.casefold()))
    return tuple(lines)


# -- seats, onboarding, health, contract ------------------------------------------------------------------------


def _seats(customer_id: int, notes: list[InternalNote]) -> SeatFigures:
    overview = seat_overview(customer_id)
    for seat in overview.history:
        if seat.revoke_reason.strip():
            notes.append(InternalNote(seat.revoked_at, seat.label, "Revoke reason", seat.revoke_reason))
    active = sum(s.status is SeatStatus.ACTIVE for s in overview.seats)
    return SeatFigures(
        overview.allowance, active, len(overview.seats) - active, len(overview.history),
        overview.seats + overview.history,
    )  # fmt: skip


def _onboarding(customer_id: int, today: date, notes: list[InternalNote]) -> OnboardingFigures:
    steps = checklist(customer_id, today)
    notes.extend(
        InternalNote(s.done_at, f"Onboarding step {s.position}", "Step note", s.note)
        for s in steps.steps
        if s.note.strip()
    )
    lines = tuple(OnboardingStepLine(s.position, s.title, s.due_date, s.done_at) for s in steps.steps)
    return OnboardingFigures(steps.state.label, steps.done, steps.total, lines)


def _health(
    customer_id: int, quarter: Quarter, now: datetime, today: date, notes: list[InternalNote]
) -> HealthFigures | None:
    """Health as the health service computes it: now, in the running quarter; for a past quarter its last weekly
    reading. The trend is the weekly readings of the last HEALTH_TREND_WEEKS weeks up to the quarter's end."""
    as_of = min(quarter.last_day, today)
    trend = tuple(p for p in health_history(customer_id) if p.week <= as_of)[-HEALTH_TREND_WEEKS:]
    if quarter.covers(today):
        health = customer_health(customer_id, now)
        figures = HealthFigures(health.score, health.band, today, True, health.reasons, trend)
    elif trend:
        last = trend[-1]
        figures = HealthFigures(
            last.score, last.band, last.week, False, snapshot_reasons(customer_id, last.week), trend
        )
    else:
        return None
    about = f"Health on {figures.as_of.isoformat()}" if figures.computed_now else f"Health, week of {figures.as_of}"
    notes.extend(InternalNote(None, about, "Health reason", str(r)) for r in figures.reasons)
    return figures


def _contract(customer_id: int, today: date) -> ContractFigures | None:
    """The contract facts as the contract service reads them; None when none was recorded."""
    view = get_contract(customer_id, today)
    if not view.version:
        return None
    c = view.facts
    arr = c.arr_cents / 100 if c.arr_cents is not None else None
    return ContractFigures(c.support_tier, c.edition, c.entitlement_start, c.entitlement_end, c.renewal_on, arr,
                           c.currency)  # fmt: skip


# -- timeline ----------------------------------------------------------------------------------------------------


def _highlights(customer_id: int, scope: ReportScope, notes: list[InternalNote]) -> tuple[Highlight, ...]:
    """The quarter's meetings and calls, oldest first; every entry's body is an internal note."""
    entries = [(i, i.kind) for i in entry_items(customer_id) if i.kind is not None and scope.covers(i.at)]
    highlights = []
    for item, kind in sorted(entries, key=_when):
        if item.text.strip():
            what = f"{kind.label} notes" if kind in HIGHLIGHT_KINDS else kind.label
            notes.append(InternalNote(item.at, f"{kind.label}: {item.title}", what, item.text))
        if kind in HIGHLIGHT_KINDS:
            highlights.append(Highlight(item.at, kind.label, item.title))
    return tuple(highlights)


def _when(entry: tuple[TimelineItem, EntryKind]) -> datetime:
    return entry[0].at


def _follow_ups(customer_id: int, today: date) -> tuple[OpenFollowUp, ...]:
    """Follow-ups not done yet, soonest due first."""
    rows = open_follow_ups(today, customer_id=customer_id)
    return tuple(OpenFollowUp(r.what, r.owner, r.due_on, r.overdue) for r in rows)

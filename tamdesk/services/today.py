"""What needs the TAM now: the Today page's rows and the notifications' events, in one read.

Every section is one or two SQL queries over the open records only (open tickets, open defects, open escalations,
open onboarding steps, pending seats), so the 100,000-ticket demo stays quick; SLA state is still recomputed from
each ticket's history by the domain's ``evaluate``, never read from a flag.

A ticket appears once: under *tickets* while its first response is pending and at risk or breached, under
*customer updates* once support has answered and the update clock is at risk or breached. A defect appears once per
linked customer in scope whose own update clock is overdue or due within a business day. Archived customers are
left out. ``tam=None`` covers every customer; a name covers the customers whose TAM has that name.
*Accounts* lists renewals within 120 days (stepping up at 90 and 60) and customers on a version older than a
deployed fix they wait for (``services.contracts``, ``services.versions``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState, TicketEvent, evaluate
from tamdesk.domain.states import DefectState, EscalationState, SeatStatus, TicketEventKind, TicketStatus
from tamdesk.domain.vp_rule import vp_apprisal
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.contracts import renewals_due
from tamdesk.services.defects import customer_update_clocks
from tamdesk.services.escalations import NEXT_STEP, vp_limit
from tamdesk.services.follow_ups import FollowUpRow, open_follow_ups
from tamdesk.services.scope import tam_person_ids
from tamdesk.services.severity_history import severity_changes_for, ticket_history
from tamdesk.services.sla import SlaResolver
from tamdesk.services.stakeholder_alerts import StakeholderLost, stakeholders_lost
from tamdesk.services.tickets import CLOSED
from tamdesk.services.versions import waiting_for_fixes

ONBOARDING_HORIZON = timedelta(days=3)
FOLLOW_UP_HORIZON = timedelta(days=7)
if TYPE_CHECKING:
    from tamdesk.services.health import HealthDrop

_OPEN_TICKET = tuple(s.value for s in TicketStatus if s not in CLOSED)
_OPEN_DEFECT = tuple(s.value for s in DefectState if s.is_open)
_OPEN_ESCALATION = tuple(s.value for s in EscalationState if s.is_open)
_PENDING_SEAT = (SeatStatus.REQUESTED.value, SeatStatus.GRANTED.value)


class Section(StrEnum):
    """The kinds of thing the Today page lists, in the order it shows them."""

    TICKETS = "tickets"
    UPDATES = "updates"
    ESCALATIONS = "escalations"
    ONBOARDING = "onboarding"
    SEATS = "seats"
    FOLLOW_UPS = "follow_ups"
    STAKEHOLDERS = "stakeholders"
    ACCOUNTS = "accounts"
    HEALTH = "health"

    @property
    def label(self) -> str:
        """The section's heading."""
        return _LABELS[self]


_LABELS = {
    Section.TICKETS: "Tickets breached or at risk",
    Section.UPDATES: "Customer updates due",
    Section.ESCALATIONS: "Escalations waiting on someone",
    Section.ONBOARDING: "Onboarding steps due",
    Section.SEATS: "Portal seats pending",
    Section.FOLLOW_UPS: "Follow-ups due",
    Section.STAKEHOLDERS: "Key stakeholders lost",
    Section.ACCOUNTS: "Renewals and fixes not yet installed",
    Section.HEALTH: "Health dropped",
}


@dataclass(frozen=True, slots=True)
class TicketAlert:
    """A ticket whose first response is at risk or breached."""

    ticket_id: int
    number: str
    customer_id: int
    customer: str
    subject: str
    severity: Severity
    state: SlaState
    deadline: datetime

    @property
    def breached(self) -> bool:
        return self.state is SlaState.BREACHED

    @property
    def target(self) -> tuple[str, int]:
        """What opens it: ``(kind, id)``."""
        return ("ticket", self.ticket_id)


class UpdateSource(StrEnum):
    TICKET = "ticket"
    DEFECT = "defect"


@dataclass(frozen=True, slots=True)
class UpdateDue:
    """A customer update that is due: a ticket's update clock at risk or breached, or a defect's cadence."""

    source: UpdateSource
    item_id: int
    reference: str  # "T-1042" or "Defect #7"
    customer_id: int
    customer: str  # for a defect: the one customer whose own update clock this row is
    title: str
    severity: Severity
    due: datetime
    overdue: bool

    @property
    def target(self) -> tuple[str, int]:
        return (self.source.value, self.item_id)


@dataclass(frozen=True, slots=True)
class EscalationWaiting:
    """An open escalation and who it waits on for what."""

    escalation_id: int
    ticket_id: int
    ticket_number: str
    customer_id: int
    customer: str
    severity: Severity
    state: EscalationState
    waiting_on: str
    next_step: str
    opened_at: datetime
    age_business_days: float
    reason: str
    customer_tam: str = ""  # who "TAM" is, when the escalation waits on the TAM
    vp_due_at: datetime | None = None  # set while the VP rule says the VP is to be apprised: since when
    vp_days: int = 0  # the VP rule's limit in business days

    @property
    def vp_owed(self) -> bool:
        """True while the VP of Customer Success is to be apprised (open past the VP rule's limit, not apprised)."""
        return self.vp_due_at is not None

    @property
    def target(self) -> tuple[str, int]:
        return ("escalation", self.escalation_id)


@dataclass(frozen=True, slots=True)
class OnboardingDue:
    """An onboarding step not done, due within ``ONBOARDING_HORIZON`` or overdue."""

    step_id: int
    customer_id: int
    customer: str
    title: str
    due: date
    overdue: bool

    @property
    def target(self) -> tuple[str, int]:
        return ("onboarding", self.customer_id)


@dataclass(frozen=True, slots=True)
class SeatPending:
    """A portal seat requested but not granted, or granted but its welcome not confirmed."""

    seat_id: int
    customer_id: int
    customer: str
    seat_no: int
    full_name: str
    email: str
    status: SeatStatus
    since: datetime  # requested (while requested) or granted (while granted)

    @property
    def target(self) -> tuple[str, int]:
        return ("seats", self.customer_id)


@dataclass(frozen=True, slots=True)
class AccountAlert:
    """A renewal within 120 days (or passed), or a customer on an older version than a deployed fix it waits for."""

    kind: str  # "renewal" or "fix"
    item_id: int  # the customer (a renewal) or the defect (a fix)
    customer_id: int
    customer: str
    headline: str  # "Renewal in 88 days (3 Mar 2027)" or "Runs 436-e.9; the fix is in 437-e.2"
    detail: str
    on: date  # the renewal date, or the day the fix was deployed
    urgent: bool  # a renewal within 60 days or passed

    @property
    def target(self) -> tuple[str, int]:
        return ("contract" if self.kind == "renewal" else "defect", self.item_id)


@dataclass(frozen=True)
class TodayItems:
    """Everything that needs the TAM at ``now``; each tuple is sorted most urgent first."""

    now: datetime
    tam: str | None
    customers: int  # customers in scope
    tickets: tuple[TicketAlert, ...] = ()
    updates: tuple[UpdateDue, ...] = ()
    escalations: tuple[EscalationWaiting, ...] = ()
    onboarding: tuple[OnboardingDue, ...] = ()
    seats: tuple[SeatPending, ...] = ()
    follow_ups: tuple[FollowUpRow, ...] = ()
    stakeholders: tuple[StakeholderLost, ...] = ()
    accounts: tuple[AccountAlert, ...] = ()
    health: tuple[HealthDrop, ...] = ()  # customers whose health dropped since last week, the biggest fall first

    def rows(self, section: Section) -> Sequence[object]:
        return getattr(self, section.value)  # type: ignore[no-any-return]

    def counts(self) -> dict[Section, int]:
        """How many rows each section holds."""
        return {section: len(self.rows(section)) for section in Section}

    def urgent(self) -> dict[Section, int]:
        """How many rows of each section are past their deadline (breached or overdue)."""
        return {
            Section.TICKETS: sum(1 for r in self.tickets if r.breached),
            Section.UPDATES: sum(1 for r in self.updates if r.overdue),
            Section.ESCALATIONS: sum(1 for r in self.escalations if r.vp_owed),
            Section.ONBOARDING: sum(1 for r in self.onboarding if r.overdue),
            Section.SEATS: 0,
            Section.FOLLOW_UPS: sum(1 for r in self.follow_ups if r.overdue),
            Section.STAKEHOLDERS: 0,
            Section.ACCOUNTS: sum(1 for r in self.accounts if r.urgent),
            Section.HEALTH: sum(1 for r in self.health if r.now.band.value == "red"),
        }

    @property
    def total(self) -> int:
        return sum(self.counts().values())


# -- scope ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """The SQL condition on customer ``c`` for the customers in scope."""

    sql: str
    params: tuple[object, ...]

    @classmethod
    def of(cls, tam: str | None) -> _Scope:
        if tam is None:
            return cls("NOT c.archived", ())
        ids = tam_person_ids(tam) or [-1]
        return cls(f"NOT c.archived AND c.tam_id IN ({_marks(len(ids))})", tuple(ids))


def _marks(n: int) -> str:
    return ", ".join([database.obj.param] * n)


def _in(values: Sequence[object]) -> str:
    return f"({_marks(len(values))})"


def _at(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(int(epoch), UTC)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# -- tickets ----------------------------------------------------------------------------------------------------

_TICKETS = """
SELECT t.id, t.number, t.customer_id, c.name, t.subject, t.severity, t.opened_at
FROM ticket t JOIN customer c ON c.id = t.customer_id
WHERE t.status IN {statuses} AND {scope}
"""
_EVENTS = """
SELECT e.ticket_id, e.at, e.kind
FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id JOIN customer c ON c.id = t.customer_id
WHERE t.status IN {statuses} AND {scope}
"""


def _open_ticket_events(scope: _Scope) -> dict[int, list[TicketEvent]]:
    sql = _EVENTS.format(statuses=_in(_OPEN_TICKET), scope=scope.sql)
    kinds = {k.value: k for k in TicketEventKind}
    events: dict[int, list[TicketEvent]] = {}
    for tid, at, kind in database.execute_sql(sql, [*_OPEN_TICKET, *scope.params]):
        events.setdefault(tid, []).append(TicketEvent(datetime.fromtimestamp(at, UTC), kinds[kind]))
    return events


def _tickets(
    now: datetime, scope: _Scope, resolver: SlaResolver, *, every: bool = False
) -> tuple[list[TicketAlert], list[UpdateDue]]:
    """Open tickets whose next SLA deadline is at risk or breached (``every``: any next deadline), split by the
    clock that runs."""
    sql = _TICKETS.format(statuses=_in(_OPEN_TICKET), scope=scope.sql)
    raw = list(database.execute_sql(sql, [*_OPEN_TICKET, *scope.params]))
    events = _open_ticket_events(scope)
    changes = severity_changes_for([r[0] for r in raw]) if len(raw) < 900 else severity_changes_for()
    alerts: list[TicketAlert] = []
    updates: list[UpdateDue] = []
    for tid, number, cid, customer, subject, sev, opened in raw:
        opened_at = datetime.fromtimestamp(opened, UTC)
        if opened_at > now:
            continue  # opened "in the future" by a skewed clock: nothing can be due yet
        severity = Severity(sev)
        history = ticket_history(opened_at, severity, events.get(tid, ()), changes.get(tid, ()))
        sla = evaluate(history, resolver.policy(cid, opened_at), resolver.calendar(cid), max(now, history.opened))
        if not (every or sla.state.needs_attention) or sla.deadline is None:
            continue
        if sla.first_response_at is None:
            alerts.append(TicketAlert(tid, number, cid, customer, subject, severity, sla.state, sla.deadline))
        else:
            overdue = sla.state is SlaState.BREACHED
            updates.append(
                UpdateDue(UpdateSource.TICKET, tid, number, cid, customer, subject, severity, sla.deadline, overdue)
            )
    alerts.sort(key=lambda a: (a.deadline, int(a.severity), a.number))
    return alerts, updates


# -- defects ----------------------------------------------------------------------------------------------------

_DEFECTS = """
SELECT d.id FROM defect d
WHERE d.state IN {states} AND d.escalated_at IS NOT NULL AND EXISTS (
    SELECT 1 FROM defect_ticket dt JOIN ticket t ON t.id = dt.ticket_id JOIN customer c ON c.id = t.customer_id
    WHERE dt.defect_id = d.id AND {scope} AND (d.state <> {p} OR EXISTS (
        SELECT 1 FROM installed_version iv WHERE iv.customer_id = c.id AND iv.environment = {p})))
"""
# a deployed fix keeps a customer's duty running until it runs the fix: only customers with a production version
# recorded can be waiting for it (services.versions)
_DUTY_STATES = (*_OPEN_DEFECT, DefectState.FIX_DEPLOYED.value)


def _in_scope(scope: _Scope) -> set[int]:
    sql = f"SELECT c.id FROM customer c WHERE {scope.sql}"
    return {cid for (cid,) in database.execute_sql(sql, list(scope.params))}


def _defects(now: datetime, scope: _Scope, *, every: bool = False) -> list[UpdateDue]:
    """One row per customer in scope whose own update clock on an open defect is overdue or due within a business day
    (``every``: whose clock runs).

    Each linked customer's clock runs on its own calendar from its link or the escalation, whichever is later, and
    only its own updates (or one to every linked customer) reset it: ``domain.defect_updates``, as the defect list.
    Only escalated defects have running clocks, so only those are read; a deployed one only while a linked
    customer with a production version recorded may still wait for the fix.
    """
    sql = _DEFECTS.format(states=_in(_DUTY_STATES), scope=scope.sql, p=database.obj.param)
    params = [*_DUTY_STATES, *scope.params, DefectState.FIX_DEPLOYED.value, "production"]
    ids = [did for (did,) in database.execute_sql(sql, params)]
    if not ids:
        return []
    defects = [
        d
        for start in range(0, len(ids), 900)
        for d in t.Defect.select().where(t.Defect.id.in_(ids[start : start + 900]))
    ]
    clocks = customer_update_clocks(defects, now)
    mine = _in_scope(scope)
    rows = []
    for defect in defects:
        for update in clocks[defect.id]:
            clock = update.clock
            if clock.customer_id in mine and (every or clock.duty.needs_attention) and clock.next_due is not None:
                rows.append(
                    UpdateDue(
                        UpdateSource.DEFECT, defect.id, f"Defect #{defect.id}", clock.customer_id, update.customer,
                        defect.title, Severity(defect.severity), clock.next_due, clock.overdue,
                    )
                )  # fmt: skip
    return rows


def overdue_defect_updates(now: datetime, customer_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Per customer (not archived; only ``customer_ids`` when given), how many open defects owe it an overdue
    update at ``now``: the rows Today marks overdue."""
    if customer_ids is not None and not customer_ids:
        return {}
    scope = (
        _Scope.of(None)
        if customer_ids is None
        else _Scope(f"NOT c.archived AND c.id IN {_in(customer_ids)}", tuple(customer_ids))
    )
    counts: dict[int, int] = {}
    for row in _defects(now, scope):
        if row.overdue:
            counts[row.customer_id] = counts.get(row.customer_id, 0) + 1
    return counts


def customer_ids_of(tam: str | None) -> list[int]:
    """The customers in Today's scope: not archived, and with ``tam`` as TAM when a name is given."""
    return sorted(_in_scope(_Scope.of(" ".join(tam.split()) if tam is not None else None)))


# -- escalations, onboarding, seats -------------------------------------------------------------------------------

_ESCALATIONS = """
SELECT e.id, e.state, e.opened_at, e.reason, t.id, t.number, t.severity, c.id, c.name, p.name, tam.name,
       e.vp_apprised, e.vp_apprised_at
FROM escalation e JOIN ticket t ON t.id = e.ticket_id JOIN customer c ON c.id = t.customer_id
LEFT JOIN person p ON p.id = e.support_manager_id LEFT JOIN person tam ON tam.id = c.tam_id
WHERE e.state IN {states} AND {scope}
ORDER BY e.opened_at, e.id
"""


def _waiting_on(state: EscalationState, manager: str | None) -> tuple[str, str]:
    """Who the escalation waits on and for what, as ``services.escalations`` names them."""
    owner, step = NEXT_STEP.get(state, ("", ""))
    if owner == "support manager" and manager:
        owner = manager
    return owner, step


def _escalations(now: datetime, scope: _Scope, resolver: SlaResolver) -> list[EscalationWaiting]:
    """Open escalations: those owing the VP an apprisal first (longest owed first), then the longest waiting."""
    sql = _ESCALATIONS.format(states=_in(_OPEN_ESCALATION), scope=scope.sql)
    days = vp_limit().business_days
    rows = []
    for (
        eid,
        state,
        opened,
        reason,
        tid,
        number,
        sev,
        cid,
        customer,
        manager,
        tam,
        apprised,
        apprised_at,
    ) in database.execute_sql(sql, [*_OPEN_ESCALATION, *scope.params]):
        esc_state = EscalationState(state)
        owner, step = _waiting_on(esc_state, manager)
        opened_at = datetime.fromtimestamp(opened, UTC)
        calendar = resolver.calendar(cid)
        age = calendar.elapsed(opened_at, now) / BUSINESS_DAY
        # apprised at an unknown time counts as apprised, as services.escalations reads it
        apprised_on = _at(apprised_at) or (opened_at if apprised else None)
        vp = vp_apprisal(opened_at, None, apprised_on, now, days, calendar)
        rows.append(
            EscalationWaiting(
                eid, tid, number, cid, customer, Severity(sev), esc_state, owner, step, opened_at, round(age, 1),
                reason, tam or "", vp.due_at if vp.owed else None, days,
            )
        )  # fmt: skip
    return sorted(rows, key=lambda r: (not r.vp_owed, r.vp_due_at or r.opened_at))


_ONBOARDING = """
SELECT s.id, s.customer_id, c.name, s.title, s.due_date
FROM onboarding_step s JOIN customer c ON c.id = s.customer_id
WHERE s.done_at IS NULL AND s.due_date IS NOT NULL AND s.due_date <= {p} AND {scope}
ORDER BY s.due_date, c.name, s.position
"""


def _onboarding(today: date, scope: _Scope) -> list[OnboardingDue]:
    """Steps not done that are overdue or due within ``ONBOARDING_HORIZON`` of ``today``, soonest first."""
    horizon = (today + ONBOARDING_HORIZON).isoformat()  # ISO text compares as a date on both engines
    sql = _ONBOARDING.format(p=database.obj.param, scope=scope.sql)
    return [
        OnboardingDue(sid, cid, customer, title, _day(due), _day(due) < today)
        for sid, cid, customer, title, due in database.execute_sql(sql, [horizon, *scope.params])
    ]


_SEATS = """
SELECT s.id, s.customer_id, c.name, s.seat_no, s.full_name, s.email, s.status, s.requested_at, s.granted_at
FROM portal_seat s JOIN customer c ON c.id = s.customer_id
WHERE s.status IN {statuses} AND {scope}
"""


def _seats(scope: _Scope) -> list[SeatPending]:
    """Seats requested but not granted, or granted but not confirmed, the longest waiting first."""
    sql = _SEATS.format(statuses=_in(_PENDING_SEAT), scope=scope.sql)
    rows = []
    for sid, cid, customer, seat_no, name, email, status, requested, granted in database.execute_sql(
        sql, [*_PENDING_SEAT, *scope.params]
    ):
        seat_status = SeatStatus(status)
        since = _at(granted if seat_status is SeatStatus.GRANTED and granted is not None else requested)
        assert since is not None
        rows.append(SeatPending(sid, cid, customer, seat_no, name, email, seat_status, since))
    return sorted(rows, key=lambda r: (r.since, r.customer.casefold(), r.seat_no))


def _accounts(today: date, scope: _Scope) -> list[AccountAlert]:
    """Renewals warning at 120, 90 and 60 days (``domain.contracts``), then customers waiting for a deployed fix."""
    mine = _in_scope(scope)
    rows = [
        AccountAlert("renewal", r.customer_id, r.customer_id, r.customer, r.warning.text,
                     f"Warned from {r.warning.threshold} days before the renewal" if r.warning.threshold
                     else "Renew the contract or record the new renewal date",
                     r.warning.renewal_on, r.warning.passed or r.warning.threshold == 60)
        for r in renewals_due(today, mine)
    ]  # fmt: skip
    for w in waiting_for_fixes(mine):
        product = f"{w.product} " if w.product else ""
        deployed = f" deployed {w.deployed_on.isoformat()}" if w.deployed_on else ""
        rows.append(
            AccountAlert("fix", w.defect_id, w.customer_id, w.customer,
                         f"Runs {product}{w.installed}; the fix is in {w.fix_version}",
                         f"Defect #{w.defect_id}: {w.title} (fix{deployed}); updates are owed until it is installed",
                         w.deployed_on or today, False)
        )  # fmt: skip
    return rows


# -- all together -------------------------------------------------------------------------------------------------


def _scope_of(tam: str | None) -> _Scope:
    return _Scope.of(" ".join(tam.split()) if tam is not None else None)


def customers_in_scope(tam: str | None) -> set[int]:
    """Ids of the customers Today covers for ``tam`` (None: every customer not archived), for other views of them."""
    return _in_scope(_scope_of(tam))


def upcoming_deadlines(now: datetime, *, tam: str | None) -> tuple[list[TicketAlert], list[UpdateDue]]:
    """Every running deadline of the customers in scope, not only those at risk (a calendar shows what comes):
    open tickets' first responses, and the customer updates of open tickets and of defects (one per customer);
    rows as Today's, unsorted. Meant for a background thread."""
    scope = _scope_of(tam)
    tickets, updates = _tickets(now, scope, SlaResolver(), every=True)
    return tickets, updates + _defects(now, scope, every=True)


def _customers_in(scope: _Scope) -> int:
    sql = f"SELECT count(*) FROM customer c WHERE {scope.sql}"
    return int(database.execute_sql(sql, list(scope.params)).fetchone()[0])


def needs_attention(
    now: datetime,
    *,
    tam: str | None,
    sections: Collection[Section] = tuple(Section),
    today: date | None = None,
) -> TodayItems:
    """What needs the TAM at ``now``; meant for a background thread.

    Args:
        now: the instant SLA clocks and ages are evaluated at (timezone-aware).
        tam: a TAM's name to cover only that TAM's customers; None for every customer.
        sections: the sections to compute (the notifier asks for tickets and updates only).
        today: the user's calendar date for onboarding due dates; default ``now``'s date in the local zone.
    """
    from tamdesk.services.health import health_drops  # health reads this module's defect clocks: imported here

    scope = _Scope.of(" ".join(tam.split()) if tam is not None else None)
    today = today or now.astimezone().date()
    resolver = SlaResolver()
    tickets: list[TicketAlert] = []
    updates: list[UpdateDue] = []
    if Section.TICKETS in sections or Section.UPDATES in sections:
        tickets, updates = _tickets(now, scope, resolver)
    if Section.UPDATES in sections:
        updates += _defects(now, scope)
        updates.sort(key=lambda u: (u.due, int(u.severity), u.reference))
    return TodayItems(
        now=now,
        tam=tam,
        customers=_customers_in(scope),
        tickets=tuple(tickets) if Section.TICKETS in sections else (),
        updates=tuple(updates),
        escalations=tuple(_escalations(now, scope, resolver)) if Section.ESCALATIONS in sections else (),
        onboarding=tuple(_onboarding(today, scope)) if Section.ONBOARDING in sections else (),
        seats=tuple(_seats(scope)) if Section.SEATS in sections else (),
        follow_ups=tuple(_follow_ups(today, tam)) if Section.FOLLOW_UPS in sections else (),
        stakeholders=tuple(stakeholders_lost(now, _in_scope(scope))) if Section.STAKEHOLDERS in sections else (),
        accounts=tuple(_accounts(today, scope)) if Section.ACCOUNTS in sections else (),
        health=tuple(health_drops(now, tam, today)) if Section.HEALTH in sections else (),
    )


def _follow_ups(today: date, tam: str | None) -> list[FollowUpRow]:
    """Follow-ups not done that are overdue or due within ``FOLLOW_UP_HORIZON`` of ``today``, soonest first."""
    return open_follow_ups(today, tam=" ".join(tam.split()) if tam else None, due_by=today + FOLLOW_UP_HORIZON)

"""Customer health (``domain.health``): the facts it is computed from, read for every customer at once, its weights
in Settings, and a weekly snapshot of each customer's score for the trend.

The facts of all customers come from a handful of set-based queries (one GROUP BY per kind of fact), never one query
per customer. Definitions:

- *open* tickets are those not solved or closed, counted by their current severity;
- an *SLA breach* is a ticket opened in the last ``BREACH_WINDOW_DAYS`` days whose first response was missed (or is
  overdue now) or that missed a customer update, unless every one of its breaches is excused; it is recomputed from
  the ticket's history by ``domain.sla.evaluate`` as every report does, once per ticket of the window;
- *overdue defect updates* are the open defects whose update to this customer is overdue, as Today lists them;
- *last contact* is the latest timeline entry up to now that is not a note, or that a contact of the customer
  attended;
- *days to renewal* count from the user's today to the contract's renewal date.

Health is computed, never stored as a bare number: a snapshot keeps the score with its reasons, once per customer
and week (the Monday), and is only read for the trend and to tell whose health dropped since last week.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from tamdesk.domain.exemptions import apply_exemptions, first_response_breached
from tamdesk.domain.health import (
    BREACH_WINDOW_DAYS,
    Band,
    Factor,
    Health,
    HealthFacts,
    HealthWeights,
    Reason,
    WeightsRefused,
    dropped,
    parse_weights,
    score,
    week_of,
)
from tamdesk.domain.onboarding import StepStatus, onboarding_state
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import TicketEvent, evaluate, missed_update_deadlines
from tamdesk.domain.states import EscalationState, SeatStatus, TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, FieldError, NotFound, tuples
from tamdesk.services.settings import get_setting, set_setting
from tamdesk.services.severity_history import exemptions_for, severity_changes_for, ticket_history
from tamdesk.services.sla import SlaResolver
from tamdesk.services.tickets import CLOSED
from tamdesk.services.today import customer_ids_of, overdue_defect_updates

WEIGHTS_SETTING = "health.weights"
_OPEN_TICKET = tuple(s.value for s in TicketStatus if s not in CLOSED)
_OPEN_ESCALATION = tuple(s.value for s in EscalationState if s.is_open)
_PENDING_SEAT = (SeatStatus.REQUESTED.value, SeatStatus.GRANTED.value)
_NOTE = "note"  # the timeline entry kind that is not contact with the customer
_CHUNK = 900  # ids per IN list: under every engine's limit on parameters


# -- weights ------------------------------------------------------------------------------------------------------


def get_weights() -> HealthWeights:
    """The weights in Settings; the defaults where none were saved (or a stored value is unusable)."""
    stored = get_setting(WEIGHTS_SETTING, None)
    if not isinstance(stored, dict):
        return HealthWeights()
    try:
        return parse_weights(stored)
    except WeightsRefused:
        return HealthWeights()


def weights_version() -> int | None:
    """The stored weights' version for a stale-edit check (None while never saved)."""
    row = t.Setting.get_or_none(t.Setting.key == WEIGHTS_SETTING)
    return None if row is None else int(row.version)


def set_weights(
    ctx: Context, weights: HealthWeights | Mapping[str, object], expected_version: int | None = None
) -> HealthWeights:
    """Store the weights (audited like any setting); factors not given keep their current weight.

    Raises:
        FieldError: on the factor's name (or ``weights`` when they sum to 0), one sentence naming the value.
        StaleEdit: someone saved the weights since ``expected_version`` was read.
    """
    values = weights.as_dict() if isinstance(weights, HealthWeights) else weights
    try:
        checked = parse_weights(values, get_weights())
    except WeightsRefused as exc:
        raise FieldError(exc.factor.value if exc.factor else "weights", str(exc)) from None
    set_setting(ctx, WEIGHTS_SETTING, checked.as_dict(), expected_version)
    return checked


# -- facts --------------------------------------------------------------------------------------------------------


def _marks(n: int) -> str:
    return ", ".join([database.obj.param] * n)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class _Reader:
    """Runs one query per kind of fact for the customers ``ids`` (None: every customer), in chunks of ids."""

    def __init__(self, ids: Sequence[int] | None) -> None:
        self.ids = ids

    def rows(self, sql: str, column: str, params: Sequence[object] = ()) -> list[tuple]:
        """``sql`` holds ``{customers}``, replaced by a condition on ``column`` (always true without ids)."""
        if self.ids is None:
            return list(database.execute_sql(sql.format(customers="1 = 1"), list(params)).fetchall())
        found: list[tuple] = []
        for chunk in _chunks(self.ids):
            condition = f"{column} IN ({_marks(len(chunk))})"
            found += database.execute_sql(sql.format(customers=condition), [*params, *chunk]).fetchall()
        return found


_CUSTOMERS = "SELECT c.id, c.seat_allowance, c.onboarding_started FROM customer c WHERE {customers}"
_OPEN_TICKETS = """
SELECT t.customer_id, t.severity, COUNT(*) FROM ticket t
WHERE t.status IN ({statuses}) AND t.severity IN (1, 2) AND {{customers}}
GROUP BY t.customer_id, t.severity
"""
_ESCALATIONS = """
SELECT t.customer_id, COUNT(*) FROM escalation e JOIN ticket t ON t.id = e.ticket_id
WHERE e.state IN ({states}) AND {{customers}}
GROUP BY t.customer_id
"""
_SEATS = """
SELECT s.customer_id, s.status, COUNT(*) FROM portal_seat s
WHERE s.status <> {p} AND {{customers}}
GROUP BY s.customer_id, s.status
"""
_STEPS = "SELECT s.customer_id, s.due_date, s.done_at FROM onboarding_step s WHERE {customers}"
_LAST_CONTACT = """
SELECT e.customer_id, MAX(e.at) FROM timeline_entry e
WHERE e.at <= {p} AND (e.kind <> {p} OR EXISTS (
    SELECT 1 FROM timeline_attendee a WHERE a.entry_id = e.id AND a.contact_id IS NOT NULL)) AND {{customers}}
GROUP BY e.customer_id
"""
_RENEWALS = "SELECT k.customer_id, k.renewal_on FROM contract k WHERE k.renewal_on IS NOT NULL AND {customers}"
_WINDOW_TICKETS = """
SELECT t.id, t.customer_id, t.severity, t.opened_at FROM ticket t
WHERE t.opened_at >= {p} AND t.opened_at <= {p} AND {{customers}}
"""
_WINDOW_EVENTS = """
SELECT e.ticket_id, e.at, e.kind FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id
WHERE t.opened_at >= {p} AND t.opened_at <= {p} AND {{customers}}
"""


def _breaches(reader: _Reader, now: datetime) -> dict[int, int]:
    """Per customer, its tickets opened in the window that breached and are not wholly excused."""
    p = database.obj.param
    window = [_epoch(now - timedelta(days=BREACH_WINDOW_DAYS)), _epoch(now)]
    tickets = list(reader.rows(_WINDOW_TICKETS.format(p=p), "t.customer_id", window))
    if not tickets:
        return {}
    kinds = {k.value: k for k in TicketEventKind}
    stamp = datetime.fromtimestamp
    events: dict[int, list[TicketEvent]] = {}
    for tid, at, kind in reader.rows(_WINDOW_EVENTS.format(p=p), "t.customer_id", window):
        events.setdefault(tid, []).append(TicketEvent(stamp(at, UTC), kinds[kind]))
    ids = [row[0] for row in tickets]
    few = len(ids) <= _CHUNK
    changes = severity_changes_for(ids if few else None)
    exemptions = exemptions_for(ids if few else None)
    severities = {int(s): s for s in Severity}
    resolver = SlaResolver()
    found: dict[int, int] = {}
    for tid, cid, severity, opened_at in tickets:
        opened = stamp(opened_at, UTC)
        history = ticket_history(opened, severities[severity], events.get(tid, ()), changes.get(tid, ()))
        policy, calendar = resolver.policy(cid, opened), resolver.calendar(cid)
        sla = evaluate(history, policy, calendar, now)
        first, missed = first_response_breached(sla), sla.missed_updates
        if not (first or missed):
            continue
        excused = exemptions.get(tid)
        if excused:
            deadlines = missed_update_deadlines(history, policy, calendar, now) if missed else ()
            applied = apply_exemptions(sla, deadlines, excused)
            first = first and applied.first_response is None
            missed -= len(applied.updates)
        if first or missed > 0:
            found[cid] = found.get(cid, 0) + 1
    return found


def _counts(reader: _Reader, sql: str, column: str, params: Sequence[object] = ()) -> dict[int, int]:
    return {int(cid): int(n) for cid, n in reader.rows(sql, column, params)}


def health_facts(
    now: datetime, customer_ids: Collection[int] | None = None, today: date | None = None
) -> dict[int, HealthFacts]:
    """The facts of every customer that is not archived (or of ``customer_ids``, archived or not) at ``now``.

    Args:
        now: the instant tickets, escalations and defect updates are evaluated at (timezone-aware).
        customer_ids: the customers to read; None for every customer not archived.
        today: the user's date for onboarding due dates and the renewal; default ``now``'s date in the local zone.
    """
    today = today or now.astimezone().date()
    ids = None if customer_ids is None else sorted(set(customer_ids))
    reader = _Reader(ids)
    p = database.obj.param
    sql = _CUSTOMERS if ids is not None else _CUSTOMERS.replace("{customers}", "NOT c.archived AND {customers}")
    customers = {int(cid): (int(allowance), started) for cid, allowance, started in reader.rows(sql, "c.id")}
    if not customers:
        return {}
    sev: dict[tuple[int, int], int] = {}
    tickets_sql = _OPEN_TICKETS.format(statuses=_marks(len(_OPEN_TICKET)))
    for cid, severity, n in reader.rows(tickets_sql, "t.customer_id", _OPEN_TICKET):
        sev[(int(cid), int(severity))] = int(n)
    escalations = _counts(reader, _ESCALATIONS.format(states=_marks(len(_OPEN_ESCALATION))), "t.customer_id",
                          _OPEN_ESCALATION)  # fmt: skip
    seats: dict[int, dict[str, int]] = {}
    for cid, status, n in reader.rows(_SEATS.format(p=p), "s.customer_id", [SeatStatus.REVOKED.value]):
        seats.setdefault(int(cid), {})[status] = int(n)
    steps: dict[int, list[StepStatus]] = {}
    for cid, due, done in reader.rows(_STEPS, "s.customer_id"):
        steps.setdefault(int(cid), []).append(StepStatus(None if due is None else _day(due), done))
    contact = {int(cid): int(at) for cid, at in reader.rows(_LAST_CONTACT.format(p=p), "e.customer_id",
                                                            [_epoch(now), _NOTE])}  # fmt: skip
    renewals = {int(cid): _day(day) for cid, day in reader.rows(_RENEWALS, "k.customer_id")}
    breaches = _breaches(reader, now)
    defects = overdue_defect_updates(now, None if ids is None else list(customers))
    facts = {}
    for cid, (allowance, started) in customers.items():
        held = seats.get(cid, {})
        active = held.get(SeatStatus.ACTIVE.value, 0)
        pending = sum(held.get(s, 0) for s in _PENDING_SEAT)
        last = contact.get(cid)
        renewal = renewals.get(cid)
        facts[cid] = HealthFacts(
            open_sev1=sev.get((cid, 1), 0),
            open_sev2=sev.get((cid, 2), 0),
            sla_breaches=breaches.get(cid, 0),
            open_escalations=escalations.get(cid, 0),
            overdue_defect_updates=defects.get(cid, 0),
            onboarding=onboarding_state(steps.get(cid, []), None if started is None else _day(started), today),
            unused_seats=max(allowance - active - pending, 0),
            pending_seats=pending,
            seat_allowance=allowance,
            days_since_contact=None if last is None else max((now - datetime.fromtimestamp(last, UTC)).days, 0),
            days_to_renewal=None if renewal is None else (renewal - today).days,
        )
    return facts


# -- health -------------------------------------------------------------------------------------------------------


def all_health(
    now: datetime, customer_ids: Collection[int] | None = None, today: date | None = None
) -> dict[int, Health]:
    """Customer id -> health at ``now``, for every customer not archived (or for ``customer_ids``)."""
    weights = get_weights()
    return {cid: score(facts, weights) for cid, facts in health_facts(now, customer_ids, today).items()}


def customer_health(customer_id: int, now: datetime, today: date | None = None) -> Health:
    """One customer's health at ``now``.

    Raises:
        NotFound: no such customer.
    """
    found = all_health(now, [customer_id], today)
    if customer_id not in found:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    return found[customer_id]


def _reasons_json(health: Health) -> str:
    return json.dumps(
        [{"points": r.points, "text": r.text, "factor": r.factor.value} for r in health.reasons], ensure_ascii=False
    )


def record_week(ctx: Context, now: datetime, today: date | None = None) -> int:
    """Store this week's snapshot of every customer not archived (replacing one taken earlier this week).

    Returns how many customers were recorded. Idempotent within a week: the latest computation wins.
    """
    week = week_of(today or now.astimezone().date())
    healths = all_health(now, today=today)
    at = ctx.now()
    rows = [
        {"customer": cid, "week": week, "score": h.score, "band": h.band.value, "reasons": _reasons_json(h),
         "computed_at": at}
        for cid, h in healths.items()
    ]  # fmt: skip
    snap = t.HealthSnapshot
    with database.atomic():
        for start in range(0, len(rows), 100):
            snap.insert_many(rows[start : start + 100]).on_conflict(
                conflict_target=[snap.customer, snap.week],
                preserve=[snap.score, snap.band, snap.reasons, snap.computed_at],
            ).execute()
    return len(rows)


class HealthPoint(NamedTuple):
    """A customer's snapshot of one week: ``(week, score, band)``."""

    week: date
    score: int
    band: Band


def health_history(customer_id: int, weeks: int | None = None) -> list[HealthPoint]:
    """The customer's weekly snapshots, oldest first (the last ``weeks`` of them when given)."""
    snap = t.HealthSnapshot
    query = snap.select(snap.week, snap.score, snap.band).where(snap.customer == customer_id)
    query = query.order_by(snap.week.desc())
    if weeks is not None:
        query = query.limit(weeks)
    return [HealthPoint(_day(w), int(s), Band(b)) for w, s, b in tuples(query)][::-1]


def snapshot_reasons(customer_id: int, week: date) -> tuple[Reason, ...]:
    """The reasons a customer's snapshot of ``week`` (a Monday) kept; none when there is no such snapshot."""
    snap = t.HealthSnapshot
    row = snap.get_or_none((snap.customer == customer_id) & (snap.week == week))
    if row is None:
        return ()
    try:
        return tuple(Reason(int(r["points"]), str(r["text"]), Factor(r["factor"])) for r in json.loads(row.reasons))
    except (ValueError, KeyError, TypeError):  # written by hand or by a later version: the score still stands
        return ()


@dataclass(frozen=True)
class HealthDrop:
    """A customer whose health dropped since its snapshot of an earlier week."""

    customer_id: int
    customer: str
    before: HealthPoint
    now: Health

    @property
    def points(self) -> int:
        """How many points the score fell."""
        return self.before.score - self.now.score

    @property
    def target(self) -> tuple[str, int]:
        return ("customer", self.customer_id)


_PREVIOUS = """
SELECT h.customer_id, h.week, h.score, h.band FROM health_snapshot h
WHERE h.week = (SELECT MAX(h2.week) FROM health_snapshot h2 WHERE h2.customer_id = h.customer_id AND h2.week < {p})
  AND {{customers}}
"""


def health_drops(now: datetime, tam: str | None = None, today: date | None = None) -> list[HealthDrop]:
    """Customers (of the TAM named ``tam``, or all) whose health dropped since their latest snapshot of an
    earlier week: the band worsened or the score fell by ``domain.health.DROP_POINTS`` or more; the biggest fall
    first."""
    ids = customer_ids_of(tam)
    if not ids:
        return []
    this_week = week_of(today or now.astimezone().date())
    reader = _Reader(ids)
    before = {
        int(cid): HealthPoint(_day(week), int(s), Band(b))
        for cid, week, s, b in reader.rows(_PREVIOUS.format(p=database.obj.param), "h.customer_id",
                                              [this_week.isoformat()])
    }  # fmt: skip
    if not before:  # nothing to compare with (a new database, or its first week): no health to compute
        return []
    healths = all_health(now, list(before), today)
    names: dict[int, str] = dict(
        tuples(t.Customer.select(t.Customer.id, t.Customer.name).where(t.Customer.id.in_(list(before))))
    )
    drops = [
        HealthDrop(cid, names[cid], point, healths[cid])
        for cid, point in before.items()
        if cid in healths and dropped(point.score, point.band, healths[cid].score, healths[cid].band)
    ]
    return sorted(drops, key=lambda d: (-d.points, d.now.score, d.customer.casefold()))

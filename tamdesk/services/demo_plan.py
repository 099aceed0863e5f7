"""The sample's plan in memory (customers, seats, tickets), the state every part of the builder shares, and the
bulk writes and settings lookups the parts use."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import peewee as pw

from tamdesk.domain.onboarding import DEFAULT_TEMPLATE, AutoRule
from tamdesk.domain.states import ClockKind, PersonRole, SeatStatus, TicketStatus
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_rows, select_in
from tamdesk.services.base import Context
from tamdesk.services.demo_time import HOUR, MINUTE, ZoneClock, date_of, epoch_day
from tamdesk.services.demo_words import DEFAULT_DEFECT_CADENCE, FALLBACK_TARGETS, Country

# ---------------------------------------------------------------------------------------------------------------------
# In-memory plan


@dataclass(frozen=True)
class Sla:
    first_response: int  # seconds of clock time
    cadence: int
    business: bool


@dataclass(slots=True)
class Staff:
    id: int
    name: str


@dataclass(slots=True)
class Seat:
    seat_no: int
    full_name: str
    email: str
    job_title: str
    phone: str
    requested: int
    granted: int | None = None
    welcome: int | None = None
    revoked: int | None = None
    reason: str = ""
    id: int = 0

    @property
    def status(self) -> SeatStatus:
        if self.revoked is not None:
            return SeatStatus.REVOKED
        if self.welcome is not None:
            return SeatStatus.ACTIVE
        return SeatStatus.GRANTED if self.granted is not None else SeatStatus.REQUESTED


@dataclass(slots=True)
class Customer:
    index: int
    name: str
    country: Country
    zone: str
    clock: ZoneClock
    domains: tuple[str, ...]
    tam: Staff
    policy_id: int
    slas: dict[int, Sla]
    allowance: int
    category: str
    created_at: int = 0
    started: date | None = None
    planned_start: date | None = None
    done: list[int] = field(default_factory=list)  # done_at of the first len(done) steps
    milestones: dict[AutoRule, int] = field(default_factory=dict)
    seats: list[Seat] = field(default_factory=list)
    active_from: int | None = None  # when the first seat got portal access: tickets can be filed from then on
    id: int = 0


@dataclass(slots=True)
class Ticket:
    id: int
    number: str
    customer: Customer
    severity: int
    opened: int
    resolved: int | None
    status: TicketStatus
    area: int
    reporter: str


@dataclass(slots=True)
class Counts:
    """Rows written per entity; the names are DemoSummary's."""

    people: int = 0
    onboarding_steps: int = 0
    seats: int = 0
    tickets: int = 0
    ticket_events: int = 0
    escalations: int = 0
    escalation_entries: int = 0
    defects: int = 0
    defect_links: int = 0
    defect_updates: int = 0
    holidays: int = 0


@dataclass(frozen=True)
class Policies:
    standard: tuple[int, dict[int, Sla]]
    premium: tuple[int, dict[int, Sla]]
    calendar_id: int
    premium_created: int | None


@dataclass(frozen=True)
class TemplateStep:
    position: int
    title: str
    description: str
    offset_days: int
    auto_rule: AutoRule | None


class BuilderBase:
    """The state the builder's parts share; the parts (customers, tickets, escalations, defects) add the steps and
    :class:`tamdesk.services.demo._Builder` runs them, inside the caller's transaction."""

    def __init__(self, ctx: Context, rng: random.Random, customers: int, tickets: int) -> None:
        self.ctx = ctx
        self.rng = rng
        self.now = int(ctx.now().timestamp())
        self.today = date_of(self.now)
        self.n_customers = customers
        self.n_tickets = tickets
        self.counts = Counts()
        self.staff: dict[PersonRole, list[Staff]] = {}
        self.customers: list[Customer] = []
        self.tickets: list[Ticket] = []
        self._clocks: dict[str, ZoneClock] = {}
        self._live: list[tuple[tuple[int, str], ...]] = []  # histories of the live tickets: (at, kind)
        self._used_slugs: set[str] = set()
        self._escalation_rows: list[dict[str, Any]] = []  # written together once every escalation is planned
        self.template = default_template()
        self.defect_cadence = stored_defect_cadence()
        self.calendar_id = 0

    def _clock(self, zone: str) -> ZoneClock:
        clock = self._clocks.get(zone)
        if clock is None:
            clock = self._clocks[zone] = ZoneClock(zone)
        return clock

    def _business_moment(self, clock: ZoneClock, day: date, first: float = 9.5, last: float = 17.5) -> int:
        """A random UTC instant during local business hours of ``day``."""
        return clock.at(epoch_day(day), self.rng.randrange(int(first * HOUR), int(last * HOUR)))


# ---------------------------------------------------------------------------------------------------------------------
# Bulk writes and settings


def model_fields(model: type[t.BaseModel], names: str) -> tuple[pw.Field, ...]:
    """The model's fields named in a comma-separated list, in that order."""
    return tuple(getattr(model, name.strip()) for name in names.split(","))


def insert_all(fields: Sequence[pw.Field], rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert rows of database values (ints for times, ISO text for days), a page per statement; the row count."""
    return insert_rows(fields[0].model, [f.name for f in fields], rows)


def ids_by(column: pw.Field, values: Sequence[Any]) -> dict[Any, int]:
    """``{value: id}`` for rows whose unique ``column`` is among ``values``, a page of values per statement."""
    table = column.model._meta.table_name
    return dict(
        select_in(f'SELECT "{column.column_name}", "id" FROM "{table}" WHERE "{column.column_name}" IN', values)
    )


def policy_slas(policy: t.SlaPolicy) -> dict[int, Sla]:
    """The current revision's targets in seconds; defaults for anything missing or malformed."""
    revision = (
        t.SlaPolicyRevision.select()
        .where(t.SlaPolicyRevision.policy == policy.id)
        .order_by((t.SlaPolicyRevision.revision == policy.current_revision).desc(), t.SlaPolicyRevision.revision.desc())
        .first()
    )
    try:
        targets = json.loads(revision.targets) if revision else {}
    except ValueError:
        targets = {}
    slas = {}
    for severity in (1, 2, 3, 4):
        key = str(severity)
        try:
            slas[severity] = sla_of(targets[key])
        except (KeyError, TypeError, ValueError, AttributeError):
            slas[severity] = sla_of(FALLBACK_TARGETS[key])
    return slas


def sla_of(target: dict[str, Any]) -> Sla:
    return Sla(
        first_response=int(target["first_response_min"]) * MINUTE,
        cadence=max(1, int(target["update_cadence_min"])) * MINUTE,
        business=target.get("clock") != ClockKind.TWENTY_FOUR_SEVEN.value,
    )


def default_template() -> list[TemplateStep]:
    """The default onboarding template from the database, or the built-in one when the database has none."""
    template = (
        t.OnboardingTemplate.get_or_none(t.OnboardingTemplate.is_default) or t.OnboardingTemplate.select().first()
    )
    if template is not None:
        steps = [
            TemplateStep(
                s.position, s.title, s.description, s.offset_days, AutoRule(s.auto_rule) if s.auto_rule else None
            )
            for s in template.steps.order_by(t.OnboardingTemplateStep.position)
        ]
        if steps:
            return steps
    return [
        TemplateStep(i, s.title, s.description, s.offset_days, s.auto_rule)
        for i, s in enumerate(DEFAULT_TEMPLATE, start=1)
    ]


def stored_defect_cadence() -> dict[int, int]:
    """Business days between customer updates per severity, from Settings (defaults when unset or malformed)."""
    row = t.Setting.get_or_none(t.Setting.key == "defect_update_cadence_business_days")
    try:
        loaded = json.loads(row.value) if row else {}
        return {int(k): max(1, int(v)) for k, v in loaded.items()} or dict(DEFAULT_DEFECT_CADENCE)
    except (ValueError, TypeError, AttributeError):
        return dict(DEFAULT_DEFECT_CADENCE)


# ---------------------------------------------------------------------------------------------------------------------
# Drawing


def quota(rng: random.Random, weights: dict[Any, int], n: int) -> list[Any]:
    """``n`` states: each once (when ``n`` allows), the rest by weight, shuffled."""
    states = list(weights)
    chosen = states[:n] + rng.choices(states, weights=list(weights.values()), k=max(0, n - len(states)))
    rng.shuffle(chosen)
    return chosen


class Pool:
    """Tickets bucketed by severity once, then drawn by severity weight without repeats."""

    def __init__(self, tickets: Sequence[Ticket], weights: dict[int, float]) -> None:
        self._buckets: dict[int, list[Ticket]] = {1: [], 2: [], 3: [], 4: []}
        for ticket in tickets:
            self._buckets[ticket.severity].append(ticket)
        self._severities = [s for s, bucket in self._buckets.items() if bucket]
        self._weights = [weights[s] * len(self._buckets[s]) for s in self._severities]

    def __bool__(self) -> bool:
        return bool(self._severities)

    def pick(self, rng: random.Random, used: set[int]) -> Ticket | None:
        """A ticket whose id is not in ``used`` (then added to it), or None when none turns up."""
        if not self._severities:
            return None
        for _ in range(30):
            severity = rng.choices(self._severities, self._weights)[0]
            ticket = rng.choice(self._buckets[severity])
            if ticket.id not in used:
                used.add(ticket.id)
                return ticket
        return None

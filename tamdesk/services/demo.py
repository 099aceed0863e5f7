"""Realistic, deterministic sample data over the 18 months before now (``tamdesk demo``, the app's "Sample data").

Decisions:

- One transaction: a cancel or an error leaves the database exactly as it was.
- A database that holds customers is refused unless ``force``; ``force`` *replaces* the customer data (customers and
  everything hanging off them: checklists, seats, tickets, events, escalations, defects) in the same transaction.
  Settings, SLA policies, calendars, templates, the people directory and the audit trail are kept; the sample
  people are merged into the directory by name, and a "Premium" policy is reused when it exists.
- Deterministic: one ``random.Random(seed)`` drives everything and the reference time is ``ctx.now()``, so the same
  seed and clock give the same rows. The staff directory uses a fixed seed of its own, so runs with other seeds or
  sizes reuse the same people instead of growing the directory.
- Timings follow the SLA policy in force for each customer, on a simplified business clock (09:00–18:00 Mon–Fri in
  the customer's zone, holidays ignored): most first responses and updates land within target, some are late on
  purpose. A response on a customer's holiday only makes it earlier than the real deadline.
- A few recent tickets (one per 200 or so, at most four per TAM) are open under SLA pressure *now*: first response
  or next update at risk or breached, or waiting on the customer. Their times are worked out backwards from now on
  the customer's real clock (calendar, holidays and policy as the Today page reads them), so they are in that state
  whatever the day and hour of generation; the simplified clock would be off on a holiday.
- Bulk rows go in a page at a time through ``models.bulk`` (one multi-row insert per page on SQLite, ``COPY`` on
  PostgreSQL): peewee's ``insert_many`` builds a node per value and took 31 µs a row against 3 µs, and a statement
  per row made the 100,000-ticket sample take 222 s on PostgreSQL against 12 s on SQLite.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

from tamdesk.domain.states import PersonRole
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, record_audit
from tamdesk.services.demo_accounts import add_account_data
from tamdesk.services.demo_customers import CustomersPart
from tamdesk.services.demo_defects import DefectsPart
from tamdesk.services.demo_escalations import EscalationsPart
from tamdesk.services.demo_plan import Policies, Staff, policy_slas
from tamdesk.services.demo_tickets import TicketsPart
from tamdesk.services.demo_time import DAY, nth_weekday
from tamdesk.services.demo_words import (
    FIRST_TICKET_NUMBER,
    PREMIUM_TARGETS,
    SPAN_DAYS,
    STAFF_DOMAIN,
    TICKET_CHUNK,
    ascii_folded,
    staff_names,
)

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo` wrote, per entity."""

    customers: int
    people: int
    onboarding_steps: int
    seats: int
    tickets: int
    ticket_events: int
    escalations: int
    escalation_entries: int
    defects: int
    defect_links: int
    defect_updates: int
    holidays: int
    audit_entries: int
    replaced_customers: int
    seed: int

    @property
    def summary(self) -> str:
        """One line, e.g. ``Sample data: 40 customers, 212 seats, 2,000 tickets (9,812 events), 30 escalations ...``."""
        line = (
            f"Sample data: {_plural(self.customers, 'customer')}, {_plural(self.seats, 'seat')}, "
            f"{_plural(self.tickets, 'ticket')} ({_plural(self.ticket_events, 'event')}), "
            f"{_plural(self.escalations, 'escalation')}, {_plural(self.defects, 'defect')}."
        )
        if self.replaced_customers:
            line += f" Existing data replaced: {_plural(self.replaced_customers, 'customer')} removed."
        return line


class DemoCancelled(DomainError):
    """The user cancelled sample-data generation; nothing was written."""


class DatabaseNotEmpty(DomainError):
    """Sample data goes into an empty database only, unless the user asks to replace what is there."""

    def __init__(self, customers: int) -> None:
        super().__init__(
            f"The database already holds {_plural(customers, 'customer')}; "
            "use --force to replace them with sample data."
        )
        self.customers = customers


def generate_demo(
    ctx: Context,
    *,
    customers: int = 40,
    tickets: int = 2000,
    seed: int = 7,
    force: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DemoSummary:
    """Fill the bound database with realistic sample data spanning the 18 months before ``ctx.now()``.

    Args:
        ctx: who generates the data (audit entries) and the reference clock.
        customers: how many customers (at least 1).
        tickets: how many tickets, spread over the customers whose portal access was granted.
        seed: the same seed (and clock) gives the same data.
        force: replace the customer data already in the database instead of refusing.
        progress: called with (done, total) every 1,000 tickets or so.
        cancelled: polled at each progress step; returning True rolls everything back.

    Raises:
        DatabaseNotEmpty: the database holds customers and ``force`` is False.
        DemoCancelled: ``cancelled()`` returned True; the database is unchanged.
        DomainError: bad sizes, or the "Standard" SLA policy or a business calendar is missing.
    """
    if customers < 1 or tickets < 0:
        raise DomainError("Sample data needs at least 1 customer and a number of tickets that is not negative.")
    with database.atomic():
        existing = t.Customer.select().count()
        if existing and not force:
            raise DatabaseNotEmpty(existing)
        if existing:
            _clear_customer_data()
        builder = _Builder(ctx, random.Random(seed), customers, tickets, progress, cancelled)
        summary = builder.run(replaced=existing, seed=seed)
        add_account_data(ctx, random.Random(seed + 1))
    return summary


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _clear_customer_data() -> None:
    """Delete every customer and what hangs off them, children first (cheaper than cascading row by row)."""
    for model in (
        t.HealthSnapshot,
        t.InstalledVersion,
        t.Contract,
        t.FollowUp,
        t.TimelineLink,
        t.TimelineAttendee,
        t.TimelineEntry,
        t.Contact,
        t.DefectUpdate,
        t.DefectTicket,
        t.Defect,
        t.EscalationEntry,
        t.Escalation,
        t.TicketEvent,
        t.Ticket,
        t.PortalSeat,
        t.OnboardingStep,
        t.Customer,
    ):
        model.delete().execute()


# ---------------------------------------------------------------------------------------------------------------------
# The builder


class _Builder(CustomersPart, TicketsPart, EscalationsPart, DefectsPart):
    """Generates and writes the sample data, one entity at a time, inside the caller's transaction."""

    def __init__(
        self,
        ctx: Context,
        rng: random.Random,
        customers: int,
        tickets: int,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        super().__init__(ctx, rng, customers, tickets)
        self._progress = progress
        self._cancelled = cancelled

    # -- orchestration -------------------------------------------------------------------------------------------------

    def run(self, *, replaced: int, seed: int) -> DemoSummary:
        self._step(0)
        self._directory()
        policies = self._policies()
        self.calendar_id = policies.calendar_id
        self._plan_customers(policies)
        self._write_customers()
        self._write_onboarding()
        self._write_seats()
        self._step(self.n_customers)
        self._holidays()  # before the tickets: live tickets are timed on the calendars that include them
        self._tickets()
        self._escalations()
        self._defects()
        audits = self._audit(replaced, seed, policies.premium_created)
        self._step(self.n_customers + self.n_tickets)
        return DemoSummary(
            customers=len(self.customers),
            **asdict(self.counts),
            audit_entries=audits,
            replaced_customers=replaced,
            seed=seed,
        )

    def _step(self, done: int) -> None:
        """Report progress and honour a cancel request."""
        if self._cancelled is not None and self._cancelled():
            raise DemoCancelled("Sample data generation was cancelled; the database was left unchanged.")
        if self._progress is not None:
            self._progress(done, self.n_customers + self.n_tickets)

    # -- people directory ----------------------------------------------------------------------------------------------

    def _directory(self) -> None:
        """TAMs, support engineers, two managers, two senior directors and a VP; merged into the directory by name."""
        tams = min(40, max(3, math.ceil(self.n_customers / 25)))
        sizes = {
            PersonRole.VP_CUSTOMER_SUCCESS: 1,
            PersonRole.SENIOR_DIRECTOR: 2,
            PersonRole.SUPPORT_MANAGER: 2,
            PersonRole.TAM: tams,
            PersonRole.SUPPORT_ENGINEER: min(60, max(6, 2 * tams)),
        }
        names = staff_names(sum(sizes.values()))
        existing = {
            name.lower(): (row_id, name)
            for row_id, name in t.Person.select(t.Person.id, t.Person.name).tuples().iterator()
        }
        for role, size in sizes.items():
            people = []
            for name in names[:size]:
                if name.lower() not in existing:
                    email = f"{ascii_folded(name.split()[0])}.{ascii_folded(name.split()[-1])}@{STAFF_DOMAIN}"
                    row_id = t.Person.insert(name=name, email=email, role=role.value).execute()
                    existing[name.lower()] = (row_id, name)
                    self.counts.people += 1
                row_id, stored = existing[name.lower()]
                people.append(Staff(row_id, stored))
            self.staff[role] = people
            names = names[size:]

    # -- SLA policies --------------------------------------------------------------------------------------------------

    def _policies(self) -> Policies:
        standard = t.SlaPolicy.get_or_none(t.SlaPolicy.name == "Standard") or t.SlaPolicy.select().first()
        calendar = (
            t.BusinessCalendar.get_or_none(t.BusinessCalendar.name == "Standard hours")
            or t.BusinessCalendar.select().first()
        )
        if standard is None or calendar is None:
            raise DomainError("Sample data needs an SLA policy and a business calendar; this database has none.")
        premium = t.SlaPolicy.get_or_none(t.SlaPolicy.name == "Premium")
        created = premium is None
        if premium is None:
            premium = t.SlaPolicy.create(
                name="Premium", description="Premium support: tighter response and update targets."
            )
            t.SlaPolicyRevision.insert(
                policy=premium.id,
                revision=1,
                targets=json.dumps(PREMIUM_TARGETS),
                created_at=self.now - SPAN_DAYS * DAY,
                created_by=self.ctx.actor,
                note="Sample data",
            ).execute()
        return Policies(
            standard=(standard.id, policy_slas(standard)),
            premium=(premium.id, policy_slas(premium)),
            calendar_id=calendar.id,
            premium_created=premium.id if created else None,
        )

    # -- tickets, a chunk at a time ------------------------------------------------------------------------------------

    def _tickets(self) -> None:
        plans = self._plan_tickets()
        for start in range(0, len(plans), TICKET_CHUNK):
            chunk = plans[start : start + TICKET_CHUNK]
            self._ticket_chunk(chunk, FIRST_TICKET_NUMBER + start)
            self._step(self.n_customers + start + len(chunk))

    # -- calendar holidays and audit -----------------------------------------------------------------------------------

    def _holidays(self) -> None:
        """A German year-end shutdown and a US holiday worked anyway, for the span's years (kept if present)."""
        wanted = []
        for year in sorted({self.today.year - 1, self.today.year}):
            wanted.append(("DE", date(year, 12, 24), "Company shutdown", False))
            wanted.append(("DE", date(year, 12, 31), "Company shutdown", False))
            wanted.append(("US", nth_weekday(year, 10, 0, 2), "Columbus Day (a working day)", True))
        for country, day, name, removed in wanted:
            exists = t.CalendarHoliday.select().where(
                (t.CalendarHoliday.country == country) & (t.CalendarHoliday.day == day)
            )
            if not exists.exists():
                t.CalendarHoliday.create(country=country, day=day, name=name, removed=removed)
                self.counts.holidays += 1

    def _audit(self, replaced: int, seed: int, premium_id: int | None) -> int:
        entries = 0
        if replaced:
            record_audit(
                self.ctx,
                entity="database",
                entity_id=None,
                action="delete",
                summary=f"Existing data replaced by sample data: {_plural(replaced, 'customer')} removed",
            )
            entries += 1
        if premium_id is not None:
            record_audit(
                self.ctx,
                entity="sla_policy",
                entity_id=premium_id,
                action="create",
                summary="SLA policy Premium created (sample data)",
                after={"targets": PREMIUM_TARGETS},
            )
            entries += 1
        c = self.counts
        after = {
            "seed": seed,
            "customers": len(self.customers),
            "seats": c.seats,
            "tickets": c.tickets,
            "ticket_events": c.ticket_events,
            "escalations": c.escalations,
            "defects": c.defects,
        }
        record_audit(
            self.ctx,
            entity="database",
            entity_id=None,
            action="sample_data",
            summary=f"Sample data generated: {len(self.customers):,} customers, {c.tickets:,} tickets (seed {seed})",
            after=after,
        )
        return entries + 1

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

import itertools
import json
import math
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum, auto
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw

from tamdesk.domain.calendar import Clock
from tamdesk.domain.mailbox import mailbox_key
from tamdesk.domain.onboarding import DEFAULT_TEMPLATE, AutoRule, due_on
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, clock_for
from tamdesk.domain.states import (
    ClockKind,
    DefectState,
    EscalationState,
    PersonRole,
    SeatStatus,
    TicketEventKind,
    TicketStatus,
)
from tamdesk.domain.vp_rule import vp_due_at
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_dicts, insert_rows, select_in
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, record_audit
from tamdesk.services.demo_accounts import add_account_data
from tamdesk.services.escalations import vp_limit
from tamdesk.services.onboarding import AUTOMATIC
from tamdesk.services.sla import SlaResolver

MINUTE = 60
HOUR = 3_600
DAY = 86_400
BUSINESS_DAY = 9 * HOUR
OPEN, CLOSE = 9 * HOUR, 18 * HOUR
SPAN_DAYS = 548  # 18 months
CLOSED_AFTER_DAYS = 10  # a solved ticket closes itself this long after its last solve
TICKET_CHUNK = 1_000
FIRST_TICKET_NUMBER = 100_001
ESCALATION_RATE = 0.015
DEFECT_RATE = 0.01
PREMIUM_SHARE = 0.15
ENG_URL = "https://eng.example.com/browse/"
STAFF_DOMAIN = "example.com"

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
# Vocabulary


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


@dataclass(frozen=True)
class _Country:
    code: str
    zones: tuple[str, ...]
    tld: str
    legal_forms: tuple[str, ...]
    brands: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    phone_prefix: str
    weight: int


# fmt: off
_COUNTRIES: tuple[_Country, ...] = (
    _Country("US", ("America/New_York", "America/New_York", "America/Chicago", "America/Los_Angeles"), "com",
             _words("Inc., LLC, Corp."),
             _words("Liberty, Pioneer, Frontier, Lakeshore, Ironbridge, Bluewater, Redwood, Keystone, Prairie"),
             _words("James, Mary, Robert, Patricia, Michael, Jennifer, David, Linda, Daniel, Sarah, Kevin, Emily, "
                    "Brian, Jessica, Marcus, Ashley"),
             _words("Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, Wilson, "
                    "Anderson, Taylor, Thomas, Moore, Jackson"),
             "+1", 30),
    _Country("DE", ("Europe/Berlin",), "de", _words("GmbH, AG, SE"),
             _words("Nordstern, Rheintal, Alpenblick, Elbufer, Hansekontor, Schwarzwald, Isartal, Spreewerk, "
                    "Weserland"),
             _words("Lukas, Anna, Jonas, Laura, Felix, Julia, Maximilian, Lea, Tobias, Katharina, Stefan, Sabine, "
                    "Matthias, Jana"),
             _words("Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Koch, "
                    "Richter, Wolf, Neumann"),
             "+49", 14),
    _Country("GB", ("Europe/London",), "co.uk", _words("Ltd, plc"),
             _words("Thameside, Pennine, Albion, Kingsbridge, Highgate, Cotswold, Ravensworth, Bramley, Caledonian"),
             _words("Oliver, Amelia, Harry, Isla, George, Olivia, Jack, Emily, Charlie, Sophie, Thomas, Grace"),
             _words("Smith, Jones, Taylor, Brown, Wilson, Evans, Thomas, Roberts, Walker, Wright, Hughes, Edwards"),
             "+44", 12),
    _Country("FR", ("Europe/Paris",), "fr", _words("SA, SAS"),
             _words("Lumière, Rivegauche, Montclair, Garonne, Azur, Vendôme, Mistral, Beaulieu"),
             _words("Camille, Louis, Chloé, Hugo, Léa, Théo, Manon, Nathan, Inès, Julien, Élodie, Mathieu"),
             _words("Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Lefèvre, Girard"),
             "+33", 8),
    _Country("JP", ("Asia/Tokyo",), "co.jp", _words("K.K., Co. Ltd."),
             _words("Sakura, Hikari, Midori, Tsubasa, Kumo, Minato, Aozora, Hoshino, Umikaze"),
             _words("Haruto, Yui, Sota, Hina, Ren, Aoi, Yuto, Sakura, Kenji, Yuki, Takumi, Mei"),
             _words("Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, Yoshida, "
                    "Yamada"),
             "+81", 8),
    _Country("AU", ("Australia/Sydney",), "com.au", _words("Pty Ltd"),
             _words("Southern Cross, Coral Coast, Eucalypt, Harbourview, Wattle, Banksia, Kookaburra, Outback"),
             _words("Jack, Charlotte, William, Mia, Noah, Ava, Lachlan, Chloe, Liam, Zoe, Riley, Matilda"),
             _words("Smith, Jones, Williams, Brown, Wilson, Taylor, Nguyen, Johnson, Martin, White, Anderson, Walker"),
             "+61", 6),
    _Country("BR", ("America/Sao_Paulo",), "com.br", _words("Ltda., S.A."),
             _words("Ipê, Guanabara, Cerrado, Araucária, Pantanal, Jacarandá, Itapuã, Mantiqueira"),
             _words("Gabriel, Ana, Lucas, Beatriz, Mateus, Júlia, Rafael, Larissa, Felipe, Camila, Thiago, Fernanda"),
             _words("Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa, Ribeiro"),
             "+55", 6),
    _Country("IN", ("Asia/Kolkata",), "co.in", _words("Pvt. Ltd., Ltd."),
             _words("Ganga, Indus, Deccan, Kaveri, Sahyadri, Vindhya, Narmada, Konark"),
             _words("Aarav, Priya, Vivaan, Ananya, Arjun, Diya, Rohan, Kavya, Rahul, Neha, Vikram, Pooja"),
             _words("Sharma, Patel, Singh, Kumar, Gupta, Reddy, Iyer, Nair, Mehta, Joshi, Rao, Das"),
             "+91", 8),
    _Country("NL", ("Europe/Amsterdam",), "nl", _words("B.V., N.V."),
             _words("Oranjewoud, Zuiderzee, Delfland, Windmolen, Polderland, Waddenzee"),
             _words("Daan, Emma, Sem, Julia, Lucas, Tess, Milan, Sophie, Bram, Anouk"),
             _words("de Jong, Jansen, de Vries, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder"),
             "+31", 6),
)
_GLOBAL_BRANDS = _words(
    "Apex, Aurora, Beacon, Brightline, Cascade, Cobalt, Crescent, Evergreen, Falcon, Granite, Harbor, Horizon, "
    "Ironwood, Juniper, Lumen, Meridian, Nimbus, Orion, Polaris, Quartz, Silverline, Stratus, Tidewater, Vantage, "
    "Vertex, Willow, Zenith, Atlas, Helix, Sterling, Cedar, Kestrel, Onyx, Sapphire, Trident"
)
_SECTORS = _words(
    "Analytics, Logistics, Bank, Insurance, Retail, Health, Energy, Telecom, Media, Foods, Motors, Pharma, "
    "Airlines, Capital, Systems, Labs, Networks, Robotics, Biotech, Payments, Mobility, Shipping, Steel, "
    "Semiconductors, Hospitality, Gaming, Utilities, Chemicals, Aerospace, Insights"
)
_QUALIFIERS = _words("Global, Digital, Nordic, Pacific, Atlantic, International, Continental, United")
_STAFF_FIRST = _words(
    "Alex, Sam, Jordan, Taylor, Morgan, Casey, Robin, Jamie, Avery, Riley, Quinn, Dana, Elena, Marco, Ingrid, "
    "Tomás, Aisha, Kofi, Mei, Hiro, Priya, Lars, Sofia, Omar, Nadia, Pablo, Chen, Freya, Mateo, Zara"
)
_STAFF_LAST = _words(
    "Novak, Lindqvist, Okafor, Haddad, Moreau, Kowalski, Fernandes, Nakamura, Castillo, Brennan, Petrov, "
    "Andersen, Rossi, Mendes, Khan, Schultz, Duarte, Ivanova, Whitfield, Laine, Baptiste, Kaur, Varga, Ortega"
)
_JOB_TITLES = _words(
    "Data Platform Lead, Senior Data Engineer, Database Administrator, Analytics Engineer, Platform Engineer, "
    "Site Reliability Engineer, Head of Data, IT Operations Manager, Solutions Architect, BI Developer"
)
_CUSTOMER_NOTES = (
    "", "", "", "", "Renewal due next quarter.", "Prefers updates by email, not phone.",
    "Strategic account: quarterly business reviews with the CIO.", "Runs two clusters: production and staging.",
)
_AREAS = _words(
    "query engine, Hive connector, Iceberg connector, Delta Lake connector, Kafka connector, PostgreSQL connector, "
    "Oracle connector, Kubernetes deployment, Helm chart, LDAP authentication, OAuth 2.0 authentication, "
    "Kerberos authentication, result caching, materialized views, coordinator, workers, fault-tolerant execution, "
    "access control, TLS configuration, JDBC driver, ODBC driver, web UI, resource groups, spill to disk"
)
_ERRORS = _words(
    "EXCEEDED_LOCAL_MEMORY_LIMIT, GENERIC_INTERNAL_ERROR, HIVE_METASTORE_ERROR, PAGE_TRANSPORT_TIMEOUT, "
    "REMOTE_TASK_ERROR, java.lang.OutOfMemoryError, CrashLoopBackOff, 401 Unauthorized, SSLHandshakeException, "
    "Too many open files"
)
_FEATURES = _words(
    "row filters, column masking, partition pruning, time travel, predicate pushdown, dynamic catalogs, "
    "single sign-on, high availability, query retries, autoscaling"
)
_SUBJECTS: dict[int, tuple[str, ...]] = {
    1: ("Production outage: {area} failing with {error}", "All production queries failing after upgrade to {version}",
        "Coordinator crash loop in production ({error})", "Production cluster down: {area} not responding",
        "Critical: {area} rejecting all requests in production"),
    2: ("{area}: intermittent {error} under load", "{area}: severe slowdown since upgrade to {version}",
        "Workers restarting repeatedly in production with {error}", "{area}: queries time out on large tables",
        "Degraded throughput on the production cluster ({area})"),
    3: ("{area}: {error} in staging", "{area}: unexpected results for queries with {feature}",
        "{area}: slow planning for queries with many joins", "{area}: memory usage higher than expected",
        "{area}: failures in development after upgrade to {version}"),
    4: ("{area}: how to configure {feature}?", "Documentation request: {area} and {feature}",
        "Request for information: {area} support in {version}", "{area}: sizing recommendations for production",
        "{area}: certificate rotation without downtime?"),
}
_DEFECT_SYMPTOMS = _words(
    "NullPointerException when {action}, incorrect results when {action}, memory leak after {action}, "
    "query hangs when {action}, {error} when {action}, deadlock when {action}"
)
_DEFECT_ACTIONS = _words(
    "reading empty files, pushing down predicates on timestamp columns, refreshing the metadata cache, "
    "spilling large joins, rotating credentials, scaling workers down, reading tables with many partitions, "
    "querying views with row filters, writing to sorted tables, the session times out"
)
_NOTES = {
    "first": ("Acknowledged; reviewing the logs you attached.", "Thanks for the report. Could you share the query ID?",
              "Investigating; reproducing on a matching version.", "Looking into it now; first findings shortly."),
    "first_sev1": ("Engaged the 24/7 on-call team; joining your bridge call.", "On-call engineer engaged; on it now."),
    "update": ("Update: reproduced the issue in our lab.", "Update: engineering is reviewing the stack trace.",
               "Suggested workaround: disable the affected session property.",
               "Update: still investigating; next update on the agreed cadence.",
               "Shared a configuration change to test.", "Analysis of the heap dump is in progress."),
    "wait": ("Asked for the full server log and the query plan.", "Asked the customer to test the workaround.",
             "Waiting for the customer's maintenance window.", "Asked for the diagnostics bundle."),
    "reply": ("Customer attached the requested logs.", "Customer confirmed the workaround helps partially.",
              "Customer sent the configuration files.", "Customer applied the change; the issue persists."),
    "solved": ("Solved: configuration corrected.", "Solved: workaround accepted by the customer.",
               "Solved: fixed by upgrading to the latest patch release.",
               "Solved: question answered; documentation linked.",
               "Solved: root cause was a misconfigured load balancer."),
    "reopened": ("Customer reopened: the issue came back after a restart.",
                 "Customer reopened: the workaround is not enough at peak load."),
}
_ESCALATION_REASONS = (
    "Production impact continues beyond the SLA; no workaround in sight.",
    "Repeated regressions after each upgrade; the customer's go-live is at risk.",
    "Slow progress on the ticket; the customer asks for a dedicated engineer.",
    "Business-critical month-end reporting blocked.",
    "The customer's executive sponsor asked for management attention.",
)
_BUSINESS_IMPACTS = (
    "Month-end close delayed for finance.", "Customer-facing dashboards unavailable for 2,000 users.",
    "Nightly ETL misses its window; downstream reports are late.", "Go-live of the new data platform postponed.",
    "A regulatory report is due this week.",
)
_DESIRED_OUTCOMES = (
    "Root cause and a fix date within 48 hours.", "A dedicated engineer and daily status calls.",
    "A hotfix build for the current version.", "A workaround today and a permanent fix in the next release.",
)
_DECLINE_REASONS = (
    "Handled within the normal SLA; the ticket is progressing as expected.",
    "Not a product issue: the customer's network configuration was at fault.",
    "Duplicate of an open escalation for the same incident.",
)
_ESCALATION_NOTES = (
    "Call with the customer held; next update tomorrow at 10:00 their time.",
    "Engineering lead joined the bridge; collecting heap dumps.",
    "Customer confirmed the workaround is holding overnight.",
    "Shared the action plan in writing with the customer's sponsor.",
)
_VP_NOTES = (
    "Apprised by the senior director; advised a daily executive summary to the customer.",
    "VP asked for a post-incident review with the customer.",
)
_REVOKE_REASONS = (
    "Left the company.", "Changed roles; no longer works with the product.",
    "Replaced by a colleague on the platform team.", "Parental leave; access handed over to a colleague.",
)
# fmt: on

_SEVERITY_WEIGHTS = (5, 20, 45, 30)
_LATE_FIRST_RESPONSE = {1: 0.05, 2: 0.1, 3: 0.1, 4: 0.08}
_MISSED_UPDATE = 0.07
_WAIT_ON_CUSTOMER = 0.3
_REOPEN = 0.05
_MEDIAN_WORK = {1: 6 * HOUR, 2: 1.5 * BUSINESS_DAY, 3: 4 * BUSINESS_DAY, 4: 3 * BUSINESS_DAY}
_ESCALATION_SEVERITY_WEIGHT = {1: 10.0, 2: 3.0, 3: 0.8, 4: 0.1}
_DEFECT_SEVERITY_WEIGHT = {1: 4.0, 2: 3.0, 3: 1.0, 4: 0.1}
_ESCALATION_WEIGHTS = {
    EscalationState.REQUESTED: 6,
    EscalationState.ACKNOWLEDGED: 7,
    EscalationState.ACTION_PLAN: 10,
    EscalationState.MONITORING: 10,
    EscalationState.RESOLVED: 57,
    EscalationState.DECLINED: 10,
}
_ESCALATION_HOURS = {
    EscalationState.ACKNOWLEDGED: (0.5, 4),
    EscalationState.ACTION_PLAN: (3, 30),
    EscalationState.MONITORING: (12, 96),
    EscalationState.RESOLVED: (24, 240),
    EscalationState.DECLINED: (2, 48),
}
_DEFECT_WEIGHTS = {
    DefectState.REPORTED: 5,
    DefectState.VALIDATED: 7,
    DefectState.ESCALATED: 9,
    DefectState.PRIORITIZED: 22,
    DefectState.FIX_IN_PROGRESS: 14,
    DefectState.FIX_DEPLOYED: 13,
    DefectState.CLOSED: 30,
}
_DEFECT_HOURS = {
    DefectState.VALIDATED: (4, 120),
    DefectState.ESCALATED: (1, 48),
    DefectState.PRIORITIZED: (24, 168),
    DefectState.FIX_IN_PROGRESS: (72, 960),
    DefectState.FIX_DEPLOYED: (120, 1080),
    DefectState.CLOSED: (72, 504),
}
_DEFAULT_DEFECT_CADENCE = {1: 1, 2: 5, 3: 10, 4: 20}
_PREMIUM_TARGETS: dict[str, dict[str, Any]] = {
    "1": {"first_response_min": 30, "update_cadence_min": 60, "clock": ClockKind.TWENTY_FOUR_SEVEN.value},
    "2": {"first_response_min": 60, "update_cadence_min": 270, "clock": ClockKind.BUSINESS_HOURS.value},
    "3": {"first_response_min": 240, "update_cadence_min": 540, "clock": ClockKind.BUSINESS_HOURS.value},
    "4": {"first_response_min": 540, "update_cadence_min": 1620, "clock": ClockKind.BUSINESS_HOURS.value},
}
_FALLBACK_TARGETS: dict[str, dict[str, Any]] = {
    "1": {"first_response_min": 60, "update_cadence_min": 120, "clock": ClockKind.TWENTY_FOUR_SEVEN.value},
    "2": {"first_response_min": 120, "update_cadence_min": 540, "clock": ClockKind.BUSINESS_HOURS.value},
    "3": {"first_response_min": 540, "update_cadence_min": 1620, "clock": ClockKind.BUSINESS_HOURS.value},
    "4": {"first_response_min": 1080, "update_cadence_min": 2700, "clock": ClockKind.BUSINESS_HOURS.value},
}

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


def _ascii(text: str) -> str:
    """Lowercase ASCII letters and digits only: ``Lefèvre`` -> ``lefevre``, ``de Jong`` -> ``dejong``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in folded if ch.isalnum())


# ---------------------------------------------------------------------------------------------------------------------
# Time: integer epoch seconds throughout; "local" values are epoch seconds of the local wall clock.

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day_number(day: date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _date_of(seconds: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + seconds // DAY)


def _is_weekday(day_number: int) -> bool:
    return (day_number + 3) % 7 < 5  # 1970-01-01 was a Thursday


def _business_add(local: int, seconds: int) -> int:
    """The local time at which ``seconds`` of 09:00–18:00 Mon–Fri time have run from ``local``."""
    day, sec = divmod(local, DAY)
    while True:
        if _is_weekday(day) and sec < CLOSE:
            sec = max(sec, OPEN)
            room = CLOSE - sec
            if seconds <= room:
                return day * DAY + sec + seconds
            seconds -= room
        day += 1
        sec = 0


class _ZoneClock:
    """Wall-clock and business-hours arithmetic in one zone, on epoch seconds; UTC offsets cached per hour."""

    def __init__(self, zone: str) -> None:
        self._zone = ZoneInfo(zone)
        self._offsets: dict[int, int] = {}

    def offset(self, utc: int) -> int:
        hour = utc // HOUR
        found = self._offsets.get(hour)
        if found is None:
            delta = datetime.fromtimestamp(hour * HOUR, self._zone).utcoffset()
            found = self._offsets[hour] = int(delta.total_seconds()) if delta else 0
        return found

    def to_local(self, utc: int) -> int:
        return utc + self.offset(utc)

    def to_utc(self, local: int) -> int:
        return local - self.offset(local - self.offset(local))

    def at(self, day_number: int, second_of_day: int) -> int:
        """The UTC instant of a local day and time."""
        return self.to_utc(day_number * DAY + second_of_day)

    def add(self, utc: int, seconds: float, business: bool) -> int:
        if not business:
            return utc + int(seconds)
        return self.to_utc(_business_add(self.to_local(utc), int(seconds)))


@dataclass(frozen=True)
class _Sla:
    first_response: int  # seconds of clock time
    cadence: int
    business: bool


# ---------------------------------------------------------------------------------------------------------------------
# Bulk writes


def _fields(model: type[t.BaseModel], names: str) -> tuple[pw.Field, ...]:
    """The model's fields named in a comma-separated list, in that order."""
    return tuple(getattr(model, name.strip()) for name in names.split(","))


def _linked_at(plan: _DefectPlan, ticket: _Ticket) -> int:
    """A ticket joins its defect when the defect is reported, or when the ticket is opened if that is later."""
    return int(max(plan.times[DefectState.REPORTED], ticket.opened))


def _insert(fields: Sequence[pw.Field], rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert rows of database values (ints for times, ISO text for days), a page per statement; the row count."""
    return insert_rows(fields[0].model, [f.name for f in fields], rows)


def _ids_by(column: pw.Field, values: Sequence[Any]) -> dict[Any, int]:
    """``{value: id}`` for rows whose unique ``column`` is among ``values``, a page of values per statement."""
    table = column.model._meta.table_name
    return dict(
        select_in(f'SELECT "{column.column_name}", "id" FROM "{table}" WHERE "{column.column_name}" IN', values)
    )


# ---------------------------------------------------------------------------------------------------------------------
# In-memory plan


@dataclass(slots=True)
class _Staff:
    id: int
    name: str


@dataclass(slots=True)
class _Seat:
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
class _Customer:
    index: int
    name: str
    country: _Country
    zone: str
    clock: _ZoneClock
    domains: tuple[str, ...]
    tam: _Staff
    policy_id: int
    slas: dict[int, _Sla]
    allowance: int
    category: str
    created_at: int = 0
    started: date | None = None
    planned_start: date | None = None
    done: list[int] = field(default_factory=list)  # done_at of the first len(done) steps
    milestones: dict[AutoRule, int] = field(default_factory=dict)
    seats: list[_Seat] = field(default_factory=list)
    active_from: int | None = None  # when the first seat got portal access: tickets can be filed from then on
    id: int = 0


@dataclass(slots=True)
class _Ticket:
    id: int
    number: str
    customer: _Customer
    severity: int
    opened: int
    resolved: int | None
    status: TicketStatus
    area: int
    reporter: str


@dataclass(slots=True)
class _Counts:
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


class _VpRule:
    """The VP rule on the customers' real calendars (as the app reads them), in epoch seconds."""

    def __init__(self, resolver: SlaResolver, days: int) -> None:
        self.resolver = resolver
        self.days = days
        self.why_limit = f"approaching {days} business day{'s' if days != 1 else ''} open"

    def owed_opening(self, ticket: _Ticket, now: int) -> int:
        """An opening whose limit passed an hour or a few ago (earlier across a weekend or holidays)."""
        start = now - self.days * DAY
        while self.due(ticket, start) > now - HOUR:
            start -= 6 * HOUR
        return start

    def due(self, ticket: _Ticket, opened: int) -> int:
        """When an escalation opened at ``opened`` owes the VP an apprisal."""
        calendar = self.resolver.calendar(ticket.customer.id)
        return int(vp_due_at(datetime.fromtimestamp(opened, UTC), self.days, calendar).timestamp())

    def before_due(self, ticket: _Ticket, opened: int, fraction: float) -> int:
        """The moment ``fraction`` of the limit's business time has run: during business hours, before it is due."""
        calendar = self.resolver.calendar(ticket.customer.id)
        run = timedelta(seconds=int(fraction * self.days * BUSINESS_DAY))
        return int(calendar.add(datetime.fromtimestamp(opened, UTC), run).timestamp())


# ---------------------------------------------------------------------------------------------------------------------
# The builder


class _Builder:
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
        self.ctx = ctx
        self.rng = rng
        self.now = int(ctx.now().timestamp())
        self.today = _date_of(self.now)
        self.n_customers = customers
        self.n_tickets = tickets
        self._progress = progress
        self._cancelled = cancelled
        self.counts = _Counts()
        self.staff: dict[PersonRole, list[_Staff]] = {}
        self.customers: list[_Customer] = []
        self.tickets: list[_Ticket] = []
        self._clocks: dict[str, _ZoneClock] = {}
        self._live: list[tuple[tuple[int, str], ...]] = []  # histories of the live tickets: (at, kind)
        self._used_slugs: set[str] = set()
        self._escalation_rows: list[dict[str, Any]] = []  # written together once every escalation is planned
        self.template = _default_template()
        self.defect_cadence = _defect_cadence()
        self.calendar_id = 0

    # -- orchestration -------------------------------------------------------------------------------------------

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

    def _clock(self, zone: str) -> _ZoneClock:
        clock = self._clocks.get(zone)
        if clock is None:
            clock = self._clocks[zone] = _ZoneClock(zone)
        return clock

    def _business_moment(self, clock: _ZoneClock, day: date, first: float = 9.5, last: float = 17.5) -> int:
        """A random UTC instant during local business hours of ``day``."""
        return clock.at(_day_number(day), self.rng.randrange(int(first * HOUR), int(last * HOUR)))

    # -- people directory ----------------------------------------------------------------------------------------

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
        names = _staff_names(sum(sizes.values()))
        existing = {
            name.lower(): (row_id, name)
            for row_id, name in t.Person.select(t.Person.id, t.Person.name).tuples().iterator()
        }
        for role, size in sizes.items():
            people = []
            for name in names[:size]:
                if name.lower() not in existing:
                    email = f"{_ascii(name.split()[0])}.{_ascii(name.split()[-1])}@{STAFF_DOMAIN}"
                    row_id = t.Person.insert(name=name, email=email, role=role.value).execute()
                    existing[name.lower()] = (row_id, name)
                    self.counts.people += 1
                row_id, stored = existing[name.lower()]
                people.append(_Staff(row_id, stored))
            self.staff[role] = people
            names = names[size:]

    # -- SLA policies ----------------------------------------------------------------------------------------------

    def _policies(self) -> _Policies:
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
                targets=json.dumps(_PREMIUM_TARGETS),
                created_at=self.now - SPAN_DAYS * DAY,
                created_by=self.ctx.actor,
                note="Sample data",
            ).execute()
        return _Policies(
            standard=(standard.id, _policy_slas(standard)),
            premium=(premium.id, _policy_slas(premium)),
            calendar_id=calendar.id,
            premium_created=premium.id if created else None,
        )

    # -- customers -------------------------------------------------------------------------------------------------

    def _plan_customers(self, policies: _Policies) -> None:
        rng = self.rng
        categories = _categories(self.n_customers)
        rng.shuffle(categories)
        countries = list(_COUNTRIES)
        weights = [c.weight for c in countries]
        in_progress = 0
        for index, category in enumerate(categories):
            country = rng.choices(countries, weights)[0]
            name, slug = self._company(country)
            policy_id, slas = policies.premium if rng.random() < PREMIUM_SHARE else policies.standard
            domains = (f"{slug}.{country.tld}",) + (
                (f"{slug}.com",) if country.tld != "com" and rng.random() < 0.2 else ()
            )
            zone = rng.choice(country.zones)
            customer = _Customer(
                index=index,
                name=name,
                country=country,
                zone=zone,
                clock=self._clock(zone),
                domains=domains,
                tam=rng.choice(self.staff[PersonRole.TAM]),
                policy_id=policy_id,
                slas=slas,
                allowance=rng.choices((5, 7, 3), (85, 8, 7))[0],
                category=category,
            )
            if category == "in_progress":
                in_progress += 1
            self._plan_onboarding(customer, in_progress)
            self._plan_seats(customer)
            self.customers.append(customer)

    def _company(self, country: _Country) -> tuple[str, str]:
        """A unique, plausible company name for ``country`` and its domain slug."""
        rng = self.rng
        for attempt in range(60):
            brand = rng.choice(country.brands if rng.random() < 0.45 else _GLOBAL_BRANDS)
            sector = rng.choice(_SECTORS)
            base = f"{brand} {sector}" if attempt < 30 else f"{brand} {rng.choice(_QUALIFIERS)} {sector}"
            slug = _ascii(base)
            if slug not in self._used_slugs:
                break
        else:
            number = 2
            while _ascii(f"{base} {number}") in self._used_slugs:
                number += 1
            base, slug = f"{base} {number}", _ascii(f"{base} {number}")
        self._used_slugs.add(slug)
        return f"{base} {rng.choice(country.legal_forms)}", slug

    def _write_customers(self) -> None:
        fields = _fields(
            t.Customer,
            "name, time_zone, country, email_domains, tam, sla_policy, calendar, seat_allowance, onboarding_started,"
            "access_form_sent_at, access_form_returned_at, archived, notes, created_at, version",
        )
        rows = [
            (
                c.name,
                c.zone,
                c.country.code,
                ",".join(c.domains),
                c.tam.id,
                c.policy_id,
                self.calendar_id,
                c.allowance,
                c.started.isoformat() if c.started else None,
                c.milestones.get(AutoRule.ACCESS_FORM_SENT),
                c.milestones.get(AutoRule.ACCESS_FORM_RETURNED),
                False,
                self.rng.choice(_CUSTOMER_NOTES),
                c.created_at,
                1,
            )
            for c in self.customers
        ]
        _insert(fields, rows)
        ids = _ids_by(t.Customer.name, [c.name for c in self.customers])
        for c in self.customers:
            c.id = ids[c.name]

    # -- onboarding ------------------------------------------------------------------------------------------------

    def _plan_onboarding(self, c: _Customer, in_progress_seen: int) -> None:
        """Start date, steps done (in order) with their times, and the milestones the data proves."""
        rng = self.rng
        offsets = [s.offset_days for s in self.template]
        if c.category == "not_started":
            c.planned_start = self.today + _days(rng.randint(2, 14))
            c.created_at = self.now - rng.randrange(HOUR, 10 * DAY)
            return
        age = _onboarding_age(rng, c.category, in_progress_seen)
        while c.category != "in_progress" and (self.today - _days(age)).weekday() >= 5:
            age += 1  # kickoffs happen on working days (in-progress ages are chosen for their seat states)
        c.started = self.today - _days(age)
        c.created_at = self._business_moment(c.clock, _working_day(c.started - _days(rng.randint(1, 20)), c.started))
        past_due = sum(1 for offset in offsets if offset < age)
        if c.category == "complete":
            done = len(offsets)
        elif c.category == "overdue":
            done = rng.randint(max(1, past_due - 5), max(1, past_due - 1))
        else:
            ahead = 1 if in_progress_seen > 2 and rng.random() < 0.3 else 0  # the first two are placed exactly
            done = min(len(offsets), past_due + ahead)
        self._step_times(c, offsets[:done])
        for position, step in enumerate(self.template[:done]):
            if step.auto_rule is not None:
                c.milestones[step.auto_rule] = c.done[position]
        if c.category == "complete":
            for rule in AutoRule:  # a template without the rule's step: the finished onboarding proves it
                c.milestones.setdefault(rule, c.done[-1])

    def _step_times(self, c: _Customer, offsets: Sequence[int]) -> None:
        rng = self.rng
        assert c.started is not None
        previous_day, previous = c.started, c.created_at
        for offset in offsets:
            day = c.started + _days(offset + rng.choice((-1, 0, 0, 0, 0, 1, 1, 2, 3)))
            day = _working_day(min(max(day, previous_day), self.today), self.today)
            at = min(max(self._business_moment(c.clock, day), previous + MINUTE), self.now - rng.randrange(60, HOUR))
            at = max(at, previous + 1)
            c.done.append(at)
            previous_day, previous = day, at

    def _write_onboarding(self) -> None:
        fields = _fields(
            t.OnboardingStep,
            "customer, position, title, description, due_date, done_at, done_by, note, auto_rule, version",
        )
        rows = []
        for c in self.customers:
            start = c.started or c.planned_start
            for i, step in enumerate(self.template):
                done_at = c.done[i] if i < len(c.done) else None
                # the designated users are named at the kickoff, before the access form brings their seats
                by_hand = step.auto_rule is None or not step.auto_rule.asks_why_by_hand
                done_by = "" if done_at is None else (c.tam.name if by_hand else AUTOMATIC)
                due = due_on(start, step.offset_days).isoformat() if start else None
                rule = step.auto_rule.value if step.auto_rule else None
                rows.append((c.id, step.position, step.title, step.description, due, done_at, done_by, "", rule, 1))
        self.counts.onboarding_steps = _insert(fields, rows)

    # -- portal seats ----------------------------------------------------------------------------------------------

    def _plan_seats(self, c: _Customer) -> None:
        """The seats the access form requested, how far each got, and revoked seats re-issued to someone new."""
        returned = c.milestones.get(AutoRule.ACCESS_FORM_RETURNED)
        if returned is None:
            return
        rng = self.rng
        people = self._seat_people(c, c.allowance + 3)
        granted_ms = c.milestones.get(AutoRule.SEATS_GRANTED)
        welcome_ms = c.milestones.get(AutoRule.WELCOME_CONFIRMED)
        granted = self._spread(c.allowance, returned, granted_ms)
        for slot, when in enumerate(granted, start=1):
            seat = _Seat(slot, *people.pop(), requested=returned, granted=when)
            if when is not None:
                seat.welcome = self._spread(1, when, welcome_ms)[0] if welcome_ms else None
            c.seats.append(seat)
        if granted_ms is not None and welcome_ms is None:
            for seat in rng.sample(c.seats, rng.randint(1, c.allowance - 1)):
                assert seat.granted is not None
                seat.welcome = rng.randint(seat.granted, self.now)
        if welcome_ms is not None:
            for seat in rng.sample(c.seats, rng.choices((0, 1, 2), (55, 33, 12))[0]):
                self._revoke_and_reissue(c, seat, people.pop())
        c.active_from = min((s.granted for s in c.seats if s.granted is not None), default=None)

    def _spread(self, n: int, start: int, end: int | None) -> list[int | None]:
        """``n`` times between ``start`` and ``end``, the last one at ``end``; without ``end`` some stay None."""
        rng = self.rng
        if end is not None:
            times: list[int | None] = [rng.randint(start, end) for _ in range(n - 1)]
            times.append(end)
            rng.shuffle(times)
            return times
        some = rng.randint(1, n - 1)
        return [rng.randint(start, self.now) for _ in range(some)] + [None] * (n - some)

    def _revoke_and_reissue(self, c: _Customer, seat: _Seat, person: tuple[str, str, str, str]) -> None:
        rng = self.rng
        assert seat.welcome is not None
        earliest, latest = seat.welcome + 20 * DAY, self.now - DAY
        if earliest >= latest:
            return
        seat.revoked = rng.randint(earliest, latest)
        seat.reason = rng.choice(_REVOKE_REASONS)
        requested = min(seat.revoked + rng.randrange(HOUR, 5 * DAY), self.now - MINUTE)
        new = _Seat(seat.seat_no, *person, requested=requested)
        granted = requested + rng.randrange(2 * HOUR, 3 * DAY)
        if granted <= self.now:
            new.granted = granted
            welcome = granted + rng.randrange(HOUR, 5 * DAY)
            new.welcome = welcome if welcome <= self.now else None
        c.seats.append(new)

    def _seat_people(self, c: _Customer, n: int) -> list[tuple[str, str, str, str]]:
        """``n`` distinct people of the customer: (full name, email, job title, phone)."""
        rng, country = self.rng, c.country
        # Distinct given and family names: nobody shares a name, and no team looks like one family.
        names = zip(rng.sample(country.first_names, n), rng.sample(country.last_names, n), strict=True)
        people = []
        for given, family in names:
            domain = c.domains[-1] if len(c.domains) > 1 and rng.random() < 0.2 else c.domains[0]
            email = f"{_ascii(given)}.{_ascii(family)}@{domain}"
            if country.phone_prefix == "+1":  # area code, then 555-01xx, the numbers reserved for fiction
                phone = f"+1 {rng.randint(201, 989)} 555 01{rng.randint(0, 99):02d}"
            else:
                area, block, line = rng.randint(20, 99), rng.randint(100, 999), rng.randint(1000, 9999)
                phone = f"{country.phone_prefix} {area} {block} {line}"
            people.append((f"{given} {family}", email, rng.choice(_JOB_TITLES), phone))
        return people

    def _write_seats(self) -> None:
        fields = _fields(
            t.PortalSeat,
            "customer, seat_no, full_name, email, mailbox_key, job_title, phone, status, requested_at, granted_at,"
            "welcome_confirmed_at, revoked_at, revoke_reason, version",
        )
        rows = [
            (
                c.id,
                s.seat_no,
                s.full_name,
                s.email,
                mailbox_key(s.email),
                s.job_title,
                s.phone,
                s.status.value,
                s.requested,
                s.granted,
                s.welcome,
                s.revoked,
                s.reason,
                1,
            )
            for c in self.customers
            for s in c.seats
        ]
        self.counts.seats = _insert(fields, rows)
        ids = {
            (customer_id, email): row_id
            for row_id, customer_id, email in t.PortalSeat.select(
                t.PortalSeat.id, t.PortalSeat.customer, t.PortalSeat.email
            )
            .tuples()
            .iterator()
        }
        for c in self.customers:
            for s in c.seats:
                s.id = ids[(c.id, s.email)]

    # -- tickets ---------------------------------------------------------------------------------------------------

    def _tickets(self) -> None:
        plans = self._plan_tickets()
        for start in range(0, len(plans), TICKET_CHUNK):
            chunk = plans[start : start + TICKET_CHUNK]
            self._ticket_chunk(chunk, FIRST_TICKET_NUMBER + start)
            self._step(self.n_customers + start + len(chunk))

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
        severities = rng.choices((1, 2, 3, 4), weights=_SEVERITY_WEIGHTS, k=regular)
        plans += [(self._opened_at(c, sev), c.index, sev, -1) for c, sev in zip(picks, severities, strict=True)]
        plans.sort()
        return plans

    def _opened_at(self, c: _Customer, severity: int) -> int:
        """Mostly during the customer's working hours; urgent tickets come at any time."""
        rng = self.rng
        earliest = c.active_from or self.now
        at = rng.randrange(earliest, self.now)
        if rng.random() < (0.5 if severity == 1 else 0.85):
            day = c.clock.to_local(at) // DAY
            while not _is_weekday(day):
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
            area = self.rng.randrange(len(_AREAS))
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
                _Ticket(0, number, c, severity, opened, resolved, status, area, reporter.full_name if reporter else "")
            )
        fields = _fields(
            t.Ticket,
            "number, customer, subject, severity, status, opened_at, resolved_at, reporter, engineer, notes, version",
        )
        self.counts.tickets += _insert(fields, rows)
        ids = _ids_by(t.Ticket.number, [number for number, _ in stories])
        for record in self.tickets[-len(chunk) :]:
            record.id = ids[record.number]
        event_rows = [(ids[number], *event, 1) for number, events in stories for event in events]
        self.counts.ticket_events += _insert(
            _fields(t.TicketEvent, "ticket, at, kind, note, author, version"), event_rows
        )

    def _reporter(self, c: _Customer, opened: int) -> _Seat | None:
        """A seat holder with portal access when the ticket was opened."""
        holders = [
            s for s in c.seats if s.granted is not None and s.granted <= opened and (s.revoked or opened + 1) > opened
        ]
        return self.rng.choice(holders) if holders else None

    def _subject(self, severity: int, area: int) -> str:
        rng = self.rng
        text = rng.choice(_SUBJECTS[severity]).format(
            area=_AREAS[area],
            error=rng.choice(_ERRORS),
            version=f"{rng.randint(430, 455)}-e.{rng.randint(1, 12)}",
            feature=rng.choice(_FEATURES),
        )
        return text[0].upper() + text[1:]

    def _story(self, c: _Customer, severity: int, opened: int, engineer: str, reporter: str) -> list[tuple[Any, ...]]:
        """The ticket's history: (at, kind, note, author) up to now, never before ``opened``, in order."""
        rng, sla = self.rng, c.slas[severity]
        events: list[tuple[Any, ...]] = []
        late = rng.random() < _LATE_FIRST_RESPONSE[severity]
        at = c.clock.add(
            opened, sla.first_response * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.9)), sla.business
        )
        first_notes = _NOTES["first_sev1" if severity == 1 else "first"]
        events.append((at, _RESPONSE, rng.choice(first_notes), engineer))
        long_running = severity >= 3 and opened > self.now - 90 * DAY and rng.random() < 0.04
        budget = (
            math.inf
            if long_running
            else min(rng.lognormvariate(math.log(_MEDIAN_WORK[severity]), 0.8), 8 * _MEDIAN_WORK[severity])
        )
        at = self._converse(events, c, sla, at, budget, engineer, reporter)
        if not long_running:
            at = self._solve(events, c, sla, at, engineer)
            if rng.random() < _REOPEN:
                at = c.clock.add(at, rng.uniform(2 * HOUR, 3 * BUSINESS_DAY), True)
                events.append((at, _REOPENED, rng.choice(_NOTES["reopened"]), reporter))
                at = c.clock.add(at, sla.cadence * rng.uniform(0.2, 0.9), sla.business)
                events.append((at, _RESPONSE, rng.choice(_NOTES["update"]), engineer))
                at = self._converse(events, c, sla, at, sla.cadence * rng.uniform(0, 2), engineer, reporter)
                self._solve(events, c, sla, at, engineer)
        return _clean_history(events, opened, self.now)

    def _converse(
        self,
        events: list[tuple[Any, ...]],
        c: _Customer,
        sla: _Sla,
        at: int,
        budget: float,
        engineer: str,
        reporter: str,
    ) -> int:
        """Updates on the cadence (a few late), sometimes waiting on the customer, until ``budget`` is spent."""
        rng, spent = self.rng, 0.0
        while at <= self.now:
            missed = rng.random() < _MISSED_UPDATE
            gap = sla.cadence * (rng.uniform(1.05, 1.9) if missed else rng.uniform(0.35, 0.95))
            if spent + gap >= budget:
                break
            spent += gap
            if rng.random() < _WAIT_ON_CUSTOMER:
                events.append((at, _WAITING, rng.choice(_NOTES["wait"]), engineer))
                reply = (
                    rng.uniform(10 * MINUTE, 3 * HOUR) if not sla.business else rng.uniform(HOUR, 1.5 * BUSINESS_DAY)
                )
                at = c.clock.add(at, reply, sla.business)
                events.append((at, _REPLIED, rng.choice(_NOTES["reply"]), reporter))
                at = c.clock.add(at, sla.cadence * rng.uniform(0.1, 0.6), sla.business)
            else:
                at = c.clock.add(at, gap, sla.business)
            events.append((at, _RESPONSE, rng.choice(_NOTES["update"]), engineer))
        return at

    def _solve(self, events: list[tuple[Any, ...]], c: _Customer, sla: _Sla, at: int, engineer: str) -> int:
        at = c.clock.add(at, sla.cadence * self.rng.uniform(0.2, 0.9), sla.business)
        events.append((at, _SOLVED, self.rng.choice(_NOTES["solved"]), engineer))
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

    # -- live tickets: SLA pressure at now ------------------------------------------------------------------------

    def _plan_live(self, eligible: Sequence[_Customer]) -> list[tuple[int, int, int, int]]:
        """Plans of the live tickets, their histories in ``self._live``; a customer too new for one is passed over."""
        n = _live_count(self.n_tickets, len(self.staff[PersonRole.TAM]))
        if not n:
            return []
        resolver = SlaResolver()
        customers = self._live_customers(eligible)
        plans = []
        for slot, severity in enumerate(_quota(self.rng, _LIVE_SEVERITY_WEIGHTS, n)):
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

    def _live_customers(self, eligible: Sequence[_Customer]) -> list[_Customer]:
        """The customers, one TAM's after another's in turn (the TAM with most first), so every TAM gets some."""
        by_tam: dict[int, list[_Customer]] = {}
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
            opened = _before(clock, self.now, first * share)
            return None if opened is None else (opened, ())
        last = _before(clock, self.now, cadence * share)
        if last is None:
            return None
        events = [(last, _RESPONSE)] + ([(last, _WAITING)] if pressure is _Pressure.WAITING else [])
        for _ in range(rng.choice((0, 1, 1, 2))):  # earlier updates, each in time
            earlier = _before(clock, last, cadence * rng.uniform(0.4, 0.9))
            if earlier is None:
                return None
            asked = [(earlier, _WAITING), ((earlier + last) // 2, _REPLIED)] if rng.random() < 0.3 else []
            events = [(earlier, _RESPONSE), *asked, *events]
            last = earlier
        opened = _before(clock, last, first * rng.uniform(0.1, 0.8))
        return None if opened is None else (opened, tuple(events))

    def _live_story(
        self, history: Sequence[tuple[int, str]], severity: int, opened: int, engineer: str, reporter: str
    ) -> list[tuple[Any, ...]]:
        """A live ticket's planned history with notes and authors, as ``_story`` gives them."""
        rng = self.rng
        events: list[tuple[Any, ...]] = []
        for at, kind in history:
            if kind == _REPLIED:
                events.append((at, kind, rng.choice(_NOTES["reply"]), reporter))
                continue
            if kind == _WAITING:
                notes = _NOTES["wait"]
            elif events:
                notes = _NOTES["update"]
            else:
                notes = _NOTES["first_sev1" if severity == 1 else "first"]
            events.append((at, kind, rng.choice(notes), engineer))
        return _clean_history(events, opened, self.now)

    # -- escalations -----------------------------------------------------------------------------------------------

    def _escalations(self) -> None:
        n = round(len(self.tickets) * ESCALATION_RATE)
        weights = _ESCALATION_SEVERITY_WEIGHT
        unresolved = [k for k in self.tickets if k.resolved is None and k.status is not TicketStatus.NEW]
        recent = [k for k in self.tickets if k.resolved is not None and k.resolved > self.now - 10 * DAY]
        fallback = _Pool([k for k in self.tickets if k.opened < self.now - 3 * DAY] or self.tickets, weights)
        ongoing = _Pool(unresolved, weights) or fallback
        pools = {
            EscalationState.REQUESTED: ongoing,
            EscalationState.ACKNOWLEDGED: ongoing,
            EscalationState.ACTION_PLAN: ongoing,
            EscalationState.MONITORING: _Pool(unresolved + recent, weights) or fallback,
        }
        used: set[int] = set()
        entries: list[tuple[Any, ...]] = []
        vp = _VpRule(SlaResolver(), vp_limit().business_days)
        states = _quota(self.rng, _ESCALATION_WEIGHTS, n)
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
        ids = _ids_by(t.Escalation.ticket, [row["ticket"] for row in self._escalation_rows])
        entries = [(ids[ticket_id], *rest) for ticket_id, *rest in entries]
        fields = _fields(t.EscalationEntry, "escalation, at, author, state, text")
        self.counts.escalation_entries = _insert(fields, entries)

    def _escalation_owing_the_vp(
        self, unresolved: Sequence[_Ticket], used: set[int], vp: _VpRule
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
        self, ticket: _Ticket, state: EscalationState, vp: _VpRule, *, owing: bool = False
    ) -> list[tuple[Any, ...]]:
        """Write one escalation in ``state`` (``owing``: past the VP rule's limit, the VP not apprised); returns its
        timeline entries."""
        rng = self.rng
        path = _escalation_path(rng, state)
        start = ticket.opened + rng.randrange(30 * MINUTE, 36 * HOUR)
        gaps = [rng.uniform(*_ESCALATION_HOURS[s]) * HOUR for s in path[1:]]
        if state.is_open:  # an open escalation moved recently, even on a ticket that has been open for weeks
            start = max(start, self.now - int(sum(gaps)) - rng.randrange(HOUR, 3 * DAY))
        if owing:
            start = max(vp.owed_opening(ticket, self.now) - rng.randrange(MINUTE, HOUR), ticket.opened)
        times = _fit(start, gaps, max(self.now - MINUTE, ticket.opened))
        by_customer = rng.random() < 0.6 and bool(ticket.reporter)
        manager = rng.choice(self.staff[PersonRole.SUPPORT_MANAGER])
        director = rng.choice(self.staff[PersonRole.SENIOR_DIRECTOR])
        closed = times[-1] if not state.is_open else None
        apprisal = None if owing else self._vp_apprised(ticket, times[0], closed, vp)
        vp_at = apprisal[0] if apprisal else None
        vp_note = rng.choice(_VP_NOTES) if apprisal else ""
        escalation_id = ticket.id  # one escalation per ticket: its id is read back by ticket (``_escalations``)
        self._escalation_rows.append(dict(
            ticket=ticket.id,
            requested_by="customer" if by_customer else "tam",
            requester_name=ticket.reporter if by_customer else ticket.customer.tam.name,
            reason=rng.choice(_ESCALATION_REASONS),
            business_impact=rng.choice(_BUSINESS_IMPACTS),
            desired_outcome=rng.choice(_DESIRED_OUTCOMES),
            state=state.value,
            support_manager=manager.id,
            senior_director=director.id,
            vp_apprised=vp_at is not None,
            vp_apprised_at=vp_at,
            vp_note=vp_note,
            decline_reason=rng.choice(_DECLINE_REASONS) if state is EscalationState.DECLINED else "",
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

    def _vp_apprised(self, ticket: _Ticket, opened: int, closed: int | None, vp: _VpRule) -> tuple[int, str] | None:
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
                    (escalation_id, rng.randint(before + 1, after - 1), author, None, rng.choice(_ESCALATION_NOTES))
                )
        return notes

    # -- defects ---------------------------------------------------------------------------------------------------

    def _defects(self) -> None:
        n = round(len(self.tickets) * DEFECT_RATE)
        if not n:
            return
        weights = _DEFECT_SEVERITY_WEIGHT
        settled = _Pool([k for k in self.tickets if k.opened < self.now - 3 * DAY] or self.tickets, weights)
        aged = _Pool([k for k in self.tickets if k.opened < self.now - 45 * DAY], weights) or settled
        by_area: dict[int, list[_Ticket]] = {}
        for ticket in self.tickets:
            by_area.setdefault(ticket.area, []).append(ticket)
        used: set[int] = set()
        plans = []
        for state in _quota(self.rng, _DEFECT_WEIGHTS, n):
            late_state = state in (DefectState.FIX_DEPLOYED, DefectState.CLOSED)
            source = (aged if late_state else settled).pick(self.rng, used)
            if source is not None:
                plans.append(self._plan_defect(source, state, by_area, used))
        self._assign_engineering_keys(plans)
        self._write_defects(plans)

    def _plan_defect(
        self, source: _Ticket, state: DefectState, by_area: dict[int, list[_Ticket]], used: set[int]
    ) -> _DefectPlan:
        rng = self.rng
        states = list(DefectState)
        path = states[: states.index(state) + 1]
        reported = max(min(source.opened + rng.randrange(4 * HOUR, 72 * HOUR), self.now - 2 * HOUR), source.opened)
        gaps = [rng.uniform(*_DEFECT_HOURS[s]) * HOUR for s in path[1:]]
        times = _fit(reported, gaps, max(self.now - HOUR, reported))
        plan = _DefectPlan(source, state, dict(zip(path, times, strict=True)), [source])
        if rng.random() < 0.35:
            end = times[-1] if not state.is_open else self.now
            for _ in range(rng.randint(1, 3)):
                other = self._related_ticket(by_area[source.area], plan, reported - 30 * DAY, end, used)
                if other is not None:
                    plan.tickets.append(other)
        return plan

    def _related_ticket(
        self, candidates: Sequence[_Ticket], plan: _DefectPlan, earliest: int, latest: int, used: set[int]
    ) -> _Ticket | None:
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
        self.counts.defect_links = _insert(
            (t.DefectTicket.defect, t.DefectTicket.ticket, t.DefectTicket.linked_at), links
        )
        self.counts.defect_updates = _insert(_fields(t.DefectUpdate, "defect, customer, at, author, text"), updates)
        waiting = sorted(engineering)
        for start in range(0, len(waiting), 900):
            t.Ticket.update(status=TicketStatus.WAITING_ON_ENGINEERING.value).where(
                t.Ticket.id.in_(waiting[start : start + 900])
            ).execute()

    def _defect_values(self, plan: _DefectPlan) -> dict[str, Any]:
        rng, times, source = self.rng, plan.times, plan.source
        area = _AREAS[source.area]
        symptom = rng.choice(_DEFECT_SYMPTOMS).format(action=rng.choice(_DEFECT_ACTIONS), error=rng.choice(_ERRORS))
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
            values.update(fix_version=self._release(deployed), deployed_on=_date_of(deployed).isoformat())
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

    # -- calendar holidays and audit -------------------------------------------------------------------------------

    def _holidays(self) -> None:
        """A German year-end shutdown and a US holiday worked anyway, for the span's years (kept if present)."""
        wanted = []
        for year in sorted({self.today.year - 1, self.today.year}):
            wanted.append(("DE", date(year, 12, 24), "Company shutdown", False))
            wanted.append(("DE", date(year, 12, 31), "Company shutdown", False))
            wanted.append(("US", _nth_weekday(year, 10, 0, 2), "Columbus Day (a working day)", True))
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
                after={"targets": _PREMIUM_TARGETS},
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


# ---------------------------------------------------------------------------------------------------------------------
# Helpers of the builder


@dataclass(frozen=True)
class _Policies:
    standard: tuple[int, dict[int, _Sla]]
    premium: tuple[int, dict[int, _Sla]]
    calendar_id: int
    premium_created: int | None


@dataclass(frozen=True)
class _TemplateStep:
    position: int
    title: str
    description: str
    offset_days: int
    auto_rule: AutoRule | None


@dataclass(slots=True)
class _DefectPlan:
    source: _Ticket
    state: DefectState
    times: dict[DefectState, int]
    tickets: list[_Ticket]
    key: str | None = None


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _staff_names(n: int) -> list[str]:
    """The first ``n`` names of a fixed sequence, so every run reuses the same people."""
    rng = random.Random(20240607)
    picks = rng.sample(range(len(_STAFF_FIRST) * len(_STAFF_LAST)), min(n, len(_STAFF_FIRST) * len(_STAFF_LAST)))
    return [f"{_STAFF_FIRST[p // len(_STAFF_LAST)]} {_STAFF_LAST[p % len(_STAFF_LAST)]}" for p in picks]


def _policy_slas(policy: t.SlaPolicy) -> dict[int, _Sla]:
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
            slas[severity] = _sla(targets[key])
        except (KeyError, TypeError, ValueError, AttributeError):
            slas[severity] = _sla(_FALLBACK_TARGETS[key])
    return slas


def _sla(target: dict[str, Any]) -> _Sla:
    return _Sla(
        first_response=int(target["first_response_min"]) * MINUTE,
        cadence=max(1, int(target["update_cadence_min"])) * MINUTE,
        business=target.get("clock") != ClockKind.TWENTY_FOUR_SEVEN.value,
    )


def _default_template() -> list[_TemplateStep]:
    """The default onboarding template from the database, or the built-in one when the database has none."""
    template = (
        t.OnboardingTemplate.get_or_none(t.OnboardingTemplate.is_default) or t.OnboardingTemplate.select().first()
    )
    if template is not None:
        steps = [
            _TemplateStep(
                s.position, s.title, s.description, s.offset_days, AutoRule(s.auto_rule) if s.auto_rule else None
            )
            for s in template.steps.order_by(t.OnboardingTemplateStep.position)
        ]
        if steps:
            return steps
    return [
        _TemplateStep(i, s.title, s.description, s.offset_days, s.auto_rule)
        for i, s in enumerate(DEFAULT_TEMPLATE, start=1)
    ]


def _defect_cadence() -> dict[int, int]:
    """Business days between customer updates per severity, from Settings (defaults when unset or malformed)."""
    row = t.Setting.get_or_none(t.Setting.key == "defect_update_cadence_business_days")
    try:
        loaded = json.loads(row.value) if row else {}
        return {int(k): max(1, int(v)) for k, v in loaded.items()} or dict(_DEFAULT_DEFECT_CADENCE)
    except (ValueError, TypeError, AttributeError):
        return dict(_DEFAULT_DEFECT_CADENCE)


def _working_day(day: date, latest: date) -> date:
    """``day``, or the Monday after a weekend day (the Friday before when that Monday is after ``latest``)."""
    if day.weekday() < 5:
        return day
    monday = day + _days(7 - day.weekday())
    return monday if monday <= latest else day - _days(day.weekday() - 4)


def _categories(n: int) -> list[str]:
    """Onboarding categories: a few not started, some in progress or overdue, the rest complete."""
    if n < 4:
        return ["complete"] * n
    not_started = max(1, round(n * 0.04))
    overdue = max(1, round(n * 0.05))
    in_progress = max(2, round(n * 0.07)) if n >= 10 else 1
    complete = n - not_started - overdue - in_progress
    return (
        ["not_started"] * not_started + ["overdue"] * overdue + ["in_progress"] * in_progress + ["complete"] * complete
    )


def _onboarding_age(rng: random.Random, category: str, in_progress_seen: int) -> int:
    """Days since the kickoff. The first two customers in progress are placed where seats are requested or granted."""
    if category == "complete":
        return rng.randint(35, SPAN_DAYS - 7)
    if category == "overdue":
        return rng.randint(16, 75)
    if in_progress_seen in (1, 2):
        return 11 if in_progress_seen == 1 else 14  # 5 steps done: seats requested; 6 done: seats granted
    return rng.randint(0, 16)


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


def _before(clock: Clock, end: int, seconds: float) -> int | None:
    """The latest whole second from which ``seconds`` of clock time have run by ``end``; None beyond a year back.

    Found by bisection on ``clock.elapsed``, so it agrees with the SLA evaluation to the second; on a business clock
    the answer falls inside business hours (the latest such instant is never in a closed stretch).
    """
    until = datetime.fromtimestamp(end, UTC)

    def ran(start: int) -> float:
        return clock.elapsed(datetime.fromtimestamp(start, UTC), until).total_seconds()

    span = max(int(seconds), MINUTE)
    while ran(end - span) < seconds:
        span *= 2
        if span > 400 * DAY:
            return None
    early, late = end - span, end  # the answer is in [early, late): ran(early) >= seconds
    while late - early > 1:
        middle = (early + late) // 2
        if ran(middle) >= seconds:
            early = middle
        else:
            late = middle
    return early


def _quota(rng: random.Random, weights: dict[Any, int], n: int) -> list[Any]:
    """``n`` states: each once (when ``n`` allows), the rest by weight, shuffled."""
    states = list(weights)
    chosen = states[:n] + rng.choices(states, weights=list(weights.values()), k=max(0, n - len(states)))
    rng.shuffle(chosen)
    return chosen


class _Pool:
    """Tickets bucketed by severity once, then drawn by severity weight without repeats."""

    def __init__(self, tickets: Sequence[_Ticket], weights: dict[int, float]) -> None:
        self._buckets: dict[int, list[_Ticket]] = {1: [], 2: [], 3: [], 4: []}
        for ticket in tickets:
            self._buckets[ticket.severity].append(ticket)
        self._severities = [s for s, bucket in self._buckets.items() if bucket]
        self._weights = [weights[s] * len(self._buckets[s]) for s in self._severities]

    def __bool__(self) -> bool:
        return bool(self._severities)

    def pick(self, rng: random.Random, used: set[int]) -> _Ticket | None:
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


def _fit(start: int, gaps: Sequence[float], latest: int) -> list[int]:
    """``start`` then each gap after the previous, squeezed so the last time is not after ``latest``."""
    start = min(start, latest)
    total = sum(gaps)
    scale = min(1.0, (latest - start) / total) if total else 1.0
    times, at = [start], float(start)
    for gap in gaps:
        at += gap * scale
        times.append(int(at))
    return times


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


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + _days((weekday - first.weekday()) % 7 + 7 * (n - 1))

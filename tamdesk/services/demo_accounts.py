"""Sample data for the account beyond its tickets: contacts and stakeholders, the timeline of meetings, calls,
emails and notes, their follow-ups, contract facts and installed versions.

Called by :func:`tamdesk.services.demo.generate_demo` once customers, seats, tickets and defects are written, inside
the same transaction; it reads what they wrote and adds to it. Deterministic for a seed and a clock. Rows go in by
pages (a few statements per thousand rows), like the rest of the sample.

Shaped so that every account feature has something to show: a few champions who left (Today's stakeholders), a few
renewals within 120 days, follow-ups due this week and overdue ones, customers still on a version older than a fix
that was deployed for them, and customers nobody has spoken to for months (their health says so).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tamdesk.domain.contacts import ContactRole, Influence, safe_key
from tamdesk.domain.timeline import EntryKind
from tamdesk.domain.versions import parse_version
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_dicts
from tamdesk.models.db import database
from tamdesk.services.base import Context, tuples

HISTORY_DAYS = 180  # the timeline covers the last six months

SPONSOR_TITLES = ("VP Engineering", "CTO", "Head of IT Operations", "Director of Platform Engineering", "CIO")
PROCUREMENT_TITLES = ("Procurement Manager", "Vendor Manager", "Strategic Sourcing Lead")
CURRENCIES = {"US": "USD", "CA": "CAD", "GB": "GBP", "JP": "JPY", "AU": "AUD", "IN": "INR", "BR": "BRL", "CH": "CHF"}
EDITIONS = ("Enterprise", "Enterprise", "Professional", "Enterprise Plus")

MEETINGS = (
    ("Quarterly business review", "Went through the quarter's tickets, the SLA figures and the roadmap.\n"
     "They asked for an earlier look at the next release."),
    ("Monthly check-in", "Open tickets reviewed one by one; nothing blocking.\nNext check-in in four weeks."),
    ("Upgrade planning", "Agreed the upgrade path and a test window on staging.\nRollback plan to be shared first."),
    ("Escalation debrief", "Walked through the timeline of the escalation and what changes on our side.\n"
     "They were satisfied with the action plan."),
    ("Roadmap preview", "Previewed the next two releases under NDA.\nStrong interest in the audit-log export."),
)  # fmt: skip
CALLS = (
    ("Check-in with the technical lead", "Performance is stable since the last patch."),
    ("Call about {ticket}", "Explained the workaround for {ticket}; they will try it this week."),
    ("Renewal call", "Procurement wants the renewal quote a month early this year."),
    ("Go-live readiness call", "Load test passed; go-live confirmed for next month."),
)
EMAILS = (
    ("Release notes sent", "Sent the release notes and the upgrade guide."),
    ("Update on {ticket}", "Summarised where {ticket} stands and the next step."),
    ("Training invitation", "Invited their new admins to the onboarding training."),
)
NOTES = (
    ("Note", "Champion mentioned a reorganisation in their team; watch who owns the platform next quarter."),
    ("Note", "Budget for next year is being decided in the coming weeks."),
    ("Note", "They are evaluating a competitor for a new business unit."),
)
FOLLOW_UPS = (
    "Send the upgrade plan",
    "Share the load-test results",
    "Book the next review",
    "Send the roadmap slides",
    "Confirm the maintenance window",
    "Check the fix version with engineering",
    "Invite their new admins to training",
    "Send the renewal quote",
)


@dataclass(frozen=True)
class AccountCounts:
    contacts: int
    timeline_entries: int
    follow_ups: int
    contracts: int
    installed_versions: int


@dataclass
class _Customer:
    id: int
    name: str
    zone: ZoneInfo
    country: str
    tam_id: int | None
    created: datetime
    policy: str
    seats: list[tuple[int, str, str, str, str]]  # id, full name, email, job title, status
    tickets: list[str]  # numbers of its recent tickets
    ticket_ids: dict[str, int]
    fixes: list[tuple[str, date]]  # fix versions of deployed defects linked to its tickets, and when deployed
    domain: str


def add_account_data(ctx: Context, rng: random.Random) -> AccountCounts:
    """Write the sample's account data for every customer in the database (see the module docstring)."""
    now = ctx.now()
    customers = _customers(now)
    people = dict(tuples(t.Person.select(t.Person.id, t.Person.name)))
    writer = _Writer()
    counts: dict[str, int] = defaultdict(int)
    for c in customers:
        contacts = _contacts(rng, c, now, writer)
        counts["contacts"] += len(contacts)
        entries, follow_ups = _timeline(rng, c, now, contacts, people, writer)
        counts["timeline_entries"] += entries
        counts["follow_ups"] += follow_ups
        counts["contracts"] += _contract(rng, c, now, writer)
        counts["installed_versions"] += _versions(rng, c, now, writer)
    writer.flush()
    return AccountCounts(**counts)


# -- reading what the sample wrote ------------------------------------------------------------------------------------


def _customers(now: datetime) -> list[_Customer]:
    seats: dict[int, list[tuple[int, str, str, str, str]]] = defaultdict(list)
    query = t.PortalSeat.select(
        t.PortalSeat.customer, t.PortalSeat.id, t.PortalSeat.full_name, t.PortalSeat.email,
        t.PortalSeat.job_title, t.PortalSeat.status,
    ).order_by(t.PortalSeat.customer, t.PortalSeat.seat_no)  # fmt: skip
    for customer_id, *seat in tuples(query):
        seats[customer_id].append(tuple(seat))  # type: ignore[arg-type]
    recent: dict[int, list[tuple[str, int]]] = defaultdict(list)
    cutoff = now - timedelta(days=400)
    tickets = (
        t.Ticket.select(t.Ticket.customer, t.Ticket.number, t.Ticket.id)
        .where(t.Ticket.opened_at >= cutoff)
        .order_by(t.Ticket.customer, t.Ticket.opened_at.desc())
    )
    for customer_id, number, ticket_id in tuples(tickets):
        if len(recent[customer_id]) < 8:
            recent[customer_id].append((number, ticket_id))
    fixes: dict[int, list[tuple[str, date]]] = defaultdict(list)
    deployed = (
        t.DefectTicket.select(t.Ticket.customer, t.Defect.fix_version, t.Defect.deployed_on)
        .join(t.Defect)
        .switch(t.DefectTicket)
        .join(t.Ticket)
        .where(t.Defect.fix_version != "", t.Defect.deployed_on.is_null(False))
    )
    for customer_id, fix, deployed_on in tuples(deployed):
        day = deployed_on if isinstance(deployed_on, date) else date.fromisoformat(str(deployed_on))
        fixes[customer_id].append((fix, day))
    found = []
    customers = (
        t.Customer.select(
            t.Customer.id, t.Customer.name, t.Customer.time_zone, t.Customer.country, t.Customer.tam,
            t.Customer.created_at, t.SlaPolicy.name, t.Customer.email_domains,
        )
        .join(t.SlaPolicy)
        .where(~t.Customer.archived)
        .order_by(t.Customer.id)
    )  # fmt: skip
    for cid, name, zone, country, tam, created, policy, domains in tuples(customers):
        created_at = created if isinstance(created, datetime) else datetime.fromtimestamp(int(created), UTC)
        domain = (domains or "").split(",")[0].strip() or "example.com"
        found.append(
            _Customer(cid, name, ZoneInfo(zone), country, tam, created_at, policy, seats[cid],
                      [n for n, _ in recent[cid]], dict(recent[cid]), fixes[cid], domain)
        )  # fmt: skip
    return found


# -- writing ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ref:
    """A contact or timeline entry not written yet, by its natural key; the writer puts its id in its place."""

    model: type[t.BaseModel]
    key: tuple[int, Any]


# what identifies a row of each table that others point at, among the sample's rows
_KEYS: dict[type[t.BaseModel], tuple[str, str]] = {
    t.Contact: ("customer_id", "mailbox_key"),
    t.TimelineEntry: ("customer_id", "at"),
}


class _Writer:
    """Every row of the account data, written at the end a page per statement (models.bulk); contacts and entries
    first, then their ids are read back by natural key and put in place of the references to them."""

    def __init__(self) -> None:
        self.rows: dict[type[t.BaseModel], list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: type[t.BaseModel], **row: Any) -> None:
        self.rows[model].append(row)

    def insert(self, model: type[t.BaseModel], key: Any, **row: Any) -> _Ref:
        """A row others will point at: ``key`` is its natural key within its customer."""
        self.rows[model].append(row)
        return _Ref(model, (int(row["customer"]), key))

    def flush(self) -> None:
        ids: dict[_Ref, int] = {}
        order: list[type[t.BaseModel]] = [t.Contact, t.TimelineEntry, *(m for m in self.rows if m not in _KEYS)]
        for model in order:
            rows = [{k: ids[v] if isinstance(v, _Ref) else v for k, v in row.items()} for row in self.rows[model]]
            insert_dicts(model, rows)
            if model in _KEYS:
                customer, key = _KEYS[model]
                table = model._meta.table_name  # type: ignore[attr-defined]
                found = database.execute_sql(f'SELECT "{customer}", "{key}", "id" FROM "{table}"').fetchall()
                ids.update({_Ref(model, (int(cid), k)): int(rid) for cid, k, rid in found})
        self.rows.clear()


def _email(first: str, last: str, domain: str) -> str:
    plain = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
    return f"{plain}@{domain}"


@dataclass(frozen=True)
class _Contact:
    id: _Ref
    role: ContactRole
    left: bool


def _contacts(rng: random.Random, c: _Customer, now: datetime, writer: _Writer) -> list[_Contact]:
    contacts: list[_Contact] = []
    held = [s for s in c.seats if s[4] != "revoked"]
    firsts = [s[1].split()[0] for s in c.seats] or ["Alex", "Sam", "Robin"]
    lasts = [s[1].split()[-1] for s in c.seats] or ["Meyer", "Novak", "Silva"]
    champion_leaves = rng.random() < 0.05
    used = {safe_key(s[2]) for s in held}
    for n, (seat_id, full_name, email, title, _status) in enumerate(held):
        role = (ContactRole.CHAMPION, ContactRole.TECHNICAL_LEAD)[n] if n < 2 else ContactRole.OTHER
        influence = Influence.HIGH if n == 0 else Influence.MEDIUM if n < 3 else Influence.LOW
        left = role is ContactRole.CHAMPION and champion_leaves
        contact_id = writer.insert(
            t.Contact, safe_key(email), customer=c.id, full_name=full_name, email=email, mailbox_key=safe_key(email),
            title=title, role=role.value, influence=influence.value, seat=seat_id,
            left_at=now - timedelta(days=rng.randint(3, 25)) if left else None, created_at=c.created,
        )  # fmt: skip
        contacts.append(_Contact(contact_id, role, left))
    for role, titles, influence in (
        (ContactRole.EXECUTIVE_SPONSOR, SPONSOR_TITLES, Influence.HIGH),
        (ContactRole.PROCUREMENT, PROCUREMENT_TITLES, Influence.LOW),
    ):
        first, last = rng.choice(firsts), rng.choice(lasts)
        email = _email(first, last, c.domain)
        for other in ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Keller", "Santos", "Brennan", "Ashworth"):
            if safe_key(email) not in used:
                break
            last, email = other, _email(first, other, c.domain)
        used.add(safe_key(email))
        contact_id = writer.insert(
            t.Contact, safe_key(email), customer=c.id, full_name=f"{first} {last}", email=email,
            mailbox_key=safe_key(email),
            title=rng.choice(titles), role=role.value, influence=influence.value, created_at=c.created,
        )  # fmt: skip
        contacts.append(_Contact(contact_id, role, False))
    return contacts


def _business_moment(rng: random.Random, c: _Customer, day: date) -> datetime:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    local = datetime(day.year, day.month, day.day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)), tzinfo=c.zone)
    return local.astimezone(UTC)


def _timeline(
    rng: random.Random,
    c: _Customer,
    now: datetime,
    contacts: Sequence[_Contact],
    people: dict[int, str],
    writer: _Writer,
) -> tuple[int, int]:
    """Entries every few weeks over the last six months (none for a few neglected customers), with attendees,
    mentions and follow-ups; returns (entries, follow-ups)."""
    if rng.random() < 0.08:
        return 0, 0  # nobody has spoken to this customer for months: its health says so
    start = max(c.created, now - timedelta(days=HISTORY_DAYS))
    span = (now - start).days
    if span < 7:
        return 0, 0
    tam = people.get(c.tam_id or -1, "tamdesk demo")
    present = [k for k in contacts if not k.left]
    by_role = {k.role: k for k in contacts}
    at = start + timedelta(days=rng.randint(2, 10))
    entries = follow_ups = 0
    latest_meetings: list[tuple[_Ref, datetime]] = []
    while at < now - timedelta(hours=4):
        kind = rng.choices((EntryKind.MEETING, EntryKind.CALL, EntryKind.EMAIL, EntryKind.NOTE), (35, 35, 20, 10))[0]
        ticket = rng.choice(c.tickets) if c.tickets else ""
        templates = {EntryKind.MEETING: MEETINGS, EntryKind.CALL: CALLS, EntryKind.EMAIL: EMAILS,
                     EntryKind.NOTE: NOTES}[kind]  # fmt: skip
        title, body = rng.choice([x for x in templates if ticket or "{ticket}" not in x[0] + x[1]])
        title, body = title.format(ticket=ticket), body.format(ticket=ticket)
        moment = min(_business_moment(rng, c, at.astimezone(c.zone).date()), now - timedelta(hours=1))
        entry_id = writer.insert(
            t.TimelineEntry, int(moment.timestamp()), customer=c.id, kind=kind.value, at=moment, title=title,
            body=body, author=tam,
            recap_sent_at=moment + timedelta(hours=3) if kind is EntryKind.MEETING and rng.random() < 0.7 else None,
            created_at=moment,
        )  # fmt: skip
        entries += 1
        attendees: list[_Contact] = []
        if kind is EntryKind.MEETING:
            wanted = [by_role.get(ContactRole.EXECUTIVE_SPONSOR), by_role.get(ContactRole.CHAMPION),
                      by_role.get(ContactRole.TECHNICAL_LEAD)]  # fmt: skip
            attendees = [k for k in wanted if k is not None and not k.left][: rng.randint(2, 3)]
        elif kind in (EntryKind.CALL, EntryKind.EMAIL) and present:
            attendees = [rng.choice(present)]
        for k in attendees:
            writer.add(t.TimelineAttendee, entry=entry_id, contact=k.id, person=None)
        if kind in (EntryKind.MEETING, EntryKind.CALL) and c.tam_id is not None:
            writer.add(t.TimelineAttendee, entry=entry_id, contact=None, person=c.tam_id)
        if ticket and ticket in title + body:
            writer.add(t.TimelineLink, entry=entry_id, ticket=c.ticket_ids[ticket], escalation=None, defect=None)
        if kind in (EntryKind.MEETING, EntryKind.CALL):
            latest_meetings.append((entry_id, moment))
        at += timedelta(days=rng.randint(12, 40))
    for entry_id, moment in latest_meetings[-2:]:
        for what in rng.sample(FOLLOW_UPS, rng.randint(1, 3)):
            due = (moment + timedelta(days=rng.randint(2, 16))).astimezone(c.zone).date()
            while due.weekday() >= 5:
                due += timedelta(days=1)
            done = due < now.date() - timedelta(days=1) and rng.random() < 0.85
            owner_contact = rng.choice(present).id if present and rng.random() < 0.3 else None
            writer.add(
                t.FollowUp, customer=c.id, entry=entry_id, what=what,
                owner_person=None if owner_contact else c.tam_id, owner_contact=owner_contact, due_on=due,
                done_at=datetime.combine(due, datetime.min.time(), UTC) + timedelta(hours=15) if done else None,
                done_by=tam if done else "", created_at=moment, created_by=tam,
            )  # fmt: skip
            follow_ups += 1
    return entries, follow_ups


def _contract(rng: random.Random, c: _Customer, now: datetime, writer: _Writer) -> int:
    today = now.date()
    term = rng.choice((1, 1, 2, 3))
    if rng.random() < 0.15:  # renewing within 120 days
        end = today + timedelta(days=rng.randint(5, 119))
    else:
        end = today + timedelta(days=rng.randint(125, 365 * term))
    start = max(date(end.year - term, end.month, min(end.day, 28)) + timedelta(days=1), c.created.date())
    currency = CURRENCIES.get(c.country, "EUR" if c.country in ("DE", "FR", "NL", "ES", "IT", "AT", "IE") else "USD")
    arr = rng.randrange(40, 1200) * 1000 * (100 if currency != "JPY" else 15000)
    writer.add(
        t.Contract, customer=c.id, support_tier=c.policy, entitlement_start=start, entitlement_end=end,
        renewal_on=end + timedelta(days=1), arr_cents=arr, currency=currency, edition=rng.choice(EDITIONS),
    )  # fmt: skip
    return 1


def _release(now: datetime, months_ago: int, rng: random.Random) -> str:
    """A release of the sample's scheme (monthly releases numbered on from 430, see demo_defects._release)."""
    number = 430 + 548 // 30 - months_ago
    return f"{number}-e.{rng.randint(1, 9)}" if rng.random() < 0.6 else str(number)


def _versions(rng: random.Random, c: _Customer, now: datetime, writer: _Writer) -> int:
    """Production and staging, each with a short history. A customer runs every fix deployed for it more than
    six weeks ago; about half of those with a fix deployed since have not installed it yet (Today lists them)."""
    behind = rng.randint(0, 3)
    production = sorted({_release(now, behind + 2 * step, rng) for step in range(rng.randint(1, 3))},
                        key=parse_version)  # fmt: skip
    recent = now.date() - timedelta(days=42)
    installed = [(v, d) for v, d in c.fixes if d < recent]
    pending = [v for v, d in c.fixes if d >= recent]
    since: dict[str, date] = {}
    if installed:
        newest, deployed = max(installed, key=lambda f: parse_version(f[0]))
        if parse_version(production[-1]) < parse_version(newest):
            production.append(newest)
            since[newest] = deployed + timedelta(days=rng.randint(3, 20))
    if pending and rng.random() < 0.5:
        oldest = min(pending, key=parse_version)
        production = [v for v in production if parse_version(v) < parse_version(oldest)] or [_older_than(oldest)]
    written = 0
    for n, version in enumerate(production):
        day = since.get(version) or (now - timedelta(days=30 * (len(production) - n) + rng.randint(0, 20))).date()
        writer.add(t.InstalledVersion, customer=c.id, product="", version=version, environment="production",
                   since=min(max(day, c.created.date()), now.date()), recorded_at=now,
                   recorded_by="tamdesk demo")  # fmt: skip
        written += 1
    staging = _release(now, max(0, behind - 1), rng)
    if parse_version(staging) < parse_version(production[-1]):
        staging = production[-1]
    writer.add(t.InstalledVersion, customer=c.id, product="", version=staging, environment="staging",
               since=max((now - timedelta(days=rng.randint(3, 20))).date(), c.created.date()), recorded_at=now,
               recorded_by="tamdesk demo")  # fmt: skip
    return written + 1


def _older_than(fix: str) -> str:
    release = int(fix.split("-")[0].split(".")[0])
    return str(release - 1)

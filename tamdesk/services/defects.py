"""Product defects, from a ticket's report to the deployed fix, with the customer-update cadence tracked.

A deployed fix keeps a linked customer owed updates while that customer runs an older version in production than
the fix version (``services.versions``, DESIGN §7); a customer with no production version recorded is treated as
reached, and closing the defect ends every duty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from peewee import fn

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.defect_updates import CustomerClock, LinkedCustomer, customer_clocks, first_due
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, TicketStatus
from tamdesk.domain.text import clean_line, clean_text, identity_problem, visible
from tamdesk.domain.typed_time import whole_minute
from tamdesk.domain.versions import FixReach, fix_reach
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    DomainError,
    FieldError,
    NotFound,
    ValidationFailed,
    record_audit,
    save_versioned,
    tuples,
)
from tamdesk.services.escalations import NeedsConfirmation
from tamdesk.services.settings import get_setting
from tamdesk.services.sla import SlaResolver
from tamdesk.services.tickets import too_long
from tamdesk.services.versions import clean_product, product_key, production_versions

ENGINEERING_KEY = re.compile(r"^[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8}$")
ENGINEERING_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# a tracker key as a link shows it (…/browse/ENG-1234): upper case, not part of a longer word or number
KEY_IN_LINK = re.compile(r"(?<![A-Za-z0-9_-])[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8}(?![A-Za-z0-9_-])")
DEFAULT_CADENCE = {"1": 1, "2": 5, "3": 10, "4": 20}
CLOCK_SKEW = timedelta(minutes=5)  # a laptop clock a little behind the tracker's is no error
ORDER = tuple(DefectState)


def priority_for(severity: Severity) -> str:
    """Backlog priority derived from severity: Sev1 -> P1 … Sev4 -> P4."""
    return f"P{int(severity)}"


@dataclass(frozen=True)
class CustomerUpdateRow:
    """One linked customer's update clock on a defect, with the customer's name."""

    customer: str
    clock: CustomerClock

    @property
    def customer_id(self) -> int:
        return self.clock.customer_id

    @property
    def overdue(self) -> bool:
        return self.clock.overdue


@dataclass(frozen=True)
class DefectRow:
    """A defect as lists and reports show it.

    The update fields summarize the per-customer clocks of ``customer_updates``: ``next_update_due`` and
    ``last_update`` are those of the customer whose update falls due first (once no clock runs, ``last_update`` is
    the latest update to anyone), and ``update_overdue`` says whether any customer is overdue.
    """

    id: int
    version: int
    title: str
    engineering_key: str
    engineering_url: str
    customers: tuple[str, ...]
    tickets: tuple[str, ...]
    severity: Severity
    priority: str
    state: DefectState
    reported_at: datetime
    validated_at: datetime | None
    escalated_at: datetime | None
    age_days: int
    last_update: datetime | None
    next_update_due: datetime | None
    update_overdue: bool
    fix_version: str
    deployed_on: date | None
    customer_updates: tuple[CustomerUpdateRow, ...] = ()
    closed_at: datetime | None = None
    product: str = ""  # the product the fix version belongs to; "" = the vendor's one product


@dataclass(frozen=True)
class DefectUpdateRow:
    at: datetime
    author: str
    customer: str
    text: str


@dataclass(frozen=True)
class DefectDetail:
    row: DefectRow
    description: str
    validated_by: str
    repro_notes: str
    priority_reason: str
    ticket_ids: tuple[int, ...]
    updates: tuple[DefectUpdateRow, ...]


def _defect(defect_id: int) -> t.Defect:
    defect = t.Defect.get_or_none(t.Defect.id == defect_id)
    if defect is None:
        raise NotFound(f"Defect #{defect_id} no longer exists.")
    return defect


def _customer_of(defect: t.Defect) -> int | None:
    link = defect.ticket_links.first()
    return link.ticket.customer_id if link else None


def _audit(ctx: Context, defect: t.Defect, action: str, summary: str, **extra: object) -> None:
    record_audit(
        ctx, entity="defect", entity_id=defect.id, customer=_customer_of(defect), action=action, summary=summary,
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


TITLE_LIMIT = 255  # the column's size: PostgreSQL refuses a longer one where SQLite would keep it


def report_defect(
    ctx: Context, ticket_id: int, title: str, description: str = "", severity: Severity | None = None
) -> int:
    """A defect reported from a ticket; severity defaults to the ticket's.

    The title is one line and the description free text: control characters other than tab and newline are dropped.
    """
    title, description = clean_line(title), clean_text(description)
    if not title.strip():
        raise ValidationFailed({"title": "A defect needs a title."})
    if problem := too_long("The title", title.strip(), TITLE_LIMIT):
        raise ValidationFailed({"title": f"{problem}: say the rest in the description."})
    with database.atomic():
        ticket = t.Ticket.get_or_none(t.Ticket.id == ticket_id)
        if ticket is None:
            raise NotFound(f"Ticket #{ticket_id} no longer exists.")
        sev = severity or Severity(ticket.severity)
        defect = t.Defect.create(
            title=title.strip(), description=description.strip(), severity=int(sev),
            state=DefectState.REPORTED.value, reported_at=ctx.now(), priority=priority_for(sev),
        )  # fmt: skip
        t.DefectTicket.create(defect=defect, ticket=ticket, linked_at=defect.reported_at)
        _audit(ctx, defect, "create", f"Defect #{defect.id} reported from ticket {ticket.number}: {defect.title}")
        return int(defect.id)


def link_ticket(ctx: Context, defect_id: int, ticket_id: int) -> None:
    """Link another ticket (possibly of another customer) to the defect; a new customer's update clock starts now."""
    with database.atomic():
        defect = _defect(defect_id)
        ticket = t.Ticket.get_by_id(ticket_id)
        if t.DefectTicket.get_or_none((t.DefectTicket.defect == defect) & (t.DefectTicket.ticket == ticket)):
            raise DomainError(f"Ticket {ticket.number} is already linked to defect #{defect.id}.")
        t.DefectTicket.create(defect=defect, ticket=ticket, linked_at=ctx.now())
        record_audit(
            ctx, entity="defect", entity_id=defect.id, customer=ticket.customer_id, action="link",
            summary=f"Ticket {ticket.number} linked to defect #{defect.id}",
        )  # fmt: skip


def _advance(defect: t.Defect, to: DefectState) -> None:
    current = DefectState(defect.state)
    if ORDER.index(to) <= ORDER.index(current):
        raise DomainError(
            f"Defect #{defect.id} is already {current.label.lower()}; it cannot become {to.label.lower()}."
        )


def validate_defect(
    ctx: Context, defect_id: int, expected_version: int, by: str, at: datetime, repro_notes: str = ""
) -> None:
    if refused := identity_problem("Validated by", by):
        raise FieldError("validated_by", refused)
    if not by.strip():
        raise FieldError("validated_by", "Say who validated the defect.")
    repro_notes = clean_text(repro_notes)
    with database.atomic():
        defect = _defect(defect_id)
        _advance(defect, DefectState.VALIDATED)
        if at < whole_minute(defect.reported_at):  # people type whole minutes: the minute it was reported is not before
            raise FieldError("validated_at", "Validated cannot be before the defect was reported.")
        if at > ctx.now() + CLOCK_SKEW:
            when, now = at.astimezone(), ctx.now().astimezone()  # the user's clock, as the picker shows it
            raise FieldError(
                "validated_at", f"Validated {when:%Y-%m-%d %H:%M} is in the future (now is {now:%Y-%m-%d %H:%M})."
            )
        changes = {"state": DefectState.VALIDATED.value, "validated_by": by.strip(), "validated_at": at,
                   "repro_notes": repro_notes.strip()}  # fmt: skip
        save_versioned(defect, expected_version, changes)
        _audit(ctx, defect, "state", f"Defect #{defect.id} validated by {by.strip()}")


def engineering_key(key: str) -> str:
    """The key as stored: ``eng-12`` is ``ENG-12``."""
    return key.strip().upper()


def check_engineering_link(key: str, url: str) -> dict[str, str]:
    """What is wrong with an engineering key and link, by field; a link naming another key is refused too."""
    errors = {}
    clean_key, clean_url = engineering_key(key), url.strip()
    if refused := identity_problem("Engineering key", key):
        errors["engineering_key"] = refused
    elif not ENGINEERING_KEY.match(clean_key):
        errors["engineering_key"] = f"Engineering key '{visible(key.strip())}' is not like ENG-1234."
    if refused := identity_problem("Link", url, address=True):
        errors["engineering_url"] = refused
    elif not ENGINEERING_URL.match(clean_url):
        errors["engineering_url"] = f"Link '{visible(clean_url)}' is not an http(s) address."
    elif "engineering_key" not in errors:
        parts = urlsplit(clean_url)
        named = KEY_IN_LINK.findall(f"{parts.path}?{parts.query}#{parts.fragment}")
        if named and clean_key not in named:
            errors["engineering_url"] = f"Link '{clean_url}' names {named[0]}, not the engineering key {clean_key}."
    return errors


def escalate_to_engineering(ctx: Context, defect_id: int, expected_version: int, key: str, url: str) -> None:
    """Record the engineering tracker's key and link; a defect must be validated first."""
    errors = check_engineering_link(key, url)
    if errors:
        raise ValidationFailed(errors)
    with database.atomic():
        defect = _defect(defect_id)
        if defect.validated_at is None:
            raise DomainError(f"Defect #{defect.id} must be validated before it is escalated to engineering.")
        _advance(defect, DefectState.ESCALATED)
        changes = {"state": DefectState.ESCALATED.value, "engineering_key": engineering_key(key),
                   "engineering_url": url.strip(), "escalated_at": ctx.now()}  # fmt: skip
        save_versioned(defect, expected_version, changes)
        _audit(ctx, defect, "state", f"Defect #{defect.id} escalated to engineering as {engineering_key(key)}")


def prioritize_defect(
    ctx: Context, defect_id: int, expected_version: int, priority: str = "", reason: str = ""
) -> None:
    """Prioritize into the backlog: priority from severity, or an override that needs a reason."""
    reason = clean_text(reason)
    with database.atomic():
        defect = _defect(defect_id)
        _advance(defect, DefectState.PRIORITIZED)
        derived = priority_for(Severity(defect.severity))
        chosen = priority.strip().upper() or derived
        if chosen not in ("P1", "P2", "P3", "P4"):
            raise FieldError("priority", f"Priority '{visible(priority)}' is not one of P1-P4.")
        if chosen != derived and not reason.strip():
            raise FieldError("priority_reason", f"Overriding the priority {derived} with {chosen} needs a reason.")
        changes = {"state": DefectState.PRIORITIZED.value, "priority": chosen,
                   "priority_reason": reason.strip(), "prioritized_at": ctx.now()}  # fmt: skip
        save_versioned(defect, expected_version, changes)
        _audit(ctx, defect, "state", f"Defect #{defect.id} prioritized {chosen}")


def start_fix(ctx: Context, defect_id: int, expected_version: int) -> None:
    with database.atomic():
        defect = _defect(defect_id)
        _advance(defect, DefectState.FIX_IN_PROGRESS)
        save_versioned(defect, expected_version, {"state": DefectState.FIX_IN_PROGRESS.value,
                                                  "fix_started_at": ctx.now()})  # fmt: skip
        _audit(ctx, defect, "state", f"Fix of defect #{defect.id} in progress")


def deploy_fix(ctx: Context, defect_id: int, expected_version: int, version: str, deployed_on: date) -> None:
    if refused := identity_problem("Fix version", version):
        raise FieldError("fix_version", refused)
    if not version.strip():
        raise FieldError("fix_version", "Which version carries the fix?")
    with database.atomic():
        defect = _defect(defect_id)
        _advance(defect, DefectState.FIX_DEPLOYED)
        today = ctx.now().astimezone().date()  # the user's day: the app runs on the TAM's own machine
        if deployed_on > today:
            raise FieldError(
                "deployed_on", f"Deployed {deployed_on.isoformat()} is in the future (today is {today.isoformat()})."
            )
        if defect.validated_at is not None and deployed_on < defect.validated_at.date():
            raise FieldError(
                "deployed_on",
                f"Deployed {deployed_on.isoformat()} is before the defect was validated "
                f"({defect.validated_at.date().isoformat()}).",
            )
        changes = {"state": DefectState.FIX_DEPLOYED.value, "fix_version": version.strip(), "deployed_on": deployed_on}
        save_versioned(defect, expected_version, changes)
        _audit(ctx, defect, "state", f"Fix of defect #{defect.id} deployed in {version.strip()}")


def set_defect_product(ctx: Context, defect_id: int, expected_version: int, product: str) -> None:
    """Name the product the defect's fix version belongs to ("" = the vendor's one product).

    It decides which of a customer's installed versions tell whether the fix has reached that customer.
    """
    clean = clean_product(product)
    with database.atomic():
        defect = _defect(defect_id)
        if defect.product == clean:
            return
        before = defect.product
        save_versioned(defect, expected_version, {"product": clean})
        _audit(
            ctx, defect, "update", f"Product of defect #{defect.id}: {clean or 'the one product'}",
            before={"product": before}, after={"product": clean},
        )  # fmt: skip


def close_defect(ctx: Context, defect_id: int, expected_version: int, *, confirm: bool = False) -> None:
    """Close a defect; with linked tickets still open it needs ``confirm``."""
    with database.atomic():
        defect = _defect(defect_id)
        _advance(defect, DefectState.CLOSED)
        open_tickets = [
            link.ticket.number
            for link in defect.ticket_links
            if link.ticket.status not in (TicketStatus.SOLVED.value, TicketStatus.CLOSED.value)
        ]
        if open_tickets and not confirm:
            raise NeedsConfirmation(
                f"Defect #{defect.id} still has open tickets ({', '.join(open_tickets)}). Close it anyway?"
            )
        save_versioned(defect, expected_version, {"state": DefectState.CLOSED.value, "closed_at": ctx.now()})
        _audit(ctx, defect, "state", f"Defect #{defect.id} closed")


def _cleared(defect: t.Defect, state: DefectState) -> dict[str, object]:
    """What reaching ``state`` wrote, as it was before (the step that reached it sets nothing else)."""
    cleared: dict[DefectState, dict[str, object]] = {
        DefectState.VALIDATED: {"validated_at": None, "validated_by": "", "repro_notes": ""},
        DefectState.ESCALATED: {"engineering_key": None, "engineering_url": "", "escalated_at": None},
        DefectState.PRIORITIZED: {"priority": priority_for(Severity(defect.severity)), "priority_reason": "",
                                  "prioritized_at": None},
        DefectState.FIX_IN_PROGRESS: {"fix_started_at": None},
        DefectState.FIX_DEPLOYED: {"fix_version": "", "deployed_on": None},
        DefectState.CLOSED: {"closed_at": None},
    }  # fmt: skip
    return cleared.get(state, {})


def take_back_step(ctx: Context, defect_id: int, expected_version: int, to: DefectState) -> None:
    """Undo the steps that took a defect from ``to`` to its state now: it is ``to`` again, without what they recorded
    (who validated, the engineering key, the priority override, the fix version …), with an audit entry.

    Raises:
        DomainError: one sentence when the defect changed since ``expected_version`` (another step, its product);
            nothing is written. NotFound.
    """
    with database.atomic():
        defect = _defect(defect_id)
        current = DefectState(defect.state)
        if defect.version != expected_version or ORDER.index(to) >= ORDER.index(current):
            raise DomainError(
                f"Defect #{defect.id} was changed by someone else since (it is {current.label.lower()} now); "
                "its step was not taken back."
            )
        changes: dict[str, object] = {"state": to.value}
        for state in ORDER[ORDER.index(to) + 1 : ORDER.index(current) + 1]:
            changes.update(_cleared(defect, state))
        before = {name: getattr(defect, name) for name in changes}
        save_versioned(defect, expected_version, changes)
        _audit(
            ctx, defect, "state", f"Defect #{defect.id}: {current.label.lower()} taken back ({to.label.lower()} again)",
            before=before, after=changes,
        )  # fmt: skip


def _is_linked(defect: t.Defect, customer_id: int) -> bool:
    links = (
        t.DefectTicket.select()
        .join(t.Ticket)
        .where((t.DefectTicket.defect == defect) & (t.Ticket.customer == customer_id))
    )
    return bool(links.exists())


def log_customer_update(
    ctx: Context, defect_id: int, text: str, customer_id: int | None = None, at: datetime | None = None
) -> None:
    """Log what a customer was told: it resets that customer's update clock only.

    Without ``customer_id`` the update went to every customer linked at ``at`` and resets each of their clocks.
    """
    text = clean_text(text)
    if not text.strip():
        raise FieldError("text", "Say what the customer was told.")
    with database.atomic():
        defect = _defect(defect_id)
        if customer_id is not None and not _is_linked(defect, customer_id):
            customer = t.Customer.get_or_none(t.Customer.id == customer_id)
            name = customer.name if customer else f"Customer #{customer_id}"
            raise FieldError("customer", f"{name} is not linked to defect #{defect.id}.")
        when = at or ctx.now()
        t.DefectUpdate.create(defect=defect, customer=customer_id, at=when, author=ctx.actor, text=text.strip())
        record_audit(
            ctx, entity="defect", entity_id=defect.id, customer=customer_id or _customer_of(defect),
            action="update_log", summary=f"Customer updated on defect #{defect.id}",
        )  # fmt: skip


# -- reading ---------------------------------------------------------------------------------------------------


def cadence_days() -> dict[Severity, int]:
    raw = get_setting("defect_update_cadence_business_days", DEFAULT_CADENCE)
    return {Severity(int(k)): int(v) for k, v in raw.items()}


@dataclass(frozen=True)
class _Link:
    ticket: str
    customer_id: int
    customer: str
    linked_at: datetime


def _chunks(ids: Sequence[int], size: int = 900) -> Iterator[list[int]]:
    """``ids`` in slices small enough for any engine's limit on query parameters."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _links(defects: Sequence[t.Defect]) -> dict[int, list[_Link]]:
    """Per defect, its links in the order they were made; an undated link counts from the defect's report."""
    reported = {d.id: d.reported_at for d in defects}
    found: dict[int, list[_Link]] = {}
    for ids in _chunks(list(reported)):
        query = (
            t.DefectTicket.select(t.DefectTicket.defect, t.Ticket.number, t.Customer.id, t.Customer.name,
                                  t.DefectTicket.linked_at)
            .join(t.Ticket).join(t.Customer).where(t.DefectTicket.defect.in_(ids)).order_by(t.DefectTicket.id)
        )  # fmt: skip
        for did, number, cid, name, linked in tuples(query):
            found.setdefault(did, []).append(_Link(number, cid, name, linked or reported[did]))
    return found


def _latest_updates(defects: Sequence[t.Defect], now: datetime) -> dict[int, dict[int | None, datetime]]:
    """Per defect, the latest update up to ``now`` logged to each customer (None: to every linked customer)."""
    found: dict[int, dict[int | None, datetime]] = {}
    u = t.DefectUpdate
    for ids in _chunks([d.id for d in defects]):
        query = (
            u.select(u.defect, u.customer, fn.MAX(u.at))
            .where(u.defect.in_(ids) & (u.at <= now))
            .group_by(u.defect, u.customer)
        )
        for did, cid, latest in tuples(query):
            # peewee converts MAX of the field like the field itself; a raw epoch is read the same way
            at = latest if isinstance(latest, datetime) else datetime.fromtimestamp(int(latest), UTC)
            found.setdefault(did, {})[cid] = at
    return found


def _customer_updates(
    defect: t.Defect, links: Sequence[_Link], latest: dict[int | None, datetime], now: datetime,
    resolver: SlaResolver, cadence: dict[Severity, int], installed: dict[tuple[int, str], str],
) -> tuple[CustomerUpdateRow, ...]:  # fmt: skip
    """Each linked customer's update clock (``domain.defect_updates``), the first linked customer first.

    While the fix is deployed (not closed), a customer whose production version of the defect's product is older
    than the fix version is still owed updates (``awaiting_fix``); ``installed`` holds the production versions.
    """
    names: dict[int, str] = {}
    linked: dict[int, datetime] = {}
    for link in links:  # a customer with several tickets on the defect counts from its first link
        names.setdefault(link.customer_id, link.customer)
        linked[link.customer_id] = min(link.linked_at, linked.get(link.customer_id, link.linked_at))
    deployed = DefectState(defect.state) is DefectState.FIX_DEPLOYED
    product = product_key(defect.product)
    customers = [
        LinkedCustomer(
            cid,
            linked[cid],
            resolver.calendar(cid),
            (latest[cid],) if cid in latest else (),
            awaiting_fix=deployed
            and fix_reach(defect.fix_version, True, installed.get((cid, product))) is FixReach.WAITING,
        )
        for cid in names
    ]
    shared = (latest[None],) if None in latest else ()
    clocks = customer_clocks(
        customers, cadence=cadence[Severity(defect.severity)] * BUSINESS_DAY, escalated_at=defect.escalated_at,
        duty_ended=not DefectState(defect.state).is_open, shared_updates=shared, now=now,
    )  # fmt: skip
    return tuple(CustomerUpdateRow(names[c.customer_id], c) for c in clocks)


def _row(
    defect: t.Defect, now: datetime, links: Sequence[_Link], updates: tuple[CustomerUpdateRow, ...],
    latest: dict[int | None, datetime], focus: int | None = None,
) -> DefectRow:  # fmt: skip
    customers = tuple(dict.fromkeys(link.customer for link in links))
    shown = [u for u in updates if u.customer_id == focus] if focus is not None else list(updates)
    first = first_due(u.clock for u in shown)
    last = first.last_update if first else max(latest.values(), default=None)
    age_end = datetime.combine(defect.deployed_on, datetime.min.time(), now.tzinfo) if defect.deployed_on else now
    return DefectRow(
        defect.id, defect.version, defect.title, defect.engineering_key or "", defect.engineering_url, customers,
        tuple(link.ticket for link in links), Severity(defect.severity), defect.priority, DefectState(defect.state),
        defect.reported_at, defect.validated_at, defect.escalated_at, max(0, (age_end - defect.reported_at).days),
        last, first.next_due if first else None, any(u.overdue for u in shown), defect.fix_version,
        defect.deployed_on, updates, defect.closed_at, defect.product,
    )  # fmt: skip


def customer_update_clocks(defects: Sequence[t.Defect], now: datetime) -> dict[int, tuple[CustomerUpdateRow, ...]]:
    """Per defect, each linked customer's update clock at ``now``, read in a few queries whatever their number."""
    return {defect_id: updates for defect_id, (_, updates, _) in _read(defects, now).items()}


def _read(
    defects: Sequence[t.Defect], now: datetime
) -> dict[int, tuple[list[_Link], tuple[CustomerUpdateRow, ...], dict[int | None, datetime]]]:
    resolver, cadence = SlaResolver(), cadence_days()
    links, latest = _links(defects), _latest_updates(defects, now)
    deployed = {d.id for d in defects if DefectState(d.state) is DefectState.FIX_DEPLOYED}
    installed = production_versions({link.customer_id for did in deployed for link in links.get(did, ())})
    read = {}
    for defect in defects:
        mine, told = links.get(defect.id, []), latest.get(defect.id, {})
        read[defect.id] = (mine, _customer_updates(defect, mine, told, now, resolver, cadence, installed), told)
    return read


def _rows(defects: Sequence[t.Defect], now: datetime, focus: int | None = None) -> list[DefectRow]:
    """The rows of ``defects`` at ``now``; with ``focus`` (a customer id) the update summary is that customer's."""
    read = _read(defects, now)
    return [_row(defect, now, *read[defect.id], focus=focus) for defect in defects]


def list_defects(
    now: datetime, *, customer_id: int | None = None, open_only: bool = False, ticket_id: int | None = None
) -> list[DefectRow]:
    """Defects, overdue customer updates first, then open by severity and age, then closed ones.

    With ``customer_id`` the next update, last update and overdue flag are that customer's own (its Defects tab
    answers "is *this* customer owed an update?"); otherwise they summarize every linked customer.
    """
    query = t.Defect.select()
    if customer_id is not None or ticket_id is not None:
        query = query.join(t.DefectTicket).join(t.Ticket)
        if customer_id is not None:
            query = query.where(t.Ticket.customer == customer_id)
        if ticket_id is not None:
            query = query.where(t.Ticket.id == ticket_id)
        query = query.distinct()
    if open_only:
        query = query.where(t.Defect.state.in_([s.value for s in DefectState if s.is_open]))
    rows = _rows(list(query), now, customer_id)
    return sorted(rows, key=lambda r: (not r.update_overdue, not r.state.is_open, int(r.severity), r.reported_at))


def defect_detail(defect_id: int, now: datetime) -> DefectDetail:
    defect = _defect(defect_id)
    updates = tuple(
        DefectUpdateRow(u.at, u.author, u.customer.name if u.customer_id else "", u.text)
        for u in defect.updates.order_by(t.DefectUpdate.at.desc())
    )
    return DefectDetail(
        _rows([defect], now)[0], defect.description, defect.validated_by,
        defect.repro_notes, defect.priority_reason, tuple(link.ticket_id for link in defect.ticket_links), updates,
    )  # fmt: skip

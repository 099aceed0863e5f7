"""Product defects, from a ticket's report to the deployed fix, with the customer-update cadence tracked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from tamdesk.domain.calendar import BUSINESS_DAY
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import cadence_deadline
from tamdesk.domain.states import DefectState, TicketStatus
from tamdesk.domain.text import clean_line, clean_text, identity_problem, visible
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
)
from tamdesk.services.escalations import NeedsConfirmation
from tamdesk.services.settings import get_setting
from tamdesk.services.sla import SlaResolver

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
class DefectRow:
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


def report_defect(
    ctx: Context, ticket_id: int, title: str, description: str = "", severity: Severity | None = None
) -> int:
    """A defect reported from a ticket; severity defaults to the ticket's.

    The title is one line and the description free text: control characters other than tab and newline are dropped.
    """
    title, description = clean_line(title), clean_text(description)
    if not title.strip():
        raise ValidationFailed({"title": "A defect needs a title."})
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
        if at < defect.reported_at:
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


def log_customer_update(
    ctx: Context, defect_id: int, text: str, customer_id: int | None = None, at: datetime | None = None
) -> None:
    text = clean_text(text)
    if not text.strip():
        raise FieldError("text", "Say what the customer was told.")
    with database.atomic():
        defect = _defect(defect_id)
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


def _row(defect: t.Defect, now: datetime, resolver: SlaResolver, cadence: dict[Severity, int]) -> DefectRow:
    links = list(defect.ticket_links)
    tickets = [link.ticket for link in links]
    customers = tuple(dict.fromkeys(tk.customer.name for tk in tickets))
    updates = list(defect.updates.order_by(t.DefectUpdate.at.desc()).limit(1))
    last = updates[0].at if updates else None
    state = DefectState(defect.state)
    severity = Severity(defect.severity)
    next_due = None
    if state.is_open and tickets:
        since = last or defect.escalated_at or defect.validated_at or defect.reported_at
        calendar = resolver.calendar(tickets[0].customer_id)
        next_due = cadence_deadline(calendar, since, cadence[severity] * BUSINESS_DAY)
    age_end = datetime.combine(defect.deployed_on, datetime.min.time(), now.tzinfo) if defect.deployed_on else now
    return DefectRow(
        defect.id, defect.version, defect.title, defect.engineering_key or "", defect.engineering_url, customers,
        tuple(tk.number for tk in tickets), severity, defect.priority, state, defect.reported_at,
        defect.validated_at, defect.escalated_at, max(0, (age_end - defect.reported_at).days), last, next_due,
        bool(next_due and next_due < now), defect.fix_version, defect.deployed_on,
    )  # fmt: skip


def list_defects(
    now: datetime, *, customer_id: int | None = None, open_only: bool = False, ticket_id: int | None = None
) -> list[DefectRow]:
    """Defects, overdue customer updates first, then open by severity and age, then closed ones."""
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
    resolver = SlaResolver()
    cadence = cadence_days()
    rows = [_row(d, now, resolver, cadence) for d in query]
    return sorted(rows, key=lambda r: (not r.update_overdue, not r.state.is_open, int(r.severity), r.reported_at))


def defect_detail(defect_id: int, now: datetime) -> DefectDetail:
    defect = _defect(defect_id)
    updates = tuple(
        DefectUpdateRow(u.at, u.author, u.customer.name if u.customer_id else "", u.text)
        for u in defect.updates.order_by(t.DefectUpdate.at.desc())
    )
    return DefectDetail(
        _row(defect, now, SlaResolver(), cadence_days()), defect.description, defect.validated_by,
        defect.repro_notes, defect.priority_reason, tuple(link.ticket_id for link in defect.ticket_links), updates,
    )  # fmt: skip

"""Support tickets and their history: record, correct, list with live SLA state, import.

SLA state is never stored: every list and detail recomputes it from the ticket's events and the policy and
calendar in force (services.sla), so a corrected timestamp or calendar re-applies to past tickets. A list is
evaluated in chunks on a background thread rather than kept as a cache of derived deadlines: the figures that
decided it are in docs/ticket-list.md.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import peewee as pw

from tamdesk.domain.exemptions import Exemption, first_response_breached
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaEvaluation
from tamdesk.domain.states import EscalationState, TicketEventKind, TicketStatus
from tamdesk.domain.text import clean_line, clean_text, identity_problem
from tamdesk.domain.ticket_status import derived_status
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, NotFound, ValidationFailed, record_audit, save_versioned, tuples
from tamdesk.services.severity_history import evaluate_ticket
from tamdesk.services.ticket_lists import (  # the lists' names stay importable from here
    CLOSED,
)

FUTURE_GRACE = timedelta(minutes=5)  # a laptop clock a little behind the support system's is no error
MAX_NUMBER_LENGTH = 40
MAX_SUBJECT_LENGTH = 300
EARLIEST_OPENED = datetime(2000, 1, 1, tzinfo=UTC)  # earlier is a typo for the year, not an old ticket
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


# -- one ticket -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    id: int
    version: int
    at: datetime
    kind: TicketEventKind
    note: str
    author: str


@dataclass(frozen=True)
class TicketInput:
    number: str
    customer_id: int
    subject: str
    severity: Severity
    opened_at: datetime
    status: TicketStatus = TicketStatus.NEW
    reporter_seat_id: int | None = None
    engineer: str = ""
    notes: str = ""
    severity_changed_at: datetime | None = None  # when an edited severity changed; None: now
    status_changed_at: datetime | None = None  # when an edited status changed (a redo's); None: now


@dataclass(frozen=True)
class TicketEdit:
    """What saving an edit did, so that it can be taken back (``services.ticket_undo``) and made again."""

    ticket_id: int
    before: TicketInput  # the values the edit replaced
    before_resolved_at: datetime | None
    after: TicketInput  # as saved and as its events left it, with the times its changes were recorded at
    after_resolved_at: datetime | None
    event_ids: tuple[int, ...]  # the status events the edit recorded, in order
    severity_change_id: int | None
    trace: tuple[tuple[str, int, int], ...]  # the ticket's history once saved (``history_trace``)


@dataclass(frozen=True)
class SeverityChangeRow:
    """A dated severity change as the ticket detail lists it."""

    id: int
    at: datetime
    before: Severity
    after: Severity
    author: str


@dataclass(frozen=True)
class MissedUpdate:
    """A customer update missed, by its deadline, and the exemption that excuses it (if any)."""

    deadline: datetime
    exemption: Exemption | None


@dataclass(frozen=True)
class TicketDetail:
    id: int
    version: int
    input: TicketInput
    customer: str
    customer_zone: str
    reporter: str
    resolved_at: datetime | None
    events: tuple[EventRow, ...]
    sla: SlaEvaluation
    policy_label: str
    first_response_explained: str
    update_explained: str
    escalation_ids: tuple[int, ...] = field(default=())
    open_escalation_id: int | None = None
    defect_ids: tuple[int, ...] = field(default=())
    severity_changes: tuple[SeverityChangeRow, ...] = field(default=())
    severity_story: str = ""  # "Sev1 Urgent until Mon 07 Dec 09:40 CET, then Sev3 Normal"
    first_response_breached: bool = False  # missed or overdue now: can be excused
    first_response_exemption: Exemption | None = None
    missed_updates: tuple[MissedUpdate, ...] = field(default=())
    stale_exemptions: tuple[Exemption, ...] = field(default=())  # their breach no longer exists


def _ticket(ticket_id: int) -> t.Ticket:
    ticket = t.Ticket.get_or_none(t.Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} no longer exists.")
    return ticket


def ticket_detail(ticket_id: int, now: datetime) -> TicketDetail:
    from tamdesk.domain.sla import describe_severities, explain_first_response, explain_update

    ticket = _ticket(ticket_id)
    events = tuple(
        EventRow(e.id, e.version, e.at, TicketEventKind(e.kind), e.note, e.author)
        for e in ticket.events.order_by(t.TicketEvent.at, t.TicketEvent.id)
    )
    evaluated = evaluate_ticket(ticket, now)
    history, policy, calendar, sla = evaluated.history, evaluated.policy, evaluated.calendar, evaluated.sla
    update_text = explain_update(sla, policy.target(history.severity_at(sla.now)), calendar)
    changes = tuple(
        SeverityChangeRow(c.id, c.at, Severity(c.before), Severity(c.after), c.author)
        for c in ticket.severity_changes.order_by(t.TicketSeverityChange.at, t.TicketSeverityChange.id)
    )
    excused = evaluated.excused
    by_deadline = {e.deadline: e for e in excused.updates}
    escalations = list(ticket.escalations.order_by(t.Escalation.opened_at))
    open_escalation = next((e.id for e in escalations if EscalationState(e.state).is_open), None)
    reporter = ticket.reporter.full_name if ticket.reporter else ""
    return TicketDetail(
        id=ticket.id,
        version=ticket.version,
        input=ticket_input(ticket),
        customer=ticket.customer.name,
        customer_zone=ticket.customer.time_zone,
        reporter=reporter,
        resolved_at=ticket.resolved_at,
        events=events,
        sla=sla,
        policy_label=policy.label,
        first_response_explained="First response " + explain_first_response(history, policy, calendar, sla),
        update_explained=update_text,
        escalation_ids=tuple(e.id for e in escalations),
        open_escalation_id=open_escalation,
        defect_ids=tuple(link.defect_id for link in ticket.defect_links),
        severity_changes=changes,
        severity_story=describe_severities(history, calendar.zone, sla.now) if history.severity_changes else "",
        first_response_breached=first_response_breached(sla),
        first_response_exemption=excused.first_response,
        missed_updates=tuple(
            MissedUpdate(d, by_deadline.get(d.replace(microsecond=0))) for d in evaluated.missed_deadlines
        ),
        stale_exemptions=excused.stale,
    )  # fmt: skip


# -- ticket numbers: one ticket per number, whatever the case --------------------------------------------------


def number_key(number: str) -> str:
    """What makes two ticket numbers one ticket: ``sup-1``, ``SUP-1`` and `` SUP-1 `` are the same.

    Only ASCII letters fold, as SQLite's ``lower()`` does, so the database and Python agree on every engine.
    """
    return number.strip().translate(_ASCII_LOWER)


def tickets_numbered(number: str) -> list[t.Ticket]:
    """The tickets whose number is ``number`` up to case and surrounding spaces (more than one only in a database
    from before numbers were matched this way)."""
    key = number_key(number)
    # lower() on both sides keeps the scan in SQL; PostgreSQL's may fold more than ASCII, so filter by the key
    query = t.Ticket.select().where(pw.fn.lower(t.Ticket.number) == pw.fn.lower(number.strip()))
    return [ticket for ticket in query if number_key(ticket.number) == key]


def match_number(index: Mapping[str, Mapping[str, int]], number: str) -> int | None:
    """The id of the ticket ``number`` names, from an index built by ``number_index``; None for a new number.

    Raises:
        ValueError: several tickets differ from ``number`` only by case and none is written exactly like it.
    """
    same = index.get(number_key(number))
    if not same:
        return None
    if number in same:
        return same[number]
    if len(same) == 1:
        return next(iter(same.values()))
    listed = " and ".join(sorted(same))
    raise ValueError(f"Ticket '{number}' could be {listed}; write it exactly as one of them")


def number_index(rows: Iterable[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """(number, id) pairs indexed for ``match_number``."""
    index: dict[str, dict[str, int]] = {}
    for number, ticket_id in rows:
        index.setdefault(number_key(number), {})[number] = ticket_id
    return index


# -- the rules every way in (dialog, import) applies; messages without a full stop, for rows and fields alike ----


def too_long(label: str, text: str, limit: int) -> str | None:
    """``Subject is 5,000 characters long (at most 300)``, or None within the limit."""
    return f"{label} is {len(text):,} characters long (at most {limit})" if len(text) > limit else None


def number_problem(number: str) -> str | None:
    """``Ticket number 'SUP-1\\x1b[2J' contains a control character (ESC); remove it``, or None for a number
    without control or text-direction characters (a number is how a ticket is found: it is refused, never changed)."""
    return identity_problem("Ticket number", number, end="")


def clean_subject(subject: str) -> str:
    """A subject as stored: one line, control characters dropped (support systems export some), ends stripped."""
    return clean_line(subject)


def time_problem(label: str, at: datetime, now: datetime) -> str | None:
    """Why ``at`` cannot be when something happened to a ticket (in the future, or before 2000), or None."""
    if at > now + FUTURE_GRACE:
        return f"{label} {at:%Y-%m-%d %H:%M} UTC is in the future"
    if at < EARLIEST_OPENED:
        return f"{label} {at:%Y-%m-%d %H:%M} UTC is before {EARLIEST_OPENED:%Y-%m-%d} (check the year)"
    return None


def _validate(data: TicketInput, existing: t.Ticket | None, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    number = data.number.strip()
    if refused := number_problem(data.number):
        errors["number"] = f"{refused}."
    elif not number:
        errors["number"] = "Ticket number is required."
    elif long := too_long("Ticket number", number, MAX_NUMBER_LENGTH):
        errors["number"] = f"{long}."
    else:
        clash = next((c for c in tickets_numbered(number) if existing is None or c.id != existing.id), None)
        if clash is not None:
            errors["number"] = f"Ticket {clash.number} already exists (customer {clash.customer.name})."
    if t.Customer.get_or_none(t.Customer.id == data.customer_id) is None:
        errors["customer"] = "Choose the customer this ticket belongs to."
    subject = clean_subject(data.subject)
    if not subject:
        errors["subject"] = "Subject is required."
    elif long := too_long("Subject", subject, MAX_SUBJECT_LENGTH):
        errors["subject"] = f"{long}."
    if data.opened_at.tzinfo is None:
        errors["opened_at"] = "Opened needs a time zone."
    elif problem := time_problem("Opened", data.opened_at, now):
        errors["opened_at"] = f"{problem}."
    elif existing is not None:
        first = existing.events.order_by(t.TicketEvent.at).first()
        if first is not None and first.at < data.opened_at:
            errors["opened_at"] = (
                f"Opened cannot be after the ticket's first event ({first.kind.replace('_', ' ')} at "
                f"{first.at:%Y-%m-%d %H:%M} UTC)."
            )
    if (problem := _status_problem(data.status, existing)) is not None:
        errors["status"] = problem
    if existing is not None and int(data.severity) != existing.severity and "opened_at" not in errors:
        changed_at = data.severity_changed_at or now
        if (problem := severity_change_problem(existing, data.severity, changed_at, now, data.opened_at)) is not None:
            errors["severity_changed_at"] = problem
    if refused := identity_problem("Engineer", data.engineer):
        errors["engineer"] = refused
    if data.reporter_seat_id is not None:
        seat = t.PortalSeat.get_or_none(t.PortalSeat.id == data.reporter_seat_id)
        if seat is None or seat.customer_id != data.customer_id:
            errors["reporter"] = "The reporter must be one of the customer's seat holders."
    return errors


def stored_values(data: TicketInput) -> dict[str, object]:
    """The ticket's columns as ``data`` is saved (cleaned; customer and reporter by id)."""
    return {
        "number": data.number.strip(),
        "customer": data.customer_id,
        "subject": clean_subject(data.subject),
        "severity": int(data.severity),
        "status": data.status.value,
        "opened_at": data.opened_at,
        "reporter": data.reporter_seat_id,
        "engineer": data.engineer.strip(),
        "notes": clean_text(data.notes),
    }


def check_ticket_input(data: TicketInput, ticket_id: int | None, now: datetime) -> dict[str, str]:
    """Every field error that saving ``data`` (as a new ticket, or over ``ticket_id``) would report; a form shows
    them together with its own, such as a severity not yet chosen."""
    return _validate(data, _ticket(ticket_id) if ticket_id is not None else None, now)


def create_ticket(ctx: Context, data: TicketInput) -> int:
    with database.atomic():
        errors = _validate(data, None, ctx.now())
        if errors:
            raise ValidationFailed(errors)
        values = stored_values(data)
        ticket = t.Ticket.create(**values)
        record_audit(
            ctx, entity="ticket", entity_id=ticket.id, customer=data.customer_id, action="create",
            summary=f"Ticket {ticket.number} ({data.severity.label}) created", after=values,
        )  # fmt: skip
        return int(ticket.id)


def update_ticket(ctx: Context, ticket_id: int, expected_version: int, data: TicketInput) -> TicketEdit | None:
    """Save the edited ticket; a new status that events decide (solved, reopened, waiting on the customer and
    back) is recorded as that event at the time of the change, so status, resolved time and SLA agree.

    Returns what the edit did (None when it changed nothing), for ``ticket_undo.undo_ticket_edit``.
    """
    with database.atomic():
        ticket = _ticket(ticket_id)
        errors = _validate(data, ticket, ctx.now())
        if errors:
            raise ValidationFailed(errors)
        values = stored_values(data)
        current = {k: getattr(ticket, f"{k}_id" if k in ("customer", "reporter") else k) for k in values}
        changes = {k: v for k, v in values.items() if current[k] != v}
        if not changes:
            return None
        before_input, before_resolved = ticket_input(ticket), ticket.resolved_at
        save_versioned(ticket, expected_version, changes)
        record_audit(
            ctx, entity="ticket", entity_id=ticket.id, customer=ticket.customer_id, action="update",
            summary=f"Ticket {ticket.number} edited: {', '.join(sorted(changes))}",
            before={k: current[k] for k in changes}, after=changes,
        )  # fmt: skip
        severity_at, change_id = None, None
        if "severity" in changes:
            severity_at = data.severity_changed_at or ctx.now()
            change_id = _record_severity_change(ctx, ticket, before_input.severity, data.severity, severity_at)
        status_at, event_ids = None, []
        if kinds := _status_events(before_input.status, data.status):
            status_at = data.status_changed_at or max(ctx.now(), ticket.opened_at)
            last = ticket.events.order_by(t.TicketEvent.at.desc()).first()
            if last is not None and last.at >= status_at:  # events at one instant apply in a fixed order of kinds,
                status_at = last.at + timedelta(seconds=1)  # not as recorded: the change must be the latest word
            for kind in kinds:  # a reopening and then a wait: the order they have at one instant
                note = f"Status set to {data.status.label} in Edit ticket"
                event_ids.append(_record_event(ctx, ticket, kind, status_at, note))
            sync_status(ticket)
        saved = _ticket(ticket.id)
        after = replace(ticket_input(saved), severity_changed_at=severity_at, status_changed_at=status_at)
        return TicketEdit(ticket.id, before_input, before_resolved, after, saved.resolved_at, tuple(event_ids),
                          change_id, history_trace(ticket.id))  # fmt: skip


def history_trace(ticket_id: int) -> tuple[tuple[str, int, int], ...]:
    """The ticket's events and severity changes by id and version: any change to its history changes this."""
    events = t.TicketEvent.select(t.TicketEvent.id, t.TicketEvent.version).where(t.TicketEvent.ticket == ticket_id)
    changes = t.TicketSeverityChange.select(t.TicketSeverityChange.id).where(t.TicketSeverityChange.ticket == ticket_id)
    return tuple(sorted([("event", e.id, e.version) for e in events] + [("severity", c.id, 0) for c in changes]))


def ticket_input(ticket: t.Ticket) -> TicketInput:
    """The ticket's fields as a form holds them."""
    return TicketInput(
        ticket.number, ticket.customer_id, ticket.subject, Severity(ticket.severity), ticket.opened_at,
        TicketStatus(ticket.status), ticket.reporter_id, ticket.engineer, ticket.notes,
    )  # fmt: skip


def _status_events(before: TicketStatus, after: TicketStatus) -> list[TicketEventKind]:
    """The events that take a ticket from one status to another (none where no event decides the change)."""
    if before is after or (before in CLOSED and after in CLOSED):
        return []
    if after in CLOSED:
        return [TicketEventKind.SOLVED]
    kinds = [TicketEventKind.REOPENED] if before in CLOSED else []
    if after is TicketStatus.WAITING_ON_CUSTOMER:
        kinds.append(TicketEventKind.WAITING_ON_CUSTOMER)
    elif before is TicketStatus.WAITING_ON_CUSTOMER:
        kinds.append(TicketEventKind.CUSTOMER_REPLIED)
    return kinds


def _status_problem(status: TicketStatus, existing: t.Ticket | None) -> str | None:
    """Why a ticket cannot take ``status`` by an edit: a new one cannot start solved (it has no resolved time),
    and a ticket with a history cannot be New again."""
    if existing is None:
        if status in CLOSED:
            return f"A new ticket cannot start as {status.label}: save it, then record when it was solved."
        return None
    if status is TicketStatus.NEW and existing.status != status.value and existing.events.exists():
        return "This ticket already has events in its timeline, so it cannot be New again; choose Open."
    return None


# -- severity changes: dated, so the SLA applies each from its instant on (domain.sla) -------------------------


def severity_change_problem(
    ticket: t.Ticket, severity: Severity, at: datetime, now: datetime, opened: datetime | None = None
) -> str | None:
    """Why ``ticket`` cannot change to ``severity`` at ``at``, naming the value; None when it can.

    Changes are recorded in time order: one cannot come before the ticket was opened (``opened`` when the same
    edit moves it), in the future, or before the ticket's latest change.
    """
    if at.tzinfo is None:
        return "The time of the severity change needs a time zone."
    when = f"{at:%Y-%m-%d %H:%M} UTC"
    opened = opened or ticket.opened_at
    if at < opened:
        return f"Severity changed at {when} is before ticket {ticket.number} was opened ({opened:%Y-%m-%d %H:%M} UTC)."
    if at > now + FUTURE_GRACE:
        return f"Severity changed at {when} is in the future."
    last = ticket.severity_changes.order_by(t.TicketSeverityChange.at.desc()).first()
    if last is not None and at < last.at:
        return (
            f"Severity changed at {when} is before the ticket's last severity change "
            f"({Severity(last.before).label} to {Severity(last.after).label} at {last.at:%Y-%m-%d %H:%M} UTC)."
        )
    if int(severity) == ticket.severity:
        return f"Ticket {ticket.number} is already {severity.label}."
    return None


def _record_severity_change(ctx: Context, ticket: t.Ticket, before: Severity, after: Severity, at: datetime) -> int:
    change = t.TicketSeverityChange.create(
        ticket=ticket, at=at, before=int(before), after=int(after), author=ctx.actor, recorded_at=ctx.now()
    )
    record_audit(
        ctx, entity="ticket_severity_change", entity_id=change.id, customer=ticket.customer_id, action="create",
        summary=f"Ticket {ticket.number}: severity {before.label} to {after.label} at {at:%Y-%m-%d %H:%M} UTC",
        after={"at": at, "before": int(before), "after": int(after)},
    )  # fmt: skip
    return int(change.id)


def change_severity(ctx: Context, ticket_id: int, expected_version: int, severity: Severity, at: datetime) -> int:
    """Change the ticket's severity as of ``at`` (a dated change the SLA applies from then on); returns its id.

    Raises:
        ValidationFailed: ``severity_changed_at`` or ``severity`` says what is wrong; nothing is saved.
        StaleEdit: the ticket was saved by someone else since ``expected_version``.
    """
    with database.atomic():
        ticket = _ticket(ticket_id)
        problem = severity_change_problem(ticket, severity, at, ctx.now())
        if problem is not None:
            field_name = (
                "severity" if problem.startswith(f"Ticket {ticket.number} is already") else "severity_changed_at"
            )
            raise ValidationFailed({field_name: problem})
        before = Severity(ticket.severity)
        save_versioned(ticket, expected_version, {"severity": int(severity)})
        return _record_severity_change(ctx, ticket, before, severity, at)


def latest_severity_change(ticket_id: int) -> int | None:
    """The id of the ticket's latest severity change, or None."""
    change = (
        t.TicketSeverityChange.select(t.TicketSeverityChange.id)
        .where(t.TicketSeverityChange.ticket == ticket_id)
        .order_by(t.TicketSeverityChange.at.desc(), t.TicketSeverityChange.id.desc())
        .first()
    )
    return None if change is None else int(change.id)


def undo_severity_change(ctx: Context, change_id: int) -> None:
    """Take back a ticket's latest severity change: the ticket returns to the severity before it.

    Raises:
        NotFound: the change no longer exists. DomainError: a later change was recorded since.
    """
    with database.atomic():
        change = t.TicketSeverityChange.get_or_none(t.TicketSeverityChange.id == change_id)
        if change is None:
            raise NotFound("That severity change no longer exists.")
        ticket = change.ticket
        last = ticket.severity_changes.order_by(t.TicketSeverityChange.at.desc(), t.TicketSeverityChange.id.desc())
        if last.first().id != change.id:
            raise DomainError(f"Ticket {ticket.number}'s severity changed again since; undo that change first.")
        before, after = Severity(change.before), Severity(change.after)
        change.delete_instance()
        t.Ticket.update(severity=int(before), version=t.Ticket.version + 1).where(t.Ticket.id == ticket.id).execute()
        record_audit(
            ctx, entity="ticket_severity_change", entity_id=change_id, customer=ticket.customer_id, action="delete",
            summary=f"Ticket {ticket.number}: severity change to {after.label} at {change.at:%Y-%m-%d %H:%M} UTC "
            f"taken back ({before.label} again)",
            before={"at": change.at, "before": int(before), "after": int(after)},
        )  # fmt: skip


# -- events ---------------------------------------------------------------------------------------------------


def _check_event_time(ticket: t.Ticket, at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise ValidationFailed({"at": "The time needs a time zone."})
    if at < ticket.opened_at:
        opened = f"{ticket.opened_at:%Y-%m-%d %H:%M} UTC"
        raise ValidationFailed(
            {"at": f"{at:%Y-%m-%d %H:%M} UTC is before ticket {ticket.number} was opened ({opened})."}
        )
    if at > now + FUTURE_GRACE:
        raise ValidationFailed({"at": f"{at:%Y-%m-%d %H:%M} UTC is in the future."})


def sync_status(ticket: t.Ticket) -> None:
    """Derive status and resolved time from the events; statuses no event decides (closed, waiting on
    engineering, a status set by hand or an import) stay as they are until an event says otherwise."""
    events = [(e.at, e.kind) for e in ticket.events.order_by(t.TicketEvent.at, t.TicketEvent.id)]
    status, resolved_at = derived_status(TicketStatus(ticket.status), ticket.resolved_at, events)
    if (status.value, resolved_at) != (ticket.status, ticket.resolved_at):
        t.Ticket.update(status=status.value, resolved_at=resolved_at, version=t.Ticket.version + 1).where(
            t.Ticket.id == ticket.id
        ).execute()


def add_event(ctx: Context, ticket_id: int, kind: TicketEventKind, at: datetime, note: str = "") -> int:
    """Append a timestamped event (a response, waiting on customer, customer replied, solved, reopened)."""
    with database.atomic():
        ticket = _ticket(ticket_id)
        _check_event_time(ticket, at, ctx.now())
        event_id = _record_event(ctx, ticket, kind, at, note)
        sync_status(ticket)
        return event_id


def _record_event(ctx: Context, ticket: t.Ticket, kind: TicketEventKind, at: datetime, note: str) -> int:
    note = clean_text(note)
    event = t.TicketEvent.create(ticket=ticket, at=at, kind=kind.value, note=note, author=ctx.actor)
    record_audit(
        ctx, entity="ticket_event", entity_id=event.id, customer=ticket.customer_id, action="create",
        summary=f"Ticket {ticket.number}: {kind.label.lower()} at {at:%Y-%m-%d %H:%M} UTC",
    )  # fmt: skip
    return int(event.id)


def edit_event(ctx: Context, event_id: int, expected_version: int, at: datetime, note: str) -> None:
    """Correct an event's time or note after the fact; SLA state follows because it is recomputed."""
    note = clean_text(note)
    with database.atomic():
        event = t.TicketEvent.get_or_none(t.TicketEvent.id == event_id)
        if event is None:
            raise NotFound("That event no longer exists.")
        _check_event_time(event.ticket, at, ctx.now())
        before = {"at": event.at, "note": event.note}
        save_versioned(event, expected_version, {"at": at, "note": note})
        sync_status(event.ticket)
        record_audit(
            ctx, entity="ticket_event", entity_id=event.id, customer=event.ticket.customer_id, action="update",
            summary=f"Ticket {event.ticket.number}: {event.kind.replace('_', ' ')} corrected",
            before=before, after={"at": at, "note": note},
        )  # fmt: skip


def delete_event(ctx: Context, event_id: int, expected_version: int) -> None:
    """Remove one event (a mistake, or an undo of recording it); status and SLA follow from the events left.

    Raises:
        NotFound: the event was deleted meanwhile. DomainError: it was corrected since ``expected_version``.
    """
    with database.atomic():
        event = t.TicketEvent.get_or_none(t.TicketEvent.id == event_id)
        if event is None:
            raise NotFound("That event no longer exists.")
        if event.version != expected_version:
            raise DomainError("This event was changed by someone else since you opened it.")
        ticket = event.ticket
        before = {"at": event.at, "kind": event.kind, "note": event.note}
        event.delete_instance()
        _undo_status_of(ticket, TicketEventKind(before["kind"]))
        sync_status(ticket)
        record_audit(
            ctx, entity="ticket_event", entity_id=event_id, customer=ticket.customer_id, action="delete",
            summary=f"Ticket {ticket.number}: {before['kind'].replace('_', ' ')} removed", before=before,
        )  # fmt: skip


def _undo_status_of(ticket: t.Ticket, kind: TicketEventKind) -> None:
    """The status ``kind``'s event gave ``ticket`` is taken back with it: a solved ticket is open again, one waited
    on is open (new while nothing else happened); the events left then decide as ever (an earlier wait, say)."""
    status = TicketStatus(ticket.status)
    if kind is TicketEventKind.SOLVED and status in CLOSED:
        ticket.status, ticket.resolved_at = TicketStatus.OPEN.value, None
    elif kind is TicketEventKind.WAITING_ON_CUSTOMER and status is TicketStatus.WAITING_ON_CUSTOMER:
        talked = ticket.events.where(t.TicketEvent.kind != TicketEventKind.SOLVED.value).exists()
        ticket.status = (TicketStatus.OPEN if talked else TicketStatus.NEW).value
    else:
        return
    ticket.version += 1
    ticket.save()


def ticket_numbers(customer_id: int | None = None) -> list[tuple[int, str]]:
    query = t.Ticket.select(t.Ticket.id, t.Ticket.number).order_by(t.Ticket.number)
    if customer_id is not None:
        query = query.where(t.Ticket.customer == customer_id)
    return list(tuples(query))


def count_tickets() -> int:
    return t.Ticket.select(pw.fn.count(t.Ticket.id)).scalar() or 0

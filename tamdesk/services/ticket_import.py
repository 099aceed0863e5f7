"""Importing tickets and their history from a support system's export (.csv/.xlsx); all or nothing.

Tickets upsert by number. The export's First response and Resolved columns become ``response`` and ``solved``
events written by ``import:tickets``; a re-import replaces those, never events recorded by hand or imported
from a history file (``import:events``).

``TICKET_FIELDS`` and ``EVENT_FIELDS`` are what each import reads; ``columns`` (field → file header) says which
column feeds a field when the file's headers differ, for the command line and the Import… dialog alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.timestamps import parse_timestamp, zone
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, FieldError, record_audit, tuples
from tamdesk.services.tabular import ImportFailed, ImportField, Table, read_table
from tamdesk.services.tickets import (
    MAX_NUMBER_LENGTH,
    MAX_SUBJECT_LENGTH,
    TicketsCancelled,
    _sync_status,
    match_number,
    number_index,
    number_key,
    time_problem,
    too_long,
)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
FROM_TICKETS = "import:tickets"
FROM_EVENTS = "import:events"
STATUS_ALIASES = {
    "pending": TicketStatus.WAITING_ON_CUSTOMER,
    "hold": TicketStatus.WAITING_ON_ENGINEERING,
    "on_hold": TicketStatus.WAITING_ON_ENGINEERING,
    "resolved": TicketStatus.SOLVED,
}
CHUNK = 500
TIME_MEANING = "ISO 8601 time; without an offset it is read in the import's time zone"
TICKET_FIELDS = (
    ImportField("Ticket", True, "the ticket number (letter case does not count); an existing ticket is updated"),
    ImportField("Customer", True, "a customer's name, as in tamdesk"),
    ImportField("Subject", True, f"free text, at most {MAX_SUBJECT_LENGTH} characters"),
    ImportField("Severity", True, "1-4, Sev1, Urgent, High, Normal, Low"),
    ImportField("Status", False, "new, open, pending, on hold, solved, closed …"),
    ImportField("Opened", True, TIME_MEANING),
    ImportField("First response", False, "time of the first support response"),
    ImportField("Resolved", False, "time the ticket was solved"),
)
EVENT_FIELDS = (
    ImportField("Ticket", True, "the number of a ticket already in tamdesk"),
    ImportField("At", True, TIME_MEANING),
    ImportField("Event", True, "response, waiting_on_customer, customer_replied, solved or reopened"),
)


@dataclass(frozen=True)
class TicketImportSummary:
    created: int
    updated: int
    events: int

    @property
    def summary(self) -> str:
        return f"Imported tickets: {self.created:,} created, {self.updated:,} updated, {self.events:,} events recorded."


@dataclass(frozen=True)
class _ParsedTicket:
    line: int
    number: str
    customer_id: int
    subject: str
    severity: Severity
    status: TicketStatus
    opened: datetime
    first_response: datetime | None
    resolved: datetime | None


def _zone(tz: str) -> Any:
    try:
        return zone(tz)
    except ValueError as exc:
        raise FieldError("tz", f"--tz: {exc}.") from None


def _status(text: str) -> TicketStatus:
    key = "_".join(text.strip().lower().replace("-", " ").split())
    if key in STATUS_ALIASES:
        return STATUS_ALIASES[key]
    return TicketStatus.parse(text)  # type: ignore[return-value]


def _optional_time(row: Mapping[str, Any], key: str, tz: Any) -> datetime | None:
    value = row.get(key)
    if value is None or str(value).strip() == "":
        return None
    return parse_timestamp(value, tz)


def _parse_ticket(
    line: int, row: Mapping[str, Any], customers: Mapping[str, int], tz: Any, now: datetime
) -> _ParsedTicket:
    """One row, or ValueError with every problem of the row joined; the same rules as the ticket dialog's."""
    problems: list[str] = []
    number = str(row.get("ticket") or "").strip()
    if number.endswith(".0") and number[:-2].isdigit():
        number = number[:-2]
    if not number:
        problems.append("Ticket is empty")
    elif long := too_long("Ticket", number, MAX_NUMBER_LENGTH):
        problems.append(long)
    customer = str(row.get("customer") or "").strip()
    customer_id = customers.get(" ".join(customer.split()).lower())
    if customer_id is None:
        problems.append(f"Customer '{customer}' is not a known customer" if customer else "Customer is empty")
    subject = str(row.get("subject") or "").strip()
    if not subject:
        problems.append("Subject is empty")
    elif long := too_long("Subject", subject, MAX_SUBJECT_LENGTH):
        problems.append(long)
    values: dict[str, Any] = {}
    for key, label, parse in (
        ("severity", "Severity", lambda v: Severity.parse(v)),
        ("status", "Status", lambda v: _status(str(v)) if str(v or "").strip() else None),
        ("opened", "Opened", lambda v: parse_timestamp(v if v is not None else "", tz)),
        ("firstresponse", "First response", lambda v: _optional_time({"x": v}, "x", tz)),
        ("resolved", "Resolved", lambda v: _optional_time({"x": v}, "x", tz)),
    ):
        try:
            values[key] = parse(row.get(key))
        except ValueError as exc:
            message = str(exc)
            problems.append(message if message.startswith(label) else f"{label}: {message}")
    opened = values.get("opened")
    for key, label in (("opened", "Opened"), ("firstresponse", "First response"), ("resolved", "Resolved")):
        moment = values.get(key)
        if moment and (problem := time_problem(label, moment, now)):
            problems.append(problem)
        elif opened and moment and moment < opened:
            problems.append(f"{label} {moment:%Y-%m-%d %H:%M} UTC is before Opened {opened:%Y-%m-%d %H:%M} UTC")
    if problems:
        raise ValueError("; ".join(problems))
    status = values["status"]
    if values["resolved"] and status not in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        status = TicketStatus.SOLVED
    elif status is None:  # no status given: what the events say, as for a ticket recorded in the app
        status = TicketStatus.OPEN if values["firstresponse"] else TicketStatus.NEW
    return _ParsedTicket(
        line, number, customer_id, subject, values["severity"], status,  # type: ignore[arg-type]
        values["opened"], values["firstresponse"], values["resolved"],
    )  # fmt: skip


def _customers() -> dict[str, int]:
    return {
        " ".join(name.split()).lower(): cid for cid, name in tuples(t.Customer.select(t.Customer.id, t.Customer.name))
    }


def _parse_all(table: Table, source: str, tz: Any, now: datetime) -> tuple[list[_ParsedTicket], dict[str, int]]:
    """The rows, and the id of the ticket each row's number already names (matched whatever the case)."""
    customers = _customers()
    index = number_index(tuples(t.Ticket.select(t.Ticket.number, t.Ticket.id)))
    parsed: list[_ParsedTicket] = []
    existing: dict[str, int] = {}
    problems: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    for line, row in table.rows:
        try:
            ticket = _parse_ticket(line, row, customers, tz, now)
            found = match_number(index, ticket.number)
        except ValueError as exc:
            problems.append(f"row {line}: {exc}")
            continue
        key = number_key(ticket.number)
        if key in seen:
            earlier, written = seen[key]
            written = "" if written == ticket.number else f" (as {written})"
            problems.append(f"row {line}: Ticket {ticket.number} also appears in row {earlier}{written}")
            continue
        seen[key] = (line, ticket.number)
        parsed.append(ticket)
        if found is not None:
            existing[ticket.number] = found
    if problems:
        raise ImportFailed(source, problems)
    return parsed, existing


def import_tickets(
    ctx: Context,
    path: str | Path,
    tz: str = "UTC",
    *,
    columns: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> TicketImportSummary:
    """Upsert tickets by number from a support-system export; naive times are read in ``tz``.

    ``columns`` maps a field of ``TICKET_FIELDS`` to the header of the file column that feeds it (``""`` leaves an
    optional field out); the other fields are read from the columns named like them.

    Raises:
        ImportFailed: every bad row, or every problem of ``columns``, listed; nothing was changed.
        TicketsCancelled: the user cancelled; nothing was changed.
    """
    zone_info = _zone(tz)
    source = Path(path).name
    parsed, existing = _parse_all(read_table(path, TICKET_FIELDS, columns), source, zone_info, ctx.now())
    updating = sorted(existing.values())
    created = updated = events = 0
    with database.atomic():
        for start in range(0, len(parsed), CHUNK):
            if cancelled and cancelled():
                raise TicketsCancelled("The ticket import was cancelled; nothing was imported.")
            if progress:
                progress(start, len(parsed))
            chunk = parsed[start : start + CHUNK]
            new = [p for p in chunk if p.number not in existing]
            old = [p for p in chunk if p.number in existing]
            ids = _insert_new(new)
            existing.update(ids)
            updated += _update_old(old, existing)
            created += len(new)
            events += _replace_column_events(chunk, existing)
        # a ticket's own history (recorded by hand or imported) decides its status over the export's
        _resync(_with_other_events(updating))
        record_audit(
            ctx, entity="ticket", entity_id=None, action="import",
            summary=f"Imported {source}: {created:,} tickets created, {updated:,} updated",
        )  # fmt: skip
    if progress:
        progress(len(parsed), len(parsed))
    return TicketImportSummary(created, updated, events)


def _row_values(p: _ParsedTicket) -> dict[str, Any]:
    return {
        "number": p.number,
        "customer": p.customer_id,
        "subject": p.subject,
        "severity": int(p.severity),
        "status": p.status.value,
        "opened_at": p.opened,
        "resolved_at": p.resolved,
    }


def _insert_new(new: list[_ParsedTicket]) -> dict[str, int]:
    if not new:
        return {}
    t.Ticket.insert_many([_row_values(p) for p in new]).execute()
    numbers = [p.number for p in new]
    return dict(tuples(t.Ticket.select(t.Ticket.number, t.Ticket.id).where(t.Ticket.number.in_(numbers))))


def _update_old(old: list[_ParsedTicket], ids: Mapping[str, int]) -> int:
    for p in old:
        values = _row_values(p)
        values.pop("number")
        t.Ticket.update(**values, version=t.Ticket.version + 1).where(t.Ticket.id == ids[p.number]).execute()
    return len(old)


def _replace_column_events(chunk: list[_ParsedTicket], ids: Mapping[str, int]) -> int:
    ticket_ids = [ids[p.number] for p in chunk]
    t.TicketEvent.delete().where(
        t.TicketEvent.ticket.in_(ticket_ids) & (t.TicketEvent.author == FROM_TICKETS)
    ).execute()
    rows = []
    for p in chunk:
        if p.first_response:
            rows.append((ids[p.number], p.first_response, TicketEventKind.RESPONSE.value, FROM_TICKETS))
        if p.resolved:
            rows.append((ids[p.number], p.resolved, TicketEventKind.SOLVED.value, FROM_TICKETS))
    if rows:
        fields = [t.TicketEvent.ticket, t.TicketEvent.at, t.TicketEvent.kind, t.TicketEvent.author]
        t.TicketEvent.insert_many(rows, fields=fields).execute()
    return len(rows)


def _with_other_events(ticket_ids: list[int]) -> list[int]:
    """Those of the tickets with events that did not come from an export's columns."""
    found: set[int] = set()
    for start in range(0, len(ticket_ids), CHUNK):
        query = t.TicketEvent.select(t.TicketEvent.ticket).where(
            t.TicketEvent.ticket.in_(ticket_ids[start : start + CHUNK]) & (t.TicketEvent.author != FROM_TICKETS)
        )
        found.update(tid for (tid,) in tuples(query))
    return sorted(found)


def _resync(ticket_ids: list[int]) -> None:
    for start in range(0, len(ticket_ids), CHUNK):
        for ticket in t.Ticket.select().where(t.Ticket.id.in_(ticket_ids[start : start + CHUNK])):
            _sync_status(ticket)


# -- ticket history ---------------------------------------------------------------------------------------------


def import_ticket_events(
    ctx: Context,
    path: str | Path,
    tz: str = "UTC",
    *,
    columns: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> TicketImportSummary:
    """Add events (Ticket, At, Event) to known tickets; an event already recorded is not added twice.

    ``columns`` maps a field of ``EVENT_FIELDS`` to the header of the file column that feeds it.

    Raises:
        ImportFailed: every bad row, or every problem of ``columns``, listed; nothing was changed.
        TicketsCancelled: the user cancelled; nothing was changed.
    """
    zone_info = _zone(tz)
    source = Path(path).name
    table = read_table(path, EVENT_FIELDS, columns)
    known = tuples(t.Ticket.select(t.Ticket.id, t.Ticket.number, t.Ticket.opened_at))
    index = number_index((number, tid) for tid, number, _ in known)
    tickets = {tid: (number, opened) for tid, number, opened in known}
    rows: list[tuple[int, datetime, str]] = []
    problems: list[str] = []
    for line, row in table.rows:
        try:
            rows.append(_parse_event(row, index, tickets, zone_info, ctx.now()))
        except ValueError as exc:
            problems.append(f"row {line}: {exc}")
    if problems:
        raise ImportFailed(source, problems)
    have = _recorded_events(sorted({r[0] for r in rows}))
    fresh = []
    for tid, at, kind in rows:
        key = (tid, at, kind)
        if key not in have:
            have.add(key)
            fresh.append((tid, at, kind, FROM_EVENTS))
    with database.atomic():
        fields = [t.TicketEvent.ticket, t.TicketEvent.at, t.TicketEvent.kind, t.TicketEvent.author]
        for start in range(0, len(fresh), CHUNK):
            if cancelled and cancelled():
                raise TicketsCancelled("The event import was cancelled; nothing was imported.")
            if progress:
                progress(start, len(fresh))
            t.TicketEvent.insert_many(fresh[start : start + CHUNK], fields=fields).execute()
        _resync(sorted({r[0] for r in fresh}))
        record_audit(
            ctx, entity="ticket_event", entity_id=None, action="import",
            summary=f"Imported {source}: {len(fresh):,} ticket events",
        )  # fmt: skip
    return TicketImportSummary(0, len({r[0] for r in fresh}), len(fresh))


def _recorded_events(ticket_ids: list[int]) -> set[tuple[int, datetime, str]]:
    have: set[tuple[int, datetime, str]] = set()
    for start in range(0, len(ticket_ids), CHUNK):
        query = t.TicketEvent.select(t.TicketEvent.ticket, t.TicketEvent.at, t.TicketEvent.kind).where(
            t.TicketEvent.ticket.in_(ticket_ids[start : start + CHUNK])
        )
        have.update(tuples(query))
    return have


def _parse_event(
    row: Mapping[str, Any],
    index: Mapping[str, Mapping[str, int]],
    tickets: Mapping[int, tuple[str, datetime]],
    tz: Any,
    now: datetime,
) -> tuple[int, datetime, str]:
    """One history row as (ticket id, at, kind); ``tickets`` holds each ticket's number and opening time."""
    problems = []
    number = str(row.get("ticket") or "").strip()
    if number.endswith(".0") and number[:-2].isdigit():
        number = number[:-2]
    found: tuple[int, datetime] | None = None
    try:
        ticket_id = match_number(index, number) if number else None
    except ValueError as exc:
        problems.append(str(exc))
    else:
        if ticket_id is not None:
            number, opened = tickets[ticket_id]
            found = (ticket_id, opened)
        else:
            problems.append(f"Ticket '{number}' is not a known ticket" if number else "Ticket is empty")
    try:
        kind = TicketEventKind.parse(row.get("event") or "")
    except ValueError as exc:
        problems.append(f"Event {exc}")
        kind = None
    try:
        at = parse_timestamp(row.get("at") if row.get("at") is not None else "", tz)
    except ValueError as exc:
        problems.append(f"At: {exc}")
        at = None
    if at and (problem := time_problem("At", at, now)):
        problems.append(problem)
    elif found and at and at < found[1]:
        problems.append(
            f"At {at:%Y-%m-%d %H:%M} UTC is before ticket {number} was opened ({found[1]:%Y-%m-%d %H:%M} UTC)"
        )
    if problems:
        raise ValueError("; ".join(problems))
    assert found and at and kind
    return found[0], at, kind.value

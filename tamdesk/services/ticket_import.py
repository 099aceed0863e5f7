"""Importing tickets from a support system's export (.csv/.xlsx), and their history; all or nothing.

``inspect_ticket_file`` previews a file (the source detected, the mapping, the first rows converted, customers
that match nothing, whether the date order must be asked); ``import_tickets`` writes it. Both read the file through
``services.ticket_export.plan_import``, so the preview and the import never disagree.

Tickets upsert by number. What the export states of a ticket's history (its first response, its solve) becomes
events written by ``import:tickets``; a re-import replaces those when they changed, never events recorded by hand
or imported from a history file (``import:events``). A ticket whose values and events the export repeats is left
alone and counted unchanged, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tamdesk.domain.export_dates import DateOrder, _localized
from tamdesk.domain.severity import Severity
from tamdesk.domain.sources import Detection, ImportSource
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.ticket_status import derived_status
from tamdesk.domain.timestamps import parse_timestamp
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_rows, pages, select_in, update_rows
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, record_audit, tuples
from tamdesk.services.customer_match import UnmatchedCustomer, create_named, remember_alias
from tamdesk.services.reconciliation import Reconciliation, reconcile
from tamdesk.services.tabular import ImportFailed, ImportField, read_table
from tamdesk.services.ticket_export import (
    TICKET_FIELDS,
    TIME_MEANING,
    ImportPlan,
    ParsedTicket,
    TicketImportOptions,
    _zone,
    plan_import,
)
from tamdesk.services.ticket_lists import TicketsCancelled
from tamdesk.services.tickets import match_number, number_index, time_problem

__all__ = [
    "EVENT_FIELDS", "TICKET_FIELDS", "ImportPreview", "PreviewRow", "TicketImportOptions", "TicketImportSummary",
    "import_ticket_events", "import_tickets", "inspect_ticket_file",
]  # fmt: skip

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
FROM_TICKETS = "import:tickets"
FROM_EVENTS = "import:events"
CHUNK = 1_000  # tickets or events per page: progress and cancel are checked between pages
EVENT_FIELDS = (
    ImportField("Ticket", True, "the number of a ticket already in tamdesk"),
    ImportField("At", True, TIME_MEANING),
    ImportField("Event", True, "response, waiting_on_customer, customer_replied, solved or reopened"),
)


@dataclass(frozen=True)
class TicketImportSummary:
    """What an import did; ``summary`` is its one line, ``lines`` everything to tell the user."""

    created: int
    updated: int
    events: int
    unchanged: int = 0
    source: ImportSource = ImportSource.TAMDESK
    skipped: int = 0
    customers_created: tuple[str, ...] = ()
    aliases_added: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reconciliation: Reconciliation | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)  # field label -> the file's header, as read

    @property
    def summary(self) -> str:
        unchanged = f", {self.unchanged:,} unchanged" if self.unchanged else ""
        return (
            f"Imported tickets: {self.created:,} created, {self.updated:,} updated{unchanged}, "
            f"{self.events:,} events recorded."
        )

    @property
    def detected(self) -> str:
        """``Detected a Zendesk ticket export.``; empty for tamdesk's own columns."""
        return "" if self.source is ImportSource.TAMDESK else f"Detected a {self.source.label}."

    @property
    def lines(self) -> list[str]:
        said = [self.detected] if self.detected else []
        said.append(self.summary)
        if self.skipped:
            said.append(f"{self.skipped:,} tickets of customers you chose to skip were not imported.")
        if self.customers_created:
            said.append(f"Customers created: {', '.join(self.customers_created)} (set their time zone and country).")
        if self.aliases_added:
            said.append(f"Remembered as also known as: {', '.join(self.aliases_added)}.")
        if self.reconciliation is not None and self.reconciliation.compared:
            said.append(self.reconciliation.summary)
        said.extend(self.notes)
        return said


@dataclass(frozen=True)
class PreviewRow:
    """One row of the preview, converted; ``problem`` says why it cannot be imported (empty when it can)."""

    line: int
    number: str
    organization: str = ""
    customer: str = ""  # the tamdesk customer it matched
    subject: str = ""
    severity: Severity | None = None
    status: TicketStatus | None = None
    opened: datetime | None = None
    first_response: datetime | None = None
    resolved: datetime | None = None
    problem: str = ""


@dataclass(frozen=True)
class ImportPreview:
    """What the Import… dialog shows before importing; nothing has been written."""

    source: ImportSource
    detection: Detection
    sheet: str | None
    headers: tuple[str, ...]
    fields: tuple[ImportField, ...]
    mapping: Mapping[str, str]  # field label -> file header
    rows: tuple[PreviewRow, ...]
    total_rows: int
    tickets: int  # rows that would be imported
    unmatched: tuple[UnmatchedCustomer, ...]
    date_order: DateOrder | None
    date_order_ambiguous: bool
    date_columns: tuple[str, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    reconciliation: Reconciliation | None

    @property
    def detected(self) -> str:
        return "" if self.source is ImportSource.TAMDESK else f"Detected a {self.source.label}."


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Reading 100,000 rows makes millions of objects and no cyclic garbage: the cycle collector's passes over the
    growing heap took a sixth of an import. Paused while an import reads and writes; resumed after, unless it was
    already paused (by another caller, who resumes it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_cycle_collection_paused()
def inspect_ticket_file(
    path: str | Path, options: TicketImportOptions, now: datetime, *, limit: int = 50, reconcile_sla: bool = True
) -> ImportPreview:
    """Read and check ``path`` as ``import_tickets`` would, without writing; problems are returned, not raised.

    Raises:
        ImportFailed: the file cannot be read, matches no known export, or its columns cannot be mapped.
        FieldError: ``options.tz`` is no time zone.
    """
    plan = plan_import(path, options, now)
    names = dict(tuples(t.Customer.select(t.Customer.id, t.Customer.name)))
    rows: list[PreviewRow] = []
    by_line = {p.line: p for p in plan.tickets}
    lines = sorted([*by_line, *plan.row_problems])[:limit]
    for line in lines:
        if line in plan.row_problems:
            rows.append(PreviewRow(line, "", problem=plan.row_problems[line]))
            continue
        p = by_line[line]
        rows.append(PreviewRow(line, p.number, p.organization, names.get(p.customer_id or 0, ""), p.subject,
                               p.severity, p.status, p.opened, p.first_response, p.resolved))  # fmt: skip
    found = _reconcile(plan, now) if reconcile_sla and not plan.problems else None
    return ImportPreview(
        plan.source, plan.detection, plan.head.sheet, plan.head.headers, plan.fields, dict(plan.mapping),
        tuple(rows), plan.total_rows, len(plan.tickets), tuple(plan.unmatched), plan.date_order,
        plan.date_order_ambiguous, plan.date_columns, tuple(plan.problems), tuple(plan.notes), found,
    )  # fmt: skip


@_cycle_collection_paused()
def import_tickets(
    ctx: Context,
    path: str | Path,
    options: TicketImportOptions | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> TicketImportSummary:
    """Upsert tickets by number from a support system's export, all or nothing.

    Raises:
        ImportFailed: every bad row, or every problem of the columns or the customers, listed; nothing was changed.
        FieldError: ``options.tz`` is no time zone.
        TicketsCancelled: the user cancelled; nothing was changed.
    """
    options = options or TicketImportOptions()
    plan = plan_import(path, options, ctx.now(), cancelled)
    if plan.problems:
        raise ImportFailed(plan.name, plan.problems)
    with database.atomic():
        created_customers, aliases = _settle_customers(ctx, plan, options)
        counts = _write(ctx, plan, progress, cancelled)
        record_audit(
            ctx, entity="ticket", entity_id=None, action="import",
            summary=f"Imported {plan.name} ({plan.source.label}): {counts[0]:,} tickets created, "
                    f"{counts[1]:,} updated, {counts[2]:,} unchanged",
        )  # fmt: skip
    if progress:
        progress(len(plan.tickets), len(plan.tickets))
    found = _reconcile(plan, ctx.now()) if plan.source is not ImportSource.TAMDESK else None
    return TicketImportSummary(
        counts[0], counts[1], counts[3], counts[2], plan.source, plan.skipped, tuple(created_customers),
        tuple(aliases), tuple(plan.notes), found, dict(plan.mapping),
    )  # fmt: skip


def _reconcile(plan: ImportPlan, now: datetime) -> Reconciliation | None:
    inputs = [p for p in plan.tickets if p.customer_id is not None and p.facts.any]
    return reconcile(plan.source, inputs, now) if inputs else None


def _settle_customers(ctx: Context, plan: ImportPlan, options: TicketImportOptions) -> tuple[list[str], list[str]]:
    """Create the customers chosen to be created and remember mapped names as aliases; tickets get their ids."""
    choices = options.customers
    aliases: list[str] = []
    for name, target in choices.mapped.items():
        customer = t.Customer.get_or_none(t.Customer.id == _customer_called(target))
        if customer is None:
            continue
        try:
            if remember_alias(ctx, customer.id, name):
                aliases.append(f"{customer.name}: {name}")
        except DomainError as exc:
            raise ImportFailed(plan.name, [str(exc)]) from None
    to_create = [u for u in plan.unmatched if choices.decision(u.name) == "create"]
    created = create_named(ctx, to_create)
    if created:
        lines = {line: created[u.name] for u in to_create for line in u.rows}
        for p in plan.tickets:
            p.customer_id = lines.get(p.line, p.customer_id)
    return list(created), aliases


def _customer_called(name: str) -> int | None:
    from tamdesk.services.customer_match import customer_index

    return customer_index().named(name)


# -- writing ----------------------------------------------------------------------------------------------------

_COMPARED = (
    "customer", "subject", "severity", "status", "opened_at", "resolved_at", "source", "source_updated_at",
    "source_first_reply_business_minutes", "source_first_response_breached", "source_resolution_breached",
)  # fmt: skip
_DERIVED = ("status", "resolved_at")  # a ticket's own history decides these over the export's


def _row_values(plan: ImportPlan, p: ParsedTicket) -> dict[str, Any]:
    return {
        "customer": p.customer_id,
        "subject": p.subject,
        "severity": int(p.severity),
        "status": p.status.value,
        "opened_at": _epoch(p.opened),
        "resolved_at": _epoch(p.resolved),
        "source": "" if plan.source is ImportSource.TAMDESK else plan.source.value,
        "source_updated_at": _epoch(p.updated),
        "source_first_reply_business_minutes": p.facts.first_reply_business_minutes,
        "source_first_response_breached": p.facts.first_response_breached,
        "source_resolution_breached": p.facts.resolution_breached,
    }


def _epoch(value: Any) -> Any:
    """Times compare as the database holds them: whole seconds since the epoch."""
    return int(value.timestamp()) if isinstance(value, datetime) else value


_RESPONSE, _SOLVED = TicketEventKind.RESPONSE.value, TicketEventKind.SOLVED.value
_CLOSED = (TicketStatus.SOLVED, TicketStatus.CLOSED)


def _events_of(p: ParsedTicket) -> set[tuple[int, str]]:
    """The events the export states of a ticket, as (epoch seconds, kind)."""
    return set(_sorted_events(p))


def _sorted_events(p: ParsedTicket) -> list[tuple[int, str]]:
    """``sorted(_events_of(p))``: at most a response and a solve, which differ by kind, so none repeats."""
    events = []
    if p.first_response:
        events.append((int(p.first_response.timestamp()), _RESPONSE))
    if p.resolved and p.status in _CLOSED:
        events.append((int(p.resolved.timestamp()), _SOLVED))
        if len(events) == 2 and events[1] < events[0]:
            events.reverse()
    return events


def _column(model: type[t.BaseModel], name: str) -> str:
    return f'"{model._meta.fields[name].column_name}"'  # type: ignore[attr-defined]


def _select(model: type[t.BaseModel], names: Sequence[str], key: str) -> str:
    """``SELECT "a", "b" FROM "table" WHERE "key" IN`` for ``select_in``."""
    columns = ", ".join(_column(model, name) for name in names)
    return f'SELECT {columns} FROM "{model._meta.table_name}" WHERE {_column(model, key)} IN'  # type: ignore[attr-defined]


def _existing(ticket_ids: list[int]) -> tuple[dict[int, dict[str, Any]], dict[int, set[tuple[int, str]]], set[int]]:
    """The stored values (times as epoch seconds), export events and whether other events exist, of ``ticket_ids``.

    Read with plain SQL: converting 100,000 rows to and from datetimes through peewee took longer than the import.
    """
    values: dict[int, dict[str, Any]] = {}
    events: dict[int, set[tuple[int, str]]] = {tid: set() for tid in ticket_ids}
    for row in select_in(_select(t.Ticket, ("id", *_COMPARED), "id"), ticket_ids):
        values[row[0]] = dict(zip(_COMPARED, row[1:], strict=True))
    author, ticket = _column(t.TicketEvent, "author"), _column(t.TicketEvent, "ticket")
    table = f'"{t.TicketEvent._meta.table_name}"'  # type: ignore[attr-defined]
    param = database.param
    sql = f"SELECT {ticket}, {_column(t.TicketEvent, 'at')}, {_column(t.TicketEvent, 'kind')} FROM {table} WHERE "
    for tid, at, kind in select_in(f"{sql}{author} = {param} AND {ticket} IN", ticket_ids, params=[FROM_TICKETS]):
        events[tid].add((int(at), kind))
    sql = f"SELECT DISTINCT {ticket} FROM {table} WHERE {author} <> {param} AND {ticket} IN"
    others = {tid for (tid,) in select_in(sql, ticket_ids, params=[FROM_TICKETS])}
    return values, events, others


def _write(
    ctx: Context, plan: ImportPlan, progress: Progress | None, cancelled: Cancelled | None
) -> tuple[int, int, int, int, dict[str, int]]:
    """Insert new tickets, update changed ones, leave the rest; (created, updated, unchanged, events, ids).

    A page of tickets at a time, each page a few statements whatever its size: the new tickets in one insert and
    their ids read back by number, the changed ones in one update, their export events replaced in one delete and
    one insert; then the status of every changed ticket that has other events is derived again, set by set.
    """
    table = t.Ticket._meta.table_name  # type: ignore[attr-defined]
    index = number_index(database.execute_sql(f'SELECT "number", "id" FROM "{table}"').fetchall())
    ids: dict[str, int] = {}
    for p in plan.tickets if index else ():  # into a database without tickets, every one is new
        found = match_number(index, p.number)
        if found is not None:
            ids[p.number] = found
    stored, stored_events, others = _existing(sorted(ids.values()))
    created = updated = unchanged = events = 0
    resync: list[int] = []
    total = len(plan.tickets)
    source = "" if plan.source is ImportSource.TAMDESK else plan.source.value
    for start in range(0, total, CHUNK):
        if cancelled and cancelled():
            raise TicketsCancelled("The ticket import was cancelled; nothing was imported.")
        if progress:
            progress(start, total)
        chunk = plan.tickets[start : start + CHUNK]
        new = [p for p in chunk if p.number not in ids]
        ids.update(_insert_new([_new_row(source, p) for p in new]))
        created += len(new)
        events += _replace_column_events(new, ids, fresh=True)
        fresh = {p.number for p in new}
        replace_events: list[ParsedTicket] = []
        changed: list[tuple[Any, ...]] = []
        for p in chunk:
            if p.number in fresh:
                continue
            tid = ids[p.number]
            values = _row_values(plan, p)
            compared = [k for k in _COMPARED if not (tid in others and k in _DERIVED)]
            same_values = all(stored[tid][k] == values[k] for k in compared)
            same_events = stored_events[tid] == _events_of(p)
            if same_values and same_events:
                unchanged += 1
                continue
            updated += 1
            if not same_values:
                changed.append((tid, *(values[k] for k in _COMPARED)))
            if not same_events:
                replace_events.append(p)
            if tid in others:
                resync.append(tid)
        update_rows(t.Ticket, _COMPARED, changed)
        events += _replace_column_events(replace_events, ids)
    _resync(resync)
    return created, updated, unchanged, events, ids


_TICKET_COLUMNS = ("number", *_COMPARED, "engineer", "notes", "version")
_EVENT_COLUMNS = ("ticket", "at", "kind", "note", "author", "version")


def _new_row(source: str, p: ParsedTicket) -> tuple[Any, ...]:
    """A new ticket's values in ``_TICKET_COLUMNS`` order."""
    facts, resolved, updated = p.facts, p.resolved, p.updated
    return (
        p.number, p.customer_id, p.subject, int(p.severity), p.status.value, int(p.opened.timestamp()),
        int(resolved.timestamp()) if resolved else resolved, source,
        int(updated.timestamp()) if updated else updated, facts.first_reply_business_minutes,
        facts.first_response_breached, facts.resolution_breached, "", "", 1,
    )  # fmt: skip


def _insert_new(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Insert tickets (``_new_row`` tuples, number first); number → new id, read back by number."""
    if not rows:
        return {}
    insert_rows(t.Ticket, _TICKET_COLUMNS, rows)
    return dict(select_in(_select(t.Ticket, ("number", "id"), "number"), [row[0] for row in rows]))


def _replace_column_events(tickets: list[ParsedTicket], ids: Mapping[str, int], *, fresh: bool = False) -> int:
    """Write the export's events of ``tickets``, replacing those an earlier import wrote (none when ``fresh``)."""
    if not tickets:
        return 0
    if not fresh:
        ticket_ids = [ids[p.number] for p in tickets]
        for page in pages(ticket_ids):
            t.TicketEvent.delete().where(
                t.TicketEvent.ticket.in_(list(page)) & (t.TicketEvent.author == FROM_TICKETS)
            ).execute()
    rows = [(ids[p.number], at, kind, "", FROM_TICKETS, 1) for p in tickets for at, kind in _sorted_events(p)]
    return insert_rows(t.TicketEvent, _EVENT_COLUMNS, rows)


def _resync(ticket_ids: Iterable[int]) -> None:
    """Derive the status and resolved time of ``ticket_ids`` from their events again, as adding an event by hand
    does: their tickets and events read a page at a time, the changed ones written in one update per page."""
    ticket_ids = sorted(set(ticket_ids))
    changed: list[tuple[int, str, int | None]] = []
    for page in pages(ticket_ids):
        history: dict[int, list[tuple[int, int, str]]] = {tid: [] for tid in page}
        for tid, at, event_id, kind in select_in(_select(t.TicketEvent, ("ticket", "at", "id", "kind"), "ticket"),
                                                 page):  # fmt: skip
            history[tid].append((int(at), event_id, kind))
        for tid, status, resolved in select_in(_select(t.Ticket, ("id", "status", "resolved_at"), "id"), page):
            ordered = [(at, kind) for at, _, kind in sorted(history[tid])]
            resolved = None if resolved is None else int(resolved)
            now_status, now_resolved = derived_status(TicketStatus(status), resolved, ordered)
            if (now_status.value, now_resolved) != (status, resolved):
                changed.append((tid, now_status.value, now_resolved))
    update_rows(t.Ticket, ("status", "resolved_at"), changed)


# -- ticket history ---------------------------------------------------------------------------------------------


@_cycle_collection_paused()
def import_ticket_events(
    ctx: Context,
    path: str | Path,
    tz: str = "UTC",
    *,
    columns: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    encoding: str | None = None,
) -> TicketImportSummary:
    """Add events (Ticket, At, Event) to known tickets; an event already recorded is not added twice.

    ``columns`` maps a field of ``EVENT_FIELDS`` to the header of the file column that feeds it.

    Raises:
        ImportFailed: every bad row, or every problem of ``columns``, listed; nothing was changed.
        TicketsCancelled: the user cancelled; nothing was changed.
    """
    zone_info = _zone(tz)
    source = Path(path).name
    table = read_table(path, EVENT_FIELDS, columns, encoding=encoding)
    sql = f'SELECT "id", "number", {_column(t.Ticket, "opened_at")} FROM "{t.Ticket._meta.table_name}"'  # type: ignore[attr-defined]
    known = database.execute_sql(sql).fetchall()
    index = number_index((number, tid) for tid, number, _ in known)
    tickets = {tid: (number, int(opened)) for tid, number, opened in known}
    rows: list[tuple[int, int, str]] = []
    problems: list[str] = []
    now = ctx.now()
    for line, row in table.rows:
        try:
            rows.append(_parse_event(row, index, tickets, zone_info, now))
        except ValueError as exc:
            problems.append(f"row {line}: {exc}")
    if problems:
        raise ImportFailed(source, problems)
    have = _recorded_events(sorted({r[0] for r in rows}))
    fresh: list[tuple[int, int, str, str, str, int]] = []
    for key in rows:
        if key not in have:
            have.add(key)
            fresh.append((*key, "", FROM_EVENTS, 1))
    with database.atomic():
        for start in range(0, len(fresh), CHUNK):
            if cancelled and cancelled():
                raise TicketsCancelled("The event import was cancelled; nothing was imported.")
            if progress:
                progress(start, len(fresh))
            insert_rows(t.TicketEvent, _EVENT_COLUMNS, fresh[start : start + CHUNK])
        _resync(r[0] for r in fresh)
        record_audit(
            ctx, entity="ticket_event", entity_id=None, action="import",
            summary=f"Imported {source}: {len(fresh):,} ticket events",
        )  # fmt: skip
    return TicketImportSummary(0, len({r[0] for r in fresh}), len(fresh))


def _recorded_events(ticket_ids: list[int]) -> set[tuple[int, int, str]]:
    """The events of ``ticket_ids`` as (ticket id, epoch seconds, kind)."""
    sql = _select(t.TicketEvent, ("ticket", "at", "kind"), "ticket")
    return {(tid, int(at), kind) for tid, at, kind in select_in(sql, ticket_ids)}


def _parse_event(
    row: Mapping[str, Any],
    index: Mapping[str, Mapping[str, int]],
    tickets: Mapping[int, tuple[str, int]],
    tz: Any,
    now: datetime,
) -> tuple[int, int, str]:
    """One history row as (ticket id, epoch seconds, kind); ``tickets`` holds each ticket's number and opening time
    (epoch seconds)."""
    problems = []
    number = str(row.get("ticket") or "").strip()
    if number.endswith(".0") and number[:-2].isdigit():
        number = number[:-2]
    found: tuple[int, int] | None = None
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
        kind = _event_kind(row.get("event") or "")
    except ValueError as exc:
        problems.append(f"Event {exc}")
        kind = None
    value = row.get("at")
    try:
        at = _event_time("" if value is None else value, tz)
    except ValueError as exc:
        problems.append(f"At: {exc}")
        at = None
    if at and (problem := time_problem("At", at, now)):
        problems.append(problem)
    elif found and at and at.timestamp() < found[1]:
        opened_at = datetime.fromtimestamp(found[1], UTC)
        problems.append(
            f"At {at:%Y-%m-%d %H:%M} UTC is before ticket {number} was opened ({opened_at:%Y-%m-%d %H:%M} UTC)"
        )
    if problems:
        raise ValueError("; ".join(problems))
    assert found and at and kind
    return found[0], int(at.timestamp()), kind


@functools.lru_cache(maxsize=256)
def _event_kind(text: object) -> str:
    """``TicketEventKind.parse``, remembered: a history names the same few kinds on every row."""
    return TicketEventKind.parse(text).value


def _event_time(value: object, tz: Any) -> datetime:
    """``parse_timestamp``, a wall-clock time read in ``tz`` through the ticket import's memo of each quarter hour's
    offset: a history repeats the same hours many times, and zone arithmetic was most of the time of reading it."""
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return parse_timestamp(value, tz)  # for its message
        return moment.astimezone(UTC) if moment.tzinfo else _localized(moment, tz)
    return parse_timestamp(value, tz)

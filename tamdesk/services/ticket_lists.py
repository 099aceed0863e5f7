"""Ticket lists: the rows a list shows, the filter that selects them, and their loading with live SLA state.

A list is evaluated in chunks on a background thread rather than kept as a cache of derived deadlines: the figures
that decided it are in docs/ticket-list.md. One ticket of a list is re-evaluated by ``ticket_row`` exactly as the
load evaluates every ticket.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityChange, SlaEvaluation, SlaState, TicketEvent, evaluate
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.models.db import database, is_sqlite
from tamdesk.services.base import DomainError
from tamdesk.services.scope import tam_person_ids
from tamdesk.services.search import escape_like
from tamdesk.services.severity_history import severity_changes_for, ticket_history
from tamdesk.services.sla import SlaResolver

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
CLOSED = (TicketStatus.SOLVED, TicketStatus.CLOSED)


class TicketsCancelled(DomainError):
    """The user cancelled a long ticket operation; nothing was changed."""


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One line of a ticket list, with its SLA position at the time it was loaded."""

    id: int
    number: str
    customer_id: int
    customer: str
    subject: str
    severity: Severity
    status: TicketStatus
    opened_at: datetime
    resolved_at: datetime | None
    engineer: str
    sla: SlaEvaluation
    escalated: bool = False
    defect: bool = False


@dataclass(frozen=True)
class TicketFilter:
    """What a ticket list shows; SLA states filter on the ticket's next deadline (``SlaEvaluation.state``)."""

    customer_id: int | None = None
    tam: str | None = None  # only the customers whose TAM has this name (see services.scope); None: every one
    severities: frozenset[Severity] = frozenset()
    statuses: frozenset[TicketStatus] = frozenset()
    sla_states: frozenset[SlaState] = frozenset()
    search: str = ""
    open_only: bool = False


# -- loading and evaluating -------------------------------------------------------------------------------------

_SELECT = """
SELECT t.id, t.number, t.customer_id, c.name, t.subject, t.severity, t.status, t.opened_at, t.resolved_at,
       t.engineer,
       EXISTS (SELECT 1 FROM escalation e WHERE e.ticket_id = t.id),
       EXISTS (SELECT 1 FROM defect_ticket d WHERE d.ticket_id = t.id)
FROM ticket t JOIN customer c ON c.id = t.customer_id
"""


IN_LIST_LIMIT = 900  # ids a statement lists at most; a longer list reads by the filter's own condition instead


def _placeholders(n: int) -> str:
    return ", ".join([database.obj.param] * n)


def _where(flt: TicketFilter) -> tuple[str, list[object]]:
    p = database.obj.param
    clauses: list[str] = []
    params: list[object] = []
    if flt.customer_id is not None:
        clauses.append(f"t.customer_id = {p}")
        params.append(flt.customer_id)
    if flt.tam is not None:
        people = tam_person_ids(flt.tam) or [-1]
        clauses.append(f"c.tam_id IN ({_placeholders(len(people))})")
        params.extend(people)
    if flt.severities:
        clauses.append(f"t.severity IN ({_placeholders(len(flt.severities))})")
        params.extend(int(s) for s in flt.severities)
    statuses = set(flt.statuses)
    if flt.open_only:
        statuses = (statuses or set(TicketStatus)) - set(CLOSED)
    if statuses:
        clauses.append(f"t.status IN ({_placeholders(len(statuses))})")
        params.extend(s.value for s in statuses)
    needle = flt.search.strip().lower()
    if needle:
        like = " OR ".join(f"lower({col}) LIKE {p} ESCAPE '!'" for col in ("t.number", "t.subject", "c.name"))
        clauses.append(f"({like})")
        params.extend([f"%{escape_like(needle)}%"] * 3)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _events_for(
    ticket_ids: Sequence[int] | None,
    where: str = "",
    where_params: Sequence[object] = (),
    between: tuple[int, int] | None = None,
) -> dict[int, list[TicketEvent]]:
    """The events of ``ticket_ids``, or of the tickets a filter's ``where`` selects (with ids ``between`` two ids,
    both included, when given), or of every ticket."""
    sql = "SELECT ticket_id, at, kind FROM ticket_event"
    params: list[object] = []
    clauses: list[str] = []
    if between is not None:
        clauses.append(f"ticket_id BETWEEN {database.obj.param} AND {database.obj.param}")
        params.extend(between)
    if where:  # a scoped list of any size reads only its own tickets' events
        clauses.append(f"ticket_id IN (SELECT t.id FROM ticket t JOIN customer c ON c.id = t.customer_id{where})")
        params.extend(where_params)
    elif ticket_ids is not None and between is None:
        if not ticket_ids:
            return {}
        clauses.append(f"ticket_id IN ({_placeholders(len(ticket_ids))})")
        params.extend(ticket_ids)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    kinds = {k.value: k for k in TicketEventKind}
    result: dict[int, list[TicketEvent]] = {}
    fromts = datetime.fromtimestamp
    for tid, at, kind in database.execute_sql(sql, params):
        result.setdefault(tid, []).append(TicketEvent(fromts(at, UTC), kinds[kind]))
    return result


def _rows(
    raw: Iterable[tuple],
    events: dict[int, list[TicketEvent]],
    now: datetime,
    changes: Mapping[int, Sequence[SeverityChange]] | None = None,
    resolver: SlaResolver | None = None,
) -> list[TicketRow]:
    """Rows evaluated at ``now``; customer and engineer names are interned, so 100,000 rows of a few hundred
    customers hold each name once, and a row's solve time is its evaluation's when they agree."""
    resolver = resolver or SlaResolver()
    changes = changes or {}
    severities = {int(s): s for s in Severity}
    statuses = {s.value: s for s in TicketStatus}
    fromts = datetime.fromtimestamp
    intern = sys.intern
    rows = []
    for tid, number, cid, cname, subject, sev, status, opened, resolved, engineer, esc, dfc in raw:
        severity = severities[sev]
        history = ticket_history(fromts(opened, UTC), severity, events.get(tid, ()), changes.get(tid, ()))
        sla = evaluate(history, resolver.policy(cid, history.opened), resolver.calendar(cid), max(now, history.opened))
        resolved_at = None if resolved is None else fromts(resolved, UTC)
        if resolved_at is not None and resolved_at == sla.resolved_at:
            resolved_at = sla.resolved_at
        rows.append(
            TicketRow(
                tid, number, cid, intern(cname), subject, severity, statuses[status], history.opened, resolved_at,
                intern(engineer), sla, bool(esc), bool(dfc),
            )
        )  # fmt: skip
    return rows


LOAD_CHUNK = 5000  # tickets read and evaluated at a time: their events are all a load holds beside its rows


def load_tickets(
    flt: TicketFilter, now: datetime, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> list[TicketRow]:
    """Every ticket the filter selects, evaluated at ``now``; meant for a background thread.

    Tickets are read from the cursor in id order and evaluated ``LOAD_CHUNK`` at a time, each chunk reading only
    its own tickets' events, so neither the raw rows nor the events of the whole list (six times as many objects
    as its tickets) are held at once: what a load holds beyond its rows is one chunk.
    """
    with _small_page_cache():
        return _load_tickets(flt, now, progress, cancelled)


LOAD_CACHE_KIB = 2000  # SQLite's page cache while a list is read: it reads each page once


@contextmanager
def _small_page_cache() -> Iterator[None]:
    """Read a long list through a small SQLite page cache: the connection's usual 32 MB fills up on a 100,000
    ticket list (every page is read once, so the cache saves nothing) and stays as the process's memory."""
    if not is_sqlite():
        yield
        return
    usual = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    database.execute_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(usual)}")


def _load_tickets(
    flt: TicketFilter, now: datetime, progress: Progress | None, cancelled: Cancelled | None
) -> list[TicketRow]:
    where, params = _where(flt)
    count = f"SELECT count(*) FROM ticket t JOIN customer c ON c.id = t.customer_id{where}"
    total = database.execute_sql(count, params).fetchone()[0]
    cursor = database.execute_sql(f"{_SELECT}{where} ORDER BY t.id", params)
    few = total < IN_LIST_LIMIT
    if few:  # read at once, so the ids can be listed
        raw: list[tuple] = cursor.fetchall()
        changes = severity_changes_for([r[0] for r in raw])
        parts = iter([raw] if raw else [])
    else:  # rows come from the cursor a chunk at a time, never all held as tuples
        changes = severity_changes_for(None)
        parts = iter(lambda: cursor.fetchmany(LOAD_CHUNK), [])
    resolver = SlaResolver()
    rows: list[TicketRow] = []
    try:
        for part in parts:
            if cancelled and cancelled():
                raise TicketsCancelled("Loading tickets was cancelled.")
            if progress:
                progress(min(len(rows), total), total)
            if few:
                events = _events_for([r[0] for r in part])
            else:
                events = _events_for(None, where, params, between=(part[0][0], part[-1][0]))
            rows.extend(_rows(part, events, now, changes, resolver))
            del part, events
    finally:
        cursor.close()
    if progress:
        progress(len(rows), len(rows))
    if flt.sla_states:
        rows = [r for r in rows if r.sla.state in flt.sla_states]
    return rows


def first_page(flt: TicketFilter, now: datetime, limit: int = 200) -> list[TicketRow]:
    """The newest tickets the filter selects, fast enough to paint before the full list is loaded."""
    where, params = _where(flt)
    sql = f"{_SELECT}{where} ORDER BY t.opened_at DESC LIMIT {database.obj.param}"
    raw = list(database.execute_sql(sql, [*params, limit]))
    ids = [r[0] for r in raw]
    rows = _rows(raw, _events_for(ids), now, severity_changes_for(ids))
    if flt.sla_states:
        rows = [r for r in rows if r.sla.state in flt.sla_states]
    return rows


def ticket_row(ticket_id: int, flt: TicketFilter, now: datetime) -> TicketRow | None:
    """One ticket of a list evaluated at ``now`` (after it changed), or None when it no longer belongs to the
    list of ``flt`` or no longer exists; evaluated exactly as ``load_tickets`` evaluates every ticket."""
    row = t.Ticket.select(t.Ticket.customer_id, t.Ticket.number).where(t.Ticket.id == ticket_id).tuples().first()
    if row is None or (flt.customer_id is not None and row[0] != flt.customer_id):
        return None
    narrow = TicketFilter(customer_id=row[0], tam=flt.tam, search=row[1])
    return next((r for r in load_tickets(narrow, now) if r.id == ticket_id), None)


SORT_KEYS: dict[str, Callable[[TicketRow], object]] = {
    "number": lambda r: r.number,
    "customer": lambda r: r.customer.lower(),
    "subject": lambda r: r.subject.lower(),
    "severity": lambda r: int(r.severity),
    "status": lambda r: r.status.value,
    "opened": lambda r: r.opened_at,
    # tickets without a running deadline sort after every running one
    "sla": lambda r: (r.sla.deadline is None, r.sla.deadline or r.opened_at),
}


def sort_tickets(rows: Sequence[TicketRow], key: str, descending: bool = False) -> list[TicketRow]:
    """Sort plain rows (off the UI thread for long lists)."""
    return sorted(rows, key=SORT_KEYS[key], reverse=descending)  # type: ignore[arg-type]

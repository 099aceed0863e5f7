"""What a ticket list shows: the query (filters, search, sort), applied to plain rows in chunks that leave the UI
thread room, the evaluated list with its next deadline, and the table's columns and model.

Everything here but the model runs on worker threads over plain ``TicketRow`` values (see ``ticket_list``).
"""

from __future__ import annotations

import gc
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import QObject

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketStatus
from tamdesk.services.ticket_lists import SORT_KEYS, TicketFilter, TicketRow, sort_tickets
from tamdesk.views import sla_format
from tamdesk.views.table_model import Column, Priority, RowTableModel, local_time

CLOSED = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})


# -- what the list shows: pure functions over plain rows (they run on worker threads) ---------------------------


class SlaChoice(StrEnum):
    """The SLA filter: a ticket's state now (see ``sla_format.live_state``), or how its first response went."""

    ANY = "any"
    ATTENTION = "attention"
    BREACHED = "breached"
    AT_RISK = "at_risk"
    OK = "ok"
    PAUSED = "paused"
    SOLVED = "solved"
    MET = "met"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return _SLA_LABELS[self]

    def matches(self, row: TicketRow, now: datetime) -> bool:
        """Whether ``row`` belongs to this choice at ``now``."""
        sla = row.sla
        if self is SlaChoice.ANY:
            return True
        if self is SlaChoice.MET:
            return sla.first_response_state is SlaState.MET
        if self is SlaChoice.MISSED:
            return sla.first_response_state is SlaState.MISSED or sla.missed_updates > 0
        state = sla_format.live_state(sla, now)
        if self is SlaChoice.ATTENTION:
            return state.needs_attention
        return state.value == self.value


_SLA_LABELS = {
    SlaChoice.ANY: "Any SLA state",
    SlaChoice.ATTENTION: "Needs attention (⚠ or ✖)",
    SlaChoice.BREACHED: "✖ Breached",
    SlaChoice.AT_RISK: "⚠ At risk",
    SlaChoice.OK: "OK, clock running",
    SlaChoice.PAUSED: "‖ Paused (waiting on customer)",
    SlaChoice.SOLVED: "✓ Solved",
    SlaChoice.MET: "First response met",
    SlaChoice.MISSED: "Missed (late response or update)",
}


@dataclass(frozen=True)
class TicketQuery:
    """The filters and the sort order a TAM chose; applied to the loaded rows off the UI thread."""

    customer_id: int | None = None
    severity: Severity | None = None
    status: TicketStatus | None = None
    sla: SlaChoice = SlaChoice.ANY
    search: str = ""
    open_only: bool = False
    sort_key: str = "opened"
    descending: bool = True

    def ticket_filter(self, base: TicketFilter) -> TicketFilter:
        """The part SQL can apply (for the fast first page); the SLA choice is applied on the rows."""
        return replace(
            base,
            customer_id=base.customer_id if base.customer_id is not None else self.customer_id,
            severities=frozenset({self.severity}) if self.severity else base.severities,
            statuses=frozenset({self.status}) if self.status else base.statuses,
            search=self.search,
            open_only=self.open_only or base.open_only,
        )

    @property
    def filtered(self) -> bool:
        """True when any filter (not just the sort order) narrows the list."""
        return self != TicketQuery(sort_key=self.sort_key, descending=self.descending)


def haystack(row: TicketRow) -> str:
    """What search looks in: number, subject and customer, lower-cased (as ``load_tickets`` searches)."""
    return f"{row.number}\n{row.subject}\n{row.customer}".lower()


def _checks(query: TicketQuery, now: datetime) -> list[Callable[[TicketRow], bool]]:
    checks: list[Callable[[TicketRow], bool]] = []
    if query.customer_id is not None:
        checks.append(lambda r: r.customer_id == query.customer_id)
    if query.severity is not None:
        checks.append(lambda r: r.severity == query.severity)
    if query.status is not None:
        checks.append(lambda r: r.status == query.status)
    if query.open_only:
        checks.append(lambda r: r.status not in CLOSED)
    if query.sla in _RUNNING_CHOICES:
        checks.append(lambda r: r.sla.resolved_at is None)  # cheap first cut: most tickets are solved
    if query.sla is not SlaChoice.ANY:
        checks.append(lambda r: query.sla.matches(r, now))
    return checks


_RUNNING_CHOICES = frozenset({SlaChoice.ATTENTION, SlaChoice.BREACHED, SlaChoice.AT_RISK, SlaChoice.OK})


CHUNK = 5000  # rows handled between two pauses for the UI thread
PAUSE_SECONDS = 0.001


def pause_for_ui() -> None:
    """Hand the GIL to the UI thread for a moment; background work over long lists calls this between chunks.

    Without it the UI thread only gets the GIL when the worker is asked to drop it, and on a busy machine its
    timers and paints can wait for the whole filter or sort; a 1 ms sleep hands the GIL over at once.
    """
    time.sleep(PAUSE_SECONDS)


def filter_rows(
    rows: Sequence[TicketRow], query: TicketQuery, now: datetime, haystacks: Sequence[str] | None = None
) -> list[TicketRow]:
    """The rows ``query`` selects; ``haystacks`` (one per row, see ``haystack``) saves lower-casing per search."""
    needle = query.search.strip().lower()
    checks = _checks(query, now)
    if not needle and not checks:
        return list(rows)
    selected: list[TicketRow] = []
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        if needle:
            texts = haystacks[start : start + CHUNK] if haystacks is not None else [haystack(r) for r in part]
            part = [r for r, text in zip(part, texts, strict=True) if needle in text]
        for check in checks:
            part = [r for r in part if check(r)]
        selected.extend(part)
        if start + CHUNK < len(rows):
            pause_for_ui()
    return selected


EXTRA_SORT_KEYS: dict[str, Callable[[TicketRow], object]] = {"engineer": lambda r: (not r.engineer, r.engineer.lower())}


def _sort_chunk(rows: Sequence[TicketRow], key: str, descending: bool) -> list[TicketRow]:
    if key in SORT_KEYS:
        return sort_tickets(rows, key, descending)
    return sorted(rows, key=EXTRA_SORT_KEYS[key], reverse=descending)  # type: ignore[arg-type]


def sort_rows(rows: Sequence[TicketRow], key: str, descending: bool) -> list[TicketRow]:
    """``sort_tickets`` (or a key of its own for the columns it has none for), the same order as one sort.

    One sort of 100,000 rows holds the GIL in C for 50-150 ms, stalling the UI thread that long; sorting chunks
    and merging them in Python (stable, like ``sorted``) with a pause for the UI between batches never does.
    """
    if len(rows) <= CHUNK:
        return _sort_chunk(rows, key, descending)
    chunks = []
    for start in range(0, len(rows), CHUNK):
        chunks.append(_sort_chunk(rows[start : start + CHUNK], key, descending))
        pause_for_ui()
    merged = heapq.merge(*chunks, key=SORT_KEYS.get(key) or EXTRA_SORT_KEYS[key], reverse=descending)
    result: list[TicketRow] = []
    while batch := list(itertools.islice(merged, CHUNK)):
        result.extend(batch)
        pause_for_ui()
    return result


def apply_query(
    rows: Sequence[TicketRow], query: TicketQuery, now: datetime, haystacks: Sequence[str] | None = None
) -> list[TicketRow]:
    """Filter, then sort."""
    return sort_rows(filter_rows(rows, query, now, haystacks), query.sort_key, query.descending)


def next_deadline(rows: Sequence[TicketRow], now: datetime) -> datetime | None:
    """The earliest deadline still ahead of ``now`` among running clocks: when the list next changes state."""
    ahead = [
        r.sla.deadline
        for r in rows
        if r.sla.deadline is not None and r.sla.state in sla_format.RUNNING and r.sla.deadline >= now
    ]
    return min(ahead, default=None)


_collector_lock = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector from running while a long list is built, then freeze what was built.

    The collector holds the GIL while it scans every tracked object: building 100,000 evaluated tickets (about
    1.5 million objects) triggers full collections of 0.1-0.4 s each, and every one freezes the window. Ticket
    rows hold no reference cycles, so reference counting still frees them when a list is replaced; freezing them
    (``gc.freeze``, constant time) only keeps later collections from scanning them again.

    Whatever else is alive at that moment is frozen too, and a reference cycle among it that later becomes garbage
    is never collected. So nothing may leave a cycle holding memory or a resource to the collector: background work
    closes its database connection and drops its task when it ends (``views/tasks.py``).
    """
    global _collector_pauses, _collector_was_enabled
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0:
                gc.freeze()
                if _collector_was_enabled:
                    gc.enable()


@dataclass(frozen=True)
class LoadedTickets:
    """Every ticket of a list as evaluated at ``evaluated_at``.

    Search texts are not kept: a search lower-cases each row's texts as it filters (about 55 ms per 100,000
    rows, in chunks), where keeping them cost 15 MB per 100,000 rows for as long as the list is open.
    """

    rows: tuple[TicketRow, ...]
    evaluated_at: datetime
    next_deadline: datetime | None
    _orders: dict[tuple[str, bool], list[TicketRow]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, rows: Sequence[TicketRow], now: datetime) -> LoadedTickets:
        return cls(tuple(rows), now, next_deadline(rows, now))

    def ordered(self, key: str, descending: bool) -> list[TicketRow]:
        """Every row in the order of ``key``; sorted once per order (off the UI thread), so changing a filter,
        or going back to an order used before, only filters."""
        cached = self._orders.get((key, descending))
        if cached is None:
            with collector_paused():  # 100,000 sort keys would set off full collections
                cached = sort_rows(self.rows, key, descending)
            self._orders[(key, descending)] = cached
        return cached

    def select(self, query: TicketQuery, now: datetime) -> list[TicketRow]:
        """The rows ``query`` selects, in its order."""
        return filter_rows(self.ordered(query.sort_key, query.descending), query, now)

    def with_row(self, ticket_id: int, row: TicketRow | None) -> LoadedTickets:
        """A copy with one ticket replaced, added (``row`` new) or removed (``row`` None); cheap on any size."""
        index = next((i for i, r in enumerate(self.rows) if r.id == ticket_id), None)
        rows = list(self.rows)
        if index is None and row is None:
            return self
        if index is None:
            rows.append(row)  # type: ignore[arg-type]
        elif row is None:
            del rows[index]
        else:
            rows[index] = row
        deadlines = [d for d in (self.next_deadline, row and next_deadline([row], self.evaluated_at)) if d]
        return LoadedTickets(tuple(rows), self.evaluated_at, min(deadlines, default=None))


# -- the table --------------------------------------------------------------------------------------------------


def short_time(moment: datetime, now: datetime) -> str:
    """``Wed 25 Nov 22:15`` in the user's zone; the year is added when it is not this year's."""
    local = moment.astimezone()
    if local.year == now.astimezone().year:
        return local.strftime("%a %d %b %H:%M")
    return local.strftime("%a %d %b %Y %H:%M")


def _status_text(row: TicketRow) -> str:
    """``Open · escalated · defect``: the flags read in the list without opening the ticket."""
    return row.status.label + (" · escalated" if row.escalated else "") + (" · defect" if row.defect else "")


def ticket_columns(now: Callable[[], datetime], show_customer: bool = True) -> list[tuple[str, Column[TicketRow]]]:
    """(sort key, column) pairs of a ticket list; the SLA text is recomputed against ``now()`` on every paint.

    The SLA comes early and keeps its width, so it stays on screen in a narrow window; the subject takes the room
    a wide window has to spare.
    """

    def sla_text(row: TicketRow) -> sla_format.SlaText:
        return sla_format.describe(row.sla, now())

    columns = [
        ("number", Column[TicketRow]("Ticket", lambda r: r.number, width=95, priority=Priority.KEEP)),
        ("severity", Column[TicketRow]("Severity", lambda r: r.severity.label,
                                       tooltip=lambda r: r.severity.definition, width=105,
                                       priority=Priority.KEEP)),
        ("sla", Column[TicketRow]("SLA", lambda r: sla_text(r).text, tooltip=lambda r: sla_format.tooltip(r.sla, now()),
                                  foreground=lambda r: sla_format.foreground(sla_text(r).state),
                                  background=lambda r: sla_format.background(sla_text(r).state), width=230,
                                  priority=Priority.KEEP)),
        ("subject", Column[TicketRow]("Subject", lambda r: r.subject, tooltip=lambda r: r.subject, width=220,
                                      stretch=True, min_width=160)),
        ("customer", Column[TicketRow]("Customer", lambda r: r.customer, width=155)),
        ("status", Column[TicketRow]("Status", _status_text, width=140)),
        ("opened", Column[TicketRow]("Opened", lambda r: short_time(r.opened_at, now()),
                                    tooltip=lambda r: local_time(r.opened_at), width=135, priority=Priority.LOW)),
        ("engineer", Column[TicketRow]("Engineer", lambda r: r.engineer or "—", width=120, priority=Priority.LOW)),
    ]  # fmt: skip
    return [(key, column) for key, column in columns if show_customer or key != "customer"]


class TicketTableModel(RowTableModel[TicketRow]):
    """Ticket rows with an SLA column that counts down against ``now``."""

    def __init__(self, now: datetime, show_customer: bool = True, parent: QObject | None = None) -> None:
        keyed = ticket_columns(lambda: self.now, show_customer)
        super().__init__([column for _, column in keyed], parent)
        self.now = now
        self.sort_keys = [key for key, _ in keyed]

    def set_now(self, now: datetime) -> None:
        """Move the countdowns on: repaint the SLA column (texts are computed at paint time)."""
        self.now = now
        column = self.sort_keys.index("sla")
        if self.rowCount():
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))

    def position_of(self, ticket_id: int) -> int:
        """The row showing ``ticket_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == ticket_id), -1)

"""The Tickets page and a customer's Tickets tab: every ticket with a live SLA countdown.

A list of 100,000 tickets opens without freezing the window because nothing long runs on the UI thread: the
newest tickets (``first_page``) are read in the background and painted at once, then every ticket is read and
evaluated (``load_tickets``); filtering and sorting run on that plain list in background tasks and reach the
model through ``set_rows``. A QSortFilterProxyModel would call ``data()`` for every comparison (tens of seconds
at this size), so it is not used here.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketStatus
from tamdesk.models import database_label
from tamdesk.services.base import Context, DomainError
from tamdesk.services.customers import list_customers
from tamdesk.services.database import explain_failure, is_database_failure
from tamdesk.services.overview import database_counts
from tamdesk.services.scope import CustomerScope, customer_scope, same_name
from tamdesk.services.tickets import (
    SORT_KEYS,
    TicketFilter,
    TicketRow,
    TicketsCancelled,
    count_tickets,
    first_page,
    load_tickets,
    sort_tickets,
    ticket_detail,
)
from tamdesk.views import sla_format
from tamdesk.views.changes import ticket_changes
from tamdesk.views.icons import icon
from tamdesk.views.pages.base import EmptyState, Page
from tamdesk.views.table_model import Column, Priority, RowTableModel, local_time
from tamdesk.views.tasks import Task, TaskControl, TaskRunner
from tamdesk.views.ticket_actions import RowActions
from tamdesk.views.ticket_detail import TicketDetailDialog
from tamdesk.views.ticket_dialog import TicketDialog
from tamdesk.views.ticket_import_dialog import TicketImportDialog
from tamdesk.views.widgets import Debouncer, SearchableComboBox, configure_table, remember_header, today

SEARCH_DELAY_MS = 250
REEVALUATE_AFTER = timedelta(minutes=5)  # a passed deadline re-evaluates every ticket at most this often
SCOPE_KEY = "tickets/scope"  # "mine" (the default) or "all"
STALE_AFTER = timedelta(seconds=30)  # coming back to the page re-evaluates a list older than this
CLOSED = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class LoadedTickets:
    """Every ticket of a list as evaluated at ``evaluated_at``, with search texts worked out once."""

    rows: tuple[TicketRow, ...]
    haystacks: tuple[str, ...]
    evaluated_at: datetime
    next_deadline: datetime | None
    _orders: dict[tuple[str, bool], tuple[list[TicketRow], list[str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, rows: Sequence[TicketRow], now: datetime) -> LoadedTickets:
        return cls(tuple(rows), tuple(haystack(r) for r in rows), now, next_deadline(rows, now))

    def ordered(self, key: str, descending: bool) -> tuple[list[TicketRow], list[str]]:
        """Every row in the order of ``key``, with its search text; sorted once per order (off the UI thread), so
        changing a filter, or going back to an order used before, only filters."""
        cached = self._orders.get((key, descending))
        if cached is None:
            with collector_paused():  # 100,000 sort keys would set off full collections
                rows = sort_rows(self.rows, key, descending)
                position = {r.id: n for n, r in enumerate(self.rows)}
                cached = rows, [self.haystacks[position[r.id]] for r in rows]
            self._orders[(key, descending)] = cached
        return cached

    def select(self, query: TicketQuery, now: datetime) -> list[TicketRow]:
        """The rows ``query`` selects, in its order."""
        rows, texts = self.ordered(query.sort_key, query.descending)
        return filter_rows(rows, query, now, texts)

    def with_row(self, ticket_id: int, row: TicketRow | None) -> LoadedTickets:
        """A copy with one ticket replaced, added (``row`` new) or removed (``row`` None); cheap on any size."""
        index = next((i for i, r in enumerate(self.rows) if r.id == ticket_id), None)
        rows, texts = list(self.rows), list(self.haystacks)
        if index is None and row is None:
            return self
        if index is None:
            rows.append(row)  # type: ignore[arg-type]
            texts.append(haystack(row))  # type: ignore[arg-type]
        elif row is None:
            del rows[index], texts[index]
        else:
            rows[index], texts[index] = row, haystack(row)
        deadlines = [d for d in (self.next_deadline, row and next_deadline([row], self.evaluated_at)) if d]
        return LoadedTickets(tuple(rows), tuple(texts), self.evaluated_at, min(deadlines, default=None))


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


# -- a list that loads off the UI thread -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Applied:
    generation: int
    rows: list[TicketRow]
    selected: int  # position of the previously selected ticket in ``rows``, or -1


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


def _load_all(base: TicketFilter, now: datetime, control: TaskControl) -> LoadedTickets:
    def progress(done: int, total: int) -> None:
        control.progress(done, total)
        pause_for_ui()  # called every 5,000 tickets

    with collector_paused():
        rows = load_tickets(base, now, progress=progress, cancelled=control.cancelled)
        return LoadedTickets.of(rows, now)


def _fresh_row(ticket_id: int, base: TicketFilter, now: datetime) -> TicketRow | None:
    """One ticket evaluated now, or None when it no longer belongs to the list (or no longer exists)."""
    try:
        detail = ticket_detail(ticket_id, now)
    except DomainError:
        return None
    if base.customer_id is not None and detail.input.customer_id != base.customer_id:
        return None
    narrow = TicketFilter(customer_id=detail.input.customer_id, tam=base.tam, search=detail.input.number)
    return next((r for r in load_tickets(narrow, now) if r.id == ticket_id), None)


class TicketList(QWidget):
    """A table of tickets: the newest first page at once, every ticket after a background load.

    Filters and sort (``set_query``) run on the plain list in background tasks; a result arriving after a newer
    request is dropped. The SLA column counts down each minute; a passing deadline re-evaluates every ticket in
    the background (at most every ``REEVALUATE_AFTER``).
    """

    open_requested = Signal(int)
    state_changed = Signal()  # rows shown, loading progress or an error changed
    selection_changed = Signal()
    preview_shown = Signal()  # the first page is on screen; the full load starts now

    def __init__(self, ctx: Context, settings_key: str, show_customer: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.base = TicketFilter()
        self.query = TicketQuery()
        self.reader = TaskRunner(self, max_threads=2)  # reads only: a long load never delays another page's save
        self.model = TicketTableModel(ctx.now(), show_customer, self)
        self.loaded: LoadedTickets | None = None
        self.preview: list[TicketRow] = []
        self.loading = False
        self.progress = (0, 0)
        self.error = ""
        self._load_task: Task | None = None
        self._changed_while_loading: set[int] = set()
        self._apply_generation = 0
        self._apply_running = False
        self._apply_again = False
        self._shown_query: TicketQuery | None = None
        self._reveal: int | None = None
        self._stopped = False
        self._stale = False  # tickets changed while the window was hidden
        self.table = self._build_table(settings_key)
        # Escalate…, Report defect…, Record response, Copy number, Open in support system: menu and shortcuts
        self.row_actions = RowActions(ctx, self.table, self.model.row_at, self.open_requested.emit)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self._arm_timer()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        ticket_changes().changed.connect(self.ticket_changed)

    def _build_table(self, settings_key: str) -> QTableView:
        table = QTableView()
        table.setAccessibleName("Tickets")
        configure_table(table)
        table.setModel(self.model)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.sort_keys.index("opened"), Qt.SortOrder.DescendingOrder)
        remember_header(table, settings_key)
        self.query = replace(self.query, **self._sort_from_header(header))
        header.sortIndicatorChanged.connect(self._sort_clicked)
        table.doubleClicked.connect(lambda index: self.open_requested.emit(self.model.row_at(index.row()).id))
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis("Open the selected ticket")
            shortcut.activated.connect(self._open_selected)
        return table

    def _sort_from_header(self, header: QHeaderView) -> dict[str, object]:
        section = header.sortIndicatorSection()
        if not 0 <= section < len(self.model.sort_keys):
            return {"sort_key": "opened", "descending": True}
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        return {"sort_key": self.model.sort_keys[section], "descending": descending}

    def _sort_clicked(self, section: int, order: Qt.SortOrder) -> None:
        if 0 <= section < len(self.model.sort_keys):
            self.set_query(replace(self.query, **self._sort_from_header(self.table.horizontalHeader())))

    # -- what is shown --------------------------------------------------------------------------------------

    def selected_ticket(self) -> TicketRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_ticket(self, ticket_id: int) -> bool:
        """Select ``ticket_id`` and scroll to it, if it is shown."""
        position = self.model.position_of(ticket_id)
        if position >= 0:
            self.table.selectRow(position)
            self.table.scrollTo(self.model.index(position, 0), QTableView.ScrollHint.PositionAtCenter)
        return position >= 0

    def _open_selected(self) -> None:
        row = self.selected_ticket()
        if row is not None:
            self.open_requested.emit(row.id)

    def shown(self) -> int:
        return self.model.rowCount()

    def total(self) -> int | None:
        """How many tickets the list holds before filtering, once every ticket is loaded."""
        return len(self.loaded.rows) if self.loaded is not None else None

    def busy(self) -> bool:
        """Loading, or applying a filter or sort (tests wait for this to turn False)."""
        return self.loading or self._apply_running or self._load_task is not None

    # -- loading --------------------------------------------------------------------------------------------

    def load(self, base: TicketFilter) -> None:
        """Start over with the tickets ``base`` selects: the first page now, every ticket after."""
        self.base = base
        self._cancel_load()
        self.loaded, self.preview, self.error = None, [], ""
        self._changed_while_loading.clear()
        self.model.set_rows([])
        self._start(first=True)

    def reevaluate(self, restart: bool = False) -> None:
        """Read and evaluate every ticket again in the background; the current rows stay until then.

        A load already running is kept, unless ``restart`` (the data changed after it started reading).
        """
        if self._load_task is not None and not restart:
            return
        self._cancel_load()
        if self.loaded is None:
            self.load(self.base)
        else:
            self._start(first=False)

    def reveal(self, ticket_id: int) -> None:
        """Select ``ticket_id`` as soon as it is shown (after a save, once the list caught up)."""
        if not self.select_ticket(ticket_id):
            self._reveal = ticket_id

    def mark_stale(self) -> None:
        """Tickets changed while the window is hidden: read them all when it is shown again."""
        self._stale = self.loaded is not None

    def stop(self) -> None:
        """The window is closing: hear no more of changes made elsewhere, stop the clock, finish reading."""
        self.timer.stop()
        if not self._stopped:
            self._stopped = True
            ticket_changes().changed.disconnect(self.ticket_changed)
        self._cancel_load()
        self.reader.wait(30_000)

    def _cancel_load(self) -> None:
        if self._load_task is not None:
            self._load_task.cancel()
            self._load_task = None
        self.loading = False

    def _start(self, first: bool) -> None:
        base, query, now = self.base, self.query, self.ctx.now()
        self.loading = True
        self.progress = (0, 0)
        if first:
            task = self.reader.run(lambda control: first_page(query.ticket_filter(base), now))
            task.succeeded.connect(lambda rows: self._first_page_loaded(task, rows))
        else:
            task = self.reader.run(lambda control: _load_all(base, now, control))
            task.succeeded.connect(lambda loaded: self._all_loaded(task, loaded))
            task.progressed.connect(lambda done, total: self._load_progressed(task, done, total))
        task.failed.connect(lambda exc, details: self._load_failed(task, exc, details))
        self._load_task = task
        self.state_changed.emit()

    def _first_page_loaded(self, task: Task, rows: list[TicketRow]) -> None:
        if task is not self._load_task:
            return
        self.preview = rows
        self._apply()
        self.preview_shown.emit()
        self._start(first=False)

    def _load_progressed(self, task: Task, done: int, total: int) -> None:
        if task is self._load_task:
            self.progress = (done, total)
            self.state_changed.emit()

    def _all_loaded(self, task: Task, loaded: LoadedTickets) -> None:
        if task is not self._load_task:
            return
        self._load_task = None
        self.loading = False
        self.loaded = loaded
        self.error = ""
        self._apply()
        for ticket_id in sorted(self._changed_while_loading):
            self.ticket_changed(ticket_id)  # the load may have read them before the change was saved
        self._changed_while_loading.clear()
        self.state_changed.emit()

    def _load_failed(self, task: Task, exc: BaseException, details: str) -> None:
        if task is not self._load_task:
            return
        self._load_task = None
        self.loading = False
        if not isinstance(exc, TicketsCancelled):
            self._report(exc, details)
        self.state_changed.emit()

    def _report(self, exc: BaseException, details: str) -> None:
        """Say why the load failed beside the count; the rows loaded before stay on screen."""
        if isinstance(exc, DomainError):
            self.error = str(exc)
            return
        if is_database_failure(exc):  # a lock, a full disk, a server that went away: a sentence, not a crash box
            log.warning("The tickets could not be loaded: %s\n%s", exc, details)
            self.error = explain_failure(exc)
            return
        from tamdesk.views.errors import report_exception

        self.error = "The tickets could not be loaded; the details are in the log."
        report_exception(exc, details)

    # -- filtering and sorting ------------------------------------------------------------------------------

    def set_query(self, query: TicketQuery) -> None:
        """Show the rows ``query`` selects, in its order (in the background for the full list)."""
        self.query = query
        self._apply()

    def _apply(self) -> None:
        self._apply_generation += 1
        if self.loaded is None:  # only the first page (a couple of hundred rows) so far: cheap enough here
            rows = apply_query(self.preview, self.query, self.ctx.now())
            self._show(rows, -1, self.query)
            self.state_changed.emit()
        elif self._apply_running:
            self._apply_again = True
        else:
            self._run_apply()

    def _run_apply(self) -> None:
        loaded, query, now, generation = self.loaded, self.query, self.ctx.now(), self._apply_generation
        assert loaded is not None
        selected = self.selected_ticket()
        selected_id = selected.id if selected else None

        def work(control: TaskControl) -> _Applied:
            rows = loaded.select(query, now)
            position = next((i for i, r in enumerate(rows) if r.id == selected_id), -1) if selected_id else -1
            return _Applied(generation, rows, position)

        self._apply_running, self._apply_again = True, False
        self.reader.run(work, lambda result: self._applied(result, query), self._apply_failed)

    def _applied(self, result: _Applied, query: TicketQuery) -> None:
        self._apply_running = False
        if self._apply_again or result.generation != self._apply_generation:
            if self.loaded is not None:
                self._run_apply()
            return
        self._show(result.rows, result.selected, query)
        self.state_changed.emit()

    def _apply_failed(self, exc: BaseException, details: str) -> None:
        self._apply_running = False
        self._report(exc, details)
        self.state_changed.emit()

    def _show(self, rows: list[TicketRow], selected: int, query: TicketQuery) -> None:
        """Swap the rows in, keeping the selected ticket selected and, when only the data moved, the scroll."""
        previous = self.selected_ticket()
        if selected < 0 and previous is not None and len(rows) <= 1000:
            selected = next((i for i, r in enumerate(rows) if r.id == previous.id), -1)
        scroll = self.table.verticalScrollBar().value()
        same_view = self._shown_query == query
        self.model.now = self.ctx.now()
        self.model.set_rows(rows)
        self._shown_query = query
        if self._reveal is not None:
            revealed = self.model.position_of(self._reveal)
            if revealed >= 0:
                selected, same_view, self._reveal = revealed, False, None
        if selected >= 0:
            self.table.selectRow(selected)
        if same_view:
            self.table.verticalScrollBar().setValue(scroll)
        elif selected >= 0:
            self.table.scrollTo(self.model.index(selected, 0), QTableView.ScrollHint.PositionAtCenter)
        else:
            self.table.scrollToTop()

    # -- keeping it current ---------------------------------------------------------------------------------

    def _arm_timer(self) -> None:
        """Fire on the next whole minute, so "due in 12 m" turns into "due in 11 m" when the clock does."""
        now = self.ctx.now()
        self.timer.start(max(1000, (60 - now.second) * 1000 - now.microsecond // 1000))

    def window_open(self) -> bool:
        """Whether the window showing this list is shown. A hidden one (in the tray) catches up when shown again;
        a closed one may live on until Qt deletes it and must not start a read then (it would run against
        whatever database is open by that time)."""
        return self.window().isVisible()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after changes made while hidden: read them now."""
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reevaluate(restart=True)

    def tick(self) -> None:
        """Each minute: move the countdowns on; when a deadline passed, filter again and re-evaluate."""
        if not self.window_open():
            self._arm_timer()  # nothing to read while hidden or closed; the countdowns move on when shown
            return
        now = self.ctx.now()
        self.model.set_now(now)
        loaded = self.loaded
        if loaded is not None and loaded.next_deadline is not None and now > loaded.next_deadline:
            if self.query.sla is not SlaChoice.ANY:
                self._apply()
            if now - loaded.evaluated_at >= REEVALUATE_AFTER and self._load_task is None:
                self.reevaluate()
        self._arm_timer()

    def ticket_changed(self, ticket_id: int) -> None:
        """Show a ticket saved elsewhere: read that one ticket again instead of the whole list."""
        if not self.window_open():
            self._stale = self.loaded is not None  # read when shown again
            return
        if self._load_task is not None:
            self._changed_while_loading.add(ticket_id)
        if self.loaded is None:
            return
        base, now = self.base, self.ctx.now()
        self.reader.run(
            lambda control: _fresh_row(ticket_id, base, now),
            lambda row: self._merge(ticket_id, row),
            lambda exc, details: self._report(exc, details),
        )

    def _merge(self, ticket_id: int, row: TicketRow | None) -> None:
        if self.loaded is None:
            return
        if row is None and all(r.id != ticket_id for r in self.loaded.rows):
            return
        self.loaded = self.loaded.with_row(ticket_id, row)
        self._apply()


# -- the Tickets page ------------------------------------------------------------------------------------------


def _combo(items: Sequence[tuple[str, object]], name: str, tooltips: Sequence[str] = ()) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    _narrow(combo)
    for n, (label, value) in enumerate(items):
        combo.addItem(label, value)
        if n < len(tooltips) and tooltips[n]:
            combo.setItemData(n, tooltips[n], Qt.ItemDataRole.ToolTipRole)
    return combo


def _narrow(combo: QComboBox, characters: int = 4) -> None:
    """Let a combo shrink below its longest item, so the page fits the window's smallest size."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def _select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    label.setFont(font)
    return label


class TicketsPage(Page):
    """Every ticket of every customer, with filters, search, sort and the live SLA countdown."""

    title = "Tickets"
    new_item_text = "New ticket…"
    sample_data_requested = Signal()

    def new_item(self) -> None:
        self.new_ticket()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.settings = QSettings()
        self._database: str | None = None
        self._known_count = -1
        self._customers_task: Task | None = None
        self.scope = CustomerScope(None)  # whose tickets the list holds (resolved on each load)
        self.list = TicketList(ctx, "ticket_list", parent=self)  # "tickets" held the order before SLA came first
        self.list.state_changed.connect(self._update_state)
        self.list.selection_changed.connect(self._update_buttons)
        self.list.open_requested.connect(self.open_ticket)
        self._search_debouncer = Debouncer(SEARCH_DELAY_MS, self._filters_changed, self)
        self._build()
        self._restore_filters()
        self._connect_filters()
        self.list.preview_shown.connect(self._load_customers)
        ticket_changes().imported.connect(self._imported)
        self._stopped = False
        self._update_buttons()

    # -- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.import_button = QPushButton("&Import…")
        self.import_button.setToolTip("Tickets or ticket history from a .csv or .xlsx export of the support system")
        self.import_button.clicked.connect(self.import_tickets)
        self.new_button = QPushButton("&New ticket…")
        self.new_button.setIcon(icon("add"))
        self.new_button.clicked.connect(lambda: self.new_ticket())
        self.open_button = QPushButton("&Open…")
        self.open_button.setToolTip("The ticket's timeline and both SLA clocks explained (Enter)")
        self.open_button.clicked.connect(self._open_selected)
        title_row = QHBoxLayout()
        title_row.addWidget(_heading("Tickets"))
        title_row.addSpacing(16)
        title_row.addWidget(self._build_scope())
        title_row.addStretch(1)
        for button in (self.import_button, self.new_button, self.open_button):
            title_row.addWidget(button)
        self.empty_state = EmptyState(icon("tickets"), "", "")
        self.empty_state.action_clicked.connect(self._empty_action)
        self.content = QStackedWidget()
        self.content.addWidget(self.list)
        self.content.addWidget(self.empty_state)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(self._build_filters())
        layout.addLayout(self._build_status_row())
        layout.addWidget(self.content, 1)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.setWhatsThis("Search tickets")
        find.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))

    def _build_scope(self) -> QWidget:
        """My customers | All customers: the list loads only the user's customers unless asked for everyone."""
        self.mine_button = QPushButton("&My customers")
        self.all_button = QPushButton("&All customers")
        self.all_button.setToolTip("Every customer's tickets (on a team database, every TAM's)")
        self.scope_buttons = QButtonGroup(self)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for button in (self.mine_button, self.all_button):
            button.setCheckable(True)
            self.scope_buttons.addButton(button)
            row.addWidget(button)
        (self.mine_button if self._wants_mine() else self.all_button).setChecked(True)
        self.scope_buttons.buttonClicked.connect(self._scope_clicked)
        return box

    def _wants_mine(self) -> bool:
        return self.settings.value(SCOPE_KEY, "mine") != "all"

    def _scope_clicked(self, button: QAbstractButton) -> None:
        self.settings.setValue(SCOPE_KEY, "mine" if button is self.mine_button else "all")
        self.reload()
        self._load_customers()

    def set_scope(self, mine: bool) -> None:
        """Show the user's customers' tickets or every customer's, as the buttons do."""
        (self.mine_button if mine else self.all_button).click()

    def _show_scope(self) -> None:
        """The buttons say what the list holds; My customers is disabled, saying why, when the user has none."""
        scope = self.scope
        self.mine_button.setEnabled(not scope.notice)
        self.mine_button.setToolTip(scope.notice or "Only the tickets of the customers whose TAM is you")
        self.scope_buttons.blockSignals(True)
        (self.mine_button if scope.mine else self.all_button).setChecked(True)
        self.scope_buttons.blockSignals(False)

    def _build_filters(self) -> QHBoxLayout:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search ticket, subject or customer  (Ctrl+F)")
        self.search.setAccessibleName("Search tickets")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(100)
        self.customer = SearchableComboBox([("All customers", "")])
        self.customer.setAccessibleName("Customer")
        _narrow(self.customer, 6)
        self.customer.lineEdit().setPlaceholderText("All customers")
        self.severity = _combo(
            [("Any severity", 0), *((s.label, int(s)) for s in Severity)],
            "Severity",
            ["", *(s.definition for s in Severity)],
        )
        self.status = _combo([("Any status", ""), *((s.label, s.value) for s in TicketStatus)], "Status")
        self.sla = _combo([(c.label, c.value) for c in SlaChoice], "SLA state")
        self.sla.setToolTip("The state of each ticket's next SLA deadline, or how its first response went")
        self.open_only = QCheckBox("Open &only")
        self.open_only.setToolTip("Hide solved and closed tickets")
        row = QHBoxLayout()
        row.addWidget(self.search, 3)
        for widget in (self.customer, self.severity, self.status, self.sla):
            row.addWidget(widget, 1)
        return row

    def _build_status_row(self) -> QHBoxLayout:
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        self.count_label.setAccessibleName("Ticket count")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setFlat(True)
        self.clear_button.clicked.connect(self.clear_filters)
        row = QHBoxLayout()
        row.addWidget(self.open_only)
        row.addSpacing(12)
        row.addWidget(self.count_label)
        row.addWidget(self.progress)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        return row

    def _connect_filters(self) -> None:
        self.search.textChanged.connect(self._search_debouncer.trigger)
        self.customer.currentIndexChanged.connect(self._filters_changed)
        self.customer.lineEdit().editingFinished.connect(self._customer_typed)
        for combo in (self.severity, self.status, self.sla):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.open_only.toggled.connect(self._filters_changed)

    # -- filters --------------------------------------------------------------------------------------------

    def _restore_filters(self) -> None:
        value = self.settings.value
        self._saved_customer = str(value("tickets/filter/customer", "") or "")
        _select_data(self.severity, int(value("tickets/filter/severity", 0) or 0))
        _select_data(self.status, str(value("tickets/filter/status", "") or ""))
        _select_data(self.sla, str(value("tickets/filter/sla", SlaChoice.ANY.value)))
        self.open_only.setChecked(value("tickets/filter/open_only", False, type=bool))
        self.search.setText(str(value("tickets/filter/search", "") or ""))
        self.list.query = self._query()

    def _customer_id(self) -> int | None:
        value = self.customer.value() if self.customer.count() > 1 else self._saved_customer
        return int(value) if value.isdigit() else None

    def _query(self) -> TicketQuery:
        severity = self.severity.currentData()
        return replace(
            self.list.query,
            customer_id=self._customer_id(),
            severity=Severity(severity) if severity else None,
            status=TicketStatus(self.status.currentData()) if self.status.currentData() else None,
            sla=SlaChoice(self.sla.currentData()),
            search=self.search.text().strip(),
            open_only=self.open_only.isChecked(),
        )

    def _customer_typed(self) -> None:
        """Typed text that names no customer means every customer (a half-typed name filters nothing)."""
        if not self.customer.value().isdigit():
            self.customer.setCurrentIndex(0)
        self._filters_changed()

    def _filters_changed(self, *_: object) -> None:
        self._search_debouncer.timer.stop()
        query = self._query()
        if query == self.list.query:
            return
        self._save_filters(query)
        self.list.set_query(query)

    def _save_filters(self, query: TicketQuery) -> None:
        if self.customer.count() > 1:
            self._saved_customer = str(query.customer_id or "")
        settings = self.settings
        settings.setValue("tickets/filter/customer", self._saved_customer)
        settings.setValue("tickets/filter/severity", int(query.severity or 0))
        settings.setValue("tickets/filter/status", query.status.value if query.status else "")
        settings.setValue("tickets/filter/sla", query.sla.value)
        settings.setValue("tickets/filter/open_only", query.open_only)
        settings.setValue("tickets/filter/search", query.search)

    def clear_filters(self) -> None:
        """Every filter back to "any"; the sort order stays."""
        for widget in (self.customer, self.severity, self.status, self.sla, self.open_only, self.search):
            widget.blockSignals(True)
        self.customer.setCurrentIndex(0)
        self.customer.setEditText("")
        self._saved_customer = ""
        for combo in (self.severity, self.status, self.sla):
            combo.setCurrentIndex(0)
        self.open_only.setChecked(False)
        self.search.clear()
        for widget in (self.customer, self.severity, self.status, self.sla, self.open_only, self.search):
            widget.blockSignals(False)
        self._filters_changed()

    def _load_customers(self) -> None:
        """Fill the customer filter in the background (a thousand customers take a noticeable moment)."""
        on = today(self.ctx)
        mine = same_name(self.scope.tam) if self.scope.tam is not None else None

        def work(control: TaskControl) -> list[tuple[str, str]]:
            rows = list_customers(on)
            return [(c.name, str(c.id)) for c in rows if mine is None or same_name(c.tam) == mine]

        task = self.list.reader.run(work)
        task.succeeded.connect(self._customers_loaded)
        self._customers_task = task

    def _customers_loaded(self, items: list[tuple[str, str]]) -> None:
        self.customer.blockSignals(True)
        self.customer.set_items([("All customers", ""), *items])
        row = self.customer.findData(self._saved_customer) if self._saved_customer else 0
        self.customer.setCurrentIndex(max(row, 0))
        self.customer.blockSignals(False)
        self._customers_task = None

    def customers(self) -> list[tuple[int, str]]:
        """The customers of the filter, for the ticket dialog (empty until they are loaded)."""
        items = [(self.customer.itemData(i), self.customer.itemText(i)) for i in range(1, self.customer.count())]
        return [(int(value), name) for value, name in items]

    # -- loading --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Called when the page is shown: load on first show or after a database switch, else re-evaluate
        in the background if the list is older than ``STALE_AFTER`` or tickets were added meanwhile."""
        label = database_label()
        count = count_tickets()
        first_tickets = count and self.list.total() == 0  # e.g. after sample data: show the first page at once
        if label != self._database or first_tickets:
            self._known_count = count
            self.reload()
            self._update_state()
            return
        loaded = self.list.loaded
        if loaded is None or count != self._known_count or self.ctx.now() - loaded.evaluated_at > STALE_AFTER:
            self._known_count = count
            self.list.reevaluate()

    def reload(self) -> None:
        """Start over: the first page now, then every ticket in scope and the customer filter in the background."""
        self._database = database_label()
        self.scope = customer_scope(self._wants_mine())
        self._show_scope()
        self.list.load(TicketFilter(tam=self.scope.tam))

    def stop(self) -> None:
        """The window is closing: no reload for an import made after it (see ``TicketList.stop``)."""
        if not self._stopped:
            self._stopped = True
            ticket_changes().imported.disconnect(self._imported)
        self.list.stop()

    def _imported(self) -> None:
        if not self.list.window_open():
            self.list.mark_stale()
            return
        self._known_count = count_tickets()
        self.list.reevaluate(restart=True)
        self._load_customers()

    def _update_state(self) -> None:
        shown, total = self.list.shown(), self.list.total()
        if self.list.error:
            text = f"⚠ {self.list.error}"
        elif total is None:
            done, of = self.list.progress
            first = f"Showing the newest {shown:,} tickets · " if shown else ""
            text = f"{first}loading every ticket…"
            if of:
                text = f"{first}evaluating {of:,} tickets…"
            text = text[:1].upper() + text[1:]
        elif self.list.query.filtered:
            text = f"{shown:,} of {total:,} tickets match"
        else:
            text = f"{total:,} ticket{'s' if total != 1 else ''}"
        if total is not None and self.scope.mine and not self.list.error:
            text += " of your customers"
        if total is not None and self.list.loading:
            text += " · re-evaluating SLA clocks…"
        self.count_label.setText(text)
        done, of = self.list.progress
        self.progress.setVisible(self.list.loading)
        self.progress.setRange(0, max(of, 1) if of else 0)
        self.progress.setValue(done)
        self.clear_button.setVisible(self.list.query.filtered)
        self._show_content(shown, total)

    def _show_content(self, shown: int, total: int | None) -> None:
        if total is None and self._known_count == 0:
            total = 0  # the database holds no ticket: say so at once instead of "loading"
        if shown or total is None or (total and not self.list.query.filtered):
            self.content.setCurrentWidget(self.list)
            return
        self.content.setCurrentWidget(self.empty_state)
        if total:
            self.empty_state.set_text("No tickets match", "No ticket matches these filters and this search.")
            self.empty_state.button.setText("Clear filters")
        elif database_counts().empty:
            self.empty_state.set_text(
                "No tickets yet",
                "Support tickets tracked against the SLA of their severity. Tickets belong to customers: add a "
                "customer first, or load sample data to explore tamdesk.",
            )
            self.empty_state.button.setText("Load sample data…")
        else:
            self.empty_state.set_text(
                "No tickets yet",
                "Create a ticket by hand, or import a support-system export (.csv or .xlsx) with Import….",
            )
            self.empty_state.button.setText("New ticket…")
        self.empty_state.button.setVisible(True)

    def _empty_action(self) -> None:
        text = self.empty_state.button.text()
        if text == "Clear filters":
            self.clear_filters()
        elif text == "Load sample data…":
            self.sample_data_requested.emit()
        else:
            self.new_ticket()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.list.selected_ticket() is not None)

    # -- actions --------------------------------------------------------------------------------------------

    def _open_selected(self) -> None:
        row = self.list.selected_ticket()
        if row is not None:
            self.open_ticket(row.id)

    def open_ticket(self, ticket_id: int) -> None:
        """The ticket's detail: timeline, both clocks explained, events recorded and corrected."""
        open_ticket_detail(self, self.ctx, ticket_id)

    def new_ticket(self, customer_id: int | None = None) -> None:
        dialog = TicketDialog(self.ctx, customer_id=customer_id, customers=self.customers() or None, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.ticket_id is not None:
            self._known_count += 1
            self.show_status(f"Ticket {dialog.number.text().strip()} created.")
            self.list.reveal(dialog.ticket_id)

    def import_tickets(self) -> None:
        dialog = TicketImportDialog(self.ctx, self.runner, parent=self)
        dialog.exec()
        if dialog.summary is not None:
            self.show_status(dialog.summary)

    def show_status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)


def open_ticket_detail(parent: QWidget, ctx: Context, ticket_id: int) -> None:
    """Show one ticket in its detail dialog; changes reach every list through ``ticket_changes``."""
    dialog = TicketDetailDialog(ctx, ticket_id, parent=parent)
    if dialog.load():
        dialog.exec()


# -- a customer's Tickets tab ------------------------------------------------------------------------------------


class CustomerTicketsTab(QWidget):
    """One customer's tickets with the live SLA column, for the customer detail view to embed.

    ``CustomerTicketsTab(customer_id, ctx)``; ``show_customer(customer_id)`` switches customer.
    """

    def __init__(
        self, customer_id: int | None, ctx: Context, runner: TaskRunner | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.list = TicketList(ctx, "customer_ticket_list", show_customer=False, parent=self)
        self.list.open_requested.connect(lambda ticket_id: open_ticket_detail(self, ctx, ticket_id))
        self.list.state_changed.connect(self._update_state)
        self.list.selection_changed.connect(self._update_buttons)
        self.open_only = QCheckBox("Open &only")
        self.open_only.setChecked(QSettings().value("customer_tickets/open_only", False, type=bool))
        self.open_only.toggled.connect(self._open_only_toggled)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        self.new_button = QPushButton("&New ticket…")
        self.new_button.setIcon(icon("add"))
        self.new_button.clicked.connect(self.new_ticket)
        self.open_button = QPushButton("&Open…")
        self.open_button.clicked.connect(self._open_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.open_only)
        bar.addSpacing(12)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        self.list.query = replace(self.list.query, open_only=self.open_only.isChecked())
        self._update_buttons()
        if customer_id is not None:
            self.show_customer(customer_id)

    def show_customer(self, customer_id: int) -> None:
        """Show ``customer_id``'s tickets (read in the background)."""
        self.customer_id = customer_id
        self.list.load(TicketFilter(customer_id=customer_id))

    def _open_only_toggled(self, checked: bool) -> None:
        QSettings().setValue("customer_tickets/open_only", checked)
        self.list.set_query(replace(self.list.query, open_only=checked))

    def _update_state(self) -> None:
        shown, total = self.list.shown(), self.list.total()
        if self.list.error:
            self.count_label.setText(f"⚠ {self.list.error}")
        elif total is None:
            self.count_label.setText("Loading tickets…")
        elif self.list.query.open_only:
            self.count_label.setText(f"{shown:,} open of {total:,} ticket{'s' if total != 1 else ''}")
        else:
            self.count_label.setText(f"{total:,} ticket{'s' if total != 1 else ''}")

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.list.selected_ticket() is not None)

    def _open_selected(self) -> None:
        row = self.list.selected_ticket()
        if row is not None:
            open_ticket_detail(self, self.ctx, row.id)

    def new_ticket(self) -> None:
        dialog = TicketDialog(self.ctx, customer_id=self.customer_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.ticket_id is not None:
            self.list.reveal(dialog.ticket_id)
